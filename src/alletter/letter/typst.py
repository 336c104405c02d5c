"""typst for the letters: its root directory with the blocks' files, the DOCX's letterhead, and
the PDF/A and PNG compilation.

typst compiles in-process from bytes, with a root directory of its own and only the project's
fonts (templates/fonts/: Liberation Serif, the DOCX's Times New Roman in metrics) and those
embedded in the `typst` package, never the system's, so the same PDF comes out on every machine. The root holds
nothing but what the letters include: the blocks' functions (letter-blocks.typ), the blocks
compiled from files of their own, and letterhead images. The PDF is PDF/A-2b and tagged, for the
archive; its dates are the letter's date, so building a letter twice gives the same bytes. The
PNG preview is the letter's first page.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..errors import ConversionError
from ..project.letter_project import TYPST_BLOCKS, TYPST_FONTS_DIR
from ..system import is_mine, is_running, memory_backed_temporary
from .docx_package import EMU_PER_INCH, LetterheadImage

TYPST_WRITER = "typst-smart"  # "-smart": keep curly quotes as typed instead of straightening them for typst
TYPST_CHUNKS = "chunks"  # the folder, in typst's root, of blocks compiled from files of their own
# typst's root gets a few small files per letter: in memory where the system offers it (opening a
# file there costs ≈20 µs, on this machine's disk ≈350 µs), else in the usual temporary folder.
TYPST_ROOT_PREFIX = "alletter-typst-"  # then the process id, so that a killed process's root can be found
PDF_STANDARDS = ["a-2b"]  # PDF/A-2b: self-contained, fonts embedded, fit for long-term archiving
LETTERHEAD_HEIGHT = "2cm"  # the letterhead's height on page 1, in the PDF (letter.typ) and the DOCX
LETTERHEAD_PPI = 300.0  # the resolution of the DOCX's letterhead, drawn by typst: print quality
PREVIEW_PPI = 96.0


def typst_string(text: str) -> str:
    """`text` as a typst string literal, for values the page template puts into typst code."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _remove_stale_typst_roots(parent: Path) -> None:
    """Delete the typst roots of alletter processes that are gone (killed: they could not clean up)."""
    for root in parent.glob(f"{TYPST_ROOT_PREFIX}*-*"):
        pid = root.name.removeprefix(TYPST_ROOT_PREFIX).partition("-")[0]
        try:
            mine = is_mine(root)
        except OSError:  # gone meanwhile
            continue
        if mine and pid.isdigit() and not is_running(int(pid)):
            shutil.rmtree(root, ignore_errors=True)


