"""Editing a YAML file people read line by line, in place: what the office's record commands share.

mandates.yaml and the phrasebooks are long files reviewed line by line, so an edit must leave
every other line exactly as it was. ruamel.yaml's round-trip dump keeps comments, order and
quoting but re-wraps long scalars (over 2,000 lines of the registry change when it is loaded and
dumped, at any width), so it is used for what it does exactly: it composes the file into nodes
that know where they start and end, and it writes the new lines. Those lines are spliced into the
original text; nothing else is re-emitted. A `Change` is computed, with its diff, before anything
is written; `write_change` writes it atomically.
"""

from __future__ import annotations

import difflib
import getpass
import io
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import CaseFileError, RecordRefusedError, UsageError
from .letter_project import ModelT, validate_model
from .load import parse_yaml_text, read_source

# The registry and the phrasebooks are wrapped at 120 columns; new lines are written the same way.
WIDTH = 120


@dataclass(frozen=True)
class Recorder:
    """Who records a fact, and on which day: written as `recorded: {by: …, on: …}`."""

    by: str
    on: date


def default_recorder(root: Path, today: date) -> Recorder:
    """git's user (`git config user.name`) in the project, or the login name where git has none."""
    try:
        completed = subprocess.run(
            ["git", "config", "user.name"], cwd=root, capture_output=True, text=True, timeout=10, check=False
        )
        name = completed.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return Recorder(name or getpass.getuser(), today)


@dataclass(frozen=True)
class Change:
    """An edit of a YAML file (mandates.yaml, a phrasebook), computed and validated, not yet written."""

    path: Path
    before: str
    after: str
    summary: str

    @property
    def diff(self) -> str:
        """The change as a unified diff, as `git diff` would show it."""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            f"{self.path.name} (before)",
            f"{self.path.name} (after)",
        )
        return "".join(lines)


def validated(path: Path, text: str, model: type[ModelT], what: str) -> ModelT:
    """`text`, about to be written to `path`, read back as `model`, so that nothing is written that
    the next command could not read: a text that does not parse is a refusal to record `what`; a
    model it breaks is the loader's error, naming its field and line."""
    try:
        loaded = parse_yaml_text(path, text)
    except CaseFileError as error:
        raise RecordRefusedError(path, what, str(error)) from None
    if loaded.problems:
        raise RecordRefusedError(path, what, "; ".join(str(problem) for problem in loaded.problems))
    return validate_model(loaded, model)


def write_change(change: Change) -> None:
    """Write an edit atomically, unless the file changed since it was read (then nothing is written)."""
    from ..files import write_atomic

    if read_source(change.path) != change.before:
        raise UsageError(f"{change.path}: changed on disk while the fact was being recorded; run the command again")
    write_atomic(change.path, change.after.encode("utf-8"))


@dataclass
class Edit:
    start: int  # first line replaced (0-based)
    end: int  # line after the last one replaced; == start for an insertion
    lines: list[str]


def dump_lines(value: Any, indent: int) -> list[str]:
    """`value` as block YAML in the registry's style, each line indented by `indent` spaces."""
    from ruamel.yaml import YAML

    yaml = YAML()
    # A value with no space to break at (a long URL) is written after its key all the same: at the
    # registry's width ruamel.yaml would put it alone on the next line, after a dangling `source: `.
    yaml.width = max([WIDTH - indent, *(len(word) + 40 for word in _unbreakable(value))])
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.representer.ignore_aliases = lambda data: True  # one date twice is two dates, not an anchor
    out = io.StringIO()
    yaml.dump(value, out)
    return [" " * indent + line for line in out.getvalue().splitlines()]


def _unbreakable(value: Any) -> list[str]:
    """The strings in `value` with no whitespace to wrap at."""
    if isinstance(value, dict):
        return [word for item in value.values() for word in _unbreakable(item)]
    if isinstance(value, list):
        return [word for item in value for word in _unbreakable(item)]
    return [value] if isinstance(value, str) and not any(character.isspace() for character in value) else []


def flow(mapping: dict[str, Any]) -> Any:
    """A mapping written on one line: `recorded: {by: …, on: …}`."""
    from ruamel.yaml.comments import CommentedMap

    flow = CommentedMap(mapping)
    flow.fa.set_flow_style()
    return flow


