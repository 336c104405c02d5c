"""Rendering: the joining rules, dates, literal case text and links."""

from __future__ import annotations

import re
from datetime import date

import pytest

from alletter.letter.render import escape_markdown, join_phrases, linked, long_date, narrative, render
from alletter.letter.validate import load_case

ALL_MANDATES = [
    "sale-of-children",
    "business-and-human-rights",
    "education",
    "freedom-of-expression",
    "slavery",
    "trafficking",
    "violence-against-women",
    "discrimination-against-women",
]


@pytest.mark.parametrize(
    ("phrases", "expected"),
    [
        (["a"], "a"),
        (["a", "b"], "a and b"),
        (["a", "b", "c"], "a; b and c"),
        (list("abcdefgh"), "a; b; c; d; e; f; g and h"),
        ([], ""),
    ],
)
def test_join_phrases_joins_one_two_or_many(phrases: list[str], expected: str) -> None:
    assert join_phrases(phrases, "; ", " and ") == expected


@pytest.mark.parametrize(
    ("count", "header", "capacity", "resolutions"),
    [
        (
            1,
            "Mandate of the Special Rapporteur on the sale and sexual exploitation of children",
            "in my capacity as Special Rapporteur on the sale",
            "pursuant to Human Rights Council resolution 43\\/22.",
        ),
        (
            2,
            "Mandates of the Special Rapporteur on the sale and sexual exploitation of children\\, including child "
            "prostitution\\, child pornography and other child sexual abuse material and the Working Group on the issue",
            "material and Working Group on the issue",
            "resolutions 43\\/22 and 44\\/15.",
        ),
        (
            3,
            "abuse material; the Working Group on the issue of human rights and transnational corporations and other "
            "business enterprises and the Special Rapporteur on the right to education\n",
            "enterprises and Special Rapporteur on the right to education, pursuant",
            "resolutions 43\\/22, 44\\/15 and 44\\/3.",
        ),
        (
            8,
            "its causes and consequences and the Working Group on discrimination against women and girls\n",
            "consequences and Working Group on discrimination against women and girls, pursuant",
            "resolutions 43\\/22, 44\\/15, 44\\/3, 43\\/4, 51\\/15, 44\\/4, 50\\/7 and 50\\/18.",
        ),
    ],
)
def test_header_capacities_and_resolutions_follow_the_joining_rules(
    write_case, project, count: int, header: str, capacity: str, resolutions: str
) -> None:
    # A first letter: a follow-up has no published singular wording (check says so; see test_kinds.py).
    first_letter = {"mandates": ALL_MANDATES[:count], "follow_up": None, "questions_intro": "standard", "closing_paragraphs": []}
    markdown = render(load_case(write_case(first_letter), project), project).markdown
    assert header in markdown
    assert capacity in markdown
    assert resolutions in markdown
    signatures = len(re.findall(r"::: \{\.signature[ }]", markdown))  # the one before the last: .keep-with-next
    assert signatures == count


@pytest.mark.parametrize(
    ("day", "text"),
    [(date(2023, 3, 13), "13 March 2023"), (date(2021, 5, 1), "1 May 2021"), (date(2024, 12, 31), "31 December 2024")],
)
def test_long_date_has_no_leading_zero(day: date, text: str) -> None:
    assert long_date(day) == text


def test_link_without_a_target_is_plain_text_never_a_hash() -> None:
    assert linked("AL OTH 21/2021") == "AL OTH 21\\/2021"
    assert linked("website", "https://spcommreports.ohchr.org/") == "[website](<https://spcommreports.ohchr.org/>)"


def test_literal_text_escapes_every_markdown_character() -> None:
    assert escape_markdown("*a* _b_ #c $d$ @e <f> `g` [h](i) \\") == (
        "\\*a\\* \\_b\\_ \\#c \\$d\\$ \\@e \\<f\\> \\`g\\` \\[h\\]\\(i\\) \\\\"
    )


def test_narrative_keeps_emphasis_and_links_but_nothing_else() -> None:
    text = "An *emphasis*, a [link](https://example.org/x) and <b>html</b> # not a heading {{ x }}"
    assert narrative(text) == (
        "An *emphasis*\\, a [link](<https://example.org/x>) and \\<b\\>html\\<\\/b\\> \\# not a heading \\{\\{ x \\}\\}"
    )


def test_narrative_prints_links_to_anything_but_the_web_as_typed() -> None:
    assert narrative("[x](file:///etc/passwd)") == "\\[x\\]\\(file\\:\\/\\/\\/etc\\/passwd\\)"


def test_three_dots_stay_three_dots(published_letters) -> None:
    from textextract import docx_text, pdf_text

    for text in (docx_text(published_letters / "AL-OTH-10-2023.docx"), pdf_text(published_letters / "AL-OTH-10-2023.pdf")):
        assert "months ... to roll out" in text
        assert "…" not in text


def test_follow_up_forms_differ_by_reply(published_letters) -> None:
    replied = (published_letters / "AL-OTH-10-2023.md").read_text()
    unanswered = (published_letters / "AL-OTH-11-2023.md").read_text()
    assert "We appreciate your comprehensive reply dated 28\u00a0May\u00a02021" in replied  # a date never breaks
    assert "We regret that we have not received a response" not in replied
    assert "We regret that we have not received a response" in unanswered
    assert "We appreciate your comprehensive reply" not in unanswered


def test_a_published_reply_is_linked(write_case, project) -> None:
    from alletter.letter.render import render
    from alletter.letter.validate import load_case

    path = write_case(base="AL-OTH-10-2023")
    text = path.read_text(encoding="utf-8").replace(
        "    date: 2021-05-28", "    date: 2021-05-28\n    link: https://spcommreports.ohchr.org/reply"
    )
    path.write_text(text, encoding="utf-8")
    markdown = render(load_case(path, project), project).markdown
    assert "your comprehensive [reply](<https://spcommreports.ohchr.org/reply>) dated 28\u00a0May\u00a02021" in markdown


@pytest.mark.parametrize(
    ("added", "where"),
    [
        ("{{ case.recipient.nickname }}", "blocks/closing.md.j2"),  # a value the case does not have
        ("{% if %}", "blocks/closing.md.j2"),  # a template that does not parse
    ],
)
def test_a_broken_template_fails_the_letter_naming_the_template_and_line(project_copy, added: str, where: str) -> None:
    from alletter.errors import TemplateError
    from alletter.project.letter_project import LetterProject

    closing = project_copy / "templates" / "blocks" / "closing.md.j2"
    text = closing.read_text(encoding="utf-8")
    closing.write_text(text + added + "\n", encoding="utf-8")
    project = LetterProject(project_copy)
    with pytest.raises(TemplateError, match=f"template {where}:{text.count(chr(10)) + 1}:"):
        render(load_case(project_copy / "cases" / "AL-OTH-11-2023.yaml", project), project)
