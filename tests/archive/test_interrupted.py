"""A build killed part-way, and two builds at once: every file left in the archive opens, and the
manifest matches the files."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
import yaml
from conftest import PUBLISHED, alletter_command
from pypdf import PdfReader

CASES = 24
SHIPPED = len(PUBLISHED)
# Process groups, SIGKILL and SIGTERM to a group are POSIX: on Windows a build is stopped otherwise.
pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="process groups and POSIX signals"
)  # the project copy's own cases, built too


def add_cases(project: Path, count: int) -> Path:
    """The project with `count` more letters, copies of AL OTH 11/2023 under their own references."""
    data = yaml.safe_load((project / "cases" / "AL-OTH-11-2023.yaml").read_text(encoding="utf-8"))
    for number in range(100, 100 + count):
        data["reference"] = f"AL OTH {number}/2023"
        (project / "cases" / f"AL-OTH-{number}-2023.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return project


@pytest.fixture
def big_project(project_copy: Path) -> Path:
    return add_cases(project_copy, CASES)


def start_build(project: Path) -> subprocess.Popen:
    """`alletter build` in a session of its own, so that the whole tree (workers, pandoc) can be signalled.

    Ctrl-C is restored to its default: a shell that starts a job in the background (as CI may run
    the tests) leaves it ignored, and an ignored signal stays ignored in every child.
    """
    return subprocess.Popen(
        [*alletter_command(), "build", "--out", "dist", "--jobs", "2"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_for_first_letter(process: subprocess.Popen, out: Path) -> None:
    deadline = time.monotonic() + 120
    while not list(out.glob("*.pdf")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    assert process.poll() is None, "the build finished before it could be stopped: make it bigger"


def assert_every_file_opens(out: Path) -> None:
    for path in sorted(out.iterdir()):
        if path.suffix == ".docx":
            assert docx.Document(str(path)).paragraphs, path
        elif path.suffix == ".pdf":
            assert len(PdfReader(path).pages) >= 1, path
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))


def assert_manifest_matches_files(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for letter in manifest["letters"]:
        for file in letter["files"]:
            data = (out / file["file"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == file["sha256"], file["file"]


def test_a_killed_build_leaves_only_whole_files_and_the_next_build_finishes(big_project: Path) -> None:
    out = big_project / "dist"
    process = start_build(big_project)
    wait_for_first_letter(process, out)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert list(out.glob("*.pdf")), "killed before writing anything"
    assert_every_file_opens(out)  # whatever was renamed into place is whole; only .part files may be partial

    completed = subprocess.run([*alletter_command(), "build", "--out", "dist"], cwd=big_project, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert not list(out.glob(".*.part")), "temporary files of the killed build were left behind"
    assert_every_file_opens(out)
    assert_manifest_matches_files(out)
    assert len(list(out.glob("*.pdf"))) == CASES + SHIPPED


def test_two_builds_at_once_leave_a_consistent_archive(big_project: Path) -> None:
    out = big_project / "dist"
    first, second = start_build(big_project), start_build(big_project)
    results = [process.communicate(timeout=600) for process in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, results
    assert any("waiting for another build" in stderr for _, stderr in results)
    summaries = [stdout.strip().splitlines()[-1] for stdout, _ in results]
    assert sorted(summary.split(" in ")[0] for summary in summaries) == sorted(
        [f"0 built, {CASES + SHIPPED} up to date, 0 failed", f"{CASES + SHIPPED} built, 0 up to date, 0 failed"]
    )
    assert_every_file_opens(out)
    assert_manifest_matches_files(out)


def group_is_gone(group: int, seconds: float = 10) -> bool:
    """Whether every process of the group has ended within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(
    "stop",
    [
        lambda process: os.killpg(process.pid, signal.SIGINT),  # Ctrl-C in a terminal: the whole job
        lambda process: process.send_signal(signal.SIGTERM),  # `timeout`, a CI runner: the main process
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_a_stopped_build_ends_promptly_and_keeps_what_it_built(project_copy: Path, stop) -> None:
    total = 120 + SHIPPED
    project, out = add_cases(project_copy, 120), project_copy / "dist"
    process = start_build(project)
    wait_for_first_letter(process, out)
    stop(process)
    stdout, stderr = process.communicate(timeout=30)  # the batches in hand finish, no more start
    assert process.returncode == 130, (stdout, stderr)
    assert "interrupted" in stdout and "Traceback" not in stdout + stderr
    assert group_is_gone(process.pid), "a worker or pandoc is left running"
    assert_every_file_opens(out)
    assert_manifest_matches_files(out)
    built_before = len(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["letters"])
    assert 0 < built_before < total

    completed = subprocess.run([*alletter_command(), "build", "--out", "dist"], cwd=project, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert f"{built_before} up to date" in completed.stdout, "what was built before Ctrl-C is not built again"
    assert len(list(out.glob("*.pdf"))) == total


def test_workers_end_with_a_killed_main_process_and_free_the_archive(big_project: Path) -> None:
    out = big_project / "dist"
    process = start_build(big_project)
    wait_for_first_letter(process, out)
    process.kill()  # the main process alone: its workers must not live on holding the lock
    process.wait()
    assert group_is_gone(process.pid), "the workers outlived the build"
    completed = subprocess.run(
        [*alletter_command(), "build", "--out", "dist"], cwd=big_project, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert "waiting for another build" not in completed.stderr
    assert_every_file_opens(out)
