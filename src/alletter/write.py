"""Stage 5 — write: output files appear whole or not at all.

Each file is written to a temporary file in its own directory and renamed into place: a rename
within a directory is atomic, so an interrupted build leaves the previous file or none, never
half a PDF, and a reader never sees a partial file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary sibling and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


TEMPORARY_PATTERN = ".*.part"
STALE_AFTER_SECONDS = 600


def remove_stale_temporary_files(directory: Path, older_than: float = STALE_AFTER_SECONDS) -> list[Path]:
    """Delete temporary files a killed build left behind; a running build's own are younger."""
    import time

    removed = []
    cutoff = time.time() - older_than
    for path in directory.glob(TEMPORARY_PATTERN):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet: refuse, rather than overwrite, one that does.

    The content goes to a temporary sibling first and is linked into place: `link` fails if
    the name is taken, even by a file created a moment ago by someone else.
    """
    from .errors import UsageError

    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise UsageError(f"{path}: already exists; alletter never overwrites a case file") from None
    finally:
        Path(temporary).unlink(missing_ok=True)
