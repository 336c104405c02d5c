"""Import, stage 1 — read a letter (DOCX, PDF or plain text) into its running text.

A letter's words come out of each format with the format's own debris: a DOCX keeps the address
in page 1's footer and numbers its questions with Word's list numbering; a PDF is lines on pages,
with the address and the page numbers set small at the foot of the page; a text extracted from a
published PDF has the address and page breaks in the middle of sentences. Each reader here removes
that debris and returns the same thing: the letter's paragraphs in reading order, questions with
their numbers ("2. Please …"), and the address lines found apart from the text.
"""

from __future__ import annotations

import io
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError
from .words import docx_plain_text

LETTER_SUFFIXES = (".docx", ".pdf", ".txt", ".md")
_LIST_ITEM = re.compile(r"^(?:\d+\.|-)\s+")
_SENTENCE_END = re.compile(r"[.:;?!”’\")»]$")
_PLAIN_LINK = re.compile(r"\[([^\]]*)\]\((?:<[^>]*>|[^)\s]*)\)")
_RUNNING_TEXT = 60  # characters: shorter paragraphs are headings, references, signatures


class LetterFileError(UserError):
    """A letter that cannot be read: not there, not a letter format, or damaged."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


@dataclass
class LetterText:
    """A letter's running text: paragraphs in reading order, the address block where the format
    keeps it apart (page 1's foot), and lines taken out of the text that are neither (`unplaced`,
    each with why), which import reports rather than drops."""

    paragraphs: list[str]
    address: list[str] = field(default_factory=list)
    unplaced: list[tuple[str, str]] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)  # by number; the text calls each as `[1]`

    @property
    def words(self) -> str:
        """The letter's text as pandoc's plain text prints it, footnotes at the end: what a
        rebuild of its case is compared with."""
        notes = [f"[{number}] {text}" for number, text in self.footnotes.items()]
        return "\n\n".join([*self.paragraphs, *notes])


def read_letter(path: Path) -> LetterText:
    """The running text of a DOCX, PDF or plain-text letter, chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in LETTER_SUFFIXES:
        raise LetterFileError(path, f"not a letter alletter can read (a {', '.join(LETTER_SUFFIXES)} file)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise LetterFileError(path, error.strerror or str(error)) from None
    try:
        if suffix == ".docx":
            return read_docx(path, data)
        if suffix == ".pdf":
            return read_pdf(data)
        return read_plain_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise LetterFileError(path, "is not UTF-8 text") from None
    except Exception as error:  # a damaged file: whatever the reading library raised
        raise LetterFileError(path, f"cannot be read as a {suffix[1:].upper()} file ({error})") from None


def _clean(text: str) -> str:
    return " ".join(text.split())


# --- DOCX -------------------------------------------------------------------------------------


def read_docx(path: Path, data: bytes) -> LetterText:
    """Paragraphs as pandoc reads them (list items with the numbers Word draws), and the address
    from the footer of page 1, where alletter's DOCX keeps it."""
    import docx

    paragraphs, footnotes = _notes_apart(_plain_paragraphs(docx_plain_text(path)))
    document = docx.Document(io.BytesIO(data))
    address: list[str] = []
    for section in document.sections[:1]:
        if section.different_first_page_header_footer:
            footer = section.first_page_footer.paragraphs
            address = [_clean(line) for paragraph in footer for line in paragraph.text.splitlines() if line.strip()]
    return LetterText(paragraphs, address, footnotes=footnotes)


# A footnote as the letter's text prints it: its number in brackets (pandoc's plain text, and a PDF
# line whose raised number was joined to it), then its words.
_NOTE = re.compile(r"^\[(\d+)\]\s*(.*)$", re.DOTALL)


def _notes_apart(paragraphs: list[str]) -> tuple[list[str], dict[str, str]]:
    """The letter's paragraphs, and the footnotes pandoc's plain text prints after them ("[1] …",
    numbered from 1, each called as `[1]` in the text before them)."""
    count = 0
    while count < len(paragraphs) and _NOTE.match(paragraphs[-count - 1]):
        count += 1
    body = paragraphs[: len(paragraphs) - count]
    notes = [(found.group(1), found.group(2)) for paragraph in paragraphs[len(body) :] if (found := _NOTE.match(paragraph))]
    text = "\n\n".join(body)
    if [number for number, _ in notes] != [str(index) for index in range(1, len(notes) + 1)] or not all(
        f"[{number}]" in text for number, _ in notes
    ):
        return paragraphs, {}
    return body, dict(notes)


def _plain_paragraphs(plain: str) -> list[str]:
    """pandoc's plain text as paragraphs: blocks between blank lines; a list item's continuation
    lines (indented) belong to it."""
    return [_clean(block) for block in re.split(r"\n\s*\n", plain) if block.strip()]


# --- PDF --------------------------------------------------------------------------------------


@dataclass
class _Line:
    page: int
    x: float
    y: float
    size: float
    text: str
    extent: _Extent | None = None  # where its glyphs end, when the PDF's fonts tell


@dataclass(frozen=True)
class _Extent:
    """How wide a line of a PDF is set: where its glyphs end, the width of its first word and
    of a space in its font (all in points), from the fonts' glyph widths."""

    end: float
    first_word: float
    space: float


@dataclass(frozen=True)
class _FontWidths:
    """A font's glyph widths (in thousandths of the size) by character code, and its space's codes."""

    code_bytes: int
    widths: dict[int, float]
    default: float
    spaces: frozenset[int]

    def advance(self, operand: Any) -> tuple[float, float | None]:
        """What a Tj or TJ operand advances (in thousandths of the size), and how far its first
        word goes (None: it has no space)."""
        advance, first_word = 0.0, None
        for piece in operand if isinstance(operand, list) else [operand]:
            if isinstance(piece, bytes):
                for index in range(0, len(piece) - self.code_bytes + 1, self.code_bytes):
                    code = int.from_bytes(piece[index : index + self.code_bytes], "big")
                    if code in self.spaces and first_word is None:
                        first_word = advance
                    advance += self.widths.get(code, self.default)
            else:
                advance -= float(piece)
        return advance, first_word

    @property
    def space(self) -> float:
        """A space's width; where the font maps no code to a space, a quarter of the size (as a
        space of Times and of Libertinus Serif is)."""
        return self.widths.get(min(self.spaces), self.default) if self.spaces else 250.0


_CMAP_SECTION = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.DOTALL)
_CMAP_ENTRY = re.compile(rb"^[ \t]*<([0-9A-Fa-f]+)>[ \t]*<([0-9A-Fa-f]+)>(?:[ \t]*<([0-9A-Fa-f]+)>)?", re.MULTILINE)


