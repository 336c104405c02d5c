"""One letter through every stage: load and validate its case, render it, convert it to each
format and write the files — in batches, so that one pandoc request serves several letters.

The one-letter builder keeps its pandoc and typst warm for as long as it lives: the archive's
workers (`pool.py`) each hold one, and so can a process that rebuilds one letter again and again.
Nothing here prints.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConversionError, DraftWordingError, UsageError, UserError
from ..files import write_atomic
from ..project.letter_project import DEFAULT_LANGUAGE, LetterProject
from ..project.schema import Reference
from .convert import Converter, LetterMetadata
from .letter_record import LetterRecord, LetterSummary, OutputFile, OwnWording, PriorLetter, RelatedLetter
from .validate import ValidCase, load_case

if TYPE_CHECKING:
    from .render import RenderedLetter

FORMATS = ("docx", "pdf", "md", "png")
DEFAULT_FORMATS = ("docx", "pdf")


def parse_formats(text: str) -> tuple[str, ...]:
    """`"docx,pdf"` → `("docx", "pdf")`, refusing formats alletter does not write."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or repr(text)}; choose from {', '.join(FORMATS)}")
    return formats


def output_name(slug: str, fmt: str) -> str:
    """The file a letter is written to in `fmt`; the PNG preview shows page 1 only, and says so."""
    return f"{slug}-page1.png" if fmt == "png" else f"{slug}.{fmt}"


@dataclass
class LetterResult:
    """What became of one case file: built, already up to date, or failed with a message."""

    case_path: Path
    status: str = "built"  # "built" | "up to date" | "failed"
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    record: LetterRecord | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def letter_summary(valid: ValidCase) -> LetterSummary:
    """What the archive index and manifest say about a letter."""
    case = valid.case
    prior = case.follow_up
    # A letter with its own wording or resolutions is marked (only then: other entries stay as they were).
    own = OwnWording(wording=sorted(case.wording), resolutions=dict(sorted(case.resolutions.items())))
    return LetterSummary(
        own_wording=own if case.wording or case.resolutions else None,
        reference=case.reference,
        slug=case.ref.slug,
        year=case.ref.year,
        date=case.date.isoformat(),
        recipient=valid.recipient_label,
        kind=str(case.kind),
        organisation=", ".join(case.recipient.address),
        mandates=[mandate.id for mandate in valid.mandates],
        follow_up=None
        if prior is None
        else PriorLetter(
            reference=prior.reference,
            slug=Reference.parse(prior.reference).slug,
            date=prior.date.isoformat(),
            reply=None if prior.reply is None else prior.reply.date.isoformat(),
        ),
        related=[
            RelatedLetter(reference=related.reference, slug=Reference.parse(related.reference).slug) for related in case.related
        ],
    )


class LetterBuilder:
    """Builds letters of one project into one output directory (one per process)."""

    def __init__(self, project: LetterProject, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS) -> None:
        self.project = project
        self.out_dir = out_dir
        self.formats = tuple(formats)
        self.converter = Converter(project.templates_dir)

    def close(self) -> None:
        self.converter.close()

    def dependencies(self, valid: ValidCase, templates: Iterable[str]) -> list[str]:
        """Every project file this letter was made from, relative to the project root."""
        language = valid.case.language or self.project.default_language()
        return self.project.letter_files(templates, [annex.file for annex in valid.annexes], self.formats, language)

    def build_batch(self, case_paths: Sequence[Path]) -> list[LetterResult]:
        """Build several cases with one pandoc request; each case fails or succeeds on its own."""
        # here, not at the top: a no-op build never renders (start-up time)
        from .draft_marks import add_draft_comments
        from .render import render

        results = [LetterResult(path) for path in case_paths]
        prepared: list[tuple[LetterResult, ValidCase, RenderedLetter, list[str]]] = []
        for result in results:
            try:
                valid = load_case(result.case_path, self.project)
                rendered = render(valid, self.project)
            except UserError as error:
                result.status, result.error = "failed", str(error)
                continue
            prepared.append((result, valid, rendered, self.dependencies(valid, rendered.templates)))
        letters = [(rendered.markdown, self._metadata(valid, rendered)) for _, valid, rendered, _ in prepared]
        converted = self.converter.convert_many(letters, tuple(name for name in self.formats if name != "md"))
        for (result, valid, rendered, dependencies), files in zip(prepared, converted, strict=True):
            if isinstance(files, ConversionError):
                result.status, result.error = "failed", str(files)
                continue
            if "docx" in files and rendered.drafts:
                files = {**files, "docx": add_draft_comments(files["docx"], rendered, valid.case.date)}
            if "md" in self.formats:
                files = {**files, "md": rendered.markdown.encode("utf-8")}
            self._write(result, valid, files, dependencies)
        return results

    def _metadata(self, valid: ValidCase, rendered: RenderedLetter) -> LetterMetadata:
        english = rendered.language == DEFAULT_LANGUAGE
        return LetterMetadata(
            reference=valid.case.reference,
            date=valid.case.date,
            subject=self.project.settings.document_subject,
            language=self.project.settings.language if english else rendered.locale,
            letterhead=self.project.letterhead,
            draft_line=rendered.draft_line,
        )

    def _write(self, result: LetterResult, valid: ValidCase, files: dict[str, bytes], dependencies: list[str]) -> None:
        outputs: dict[str, OutputFile] = {}
        for name in self.formats:
            target = self.out_dir / output_name(valid.case.ref.slug, name)
            try:
                write_atomic(target, files[name])
            except UserError as error:  # the disk full, a file made read-only: this letter fails alone
                result.status, result.error = "failed", str(error)
                return
            result.outputs.append(target)
            outputs[name] = OutputFile(file=target.name, bytes=len(files[name]), sha256=sha256_hex(files[name]))
        result.record = LetterRecord(summary=letter_summary(valid), dependencies=dependencies, outputs=outputs)

    def build(self, case_path: Path) -> LetterResult:
        return self.build_batch([case_path])[0]


CASE_SUFFIXES = (".yaml", ".yml")


def find_case_files(paths: Iterable[Path]) -> list[Path]:
    """Case files named on the command line: files as given, directories searched for *.yaml.

    A directory named like a case file (`X.yaml/`) is refused: searched, it would report "0 case
    files checked: no problems" for what the user meant as one letter."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and path.suffix in CASE_SUFFIXES:
            raise UsageError(f"{path}: is a folder, not a case file; name the YAML file itself, or the folder that holds it")
        if path.is_dir():
            found.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such case file or directory")
    return list(dict.fromkeys(found))


def not_final(project: LetterProject, case_paths: Iterable[Path]) -> list[DraftWordingError]:
    """`build --final`: each letter that still uses draft wording or a draft name, with its draft
    sentences. Every case is rendered (not only those the archive would rebuild): an up-to-date
    draft letter is no more final than a new one. A case that fails to render is the build's to report."""
    from .render import render

    refused = []
    for path in case_paths:
        try:
            valid = load_case(path, project)
            rendered = render(valid, project)
        except UserError:
            continue
        if rendered.drafts:
            refused.append(DraftWordingError(f"{path.name} ({valid.case.reference})", [mark.named() for mark in rendered.drafts]))
    return refused
