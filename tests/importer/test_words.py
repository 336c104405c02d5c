"""importer/words.py: the plain text import compares letters by comes from the warm pandoc, and
is the text a fresh pandoc gives — for every document of a request, repeated ones included; the
dates a letter prints are read back in each of its languages."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pypandoc
import pytest
from conftest import REPO, run_alletter

from alletter.importer.words import LongDates, docx_plain_text, plain_texts
from alletter.letter.render import date_in
from alletter.project.letter_project import LetterProject
from alletter.project.wording import LANGUAGES

DOCUMENTS = [
    "We have the honour to address you.\n\n1. Please provide *any* information.\n2. Please explain.",
    '::: {.address custom-style="Address"}\nPermanent Mission\\\nGeneva\n:::',
    'It\'s "quoted"... -- and [a link](https://www.ohchr.org) in **bold**.',
    "We have the honour to address you.\n\n1. Please provide *any* information.\n2. Please explain.",
]


def _fresh(markdown: str) -> str:
    return pypandoc.convert_text(markdown, "plain", format="markdown", extra_args=["--wrap=none"]).strip()


def test_plain_texts_are_what_a_fresh_pandoc_gives_each_document() -> None:
    assert plain_texts(DOCUMENTS) == [_fresh(markdown) for markdown in DOCUMENTS]


def test_a_document_that_swallows_the_separator_still_gets_its_own_text() -> None:
    """An unclosed fenced div runs to the end of the joined request: the documents are then read
    one by one, each as a fresh pandoc reads it."""
    documents = ["::: {.open}\nNever closed.", "The next document."]
    assert plain_texts(documents) == [_fresh(markdown) for markdown in documents]


def test_plain_texts_of_nothing_asks_pandoc_nothing() -> None:
    assert plain_texts([]) == []


def test_a_docx_is_read_as_a_fresh_pandoc_reads_it(tmp_path: Path) -> None:
    completed = run_alletter("render", REPO / "cases" / "AL-IND-1-2023.yaml", "--out", tmp_path, "--format", "docx")
    assert completed.returncode == 0, completed.stderr
    letter = tmp_path / "AL-IND-1-2023.docx"
    fresh = pypandoc.convert_file(str(letter), "plain", format="docx", extra_args=["--wrap=none"])
    assert docx_plain_text(letter).strip() == fresh.strip()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_a_letter_prints_reads_back_in_its_language(language: str) -> None:
    """Each day of a leap year as the renderer prints it in the language ("1er mars 2024",
    "29 de febrero de 2024") is found in running text and read back as that day."""
    dates = LongDates(LetterProject(REPO).phrasebook_for(language))
    for offset in range(366):
        day = date(2024, 1, 1) + timedelta(days=offset)
        printed = date_in(day, dates.book)
        assert dates.parse(printed) == day, printed
        assert dates.search(f"reçue le {printed}, et", 0) == (day, len("reçue le ")), printed
