"""Stage 4 — convert: the rendered Markdown letter into DOCX (pandoc) and PDF (pandoc → typst → PDF).

pandoc comes from the pypandoc-binary wheel and typst from the `typst` package, so a fresh
virtualenv has everything; nothing on the system is used.

Starting pandoc costs more than converting a letter, so a `Converter` keeps one pandoc running
(`pandoc lua pandoc_server.lua`) and sends it letter after letter. pandoc reads the letter with
`smart` off (the letters keep "..." and quotes as published), in a sandbox that can open no
file, and refuses images. typst compiles in-process from bytes, with an empty root directory and
only the fonts embedded in the `typst` package, so the same PDF comes out on every machine.
The PDF is PDF/A-2b and tagged, for the archive; its dates are the letter's date, so building a
letter twice gives the same bytes. The PNG preview is the letter's first page.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from ..errors import ConversionError
from ..system import is_mine, is_running, memory_backed_temporary
from .chunks import ChunkCache, top_level_chunks
from .docx_package import EMU_PER_INCH, DocumentProperties, DocxAssembler, LetterheadImage, finish

PANDOC_READER = "markdown-smart-raw_html-raw_tex-raw_attribute-tex_math_dollars-citations-implicit_figures-emoji"
TYPST_WRITER = "typst-smart"  # "-smart": keep curly quotes as typed instead of straightening them for typst
TYPST_TEMPLATE = "letter.typ"
TYPST_BLOCKS = "letter-blocks.typ"  # the functions the letter's named blocks call (a typst module)
TYPST_CHUNKS = "chunks"  # the folder, in typst's root, of blocks compiled from files of their own
BODY_MARKER = "\ue000alletter:body\ue000"  # where pandoc leaves a letter's blocks in its page
# typst's root gets a few small files per letter: in memory where the system offers it (opening a
# file there costs ≈20 µs, on this machine's disk ≈350 µs), else in the usual temporary folder.
TYPST_ROOT_PREFIX = "alletter-typst-"  # then the process id, so that a killed process's root can be found
TYPST_FILTER = "typst.lua"
REFERENCE_DOCX = "reference.docx"
SERVER_SCRIPT = Path(__file__).with_name("pandoc_server.lua")
# pandoc's GHC runtime reserves a 64 MB heap by default (-H64m); 8 MB keeps a long-lived server
# at ≈120 MB instead of ≈180 MB at the same speed, which matters with one server per worker.
PANDOC_RUNTIME_OPTIONS = ("+RTS", "-H8m", "-RTS")
# Private-use characters (refused in case text) around words that no filter rewrites: no hyphen,
# which templates/typst.lua would put in a box, and so no separator for the writer to find.
BATCH_SEPARATOR = "\ue000alletter:next:letter\ue000"
PDF_STANDARDS = ["a-2b"]  # PDF/A-2b: self-contained, fonts embedded, fit for long-term archiving
LETTERHEAD_HEIGHT = "2cm"  # the letterhead's height on page 1, in the PDF (letter.typ) and the DOCX
LETTERHEAD_PPI = 300.0  # the resolution of the DOCX's letterhead, drawn by typst: print quality
PREVIEW_PPI = 96.0
TYPST_FORMATS = frozenset({"typ", "pdf", "png"})  # the formats that go through pandoc's typst writer
_IMAGE = re.compile(r"(?<!\\)(?:\\\\)*!\[")  # "![" after an even number of backslashes: `\![x](y)` is no image


@dataclass(frozen=True)
class LetterMetadata:
    """What the converters need to know about a letter beyond its text."""

    reference: str
    date: date
    subject: str = ""
    language: str = "en-GB"
    letterhead: Path | None = None  # an image heading page 1
    draft_line: str | None = None  # the running line of a letter using draft wording, on every page


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


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


class PandocServer:
    """One long-lived pandoc process converting Markdown documents on request."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen[bytes]:
        self._stderr = tempfile.TemporaryFile()
        return subprocess.Popen(
            [pandoc_path(), "lua", str(SERVER_SCRIPT), *PANDOC_RUNTIME_OPTIONS],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            # Out of the terminal's job, so that Ctrl-C stops alletter, which then stops pandoc by
            # closing its input: pandoc dies on SIGINT even when told to ignore it.
            start_new_session=True,
        )

    def convert(self, request: dict[str, Any], reference: str) -> list[bytes]:
        """Send one request; return one document per requested output, or raise ConversionError."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._process = self._start()
            process = self._process
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
                process.stdin.flush()
                header = process.stdout.readline()
                answer = json.loads(header) if header else None
            except (BrokenPipeError, json.JSONDecodeError):
                answer = None
            if answer is None:
                self._process = None
                raise ConversionError(reference, "pandoc", f"pandoc stopped unexpectedly: {self._stderr_text()}")
            if not answer["ok"]:
                raise ConversionError(reference, "pandoc", answer["error"])
            return [process.stdout.read(size) for size in answer["bytes"]]

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace").strip()[-2000:]

    def close(self) -> None:
        with self._lock:
            if self._process is not None:
                # Both ends closed before waiting: an idle pandoc reads the end of its input, one
                # stopped mid-answer (Ctrl-C) fails to write the rest, and either way it ends now.
                for pipe in (self._process.stdin, self._process.stdout):
                    if pipe:
                        pipe.close()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                self._process = None
            if self._stderr is not None:
                self._stderr.close()
                self._stderr = None


class Converter:
    """Converts the letters of one project; reuses one pandoc process and one typst compiler."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self._pandoc = PandocServer()
        self._docx = DocxAssembler(BATCH_SEPARATOR)
        self._typst_chunks: ChunkCache[str] = ChunkCache()  # the typst of each chunk, by its Markdown
        self._typst_chunks_seen: set[str] = set()  # digests of the blocks' typst met so far
        self._typst_files: dict[str, str] = {}  # file in typst's root → digest of the block it holds
        self._docx_letterheads: dict[str, LetterheadImage] = {}  # by the letterhead's name in typst's root

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pandoc.close()
        if "_typst_root" in self.__dict__:
            self._typst_root_directory.cleanup()
            del self.__dict__["_typst_root"]
            self.__dict__.pop("_typst_compiler", None)

    @cached_property
    def _typst_compiler(self) -> Any:  # typst.Compiler, imported when first needed (start-up time)
        import typst

        return typst.Compiler(root=str(self._typst_root), ignore_system_fonts=True)

    @cached_property
    def _typst_root(self) -> Path:
        """typst's root directory: empty but for letterhead images, so typst can read no other file."""
        memory = memory_backed_temporary()
        _remove_stale_typst_roots(Path(memory or tempfile.gettempdir()))
        self._typst_root_directory = tempfile.TemporaryDirectory(prefix=f"{TYPST_ROOT_PREFIX}{os.getpid()}-", dir=memory)
        root = Path(self._typst_root_directory.name)
        shutil.copyfile(self.templates_dir / TYPST_BLOCKS, root / TYPST_BLOCKS)  # there: see _convert_batch
        (root / TYPST_CHUNKS).mkdir()
        return root

    def _letterhead_in_typst_root(self, letterhead: Path, reference: str) -> str:
        """The letterhead's path inside typst's root, copied there on first use.

        The copy is named by its content, so a letterhead edited while alletter runs is never
        confused with the copy of its old version.
        """
        try:
            data = letterhead.read_bytes()
        except OSError as error:
            raise ConversionError(reference, "typst", f"letterhead {letterhead}: {error.strerror}") from None
        name = f"letterhead-{hashlib.sha256(data).hexdigest()[:16]}{letterhead.suffix.lower()}"
        if not (self._typst_root / name).exists():
            (self._typst_root / name).write_bytes(data)
        return "/" + name

    def _docx_letterhead(self, metadata: LetterMetadata) -> LetterheadImage:
        """The letterhead as the DOCX shows it: drawn by typst at the PDF's height into a PNG.

        Word shows PNG everywhere, SVG only with a PNG beside it; drawn by typst, a letterhead in
        any format typst reads comes out the same size as on the PDF's page 1. Once per process.
        """
        assert metadata.letterhead is not None
        name = self._letterhead_in_typst_root(metadata.letterhead, metadata.reference)
        if name not in self._docx_letterheads:
            source = (
                "#set page(width: auto, height: auto, margin: 0pt, fill: none)\n"
                f"#image({typst_string(name)}, height: {LETTERHEAD_HEIGHT})\n"
            )
            png = self._compile_typst(source, metadata, format="png", ppi=LETTERHEAD_PPI)
            png = png[0] if isinstance(png, list) else png
            width, height = struct.unpack(">II", png[16:24])  # the PNG's IHDR chunk, always first
            self._docx_letterheads[name] = LetterheadImage(
                png, round(width * EMU_PER_INCH / LETTERHEAD_PPI), round(height * EMU_PER_INCH / LETTERHEAD_PPI)
            )
        return self._docx_letterheads[name]

    def _typst_variables(self, metadata: LetterMetadata) -> dict[str, Any]:
        day = metadata.date
        language, _, region = metadata.language.partition("-")
        variables = {
            "date-iso": day.isoformat(),
            "date-year": str(day.year),
            "date-month": str(day.month),
            "date-day": str(day.day),
            "lang": language,
            "region": region,
            "description": typst_string(metadata.subject),
        }
        if metadata.letterhead is not None:
            variables["letterhead"] = typst_string(self._letterhead_in_typst_root(metadata.letterhead, metadata.reference))
            variables["letterhead-height"] = LETTERHEAD_HEIGHT
        if metadata.draft_line is not None:
            variables["draft-line"] = typst_string(metadata.draft_line)
        return {"metadata": {"title": metadata.reference}, "variables": variables}

    def _request(
        self, letters: list[LetterMetadata], formats: tuple[str, ...], docx_chunks: list[str], typst_chunks: list[str]
    ) -> dict[str, Any]:
        """What pandoc is asked for: the chunks never converted before, each read once, and each letter's page."""
        chunks = list(dict.fromkeys(docx_chunks + typst_chunks))
        number = {text: index for index, text in enumerate(chunks, start=1)}  # Lua counts from 1
        request: dict[str, Any] = {"reader": PANDOC_READER, "separator": BATCH_SEPARATOR, "chunks": chunks}
        if docx_chunks:
            request["docx"] = {"chunks": [number[text] for text in docx_chunks]}
            reference_doc = self.templates_dir / REFERENCE_DOCX
            if reference_doc.is_file():
                request["docx"]["reference_doc"] = str(reference_doc)
        if TYPST_FORMATS.intersection(formats):
            request["typst"] = {
                "chunks": [number[text] for text in typst_chunks],
                "to": TYPST_WRITER,
                "template": str(self.templates_dir / TYPST_TEMPLATE),
                "filter": str(self.templates_dir / TYPST_FILTER),
                "body_marker": BODY_MARKER,
                "pages": [self._typst_variables(metadata) for metadata in letters],
            }
        return request

    def convert_many(
        self, letters: list[tuple[str, LetterMetadata]], formats: tuple[str, ...]
    ) -> list[dict[str, bytes] | ConversionError]:
        """Each letter in each of `formats` ("docx", "pdf", "typ", "png"), or the error that stopped it.

        The batch goes to pandoc as one request; if pandoc refuses it, each letter is tried
        alone, so that one bad letter fails by itself with its own message.
        """
        if not letters:
            return []
        try:
            return self._convert_batch(letters, formats)
        except ConversionError as error:
            if len(letters) == 1:
                return [error]
        results: list[dict[str, bytes] | ConversionError] = []
        for letter in letters:
            results.extend(self.convert_many([letter], formats))
        return results

    def _convert_batch(
        self, letters: list[tuple[str, LetterMetadata]], formats: tuple[str, ...]
    ) -> list[dict[str, bytes] | ConversionError]:
        for markdown, metadata in letters:
            if _IMAGE.search(markdown):
                # Case text is escaped, so only a template could hold an image: none may embed a file.
                raise ConversionError(metadata.reference, "pandoc", "the letter contains an image; letters cannot embed files")
        reference = letters[0][1].reference if len(letters) == 1 else f"{len(letters)} letters"
        blocks = self.templates_dir / TYPST_BLOCKS
        if ("pdf" in formats or "png" in formats) and not blocks.is_file():
            raise ConversionError(
                reference,
                "typst",
                f"{blocks} is missing: the page design ({TYPST_TEMPLATE}) takes the functions of the letter's blocks from it",
            )
        chunked = [top_level_chunks(markdown) for markdown, _ in letters]
        docx_plan = self._docx.plan(chunked) if "docx" in formats else None
        typst_kept, typst_missing = self._typst_chunks.missing(chunked) if TYPST_FORMATS.intersection(formats) else ({}, [])
        request = self._request(
            [metadata for _, metadata in letters], formats, docx_plan.missing if docx_plan else [], typst_missing
        )
        # Nothing for pandoc to do when every chunk of a DOCX-only batch was converted before.
        documents = self._pandoc.convert(request, reference) if "docx" in request or "typst" in request else []
        docx_parts = None
        if docx_plan is not None:
            letterheads = [self._docx_letterhead(metadata) if metadata.letterhead else None for _, metadata in letters]
            try:
                docx_parts = self._docx.assemble(docx_plan, documents.pop(0) if docx_plan.missing else None, letterheads)
            except ValueError as error:
                raise ConversionError(reference, "pandoc", f"DOCX: {error}") from None
        pages = [page.decode("utf-8") for page in documents[: len(letters)]] if "typst" in request else []
        typst_of = self._typst_of_chunks(typst_kept, typst_missing, documents[len(letters) :])
        results: list[dict[str, bytes] | ConversionError] = []
        for index, (chunks, (_, metadata)) in enumerate(zip(chunked, letters, strict=True)):
            files: dict[str, bytes] = {}
            if "typ" in formats:
                files["typ"] = self._typst_source(pages[index], [typst_of[text] for text in chunks]).encode("utf-8")
            try:
                if docx_parts is not None:
                    files["docx"] = finish(docx_parts[index], self._properties(metadata))
                if "pdf" in formats or "png" in formats:
                    included = [self._compiled_chunk(typst_of[text], position) for position, text in enumerate(chunks)]
                    source = self._typst_source(pages[index], included)
                if "pdf" in formats:
                    files["pdf"] = self.typst_to_pdf(source, metadata)
                if "png" in formats:
                    files["png"] = self.typst_to_png(source, metadata)
            except ConversionError as error:
                results.append(error)
                continue
            results.append({name: files[name] for name in formats if name in files})
        return results

    def _typst_of_chunks(self, kept: dict[str, str], missing: list[str], written: list[bytes]) -> dict[str, str]:
        """The typst of every chunk of the batch: what was kept, and what pandoc wrote now (kept from now on)."""
        for text, typst in zip(missing, written, strict=False):
            kept[text] = typst.decode("utf-8")
            self._typst_chunks.put(text, kept[text])
        return kept

    @staticmethod
    def _typst_source(page: str, blocks: list[str]) -> str:
        before, _, after = page.partition(BODY_MARKER)
        return before + "\n".join(blocks) + after

    def _compiled_chunk(self, typst: str, position: int) -> str:
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
        if digest in self._typst_chunks_seen:
            name = f"{TYPST_CHUNKS}/{digest}.typ"
        else:
            self._typst_chunks_seen.add(digest)
            name = f"{TYPST_CHUNKS}/letter-{position}.typ"
        if self._typst_files.get(name) != digest:
            (self._typst_root / name).write_text(f'#import "/{TYPST_BLOCKS}": *\n\n{typst}', encoding="utf-8")
            self._typst_files[name] = digest
        return f'#include "/{name}"\n'

    @staticmethod
    def _properties(metadata: LetterMetadata) -> DocumentProperties:
        return DocumentProperties(
            title=metadata.reference, subject=metadata.subject, language=metadata.language, date=metadata.date
        )

    def convert(self, markdown: str, metadata: LetterMetadata, formats: tuple[str, ...]) -> dict[str, bytes]:
        """One letter in each of `formats`; raises ConversionError."""
        result = self.convert_many([(markdown, metadata)], formats)[0]
        if isinstance(result, ConversionError):
            raise result
        return result

    def to_docx(self, markdown: str, metadata: LetterMetadata) -> bytes:
        return self.convert(markdown, metadata, ("docx",))["docx"]

    def to_typst(self, markdown: str, metadata: LetterMetadata) -> str:
        return self.convert(markdown, metadata, ("typ",))["typ"].decode("utf-8")

    def _compile_typst(self, source: str, metadata: LetterMetadata, **options: Any) -> Any:
        import typst

        try:
            return self._typst_compiler.compile(input=source.encode("utf-8"), **options)
        except typst.TypstError as error:
            raise ConversionError(metadata.reference, "typst", f"{error.message} {error.diagnostic}".strip()) from None

    def typst_to_pdf(self, source: str, metadata: LetterMetadata) -> bytes:
        """The archival PDF: PDF/A-2b, tagged, created on the letter's date (not today)."""
        timestamp = datetime(metadata.date.year, metadata.date.month, metadata.date.day, tzinfo=UTC)
        return self._compile_typst(
            source, metadata, format="pdf", timestamp=timestamp, pdf_standards=PDF_STANDARDS, pdf_tags=True
        )

    def typst_to_png(self, source: str, metadata: LetterMetadata) -> bytes:
        """A preview of the letter's first page, where its layout shows most (header, reference, address)."""
        pages = self._compile_typst(source, metadata, format="png", ppi=PREVIEW_PPI)
        return pages[0] if isinstance(pages, list) else pages

    def to_pdf(self, markdown: str, metadata: LetterMetadata) -> bytes:
        return self.convert(markdown, metadata, ("pdf",))["pdf"]
