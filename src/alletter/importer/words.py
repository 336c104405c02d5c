"""Import's tools for words: a letter's text as tokens, Markdown as pandoc's plain text, the
dates letters print, and the merge of a probe's variations. Every import stage uses them; none of
them knows what a letter says.
"""

from __future__ import annotations

import atexit
import copy
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from ..letter.pandoc import PandocServer
from ..letter.render import date_in
from ..project.wording import Phrasebook

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SAME_MARKS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_BLOCK_SEPARATOR = "zqnextblockzq"  # one word no text has: the paragraph pandoc's answer is cut at
# pandoc's Markdown with its default extensions (smart among them): how import has always read the
# templates' Markdown, whose quotes and dashes the tokens then compare plainly (`tokenize`).
IMPORT_READER = "markdown"


@dataclass(frozen=True)
class Token:
    """A word or punctuation mark of a text, and where it stands in it."""

    key: str  # what is compared: the word with quotes and apostrophes made plain
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Words and punctuation marks, each a token, with their place in `text`; compared in NFKC
    (a ligature is its letters) with curly quotes and apostrophes as straight ones."""
    return [
        Token(unicodedata.normalize("NFKC", match.group()).translate(_SAME_MARKS), match.start(), match.end())
        for match in _TOKEN.finditer(text)
    ]


class LetterWords:
    """The letter's running text as one string (paragraphs separated by blank lines) and its tokens."""

    def __init__(self, paragraphs: list[str]) -> None:
        self.paragraphs = paragraphs
        self.text = "\n\n".join(paragraphs)
        self.tokens = tokenize(self.text)
        starts, offset = [], 0
        for paragraph in paragraphs:
            starts.append(offset)
            offset += len(paragraph) + 2
        self._paragraph_starts = starts

    def paragraph_of(self, token_index: int) -> int:
        """The 1-based paragraph a token is in."""
        if token_index >= len(self.tokens):
            return len(self.paragraphs)
        offset = self.tokens[token_index].start
        return sum(1 for start in self._paragraph_starts if start <= offset)

    def span(self, start: int, end: int) -> str:
        """The letter's text from token `start` to before token `end`, paragraph breaks kept."""
        if start >= end:
            return ""
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def ends_paragraph(self, token_index: int) -> bool:
        """Whether the token is the last of its paragraph (or of the letter)."""
        following = token_index + 1
        return following >= len(self.tokens) or "\n\n" in self.text[self.tokens[token_index].end : self.tokens[following].start]

    def paragraph_end(self, token_index: int) -> int:
        """The index after the last token of the paragraph token `token_index` is in."""
        return next((index + 1 for index in range(token_index, len(self.tokens)) if self.ends_paragraph(index)), len(self.tokens))

    def paragraph_start(self, token_index: int) -> int:
        """The index of the first token of the paragraph token `token_index` is in."""
        return next((index + 1 for index in range(token_index - 1, -1, -1) if self.ends_paragraph(index)), 0)

    def find(self, keys: list[str], start: int, end: int | None = None, *, ending_paragraph: bool = False) -> int | None:
        """Where the run of tokens `keys` first occurs at or after `start` (and begins before
        `end`); with `ending_paragraph`, only where it is the end of a paragraph."""
        limit = len(self.tokens) - len(keys) + 1 if end is None else min(end, len(self.tokens) - len(keys) + 1)
        first = keys[0]
        for index in range(start, limit):
            if (
                self.tokens[index].key == first
                and all(self.tokens[index + offset].key == key for offset, key in enumerate(keys[1:], 1))
                and (not ending_paragraph or self.ends_paragraph(index + len(keys) - 1))
            ):
                return index
        return None


