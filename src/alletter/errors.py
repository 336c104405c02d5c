"""Every error a user of alletter can cause, under one base class.

The CLI prints a `UserError` as its message alone, without a traceback: these are mistakes in
case files, templates or arguments, not bugs. Each error builds its message from typed fields so
that every place that raises it says the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceLocation:
    """A place in a source file; line and column count from 1, as editors show them."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [str(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case file, at the place it was found."""

    location: SourceLocation
    message: str
    field: str | None = None
    # "warning": likely a slip (a date in the future); "notice": not wrong, but to be seen before the
    # letter is sent (draft wording). Neither changes the exit status.
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.location}: "
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{self.message}"


def closest(given: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice nearest to what was given (difflib's ratio at least `cutoff`, its default), or
    None: the one place a misspelled id, field, code or name is matched to what was meant."""
    import difflib

    close = difflib.get_close_matches(given, list(choices), n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(given: object, choices: Iterable[str]) -> str:
    """ "; did you mean `X`?" for the choice nearest to what was given, or "" when none is near."""
    meant = closest(str(given), choices)
    return f"; did you mean `{meant}`?" if meant is not None else ""


class UserError(Exception):
    """Base of every error caused by input: the CLI prints its message and exits 1."""

    @property
    def message(self) -> str:
        return str(self)


class CaseFileError(UserError):
    """A case file could not be read or is invalid; carries every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class ProjectNotFoundError(UserError):
    """No letter project (a directory with `templates/`) above the given path."""

    def __init__(self, start: Path) -> None:
        super().__init__(
            f"{start}: no letter project found: no directory at or above it has a templates/ folder (give one with --root)"
        )


class ProjectFileError(UserError):
    """A shared project file (mandate registry, settings, annex, template) is missing or invalid."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        self.location = SourceLocation(path, line)
        super().__init__(f"{self.location}: {reason}")


class TemplateError(UserError):
    """A Jinja template failed to render (syntax error or a value it names is undefined)."""

    def __init__(self, template: str, line: int | None, reason: str) -> None:
        where = f"{template}:{line}" if line else template
        super().__init__(f"template {where}: {reason}")


class ConversionError(UserError):
    """pandoc or typst refused the rendered letter."""

    def __init__(self, reference: str, tool: str, reason: str) -> None:
        super().__init__(f"{reference}: {tool} failed: {reason}")


class UsageError(UserError):
    """A command-line argument is wrong (an unknown format, a missing case file)."""


class OutputError(UserError):
    """An output file or directory cannot be written (it is a file, it is read-only, the disk is full)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: cannot write: {reason}")


class StaleArchiveError(UserError):
    """`pack`: the archive's manifest no longer describes its letters (a letter rendered into it,
    or edited, after the last `build`); a zip whose checksums lie is never made."""

    def __init__(self, out_dir: Path, stale: list[str]) -> None:
        listed = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
        super().__init__(
            f"{out_dir}: its manifest.json does not match {listed} (changed since the last build); "
            f"run `alletter build --out {out_dir}` and pack again"
        )


class DraftWordingError(UserError):
    """`build --final`: the letter still uses wording or names not confirmed against a published letter."""

    def __init__(self, reference: str, sentences: list[str]) -> None:
        listed = "".join(f"\n  - {sentence}" for sentence in sentences)
        super().__init__(
            f"{reference}: not final, {len(sentences)} draft sentence(s) or name(s) to be confirmed "
            f"(approve each: alletter wording approve LANG PHRASE --source …):{listed}"
        )


class RecordRefusedError(UserError):
    """`alletter mandates record` refused a fact: it contradicts the registry, or the registry is invalid."""

    def __init__(self, path: Path, what: str, reason: str) -> None:
        super().__init__(f"{path}: cannot record {what}: {reason}; {path.name} is unchanged")
