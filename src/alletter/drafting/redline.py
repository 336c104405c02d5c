"""`alletter redline`: the NEW version of a letter as a DOCX whose changes against the OLD one are
Word tracked changes (`w:ins`, `w:del`), word by word, for a clearance round to accept or reject.

Both versions are built as alletter builds them, so the comparison is of the letters as sent, not
of their case files. Paragraphs are matched by their text; a paragraph changed in place keeps its
style and numbering, and its words are marked inserted or deleted where they differ. A changed
paragraph's text is written as plain runs in the style of its first run (bold or a link inside it
is not kept in the redline; the letter built from the case keeps them).
"""

from __future__ import annotations

import copy
import difflib
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from ..errors import UsageError, UserError
from ..letter.docx_package import DOCUMENT, W, package_bytes, read_package, xml_bytes
from ..project.letter_project import LetterProject

AUTHOR = "alletter"
_WORDS = re.compile(r"\s+|[^\s]+")
_GIT_REVISION = re.compile(r"^(?P<revision>[^:/\\][^:]*):(?P<path>.+)$")


@dataclass(frozen=True)
class CaseVersion:
    """One version of a case file: its text, and the name it is known by (a path, or REV:path)."""

    label: str
    file_name: str
    text: bytes


def read_version(spec: str, cwd: Path) -> CaseVersion:
    """A case file on disk, or `REV:path` as git holds it at that revision (HEAD~1:cases/x.yaml)."""
    path = Path(spec)
    if path.is_file():
        return CaseVersion(spec, path.name, path.read_bytes())
    match = _GIT_REVISION.match(spec)
    if match is None:
        raise UsageError(f"{spec}: no such case file (give a path, or REV:path for a version in git)")
    completed = subprocess.run(["git", "show", spec], cwd=cwd, capture_output=True, check=False)
    if completed.returncode != 0:
        reason = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["git failed"]
        raise UsageError(f"{spec}: git cannot show it: {reason[0]}")
    return CaseVersion(spec, Path(match.group("path")).name, completed.stdout)


def build_docx(version: CaseVersion, project: LetterProject) -> tuple[bytes, date]:
    """The version's letter as a DOCX, and its date; built in a folder of its own (a version's file
    is named as it was)."""
    from ..letter.builder import LetterBuilder

    with tempfile.TemporaryDirectory(prefix="alletter-redline-") as folder:
        case = Path(folder) / "cases" / version.file_name
        case.parent.mkdir()
        case.write_bytes(version.text)
        builder = LetterBuilder(project, Path(folder) / "out", ("docx",))
        try:
            (Path(folder) / "out").mkdir()
            result = builder.build(case)
        finally:
            builder.close()
        if result.status == "failed":
            raise UserError(f"{version.label}: {result.error}".replace(str(case), version.label))
        assert result.record is not None  # written
        return result.outputs[0].read_bytes(), date.fromisoformat(result.record.summary.date)


def redline(old: bytes, new: bytes, on: date) -> bytes:
    """NEW's DOCX with its differences from OLD as tracked changes dated `on`."""
    old_parts, new_parts = read_package(old), read_package(new)
    old_body = etree.fromstring(old_parts[DOCUMENT]).find(f"{{{W}}}body")
    new_document = etree.fromstring(new_parts[DOCUMENT])
    new_body = new_document.find(f"{{{W}}}body")
    marks = _ChangeMarks(on)
    old_paragraphs, new_paragraphs = _paragraphs(old_body), _paragraphs(new_body)
    matcher = difflib.SequenceMatcher(
        None, [_text(p) for p in old_paragraphs], [_text(p) for p in new_paragraphs], autojunk=False
    )
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            continue
        olds, news = old_paragraphs[old_start:old_end], new_paragraphs[new_start:new_end]
        paired = min(len(olds), len(news)) if operation == "replace" else 0
        for before, after in zip(olds[:paired], news[:paired], strict=True):
            _mark_words(before, after, marks)
        for after in news[paired:]:
            _mark_inserted(after, marks)
        anchor = news[paired - 1] if paired else (new_paragraphs[new_start - 1] if new_start else None)
        for before in reversed(olds[paired:]):
            _insert_deleted(before, anchor, new_body, marks)
    parts = {**new_parts, DOCUMENT: xml_bytes(new_document)}
    return package_bytes(parts, (max(on.year, 1980), on.month, on.day, 0, 0, 0))


class _ChangeMarks:
    """Makes `w:ins` and `w:del` elements, each with its own id, by alletter, dated the letter's date."""

    def __init__(self, on: date) -> None:
        self.on = f"{on.isoformat()}T00:00:00Z"
        self.next_id = 1

    def make(self, kind: str) -> etree._Element:
        element = etree.Element(f"{{{W}}}{kind}")
        element.set(f"{{{W}}}id", str(self.next_id))
        element.set(f"{{{W}}}author", AUTHOR)
        element.set(f"{{{W}}}date", self.on)
        self.next_id += 1
        return element