def plain_texts(markdowns: list[str]) -> list[str]:
    """Markdown documents as pandoc's plain text, unwrapped, in one request to the warm pandoc.
    Each distinct document is converted once: the probes print most blocks alike (227 renderings
    of 30 distinct texts for a letter to a company), and pandoc's work grows with the text."""
    if not markdowns:
        return []
    distinct = list(dict.fromkeys(markdowns))
    request = {
        "reader": IMPORT_READER,
        "separator": _BLOCK_SEPARATOR,
        "chunks": distinct,
        "plain": {"chunks": list(range(1, len(distinct) + 1))},  # Lua counts from 1
    }
    plain = dict(
        zip(distinct, (piece.decode("utf-8").strip() for piece in warm_pandoc().convert(request, "import")), strict=True)
    )
    return [plain[markdown] for markdown in markdowns]


def docx_plain_text(path: Path) -> str:
    """A DOCX file's text as pandoc's plain text, unwrapped (list items with the numbers Word draws)."""
    request = {"file": str(path), "file_reader": "docx", "separator": _BLOCK_SEPARATOR, "chunks": [], "plain": {"chunks": [1]}}
    [plain] = warm_pandoc().convert(request, str(path))
    return plain.decode("utf-8")


_server: tuple[int, PandocServer] | None = None


def warm_pandoc() -> PandocServer:
    """This process's long-lived pandoc, started when first asked for: an import asks pandoc for
    plain text four or five times a letter, and starting pandoc costs more than each answer. A
    worker process forked from one that had it starts its own (the pipes are not to be shared)."""
    global _server
    if _server is None or _server[0] != os.getpid():
        _server = (os.getpid(), PandocServer())
        atexit.register(_server[1].close)
    return _server[1]


class LongDates:
    """The dates a language's letters print ("13 March 2023", "1er mars 2023", "13 de marzo de
    2023"), found and read back as the renderer prints them (`date_in`): the pattern is learnt
    from two dates it prints, so no month name or word order is written here."""

    _SAMPLE_DAY, _SAMPLE_YEAR = 28, 1999

    def __init__(self, book: Phrasebook) -> None:
        self.book = book

    def printed(self, day: date) -> str:
        return " ".join(date_in(day, self.book).split())

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A date's day, month name and year where the sample dates print them; the month is the
        word by which December's date differs from November's."""
        december = self.printed(date(self._SAMPLE_YEAR, 12, self._SAMPLE_DAY))
        november = self.printed(date(self._SAMPLE_YEAR, 11, self._SAMPLE_DAY)).split()
        [month] = [word for word, other in zip(december.split(), november, strict=True) if word != other]
        day = rf"(?:{re.escape(self.book.first_day)}|\d{{1,2}})" if self.book.first_day else r"\d{1,2}"
        parts = {
            str(self._SAMPLE_DAY): f"(?P<day>{day})",
            month: r"(?P<month>[^\W\d_]+)",
            str(self._SAMPLE_YEAR): r"(?P<year>\d{4})",
        }
        words = [parts.get(word, re.escape(word)) for word in december.split()]
        return re.compile(r"\b" + r"\s+".join(words) + r"\b")

    def parse(self, text: str) -> date | None:
        """The date `text` prints, if it is one as these letters print it."""
        found = self.pattern.fullmatch(" ".join(text.split()))
        return self._read(found) if found else None

    def search(self, text: str, start: int = 0) -> tuple[date, int] | None:
        """The first date printed in `text` from `start`, and where it begins."""
        for found in self.pattern.finditer(text, start):
            day = self._read(found)
            if day is not None:
                return day, found.start()
        return None

    def _read(self, found: re.Match[str]) -> date | None:
        day_text, year = found.group("day"), int(found.group("year"))
        day = 1 if day_text == self.book.first_day else int(day_text)
        for month in range(1, 13):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue
            if self.printed(candidate) == " ".join(found.group().split()):
                return candidate
        return None


def merged(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`base` with `patch`'s values: nested mappings merged, a None removing the key."""
    result = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


__all__ = [
    "LetterWords",
    "LongDates",
    "Token",
    "docx_plain_text",
    "merged",
    "plain_texts",
    "tokenize",
    "warm_pandoc",
]