def _font_widths(font: Any) -> _FontWidths | None:
    """A font's widths as its dictionary gives them: a composite (Type0) font's /W of its
    descendant, or a simple font's /Widths; the codes of its spaces from its /ToUnicode map.
    None for a font that keeps them elsewhere (a Type3's procedures)."""
    if font.get("/Subtype") == "/Type0":
        descendant = font["/DescendantFonts"][0].get_object()
        widths: dict[int, float] = {}
        entries = list(descendant.get("/W", []))
        while len(entries) >= 2:
            first, second = int(entries[0]), entries[1].get_object()
            if isinstance(second, list):
                widths.update((first + offset, float(width)) for offset, width in enumerate(second))
                entries = entries[2:]
            else:
                widths.update((code, float(entries[2])) for code in range(first, int(second) + 1))
                entries = entries[3:]
        code_bytes, default = 2, float(descendant.get("/DW", 1000))
    elif "/Widths" in font:
        first_char = int(font.get("/FirstChar", 0))
        widths = {first_char + offset: float(width) for offset, width in enumerate(font["/Widths"])}
        code_bytes, default = 1, 0.0
    else:
        return None
    spaces = {32} if code_bytes == 1 else set()
    if "/ToUnicode" in font:
        for kind, entries_text in _CMAP_SECTION.findall(font["/ToUnicode"].get_object().get_data()):
            for first_code, second, third in _CMAP_ENTRY.findall(entries_text):
                low, high, target = (
                    (int(first_code, 16), int(second, 16), int(third, 16))
                    if kind == b"bfrange" and third
                    else (int(first_code, 16), int(first_code, 16), int(second, 16))
                )
                if target <= 0x20 <= target + high - low:
                    spaces.add(low + 0x20 - target)
    return _FontWidths(code_bytes, widths, default, frozenset(spaces))


