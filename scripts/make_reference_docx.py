"""Build templates/reference.docx: pandoc's default reference document with alletter's styles.

pandoc takes a DOCX's styles, page setup and footers from its reference document. Ours is built
here from `templates/reference-docx.yaml`, not edited in Word, so that a change of style is a
reviewable diff of text and the file comes out byte for byte the same on every machine (fixed zip
timestamps; the starting point is the default of the pandoc that alletter ships). A test checks
that the committed file is what this script makes now.

Usage: python scripts/make_reference_docx.py [--check]   (or `make reference-docx`)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from alletter.letter.docx_package import DOCUMENT, STYLES, W, add_footer, package_bytes, read_package, xml_bytes
from alletter.letter.pandoc import pandoc_path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "templates" / "reference-docx.yaml"
TARGET = ROOT / "templates" / "reference.docx"
STAMP = (1980, 1, 1, 0, 0, 0)
TWIPS_PER_CM = 1440 / 2.54

# Children of a style's pPr and rPr, in the order the schema requires, and how a setting is written.
PARAGRAPH_ORDER = ("keepNext", "keepLines", "pageBreakBefore", "widowControl", "spacing", "ind", "jc")
RUN_ORDER = ("rFonts", "b", "bCs", "color", "sz", "szCs", "lang")


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def twips(centimetres: float) -> str:
    return str(round(centimetres * TWIPS_PER_CM))


def default_reference() -> bytes:
    """pandoc's own reference.docx, from the pandoc that alletter runs."""
    return subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True).stdout


def paragraph_properties(settings: dict[str, Any]) -> etree._Element:
    found: dict[str, etree._Element] = {}
    flags = (
        ("keep_next", "keepNext"),
        ("keep_lines", "keepLines"),
        ("page_break_before", "pageBreakBefore"),
        ("widow_control", "widowControl"),
    )
    for flag, name in flags:
        if settings.get(flag):
            found[name] = etree.Element(w(name))
    spacing = {key: settings[key] for key in ("space_before", "space_after") if key in settings}
    if spacing:
        found["spacing"] = etree.Element(w("spacing"))
        for key, value in spacing.items():
            found["spacing"].set(w(key.removeprefix("space_")), str(round(value * 20)))
    if "first_line_indent" in settings:
        found["ind"] = etree.Element(w("ind"), {w("firstLine"): twips(settings["first_line_indent"])})
    if "align" in settings:
        found["jc"] = etree.Element(w("jc"), {w("val"): settings["align"]})
    return _ordered("pPr", found, PARAGRAPH_ORDER)


def run_properties(settings: dict[str, Any]) -> etree._Element:
    found: dict[str, etree._Element] = {}
    if "font" in settings:
        found["rFonts"] = etree.Element(w("rFonts"), {w(key): settings["font"] for key in ("ascii", "hAnsi", "eastAsia", "cs")})
    if settings.get("bold"):
        found["b"], found["bCs"] = etree.Element(w("b")), etree.Element(w("bCs"))
    if "color" in settings:
        found["color"] = etree.Element(w("color"), {w("val"): settings["color"]})
    if "size" in settings:
        half_points = str(round(settings["size"] * 2))
        found["sz"] = etree.Element(w("sz"), {w("val"): half_points})
        found["szCs"] = etree.Element(w("szCs"), {w("val"): half_points})
    if "language" in settings:
        found["lang"] = etree.Element(w("lang"), {w("val"): settings["language"]})
    return _ordered("rPr", found, RUN_ORDER)


def _ordered(tag: str, found: dict[str, etree._Element], order: tuple[str, ...]) -> etree._Element:
    element = etree.Element(w(tag))
    element.extend(found[name] for name in order if name in found)
    return element


def style_id(name: str) -> str:
    """The id pandoc gives a custom-style name: the name without spaces."""
    return name.replace(" ", "")


