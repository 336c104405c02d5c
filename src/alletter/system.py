"""What the operating system offers beyond Python's portable core, used only where it exists.

alletter runs on Linux, macOS and Windows. Some of what makes it robust and lean on Linux has no
equivalent elsewhere, and each such call lives here, with what happens without it:

- `flock` (POSIX) serialises builds in one output directory; on Windows `msvcrt.locking` does;
- `prctl(PR_SET_PDEATHSIG)` (Linux) kills a worker whose main process was killed; elsewhere such
  a worker is left to end when its work queue closes;
- glibc's `malloc_trim` gives a worker's freed memory back; elsewhere the memory stays reserved;
- `/dev/shm` (Linux) keeps typst's files in memory; elsewhere they go to the temporary folder;
- whether a process still runs, and who owns a file: `os.kill(pid, 0)` and `st_uid` are POSIX
  (on Windows `os.kill` would end the process), so Windows asks the kernel by handle instead.
"""

from __future__ import annotations

import functools
import importlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import IO

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
MEMORY_BACKED_TEMPORARY = Path("/dev/shm")


def optional_module(name: str) -> ModuleType | None:
    """A module of the standard library that only some systems have (fcntl, msvcrt), or None."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def is_linux() -> bool:
    return sys.platform.startswith("linux")


@contextmanager
def exclusive_lock(handle: IO[bytes], on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on an open file; wait (after `on_wait`) while another process has it.

    The system releases the lock when the process ends, however it ends. With neither `fcntl` nor
    `msvcrt`, there is no lock: builds in one directory are then not serialised.
    """
    fcntl = optional_module("fcntl")
    if fcntl is None:
        with _windows_lock(handle, on_wait):
            yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if on_wait is not None:
            on_wait()
        fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _windows_lock(handle: IO[bytes], on_wait: Callable[[], None] | None) -> Iterator[None]:
    msvcrt = optional_module("msvcrt")
    if msvcrt is None:
        yield
        return
    handle.seek(0)
    try:
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    except OSError:
        if on_wait is not None:
            on_wait()
        while True:  # LK_LOCK gives up after ten seconds: try again until the other build is done
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                break
            except OSError:
                continue
    try:
        yield
    finally:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def die_with_parent(parent_pid: int | None) -> None:
    """Have the kernel kill this process when its parent dies (Linux only; elsewhere nothing).

    If the parent died before the call, no signal will come: this process ends at once.
    """
    if not is_linux():
        return
    import ctypes

    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


@functools.cache
def malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library is another (macOS, Windows, musl)."""
    if not is_linux():
        return None
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def memory_backed_temporary() -> Path | None:
    """A folder in memory for short-lived files, where the system has one (Linux's /dev/shm)."""
    folder = MEMORY_BACKED_TEMPORARY
    return folder if folder.is_dir() and os.access(folder, os.W_OK) else None


def is_running(pid: int) -> bool:
    """Whether a process with this id is still running."""
    if sys.platform == "win32":
        return _windows_process_exists(pid)
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, the kernel only checks
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _windows_process_exists(pid: int) -> bool:
    import ctypes

    process_query_limited_information = 0x1000
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return False
    kernel32.CloseHandle(handle)
    return True


def is_mine(path: Path) -> bool:
    """Whether the file belongs to this user (POSIX); on Windows, where files carry no uid, a
    temporary folder is the user's own."""
    status = path.stat()
    getuid = getattr(os, "getuid", None)
    return getuid is None or status.st_uid == getuid()
