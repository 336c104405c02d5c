"""The warm pandoc: one long-lived `pandoc lua pandoc_server.lua` process converting letter after letter.

Starting pandoc costs more than converting a letter, so a converter keeps one pandoc running and
sends it requests (one JSON line each; the answer is a JSON header and the documents' bytes).
pandoc reads the letter with `smart` off (the letters keep "..." and "--" as published; the case's
quotes are curled before, by letter/typography.py, where a drafter can keep one straight), in a
sandbox that can open no file, and refuses images. pandoc comes from the pypandoc-binary wheel,
so a fresh virtualenv has it; nothing on the system is used.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from ..errors import ConversionError

PANDOC_READER = "markdown-smart-raw_html-raw_tex-raw_attribute-tex_math_dollars-citations-implicit_figures-emoji"
SERVER_SCRIPT = Path(__file__).with_name("pandoc_server.lua")
# pandoc's GHC runtime reserves a 64 MB heap by default (-H64m); 8 MB keeps a long-lived server
# at ≈120 MB instead of ≈180 MB at the same speed, which matters with one server per worker.
PANDOC_RUNTIME_OPTIONS = ("+RTS", "-H8m", "-RTS")


def pandoc_path() -> str:
    """The pandoc of the pypandoc-binary wheel (imported when first needed: start-up time)."""
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
