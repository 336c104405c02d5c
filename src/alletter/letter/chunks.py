"""Letters cut into chunks (top-level blocks of Markdown), and a bounded cache of what each became.

Most of a letter is boilerplate shared by every letter, so a process converts each distinct
chunk once — to DOCX (docx_package.py) and to typst (convert.py) — and puts letters together
from what it keeps.
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

Value = TypeVar("Value")

_FENCE_OPENS = re.compile(r"^:::+\s*[\w{]")
_FENCE_CLOSES = re.compile(r"^:::+\s*$")


def top_level_chunks(markdown: str) -> list[str]:
    """The letter's top-level blocks as Markdown: paragraphs, lists and whole ::: fenced divs
    (which may hold blank lines), each ending at a blank line outside any fence.

    pandoc converts each distinct chunk once per process: most are boilerplate shared by every letter.
    """
    chunks: list[str] = []
    current: list[str] = []
    depth = 0
    for line in markdown.split("\n"):
        if depth > 0 and _FENCE_CLOSES.match(line):
            depth -= 1
        elif _FENCE_OPENS.match(line):
            depth += 1
        if depth == 0 and not line.strip():
            if current:
                chunks.append("\n".join(current))
                current = []
        else:
            current.append(line)
    if current:
        chunks.append("\n".join(current))
    return chunks


class ChunkCache(Generic[Value]):
    """What each chunk became, bounded: it keeps what recurs (the boilerplate) and forgets what
    does not (each letter's own paragraphs).

    When the young generation is full it becomes the old one and the previous old one is
    dropped; a chunk found in the old generation moves back to the young one.
    """

    def __init__(self, capacity: int = 400) -> None:
        self.capacity = capacity
        self._young: dict[str, Value] = {}
        self._old: dict[str, Value] = {}

    def get(self, text: str) -> Value | None:
        value = self._young.get(text)
        if value is None:
            value = self._old.get(text)
            if value is not None:
                self.put(text, value)
        return value

    def put(self, text: str, value: Value) -> None:
        if len(self._young) >= self.capacity and text not in self._young:
            self._young, self._old = {}, self._young
        self._young[text] = value

    def missing(self, letters: list[list[str]]) -> tuple[dict[str, Value], list[str]]:
        """For these letters' chunks: what is kept, by chunk, and the distinct chunks that are not."""
        kept: dict[str, Value] = {}
        missing: dict[str, None] = {}
        for text in (text for chunks in letters for text in chunks):
            if text not in kept and text not in missing:
                value = self.get(text)
                if value is None:
                    missing[text] = None
                else:
                    kept[text] = value
        return kept, list(missing)
