"""Building letters: one case through every stage, and a whole archive of them — in parallel,
incrementally, and with a manifest and an index.

This is the library the CLI calls; nothing here prints. A letter is rebuilt only when something
it was made from changed: the build state (`.alletter-state.json` in the output directory)
records, for each case file, the stamp (modification time and size, as `make` uses) of every
file its last build read — case, the templates it loaded, annexes, registry, settings, page
design — and the files it wrote, with their sha256. Deciding that a letter is up to date costs a
`stat` of the files involved, each once per run, and no parsing; a touched file counts as changed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import signal
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence, Set
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .convert import REFERENCE_DOCX, TYPST_BLOCKS, TYPST_FILTER, TYPST_TEMPLATE, Converter, LetterMetadata
from .errors import ConversionError, UsageError, UserError
from .project import ANNEXES_PREFIX, SHARED_FILES, LetterProject
from .model import Reference
from .validate import ValidCase, load_case
from .write import directory_lock, ensure_directory, remove_temporary_files, write_atomic

FORMATS = ("docx", "pdf", "md", "png")
DEFAULT_FORMATS = ("docx", "pdf")
BATCH_SIZE = 16  # letters per pandoc request at most: 32 was as fast (64.9 vs 64.2 letters/s, bench
# project, same run) but held ≈25–60 MB more at the build's peak, close to the 500 MB budget
STATE_FILE = ".alletter-state.json"
STATE_VERSION = 2  # a state file of another version is ignored: every letter is rebuilt


def parse_formats(text: str) -> tuple[str, ...]:
    """`"docx,pdf"` → `("docx", "pdf")`, refusing formats alletter does not write."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {', '.join(unknown) or repr(text)}; choose from {', '.join(FORMATS)}")
    return formats


def output_name(slug: str, fmt: str) -> str:
    """The file a letter is written to in `fmt`; the PNG preview shows page 1 only, and says so."""
    return f"{slug}-page1.png" if fmt == "png" else f"{slug}.{fmt}"


@dataclass
class LetterResult:
    """What became of one case file: built, already up to date, or failed with a message."""

    case_path: Path
    status: str = "built"  # "built" | "up to date" | "failed"
    outputs: list[Path] = field(default_factory=list)
    error: str | None = None
    record: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def letter_summary(valid: ValidCase) -> dict[str, Any]:
    """What the archive index and manifest say about a letter."""
    case = valid.case
    prior = case.follow_up
    return {
        "reference": case.reference,
        "slug": case.ref.slug,
        "year": case.ref.year,
        "date": case.date.isoformat(),
        "recipient": valid.recipient_label,
        "kind": str(case.kind),
        "organisation": ", ".join(case.recipient.address),
        "mandates": [mandate.id for mandate in valid.mandates],
        "follow_up": None if prior is None else {
            "reference": prior.reference,
            "slug": prior.reference.replace(" ", "-").replace("/", "-"),
            "date": prior.date.isoformat(),
            "reply": None if prior.reply is None else prior.reply.date.isoformat(),
        },
        "related": [{"reference": related.reference, "slug": Reference.parse(related.reference).slug}
                    for related in case.related],
    }


