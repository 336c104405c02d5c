"""Stage 4 — convert: the rendered Markdown letter into DOCX (pandoc) and PDF (pandoc → typst → PDF).

pandoc comes from the pypandoc-binary wheel and typst from the `typst` package, so a fresh
virtualenv has everything; nothing on the system is used.

Starting pandoc costs more than converting a letter, so a `Converter` keeps one pandoc running
(`pandoc lua pandoc_server.lua`) and sends it letter after letter. pandoc reads the letter with
`smart` off (the letters keep "..." and quotes as published), in a sandbox that can open no
file, and refuses images. typst compiles in-process from bytes, with an empty root directory and
only the fonts embedded in the `typst` package, so the same PDF comes out on every machine.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from .docx_package import DocumentProperties, finish, split_batch
from .errors import ConversionError

PANDOC_READER = "markdown-smart-raw_html-raw_tex-raw_attribute-tex_math_dollars-citations-implicit_figures-emoji"
TYPST_WRITER = "typst-smart"  # "-smart": keep curly quotes as typed instead of straightening them for typst
TYPST_TEMPLATE = "letter.typ"
TYPST_FILTER = "typst.lua"
REFERENCE_DOCX = "reference.docx"
SERVER_SCRIPT = Path(__file__).with_name("pandoc_server.lua")
BATCH_SEPARATOR = "\ue000alletter-next-letter\ue000"  # private-use characters: never in a letter
_IMAGE = re.compile(r"(?<!\\)(?:\\\\)*!\[")  # "![" after an even number of backslashes: `\![x](y)` is no image


@dataclass(frozen=True)
class LetterMetadata:
    """What the converters need to know about a letter beyond its text."""

    reference: str
    date: date
    subject: str = ""
    language: str = "en-GB"


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
            [pandoc_path(), "lua", str(SERVER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
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
                if self._process.stdin:
                    self._process.stdin.close()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                if self._process.stdout:
                    self._process.stdout.close()
                self._process = None
            if self._stderr is not None:
                self._stderr.close()
                self._stderr = None


class Converter:
    """Converts the letters of one project; reuses one pandoc process and one typst compiler."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self._pandoc = PandocServer()

    def __enter__(self) -> "Converter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._pandoc.close()

    @cached_property
    def _typst_compiler(self):
        import typst

        self._typst_root = tempfile.TemporaryDirectory(prefix="alletter-typst-")
        return typst.Compiler(root=self._typst_root.name, ignore_system_fonts=True)

    def _typst_variables(self, metadata: LetterMetadata) -> dict[str, Any]:
        day = metadata.date
        return {
            "metadata": {"title": metadata.reference},
            "variables": {
                "date-iso": day.isoformat(),
                "date-year": str(day.year),
                "date-month": str(day.month),
                "date-day": str(day.day),
                "lang": metadata.language,
            },
        }

    def _request(self, letters: list[tuple[str, LetterMetadata]], formats: tuple[str, ...]) -> dict[str, Any]:
        request: dict[str, Any] = {
            "reader": PANDOC_READER,
            "separator": BATCH_SEPARATOR,
            "letters": [{"markdown": markdown, **self._typst_variables(metadata)} for markdown, metadata in letters],
        }
        if "docx" in formats:
            reference_doc = self.templates_dir / REFERENCE_DOCX
            request["docx"] = {"reference_doc": str(reference_doc)} if reference_doc.is_file() else {}
        if "pdf" in formats or "typ" in formats:
            request["typst"] = {
                "to": TYPST_WRITER,
                "template": str(self.templates_dir / TYPST_TEMPLATE),
                "filter": str(self.templates_dir / TYPST_FILTER),
            }
        return request

    def convert_many(
        self, letters: list[tuple[str, LetterMetadata]], formats: tuple[str, ...]
    ) -> list[dict[str, bytes] | ConversionError]:
        """Each letter in each of `formats` ("docx", "pdf", "typ"), or the error that stopped it.

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
        documents = self._pandoc.convert(self._request(letters, formats), reference)
        docx_parts = split_batch(documents.pop(0), len(letters), BATCH_SEPARATOR) if "docx" in formats else None
        results: list[dict[str, bytes] | ConversionError] = []
        for index, (_, metadata) in enumerate(letters):
            files: dict[str, bytes] = {}
            if docx_parts is not None:
                files["docx"] = finish(docx_parts[index], self._properties(metadata))
            if documents:
                files["typ"] = documents[index]
            try:
                if "pdf" in formats:
                    files["pdf"] = self.typst_to_pdf(files["typ"].decode("utf-8"), metadata)
            except ConversionError as error:
                results.append(error)
                continue
            results.append({name: files[name] for name in formats if name in files})
        return results

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

    def typst_to_pdf(self, source: str, metadata: LetterMetadata) -> bytes:
        import typst

        timestamp = datetime(metadata.date.year, metadata.date.month, metadata.date.day, tzinfo=timezone.utc)
        try:
            return self._typst_compiler.compile(input=source.encode("utf-8"), format="pdf", timestamp=timestamp)
        except typst.TypstError as error:
            raise ConversionError(metadata.reference, "typst", f"{error.message} {error.diagnostic}".strip()) from None

    def to_pdf(self, markdown: str, metadata: LetterMetadata) -> bytes:
        return self.convert(markdown, metadata, ("pdf",))["pdf"]
