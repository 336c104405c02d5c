"""Stage 5 — write: output files appear whole or not at all.

Each file is written to a temporary file in its own directory and renamed into place: a rename
within a directory is atomic, so an interrupted build leaves the previous file or none, never
half a PDF, and a reader never sees a partial file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .system import exclusive_lock


@contextmanager
def _temporary_sibling(path: Path, data: bytes) -> Iterator[Path]:
    """`data` in a temporary file beside `path` (same directory, so renaming it is atomic); gone after."""
    _make_directory(path.parent)
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _make_directory(directory: Path) -> None:
    """`directory` and its parents, or an OutputError saying why it cannot be."""
    from .errors import OutputError

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(directory, "it is a file, not a directory") from None
    except OSError as error:
        raise OutputError(directory, error.strerror or str(error)) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary sibling and an atomic rename; OutputError if it cannot."""
    from .errors import OutputError

    _refuse_read_only(path)
    try:
        with _temporary_sibling(path, data) as temporary:
            os.replace(temporary, path)
    except OSError as error:
        raise OutputError(path, error.strerror or str(error)) from None


def _refuse_read_only(path: Path) -> None:
    """A file its owner made read-only is never replaced: a rename would overwrite it (the folder
    allows it) and leave a writable file in its place, undoing the owner's choice."""
    from .errors import OutputError

    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if path.is_file() and not mode & 0o222:
        raise OutputError(path, "the file is read-only; alletter never replaces a read-only file (chmod u+w it to allow)")


def ensure_directory(directory: Path) -> None:
    """`directory` exists and this process can write in it, or an OutputError that says why not.

    Checked before a build starts, so that a wrong --out is one message, not one per letter.
    """
    from .errors import OutputError

    _make_directory(directory)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(directory, "the directory is not writable")


TEMPORARY_PATTERN = ".*.part"


def remove_temporary_files(directory: Path) -> list[Path]:
    """Delete the temporary files a killed build left behind (call it holding `directory_lock`)."""
    removed = []
    for path in directory.glob(TEMPORARY_PATTERN):
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet: refuse, rather than overwrite, one that does.

    The content goes to a temporary sibling first and is linked into place: `link` fails if
    the name is taken, even by a file created a moment ago by someone else.
    """
    from .errors import OutputError, UsageError

    try:
        with _temporary_sibling(path, data) as temporary:
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise UsageError(f"{path}: already exists; alletter never overwrites a case file") from None
    except OSError as error:  # a folder this user cannot write in: said, with its path
        raise OutputError(path, error.strerror or str(error)) from None


LOCK_FILE = ".alletter.lock"


@contextmanager
def directory_lock(directory: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One build at a time in an output directory: a second one waits until the first is done.

    A lock on a file in the directory (`system.exclusive_lock`); the system releases it when its
    process ends, however it ends, so a killed build never leaves the directory locked.
    """
    with open(directory / LOCK_FILE, "a+b") as handle, exclusive_lock(handle, on_wait):
        yield
