"""Shared fixtures: the repository's own letter project, case files made from the published ones,
and the two published letters built once per test session through the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

# The suite's property tests run the same examples every time (CI must not fail by chance);
# HYPOTHESIS_PROFILE=explore draws new ones on each run, to look for what they have not found yet.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

from alletter.project.letter_project import LetterProject  # noqa: E402 -- after the Hypothesis profile is loaded

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PUBLISHED = {
    "AL-OTH-10-2023": ["TikTok"],
    "AL-OTH-11-2023": ["Omegle LCC"],
}


def alletter_command() -> list[str]:
    """The installed console script, next to the interpreter running the tests."""
    script = Path(sys.executable).parent / "alletter"
    return [str(script)] if script.exists() else [sys.executable, "-m", "alletter.cli"]


def run_alletter(*arguments: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*alletter_command(), *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        check=False,
    )


@pytest.fixture(scope="session")
def project() -> LetterProject:
    return LetterProject(REPO)


def published_case(slug: str) -> dict[str, Any]:
    return yaml.safe_load((REPO / "cases" / f"{slug}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def write_case(tmp_path: Path):
    """Write a case file derived from AL OTH 11/2023 with some fields changed; returns its path."""

    def write(
        changes: dict[str, Any] | None = None, *, base: str = "AL-OTH-11-2023", name: str | None = None, text: str | None = None
    ) -> Path:
        data = published_case(base)
        data.update(changes or {})
        slug = name or data["reference"].replace(" ", "-").replace("/", "-")
        path = tmp_path / "cases" / f"{slug}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text if text is not None else yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


def copy_project(target: Path) -> Path:
    """A private copy of the letter project (templates, annexes, registry) with the two published
    cases, to change freely: the build's mechanics are tested on a known pair of letters."""
    import shutil

    for name in ("templates", "annexes"):
        shutil.copytree(REPO / name, target / name)
    (target / "cases").mkdir()
    for slug in PUBLISHED:
        shutil.copy(REPO / "cases" / f"{slug}.yaml", target / "cases" / f"{slug}.yaml")
    for name in ("mandates.yaml", "states.yaml"):
        shutil.copy(REPO / name, target / name)
    return target


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


TORTURE_RENEWAL_2023 = "  - number: 52/7\n    adopted: 2023-04-03\n"


def letter_under_a_renewal_without_number(project: Path, changes: dict[str, Any] | None = None) -> Path:
    """In a project copy: torture's renewal of 3 April 2023 known by its date only (its number,
    52/7, struck out of the registry), and a case under it dated 1 June 2023 (AL PAK 1/2023's other
    fields, with `changes`). Returns the case file."""
    registry = project / "mandates.yaml"
    text = registry.read_text(encoding="utf-8")
    assert TORTURE_RENEWAL_2023 in text, "the registry no longer records torture's 2023 renewal this way"
    registry.write_text(text.replace(TORTURE_RENEWAL_2023, "  - adopted: 2023-04-03\n"), encoding="utf-8")
    data = published_case("AL-PAK-1-2023") | {"reference": "AL PAK 7/2023", "date": "2023-06-01", "mandates": ["torture"]}
    case = project / "cases" / "AL-PAK-7-2023.yaml"
    case.write_text(yaml.safe_dump(data | (changes or {}), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return case


@pytest.fixture(scope="session")
def published_letters(tmp_path_factory) -> Path:
    """Both published letters in every format, built by `alletter render` into a fresh directory."""
    out = tmp_path_factory.mktemp("published")
    cases = [REPO / "cases" / f"{slug}.yaml" for slug in PUBLISHED]
    completed = run_alletter("render", *cases, "--out", out, "--format", "docx,pdf,md")
    assert completed.returncode == 0, completed.stderr
    return out
