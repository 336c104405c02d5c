"""Validation: schema and registry rules, each reported at its line."""

from __future__ import annotations

import pytest
from conftest import PUBLISHED

from alletter.errors import CaseFileError
from alletter.letter.convert import BATCH_SEPARATOR
from alletter.letter.validate import load_case


def problems(path, project) -> str:
    with pytest.raises(CaseFileError) as raised:
        load_case(path, project)
    return str(raised.value)


def test_published_cases_are_valid(project) -> None:
    for slug in PUBLISHED:
        valid = load_case(project.cases_dir / f"{slug}.yaml", project)
        assert [s.name for s in valid.signatories][0] == "Mama Fatima Singhateh"


def test_every_example_case_is_valid(project) -> None:
    for path in sorted(project.cases_dir.glob("*.yaml")):
        assert load_case(path, project).case.reference


def test_misspelled_key_suggests_the_right_one(write_case, project) -> None:
    path = write_case()
    path.write_text(path.read_text().replace("questions:", "questoins:"), encoding="utf-8")
    message = problems(path, project)
    assert "questoins: is not a known field; did you mean `questions`?" in message
    assert "is required but missing" not in message  # one mistake, one message


def test_unknown_mandate_names_the_closest(write_case, project) -> None:
    message = problems(write_case({"mandates": ["educaton"]}), project)
    assert "mandates[0]: unknown mandate `educaton`; did you mean `education`?" in message


def test_mandate_without_holder_on_the_date(write_case, project) -> None:
    message = problems(write_case({"date": "2013-03-13", "follow_up": None}), project)
    assert "mandates[0]: no holder of `sale-of-children` on 2013-03-13 in mandates.yaml" in message


def test_impossible_date_is_reported_at_its_line(write_case, project) -> None:
    path = write_case()
    path.write_text(path.read_text().replace("\ndate: 2023-03-13\n", "\ndate: 2023-02-30\n"), encoding="utf-8")
    message = problems(path, project)
    assert f"{path}:2:7: date:" in message


def test_prior_communication_must_come_first(write_case, project) -> None:
    case = write_case()
    data_changes = {"follow_up": {**__import__("yaml").safe_load(case.read_text())["follow_up"], "date": "2024-01-01"}}
    message = problems(write_case(data_changes), project)
    assert "must be dated before this letter" in message


def test_file_name_must_match_reference(write_case, project) -> None:
    message = problems(write_case(name="AL-OTH-99-2023"), project)
    assert "should be named AL-OTH-11-2023.yaml" in message


def test_empty_questions_refused(write_case, project) -> None:
    assert "questions: needs at least one question" in problems(write_case({"questions": []}), project)


def test_private_use_characters_refused(write_case, project) -> None:
    # alletter separates letters in a batch with private-use characters: no case text may hold one
    message = problems(write_case({"paragraphs": [BATCH_SEPARATOR]}), project)
    assert "paragraphs[0]: contains the private-use character U+E000" in message


def test_a_misspelled_optional_field_is_one_mistake_and_the_rest_is_checked(write_case, project) -> None:
    path = write_case(base="UA-BRA-1-2023")
    text = (
        path.read_text(encoding="utf-8")
        .replace("summary:", "sumary:", 1)
        .replace("- violence-against-women\n", "- violence-against-women\n- violence-against-women\n", 1)
    )
    path.write_text(text, encoding="utf-8")
    message = problems(path, project)
    assert "sumary: is not a known field; did you mean `summary`?" in message
    assert "`summary:` is required" not in message  # what the misspelling stands for is said once
    assert "`violence-against-women` is named twice" in message  # the registry's rules ran on the rest


def test_a_date_in_the_future_is_said_though_another_field_is_wrong(write_case, project) -> None:
    from alletter.letter.validate import check_case

    path = write_case({"reference": "AL OTH 11/2099", "date": "2099-01-04", "follow_up": None})
    path.write_text(path.read_text(encoding="utf-8").replace("recipient:", "recipent:"), encoding="utf-8")
    checked = check_case(path, project)
    assert any("did you mean `recipient`?" in problem.message for problem in checked.problems)
    assert any("no holder of `sale-of-children` on 2099-01-04" in problem.message for problem in checked.problems)
    [future] = [notice for notice in checked.notices if notice.severity == "warning"]
    assert future.field == "date" and "2099-01-04 is in the future" in future.message


def test_a_bad_reference_says_the_date_was_not_checked_against_it(write_case, project) -> None:
    from alletter.letter.validate import check_case

    path = write_case()
    path.write_text(path.read_text(encoding="utf-8").replace("AL OTH 11/2023", "AL OTH 11-2023", 1), encoding="utf-8")
    checked = check_case(path, project)
    assert [problem.field for problem in checked.problems] == ["reference"]
    [waiting] = [notice for notice in checked.notices if notice.field == "date"]
    assert waiting.message == "not checked against the reference's year: the reference is not valid (line 1)"
