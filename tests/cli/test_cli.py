"""The real `alletter` command, as a user runs it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import REPO, alletter_command, run_alletter


def test_help_explains_every_command() -> None:
    completed = run_alletter("--help")
    assert completed.returncode == 0
    for command in ("render", "build", "import", "watch", "redline"):
        assert command in completed.stdout
        sub = run_alletter(command, "--help")
        assert sub.returncode == 0 and "Example:" in sub.stdout


COMMANDS = (
    "render", "build", "pack", "check", "new", "watch", "redline", "import", "mandates",
    "mandates record renewal", "mandates record holder", "mandates record vacancy", "mandates record rename",
    "mandates record establish", "mandates record end", "wording", "wording approve", "wording record",
    "wording export", "wording import",
)  # fmt: skip


def test_every_command_s_help_gives_examples_each_on_a_line_of_its_own() -> None:
    """Help paragraphs are reflowed to the terminal (Markdown help): two examples written on lines
    of their own must not run together into one."""
    for command in COMMANDS:
        completed = subprocess.run(
            [*alletter_command(), *command.split(), "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "100"},
        )
        assert completed.returncode == 0, (command, completed.stderr)
        lines = completed.stdout.splitlines()
        assert any(line.strip().startswith("Example: alletter") for line in lines), command
        assert all(line.count("Example:") <= 1 for line in lines), command
        assert not any("Example:" in line and not line.strip().startswith("Example:") for line in lines), command


def test_render_names_files_after_the_reference(tmp_path: Path) -> None:
    completed = run_alletter("render", REPO / "cases" / "AL-OTH-11-2023.yaml", "--out", tmp_path, "--format", "md")
    assert completed.returncode == 0, completed.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["AL-OTH-11-2023.md"]


def test_unknown_format_is_a_clear_error(tmp_path: Path) -> None:
    completed = run_alletter("render", REPO / "cases" / "AL-OTH-11-2023.yaml", "--out", tmp_path, "--format", "odt")
    assert completed.returncode == 1
    assert "unknown format odt; choose from docx, pdf, md" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_broken_case_fails_alone(write_case, tmp_path: Path) -> None:
    good = write_case()
    broken = write_case({"reference": "AL OTH 12/2023", "mandates": ["nobody"]})
    out = tmp_path / "out"
    completed = run_alletter("render", good, broken, "--out", out, "--format", "md,docx", "--root", REPO)
    assert completed.returncode == 1
    assert f"{broken}:" in completed.stderr and "unknown mandate `nobody`" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert sorted(path.name for path in out.iterdir()) == ["AL-OTH-11-2023.docx", "AL-OTH-11-2023.md"]


def test_build_finds_the_project_from_the_working_directory(tmp_path: Path) -> None:
    completed = run_alletter("build", "--out", tmp_path, "--format", "md", cwd=REPO / "cases")
    assert completed.returncode == 0, completed.stderr
    expected = sorted(f"{path.stem}.md" for path in (REPO / "cases").glob("*.yaml"))
    assert sorted(path.name for path in tmp_path.glob("*.md")) == expected


def test_outside_a_project_says_how_to_find_one(tmp_path: Path) -> None:
    completed = run_alletter("build", "--out", tmp_path / "out", cwd=tmp_path)
    assert completed.returncode == 1
    assert "no letter project found" in completed.stderr and "--root" in completed.stderr


def test_a_folder_named_like_a_case_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "AL-OTH-11-2023.yaml"
    folder.mkdir()
    for command in ("check", "render"):
        completed = run_alletter(command, folder, "--root", REPO)
        assert completed.returncode != 0, completed.stdout
        assert "is a folder, not a case file" in completed.stderr + completed.stdout
        assert "0 case files" not in completed.stdout


def test_new_with_a_country_given_by_its_name_suggests_the_code(project_copy: Path) -> None:
    for typed in ("Cambodia", "Cambodge", "camboya"):
        completed = run_alletter("new", "--type", "UA", "--country", typed, cwd=project_copy)
        assert completed.returncode == 1 and "Traceback" not in completed.stderr
        assert f"--country {typed}:" in completed.stderr and "did you mean KHM (Cambodia)?" in completed.stderr
    assert not list((project_copy / "cases").glob("UA-*"))
