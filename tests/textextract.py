"""Text of generated letters as a reader sees it: DOCX paragraphs with their list numbers, PDF pages.

python-docx gives a paragraph's runs but not the number Word draws before a list item, so the
numbers are computed here from numbering.xml, the way Word counts them.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.oxml.ns import qn
from pypdf import PdfReader


@dataclass
class _Level:
    start: int = 1
    number_format: str = "decimal"
    text: str = "%1."


@dataclass
class _Numbering:
    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)
    counters: dict[tuple[str, int], int] = field(default_factory=dict)

    def label(self, num_id: str, level: int) -> str:
        definition = self.levels.get(num_id, {}).get(level, _Level())
        count = self.counters.get((num_id, level), definition.start - 1) + 1
        self.counters[(num_id, level)] = count
        for deeper in [key for key in self.counters if key[0] == num_id and key[1] > level]:
            del self.counters[deeper]
        if definition.number_format == "bullet":
            return ""
        return definition.text.replace(f"%{level + 1}", _format_number(count, definition.number_format))


def _format_number(count: int, number_format: str) -> str:
    if number_format == "lowerLetter":
        return chr(ord("a") + count - 1)
    if number_format == "upperLetter":
        return chr(ord("A") + count - 1)
    if number_format in ("lowerRoman", "upperRoman"):
        numerals = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"]
        roman = numerals[count - 1]
        return roman.upper() if number_format == "upperRoman" else roman
    return str(count)


def _read_numbering(document) -> _Numbering:
    numbering = _Numbering()
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return numbering
    abstract: dict[str, dict[int, _Level]] = {}
    for abstract_num in root.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in abstract_num.findall(qn("w:lvl")):
            level = _Level()
            if (start := lvl.find(qn("w:start"))) is not None:
                level.start = int(start.get(qn("w:val")))
            if (fmt := lvl.find(qn("w:numFmt"))) is not None:
                level.number_format = fmt.get(qn("w:val"))
            if (text := lvl.find(qn("w:lvlText"))) is not None:
                level.text = text.get(qn("w:val"))
            levels[int(lvl.get(qn("w:ilvl")))] = level
        abstract[abstract_num.get(qn("w:abstractNumId"))] = levels
    for num in root.findall(qn("w:num")):
        abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        levels = {key: _Level(**vars(value)) for key, value in abstract.get(abstract_id, {}).items()}
        for override in num.findall(qn("w:lvlOverride")):
            start = override.find(qn("w:startOverride"))
            level = int(override.get(qn("w:ilvl")))
            if start is not None and level in levels:
                levels[level].start = int(start.get(qn("w:val")))
        numbering.levels[num.get(qn("w:numId"))] = levels
    return numbering


def _numbering_properties(paragraph) -> tuple[str, int] | None:
    properties = paragraph._p.pPr
    num_pr = properties.numPr if properties is not None else None
    if num_pr is None and paragraph.style is not None:
        style_pr = paragraph.style.element.pPr
        num_pr = style_pr.numPr if style_pr is not None else None
    if num_pr is None or num_pr.numId is None:
        return None
    level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    return str(num_pr.numId.val), int(level)


def docx_paragraphs(source: Path | bytes) -> list[str]:
    """Body paragraphs in order, each prefixed with the list number Word would draw."""
    document = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    numbering = _read_numbering(document)
    lines = []
    for paragraph in document.paragraphs:
        found = _numbering_properties(paragraph)
        label = numbering.label(*found) if found else ""
        lines.append(f"{label} {paragraph.text}".strip() if label else paragraph.text)
    return lines


def docx_text(source: Path | bytes) -> str:
    return "\n".join(docx_paragraphs(source))


def docx_footer_text(source: Path | bytes) -> str:
    """The footers' text: page 1's holds the recipient's address block."""
    document = docx.Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    footers = [footer for section in document.sections for footer in (section.first_page_footer, section.footer)]
    return "\n".join(paragraph.text for footer in footers for paragraph in footer.paragraphs)


def pdf_pages(source: Path | bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    return [page.extract_text() or "" for page in reader.pages]


def pdf_text(source: Path | bytes) -> str:
    return "\n".join(pdf_pages(source))


def pdf_running_text(source: Path | bytes, address: list[str]) -> str:
    """The letter's running text in the PDF, without what stands between a sentence's words where
    it runs onto the next page: the address at the foot of page 1 and the page numbers."""
    pages = [" ".join(page.split()) for page in pdf_pages(source)]
    pages = [pages[0], *(re.sub(rf" ?{number}$", "", page) for number, page in enumerate(pages[1:], start=2))]
    return " ".join(pages).replace(" ".join(" ".join(address).split()), " ", 1)


def reference_words(reference_text: str, address_lines: list[str]) -> list[str]:
    """The words of a published letter, without what its README calls extraction artefacts."""
    lines = [line for line in reference_text.splitlines() if line.strip() not in address_lines]
    text = "\n".join(re.sub(r"^- ", "", line) for line in lines)
    text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)
    text = text.replace("**", "")
    return text.split()


@dataclass
class WordComparison:
    missing: list[str]
    extra: list[str]


def compare_words(expected: list[str], actual_text: str) -> WordComparison:
    """Which expected words are missing from the actual text, in order, and what it adds."""
    actual = actual_text.split()
    matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
    missing, extra = [], []
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            missing.extend(expected[a_start:a_end])
        if tag in ("insert", "replace"):
            extra.extend(actual[b_start:b_end])
    return WordComparison(missing, extra)
