"""The letters' structure, not just their words: Word styles, numbering and footers in the DOCX;
PDF/A, tags, metadata, links and page breaks in the PDF; the PNG preview; the reference document."""

from __future__ import annotations

import importlib.util
import io
import os
import random
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import docx
import pytest
import yaml
from conftest import PUBLISHED, REPO, published_case, run_alletter
from docx.oxml.ns import qn
from pypdf import PdfReader
from textextract import pdf_pages

STYLES_IN_EVERY_LETTER = {
    "Letter Header",
    "Reference",
    "Date",
    "Salutation",
    "Body Text",
    "Question",
    "Signature Name",
    "Signature Title",
    "Annex Label",
    "Annex Title",
}


def settings() -> dict:
    return yaml.safe_load((REPO / "templates" / "settings.yaml").read_text(encoding="utf-8"))


# --- DOCX ---------------------------------------------------------------------------------------


def open_docx(published_letters: Path, slug: str):
    return docx.Document(str(published_letters / f"{slug}.docx"))


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_docx_paragraphs_carry_the_named_styles(published_letters: Path, slug: str) -> None:
    document = open_docx(published_letters, slug)
    used = {paragraph.style.name for paragraph in document.paragraphs}
    assert STYLES_IN_EVERY_LETTER <= used
    unstyled = [p.text[:40] for p in document.paragraphs if p._p.pPr is None or p._p.pPr.pStyle is None]
    assert unstyled == []


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_docx_questions_are_a_word_numbered_list(published_letters: Path, slug: str) -> None:
    questions = [p for p in open_docx(published_letters, slug).paragraphs if p.style.name == "Question"]
    assert len(questions) == len(published_case(slug)["questions"])
    assert all(p._p.pPr.numPr is not None for p in questions)
    assert len({p._p.pPr.numPr.numId.val for p in questions}) == 1, "one list, numbered 1, 2, 3 …"


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_docx_footer_numbers_pages_with_a_page_field(published_letters: Path, slug: str) -> None:
    section = open_docx(published_letters, slug).sections[0]
    instructions = " ".join(node.text or "" for node in section.footer._element.iter(qn("w:instrText")))
    simple = [node.get(qn("w:instr")) for node in section.footer._element.iter(qn("w:fldSimple"))]
    assert "PAGE" in instructions.split() or any("PAGE" in instr for instr in simple)


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_docx_page_one_has_its_own_footer_with_the_address(published_letters: Path, slug: str) -> None:
    document = open_docx(published_letters, slug)
    section = document.sections[0]
    assert section.different_first_page_header_footer
    address = published_case(slug)["recipient"]["address"]
    assert [p.text for p in section.first_page_footer.paragraphs] == address
    assert {p.style.name for p in section.first_page_footer.paragraphs} == {"Address"}
    assert not any(p.style.name == "Address" for p in document.paragraphs)


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_docx_page_and_properties(published_letters: Path, slug: str) -> None:
    document = open_docx(published_letters, slug)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    properties = document.core_properties
    assert properties.title == published_case(slug)["reference"]
    assert properties.subject == settings()["document_subject"]
    assert properties.language == "en-GB"
    default_language = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert default_language.get(qn("w:val")) == "en-GB"


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_docx_annex_starts_a_new_page(published_letters: Path, slug: str) -> None:
    document = open_docx(published_letters, slug)
    label = next(p for p in document.paragraphs if p.style.name == "Annex Label")
    assert label.text == "Annex"
    assert label.style.paragraph_format.page_break_before


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_committed_reference_docx_is_what_the_script_makes() -> None:
    script = load_script("make_reference_docx")
    spec = yaml.safe_load(script.SPEC.read_text(encoding="utf-8"))
    built = script.build_reference_docx(spec, script.default_reference())
    assert (REPO / "templates" / "reference.docx").read_bytes() == built, "run `make reference-docx`"
    styles = {style.name for style in docx.Document(io.BytesIO(built)).styles}
    assert {style["name"] for style in spec["styles"]} <= styles


# --- PDF ----------------------------------------------------------------------------------------


def open_pdf(published_letters: Path, slug: str) -> PdfReader:
    return PdfReader(str(published_letters / f"{slug}.pdf"))


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_pdf_is_pdfa_2b_and_tagged(published_letters: Path, slug: str) -> None:
    reader = open_pdf(published_letters, slug)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"<pdfaid:part>2</pdfaid:part>|pdfaid:part=\"2\"", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>|pdfaid:conformance=\"B\"", xmp)
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_pdf_title_language_and_date(published_letters: Path, slug: str) -> None:
    reader = open_pdf(published_letters, slug)
    case = published_case(slug)
    assert reader.metadata.title == case["reference"]
    assert reader.metadata.subject == settings()["document_subject"]
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata["/CreationDate"].startswith(f"D:{case['date']:%Y%m%d}")


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_pdf_embeds_every_font(published_letters: Path, slug: str) -> None:
    for page in open_pdf(published_letters, slug).pages:
        for font in page["/Resources"]["/Font"].values():
            for descendant in font.get_object().get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"]
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor)


