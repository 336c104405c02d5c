"""Hostile case files (tests/hostile/cases): each is refused with its own clear message, or builds
and shows its text exactly as typed. `tests/hostile/expected.yaml` says which, and what."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_alletter
from textextract import docx_footer_text, docx_text, pdf_text

from alletter.errors import CaseFileError
from alletter.letter.validate import load_case
from alletter.project.load import MAX_FILE_BYTES

HOSTILE = Path(__file__).resolve().parents[1] / "hostile"
EXPECTED: dict[str, dict] = yaml.safe_load((HOSTILE / "expected.yaml").read_text(encoding="utf-8"))
OVERSIZE = "oversize.yaml"
EXPECTED[OVERSIZE] = {"error": f"file is {MAX_FILE_BYTES + 1:,} bytes; the limit is {MAX_FILE_BYTES:,}", "at": None}
BROKEN = sorted(name for name, expected in EXPECTED.items() if "error" in expected)
VALID = sorted(name for name, expected in EXPECTED.items() if "literal" in expected)
PWNED = Path("/tmp/alletter-pwned")  # what the python-object files would create if a tag ever ran


def test_every_hostile_file_has_an_expectation() -> None:
    assert sorted(path.name for path in (HOSTILE / "cases").iterdir()) == sorted(set(EXPECTED) - {OVERSIZE})


@pytest.fixture(scope="module")
def hostile_cases(tmp_path_factory) -> Path:
    """The hostile case files, and one just over the size limit, in a directory of their own."""
    directory = tmp_path_factory.mktemp("hostile") / "cases"
    shutil.copytree(HOSTILE / "cases", directory)
    head = (HOSTILE / "cases" / "AL-OTH-106-2023.yaml").read_bytes()
    (directory / OVERSIZE).write_bytes(head + b"#" * (MAX_FILE_BYTES + 1 - len(head) - 1) + b"\n")
    assert (directory / OVERSIZE).stat().st_size == MAX_FILE_BYTES + 1
    return directory


def message(directory: Path, name: str) -> str:
    """The message expected for a broken file, from its path onwards."""
    expected = EXPECTED[name]
    where = f"{directory / name}:{expected['at']}" if expected["at"] else str(directory / name)
    return f"{where}: {expected['error']}"


@pytest.mark.parametrize("name", BROKEN)
def test_load_case_refuses_it_naming_file_and_line(name: str, hostile_cases: Path, project) -> None:
    with pytest.raises(CaseFileError) as raised:
        load_case(hostile_cases / name, project)
    # the file's own mistake is among its problems (a misnamed file is reported too)
    assert any(line.startswith(message(hostile_cases, name)) for line in str(raised.value).splitlines())


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(directory)): (path.stat().st_size, path.stat().st_mtime_ns) for path in sorted(directory.rglob("*"))
    }


@pytest.fixture(scope="module", params=["render", "build"])
def cli_run(request, hostile_cases: Path, tmp_path_factory):
    """Every hostile file through the real command at once, from a working directory of its own."""
    work = tmp_path_factory.mktemp(f"work-{request.param}")
    out = work / "out"
    before = {"cases": snapshot(hostile_cases), "repo": snapshot(REPO / "cases"), "work": snapshot(work)}
    completed = run_alletter(
        request.param,
        hostile_cases,
        "--out",
        out,
        "--root",
        REPO,
        "--format",
        "docx,pdf",
        *(["--jobs", "2"] if request.param == "build" else []),
        cwd=work,
    )
    after = {
        "cases": snapshot(hostile_cases),
        "repo": snapshot(REPO / "cases"),
        "work": {name: stat for name, stat in snapshot(work).items() if not name.startswith("out")},
    }
    return completed, out, before, after


def test_the_command_fails_cleanly_and_builds_the_rest(cli_run, hostile_cases: Path) -> None:
    completed, out, before, after = cli_run
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr + completed.stdout
    failures = [line for line in completed.stderr.splitlines() if line.startswith("failed ")]
    assert len(failures) == len(BROKEN), completed.stderr
    reported = [line.removeprefix("failed ") for line in completed.stderr.splitlines()]
    for name in BROKEN:
        assert any(line.startswith(message(hostile_cases, name)) for line in reported), name
    letters = sorted(path.name for path in out.iterdir() if path.suffix in (".docx", ".pdf"))
    assert letters == sorted(f"{Path(name).stem}.{suffix}" for name in VALID for suffix in ("docx", "pdf"))
    assert not [path for path in out.iterdir() if path.name.endswith(".part")]


def test_nothing_outside_the_output_directory_changes(cli_run) -> None:
    _, _, before, after = cli_run
    assert after == before
    assert not PWNED.exists()


def test_the_archive_lists_only_the_letters_that_built(cli_run) -> None:
    completed, out, _, _ = cli_run
    if not (out / "manifest.json").exists():
        pytest.skip("render writes no manifest")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(letter["slug"] for letter in manifest["letters"]) == [Path(name).stem for name in VALID]


# The letter prints a typed straight quote curly (letter/typography.py, tested there and in
# test_letter_typography.py): "as typed" here is with quotes folded back to straight.
STRAIGHT_QUOTES = str.maketrans("‘’“”", "''\"\"")


def normalised(text: str) -> str:
    """Whitespace collapsed: a DOCX paragraph and a PDF line break differ only there."""
    return re.sub(r"\s+", " ", text).strip().translate(STRAIGHT_QUOTES)


def without_whitespace(text: str) -> str:
    """The PDF wraps lines wherever a space allows, so PDF text is compared without any whitespace."""
    return re.sub(r"\s+", "", text).translate(STRAIGHT_QUOTES)


@pytest.mark.parametrize("name", VALID)
def test_hostile_text_comes_out_as_typed(name: str, cli_run) -> None:
    _, out, _, _ = cli_run
    slug = Path(name).stem
    docx = normalised(docx_text(out / f"{slug}.docx") + "\n" + docx_footer_text(out / f"{slug}.docx"))
    pdf = without_whitespace(pdf_text(out / f"{slug}.pdf"))
    for literal in EXPECTED[name]["literal"]:
        assert normalised(literal) in docx, literal
        assert without_whitespace(literal) in pdf, literal
    assert "root:x:0:0" not in docx + pdf  # /etc/passwd was not read
