"""Stage 4 — convert: the rendered Markdown letter into DOCX (pandoc) and PDF (pandoc → typst → PDF).

pandoc comes from the pypandoc-binary wheel and typst from the `typst` package, so a fresh
virtualenv has everything; nothing on the system is used. pandoc reads the letter with `smart`
off (the letters keep "..." and straight quotes as published) and runs with `--sandbox`, so a
letter cannot make it read or fetch anything. typst compiles in-process from bytes, with an
empty root directory and only its embedded fonts, so the same PDF comes out on every machine.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cached_property
from pathlib import Path

from .errors import ConversionError

PANDOC_INPUT_FORMAT = "markdown-smart-raw_html-raw_tex-raw_attribute-tex_math_dollars-citations-implicit_figures-emoji"
TYPST_TEMPLATE = "letter.typ"
TYPST_FILTER = "typst.lua"
REFERENCE_DOCX = "reference.docx"


@dataclass(frozen=True)
class LetterMetadata:
    """What the converters need to know about a letter beyond its text."""

    reference: str
    date: date


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


class Converter:
    """Converts letters of one project; keeps the pandoc path and a typst compiler for reuse."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir

    @cached_property
    def _pandoc(self) -> str:
        return pandoc_path()

    @cached_property
    def _typst_compiler(self):
        import typst

        self._typst_root = tempfile.TemporaryDirectory(prefix="alletter-typst-")
        return typst.Compiler(root=self._typst_root.name, ignore_system_fonts=True)

    def _run_pandoc(self, markdown: str, metadata: LetterMetadata, to: str, *options: str) -> bytes:
        command = [
            self._pandoc,
            "--sandbox",
            f"--from={PANDOC_INPUT_FORMAT}",
            f"--to={to}",
            "--output=-",
            *options,
        ]
        completed = subprocess.run(command, input=markdown.encode("utf-8"), capture_output=True, check=False)
        if completed.returncode != 0:
            raise ConversionError(metadata.reference, "pandoc", completed.stderr.decode("utf-8", "replace").strip())
        return completed.stdout

    def to_docx(self, markdown: str, metadata: LetterMetadata) -> bytes:
        options = []
        reference_doc = self.templates_dir / REFERENCE_DOCX
        if reference_doc.is_file():
            options.append(f"--reference-doc={reference_doc}")
        return self._run_pandoc(markdown, metadata, "docx", *options)

    def to_typst(self, markdown: str, metadata: LetterMetadata) -> str:
        day = metadata.date
        source = self._run_pandoc(
            markdown,
            metadata,
            "typst-smart",  # "-smart": keep curly quotes as typed instead of straightening them for typst
            "--standalone",
            "--wrap=none",
            f"--template={self.templates_dir / TYPST_TEMPLATE}",
            f"--lua-filter={self.templates_dir / TYPST_FILTER}",
            f"--metadata=title:{metadata.reference}",
            "--variable=date-iso",
            f"--variable=date-year:{day.year}",
            f"--variable=date-month:{day.month}",
            f"--variable=date-day:{day.day}",
        )
        return source.decode("utf-8")

    def typst_to_pdf(self, source: str, metadata: LetterMetadata) -> bytes:
        import typst

        timestamp = datetime(metadata.date.year, metadata.date.month, metadata.date.day, tzinfo=timezone.utc)
        try:
            return self._typst_compiler.compile(input=source.encode("utf-8"), format="pdf", timestamp=timestamp)
        except typst.TypstError as error:
            raise ConversionError(metadata.reference, "typst", f"{error.message} {error.diagnostic}".strip()) from None

    def to_pdf(self, markdown: str, metadata: LetterMetadata) -> bytes:
        return self.typst_to_pdf(self.to_typst(markdown, metadata), metadata)
