"""`alletter wording record …` through the real command: where no published letter shows a
sentence, the office records the wording its own letters print, and a letter of those dates is
made with it; a wording that would contradict the phrasebook is refused and the file untouched."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import yaml
from conftest import REPO, run_alletter
from textextract import docx_text, pdf_text

AGAINST = "AL PAK 9/2022 (2 May 2022)"


def _letter_of_2022(project: Path) -> Path:
    """AL PAK 2/2021 (cases/forms/) as a letter of 2 May 2022: a date whose reference block no
    published letter read shows."""
    data = yaml.safe_load((REPO / "cases" / "forms" / "AL-PAK-2-2021.yaml").read_text(encoding="utf-8"))
    data |= {"reference": "AL PAK 9/2022", "date": "2022-05-02"}
    path = project / "cases" / "AL-PAK-9-2022.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _record(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return run_alletter("wording", "record", *arguments, "--against", AGAINST, cwd=project)


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and the lines added."""
    lines = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("- ", "+ ")]
    return [line[2:] for line in lines if line[0] == "-"], [line[2:] for line in lines if line[0] == "+"]


def test_the_office_records_the_reference_block_and_a_letter_of_that_date_prints_it(project_copy: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project_copy, check=True)
    subprocess.run(["git", "config", "user.name", "Records Officer"], cwd=project_copy, check=True)
    phrases = project_copy / "templates" / "phrases.yaml"
    case = _letter_of_2022(project_copy)
    refused = run_alletter("check", case, cwd=project_copy)
    assert refused.returncode == 1 and "alletter wording record reference-line --since DATE" in refused.stdout
    before = phrases.read_text(encoding="utf-8")

    dry = _record(project_copy, "reference-line", "--since", "2021-05-28", "--text", "Ref.: {{ case.reference }}", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "+      text: 'Ref.: {{ case.reference }}'" in dry.stdout and "would record" in dry.stdout
    assert phrases.read_text(encoding="utf-8") == before

    line = _record(project_copy, "reference-line", "--since", "2021-05-28", "--text", "Ref.: {{ case.reference }}")
    assert line.returncode == 0, line.stderr
    after_line = phrases.read_text(encoding="utf-8")
    removed, added = _changed_lines(before, after_line)
    # The unknown window of that day is replaced by the wording; nothing else changes.
    assert removed == [
        "      unknown: no published letter read between 28 May 2021 and 31 December 2022 shows its reference block"
    ]
    assert added == [
        "      text: 'Ref.: {{ case.reference }}'",
        f'      source: "the office\'s own letters: {AGAINST}"',
        "      status: approved",
        "      approved_by: Records Officer",
        f"      approved_on: {added[4].rpartition(' ')[2]}",
        f"      approved_against: {AGAINST}",
    ]

    # A later date leaves the days before it unknown: the wording is inserted, nothing replaced.
    reminder = _record(
        project_copy, "reference-reminder", "--since", "2022-01-01", "--text", "(Please use this reference in your reply)"
    )
    assert reminder.returncode == 0, reminder.stderr
    removed, added = _changed_lines(after_line, phrases.read_text(encoding="utf-8"))
    assert removed == [] and added[:2] == ["    - since: 2022-01-01", "      text: (Please use this reference in your reply)"]

    # `alletter wording --language en` lists what the office recorded, and the window still unknown.
    listed = run_alletter("wording", "--language", "en", cwd=project_copy).stdout
    assert f"approved  reference-line (since 2021-05-28): the office's own letters: {AGAINST}" in listed
    assert "missing   reference-reminder (since 2021-05-28): no published letter read between" in listed
    assert "missing   reference-line" not in listed

    checked = run_alletter("check", case, cwd=project_copy)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = run_alletter("build", "--final", "--out", project_copy / "out", case, cwd=project_copy)
    assert built.returncode == 0, built.stdout + built.stderr
    for text in (docx_text(project_copy / "out" / "AL-PAK-9-2022.docx"), pdf_text(project_copy / "out" / "AL-PAK-9-2022.pdf")):
        assert "Ref.: AL PAK 9/2022 (Please use this reference in your reply) 2 May 2022" in " ".join(text.split())

    # Before the recorded reminder's date, the window is still unknown: refused, naming it.
    earlier = yaml.safe_load(case.read_text(encoding="utf-8")) | {"reference": "AL PAK 8/2021", "date": "2021-09-01"}
    earlier_case = project_copy / "cases" / "AL-PAK-8-2021.yaml"
    earlier_case.write_text(yaml.safe_dump(earlier, allow_unicode=True, sort_keys=False), encoding="utf-8")
    still = run_alletter("check", earlier_case, cwd=project_copy)
    assert still.returncode == 1 and "no wording of `reference-reminder`" in still.stdout
    assert "no wording of `reference-line`" not in still.stdout


def test_a_wording_that_contradicts_the_phrasebook_is_refused_and_the_file_untouched(project_copy: Path) -> None:
    phrases = project_copy / "templates" / "phrases.yaml"
    before = phrases.read_text(encoding="utf-8")
    refusals = {
        # the published wording of that date is not overwritten by a record
        (
            "reference-line",
            "--since",
            "2023-01-01",
            "--text",
            "Ref: {{ case.reference }}",
        ): "already has a wording from 2023-01-01",
        # a stray brace would stop every letter of its dates
        ("reference-line", "--since", "2021-05-28", "--text", "Ref.: {{ case.reference"): "not a template the letters can render",
        ("refrence-line", "--since", "2021-05-28", "--text", "Ref."): "did you mean `reference-line`?",
        ("reference-line", "--since", "2021-05-28", "--text", "A", "--one", "B"): "give the wording as --text",
    }
    for arguments, reason in refusals.items():
        completed = _record(project_copy, *arguments)
        assert completed.returncode != 0, arguments
        assert reason in completed.stderr, completed.stderr
        assert phrases.read_text(encoding="utf-8") == before


def test_a_french_letter_s_window_is_recorded_in_the_french_phrasebook(project_copy: Path) -> None:
    """`--language fr`: the French letters' reference block of 2021–2022, in phrases.fr.yaml only."""
    english = (project_copy / "templates" / "phrases.yaml").read_text(encoding="utf-8")
    french = project_copy / "templates" / "phrases.fr.yaml"
    before = french.read_text(encoding="utf-8")
    completed = _record(
        project_copy, "reference-line", "--language", "fr", "--since", "2021-05-28", "--text", "Réf. : {{ case.reference }}"
    )
    assert completed.returncode == 0, completed.stderr
    assert "--- phrases.fr.yaml (before)" in completed.stdout
    removed, added = _changed_lines(before, french.read_text(encoding="utf-8"))
    assert removed == [
        "      unknown: no published letter read between 28 May 2021 and 31 December 2022 shows its reference block"
    ]
    assert added[0] == "      text: 'Réf. : {{ case.reference }}'" and "      status: approved" in added
    assert (project_copy / "templates" / "phrases.yaml").read_text(encoding="utf-8") == english