class LetterBuilder:
    """Builds letters of one project into one output directory (one per process)."""

    def __init__(self, project: LetterProject, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS) -> None:
        self.project = project
        self.out_dir = out_dir
        self.formats = tuple(formats)
        self.converter = Converter(project.templates_dir)

    def close(self) -> None:
        self.converter.close()

    def dependencies(self, valid: ValidCase, templates: Iterable[str]) -> list[str]:
        """Every project file this letter was made from, relative to the project root."""
        # The law library's paragraphs are templates loaded from annexes/ (named so), the rest from templates/.
        paths = {*SHARED_FILES, *(name if name.startswith(ANNEXES_PREFIX) else f"templates/{name}" for name in templates)}
        paths.update(f"annexes/{annex.id}.md" for annex in valid.annexes)
        if "docx" in self.formats and (self.project.templates_dir / REFERENCE_DOCX).is_file():
            paths.add(f"templates/{REFERENCE_DOCX}")
        if "pdf" in self.formats or "png" in self.formats:
            paths.update({f"templates/{TYPST_TEMPLATE}", f"templates/{TYPST_BLOCKS}", f"templates/{TYPST_FILTER}"})
            if self.project.settings.letterhead:
                paths.add(f"templates/{self.project.settings.letterhead}")
        return sorted(paths)

    def build_batch(self, case_paths: Sequence[Path]) -> list[LetterResult]:
        """Build several cases with one pandoc request; each case fails or succeeds on its own."""
        from .render import render  # here, not at the top: a no-op build never renders (start-up time)

        results = [LetterResult(path) for path in case_paths]
        prepared: list[tuple[LetterResult, ValidCase, str, list[str]]] = []
        for result in results:
            try:
                valid = load_case(result.case_path, self.project)
                rendered = render(valid, self.project)
            except UserError as error:
                result.status, result.error = "failed", str(error)
                continue
            prepared.append((result, valid, rendered.markdown, self.dependencies(valid, rendered.templates)))
        letters = [(markdown, self._metadata(valid)) for _, valid, markdown, _ in prepared]
        converted = self.converter.convert_many(letters, tuple(name for name in self.formats if name != "md"))
        for (result, valid, markdown, dependencies), files in zip(prepared, converted):
            if isinstance(files, ConversionError):
                result.status, result.error = "failed", str(files)
                continue
            if "md" in self.formats:
                files = {**files, "md": markdown.encode("utf-8")}
            self._write(result, valid, files, dependencies)
        return results

    def _metadata(self, valid: ValidCase) -> LetterMetadata:
        return LetterMetadata(
            reference=valid.case.reference,
            date=valid.case.date,
            subject=self.project.settings.document_subject,
            language=self.project.settings.language,
            letterhead=self.project.letterhead,
        )

    def _write(self, result: LetterResult, valid: ValidCase, files: dict[str, bytes], dependencies: list[str]) -> None:
        outputs = {}
        for name in self.formats:
            target = self.out_dir / output_name(valid.case.ref.slug, name)
            try:
                write_atomic(target, files[name])
            except UserError as error:  # the disk full, a file made read-only: this letter fails alone
                result.status, result.error = "failed", str(error)
                return
            result.outputs.append(target)
            outputs[name] = {"file": target.name, "bytes": len(files[name]), "sha256": _sha256(files[name])}
        result.record = {
            "summary": letter_summary(valid),
            "dependencies": dependencies,
            "outputs": outputs,
        }

    def build(self, case_path: Path) -> LetterResult:
        return self.build_batch([case_path])[0]


# --- the archive -------------------------------------------------------------------------------


@dataclass
class BuildReport:
    """The outcome of one `build`: every letter's result and how long it took."""

    results: list[LetterResult]
    removed: dict[str, list[Path]]  # case file (gone) → the files of its letter that were deleted
    seconds: float
    interrupted: bool = False  # stopped by Ctrl-C: the letters not in `results` were left as they were

    def count(self, status: str) -> int:
        return sum(result.status == status for result in self.results)


def file_stamp(path: Path) -> str | None:
    """A file's modification time and size: what `make` looks at, so `touch` counts as a change."""
    try:
        status = path.stat()
    except OSError:
        return None
    return f"{status.st_mtime_ns}-{status.st_size}"


class _FileStamps:
    """Stamps of project files, each looked at once per build."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._known: dict[str, str | None] = {}

    def __call__(self, relative: str) -> str | None:
        if relative not in self._known:
            self._known[relative] = file_stamp(self.root / relative)
        return self._known[relative]


def _tool_fingerprint(formats: Sequence[str]) -> str:
    """alletter's version, its own code and the formats: a change to any rebuilds every letter."""
    package = Path(__file__).parent
    code = b"".join(path.read_bytes() for path in sorted([*package.glob("*.py"), *package.glob("*.lua")]))
    return _sha256(f"{__version__}|{','.join(formats)}|".encode() + code)


