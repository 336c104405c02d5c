"""The archive: an output directory of letters, built incrementally, with its build state, its
manifest for machines and its index for people.

A letter is rebuilt only when something it was made from changed: the build state
(`.alletter-state.json` in the output directory) records, for each case file, the stamp
(modification time and size, as `make` uses) of every file its last build read — case, the
templates it loaded, annexes, registry, settings, page design — and the files it wrote, with their
sha256. Deciding that a letter is up to date costs a `stat` of the files involved, each once per
run, and no parsing; a touched file counts as changed. The manifest and the index are made from
the build state alone, so they list every letter in the output directory, whether it was rebuilt
this time or not, and both are byte-identical for identical archives.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ConfigDict, TypeAdapter

from .. import __version__
from ..errors import StaleArchiveError
from ..files import directory_lock, ensure_directory, remove_temporary_files, write_atomic
from ..letter.builder import DEFAULT_FORMATS, LetterResult, sha256_hex
from ..letter.letter_record import LetterSummary, OutputFile
from ..project.letter_project import LetterProject
from .pool import build_in_parallel, build_letters

STATE_FILE = ".alletter-state.json"
STATE_VERSION = 2  # a state file of another version is ignored: every letter is rebuilt
MANIFEST_FILE = "manifest.json"
INDEX_FILE = "index.html"
INDEX_TEMPLATE = "index.html.j2"


class ArchiveEntry(BaseModel):
    """A letter in the build state: its last build's record and the stamps that say it is current."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case_stamp: str
    tool: str  # alletter's fingerprint when it was built
    summary: LetterSummary
    outputs: dict[str, OutputFile]
    dependencies: dict[str, str | None]  # project file → its stamp then (None: it did not exist)

    def as_json(self) -> dict[str, Any]:
        return {**self.model_dump(exclude={"summary"}), "summary": self.summary.as_json()}


_BuildState = TypeAdapter(dict[str, ArchiveEntry])


def manifest(entries: list[ArchiveEntry]) -> dict[str, Any]:
    """Per letter: what it is, what it follows up, and each file with its size and sha256."""
    return {
        "letters": [
            {
                **entry.summary.as_json(),
                "files": [{"format": name, **output.model_dump()} for name, output in sorted(entry.outputs.items())],
            }
            for entry in entries
        ]
    }


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(path, data)


