"""Glyph coverage: text the PDF's fonts cannot show is refused by validation, naming field and characters."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from alletter.errors import CaseFileError
from alletter.letter.glyphs import clusters, unshowable
from alletter.letter.validate import load_case
from alletter.project.letter_project import LetterProject

FONTS = LetterProject(REPO).fonts_dir  # the PDF's own fonts, beside typst's


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Müller-Lüdenscheidt",
        "Ωμέγα Ἀθῆναι",
        "Привет, Ёжик",
        "محمد عبد الله",
        "דוד בן־גוריון",
        "“quoted” ‘single’ – — … € £ ß ǅ ﬁ",
        "e\u0301 (decomposed é)",
        "Łódź Çağlayan Ørsted Þór",
    ],
)
def test_scripts_the_fonts_have_pass(text: str) -> None:
    assert unshowable([text], FONTS) == [[]]


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("李小龍", ["李", "小", "龍"]),
        ("smile 😀", ["😀"]),
        ("CJK punctuation 〕", ["〕"]),
        ("a Latin a with an Arabic mark a\u0610", ["a\u0610"]),
        ("℟ response", ["℟"]),
    ],
)
def test_characters_no_font_has_are_found(text: str, missing: list[str]) -> None:
    assert unshowable([text], FONTS) == [missing]


def test_marks_stay_with_their_base() -> None:
    assert clusters("ae\u0301 \u0301") == ["a", "e\u0301", " ", "\u0301"]


def test_validation_refuses_them_naming_field_line_and_characters(write_case, project) -> None:
    path = write_case(
        {"recipient": {"kind": "company", "name": "Mr. 李小龍", "salutation": "Dear Mr. Lee,", "address": ["Omegle LCC 😀"]}}
    )
    with pytest.raises(CaseFileError) as raised:
        load_case(path, project)
    message = str(raised.value)
    assert re.search(rf"{re.escape(str(path))}:\d+:\d+: recipient.name: ", message)
    assert "recipient.name: the PDF's fonts have no glyphs for 李 (U+674E), 小 (U+5C0F), 龍 (U+9F8D)" in message
    assert "recipient.address[0]: the PDF's fonts have no glyphs for 😀 (U+1F600)" in message
