"""French and Spanish letters through the real command: draft marks in the DOCX and PDF, the
language of each document, `build --final`, `check`'s notices and errors, `alletter wording`."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, copy_project, run_alletter
from textextract import pdf_pages

EXAMPLES = {"UA-SEN-1-2023": "fr", "AL-COD-1-2023": "fr", "AL-MEX-1-2023": "es", "AL-COL-1-2023": "es"}
DRAFT_LINES = {"fr": "PROJET — formulation à confirmer", "es": "BORRADOR — redacción por confirmar"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("languages")
    cases = [REPO / "cases" / f"{slug}.yaml" for slug in [*EXAMPLES, "UA-BRA-1-2023"]]
    completed = run_alletter("render", *cases, "--out", out, "--format", "docx,pdf")
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return out


@pytest.fixture
def project_with_examples(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "project")
    for slug in EXAMPLES:
        shutil.copy(REPO / "cases" / f"{slug}.yaml", root / "cases")
    return root


@pytest.mark.parametrize("slug", list(EXAMPLES))
def test_each_draft_paragraph_has_a_word_comment_in_the_letters_language(built: Path, slug: str) -> None:
    with zipfile.ZipFile(built / f"{slug}.docx") as docx:
        document = docx.read("word/document.xml").decode()
        comments = docx.read("word/comments.xml").decode()
        styles = docx.read("word/styles.xml").decode()
        types = docx.read("[Content_Types].xml").decode()
    language = EXAMPLES[slug]
    starts = re.findall(r"<w:commentRangeStart w:id=\"(\d+)\"", document)
    assert starts and len(starts) == len(re.findall(r"<w:comment ", comments))
    assert "closing" in comments and "questions-intro" in comments
    assert ("Formulation non encore confirmée" if language == "fr" else "Redacción aún no confirmada") in comments
    assert f'w:lang w:val="{language}-{"FR" if language == "fr" else "ES"}"' in styles
    assert "comments+xml" in types


@pytest.mark.parametrize("slug", list(EXAMPLES))
def test_every_pdf_page_carries_the_draft_line_and_the_letters_language(built: Path, slug: str) -> None:
    language = EXAMPLES[slug]
    pages = pdf_pages(built / f"{slug}.pdf")
    assert pages and all(page.startswith(DRAFT_LINES[language]) for page in pages)
    assert f"/Lang({language}-{'FR' if language == 'fr' else 'ES'})".encode() in (built / f"{slug}.pdf").read_bytes()


def test_an_english_letter_has_no_marks(built: Path) -> None:
    with zipfile.ZipFile(built / "UA-BRA-1-2023.docx") as docx:
        assert "<w:comment " not in docx.read("word/comments.xml").decode()  # pandoc's empty part
        assert "commentRangeStart" not in docx.read("word/document.xml").decode()
    assert not any("DRAFT" in page or "PROJET" in page for page in pdf_pages(built / "UA-BRA-1-2023.pdf"))


def test_build_final_refuses_a_letter_with_draft_wording_naming_each_sentence(project_with_examples: Path) -> None:
    completed = run_alletter("build", "--final", "--out", project_with_examples / "dist", cwd=project_with_examples)
    assert completed.returncode == 1
    assert "AL-MEX-1-2023.yaml (AL MEX 1/2023): not final" in completed.stdout
    assert "closing: “Acepte, Excelencia, la expresión de nuestra más distinguida" in completed.stdout
    assert "name of freedom-of-expression: “Relatora Especial sobre la promoción" in completed.stdout
    assert "4 letter(s) use draft wording: nothing built" in completed.stdout
    assert not (project_with_examples / "dist").exists()
    english = run_alletter("build", "--final", "cases/AL-OTH-11-2023.yaml", "--out", "dist", cwd=project_with_examples)
    assert english.returncode == 0, english.stdout


def test_check_lists_draft_wording_as_notices_and_passes(project_with_examples: Path) -> None:
    completed = run_alletter("check", "cases/AL-COD-1-2023.yaml", cwd=project_with_examples)
    assert completed.returncode == 0, completed.stdout
    assert "cases/AL-COD-1-2023.yaml:7:11: notice: language: draft wording" in completed.stdout
    assert "honour: “J’ai l’honneur de m’adresser à vous" in completed.stdout


def test_check_names_a_mandate_name_the_language_lacks(project_with_examples: Path) -> None:
    names = project_with_examples / "templates" / "names.fr.yaml"
    names.write_text(re.sub(r"\n  torture:\n(    .*\n)+", "\n", names.read_text(encoding="utf-8")), encoding="utf-8")
    completed = run_alletter("check", "cases/AL-COD-1-2023.yaml", cwd=project_with_examples)
    assert completed.returncode == 1
    assert "cases/AL-COD-1-2023.yaml:7:11: error: language: templates/names.fr.yaml has no wording of `names.torture`" in (
        completed.stdout
    )


def test_a_sentence_the_language_lacks_is_an_error(project_with_examples: Path) -> None:
    book = project_with_examples / "templates" / "phrases.fr.yaml"
    book.write_text(re.sub(r"\n  closing:\n(    .*\n)+", "\n", book.read_text(encoding="utf-8")), encoding="utf-8")
    completed = run_alletter("check", "cases/AL-COD-1-2023.yaml", cwd=project_with_examples)
    assert completed.returncode == 1
    assert (
        "cases/AL-COD-1-2023.yaml:12:9: error: recipient.kind: templates/phrases.fr.yaml has no wording of `closing` for any letter (not translated yet"
        in (completed.stdout)
    )


@pytest.mark.parametrize(
    ("language", "counts"),
    [("fr", "2 published, 0 approved, 26 draft, 10 missing"), ("es", "9 published, 0 approved, 19 draft, 10 missing")],
)
def test_wording_prints_the_coverage(language: str, counts: str) -> None:
    completed = run_alletter("wording", "--language", language)
    assert completed.returncode == 0, completed.stderr
    assert f"templates/phrases.{language}.yaml: 38 wordings: {counts}" in completed.stdout
    assert "missing   explanatory" in completed.stdout


def test_approve_edits_only_the_wordings_status_and_the_letter_loses_its_mark(project_with_examples: Path) -> None:
    book = project_with_examples / "templates" / "phrases.fr.yaml"
    before = book.read_text(encoding="utf-8").splitlines()
    completed = run_alletter(
        "wording",
        "approve",
        "fr",
        "closing",
        "--source",
        "AL FRA 2/2024 (12 mars 2024)",
        "--by",
        "Section française",
        cwd=project_with_examples,
    )
    assert completed.returncode == 0, completed.stderr
    after = book.read_text(encoding="utf-8").splitlines()
    changes = [line for line in difflib.ndiff(before, after) if line[:2] in ("- ", "+ ")]
    assert [line.partition(":")[0].replace(" ", "") for line in changes] == [
        "-status",
        "+status",
        "+approved_by",
        "+approved_on",
        "+approved_against",
    ]
    assert "+       approved_by: 'Section française'" in changes
    checked = run_alletter("check", "cases/AL-COD-1-2023.yaml", cwd=project_with_examples)
    assert "closing:" not in checked.stdout and "honour:" in checked.stdout
    again = run_alletter("wording", "approve", "fr", "closing", "--source", "x", cwd=project_with_examples)
    assert again.returncode == 1 and "no draft wording left" in again.stderr


def test_po_export_and_a_reviewed_file_back_as_approvals(project_with_examples: Path) -> None:
    po = project_with_examples / "es.po"
    exported = run_alletter("wording", "export", "es", "--format", "po", "--output", po, cwd=project_with_examples)
    assert exported.returncode == 0, exported.stderr
    text = po.read_text(encoding="utf-8")
    assert (
        'msgctxt "closing|any||many"\nmsgid "Please accept, {{ addressee.closing_name }}, the assurances of our highest' in text
    )
    assert '#, fuzzy\nmsgctxt "closing|any||many"' in text
    assert '#, fuzzy\nmsgctxt "honour|any||many"' not in text  # published
    reviewed = text.replace('#, fuzzy\nmsgctxt "closing|', 'msgctxt "closing|').replace('msgstr "Anexo"', 'msgstr "ANEXO"')
    po.write_text(reviewed, encoding="utf-8")
    imported = run_alletter("wording", "import", po, "--by", "Sección de español", cwd=project_with_examples)
    assert imported.returncode == 0, imported.stderr
    assert "approved in es: closing" in imported.stdout
    assert "changed translations (edit them into the phrasebook; they stay draft): annex-label" in imported.stdout
    coverage = run_alletter("wording", "--language", "es", cwd=project_with_examples)
    assert "9 published, 2 approved, 17 draft" in coverage.stdout


def test_new_writes_the_language_into_the_skeleton(project_with_examples: Path) -> None:
    completed = run_alletter(
        "new", "--type", "UA", "--country", "SEN", "--language", "fr", "--year", "2023", cwd=project_with_examples
    )
    assert completed.returncode == 0, completed.stderr
    assert "\nlanguage: fr\n" in (project_with_examples / "cases" / "UA-SEN-2-2023.yaml").read_text(encoding="utf-8")
    wrong = run_alletter("new", "--type", "UA", "--country", "SEN", "--language", "de", cwd=project_with_examples)
    assert wrong.returncode == 1 and "--language de" in wrong.stderr


def test_a_changed_french_phrasebook_rebuilds_the_french_letters_only(project_with_examples: Path) -> None:
    first = run_alletter("build", "--out", "dist", "--jobs", "1", cwd=project_with_examples)
    assert first.returncode == 0, first.stdout + first.stderr
    book = project_with_examples / "templates" / "phrases.fr.yaml"
    book.write_text(book.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = run_alletter("build", "--out", "dist", "--jobs", "1", cwd=project_with_examples)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "2 built, 4 up to date" in again.stdout
    assert "UA-SEN-1-2023" in again.stdout and "AL-COD-1-2023" in again.stdout


def test_make_archive_refuses_the_examples_draft_letters(tmp_path: Path) -> None:
    """The CI archive job is `make archive`: what it packs is what is sent, so drafts must stop it."""
    completed = subprocess.run(
        ["make", "--no-print-directory", "archive", f"OUT={tmp_path / 'dist'}", f"ARCHIVE={tmp_path / 'letters.zip'}"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert completed.returncode != 0
    assert "AL-MEX-1-2023.yaml (AL MEX 1/2023): not final" in completed.stdout
    assert "nothing built" in completed.stdout
    assert not (tmp_path / "letters.zip").exists()
    assert not (tmp_path / "dist").exists()