class Archive:
    """An output directory of letters, its build state, manifest and index."""

    def __init__(self, project: LetterProject, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS) -> None:
        self.project = project
        self.out_dir = out_dir
        self.formats = tuple(formats)
        self.state_path = out_dir / STATE_FILE

    def _load_state(self) -> dict[str, Any]:
        import json

        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) and state.get("version") == STATE_VERSION else {}

    def _case_key(self, case_path: Path) -> str:
        """The case file's path relative to the project (absolute when outside it): its key in the state."""
        absolute = os.path.abspath(case_path)
        relative = os.path.relpath(absolute, self.project.root)
        return absolute if relative.startswith("..") else Path(relative).as_posix()

    def _is_up_to_date(self, entry: dict[str, Any] | None, case_stamp: str, tool: str, stamps: _FileStamps) -> bool:
        if not entry or entry.get("case_stamp") != case_stamp or entry.get("tool") != tool:
            return False
        if any(stamps(path) != stamp for path, stamp in entry.get("dependencies", {}).items()):
            return False
        return all(
            (self.out_dir / output["file"]).is_file() and (self.out_dir / output["file"]).stat().st_size == output["bytes"]
            for output in entry.get("outputs", {}).values()
        )

    def build(
        self,
        case_paths: Sequence[Path],
        *,
        jobs: int = 1,
        force: bool = False,
        prune: bool = False,
        on_result: Callable[[LetterResult], None] | None = None,
        on_wait: Callable[[], None] | None = None,
    ) -> BuildReport:
        """Build what changed among `case_paths`; with `prune`, drop letters whose case is gone.

        One build at a time per output directory: a second waits (after `on_wait`) for the first.
        Holding the lock, any temporary file in the directory is a killed build's, and goes.
        """
        ensure_directory(self.out_dir)
        with directory_lock(self.out_dir, on_wait):
            remove_temporary_files(self.out_dir)
            return self._build(case_paths, jobs=jobs, force=force, prune=prune, on_result=on_result)

    def _build(
        self,
        case_paths: Sequence[Path],
        *,
        jobs: int,
        force: bool,
        prune: bool,
        on_result: Callable[[LetterResult], None] | None,
    ) -> BuildReport:
        started = time.perf_counter()
        state = self._load_state()
        letters: dict[str, Any] = state.get("letters", {})
        tool = _tool_fingerprint(self.formats)
        stamps = _FileStamps(self.project.root)
        results: list[LetterResult] = []
        to_build: list[Path] = []
        case_stamps: dict[str, str] = {}
        for case_path, problem in _duplicate_stems(case_paths):
            results.append(LetterResult(case_path, status="failed", error=problem))
            if on_result:
                on_result(results[-1])
        duplicates = {result.case_path for result in results}
        for case_path in case_paths:
            if case_path in duplicates:
                continue
            key = self._case_key(case_path)
            stamp = file_stamp(case_path)
            if stamp is None:
                results.append(LetterResult(case_path, status="failed", error=f"{case_path}: cannot read the case file"))
                continue
            case_stamps[key] = stamp
            if not force and self._is_up_to_date(letters.get(key), stamp, tool, stamps):
                result = LetterResult(case_path, status="up to date",
                                      outputs=[self.out_dir / o["file"] for o in letters[key]["outputs"].values()])
                results.append(result)
                if on_result:
                    on_result(result)
            else:
                to_build.append(case_path)
        if to_build:
            self.project.check_shared_files()
        interrupted = False
        built = _build_in_parallel(self.project, self.out_dir, self.formats, to_build, jobs, on_result)
        try:
            for result in built:
                results.append(result)
                key = self._case_key(result.case_path)
                if result.record is not None:
                    previous = letters.get(key, {})
                    self._remove_outputs(previous, keep={o["file"] for o in result.record["outputs"].values()})
                    letters[key] = {
                        "case_stamp": case_stamps[key],
                        "tool": tool,
                        **result.record,
                        "dependencies": {path: stamps(path) for path in result.record["dependencies"]},
                    }
        except KeyboardInterrupt:
            # Ctrl-C: what was built so far is recorded, so that the next build starts from there.
            interrupted = True
            built.close()
        removed: dict[str, list[Path]] = {}
        if prune:
            present = {self._case_key(path) for path in case_paths}
            for key in sorted(set(letters) - present):
                removed[key] = self._remove_outputs(letters.pop(key))
        if any(result.status == "built" for result in results) or removed or not self._archive_files_exist():
            self._save(letters)
        return BuildReport(results, removed, time.perf_counter() - started, interrupted)

    def _remove_outputs(self, entry: dict[str, Any], keep: Set[str] = frozenset()) -> list[Path]:
        removed = []
        for output in entry.get("outputs", {}).values():
            if output["file"] not in keep:
                path = self.out_dir / output["file"]
                if path.exists():
                    path.unlink()
                    removed.append(path)
        return removed

    def _archive_files_exist(self) -> bool:
        from .archive import INDEX_FILE, MANIFEST_FILE

        return all((self.out_dir / name).is_file() for name in (STATE_FILE, MANIFEST_FILE, INDEX_FILE))

    def _save(self, letters: dict[str, Any]) -> None:
        """Write the build state, manifest and index (skipped by `build` when nothing changed)."""
        import json

        from .archive import write_index, write_manifest

        state = {"version": STATE_VERSION, "letters": dict(sorted(letters.items()))}
        # compact: json's fast C encoder is only used without indentation
        write_atomic(self.state_path, json.dumps(state, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        entries = sorted(letters.values(), key=lambda entry: (entry["summary"]["year"], entry["summary"]["slug"]))
        write_manifest(self.out_dir, entries)
        write_index(self.out_dir, entries, self.project)


def _duplicate_stems(case_paths: Sequence[Path]) -> Iterator[tuple[Path, str]]:
    """Two case files that would write the same letter (a file is named after its reference)."""
    by_stem: dict[str, list[Path]] = {}
    for path in case_paths:
        by_stem.setdefault(path.stem, []).append(path)
    for stem, paths in by_stem.items():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(str(other) for other in paths if other != path)
                yield path, f"{path}: reference {stem} is also used by {others}; each letter needs its own reference"


# --- parallel building ---------------------------------------------------------------------------

_worker: LetterBuilder | None = None
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # Ctrl-C, and what CI runners and `timeout` send
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


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
    """Have the kernel kill this worker when the main process dies (Linux; elsewhere nothing).

    A main process killed alone (SIGKILL, or SIGTERM before it could stop the pool) leaves its
    workers waiting for work that never comes — holding the output directory's lock, which they
    inherited, so that the next build would wait for ever.
    """
    import ctypes

    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return
    import multiprocessing

    parent = multiprocessing.parent_process()
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent.pid:  # it died before the call: no signal will come
        os._exit(1)


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
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None


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
        batches.append(list(case_paths[start:start + size]))
        start += size
    return batches


def _build_in_parallel(
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
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(project.root, out_dir, formats)) as pool:
        pending: set[Future[list[LetterResult]]] = {pool.submit(_build_in_worker, batch) for batch in batches}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield from _reported(future.result(), on_result)
        except KeyboardInterrupt:
            # The batches not started never will; those in the workers' hands finish (a second or so).
            for future in pending:
                future.cancel()
            for future in pending:
                if not future.cancelled() and future.exception() is None:  # waits for the batch
                    yield from _reported(future.result(), on_result)
            raise
        finally:
            # Also when the caller stops early (Ctrl-C while it records a letter): leaving the pool
            # would otherwise wait for every batch submitted.
            pool.shutdown(wait=True, cancel_futures=True)


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
    return list(_build_in_parallel(project, out_dir, tuple(formats), case_paths, 1, on_result))


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def find_case_files(paths: Iterable[Path]) -> list[Path]:
    """Case files named on the command line: files as given, directories searched for *.yaml."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such case file or directory")
    return list(dict.fromkeys(found))