class _Measure:
    """Collects, as pypdf runs a page's operators, each baseline's extent: the end of its last
    glyph, the width of the first word of its leftmost run, and a space's width."""

    def __init__(self, page: Any) -> None:
        resources = page.get("/Resources")
        self._fonts = resources.get_object().get("/Font", {}) if resources else {}
        self._known: dict[str, _FontWidths | None] = {}
        self._font: tuple[_FontWidths | None, float] = (None, 0.0)
        self._runs: dict[float, list[tuple[float, float, float | None, float]]] = {}

    def visit(self, operator: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        from pypdf import mult

        if operator == b"Tf" and len(operands) == 2:
            name = str(operands[0])
            if name not in self._known:
                self._known[name] = _font_widths(self._fonts[name].get_object()) if name in self._fonts else None
            self._font = (self._known[name], float(operands[1]))
        elif operator in (b"Tj", b"TJ") and operands and self._font[0] is not None:
            widths, size = self._font[0], self._font[1]
            matrix = mult(tm, cm)
            scale = size * matrix[0] / 1000
            advance, first_word = widths.advance(operands[0])
            self._runs.setdefault(round(matrix[5], 1), []).append(
                (matrix[4], matrix[4] + advance * scale, None if first_word is None else first_word * scale, widths.space * scale)
            )

    def extents(self) -> dict[float, _Extent]:
        extents = {}
        for y, found in self._runs.items():
            first = min(found)
            extents[y] = _Extent(
                max(run[1] for run in found), first[2] if first[2] is not None else first[1] - first[0], first[3]
            )
        return extents


def _page_runs(page: Any, *, measured: bool) -> tuple[list[tuple[float, float, float, str]], dict[float, _Extent]]:
    """A page's runs of text: baseline, left edge, size (scaled as drawn) and text; with
    `measured`, each baseline's extent too, in the same pass over the page."""
    from pypdf import mult

    runs: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            matrix = mult(tm, cm)
            runs.append((round(matrix[5], 1), matrix[4], size * abs(matrix[0]) if matrix[0] else size, text))

    measure = _Measure(page) if measured else None
    page.extract_text(visitor_text=visit, visitor_operand_before=measure.visit if measure else None)
    return runs, measure.extents() if measure else {}


def _pdf_lines(data: bytes) -> list[list[_Line]]:
    """Each page's lines, top to bottom: runs of text on the same baseline, left to right."""
    from pypdf import PdfReader

    pages: list[list[_Line]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        by_baseline: dict[float, list[tuple[float, float, float, str]]] = {}
        runs, extents = _page_runs(page, measured=number == 0)  # page 1's foot is the address
        for run in runs:
            by_baseline.setdefault(run[0], []).append(run)
        _join_raised_numbers(by_baseline)
        lines = []
        for y in sorted(by_baseline, reverse=True):
            pieces = sorted(by_baseline[y], key=lambda run: run[1])
            text = "".join(piece[3] for piece in pieces)
            lines.append(_Line(number, pieces[0][1], y, max(piece[2] for piece in pieces), _clean(text), extents.get(y)))
        pages.append(lines)
    return pages


_RAISED = 0.6  # of the line's size: how far above its baseline a footnote's number is set (typst: 0.4 measured)
_SMALLER = 0.85  # of the line's size: a footnote's number is set smaller (typst: 0.65 measured)


def _join_raised_numbers(by_baseline: dict[float, list[tuple[float, float, float, str]]]) -> None:
    """A footnote's number, set small just above the baseline of the line that calls it (or of
    its note's first line), joined to that line where it stands, as `[1]`: how pandoc's plain
    text of the DOCX prints a call, so that both formats come to the same text."""
    for y in sorted(by_baseline):
        runs = by_baseline[y]
        if not all(run[3].strip().isdigit() for run in runs):
            continue
        size = max(run[2] for run in runs)
        line = next(
            (low for low in sorted(by_baseline, reverse=True) if low < y <= low + _RAISED * max(r[2] for r in by_baseline[low])),
            None,
        )
        if line is not None and size < _SMALLER * max(run[2] for run in by_baseline[line]):
            by_baseline[line].extend((line, x, size, f"[{text.strip()}]") for _, x, size, text in runs)
            del by_baseline[y]


def _notes_in_foot(foot: list[_Line]) -> tuple[list[_Line], dict[str, str]]:
    """The lines of a page's foot that are not footnotes, and the footnotes: a line that begins
    with its number (`[1]`, joined above), and the lines after it in its size (an address, a
    page number, are set in another)."""
    rest: list[_Line] = []
    notes: dict[str, list[str]] = {}
    current: tuple[str, float] | None = None
    for line in foot:
        start = _NOTE.match(line.text)
        if start:
            current = (start.group(1), round(line.size, 1))
            notes[current[0]] = [start.group(2)]
        elif current is not None and round(line.size, 1) == current[1]:
            notes[current[0]].append(line.text)
        else:
            rest.append(line)
    return rest, {number: _joined(lines) for number, lines in notes.items()}


def read_pdf(data: bytes) -> LetterText:
    """Lines into paragraphs by the page's geometry: a paragraph begins where the gap above a line
    is wider than the leading, or, at the top of a page, where its first line is indented. Below
    the text, in a smaller size than the body's, page 1 has the address and later pages their number."""
    pages = _pdf_lines(data)
    body_size = statistics.mode([round(line.size, 1) for page in pages for line in page] or [12.0])
    result = LetterText([])
    current: list[str] = []
    split = [_split_foot(page, body_size) for page in pages]
    lowest = min((line.y for body, _ in split for line in body), default=0.0)
    leading = _leading([body for body, _ in split])
    previous: _Line | None = None
    for number, (body, whole_foot) in enumerate(split):
        foot, notes = _notes_in_foot(whole_foot)
        result.footnotes.update(notes)
        if number == 0:  # later pages' feet hold their numbers
            result.address = _unwrapped(foot, _justified_edge(body))
        left = min((line.x for line in body), default=0.0)
        for index, line in enumerate(body):
            if index == 0:  # a paragraph runs on from the page before only if that page was full
                full = previous is not None and previous.y < lowest + 1.5 * leading
                starts = line.x > left + 1.0 or not full
            else:
                starts = line.y < body[index - 1].y - 1.2 * leading
            if starts and current:
                result.paragraphs.append(_joined(current))
                current = []
            current.append(line.text)
        previous = body[-1] if body else previous
    if current:
        result.paragraphs.append(_joined(current))
    return result


def _split_foot(lines: list[_Line], body_size: float) -> tuple[list[_Line], list[_Line]]:
    """The page's text, and the lines below it set smaller than the body (address or page number)."""
    body_lines = [line for line in lines if round(line.size, 1) >= body_size]
    if not body_lines:
        return lines, []
    lowest = min(line.y for line in body_lines)
    foot = [line for line in lines if line.y < lowest and round(line.size, 1) < body_size]
    return [line for line in lines if line not in foot], foot


def _justified_edge(body: list[_Line]) -> float:
    """Where the justified body's lines end: the end most of them share. Not the farthest end,
    which a comma or a hyphen hanging into the margin (typst's overhang) pushes out by a point or
    two, so that a long address line wrapped before a short word would be read as two lines."""
    ends = [round(line.extent.end, 1) for line in body if line.extent]
    return float(statistics.mode(ends)) if ends else 0.0


def _unwrapped(lines: list[_Line], right: float) -> list[str]:
    """Lines set flush left (the address) as the lines they were written as: one that wrapped at
    the right edge `right` is continued by the next."""
    texts: list[str] = []
    for index, line in enumerate(lines):
        if index and _wrapped(lines[index - 1], line, right):
            texts[-1] = _joined([texts[-1], line.text])
        else:
            texts.append(line.text)
    return texts


def _wrapped(line: _Line, following: _Line, right: float) -> bool:
    """Whether `following` continues `line`. typst breaks a ragged line at the last space where
    the line still fits, so a line the next word would have fitted after ended with a line break
    of its own; one it would not fit after may have wrapped. The edge is the justified body's, and
    half a point absorbs the rounding of the widths."""
    if line.extent is None or following.extent is None or not right:
        return False
    space = 0.0 if line.text.endswith("-") else line.extent.space
    return line.extent.end + space + following.extent.first_word > right + 0.5


def _leading(pages: list[list[_Line]]) -> float:
    """The distance between the baselines of a paragraph's lines: the most common gap in the letter."""
    gaps = [
        round(above.y - below.y) for lines in pages for above, below in zip(lines, lines[1:], strict=False) if above.y > below.y
    ]
    return float(statistics.mode(gaps)) if gaps else 14.0


def _joined(lines: Iterable[str]) -> str:
    """Lines of one paragraph as one line: a line ending in a hyphen ("China-") is continued
    without a space (typst breaks after hyphens but never hyphenates a word itself)."""
    text = ""
    for line in lines:
        text += line if (not text or text.endswith("-")) else " " + line
    return _clean(text)


# --- plain text -------------------------------------------------------------------------------


def read_plain_text(text: str) -> LetterText:
    """A letter as text, as extracted from a published PDF: paragraphs between blank lines, a list
    item per line; Markdown links and bold kept as their text. A sentence cut by a blank line and
    continued in lower case was cut by a page break, and the short lines that interrupt the first
    such sentence are page 1's foot: the address."""
    text = _PLAIN_LINK.sub(lambda match: match.group(1), text).replace("**", "")
    blocks: list[list[str]] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        paragraph: list[str] = []
        for line in lines:
            if _LIST_ITEM.match(line) and paragraph:
                blocks.append(paragraph)
                paragraph = []
            paragraph.append(re.sub(r"^-\s+", "", line))
        blocks.append(paragraph)
    paragraphs = [" ".join(block) for block in blocks]
    return _mend_page_breaks([_clean(paragraph) for paragraph in paragraphs])


def _mend_page_breaks(paragraphs: list[str]) -> LetterText:
    result = LetterText([])
    index = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        # A sentence cut by the page's foot: a line of running text (not a heading or a reference line).
        if following is not None and len(paragraph) >= _RUNNING_TEXT and not _SENTENCE_END.search(paragraph):
            if _continues(following):
                paragraphs[index + 1] = paragraph + " " + following
                index += 1
                continue
            after = paragraphs[index + 2] if index + 2 < len(paragraphs) else None
            if after is not None and _continues(after) and len(following) < 120:
                if not result.address:
                    result.address = [following]
                else:
                    result.unplaced.append((following, "a line interrupting a sentence, after the address"))
                paragraphs[index + 2] = paragraph + " " + after
                index += 2
                continue
        result.paragraphs.append(paragraph)
        index += 1
    return result


def _continues(paragraph: str) -> bool:
    """A paragraph that begins in the middle of a sentence."""
    return bool(paragraph) and paragraph[0].islower()
