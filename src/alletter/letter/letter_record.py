"""What a built letter leaves behind for those who read it later: the archive's build state, its
manifest and index, and `redline`.

The record crosses process boundaries (built in a worker, read by the archive) and is written
to JSON and read back on the next build, so it is a model rather than a dict read by string
keys: a field renamed on one side is then a type error, not a `KeyError` at the end of a build.
The JSON it dumps is the manifest's and the build state's, byte for byte as before it was typed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PriorLetter(_Record):
    """The communication a follow-up refers to, and the reply it recalls (if any)."""

    reference: str
    slug: str
    date: str  # ISO dates, as the manifest prints them
    reply: str | None


class RelatedLetter(_Record):
    reference: str
    slug: str


class OwnWording(_Record):
    """The phrases and resolutions a letter words itself (case `wording:` / `resolutions:`)."""

    wording: list[str]
    resolutions: dict[str, str]


class LetterSummary(_Record):
    """What the archive's index and manifest say about a letter."""

    reference: str
    slug: str
    year: int
    date: str
    recipient: str
    kind: str
    organisation: str
    mandates: list[str]
    follow_up: PriorLetter | None
    related: list[RelatedLetter]
    own_wording: OwnWording | None = None  # only a letter with its own wording is marked

    def as_json(self) -> dict[str, Any]:
        """The manifest's entry: `own_wording` only where there is some, `follow_up` always (null)."""
        return self.model_dump(exclude={"own_wording"} if self.own_wording is None else set())


class OutputFile(_Record):
    """One file a letter was written to: its name in the output directory, size and sha256."""

    file: str
    bytes: int
    sha256: str


class LetterRecord(_Record):
    """One build of a letter: its summary, the project files it was made from, the files it wrote."""

    summary: LetterSummary
    dependencies: list[str]  # paths relative to the project root
    outputs: dict[str, OutputFile]  # format → file

    def output_names(self) -> set[str]:
        return {output.file for output in self.outputs.values()}
