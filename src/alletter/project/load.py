"""Stage 1 — load: YAML files into plain data, remembering where every value came from.

Case files are written by hand, so every later error must point at a line. The loader keeps a
map from each value's path (`("follow_up", "reply", "date")`) to its place in the file. It is
deliberately stricter than YAML: only safe tags, no duplicate keys, string keys only, dates left
as text (the schema parses them, so a wrong date is reported at its line like any other field),
and bounds on size and alias expansion so a hostile file fails fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import CaseFileError, Problem, SourceLocation

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000
MAX_DEPTH = 50

FieldPath = tuple[str | int, ...]
_UNCLOSED = re.compile(r"flow (sequence|mapping)|quoted scalar")
# libyaml's words for a line indented unlike its neighbours, or a `: ` inside unquoted text
INDENTATION_HINT = (
    "; check this line's indentation against the line above (fields of one group start in the same "
    "column), or put the text in quotes if it holds `: `"
)
_DASH_WITHOUT_SPACE = re.compile(r"\s*-[^\s-]")  # `-education`: meant as a list item
_COMMENT_AFTER = re.compile(r"[ \t]+#")
_PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_PLAIN_SCALAR_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")}


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses ~30× faster


class _StrictLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader without implicit timestamps: dates stay strings until the schema reads them."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class LoadedYaml:
    """A YAML document's data and the source location of every value in it."""

    path: Path
    data: Any
    locations: dict[FieldPath, SourceLocation] = field(default_factory=dict)
    value_locations: dict[FieldPath, SourceLocation] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # text values written plain and followed on their line by ` #…`, which YAML reads as a comment
    comment_cuts: dict[FieldPath, SourceLocation] = field(default_factory=dict)

    def locate(self, field_path: FieldPath, *, value: bool = False) -> SourceLocation:
        """Where `field_path`'s key stands (or its value, with `value=True`), else its nearest parent's."""
        if value and tuple(field_path) in self.value_locations:
            return self.value_locations[tuple(field_path)]
        for end in range(len(field_path), -1, -1):
            found = self.locations.get(tuple(field_path[:end]))
            if found is not None:
                return found
        return SourceLocation(self.path, 1, 1)