def write_manifest(out_dir: Path, entries: list[ArchiveEntry]) -> None:
    data = json.dumps(manifest(entries), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _write_if_changed(out_dir / MANIFEST_FILE, data.encode("utf-8"))


def write_index(out_dir: Path, entries: list[ArchiveEntry], project: LetterProject) -> None:
    """index.html: letters by year, newest first, each prior communication linked when archived."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(project.templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    letters = manifest(entries)["letters"]
    archived = {letter["slug"] for letter in letters}
    years: dict[int, list[dict[str, Any]]] = {}
    for letter in sorted(letters, key=lambda item: (item["date"], item["slug"]), reverse=True):
        years.setdefault(letter["year"], []).append(letter)
    mandate_names = {mandate_id: mandate.name for mandate_id, mandate in project.mandates.items()}
    html = environment.get_template(INDEX_TEMPLATE).render(
        years=sorted(years.items(), reverse=True), archived=archived, mandate_names=mandate_names
    )
    _write_if_changed(out_dir / INDEX_FILE, html.encode("utf-8"))


ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build time leaks into the archive


def archive_files(out_dir: Path) -> list[Path]:
    """The files an archive publishes: letters, manifest and index — not build state or temporaries."""

    return sorted(
        path for path in out_dir.rglob("*") if path.is_file() and not path.name.startswith(".") and path.name != STATE_FILE
    )


def stale_files(out_dir: Path) -> list[str]:
    """The files the manifest lists whose bytes are no longer the ones it describes (or are gone)."""
    try:
        listed = json.loads((out_dir / MANIFEST_FILE).read_text(encoding="utf-8"))["letters"]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # no manifest (a folder `render` wrote): nothing claims a checksum
    stale = []
    for letter in listed:
        for output in letter.get("files", []):
            path = out_dir / output["file"]
            try:
                data = path.read_bytes()
            except OSError:
                stale.append(output["file"])
                continue
            if sha256_hex(data) != output["sha256"]:
                stale.append(output["file"])
    return stale


def pack(out_dir: Path, zip_path: Path) -> list[Path]:
    """Pack the archive into one zip, the same bytes for the same letters: sorted, fixed timestamps.
    Refused (StaleArchiveError) where the manifest's checksums are not those of the files."""
    import io
    import zipfile

    stale = stale_files(out_dir)
    if stale:
        raise StaleArchiveError(out_dir, stale)
    files = archive_files(out_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(out_dir).as_posix(), date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            package.writestr(entry, path.read_bytes())
    write_atomic(zip_path, buffer.getvalue())
    return files


# --- the incremental build ------------------------------------------------------------------------


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
    package = Path(__file__).parents[1]  # alletter/, with every subpackage
    modules = sorted(
        (path for suffix in ("*.py", "*.lua") for path in package.rglob(suffix)),
        key=lambda path: path.relative_to(package).as_posix(),
    )
    code = b"".join(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() for path in modules)
    return sha256_hex(f"{__version__}|{','.join(formats)}|".encode() + code)


class Archive:
    """An output directory of letters, its build state, manifest and index."""

    def __init__(self, project: LetterProject, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS) -> None:
        self.project = project
        self.out_dir = out_dir
        self.formats = tuple(formats)
        self.state_path = out_dir / STATE_FILE

    def _load_state(self) -> dict[str, ArchiveEntry]:
        """The letters of the last build; none (every letter rebuilt) from a state unreadable or of another version."""
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
            if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
                return {}
            return _BuildState.validate_python(state.get("letters", {}))
        except (OSError, ValueError):  # pydantic's ValidationError is a ValueError
            return {}

    def holds_letters_in_its_formats(self) -> bool:
        """An archive `build` made, whose every letter was written in this archive's formats."""
        if not self.state_path.is_file():
            return False
        return all(set(entry.outputs) == set(self.formats) for entry in self._load_state().values())

    def _case_key(self, case_path: Path) -> str:
        """The case file's path relative to the project (absolute when outside it): its key in the state."""
        absolute = os.path.abspath(case_path)
        relative = os.path.relpath(absolute, self.project.root)
        return absolute if relative.startswith("..") else Path(relative).as_posix()

    def _is_up_to_date(self, entry: ArchiveEntry | None, case_stamp: str, tool: str, stamps: _FileStamps) -> bool:
        if entry is None or entry.case_stamp != case_stamp or entry.tool != tool:
            return False
        if any(stamps(path) != stamp for path, stamp in entry.dependencies.items()):
            return False
        return all(
            (self.out_dir / output.file).is_file() and (self.out_dir / output.file).stat().st_size == output.bytes
            for output in entry.outputs.values()
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
        letters = self._load_state()
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
                result = LetterResult(
                    case_path, status="up to date", outputs=[self.out_dir / o.file for o in letters[key].outputs.values()]
                )
                results.append(result)
                if on_result:
                    on_result(result)
            else:
                to_build.append(case_path)
        if to_build:
            self.project.check_shared_files()
        interrupted = False
        built = build_in_parallel(self.project, self.out_dir, self.formats, to_build, jobs, on_result)
        try:
            for result in built:
                results.append(result)
                key = self._case_key(result.case_path)
                record = result.record
                if record is not None:
                    previous = letters.get(key)
                    if previous is not None:
                        self._remove_outputs(previous, keep=record.output_names())
                    letters[key] = ArchiveEntry(
                        case_stamp=case_stamps[key],
                        tool=tool,
                        summary=record.summary,
                        outputs=record.outputs,
                        dependencies={path: stamps(path) for path in record.dependencies},
                    )
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

    def _remove_outputs(self, entry: ArchiveEntry, keep: Set[str] = frozenset()) -> list[Path]:
        removed = []
        for output in entry.outputs.values():
            if output.file not in keep:
                path = self.out_dir / output.file
                if path.exists():
                    path.unlink()
                    removed.append(path)
        return removed

    def _archive_files_exist(self) -> bool:
        return all((self.out_dir / name).is_file() for name in (STATE_FILE, MANIFEST_FILE, INDEX_FILE))

    def _save(self, letters: dict[str, ArchiveEntry]) -> None:
        """Write the build state, manifest and index (skipped by `build` when nothing changed)."""
        state = {"version": STATE_VERSION, "letters": {key: entry.as_json() for key, entry in sorted(letters.items())}}
        # compact: json's fast C encoder is only used without indentation
        write_atomic(self.state_path, json.dumps(state, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        entries = sorted(letters.values(), key=lambda entry: (entry.summary.year, entry.summary.slug))
        write_manifest(self.out_dir, entries)
        write_index(self.out_dir, entries, self.project)


def render_letters(
    project: LetterProject,
    out_dir: Path,
    formats: Sequence[str],
    case_paths: Sequence[Path],
    on_result: Callable[[LetterResult], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> tuple[list[LetterResult], bool]:
    """`render`: build the given letters always, and say whether Ctrl-C stopped it.

    Into an archive (a folder `build` made) whose letters have these formats, the letters go
    through the archive, so that its state, manifest and index describe them (a `pack` right after
    ships checksums that hold); other letters there are left as they are. Anywhere else — or in
    other formats, which would leave the archive's entries for the letter half true — only the files
    are written, and `pack` refuses the archive until `build` is run."""
    archive = Archive(project, out_dir, formats)
    if archive.holds_letters_in_its_formats():
        report = archive.build(case_paths, force=True, prune=False, on_result=on_result, on_wait=on_wait)
        return report.results, report.interrupted
    try:
        return build_letters(project, out_dir, formats, case_paths, on_result=on_result), False
    except KeyboardInterrupt:
        return [], True


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