class YamlText:
    """A YAML file as text and as composed nodes, with the edits to make: each edit replaces or
    inserts whole lines, and every other line is kept as it was."""

    def __init__(self, path: Path, text: str) -> None:
        from ruamel.yaml import YAML

        self.path, self.text = path, text
        self.lines = text.splitlines()
        self.root = YAML().compose(text)
        self.edits: list[Edit] = []

    def last_line(self, node: Any) -> int:
        """The last line (0-based) that holds part of `node`: a block collection ends where its last
        value does (its own end mark is at the next key, past any comments between). A last value
        that is an alias (`*id001`) is composed as the node its anchor names, written earlier in the
        file: the collection then ends on the last line before its end mark that is not blank or a
        comment."""
        if getattr(node, "flow_style", False) or not isinstance(node.value, list) or not node.value:
            mark = node.end_mark
            return mark.line - 1 if mark.column == 0 and mark.line > node.start_mark.line else mark.line
        last = node.value[-1]
        if isinstance(last, tuple):  # a mapping's last key and its value, which starts at the key or after it
            child, written_from = last[1], last[0].start_mark.line
        else:  # a sequence's last item, which starts after the item before it
            child = last
            written_from = node.value[-2].start_mark.line + 1 if len(node.value) > 1 else node.start_mark.line
        if child.start_mark.line < written_from:
            end = node.end_mark  # at the next token: on a line of its own unless something precedes it there
            line = end.line if end.line < len(self.lines) and self.lines[end.line][: end.column].strip() else end.line - 1
            while line > node.start_mark.line and self.lines[line].strip()[:1] in ("", "#"):
                line -= 1
            return line
        return self.last_line(child)

    def value(self, mapping: Any, key: str) -> Any:
        """The node under `key`, or None."""
        return next((value for name, value in mapping.value if name.value == key), None)

    def set_key(self, mapping: Any, key: str, value: Any, order: list[str]) -> None:
        """Give `mapping` the key `key`: its line(s) replaced where it is, otherwise inserted
        after the key that precedes it in the model's order."""
        column = mapping.value[0][0].start_mark.column
        new = dump_lines({key: value}, column)
        for name, old in mapping.value:
            if name.value == key:
                self.edits.append(Edit(name.start_mark.line, self.last_line(old) + 1, new))
                return
        at = self._after(mapping, key, order)
        first = mapping.value[0][0].start_mark.line
        dash = self.lines[first][:column]
        if at == first and dash.strip() == "-":
            # A list item's first key carries the item's dash: the new key takes the dash, and the
            # former first key moves under it (inserted above the dash, it joined the item before).
            moved = " " * column + self.lines[first][column:]
            self.edits.append(Edit(first, first + 1, [dash + new[0][column:], *new[1:], moved]))
            return
        self.edits.append(Edit(at, at, new))

    def append_item(self, mapping: Any, key: str, item: dict[str, Any], order: list[str]) -> None:
        """Add `item` at the end of the list under `key`, creating the list where there is none."""
        sequence = self.value(mapping, key)
        if sequence is None or not sequence.value:
            if sequence is not None:  # `key: []`: the line becomes the list
                self.set_key(mapping, key, [item], order)
            else:
                self.set_key(mapping, key, [item], order)
            return
        dash = sequence.value[0].start_mark.column - 2
        at = self.last_line(sequence) + 1
        self.edits.append(Edit(at, at, dump_lines([item], dash)))

    def _after(self, mapping: Any, key: str, order: list[str]) -> int:
        """The line a new `key` goes on: after the last present key that the model puts before it."""
        place = order.index(key)
        before = [(name, value) for name, value in mapping.value if name.value in order[:place]]
        if before:
            return self.last_line(before[-1][1]) + 1
        return mapping.value[0][0].start_mark.line

    def edited(self) -> str:
        lines = list(self.lines)
        # From the bottom up, so that each edit's line numbers still hold; at one place, a
        # replacement before an insertion, and insertions in the order they were made.
        order = sorted(enumerate(self.edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]), reverse=True)
        for _, edit in order:
            lines[edit.start : edit.end] = edit.lines
        return "\n".join(lines) + ("\n" if self.text.endswith("\n") else "")
