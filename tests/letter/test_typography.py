"""letter/typography.py: the quotes and no-break spaces a letter's Markdown gets, per language."""

from __future__ import annotations

import pytest

from alletter.letter.render import as_typed, escape_markdown, narrative
from alletter.letter.typography import NARROW_NBSP, NO_BREAK_SPACE, curly_quotes, typeset
from alletter.project.letter_project import LetterProject

NB = NO_BREAK_SPACE


def as_markdown(printed: str) -> str:
    """Printed text as the letter's Markdown holds it (escape_markdown would make its no-break spaces spaces)."""
    held = escape_markdown(printed.replace(NB, "\x00").replace(NARROW_NBSP, "\x01"))
    return held.replace("\x00", NB).replace("\x01", NARROW_NBSP)


def english(project: LetterProject, text: str) -> str:
    return typeset(escape_markdown(text), project.phrasebook, "en")


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Dara's", "Dara’s"),
        ("\"a\" and 'b'", "“a” and ‘b’"),
        ('("quoted")', "(“quoted”)"),
        ("the '90s", "the ’90s"),
        ("States' duty", "States’ duty"),
        ("\"'nested'\"", "“‘nested’”"),
    ],
)
def test_straight_quotes_curl_by_what_stands_before_them(project: LetterProject, typed: str, printed: str) -> None:
    assert english(project, typed) == escape_markdown(printed)


def test_emphasis_is_looked_through(project: LetterProject) -> None:
    marks = project.phrasebook.typography.quotes
    assert marks is not None
    assert curly_quotes('*\\"a\\"* \\"*b*\\"', marks) == "*“a”* “*b*”"


def test_a_quote_escaped_in_a_narrative_field_stays_straight(project: LetterProject) -> None:
    markdown = typeset(narrative("It's \\'here\\' and \\\"there\\\"."), project.phrasebook, "en")
    assert markdown == "It’s &#39;here&#39; and &#34;there&#34;\\."


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Ms. A and Dr. B", f"Ms.{NB}A and Dr.{NB}B"),
        ("on 12 December 2026, and 3 March", f"on 12{NB}December{NB}2026, and 3{NB}March"),
        ("guiding principle 13 and principles 11 to 24", f"guiding principle{NB}13 and principles{NB}11 to 24"),
        ("Mrs.Smith, 12 Decembers", "Mrs.Smith, 12 Decembers"),  # no space to keep; not a month
    ],
)
def test_no_break_spaces_in_english(project: LetterProject, typed: str, printed: str) -> None:
    assert english(project, typed) == as_markdown(printed)


def test_french_quotes_and_dates(project: LetterProject) -> None:
    book = project.phrasebook_for("fr")
    markdown = typeset(escape_markdown('M. B a dit "non" le 1er mars 2023 et l\'a répété'), book, "fr")
    assert markdown == as_markdown(f"M.{NB}B a dit «{NARROW_NBSP}non{NARROW_NBSP}» le 1er{NB}mars{NB}2023 et l’a répété")


def test_spanish_dates(project: LetterProject) -> None:
    book = project.phrasebook_for("es")
    markdown = typeset(escape_markdown("La Sra. C, el 13 de marzo de 2023"), book, "es")
    assert markdown == as_markdown(f"La Sra.{NB}C, el 13{NB}de{NB}marzo{NB}de{NB}2023")


def test_import_writes_quotes_straight_only_where_the_letter_curls_them_back(project: LetterProject) -> None:
    assert as_typed("Dara’s “home”", project.phrasebook) == 'Dara\'s "home"'
    assert as_typed("a ” odd", project.phrasebook) == "a ” odd"  # straightened, it would print “
