"""Importing an archive: many letters into a folder of case files in one command, in parallel.

Each worker process loads the project once and imports letter after letter (the probes'
templates compiled once, Python started once), so a batch is much faster than one `alletter
import` process per letter. Every letter ends in one of four outcomes, which the summary lists:
word for word (the case rebuilds the letter), with overrides (the case has its own wording,
resolutions or signatories and rebuilds the letter), with TODOs (something could not be placed, or the rebuild
differs), failed (no case file written, and why).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import UsageError, UserError
from ..project.letter_project import LetterProject
from ..project.schema import Reference

LETTER_SUFFIXES = (".docx", ".pdf", ".txt", ".md")
Outcome = Literal["word for word", "with overrides", "with TODOs", "failed"]
OUTCOMES: tuple[Outcome, ...] = ("word for word", "with overrides", "with TODOs", "failed")


@dataclass(frozen=True)
class LetterImport:
    """What became of one letter: its case file (none when it failed) and why, when it is not word for word."""

    letter: Path
    outcome: Outcome
    case_file: Path | None = None
    detail: str = ""


@dataclass
class BatchImport:
    """Every letter's outcome, in the order the letters were given."""

    results: list[LetterImport] = field(default_factory=list)

    def by_outcome(self, outcome: Outcome) -> list[LetterImport]:
        return [result for result in self.results if result.outcome == outcome]


def letter_files(paths: Iterable[Path]) -> list[Path]:
    """The letters named: files as given, folders searched (not recursively) for DOCX, PDF and text."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(child for child in path.iterdir() if child.suffix.lower() in LETTER_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{path}: no such letter or folder")
    return list(dict.fromkeys(found))


_project: LetterProject | None = None


def _start_worker(root: Path) -> None:
    global _project
    _project = LetterProject.find(root)


def import_one(letter: Path, out_dir: Path, project: LetterProject | None = None) -> LetterImport:
    """Import one letter into `out_dir`/<its reference>.yaml (never over an existing file)."""
    from ..files import write_new
    from .case_file import import_letter, rebuild

    project = project or _project
    assert project is not None
    try:
        imported = import_letter(letter, project)
        target = out_dir / f"{Reference.parse(imported.data['reference']).slug}.yaml"
        if target.exists():
            return LetterImport(letter, "failed", None, f"{target} already exists")
        write_new(target, imported.yaml_text.encode("utf-8"))
        checked = rebuild(imported, imported.yaml_text, target, project)
    except (UserError, OSError, ValueError) as error:
        return LetterImport(letter, "failed", None, str(error).splitlines()[0] if str(error) else type(error).__name__)
    if imported.todos or not checked.word_for_word:
        reasons = [*imported.todos[:1], *(str(problem) for problem in checked.problems[:1])]
        if checked.missing_words or checked.extra_words:
            reasons.append(f"the rebuild differs ({len(checked.missing_words)} words lacking, {len(checked.extra_words)} added)")
        return LetterImport(letter, "with TODOs", target, "; ".join(reasons))
    own = [
        *(imported.data.get("wording") or {}),
        *(f"resolution {number}" for number in (imported.data.get("resolutions") or {}).values()),
        *(f"signatory for {mandate_id}" for mandate_id in imported.data.get("signed_by") or {}),
    ]
    if own:
        return LetterImport(letter, "with overrides", target, f"its own {', '.join(own)}")
    return LetterImport(letter, "word for word", target)


def import_batch(
    letters: list[Path],
    out_dir: Path,
    project: LetterProject,
    *,
    jobs: int = 1,
    on_result: Callable[[LetterImport], None] | None = None,
) -> BatchImport:
    """Import every letter into `out_dir`, `jobs` worker processes at a time (1: in this process)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    batch = BatchImport()

    def record(result: LetterImport) -> None:
        batch.results.append(result)
        if on_result is not None:
            on_result(result)

    if jobs <= 1 or len(letters) <= 1:
        for letter in letters:
            record(import_one(letter, out_dir, project))
        return batch
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(project.root,)) as pool:
        for result in pool.map(import_one, letters, [out_dir] * len(letters), chunksize=1):
            record(result)
    return batch