def link_targets(reader: PdfReader) -> set[str]:
    return {
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    }


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_pdf_links_the_reporting_website(published_letters: Path, slug: str) -> None:
    assert settings()["communications_website"] in link_targets(open_pdf(published_letters, slug))


def test_pdf_links_every_url_the_case_gives(write_case, tmp_path: Path) -> None:
    links = {
        "CHN": "https://spcommreports.ohchr.org/TMResultsBase/DownLoadFile?gId=36290",
        "MEX": "https://spcommreports.ohchr.org/TMResultsBase/DownLoadFile?gId=36291",
    }
    follow_up = published_case("AL-OTH-11-2023")["follow_up"]
    follow_up["link"] = "https://spcommreports.ohchr.org/TMResultsBase/DownLoadPublicCommunicationFile?gId=26183"
    follow_up["other_replies"]["governments"] = [{"code": code, "link": url} for code, url in links.items()]
    case = write_case({"follow_up": follow_up})
    completed = run_alletter("render", case, "--root", REPO, "--out", tmp_path / "out", "--format", "pdf")
    assert completed.returncode == 0, completed.stderr
    targets = link_targets(PdfReader(str(tmp_path / "out" / "AL-OTH-11-2023.pdf")))
    assert {*links.values(), follow_up["link"]} <= targets


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_pdf_pages_address_numbers_and_annex(published_letters: Path, slug: str) -> None:
    pages = pdf_pages(published_letters / f"{slug}.pdf")
    assert pages[0].split()[-len(PUBLISHED[slug][0].split()) :] == PUBLISHED[slug][0].split(), "address at the foot of page 1"
    for number, text in enumerate(pages[1:], start=2):
        assert text.split()[-1] == str(number)
    annex = [number for number, text in enumerate(pages, start=1) if text.split()[0] == "Annex"]
    assert len(annex) == 1 and annex[0] > 1


# The DOCX's fonts and the free fonts of the same metrics the PDF is set in (templates/fonts/).
METRIC_COMPATIBLE = {"Times New Roman": "LiberationSerif"}
MAX_PAGE_BREAK_DRIFT = 10  # words (less than a line) between LibreOffice's page break in the DOCX and the PDF's


def pdf_font_names(path: Path) -> set[str]:
    """The PDF's fonts by PostScript name, without the subset tag ("ABCDEF+")."""
    return {
        str(font.get_object()["/BaseFont"]).lstrip("/").partition("+")[2] or str(font.get_object()["/BaseFont"]).lstrip("/")
        for page in PdfReader(str(path)).pages
        for font in page["/Resources"].get("/Font", {}).values()
    }


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_pdf_is_set_in_a_font_metric_compatible_with_the_docx(published_letters: Path, slug: str) -> None:
    document = open_docx(published_letters, slug)
    fonts = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    body_font = fonts.get(qn("w:ascii"))
    assert body_font == "Times New Roman"
    names = pdf_font_names(published_letters / f"{slug}.pdf")
    family = METRIC_COMPATIBLE[body_font]
    assert names and all(name.startswith(family) for name in names), names  # bold included, nothing else
    assert family in names


def test_pdf_is_set_in_the_projects_fonts_not_the_systems(project_copy: Path, tmp_path: Path) -> None:
    # Without templates/fonts/ typst has only its own fonts: the PDF falls back to one of them,
    # whatever fonts the system has.
    shutil.rmtree(project_copy / "templates" / "fonts")
    case = project_copy / "cases" / "AL-OTH-11-2023.yaml"
    completed = run_alletter("render", case, "--out", tmp_path, "--format", "pdf")
    assert completed.returncode == 0, completed.stderr
    names = pdf_font_names(tmp_path / "AL-OTH-11-2023.pdf")
    assert names and not any(name.startswith("Liberation") for name in names)


def page_starts(path: Path) -> list[int]:
    """The index, among the letter's words, of each page's first word."""
    starts, count = [], 0
    for page in pdf_pages(path):
        starts.append(count)
        count += len(page.split())
    return starts


