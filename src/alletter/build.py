"""The path of one letter through every stage, and of many letters through it in turn.

This is the library the CLI calls: load and validate a case, render it to Markdown, convert it
to each requested format and write the files. Nothing here prints; results are returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .convert import Converter, LetterMetadata
from .errors import UsageError, UserError
from .project import LetterProject
from .render import render_letter
from .validate import ValidCase, load_case
from .write import write_atomic

FORMATS = ("docx", "pdf", "md")
DEFAULT_FORMATS = ("docx", "pdf")


def parse_formats(text: str) -> tuple[str, ...]:
    """`"docx,pdf"` → `("docx", "pdf")`, refusing formats alletter does not write."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or repr(text)}; choose from {', '.join(FORMATS)}")
    return formats


@dataclass
class LetterResult:
    """What became of one case file: the files written, or the error that stopped it."""

    case_path: Path
    outputs: list[Path] = field(default_factory=list)
    error: UserError | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


class LetterBuilder:
    """Builds letters of one project into one output directory."""

    def __init__(self, project: LetterProject, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS) -> None:
        self.project = project
        self.out_dir = out_dir
        self.formats = tuple(formats)
        self.converter = Converter(project.templates_dir)

    def letter_files(self, valid: ValidCase) -> dict[str, bytes]:
        """Every requested format of one letter, in memory."""
        markdown = render_letter(valid, self.project)
        metadata = LetterMetadata(reference=valid.case.reference, date=valid.case.date)
        files = self.converter.convert(markdown, metadata, self.formats)
        if "md" in self.formats:
            files["md"] = markdown.encode("utf-8")
        return {name: files[name] for name in self.formats}

    def build(self, case_path: Path) -> LetterResult:
        """Build one case; a user's mistake is returned as the result's error, not raised."""
        started = time.perf_counter()
        result = LetterResult(case_path)
        try:
            valid = load_case(case_path, self.project)
            files = self.letter_files(valid)
            for name, data in files.items():
                target = self.out_dir / f"{valid.case.ref.slug}.{name}"
                write_atomic(target, data)
                result.outputs.append(target)
        except UserError as error:
            result.error = error
        result.seconds = time.perf_counter() - started
        return result

    def build_all(self, case_paths: Iterable[Path], on_result: Callable[[LetterResult], None] | None = None) -> list[LetterResult]:
        results = []
        try:
            for case_path in case_paths:
                result = self.build(case_path)
                results.append(result)
                if on_result is not None:
                    on_result(result)
        finally:
            self.converter.close()
        return results


def find_case_files(paths: Iterable[Path]) -> list[Path]:
    """Case files named on the command line: files as given, directories searched for *.yaml."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such case file or directory")
    return list(dict.fromkeys(found))