def _paragraphs(body: etree._Element) -> list[etree._Element]:
    return list(body.iter(f"{{{W}}}p"))


def _text(paragraph: etree._Element) -> str:
    return "".join(node.text or "" for node in paragraph.iter(f"{{{W}}}t"))


def _run(text: str, properties: etree._Element | None, deleted: bool = False) -> etree._Element:
    run = etree.Element(f"{{{W}}}r")
    if properties is not None:
        run.append(copy.deepcopy(properties))
    node = etree.SubElement(run, f"{{{W}}}{'delText' if deleted else 't'}")
    node.text = text
    node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _first_run_properties(paragraph: etree._Element) -> etree._Element | None:
    run = paragraph.find(f".//{{{W}}}r")
    return None if run is None else run.find(f"{{{W}}}rPr")


def _content(paragraph: etree._Element) -> Iterator[etree._Element]:
    """Everything in the paragraph but its properties: runs, links, fields."""
    return (child for child in list(paragraph) if child.tag != f"{{{W}}}pPr")


def _mark_words(before: etree._Element, after: etree._Element, marks: _ChangeMarks) -> None:
    """Rewrite `after`'s text as runs, its words differing from `before` marked inserted or deleted."""
    properties = _first_run_properties(after)
    old_words, new_words = _WORDS.findall(_text(before)), _WORDS.findall(_text(after))
    for child in _content(after):
        after.remove(child)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            after.append(_run("".join(new_words[new_start:new_end]), properties))
            continue
        if old_end > old_start:
            deletion = marks.make("del")
            deletion.append(_run("".join(old_words[old_start:old_end]), properties, deleted=True))
            after.append(deletion)
        if new_end > new_start:
            insertion = marks.make("ins")
            insertion.append(_run("".join(new_words[new_start:new_end]), properties))
            after.append(insertion)


def _paragraph_mark(paragraph: etree._Element, mark: etree._Element) -> None:
    """Mark the paragraph itself (its end) as inserted or deleted, as Word does for whole paragraphs."""
    properties = paragraph.find(f"{{{W}}}pPr")
    if properties is None:
        properties = etree.Element(f"{{{W}}}pPr")
        paragraph.insert(0, properties)
    run_properties = properties.find(f"{{{W}}}rPr")
    if run_properties is None:
        run_properties = etree.SubElement(properties, f"{{{W}}}rPr")
    run_properties.append(mark)


def _mark_inserted(paragraph: etree._Element, marks: _ChangeMarks) -> None:
    insertion = marks.make("ins")
    for child in _content(paragraph):
        insertion.append(child)
    paragraph.append(insertion)
    _paragraph_mark(paragraph, marks.make("ins"))


def _insert_deleted(before: etree._Element, anchor: etree._Element | None, body: etree._Element, marks: _ChangeMarks) -> None:
    """A copy of an OLD paragraph that NEW no longer has, its text struck through as deleted."""
    paragraph = etree.Element(f"{{{W}}}p")
    properties = before.find(f"{{{W}}}pPr")
    if properties is not None:
        paragraph.append(copy.deepcopy(properties))
    deletion = marks.make("del")
    deletion.append(_run(_text(before), _first_run_properties(before), deleted=True))
    paragraph.append(deletion)
    _paragraph_mark(paragraph, marks.make("del"))
    if anchor is not None:
        anchor.addnext(paragraph)
    else:
        body.insert(0, paragraph)


@dataclass(frozen=True)
class Redline:
    """The redline written, and the two letters' references: different references mean two
    letters, not two versions of one, which the drafter is told."""

    path: Path
    old_reference: str
    new_reference: str


def _reference(version: CaseVersion) -> str:
    import yaml

    data = yaml.safe_load(version.text)
    return str(data.get("reference", "")).strip() if isinstance(data, dict) else ""


def redline_cases(old_spec: str, new_spec: str, out: Path, root: Path | None, cwd: Path) -> Redline:
    """Build OLD and NEW, and write NEW with its changes against OLD tracked, to `out`."""
    from ..files import write_atomic

    old, new = read_version(old_spec, cwd), read_version(new_spec, cwd)
    project = LetterProject(root) if root else LetterProject.find(Path(new_spec).parent if Path(new_spec).exists() else cwd)
    project.check_shared_files()
    (old_letter, _), (new_letter, on) = build_docx(old, project), build_docx(new, project)
    document = redline(old_letter, new_letter, on)
    write_atomic(out, document)
    return Redline(out, _reference(old), _reference(new))
