"""`alletter watch`: a change rebuilds the letters it concerns with the builder kept warm; a broken
case is reported and its last good letter kept."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, alletter_command

from alletter.drafting.watch import LetterWatcher

CASE = "UA-BRA-1-2023.yaml"


@pytest.fixture
def watcher(project_copy: Path, tmp_path: Path):
    for name in (CASE, "AL-OTH-1-2023.yaml"):
        shutil.copy(REPO / "cases" / name, project_copy / "cases" / name)
    cases = [project_copy / "cases" / CASE, project_copy / "cases" / "AL-OTH-1-2023.yaml"]
    watching = LetterWatcher(project_copy, cases, tmp_path / "out", ("docx", "pdf"))
    (tmp_path / "out").mkdir()
    assert [result.status for result in watching.build_all()] == ["built", "built"]
    yield watching
    watching.close()


def test_a_saved_case_rebuilds_its_letter_only(watcher: LetterWatcher) -> None:
    case = watcher.case_paths[0]
    case.write_text(case.read_text(encoding="utf-8").replace("to her to date.", "to her so far."), encoding="utf-8")
    results = watcher.changed([case])
    assert [(result.case_path, result.status) for result in results] == [(case, "built")]


def test_a_broken_case_keeps_the_last_good_letter(watcher: LetterWatcher) -> None:
    case = watcher.case_paths[0]
    pdf = watcher.out_dir / "UA-BRA-1-2023.pdf"
    before = pdf.read_bytes()
    case.write_text(case.read_text(encoding="utf-8").replace("date: 2023-03-14", "date: 2023-02-30"), encoding="utf-8")
    [result] = watcher.changed([case])
    assert result.status == "failed" and "date: `2023-02-30` is not a date" in result.error
    assert f"{case}:" in result.error  # check's own message: file, line, field
    assert pdf.read_bytes() == before


def test_a_shared_file_rebuilds_every_letter_with_the_data_read_anew(watcher: LetterWatcher) -> None:
    phrases = watcher.root / "templates" / "phrases.yaml"
    phrases.write_text(
        phrases.read_text(encoding="utf-8").replace(
            "Please accept, {{ addressee.closing_name }}, the assurances of our highest consideration.",
            "Please accept, {{ addressee.closing_name }}, the renewed assurances of our highest consideration.",
        ),
        encoding="utf-8",
    )
    results = watcher.changed([phrases])
    assert [result.status for result in results] == ["built", "built"]
    from textextract import docx_text

    assert "the renewed assurances of our highest consideration" in docx_text(watcher.out_dir / "UA-BRA-1-2023.docx")


@pytest.mark.parametrize("name", ["letter.typ", "fonts/LiberationSerif-Regular.ttf"])
def test_the_page_design_restarts_the_converters(watcher: LetterWatcher, name: str) -> None:
    first = watcher.builder
    design = watcher.root / "templates" / name
    design.write_bytes(design.read_bytes() + b"\n")
    assert [result.status for result in watcher.changed([design])] == ["built", "built"]
    assert watcher.builder is not first


def _watch_until_rebuilt(project_copy: Path, letter: Path, save: Callable[[], None], *options: str, saves: int = 1) -> str:
    """Run `alletter watch` on CASE, `save` once it watches and wait for `letter` to be rewritten
    (`saves` times), stop it with SIGTERM; return its output."""
    shutil.copy(REPO / "cases" / CASE, project_copy / "cases" / CASE)
    process = subprocess.Popen(
        [*alletter_command(), "watch", project_copy / "cases" / CASE, "--out", project_copy / "preview", *options],
        cwd=project_copy,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert "watching 1 letter" in _line_with(process, "watching")
        for number in range(1, saves + 1):
            before = letter.stat().st_mtime_ns
            save()
            deadline = time.monotonic() + 30
            while letter.stat().st_mtime_ns == before and time.monotonic() < deadline:
                time.sleep(0.02)
            assert letter.stat().st_mtime_ns != before, f"{letter.name} was not rebuilt after save {number}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # (SIGINT may be ignored in a background job)
        output, _ = process.communicate(timeout=20)
    return output


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a process group")
def test_the_command_rebuilds_on_save_and_stops_on_sigterm(project_copy: Path) -> None:
    case = project_copy / "cases" / CASE

    def save() -> None:
        case.write_text(case.read_text(encoding="utf-8").replace("to her to date.", "to her so far."), encoding="utf-8")

    output = _watch_until_rebuilt(project_copy, project_copy / "preview" / "UA-BRA-1-2023.pdf", save)
    assert "Traceback" not in output


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM to a process group")
def test_saves_that_rename_a_new_file_over_the_case_each_rebuild(project_copy: Path) -> None:
    """vim, `sed -i` and most IDEs save by writing a new file and renaming it over the old one: a
    watch on the old file would hear the first save only (issue 23)."""
    case = project_copy / "cases" / CASE
    count = iter(range(1, 100))

    def save_by_rename() -> None:
        written = case.with_name(f".{case.name}.new")
        written.write_text(case.read_text(encoding="utf-8") + f"\n# save {next(count)}\n", encoding="utf-8")
        os.replace(written, case)

    output = _watch_until_rebuilt(project_copy, project_copy / "preview" / "UA-BRA-1-2023.pdf", save_by_rename, saves=2)
    assert "Traceback" not in output


def test_a_case_that_is_gone_is_said(watcher: LetterWatcher) -> None:
    gone = watcher.case_paths[0]
    gone.unlink()
    [result] = watcher.changed([gone])
    assert result.status == "failed" and "is gone (deleted or renamed)" in (result.error or "")


def _line_with(process: subprocess.Popen[str], text: str) -> str:
    assert process.stdout is not None
    for line in process.stdout:
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r}")


def test_watch_watches_every_shared_file_and_any_new_phrasebook(project_copy: Path) -> None:
    from alletter.project.letter_project import LetterProject, language_files

    (project_copy / "templates" / "phrases.de.yaml").write_text("{}\n", encoding="utf-8")
    project = LetterProject(project_copy)
    # a language's phrasebook and names are that language's letters' files, not every letter's
    assert "templates/phrases.de.yaml" in language_files("de")
    assert "templates/phrases.de.yaml" not in project.shared_files()
    watched = project.watched_paths()
    for name in [*project.shared_files(), *language_files("de"), *language_files("fr")]:
        path = project_copy / name
        assert any(path == folder or path.is_relative_to(folder) for folder in watched), name


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM to a process group")
@pytest.mark.parametrize("shared", ["states.yaml", "mandates.yaml"])
def test_the_command_rebuilds_on_a_shared_file_change(project_copy: Path, shared: str) -> None:
    path = project_copy / shared

    def save() -> None:
        path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")

    output = _watch_until_rebuilt(project_copy, project_copy / "preview" / "UA-BRA-1-2023.docx", save, "--format", "docx")
    assert "Traceback" not in output