def apply_styles(styles: etree._Element, spec: dict[str, Any]) -> None:
    """Set the document defaults and (re)define every style the spec names."""
    defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}")
    defaults.clear()
    defaults.append(run_properties(spec["defaults"]))
    for style in spec["styles"]:
        identifier = style_id(style["name"])
        existing = styles.find(f"{w('style')}[@{w('styleId')}='{identifier}']")
        element = etree.Element(w("style"), {w("type"): style.get("type", "paragraph"), w("styleId"): identifier})
        if existing is None:
            element.set(w("customStyle"), "1")
            styles.append(element)
        else:
            for name, value in existing.attrib.items():
                element.set(name, value)
            existing.addprevious(element)
            styles.remove(existing)
        etree.SubElement(element, w("name"), {w("val"): style["name"]})
        if "based_on" in style:
            etree.SubElement(element, w("basedOn"), {w("val"): style_id(style["based_on"])})
        etree.SubElement(element, w("qFormat"))
        if style.get("paragraph"):
            element.append(paragraph_properties(style["paragraph"]))
        if style.get("run"):
            element.append(run_properties(style["run"]))


def footer_paragraph() -> etree._Element:
    paragraph = etree.Element(w("p"))
    etree.SubElement(etree.SubElement(paragraph, w("pPr")), w("pStyle"), {w("val"): "Footer"})
    return paragraph


def page_number_paragraph() -> etree._Element:
    """A Footer paragraph holding Word's PAGE field, so Word numbers the pages itself."""
    paragraph = footer_paragraph()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        run = etree.SubElement(paragraph, w("r"))
        if kind:
            etree.SubElement(run, w("fldChar"), {w("fldCharType"): kind})
        else:
            tag = "instrText" if text == " PAGE " else "t"
            node = etree.SubElement(run, w(tag), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
            node.text = text
    return paragraph


def sample_body(document: etree._Element, spec: dict[str, Any]) -> None:
    """Replace pandoc's sample text with one paragraph per style (what a reviewer sees in Word), and set the page."""
    body = document.find(w("body"))
    for child in list(body):
        body.remove(child)
    for style in spec["styles"]:
        if style.get("type", "paragraph") != "paragraph":
            continue
        paragraph = etree.SubElement(body, w("p"))
        etree.SubElement(etree.SubElement(paragraph, w("pPr")), w("pStyle"), {w("val"): style_id(style["name"])})
        etree.SubElement(etree.SubElement(paragraph, w("r")), w("t")).text = style["name"]
    page = spec["page"]
    section = etree.SubElement(body, w("sectPr"))
    width, height = page["paper"]
    etree.SubElement(section, w("pgSz"), {w("w"): twips(width), w("h"): twips(height)})
    etree.SubElement(
        section,
        w("pgMar"),
        {w(side): twips(page["margins"][side]) for side in ("top", "right", "bottom", "left", "header", "footer")}
        | {w("gutter"): "0"},
    )


def build_reference_docx(spec: dict[str, Any], default: bytes) -> bytes:
    parts = read_package(default)
    styles = etree.fromstring(parts[STYLES])
    apply_styles(styles, spec)
    document = etree.fromstring(parts[DOCUMENT])
    sample_body(document, spec)
    parts = {**parts, STYLES: xml_bytes(styles), DOCUMENT: xml_bytes(document)}
    # Page 1 gets the address footer per letter (docx_package); with titlePg set here, a letter
    # without an address still has no number on page 1.
    parts = add_footer(parts, "first", [footer_paragraph()])
    parts = add_footer(parts, "default", [page_number_paragraph()])
    return package_bytes(parts, STAMP)


def main(arguments: list[str]) -> int:
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    built = build_reference_docx(spec, default_reference())
    if "--check" in arguments:
        current = TARGET.read_bytes() if TARGET.exists() else b""
        if current != built:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run `make reference-docx`", file=sys.stderr)
            return 1
        return 0
    TARGET.write_bytes(built)
    print(f"wrote {TARGET.relative_to(ROOT)} ({len(built)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
