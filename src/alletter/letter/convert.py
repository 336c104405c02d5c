"""Stage 4 — convert: rendered Markdown letters into DOCX (pandoc) and PDF (pandoc → typst → PDF), in batches.

A `Converter` sends a batch of letters to its warm pandoc (`pandoc.py`) as ONE request: every
chunk (top-level block) no letter converted before, each read once, and each letter's typst page.
It then puts each letter's DOCX together from its chunks' Word XML (`docx_package.py`) and its
PDF and PNG from its chunks' typst (`typst.py`). If pandoc refuses a batch, each letter is tried
alone, so that one bad letter fails by itself with its own message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import ConversionError
from ..project.letter_project import REFERENCE_DOCX, TYPST_BLOCKS, TYPST_FILTER, TYPST_TEMPLATE
from .chunks import ChunkCache, top_level_chunks
from .docx_package import DocumentProperties, DocxAssembler, finish
from .pandoc import PANDOC_READER, PandocServer
from .typst import TYPST_WRITER, Typst

BODY_MARKER = "\ue000alletter:body\ue000"  # where pandoc leaves a letter's blocks in its page
# Private-use characters (refused in case text) around words that no filter rewrites: no hyphen,
# which templates/typst.lua would put in a box, and so no separator for the writer to find.
BATCH_SEPARATOR = "\ue000alletter:next:letter\ue000"
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


class Converter:
    """Converts the letters of one project; reuses one pandoc process and one typst compiler."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self._pandoc = PandocServer()
        self._typst = Typst(templates_dir)
        self._docx = DocxAssembler(BATCH_SEPARATOR)
        self._typst_chunks: ChunkCache[str] = ChunkCache()  # the typst of each chunk, by its Markdown

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pandoc.close()
        self._typst.close()

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
                "pages": [self.page_variables(metadata) for metadata in letters],
            }
        return request

    def page_variables(self, metadata: LetterMetadata) -> dict[str, Any]:
        """What pandoc puts into one letter's typst page (letter.typ): see `Typst.page_variables`."""
        return self._typst.page_variables(
            metadata.reference,
            metadata.date,
            metadata.language,
            metadata.subject,
            metadata.letterhead,
            metadata.draft_line,
        )

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
            letterheads = [
                self._typst.docx_letterhead(metadata.letterhead, metadata.reference) if metadata.letterhead else None
                for _, metadata in letters
            ]
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
                    included = [self._typst.included_chunk(typst_of[text], position) for position, text in enumerate(chunks)]
                    source = self._typst_source(pages[index], included)
                if "pdf" in formats:
                    files["pdf"] = self._typst.pdf(source, metadata.reference, metadata.date)
                if "png" in formats:
                    files["png"] = self._typst.png(source, metadata.reference)
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

    @staticmethod
    def _properties(metadata: LetterMetadata) -> DocumentProperties:
        return DocumentProperties(
            title=metadata.reference, subject=metadata.subject, language=metadata.language, date=metadata.date
        )
