"""The typography of a case's text through `alletter render`, in the DOCX and the PDF alike: quotes
typed straight print curly as the templates' own do, a backslash keeps one straight, no line
breaks after an honorific or inside a date, links are one colour, and no page holds only the last
signature (templates/phrases.yaml's `typography`, letter/typography.py, blocks/signatures.md.j2)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, run_alletter
from textextract import pdf_pages, pdf_text

NBSP = "\u00a0"
FACT = r"""Ms. Dara's house was searched on 12 December 2022 by "officers" who cited guiding principle 13 and 'the law'. A sign read \"closed\" and \'private\'."""
# As the letter prints it: curled quotes, no-break spaces, the escaped quotes straight.
PRINTED = (
    f"Ms.{NBSP}Dara’s house was searched on 12{NBSP}December{NBSP}2022 by “officers” who cited guiding "
    f"principle{NBSP}13 and ‘the law’. A sign read \"closed\" and 'private'."
)


@pytest.fixture(scope="module")
def typed_letter(tmp_path_factory) -> Path:
    """AL OTH 1/2023 with a fact typed with straight quotes, built as DOCX and PDF."""
    import yaml
    from conftest import published_case

    root = tmp_path_factory.mktemp("typed")
    data = published_case("AL-OTH-1-2023")
    data["facts"] = [FACT, *data["facts"]]
    case = root / "AL-OTH-1-2023.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    completed = run_alletter("render", case, "--out", root / "out", "--format", "docx,pdf", "--root", REPO)
    assert completed.returncode == 0, completed.stderr
    return root / "out"


def docx_xml(path: Path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as package:
        return package.read(part).decode("utf-8")


def plain_docx_text(path: Path) -> str:
    """document.xml's text, runs joined: the characters Word shows, no-break spaces included."""
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", docx_xml(path))).replace("&quot;", '"').replace("&amp;", "&")


def test_case_quotes_are_curly_and_no_break_spaces_are_in_the_docx(typed_letter: Path) -> None:
    text = plain_docx_text(typed_letter / "AL-OTH-1-2023.docx")
    assert PRINTED in text
    assert f"Dear Mr.{NBSP}F," in text and "Dara's" not in text


def test_case_quotes_are_curly_and_no_break_spaces_are_in_the_pdf(typed_letter: Path) -> None:
    text = pdf_text(typed_letter / "AL-OTH-1-2023.pdf")
    lines_joined = re.sub(r" *\n", " ", text)  # pypdf ends a line with the space typst broke it at
    assert PRINTED in lines_joined
    assert "Dara's" not in text


def test_a_line_never_breaks_after_ms_or_inside_a_date_in_the_pdf(typed_letter: Path) -> None:
    """pypdf gives each PDF line as a line: none ends with an honorific or inside a date."""
    lines = [line.strip() for page in pdf_pages(typed_letter / "AL-OTH-1-2023.pdf") for line in page.splitlines()]
    assert not [line for line in lines if re.search(r"\b(?:Mr|Ms|Mrs|Dr)\.$", line)]
    assert not [line for line in lines if re.search(r"\b\d{1,2}$", line) and not line.isdigit()]


def hyperlink_colour_in_docx(docx: Path) -> str:
    style = re.search(r'<w:style [^>]*w:styleId="Hyperlink"[^>]*>.*?</w:style>', docx_xml(docx, "word/styles.xml"))
    assert style is not None
    colour = re.search(r'<w:color w:val="([0-9A-Fa-f]{6})"', style.group())
    assert colour is not None, style.group()
    return colour.group(1).upper()


def fill_colours_in_pdf(pdf: Path) -> set[str]:
    """Every RGB fill colour the PDF's pages set, as RRGGBB (typst writes `r g b scn` or `rg`)."""
    from pypdf import PdfReader

    colours: set[str] = set()
    for page in PdfReader(str(pdf)).pages:
        stream = page.get_contents().get_data().decode("latin-1")
        for red, green, blue in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (?:scn|rg)\b", stream):
            colours.add("".join(f"{round(float(part) * 255):02X}" for part in (red, green, blue)))
    return colours


def test_links_are_the_same_colour_in_docx_and_pdf(published_letters: Path) -> None:
    """AL OTH 10/2023 links the company's reply: the DOCX's Hyperlink style and the PDF's link text share a colour."""
    docx_colour = hyperlink_colour_in_docx(published_letters / "AL-OTH-10-2023.docx")
    assert 'w:rStyle w:val="Hyperlink"' in docx_xml(published_letters / "AL-OTH-10-2023.docx")
    assert docx_colour in fill_colours_in_pdf(published_letters / "AL-OTH-10-2023.pdf")


FILLER = "On the same day, Ms. A's colleagues reported a second threat against the newspaper's staff."


@pytest.fixture(scope="module")
def swept_letters(tmp_path_factory) -> tuple[Path, list[str]]:
    """AL OTH 1/2023 lengthened a line at a time across a page, so that in one of them the page
    would break between the text and the last signature."""
    import yaml
    from conftest import published_case

    root = tmp_path_factory.mktemp("swept")
    slugs = []
    for lines in range(45):
        data = published_case("AL-OTH-1-2023")
        data.update(reference=f"AL OTH {lines + 1}/2023", annexes=[], related=[])
        data["facts"] = [*data["facts"], *([FILLER] * lines)]
        slug = f"AL-OTH-{lines + 1}-2023"
        (root / f"{slug}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        slugs.append(slug)
    completed = run_alletter(
        "render", *sorted(root.glob("*.yaml")), "--out", root / "out", "--format", "docx,pdf", "--root", REPO
    )
    assert completed.returncode == 0, completed.stderr
    return root / "out", slugs


LAST_HOLDER = "Reem Alsalem"  # AL OTH 1/2023's last signature (violence-against-women)


def test_no_pdf_page_holds_only_the_last_signature(swept_letters: tuple[Path, list[str]]) -> None:
    out, slugs = swept_letters
    alone = []
    for slug in slugs:
        pages = pdf_pages(out / f"{slug}.pdf")
        page = next(page for page in pages if LAST_HOLDER in page)
        before = page[: page.index(LAST_HOLDER)]
        if not re.sub(r"^\s*\d+\s*", "", before).strip():  # nothing but the page number before it
            alone.append(slug)
    assert alone == []
    assert len({len(pdf_pages(out / f"{slug}.pdf")) for slug in slugs}) > 1, "the sweep crossed no page break"


def test_the_docx_keeps_the_paragraph_before_the_last_signature_with_it(swept_letters: tuple[Path, list[str]]) -> None:
    out, slugs = swept_letters
    body = docx_xml(out / f"{slugs[0]}.docx")
    paragraphs = re.findall(r"<w:p>.*?</w:p>|<w:p [^>]*>.*?</w:p>", body, re.DOTALL)
    names = [index for index, paragraph in enumerate(paragraphs) if 'w:pStyle w:val="SignatureName"' in paragraph]
    assert len(names) == 2
    for index in (names[0] - 1, names[-1] - 1):  # the closing, and the first signature's title
        assert "<w:keepNext/>" in paragraphs[index], paragraphs[index]
    assert "Please accept" in paragraphs[names[0] - 1]