def _location(path: Path, mark: yaml.Mark | None) -> SourceLocation:
    if mark is None:
        return SourceLocation(path)
    return SourceLocation(path, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns a composed YAML node tree into Python values, recording locations as it goes."""

    def __init__(self, path: Path, loader: _StrictLoader, lines: list[str]) -> None:
        self.path = path
        self.loader = loader
        self.lines = lines
        self.comment_cuts: dict[FieldPath, SourceLocation] = {}
        self.locations: dict[FieldPath, SourceLocation] = {}
        self.value_locations: dict[FieldPath, SourceLocation] = {}
        self.problems: list[Problem] = []
        self.nodes_seen = 0

    def build(self, node: yaml.Node, field_path: FieldPath) -> Any:
        self.nodes_seen += 1
        if self.nodes_seen > MAX_NODES:
            raise CaseFileError(
                [
                    Problem(
                        _location(self.path, node.start_mark),
                        f"too many values (over {MAX_NODES}); is an alias expanding without end?",
                    )
                ]
            )
        if len(field_path) > MAX_DEPTH:
            raise CaseFileError(
                [Problem(_location(self.path, node.start_mark), f"values nested more than {MAX_DEPTH} levels deep")]
            )
        self.locations.setdefault(field_path, _location(self.path, node.start_mark))
        self.value_locations[field_path] = _location(self.path, node.start_mark)
        if isinstance(node, yaml.MappingNode) and node.tag in _PLAIN_COLLECTION_TAGS:
            return self._build_mapping(node, field_path)
        if isinstance(node, yaml.SequenceNode) and node.tag in _PLAIN_COLLECTION_TAGS:
            return [self.build(item, (*field_path, index)) for index, item in enumerate(node.value)]
        value = self._scalar(node)
        if isinstance(value, str) and not getattr(node, "style", None):  # plain: None (pure-Python parser) or "" (libyaml)
            self._note_comment_after(node, field_path)
        return value

    def _note_comment_after(self, node: yaml.Node, field_path: FieldPath) -> None:
        """Remember a plain value followed by ` #` on its line: what came after was read as a comment."""
        end = node.end_mark
        rest = self.lines[end.line][end.column :] if end.line < len(self.lines) else ""
        found = _COMMENT_AFTER.match(rest)
        if found:
            self.comment_cuts[field_path] = SourceLocation(self.path, end.line + 1, end.column + found.end())

    def _scalar(self, node: yaml.Node) -> Any:
        """A plain value (text, number, true/false, null); any tag that could build an object is refused."""
        where = _location(self.path, node.start_mark)
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _PLAIN_SCALAR_TAGS:
            raise CaseFileError([Problem(where, f"the tag {node.tag} is not allowed in a case file")])
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError:  # e.g. an integer of more than 4300 digits
            raise CaseFileError([Problem(where, "cannot read this value as a number; quote it if it is text")]) from None

    def _build_mapping(self, node: yaml.MappingNode, field_path: FieldPath) -> dict[str, Any]:
        self.loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            where = _location(self.path, key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(where, "a key must be a name such as `date`, not a list or mapping"))
                continue
            key = self._scalar(key_node)
            if not isinstance(key, str):
                self.problems.append(Problem(where, f"key {key!r} is not text; write it as a name such as `date`"))
                continue
            if key in result:
                first = self.locations[(*field_path, key)]
                self.problems.append(
                    Problem(
                        where, f"duplicate key `{key}` (first given at line {first.line})", field=dotted_path((*field_path, key))
                    )
                )
                continue
            self.locations[(*field_path, key)] = where
            result[key] = self.build(value_node, (*field_path, key))
        return result


def dotted_path(field_path: FieldPath) -> str:
    """`("questions", 2)` → `questions[2]`: the way a field is named in messages."""
    text = ""
    for part in field_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_source(path: Path) -> str:
    """The text of a YAML file, refusing what no hand-written case file would be."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CaseFileError([Problem(SourceLocation(path), f"cannot read: {error.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise CaseFileError([Problem(SourceLocation(path), f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CaseFileError([Problem(SourceLocation(path, line), "is not UTF-8 text; save it as UTF-8")]) from None


def load_yaml(path: Path) -> LoadedYaml:
    """Parse one YAML file into data and locations, or raise CaseFileError naming the line."""
    loaded = parse_yaml(path)
    if loaded.problems:
        raise CaseFileError(loaded.problems)
    return loaded


def parse_yaml(path: Path) -> LoadedYaml:
    """Parse one YAML file, keeping the mistakes that do not stop reading it in `problems`.

    A duplicate key (its first value is kept) or a key that is not text (left out) is reported
    with the rest of the file's problems, so that `check` shows an author every mistake at once;
    a file it cannot read at all raises CaseFileError naming the line.
    """
    return parse_yaml_text(path, read_source(path))


def parse_yaml_text(path: Path, text: str) -> LoadedYaml:
    """`parse_yaml` of text not yet written to `path` (a registry edit checked before it is saved)."""
    if text.startswith("\ufeff"):
        raise CaseFileError(
            [Problem(SourceLocation(path, 1, 1), "starts with a byte-order mark (BOM); save it as UTF-8 without BOM")]
        )
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadedYaml(path, None, {(): SourceLocation(path, 1, 1)})
        builder = _Builder(path, loader, text.split("\n"))
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as error:
        mark, reason = _explained(error, text)
        raise CaseFileError([Problem(_location(path, mark), f"YAML syntax error: {reason}")]) from None
    except yaml.reader.ReaderError as error:
        line, column = _line_and_column(text, error.position)
        raise CaseFileError(
            [
                Problem(
                    SourceLocation(path, line, column),
                    f"contains the control character U+{error.character:04X}, which a case file cannot hold; remove it",
                )
            ]
        ) from None
    except yaml.YAMLError as error:
        raise CaseFileError([Problem(SourceLocation(path), f"YAML error: {error}")]) from None
    finally:
        loader.dispose()
    return LoadedYaml(path, data, builder.locations, builder.value_locations, builder.problems, builder.comment_cuts)


def _explained(error: yaml.MarkedYAMLError, text: str) -> tuple[yaml.Mark | None, str]:
    """Where a syntax error really is, and libyaml's words for it with what an author should do."""
    mark = error.problem_mark or error.context_mark
    reason = " ".join(part for part in (error.context, error.problem) if part)
    if _character_at(text, mark) == "\t":
        return mark, "a tab character; indent with spaces, YAML does not allow tabs here"
    if error.context_mark is not None and _UNCLOSED.search(error.context or ""):
        # an unclosed [ { or quote is noticed lines later: the mistake is where it opened
        if mark is not None and mark.line != error.context_mark.line:
            reason += f" (noticed at line {mark.line + 1})"
        return error.context_mark, reason
    for place in (error.context_mark, mark):  # libyaml notices `-education` a line later
        if place is not None and _DASH_WITHOUT_SPACE.match(_line_at(text, place)):
            return place, "a list item needs a space after its `-`, as in `- education`"
    if "mapping values are not allowed" in reason or "did not find expected key" in reason:
        return mark, reason + INDENTATION_HINT
    return mark, reason


def _line_at(text: str, mark: yaml.Mark) -> str:
    lines = text.split("\n")
    return lines[mark.line] if mark.line < len(lines) else ""


def _character_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    line = _line_at(text, mark)
    return line[mark.column] if mark.column < len(line) else ""


def _line_and_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def load_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """Split a Markdown file with a `---` YAML header into (header, body)."""
    text = read_source(path)
    if text.startswith("---\n"):
        header, separator, body = text[4:].partition("\n---\n")
        if separator:
            data = yaml.safe_load(header) or {}
            if isinstance(data, dict):
                return data, body.lstrip("\n")
    return {}, text
