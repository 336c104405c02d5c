"""`alletter import` as a drafter meets it: run inside the project without --root, a PDF's
address block read back line for line, and a report that asks only for what is to be done."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import docx
import pytest
import yaml
from conftest import REPO, copy_project, published_case, run_alletter


def _built(case_file: Path, out: Path, fmt: str = "pdf", root: Path = REPO) -> Path:
    completed = run_alletter("render", case_file, "--out", out, "--format", fmt, "--root", root)
    assert completed.returncode == 0, completed.stderr
    return out / f"{case_file.stem}.{fmt}"


def test_import_run_inside_the_project_finds_it_without_root(tmp_path: Path) -> None:
    letter = _built(REPO / "cases" / "AL-IND-1-2023.yaml", tmp_path / "built")
    out_case = tmp_path / "elsewhere" / "AL-IND-1-2023.yaml"
    out_case.parent.mkdir()

    completed = run_alletter("import", letter, "--out", out_case, cwd=REPO / "cases")

    assert completed.returncode == 0, completed.stderr
    assert "no letter project found" not in completed.stderr
    assert yaml.safe_load(out_case.read_text(encoding="utf-8"))["reference"] == "AL IND 1/2023"


def test_import_outside_any_project_still_says_how_to_name_one(tmp_path: Path) -> None:
    letter = _built(REPO / "cases" / "AL-IND-1-2023.yaml", tmp_path / "built")

    completed = run_alletter("import", letter, "--out", tmp_path / "x.yaml", cwd=tmp_path)

    assert completed.returncode == 1
    assert "no letter project found" in completed.stderr and "--root" in completed.stderr


def test_a_check_problem_without_todos_is_not_reported_as_todos(tmp_path: Path) -> None:
    """A letter whose reference is of a later year than its date: nothing is left to place, but
    `check` refuses the date, so the report says to correct that, not to fill in TODOs."""
    letter = _built(REPO / "cases" / "AL-IND-1-2023.yaml", tmp_path / "built", "docx")
    document = docx.Document(str(letter))
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.text = run.text.replace("AL IND 1/2023", "AL IND 1/2024")
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    out_case = tmp_path / "AL-IND-1-2024.yaml"

    completed = run_alletter("import", edited, "--out", out_case, "--root", REPO)

    assert "# TODO" not in out_case.read_text(encoding="utf-8")
    assert "is before the year of the reference" in completed.stderr
    assert "TODO" not in completed.stderr
    assert "correct what check says above" in completed.stderr


def test_a_check_problem_with_todos_asks_for_both(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    case_file = project / "cases" / "AL-OTH-11-2023.yaml"
    letter = _built(case_file, tmp_path / "built", "docx", project)
    document = docx.Document(str(letter))
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            run.text = run.text.replace("AL OTH 11/2023", "AL OTH 12/2024")  # a year after its date: refused
    document.add_paragraph("A closing line no template prints, which the import cannot place.")
    edited = tmp_path / "edited.docx"
    document.save(str(edited))

    completed = run_alletter("import", edited, "--out", project / "cases" / "AL-OTH-12-2024.yaml", "--root", project)

    assert "TODO" in completed.stderr
    assert "fill in the TODOs and correct what check says above" in completed.stderr


WRAPPING = "Permanent Mission of India to the United Nations Office and other international organizations in Geneva"


@pytest.mark.parametrize(
    "address",
    [
        [f"{WRAPPING}, for the attention of the Ambassador", "Rue du Valais 9, 1202 Geneva"],
        [
            f"{WRAPPING}, for the attention of His Excellency the Ambassador and Permanent Representative of India "
            "to the United Nations Office and other international organizations in Geneva, Switzerland"
        ],
        ["Permanent Mission of India to the United Nations Office", "at Geneva", "Switzerland"],
    ],
    ids=["wrapped once", "wrapped twice", "short lines"],
)
def test_a_pdfs_address_comes_back_as_the_cases_lines(tmp_path: Path, address: list[str]) -> None:
    """Page 1's foot wraps a long address line where the page ends; its lines come back as the
    case wrote them, however the PDF wrapped them."""
    project = copy_project(tmp_path / "project")
    case = published_case("AL-IND-1-2023")
    case["recipient"]["address"] = address
    case_file = project / "cases" / "AL-IND-1-2023.yaml"
    case_file.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    letter = _built(case_file, tmp_path / "built", "pdf", project)
    out_case = tmp_path / "imported" / "AL-IND-1-2023.yaml"
    out_case.parent.mkdir()

    completed = run_alletter("import", letter, "--out", out_case, cwd=project)

    assert completed.returncode == 0, completed.stderr
    assert yaml.safe_load(out_case.read_text(encoding="utf-8"))["recipient"]["address"] == address


def test_a_broken_case_read_for_a_related_letter_stops_the_import_naming_its_line(tmp_path: Path) -> None:
    """UA BRA 1/2023 names a letter sent with it, whose reference it does not print: import looks
    for it in cases/, and a case there it cannot read is named with its line, not passed over."""
    project = copy_project(tmp_path / "project")
    for slug in ("UA-BRA-1-2023", "AL-OTH-1-2023"):
        shutil.copy(REPO / "cases" / f"{slug}.yaml", project / "cases" / f"{slug}.yaml")
    letter = _built(project / "cases" / "UA-BRA-1-2023.yaml", tmp_path / "built", "pdf", project)
    (project / "cases" / "AL-OTH-0-2023.yaml").write_text("reference: AL OTH 0/2023\nrelated: [\n", encoding="utf-8")
    out_case = tmp_path / "UA-BRA-1-2023.yaml"

    completed = run_alletter("import", letter, "--out", out_case, "--root", project)

    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "AL-OTH-0-2023.yaml:3" in completed.stderr and "related" in completed.stderr
    assert not out_case.exists()


def test_a_related_letters_reference_is_found_in_the_cases(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    for slug in ("UA-BRA-1-2023", "AL-OTH-1-2023"):
        shutil.copy(REPO / "cases" / f"{slug}.yaml", project / "cases" / f"{slug}.yaml")
    letter = _built(project / "cases" / "UA-BRA-1-2023.yaml", tmp_path / "built", "pdf", project)
    out_case = tmp_path / "UA-BRA-1-2023.yaml"

    completed = run_alletter("import", letter, "--out", out_case, "--root", project)

    assert completed.returncode == 0, completed.stderr
    related = yaml.safe_load(out_case.read_text(encoding="utf-8"))["related"]
    assert related == [{"reference": "AL OTH 1/2023", "name": "Exemplo Mineração S.A."}]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize(
    ("slug", "language", "subject"),
    [
        ("AL-COD-1-2023", "fr", "des allégations de détention arbitraire"),
        ("AL-COL-1-2023", "es", "las alegaciones de detención arbitraria"),
    ],
)
def test_a_french_or_spanish_follow_up_comes_back_in_its_language_with_its_dates(
    tmp_path: Path, slug: str, language: str, subject: str, fmt: str
) -> None:
    """A follow-up in French or Spanish: its language is read from the letter and written into the
    case, and the prior letter's dates — printed "1er juin 2022", "1 de junio de 2022" — come
    back as dates."""
    project = copy_project(tmp_path / "project")
    case = published_case(slug)
    del case["summary"]
    reference = f"{case['reference'].split(' ')[0]} {case['reference'].split(' ')[1]} 9/2022"
    case["follow_up"] = {"reference": reference, "date": "2022-06-01", "subject": subject, "reply": {"date": "2022-08-01"}}
    case_file = project / "cases" / f"{slug}.yaml"
    case_file.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    letter = _built(case_file, tmp_path / "built", fmt, project)
    out_case = tmp_path / "imported" / f"{slug}.yaml"

    completed = run_alletter("import", letter, "--out", out_case, "--root", project)

    assert completed.returncode == 0, completed.stderr
    assert "word for word" in completed.stdout
    imported = yaml.safe_load(out_case.read_text(encoding="utf-8"))
    assert imported["language"] == language
    assert imported["follow_up"] == {
        "reference": reference,
        "date": date(2022, 6, 1),
        "subject": subject,
        "reply": {"date": date(2022, 8, 1)},
    }
