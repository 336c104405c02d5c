"""`alletter import`: letters read back into case files — every case of the repository and of the
bench's synthetic archive through its DOCX and its PDF, the published letters' text, a drafter's
edit brought back with --into, and what cannot be placed reported, never dropped."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import docx
import pytest
import yaml
from conftest import FIXTURES, PUBLISHED, REPO, copy_project, run_alletter
from textextract import compare_words, docx_text, reference_words

from alletter.importer.case_file import import_letter, merge_into, rebuild
from alletter.project.letter_project import LetterProject

# Every example case, in each of its languages (English, French, Spanish).
CASES = sorted((REPO / "cases").glob("*.yaml"))


@pytest.fixture(scope="module")
def built_cases(tmp_path_factory) -> Path:
    """Every case of cases/ built as DOCX and PDF by the real command."""
    out = tmp_path_factory.mktemp("built")
    completed = run_alletter("render", *CASES, "--out", out, "--format", "docx,pdf")
    assert completed.returncode == 0, completed.stderr
    return out


def _assert_gives_back(imported, case_file: Path, project: LetterProject) -> None:
    assert imported.todos == []
    checked = rebuild(imported, imported.yaml_text, case_file, project)
    assert checked.word_for_word, (checked.problems, checked.missing_words[:20], checked.extra_words[:20])
    original = case_file.read_text(encoding="utf-8")
    assert merge_into(original, imported.data) == original, "the imported case differs from the case file"


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("case_file", CASES, ids=lambda path: path.stem)
def test_every_case_comes_back_from_its_letter(built_cases: Path, case_file: Path, fmt: str, project: LetterProject) -> None:
    imported = import_letter(built_cases / f"{case_file.stem}.{fmt}", project)
    _assert_gives_back(imported, case_file, project)


@pytest.fixture(scope="module")
def synthetic_archive(tmp_path_factory) -> tuple[Path, list[Path]]:
    """The bench's synthetic cases, one varied from each case of the repository, built."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import bench
    finally:
        sys.path.remove(str(REPO / "bench"))
    directory = tmp_path_factory.mktemp("synthetic")
    # One for each case (bench varies the English ones, so some twice, with other choices).
    paths = bench.make_project(directory, len(CASES), seed=7)
    completed = run_alletter("render", *paths, "--out", directory / "out", "--format", "docx,pdf", "--root", directory)
    assert completed.returncode == 0, completed.stderr
    return directory, paths


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_synthetic_cases_come_back_from_their_letters(synthetic_archive: tuple[Path, list[Path]], fmt: str) -> None:
    directory, paths = synthetic_archive
    project = LetterProject(directory)
    for case_file in paths:
        _assert_gives_back(import_letter(directory / "out" / f"{case_file.stem}.{fmt}", project), case_file, project)


@pytest.mark.parametrize("slug", PUBLISHED)
def test_published_letter_text_imports_into_a_case_that_builds_it_word_for_word(tmp_path: Path, slug: str) -> None:
    project = copy_project(tmp_path / "project")
    (project / "cases" / f"{slug}.yaml").unlink()
    out_case = project / "cases" / f"{slug}.yaml"

    completed = run_alletter("import", FIXTURES / f"{slug}.txt", "--out", out_case, "--root", project)

    assert completed.returncode == 0, completed.stderr
    assert "word for word" in completed.stdout
    assert yaml.safe_load(out_case.read_text(encoding="utf-8"))["recipient"]["address"] == PUBLISHED[slug]
    built = run_alletter("render", out_case, "--out", tmp_path / "out", "--format", "docx", "--root", project)
    assert built.returncode == 0, built.stderr
    expected = reference_words((FIXTURES / f"{slug}.txt").read_text(encoding="utf-8"), PUBLISHED[slug])
    comparison = compare_words(expected, docx_text(tmp_path / "out" / f"{slug}.docx"))
    assert comparison.missing == []
    assert comparison.extra == []
    original = (REPO / "cases" / f"{slug}.yaml").read_text(encoding="utf-8")
    assert merge_into(original, yaml.safe_load(out_case.read_text(encoding="utf-8"))) == original


def _project_with(tmp_path: Path, slug: str) -> Path:
    project = copy_project(tmp_path / "project")
    shutil.copy(REPO / "cases" / f"{slug}.yaml", project / "cases" / f"{slug}.yaml")
    return project


def test_into_brings_a_drafters_word_edit_back_printing_the_change(tmp_path: Path, built_cases: Path) -> None:
    project = _project_with(tmp_path, "AL-IND-1-2023")
    case_file = project / "cases" / "AL-IND-1-2023.yaml"
    before = case_file.read_text(encoding="utf-8")
    document = docx.Document(str(built_cases / "AL-IND-1-2023.docx"))
    question = next(paragraph for paragraph in document.paragraphs if paragraph.text.startswith("Please indicate the measures"))
    for run in question.runs[1:]:
        run.text = ""
    question.runs[0].text = "Please indicate the measures taken to free the workers of these kilns and quarries."
    edited = tmp_path / "edited.docx"
    document.save(str(edited))

    completed = run_alletter("import", edited, "--into", case_file, "--root", project)

    assert completed.returncode == 0, completed.stderr
    assert "+  - Please indicate the measures taken to free the workers of these kilns and quarries." in completed.stdout
    assert "-  - Please indicate the measures taken to identify and assist victims" in completed.stdout
    after = case_file.read_text(encoding="utf-8")
    assert "quarries" in after and "identify and assist victims" not in after
    # Everything else is the file as it was: its comments, its other fields' lines.
    assert after.splitlines()[:20] == before.splitlines()[:20]
    assert "# An example (fictional facts, real mandates)" in after
    assert yaml.safe_load(after)["questions"][0] == yaml.safe_load(before)["questions"][0]


