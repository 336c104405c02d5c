"""`alletter watch`: rebuild a letter whenever what it is made from changes, while its drafter writes.

One warm one-letter builder (`letter.LetterBuilder`) serves every rebuild: pandoc and typst stay
running, and typst's caches keep the layout of what did not change, so a save becomes a new DOCX
and PDF in a fraction of a second. What changed decides what is rebuilt: a case file, that letter;
a template, an annex, the registry, the states or the settings, every letter watched (the shared
data read anew); the page design (typst template, filter, fonts, reference DOCX), the same after the
converters restart. A broken case is reported with `check`'s messages and its last good letter
stays as it was: files are only ever replaced by a whole new letter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..errors import UserError
from ..letter.builder import LetterBuilder, LetterResult
from ..project.letter_project import WATCHED_SUFFIXES, LetterProject


class LetterWatcher:
    """Keeps a warm builder and rebuilds the letters a change concerns."""

    def __init__(self, root: Path, case_paths: Sequence[Path], out_dir: Path, formats: Sequence[str]) -> None:
        self.root = root.resolve()
        self.case_paths = [path.resolve() for path in case_paths]
        self.out_dir = out_dir
        self.formats = tuple(formats)
        self.builder = self._new_builder()

    def _new_builder(self) -> LetterBuilder:
        project = LetterProject(self.root)
        return LetterBuilder(project, self.out_dir, self.formats)

    def close(self) -> None:
        self.builder.close()

    def build_all(self) -> list[LetterResult]:
        return [self._build(path) for path in self.case_paths]

    def changed(self, paths: Iterable[Path]) -> list[LetterResult]:
        """Rebuild what the changed files concern; return each letter's result."""
        changed = {path.resolve() for path in paths if path.suffix in WATCHED_SUFFIXES}
        cases = [path for path in self.case_paths if path in changed]
        shared = changed - set(self.case_paths) - {path for path in changed if path.is_relative_to(self.out_dir.resolve())}
        if any(self.builder.project.is_page_design(path) for path in shared):  # the converters read it at start
            self.builder.close()
            self.builder = self._new_builder()
        elif shared:
            self.builder.project = LetterProject(self.root)  # registry, settings, kinds, phrases read anew
        targets = self.case_paths if shared else cases
        return [self._build(path) if path.exists() else self._gone(path) for path in targets]

    def _gone(self, case_path: Path) -> LetterResult:
        """A watched case that is no longer there: said, and its folder still watched, so that the
        file coming back (renamed back, checked out again) is built."""
        return LetterResult(
            case_path,
            status="failed",
            error=f"{case_path} is gone (deleted or renamed); its last letter stays as it was, and it is built "
            "again when a file of that name returns",
        )

    def _build(self, case_path: Path) -> LetterResult:
        try:
            self.builder.project.check_shared_files()
        except UserError as error:
            return LetterResult(case_path, status="failed", error=str(error))
        return self.builder.build(case_path)


def watched_folders(watcher: LetterWatcher) -> list[Path]:
    """The folders to watch, each on its own (not recursively): templates/ and annexes/ with their
    subfolders, and the folders of the cases and of the shared files outside them. A folder, not the
    file: an editor that saves by writing a new file and renaming it over the old one (vim, `sed -i`,
    most IDEs) replaces the file a watch on it would follow, and later saves would go unheard."""
    folders: set[Path] = set()
    for path in (*watcher.builder.project.watched_paths(), *watcher.case_paths):
        if path.is_dir():
            folders.update(folder for folder in (path, *path.rglob("*")) if folder.is_dir())
        elif path.parent.is_dir():
            folders.add(path.parent)
    return sorted(folders)


def watch(
    watcher: LetterWatcher,
    on_result: Callable[[LetterResult], None],
    stop: threading.Event | None = None,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Build every watched letter, then rebuild on each change until `stop` is set (or Ctrl-C)."""
    import watchfiles

    for result in watcher.build_all():
        on_result(result)
    existing = [str(folder) for folder in watched_folders(watcher)]
    ready = False
    # step: how long the files must be quiet before a change is acted on (an editor's save is
    # several writes); debounce: at most this long in all. The first (empty) answer after
    # rust_timeout says that the system is watching: only then is the drafter told so.
    for changes in watchfiles.watch(
        *existing, stop_event=stop, step=20, debounce=400, rust_timeout=100, yield_on_timeout=True, recursive=False
    ):
        if not ready:
            ready = True
            if on_ready is not None:
                on_ready()
        for result in watcher.changed(Path(path) for _, path in changes):
            on_result(result)
