"""A letter's own signatory (`signed_by`): printed in the signature block, noticed where it is not
the registry's holder, and enough for a mandate whose holder the registry lacks."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, run_alletter
from textextract import docx_text, pdf_text

from alletter.letter.validate import check_case

ACTING = {"name": "Jane Doe", "title": "Acting Chair of the Working Group on business and human rights"}


def _case(write_case, signed_by: dict, mandates: list[str], day: str = "2026-12-01") -> Path:
    return write_case({"reference": "AL OTH 91/2026", "date": day, "mandates": mandates, "signed_by": signed_by})


def test_a_mandate_without_a_registry_holder_is_signed_by_the_cases_signatory(write_case, project, tmp_path: Path) -> None:
    unsigned = check_case(_case(write_case, {}, ["business-and-human-rights"]), project)
    assert any("no holder of `business-and-human-rights` on 2026-12-01" in p.message for p in unsigned.problems)
    path = _case(write_case, {"business-and-human-rights": ACTING}, ["business-and-human-rights"])
    checked = check_case(path, project)
    assert checked.problems == [] and checked.notices == []
    assert checked.valid is not None
    assert [(s.name, s.title) for s in checked.valid.signatories] == [(ACTING["name"], ACTING["title"])]
    built = run_alletter("render", path, "--out", tmp_path / "out", "--root", REPO)
    assert built.returncode == 0, built.stdout + built.stderr
    for text in (pdf_text(tmp_path / "out" / "AL-OTH-91-2026.pdf"), docx_text(tmp_path / "out" / "AL-OTH-91-2026.docx")):
        flat = " ".join(text.split())
        assert f"{ACTING['name']} {ACTING['title']}" in flat


def test_a_signatory_other_than_the_registrys_is_a_notice_not_an_error(write_case, project) -> None:
    path = _case(write_case, {"climate-change": {"name": "Jane Doe"}}, ["climate-change"])
    checked = check_case(path, project)
    assert checked.problems == [] and checked.valid is not None
    assert checked.valid.signatories[0].name == "Jane Doe"
    assert checked.valid.signatories[0].title.startswith("Special Rapporteur on the promotion and protection of human rights")
    [notice] = checked.notices
    assert notice.field == "signed_by.climate-change"
    assert "mandates.yaml has Elisa Morgera" in notice.message
    completed = run_alletter("check", path, "--root", REPO)
    assert completed.returncode == 0, completed.stdout
    assert "notice" in completed.stdout and "Elisa Morgera" in completed.stdout


def test_signed_by_names_only_the_letters_mandates(write_case, project) -> None:
    path = _case(write_case, {"climate-chang": {"name": "Jane Doe"}}, ["climate-change"])
    [problem] = check_case(path, project).problems
    assert "`climate-chang` is not among the letter's mandates; did you mean `climate-change`?" in problem.message


def test_a_resolution_gap_is_not_filled_by_a_signatory(write_case, project) -> None:
    path = _case(write_case, {"torture": {"name": "Jane Doe"}}, ["torture"])
    assert any("renewal in force on 2026-12-01 is not recorded" in p.message for p in check_case(path, project).problems)
