"""The typography of a letter's Markdown, set once over the whole letter after it is rendered.

The templates type their own curly quotes; a value printed into them (case text, a name) arrives
with its straight quotes escaped (`\\'`, `\\"`: render.escape_markdown). Here those become the
letter's language's marks, chosen by what stands before them, as pandoc's `smart` extension would
— but only the quotes: "..." and "--" stay as typed (the letters print them so), and a quote the
drafter escaped in a narrative field arrives as a character reference (`&#39;`) and stays straight.
No-break spaces follow each honorific, join a date's words and come before a (guiding) principle's
number. What each language uses is its phrasebook's `typography` (templates/phrases*.yaml); the
dates' words come from the date pattern the letter prints its dates with. French spacing (narrow
no-break spaces around « » ; : ! ?) comes last, so that the « » made here get theirs.
"""

from __future__ import annotations

import calendar
import re
import string
from dataclasses import dataclass
from functools import lru_cache

from ..project.wording import Phrasebook, QuoteMarks

NO_BREAK_SPACE = "\u00a0"
NARROW_NBSP = "\u202f"
# What a straight quote typed in a narrative field after a backslash prints as: pandoc reads a
# character reference as the character, and nothing below takes it for a quote to curl.
LITERAL_QUOTES = {"'": "&#39;", '"': "&#34;"}
ENGLISH_DATE_PATTERN = "d MMMM y"  # render.long_date's "13 March 2023", as Babel writes it

_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_EMPHASIS = "*_"
# After these (or at the start of a paragraph) a quote opens; after anything else it closes.
_BEFORE_OPENING = frozenset(string.whitespace + NO_BREAK_SPACE + NARROW_NBSP + "([{<=“‘«‹—–-/")


def curly_quotes(markdown: str, marks: QuoteMarks) -> str:
    """Every escaped straight quote as its curly mark: opening after a space, a bracket, a dash
    or another opening mark (emphasis markers looked through), closing or apostrophe elsewhere."""
    if "\\'" not in markdown and '\\"' not in markdown:
        return markdown
    openings = {marks.double[0], marks.single[0]}
    pieces: list[str] = []
    position = 0
    previous = "\n"  # the last character printed before the mark, markup aside
    for escape in _ESCAPE.finditer(markdown):
        printed = markdown[position : escape.start()].rstrip(_EMPHASIS)
        if printed:
            previous = printed[-1]
        mark = escape.group(1)
        if mark not in LITERAL_QUOTES:
            pieces.append(markdown[position : escape.end()])
            position, previous = escape.end(), mark
            continue
        opens = previous in _BEFORE_OPENING or previous in openings
        following = markdown[escape.end() : escape.end() + 1]
        if mark == '"':
            curled = marks.double[0] if opens else marks.double[1]
        else:  # an opening single quote before a digit is an elision ('90s): an apostrophe
            curled = marks.single[0] if opens and not following.isdigit() else marks.single[1]
        pieces.append(markdown[position : escape.start()] + curled)
        position, previous = escape.end(), curled
    pieces.append(markdown[position:])
    return "".join(pieces)


@dataclass(frozen=True)
class _NoBreaks:
    """The spaces a line never breaks at, as patterns over the letter's Markdown."""

    after_word: re.Pattern[str] | None
    before_number: re.Pattern[str] | None
    date: re.Pattern[str]

    def apply(self, markdown: str) -> str:
        if self.after_word is not None:
            markdown = self.after_word.sub(r"\1" + NO_BREAK_SPACE, markdown)
        if self.before_number is not None:
            markdown = self.before_number.sub(r"\1" + NO_BREAK_SPACE, markdown)
        return self.date.sub(lambda found: found.group().replace(" ", NO_BREAK_SPACE), markdown)


def _as_printed(word: str) -> str:
    """A pattern for a word as the Markdown holds it: each punctuation mark maybe escaped ("Ms\\.")."""
    return "".join(rf"\\?{re.escape(c)}" if c in string.punctuation else re.escape(c) for c in word)


def _words(words: tuple[str, ...]) -> str:
    return "|".join(_as_printed(word) for word in sorted(words, key=len, reverse=True))


def _date_pattern(pattern: str, months: list[str], first_day: str | None) -> re.Pattern[str]:
    """A date as its Babel pattern prints it ("d 'de' MMMM 'de' y"), the words after the month optional
    ("12 December" as well as "12 December 2026")."""
    fields = {
        "d": rf"(?:{re.escape(first_day)}|\d{{1,2}})" if first_day else r"\d{1,2}",
        "MMMM": "(?:" + "|".join(re.escape(month) for month in months) + ")",
        "y": r"\d{4}",
    }
    required: list[str] = []
    optional: list[str] = []
    for token in re.finditer(r"'[^']*'|([a-zA-Z])\1*|.", pattern):
        text = token.group()
        piece = re.escape(text.strip("'")) if text.startswith("'") else fields.get(text, re.escape(text))
        (optional if fields["MMMM"] in required else required).append(piece)
    return re.compile(rf"(?<!\w){''.join(required)}(?:{''.join(optional)})?(?!\w)")


@lru_cache(maxsize=16)
def _no_breaks(
    after_word: tuple[str, ...], before_number: tuple[str, ...], date_pattern: str, locale: str, first_day: str | None
) -> _NoBreaks:
    """Compiled once per language and process."""
    if date_pattern == ENGLISH_DATE_PATTERN and locale.startswith("en"):
        months = list(calendar.month_name)[1:]
    else:
        from babel.dates import get_month_names  # here: English letters never need Babel (start-up time)

        months = list(get_month_names("wide", locale=locale.replace("-", "_")).values())
    return _NoBreaks(
        after_word=re.compile(rf"((?<![\w\\])(?:{_words(after_word)})) (?=\S)") if after_word else None,
        before_number=re.compile(rf"((?<!\w)(?:{_words(before_number)})) (?=\d)", re.IGNORECASE) if before_number else None,
        date=_date_pattern(date_pattern, months, first_day),
    )


def typeset(markdown: str, book: Phrasebook, language: str) -> str:
    """The letter's Markdown with its language's quotes, no-break spaces and (French) spacing."""
    typography = book.typography
    if typography.quotes is not None:
        markdown = curly_quotes(markdown, typography.quotes)
    no_breaks = _no_breaks(
        tuple(typography.no_break_after),
        tuple(typography.no_break_before_number),
        book.date_format or ENGLISH_DATE_PATTERN,
        book.locale,
        book.first_day,
    )
    markdown = no_breaks.apply(markdown)
    return french_spacing(markdown) if language == "fr" else markdown


# French punctuation spacing: a narrow no-break space before ; : ! ? (a Markdown escape kept with
# its mark) and inside « », put in by the renderer so no template or case types it. A colon that
# is part of a word (a URL's "https:", a div fence ":::") is followed by no space and left alone.
_BEFORE_MARK = re.compile(r"(?<=[^\s:\\])[ \u00a0\u202f]?(\\?[;:!?])(?=\s|$|\\?»)", re.MULTILINE)
_AFTER_OPENING = re.compile(r"«[ \u00a0\u202f]?")
_BEFORE_CLOSING = re.compile(r"[ \u00a0\u202f]?(\\?)»")


def french_spacing(markdown: str) -> str:
    """The narrow no-break spaces of French typography, on the whole letter (boilerplate and case text)."""
    markdown = _BEFORE_MARK.sub(NARROW_NBSP + r"\1", markdown)
    markdown = _AFTER_OPENING.sub("«" + NARROW_NBSP, markdown)
    return _BEFORE_CLOSING.sub(NARROW_NBSP + r"\1»", markdown)
