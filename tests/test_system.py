"""Where the system lacks a Linux or POSIX call, alletter goes on without it (macOS, Windows): each
absence simulated here, and a whole build made with all of them absent at once."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from alletter import system


@pytest.fixture
def without_locking(monkeypatch: pytest.MonkeyPatch) -> None:
    real = system.optional_module
    monkeypatch.setattr(system, "optional_module", lambda name: None if name in ("fcntl", "msvcrt") else real(name))


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, without_locking: None) -> None:
    """Neither Linux nor POSIX locking nor /dev/shm."""
    monkeypatch.setattr(system, "is_linux", lambda: False)  # (sys.platform itself steers the stdlib too)
    monkeypatch.setattr(system, "MEMORY_BACKED_TEMPORARY", tmp_path / "no-such-folder")
    system.malloc_trim.cache_clear()
    yield
    system.malloc_trim.cache_clear()


def test_a_lock_without_fcntl_or_msvcrt_is_no_lock_but_no_error(without_locking: None, tmp_path: Path) -> None:
    with open(tmp_path / "lock", "a+b") as handle, system.exclusive_lock(handle):
        pass


def test_without_linux_no_prctl_and_no_malloc_trim(elsewhere: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    def no_libc(*arguments: object, **keywords: object) -> None:
        raise AssertionError("libc called where there is none")

    monkeypatch.setattr(ctypes, "CDLL", no_libc)
    system.die_with_parent(os.getppid())  # returns: no prctl
    assert system.malloc_trim() is None


def test_without_dev_shm_typst_works_in_the_temporary_folder(elsewhere: None) -> None:
    assert system.memory_backed_temporary() is None


def test_on_windows_a_process_is_looked_up_not_signalled(monkeypatch: pytest.MonkeyPatch) -> None:
    def kill(*arguments: object) -> None:
        raise AssertionError("os.kill ends a process on Windows")

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(os, "kill", kill)
    monkeypatch.setattr(system, "_windows_process_exists", lambda pid: pid == 42)
    assert system.is_running(42) and not system.is_running(43)


def test_without_user_ids_a_temporary_folder_is_ours(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delattr(os, "getuid", raising=False)
    assert system.is_mine(tmp_path)


def test_a_whole_build_without_any_of_them(elsewhere: None, project_copy: Path) -> None:
    from alletter.archive.build import Archive
    from alletter.project.letter_project import LetterProject

    project = LetterProject(project_copy)
    cases = sorted((project_copy / "cases").glob("*.yaml"))
    report = Archive(project, project_copy / "dist").build(cases, jobs=1)
    assert [result.status for result in report.results] == ["built"] * len(cases)
    assert all(path.stat().st_size > 1000 for result in report.results for path in result.outputs)