def libreoffice_pdfs(letters: Path, out: Path) -> Path:
    """LibreOffice's PDF of each DOCX in `letters`, in `out`. LibreOffice is given the project's
    fonts: Times New Roman is set as Liberation Serif on a machine without it, as in the PDF,
    whatever fonts the system has. Skips the test where LibreOffice is not installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not on PATH: the DOCX's pages cannot be counted")
    fonts_conf = out / "fonts.conf"
    out.mkdir(parents=True, exist_ok=True)
    fonts_conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{REPO / 'templates' / 'fonts'}</dir>\n  <cachedir>{out / 'fontconfig'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    docx_files = sorted(letters.glob("*.docx"))
    subprocess.run(
        [soffice, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(out / "lo"), *map(str, docx_files)],
        env={**os.environ, "FONTCONFIG_FILE": str(fonts_conf)},
        capture_output=True,
        check=True,
        timeout=600,
    )
    assert sorted(path.stem for path in (out / "lo").glob("*.pdf")) == [path.stem for path in docx_files]
    return out / "lo"


def assert_same_pages(pdf: Path, docx_in_libreoffice: Path) -> None:
    ours, theirs = page_starts(pdf), page_starts(docx_in_libreoffice)
    assert len(ours) == len(theirs), "as many pages in the PDF as in the DOCX"
    for number, (our_start, their_start) in enumerate(zip(ours, theirs, strict=True), start=1):
        drift = our_start - their_start
        assert abs(drift) <= MAX_PAGE_BREAK_DRIFT, f"page {number} starts {drift:+} words off the DOCX's"


@pytest.fixture(scope="module")
def example_letters_in_libreoffice(tmp_path_factory) -> tuple[Path, Path]:
    """Every example letter in cases/, built by `alletter build`, and LibreOffice's PDF of each DOCX."""
    out = tmp_path_factory.mktemp("examples")
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice (soffice) is not on PATH: the DOCX's pages cannot be counted")
    completed = run_alletter("build", "--out", out / "dist", cwd=REPO)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return out / "dist", libreoffice_pdfs(out / "dist", out)


EXAMPLES = sorted(path.stem for path in (REPO / "cases").glob("*.yaml"))


@pytest.mark.parametrize("slug", EXAMPLES)
def test_pdf_has_the_pages_libreoffice_gives_the_docx(example_letters_in_libreoffice: tuple[Path, Path], slug: str) -> None:
    built, in_libreoffice = example_letters_in_libreoffice
    assert_same_pages(built / f"{slug}.pdf", in_libreoffice / f"{slug}.pdf")


def test_a_letterhead_moves_the_text_alike_in_pdf_and_docx(project_copy: Path, tmp_path: Path) -> None:
    import typst

    # a letterhead 2 cm high, in page 1's header in the DOCX: taller than the top margin leaves
    use_letterhead(
        project_copy, "letterhead.png", typst.compile(b"#set page(width: 8cm, height: 2cm, fill: blue)\n", format="png")
    )
    completed = run_alletter("build", "--out", tmp_path / "dist", cwd=project_copy)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    in_libreoffice = libreoffice_pdfs(tmp_path / "dist", tmp_path)
    for slug in PUBLISHED:
        assert_same_pages(tmp_path / "dist" / f"{slug}.pdf", in_libreoffice / f"{slug}.pdf")


HYPHENATED_WORDS = [
    "self-generated",
    "Łódź-based",
    "non-State(s)",
    "(K-Brooks),",
    "co-operation",
    "x-ray",
    "mandate-holder(s)",
    "#a-b",
    "child-friendly",
    "Ωμέγα-πρόσωπο",
    "well-known-and-long-standing",
]


def test_pdf_never_breaks_a_hyphenated_word_across_lines(write_case, tmp_path: Path) -> None:
    # Enough hyphenated words, in a random but repeatable order, that many lines end where one could break.
    words = random.Random(7).choices(HYPHENATED_WORDS, k=150)
    case = write_case({"questions": ["Hyphenated: " + " ".join(words)]})
    completed = run_alletter("render", case, "--root", REPO, "--out", tmp_path / "out", "--format", "pdf")
    assert completed.returncode == 0, completed.stderr
    pages = pdf_pages(tmp_path / "out" / "AL-OTH-11-2023.pdf")
    text = "\n".join(re.sub(r"\n\d+$", "", page) for page in pages)  # without the page numbers
    start = text.index("Hyphenated:")
    question_lines = text[start:].splitlines()[:12]
    assert len(question_lines) >= 10
    assert [line for line in question_lines if re.search(r"\w-$", line)] == []
    assert " ".join(text[start:].split()).startswith("Hyphenated: " + " ".join(words))


# --- PNG preview --------------------------------------------------------------------------------