def test_into_a_read_only_case_refuses_and_leaves_it_read_only(tmp_path: Path, built_cases: Path) -> None:
    """A drafter who made a case read-only meant it: `--into` says so, no traceback, no change."""
    import stat

    project = _project_with(tmp_path, "AL-IND-1-2023")
    case_file = project / "cases" / "AL-IND-1-2023.yaml"
    before = case_file.read_bytes()
    document = docx.Document(str(built_cases / "AL-IND-1-2023.docx"))
    question = next(paragraph for paragraph in document.paragraphs if paragraph.text.startswith("Please indicate the measures"))
    question.runs[0].text = "Please indicate the measures taken now. "
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    case_file.chmod(0o444)

    completed = run_alletter("import", edited, "--into", case_file, "--root", project)

    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert f"{case_file}: cannot write: the file is read-only" in completed.stderr + completed.stdout
    assert case_file.read_bytes() == before
    assert not case_file.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_into_an_unchanged_case_says_so_and_leaves_the_file_alone(tmp_path: Path, built_cases: Path) -> None:
    project = _project_with(tmp_path, "OL-KEN-1-2023")
    case_file = project / "cases" / "OL-KEN-1-2023.yaml"
    before = case_file.stat().st_mtime_ns

    completed = run_alletter("import", built_cases / "OL-KEN-1-2023.pdf", "--into", case_file, "--root", project)

    assert completed.returncode == 0, completed.stderr
    assert "no change" in completed.stdout
    assert case_file.stat().st_mtime_ns == before


def test_what_cannot_be_placed_is_reported_with_its_paragraph_and_kept_as_a_todo(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    text = (FIXTURES / "AL-OTH-11-2023.txt").read_text(encoding="utf-8")
    honour_end = text.index("\n\nWe are independent human rights experts")
    letter = tmp_path / "AL-OTH-11-2023.txt"
    letter.write_text(
        text[:honour_end] + "\n\nA stray sentence nobody wrote in a template." + text[honour_end:], encoding="utf-8"
    )
    out_case = tmp_path / "AL-OTH-11-2023.yaml"

    completed = run_alletter("import", letter, "--out", out_case, "--root", project)

    assert completed.returncode == 0, completed.stderr
    assert "TODO paragraph 6, before the `explanatory` block: 'A stray sentence nobody wrote in a template.'" in completed.stderr
    assert "# TODO: paragraph 6, before the `explanatory` block: 'A stray sentence nobody wrote in a template.'" in (
        out_case.read_text(encoding="utf-8")
    )


def test_out_never_overwrites_a_case_file(tmp_path: Path, built_cases: Path) -> None:
    project = _project_with(tmp_path, "AL-PAK-1-2023")
    case_file = project / "cases" / "AL-PAK-1-2023.yaml"
    before = case_file.read_bytes()

    completed = run_alletter("import", built_cases / "AL-PAK-1-2023.docx", "--out", case_file, "--root", project)

    assert completed.returncode == 1
    assert "already exists; use --into" in completed.stderr
    assert case_file.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letter.txt", b"Dear colleague,\n\nNothing here is a communication.\n", "no reference such as 'Ref.: AL OTH 11/2023'"),
        ("letter.docx", b"not a zip at all", "cannot be read as a DOCX file"),
        ("letter.pdf", b"%PDF-1.7 truncated", "cannot be read as a PDF file"),
        ("letter.odt", b"", "not a letter alletter can read"),
    ],
)
def test_a_file_that_is_no_letter_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    letter = tmp_path / name
    letter.write_bytes(content)
    out_case = tmp_path / "case.yaml"

    completed = run_alletter("import", letter, "--out", out_case, "--root", REPO)

    assert completed.returncode == 1
    assert message in completed.stderr
    assert str(letter) in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not out_case.exists()


@pytest.mark.parametrize(
    ("slug", "names", "printed"),
    [
        ("AL-COD-1-2023", ["Exemple Plateformes SA", "Réseau Vidéo SARL"], "Exemple Plateformes SA et Réseau Vidéo SARL"),
        ("AL-MEX-1-2023", ["Alfa Minería SA", "Iberia Transportes SA"], "Alfa Minería SA e Iberia Transportes SA"),
    ],
)
def test_a_translated_letters_related_recipients_come_back_one_by_one(
    tmp_path: Path, slug: str, names: list[str], printed: str
) -> None:
    """ "… adressée à A et B", "… a A e B": the list is read as the letter's language writes it, each
    recipient a related letter of its own (its reference, which the letter does not print, a TODO:
    never guessed)."""
    case = yaml.safe_load((REPO / "cases" / f"{slug}.yaml").read_text(encoding="utf-8"))
    case["related"] = [{"reference": f"AL OTH {21 + index}/2023", "name": name} for index, name in enumerate(names)]
    source = tmp_path / "cases" / f"{slug}.yaml"
    source.parent.mkdir()
    source.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    built = run_alletter("render", source, "--out", tmp_path / "out", "--format", "docx", "--root", REPO)
    assert built.returncode == 0, built.stderr
    assert printed in " ".join(docx_text(tmp_path / "out" / f"{slug}.docx").split())
    imported = tmp_path / "imported" / f"{slug}.yaml"
    run_alletter("import", tmp_path / "out" / f"{slug}.docx", "--out", imported, "--root", REPO)
    data = yaml.safe_load(imported.read_text(encoding="utf-8"))
    assert [related["name"] for related in data["related"]] == names
    assert f"the reference of the letter to {names[-1]}" in imported.read_text(encoding="utf-8")