class Typst:
    """One typst compiler and its root directory, made when first needed and kept for the process:
    typst keeps the layout of what it compiled before, so later letters cost little."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self._root_directory: tempfile.TemporaryDirectory[str] | None = None
        self._compiler: Any = None  # typst.Compiler, imported when first needed (start-up time)
        self._chunks_seen: set[str] = set()  # digests of the blocks' typst met so far
        self._files: dict[str, str] = {}  # file in typst's root → digest of the block it holds
        self._docx_letterheads: dict[str, LetterheadImage] = {}  # by the letterhead's name in typst's root

    def close(self) -> None:
        """Delete typst's root; the next compilation makes a new one."""
        if self._root_directory is not None:
            self._root_directory.cleanup()
            self._root_directory = None
            self._compiler = None
            self._files.clear()

    @property
    def root(self) -> Path:
        """typst's root directory: empty but for what the letters include, so typst can read no other file."""
        if self._root_directory is None:
            memory = memory_backed_temporary()
            _remove_stale_typst_roots(Path(memory or tempfile.gettempdir()))
            self._root_directory = tempfile.TemporaryDirectory(prefix=f"{TYPST_ROOT_PREFIX}{os.getpid()}-", dir=memory)
            root = Path(self._root_directory.name)
            shutil.copyfile(self.templates_dir / TYPST_BLOCKS, root / TYPST_BLOCKS)  # the blocks' files import it
            (root / TYPST_CHUNKS).mkdir()
        return Path(self._root_directory.name)

    def letterhead(self, letterhead: Path, reference: str) -> str:
        """The letterhead's path inside typst's root, copied there on first use.

        The copy is named by its content, so a letterhead edited while alletter runs is never
        confused with the copy of its old version.
        """
        try:
            data = letterhead.read_bytes()
        except OSError as error:
            raise ConversionError(reference, "typst", f"letterhead {letterhead}: {error.strerror}") from None
        name = f"letterhead-{hashlib.sha256(data).hexdigest()[:16]}{letterhead.suffix.lower()}"
        if not (self.root / name).exists():
            (self.root / name).write_bytes(data)
        return "/" + name

    def page_variables(
        self,
        reference: str,
        day: date,
        language: str,
        subject: str,
        letterhead: Path | None,
        draft_line: str | None = None,
    ) -> dict[str, Any]:
        """What pandoc puts into the page (letter.typ) for one letter: its title, date, language,
        the PDF's description, the letterhead's path in typst's root and, for a letter using
        draft wording, the running line on every page."""
        lang, _, region = language.partition("-")
        variables = {
            "date-iso": day.isoformat(),
            "date-year": str(day.year),
            "date-month": str(day.month),
            "date-day": str(day.day),
            "lang": lang,
            "region": region,
            "description": typst_string(subject),
        }
        if letterhead is not None:
            variables["letterhead"] = typst_string(self.letterhead(letterhead, reference))
            variables["letterhead-height"] = LETTERHEAD_HEIGHT
        if draft_line is not None:
            variables["draft-line"] = typst_string(draft_line)
        return {"metadata": {"title": reference}, "variables": variables}

    def docx_letterhead(self, letterhead: Path, reference: str) -> LetterheadImage:
        """The letterhead as the DOCX shows it: drawn by typst at the PDF's height into a PNG.

        Word shows PNG everywhere, SVG only with a PNG beside it; drawn by typst, a letterhead in
        any format typst reads comes out the same size as on the PDF's page 1. Once per process.
        """
        name = self.letterhead(letterhead, reference)
        if name not in self._docx_letterheads:
            source = (
                "#set page(width: auto, height: auto, margin: 0pt, fill: none)\n"
                f"#image({typst_string(name)}, height: {LETTERHEAD_HEIGHT})\n"
            )
            png = self._compile(source, reference, format="png", ppi=LETTERHEAD_PPI)
            png = png[0] if isinstance(png, list) else png
            width, height = struct.unpack(">II", png[16:24])  # the PNG's IHDR chunk, always first
            self._docx_letterheads[name] = LetterheadImage(
                png, round(width * EMU_PER_INCH / LETTERHEAD_PPI), round(height * EMU_PER_INCH / LETTERHEAD_PPI)
            )
        return self._docx_letterheads[name]

    def included_chunk(self, typst: str, position: int) -> str:
        """A block as the letter typst compiles has it: an #include of a file of its own.

        typst evaluates a file, and lays out what it holds, once per process, but the letter's own
        source anew for every letter — and a block written into it would shift what follows it in
        typst's eyes, so that none of it would be laid out from typst's cache. With every block in
        a file, a letter costs typst little more than what is its own (bench/); the PDF is the same.
        A block met for the first time is likely the letter's own: it goes into a file named after
        its place in the letter, overwritten by the next letter's, so that typst's root does not
        grow with every letter; a block met again gets a file named after its content.
        """
        digest = hashlib.sha256(typst.encode("utf-8")).hexdigest()[:32]
        if digest in self._chunks_seen:
            name = f"{TYPST_CHUNKS}/{digest}.typ"
        else:
            self._chunks_seen.add(digest)
            name = f"{TYPST_CHUNKS}/letter-{position}.typ"
        if self._files.get(name) != digest:
            (self.root / name).write_text(f'#import "/{TYPST_BLOCKS}": *\n\n{typst}', encoding="utf-8")
            self._files[name] = digest
        return f'#include "/{name}"\n'

    def _compile(self, source: str, reference: str, **options: Any) -> Any:
        import typst

        if self._compiler is None:
            self._compiler = typst.Compiler(
                root=str(self.root), font_paths=[str(self.templates_dir / TYPST_FONTS_DIR)], ignore_system_fonts=True
            )
        try:
            return self._compiler.compile(input=source.encode("utf-8"), **options)
        except typst.TypstError as error:
            raise ConversionError(reference, "typst", f"{error.message} {error.diagnostic}".strip()) from None

    def pdf(self, source: str, reference: str, day: date) -> bytes:
        """The archival PDF: PDF/A-2b, tagged, created on the letter's date (not today)."""
        timestamp = datetime(day.year, day.month, day.day, tzinfo=UTC)
        pdf: bytes = self._compile(
            source, reference, format="pdf", timestamp=timestamp, pdf_standards=PDF_STANDARDS, pdf_tags=True
        )
        return pdf

    def png(self, source: str, reference: str) -> bytes:
        """A preview of the letter's first page, where its layout shows most (header, reference, address)."""
        pages = self._compile(source, reference, format="png", ppi=PREVIEW_PPI)
        first: bytes = pages[0] if isinstance(pages, list) else pages
        return first