def test_png_preview_is_page_one(tmp_path: Path) -> None:
    completed = run_alletter("render", REPO / "cases" / "AL-OTH-11-2023.yaml", "--out", tmp_path, "--format", "png")
    assert completed.returncode == 0, completed.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["AL-OTH-11-2023-page1.png"]
    data = (tmp_path / "AL-OTH-11-2023-page1.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert abs(height / width - 297 / 210) < 0.01, "one A4 page"


def use_letterhead(project: Path, name: str, image: bytes | None) -> None:
    """Name `name` as the project's letterhead in settings.yaml, with `image` as its content (None: absent)."""
    if image is not None:
        (project / "templates" / name).write_bytes(image)
    settings_file = project / "templates" / "settings.yaml"
    settings_file.write_text(settings_file.read_text(encoding="utf-8").replace("letterhead: null", f"letterhead: {name}"))


def test_letterhead_from_settings_heads_page_one(project_copy: Path, tmp_path: Path) -> None:
    import typst

    use_letterhead(
        project_copy, "letterhead.png", typst.compile(b"#set page(width: 4cm, height: 1cm, fill: blue)\n", format="png", ppi=72.0)
    )
    completed = run_alletter("render", project_copy / "cases" / "AL-OTH-11-2023.yaml", "--out", tmp_path, "--format", "pdf")
    assert completed.returncode == 0, completed.stderr
    pages = PdfReader(str(tmp_path / "AL-OTH-11-2023.pdf")).pages
    assert any(obj.get_object()["/Subtype"] == "/Image" for obj in pages[0]["/Resources"]["/XObject"].values())
    assert "/XObject" not in pages[1]["/Resources"]


@pytest.mark.parametrize(
    "name, image",
    [
        (
            "letterhead.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20"><rect width="80" height="20" fill="blue"/></svg>',
        ),
        ("emblem.png", None),  # made by typst in the test
    ],
)
def test_letterhead_heads_page_one_of_the_docx_at_the_pdfs_size(
    project_copy: Path, tmp_path: Path, name: str, image: bytes | None
) -> None:
    import typst

    image = image or typst.compile(b"#set page(width: 4cm, height: 1cm, fill: blue)\n", format="png", ppi=72.0)
    use_letterhead(project_copy, name, image)
    completed = run_alletter("render", project_copy / "cases" / "AL-OTH-11-2023.yaml", "--out", tmp_path, "--format", "docx")
    assert completed.returncode == 0, completed.stderr
    document = docx.Document(str(tmp_path / "AL-OTH-11-2023.docx"))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    header = section.first_page_header
    assert not header.is_linked_to_previous
    pictures = header._element.xpath(".//pic:pic")
    assert len(pictures) == 1 and header.paragraphs[0].alignment == 1  # centred
    extent = header._element.xpath(".//wp:extent")[0]
    assert abs(int(extent.get("cy")) - 720_000) < 5_000, "2 cm high, as in the PDF"  # 360,000 EMU per cm
    assert abs(int(extent.get("cx")) / int(extent.get("cy")) - 4) < 0.05, "the image's proportions"
    embedded = header.part.related_parts[pictures[0].xpath(".//a:blip")[0].get(qn("r:embed"))]
    assert embedded.blob[:8] == b"\x89PNG\r\n\x1a\n"
    assert not section.header._element.xpath(".//pic:pic"), "pages 2 on have no letterhead"
    assert [p.text for p in section.first_page_footer.paragraphs] == ["Omegle LCC"], "the address stays"


def test_a_missing_letterhead_fails_the_letter_with_its_name(project_copy: Path, tmp_path: Path) -> None:
    use_letterhead(project_copy, "emblem.png", None)
    case, out = project_copy / "cases" / "AL-OTH-11-2023.yaml", tmp_path / "out"
    for output_format in ("pdf", "docx"):
        completed = run_alletter("render", case, "--out", out, "--format", output_format)
        assert completed.returncode == 1
        assert "letterhead" in completed.stderr and "emblem.png" in completed.stderr
        assert "Traceback" not in completed.stderr
    assert not out.exists() or list(out.iterdir()) == []


def test_a_missing_blocks_module_fails_each_pdf_in_one_line(project_copy: Path, tmp_path: Path) -> None:
    (project_copy / "templates" / "letter-blocks.typ").unlink()
    completed = run_alletter("build", "--out", tmp_path / "dist", cwd=project_copy)
    assert completed.returncode == 1
    failures = [line for line in (completed.stdout + completed.stderr).splitlines() if line.startswith("failed")]
    case_count = len(list((project_copy / "cases").glob("*.yaml")))
    assert len(failures) == case_count and all("letter-blocks.typ is missing" in line for line in failures)
    assert "Traceback" not in completed.stdout + completed.stderr
    assert run_alletter("build", "--out", tmp_path / "docx", "--format", "docx", cwd=project_copy).returncode == 0
