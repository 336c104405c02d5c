"""Building many letters at once: worker processes, each with its own warm one-letter builder,
taking batches of letters; Ctrl-C and SIGTERM stop them cleanly.

The Linux-only helpers (prctl's parent-death signal, glibc's malloc_trim) are used only where the
system has them: elsewhere the pool works the same, without them.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from ..files import ensure_directory
from ..letter.builder import LetterBuilder, LetterResult
from ..project.letter_project import LetterProject
from ..system import die_with_parent, malloc_trim

BATCH_SIZE = 16  # letters per pandoc request at most: 32 was as fast (64.9 vs 64.2 letters/s, bench
# project, same run) but held ≈25–60 MB more at the build's peak, close to the 500 MB budget

_worker: LetterBuilder | None = None
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C, and what CI runners and `timeout` send


def _start_worker(root: Path, out_dir: Path, formats: tuple[str, ...]) -> None:
    global _worker
    # The workers are the parallelism: typst's own thread pool in each would only contend for the
    # same cores (one thread each: ≈10% more letters per second with two workers on two cores).
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    # Ctrl-C (or a CI runner's SIGTERM) reaches every process of the job. It is the main process's
    # to handle: it cancels the batches not started and lets the workers finish the ones in hand
    # (a worker interrupted mid-batch would report each of its letters as failed, and go on).
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    _die_with_parent()
    _worker = LetterBuilder(LetterProject(root), out_dir, formats)
    # A pool's worker leaves through os._exit, past atexit: multiprocessing's own finalizers are
    # what runs, and the worker's pandoc and typst's temporary root must go with it.
    from multiprocessing.util import Finalize

    Finalize(_worker, _worker.close, exitpriority=10)


def _die_with_parent() -> None:
    """Have the kernel kill this worker when the main process dies (`system.die_with_parent`).

    A main process killed alone (SIGKILL, or SIGTERM before it could stop the pool) leaves its
    workers waiting for work that never comes — holding the output directory's lock, which they
    inherited, so that the next build would wait for ever.
    """
    import multiprocessing

    parent = multiprocessing.parent_process()
    die_with_parent(parent.pid if parent is not None else None)


def _build_in_worker(case_paths: list[Path]) -> list[LetterResult]:
    assert _worker is not None
    results = _worker.build_batch(case_paths)
    _return_freed_memory()
    return results


def _return_freed_memory() -> None:
    """Give the memory a batch freed back to the system (glibc keeps it otherwise).

    typst frees most of what a compile allocates, but glibc holds on to it: trimming after each
    batch keeps a worker ≈25 MB smaller, at no measurable cost (bench/).
    """
    trim = malloc_trim()
    if trim is not None:
        trim(0)


def _batches(case_paths: Sequence[Path], jobs: int) -> list[list[Path]]:
    """Large batches first, smaller ones towards the end, so that parallel workers finish together.

    A batch holds at most BATCH_SIZE letters and at most half a worker's share of what is left
    (remaining / (2 × jobs)), so the last letters go in batches of one or two.
    """
    batches: list[list[Path]] = []
    start = 0
    while start < len(case_paths):
        remaining = len(case_paths) - start
        size = BATCH_SIZE if jobs <= 1 else max(1, min(BATCH_SIZE, -(-remaining // (2 * jobs))))
        batches.append(list(case_paths[start : start + size]))
        start += size
    return batches


def build_in_parallel(
    project: LetterProject,
    out_dir: Path,
    formats: tuple[str, ...],
    case_paths: Sequence[Path],
    jobs: int,
    on_result: Callable[[LetterResult], None] | None,
) -> Generator[LetterResult, None, None]:
    """Build in `jobs` worker processes (each with its own pandoc), or here when one is enough."""
    batches = _batches(case_paths, jobs)
    if not batches:
        return
    if jobs <= 1 or len(batches) == 1:
        builder = LetterBuilder(project, out_dir, formats)
        try:
            for batch in batches:
                for result in builder.build_batch(batch):
                    if on_result:
                        on_result(result)
                    yield result
        finally:
            builder.close()
        return
    with (
        _StopRequests() as stop,
        ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(project.root, out_dir, formats)) as pool,
    ):
        pending: set[Future[list[LetterResult]]] = {pool.submit(_build_in_worker, batch) for batch in batches}
        try:
            while pending and not stop.requested:
                done, pending = wait(pending, timeout=STOP_POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from _reported(future.result(), on_result)
            if stop.requested:
                # The batches not started never will; those in the workers' hands finish (a second
                # or so) and are reported like the others, so that the caller records them.
                for future in pending:
                    future.cancel()
                for future in pending:
                    if not future.cancelled() and future.exception() is None:  # waits for the batch
                        yield from _reported(future.result(), on_result)
                raise KeyboardInterrupt
        finally:
            # Also when the caller stops early: leaving the pool would otherwise wait for every
            # batch submitted.
            pool.shutdown(wait=True, cancel_futures=True)


STOP_POLL_SECONDS = 0.1  # how soon a stop request is seen while every worker is busy


class _StopRequests:
    """Ctrl-C and SIGTERM, while the pool runs, as a request the loop sees between letters.

    Raised as an exception wherever the main process happens to be, a stop could land while a
    finished batch is being reported or recorded, and that batch's letters — written, but not yet
    in the build state — would be lost from the archive. A second request stops at once. Signal
    handlers belong to the main thread: elsewhere (a test's thread) signals keep their handlers.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, Any] = {}

    def _request(self, signal_number: int, frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> _StopRequests:
        if threading.current_thread() is threading.main_thread():
            for stop in STOP_SIGNALS:
                self._previous[stop] = signal.signal(stop, self._request)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for stop, handler in self._previous.items():
            signal.signal(stop, handler)


def _reported(results: list[LetterResult], on_result: Callable[[LetterResult], None] | None) -> Iterator[LetterResult]:
    for result in results:
        if on_result:
            on_result(result)
        yield result


def build_letters(
    project: LetterProject,
    out_dir: Path,
    formats: Sequence[str],
    case_paths: Sequence[Path],
    on_result: Callable[[LetterResult], None] | None = None,
) -> list[LetterResult]:
    """Build the given cases into `out_dir` unconditionally, without build state or index."""
    ensure_directory(out_dir)
    project.check_shared_files()
    return list(build_in_parallel(project, out_dir, tuple(formats), case_paths, 1, on_result))


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
