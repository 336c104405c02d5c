"""`alletter mandates record …` through the real command: the office records a fact it knows and
a letter of that day is made with it; a contradiction is refused and the registry is untouched."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import yaml
from conftest import published_case, run_alletter
from textextract import docx_text, pdf_text

SOURCE = "https://www.ohchr.org/en/press-releases/2026/11/example"
TITLE = "Chair of the Working Group on the issue of human rights and transnational corporations and other business enterprises"


def _added_only(before: str, after: str) -> list[str]:
    lines = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("- ", "+ ")]
    assert all(line.startswith("+ ") for line in lines), lines
    return [line[2:] for line in lines]


def _letter_of(project: Path, mandate_id: str, day: str) -> Path:
    """A letter to a company under one mandate, dated `day` (AL OTH 11/2023's other fields)."""
    data = published_case("AL-OTH-11-2023")
    data |= {"reference": "AL OTH 90/2026", "date": day, "mandates": [mandate_id]}
    path = project / "cases" / "AL-OTH-90-2026.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_recorded_signatory_signs_a_letter_of_that_day(project_copy: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project_copy, check=True)
    subprocess.run(["git", "config", "user.name", "Registry Officer"], cwd=project_copy, check=True)
    registry = project_copy / "mandates.yaml"
    case = _letter_of(project_copy, "business-and-human-rights", "2026-12-01")
    refused = run_alletter("check", case, cwd=project_copy)
    assert refused.returncode == 1
    before = registry.read_text(encoding="utf-8")

    dry = run_alletter(
        "mandates", "record", "holder", "business-and-human-rights", "Jane Doe", "--from", "2026-10-01",
        "--title", TITLE, "--gender", "female", "--source", SOURCE, "--dry-run", cwd=project_copy,
    )  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert "+  - name: Jane Doe" in dry.stdout and "would record" in dry.stdout
    assert registry.read_text(encoding="utf-8") == before

    done = run_alletter(
        "mandates", "record", "holder", "business-and-human-rights", "Jane Doe", "--from", "2026-10-01",
        "--title", TITLE, "--gender", "female", "--source", SOURCE, cwd=project_copy,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    added = _added_only(before, registry.read_text(encoding="utf-8"))
    assert added[-1].startswith("    recorded: {by: Registry Officer, 'on': ")
    assert "  - name: Jane Doe" in added and f"    source: {SOURCE}" in added

    checked = run_alletter("check", case, cwd=project_copy)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = run_alletter("render", case, "--out", project_copy / "dist", cwd=project_copy)
    assert built.returncode == 0, built.stdout + built.stderr
    for text in (
        pdf_text(project_copy / "dist" / "AL-OTH-90-2026.pdf"),
        docx_text(project_copy / "dist" / "AL-OTH-90-2026.docx"),
    ):
        flat = " ".join(text.split())
        assert "Jane Doe" in flat and TITLE in flat


def test_a_contradiction_is_refused_with_the_registry_byte_identical(project_copy: Path) -> None:
    registry = project_copy / "mandates.yaml"
    before = registry.read_bytes()
    completed = run_alletter(
        "mandates", "record", "renewal", "climate-change", "43/1", "--adopted", "2020-06-19", "--source", SOURCE, cwd=project_copy
    )
    assert completed.returncode == 1
    assert "before `climate-change` was established (2021-10-08)" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert registry.read_bytes() == before


def test_each_record_command_adds_only_its_lines(project_copy: Path) -> None:
    registry = project_copy / "mandates.yaml"
    commands = [
        ["renewal", "torture", "61/5", "--adopted", "2026-03-30"],
        ["vacancy", "extreme-poverty", "--from", "2026-08-01"],
        [
            "establish",
            "example-mandate",
            "--name",
            "Special Rapporteur on an example",
            "--on",
            "2026-03-31",
            "--resolution",
            "61/40",
        ],
        ["end", "example-mandate", "--on", "2026-12-31"],
    ]
    for command in commands:
        before = registry.read_text(encoding="utf-8")
        completed = run_alletter("mandates", "record", *command, "--source", SOURCE, cwd=project_copy)
        assert completed.returncode == 0, completed.stderr
        assert _added_only(before, registry.read_text(encoding="utf-8"))
    before = registry.read_text(encoding="utf-8")
    completed = run_alletter(
        "mandates", "record", "rename", "torture", "--name", "Special Rapporteur on torture", "--from", "2026-11-01",
        "--source", SOURCE, cwd=project_copy,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    changed = [line for line in difflib.ndiff(before.splitlines(), registry.read_text().splitlines()) if line.startswith("- ")]
    assert changed == ["-   name: Special Rapporteur on torture and other cruel, inhuman or degrading treatment or punishment"]


def test_mandates_and_check_say_vacant(project_copy: Path) -> None:
    recorded = run_alletter(
        "mandates", "record", "vacancy", "torture", "--from", "2026-11-01", "--source", SOURCE, cwd=project_copy
    )
    assert recorded.returncode == 0, recorded.stderr
    table = run_alletter("mandates", "--on", "2026-12-01", cwd=project_copy)
    row = next(line for line in table.stdout.splitlines() if "torture" in line)
    assert "vacant since" in row and "unknown" not in row.split("│")[3]
    case = _letter_of(project_copy, "torture", "2026-12-01")
    checked = run_alletter("check", case, cwd=project_copy)
    assert checked.returncode == 1 and "`torture` is vacant since 2026-11-01" in checked.stdout


def test_mandates_says_which_facts_the_office_recorded(project_copy: Path) -> None:
    run_alletter(
        "mandates", "record", "renewal", "torture", "61/5", "--adopted", "2026-03-30", "--source", SOURCE, cwd=project_copy
    )
    rows = __import__("json").loads(run_alletter("mandates", "--on", "2026-12-01", "--format", "json", cwd=project_copy).stdout)
    torture = next(row for row in rows if row["id"] == "torture")
    assert torture["resolution"] == "61/5" and torture["resolution_from"].startswith("recorded by ")
    assert torture["holder_from"] == "published"
    gaps = run_alletter("mandates", "--gaps", "--since", "2026-01-01", "--on", "2026-12-01", cwd=project_copy)
    assert gaps.returncode == 0 and "2026-01-01 to 2026-12-01" in gaps.stdout
