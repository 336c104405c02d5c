"""What a letter is made from: changing any of its files makes the next `build` rebuild exactly
the letters made from it, and what the build then holds is what a build from scratch makes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PUBLISHED, run_alletter

import alletter
from alletter.archive.build import Archive
from alletter.project.letter_project import LetterProject

COMMENTS = {".j2": "{# changed #}", ".yaml": "# changed", ".typ": "// changed", ".lua": "-- changed", ".py": "# changed"}


def built(completed: subprocess.CompletedProcess[str]) -> set[str]:
    """The case files the build rebuilt (`built …/X.yaml → …` lines), by name."""
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return {Path(match.group(1)).name for match in re.finditer(r"^built (\S+\.yaml)", completed.stdout, re.MULTILINE)}


def used_by(out: Path) -> dict[str, set[str]]:
    """Each project file → the case files whose letters the build state says are made from it."""
    state = json.loads((out / ".alletter-state.json").read_text(encoding="utf-8"))
    users: dict[str, set[str]] = {}
    for case, entry in state["letters"].items():
        for path in entry["dependencies"]:
            users.setdefault(path, set()).add(Path(case).name)
    return users


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_change_to_any_template_annex_or_shared_file_rebuilds_the_letters_made_from_it(project_copy: Path) -> None:
    out, fresh = project_copy / "dist", project_copy / "fresh"

    def build(target: Path) -> set[str]:
        """The library's build (the command's, without a process each time): the project read anew."""
        report = Archive(LetterProject(project_copy), target, ("md",)).build(sorted((project_copy / "cases").glob("*.yaml")))
        assert all(result.ok for result in report.results), [result.error for result in report.results]
        return {result.case_path.name for result in report.results if result.status == "built"}

    assert build(out) == {f"{slug}.yaml" for slug in PUBLISHED}
    users = used_by(out)
    files = sorted(
        path.relative_to(project_copy).as_posix()
        for folder in ("templates", "annexes")
        for path in (project_copy / folder).rglob("*")
        if path.suffix in (".j2", ".md", ".yaml")
    )
    used = [name for name in files if name in users]
    assert {"templates/letter.md.j2", "templates/phrases.yaml", "templates/kinds.yaml", "templates/settings.yaml"} <= set(used)
    assert any(name.startswith("annexes/") for name in used)
    for name in [*used, "mandates.yaml", "states.yaml"]:
        path = project_copy / name
        if path.suffix == ".md":  # an annex: text at its end shows in the letters that include it
            append(path, "\n\nA sentence added to the annex.\n")
        else:
            append(path, f"\n{COMMENTS[path.suffix]}\n")
        assert build(out) == users[name], name
    shutil.rmtree(fresh, ignore_errors=True)
    build(fresh)
    for letter in sorted(fresh.glob("*.md")):  # the annexes' new text is where a build from scratch has it
        assert (out / letter.name).read_bytes() == letter.read_bytes(), letter.name
    assert "A sentence added to the annex." in "".join(letter.read_text(encoding="utf-8") for letter in out.glob("*.md"))
    for name in sorted(set(files) - set(used)):  # the others are not read for these letters
        append(project_copy / name, f"\n{COMMENTS[Path(name).suffix] if not name.endswith('.md') else 'text'}\n")
    assert build(out) == set()


def test_a_change_to_the_page_design_rebuilds_every_pdf(project_copy: Path) -> None:
    def build() -> set[str]:
        return built(run_alletter("build", "--out", project_copy / "dist", "--format", "pdf", "--verbose", cwd=project_copy))

    assert build() == {f"{slug}.yaml" for slug in PUBLISHED}
    for name in ("letter.typ", "letter-blocks.typ", "typst.lua"):
        append(project_copy / "templates" / name, f"\n{COMMENTS[Path(name).suffix]}\n")
        assert build() == {f"{slug}.yaml" for slug in PUBLISHED}, name
    font = project_copy / "templates" / "fonts" / "LiberationSerif-Regular.ttf"  # the PDF's fonts are page design
    font.write_bytes(font.read_bytes() + b"\0")  # still a font: its tables are found by their offsets
    assert build() == {f"{slug}.yaml" for slug in PUBLISHED}
    (project_copy / "templates" / "fonts" / "LiberationSerif-Bold.ttf").unlink()  # so is a font removed
    assert build() == {f"{slug}.yaml" for slug in PUBLISHED}


@pytest.mark.parametrize("module", ["__init__.py", "project", "letter", "archive", "importer", "drafting"])
def test_a_change_to_alletters_code_in_any_subpackage_rebuilds_every_letter(
    project_copy: Path, tmp_path: Path, module: str
) -> None:
    """alletter's own code is part of every letter: a copy of it, changed, builds them anew."""
    code = tmp_path / "code"
    shutil.copytree(Path(alletter.__file__).parent, code / "alletter", ignore=shutil.ignore_patterns("__pycache__"))
    environment = {**os.environ, "PYTHONPATH": str(code)}

    def build() -> set[str]:
        command = [sys.executable, "-m", "alletter.cli", "build", "--out", project_copy / "dist", "--format", "md", "--verbose"]
        return built(subprocess.run(command, cwd=project_copy, env=environment, capture_output=True, text=True, check=False))

    probe = [sys.executable, "-c", "import alletter; print(alletter.__file__)"]
    assert subprocess.run(probe, env=environment, capture_output=True, text=True, check=True).stdout.startswith(str(code))
    assert build() == {f"{slug}.yaml" for slug in PUBLISHED}
    assert build() == set()
    init = code / "alletter" / (module if module.endswith(".py") else f"{module}/__init__.py")
    append(init, "\n# changed\n")
    assert build() == {f"{slug}.yaml" for slug in PUBLISHED}
