"""DOCX packages after pandoc: one batch split into one file per letter, and each letter finished.

pandoc pays a fixed cost for every DOCX it writes (it parses the reference document each time),
larger than the cost of a letter itself, so `convert` has it write a batch of letters into one
DOCX, separated by marker paragraphs, and this module cuts that package into one package per
letter: each keeps the shared parts (styles, numbering, settings) and only its own hyperlinks.
Finishing moves the recipient's address into a footer of its own on page 1 (where the published
letters print it; Word has no float at the foot of a page), sets the document properties and
rewrites the zip with fixed timestamps, so the same letter always gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
FOOTER_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
FOOTER_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
CONTENT_TYPES = "[Content_Types].xml"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
ADDRESS_STYLE = "Address"  # the style id of the address paragraphs (templates/partials/reference.md.j2)
CORE = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
DOCUMENT = "word/document.xml"
DOCUMENT_RELATIONSHIPS = "word/_rels/document.xml.rels"
NUMBERING = "word/numbering.xml"
CORE_PROPERTIES = "docProps/core.xml"
STYLES = "word/styles.xml"


@dataclass(frozen=True)
class DocumentProperties:
    """What Word shows under File › Info, and the date every part of the package carries."""

    title: str
    subject: str
    language: str
    date: date


def read_package(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def xml_bytes(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def _is_separator(element: etree._Element, separator: str) -> bool:
    return element.tag == f"{{{W}}}p" and "".join(element.itertext()).strip() == separator


def split_batch(data: bytes, count: int, separator: str) -> list[dict[str, bytes]]:
    """Cut a DOCX holding `count` letters separated by `separator` paragraphs into their parts."""
    parts = read_package(data)
    document = etree.fromstring(parts[DOCUMENT])
    body = document.find(f"{{{W}}}body")
    children = list(body)
    section = children.pop() if children and children[-1].tag == f"{{{W}}}sectPr" else None
    letters: list[list[etree._Element]] = [[]]
    for child in children:
        if _is_separator(child, separator):
            letters.append([])
        else:
            letters[-1].append(child)
    if len(letters) != count:
        raise ValueError(f"expected {count} letters in the DOCX batch, found {len(letters)}")
    relationships = etree.fromstring(parts[DOCUMENT_RELATIONSHIPS])
    numbering = etree.fromstring(parts[NUMBERING]) if NUMBERING in parts else None
    list_ids = {number for elements in letters for number in _list_ids(elements)}
    packages = []
    for elements in letters:
        own = {**parts, DOCUMENT_RELATIONSHIPS: _own_relationships(relationships, elements)}
        if numbering is not None and list_ids:
            own[NUMBERING] = _own_numbering(numbering, elements, list_ids)
        for child in list(body):
            body.remove(child)
        body.extend(elements)
        if section is not None:
            body.append(section)
        own[DOCUMENT] = xml_bytes(document)
        packages.append(own)
    return packages


def _list_ids(elements: list[etree._Element]) -> list[str]:
    """The Word list (numId) values these elements use, in order of first use."""
    found = (node.get(f"{{{W}}}val") for element in elements for node in element.iter(f"{{{W}}}numId"))
    return list(dict.fromkeys(found))


def _own_numbering(numbering: etree._Element, elements: list[etree._Element], list_ids: set[str]) -> bytes:
    """numbering.xml with only this letter's lists, renumbered from the batch's first list id.

    pandoc gives every list of the batch its own numId; renumbering the letter's lists (in its
    own numbering.xml and paragraphs) makes a letter's bytes the same whichever batch built it.
    """
    first = min(int(number) for number in list_ids)
    renumbered = {old: str(first + index) for index, old in enumerate(_list_ids(elements))}
    for element in elements:
        for node in element.iter(f"{{{W}}}numId"):
            node.set(f"{{{W}}}val", renumbered[node.get(f"{{{W}}}val")])
    own = etree.fromstring(etree.tostring(numbering))
    for definition in own.findall(f"{{{W}}}num"):
        number = definition.get(f"{{{W}}}numId")
        if number in renumbered:
            definition.set(f"{{{W}}}numId", renumbered[number])
        elif number in list_ids:
            own.remove(definition)
    used_abstract = {node.get(f"{{{W}}}val") for node in own.iter(f"{{{W}}}abstractNumId")}
    for abstract in own.findall(f"{{{W}}}abstractNum"):
        if abstract.get(f"{{{W}}}abstractNumId") not in used_abstract:
            own.remove(abstract)
    return xml_bytes(own)


def _own_relationships(relationships: etree._Element, elements: list[etree._Element]) -> bytes:
    """The relationships file with only the hyperlinks these elements use: a letter never carries another's links."""
    used = {
        value
        for element in elements
        for node in element.iter()
        for name, value in node.attrib.items()
        if name.startswith(f"{{{R}}}")
    }
    own = etree.Element(relationships.tag, nsmap=relationships.nsmap)
    for relationship in relationships:
        if relationship.get("Type") != HYPERLINK or relationship.get("Id") in used:
            own.append(etree.fromstring(etree.tostring(relationship)))
    return xml_bytes(own)


def add_footer(parts: dict[str, bytes], kind: str, paragraphs: list[etree._Element]) -> dict[str, bytes]:
    """The package with a footer part holding `paragraphs`, used by the section for `kind` pages.

    `kind` is Word's footer type: "default" (every page without a footer of its own) or "first"
    (page 1 only, which also needs the section's title-page switch).
    """
    name = f"footer-{kind}.xml"
    footer = etree.Element(f"{{{W}}}ftr", nsmap={"w": W, "r": R})
    footer.extend(paragraphs)
    relationships = etree.fromstring(parts[DOCUMENT_RELATIONSHIPS])
    identifier = f"rIdAlletterFooter{kind.capitalize()}"
    for old in relationships.findall(f"{{{PACKAGE_RELATIONSHIPS}}}Relationship[@Id='{identifier}']"):
        relationships.remove(old)
    etree.SubElement(relationships, f"{{{PACKAGE_RELATIONSHIPS}}}Relationship",
                     Id=identifier, Type=FOOTER_RELATIONSHIP, Target=name)
    types = etree.fromstring(parts[CONTENT_TYPES])
    part_name = f"/word/{name}"
    if types.find(f"{{{CONTENT_TYPES_NS}}}Override[@PartName='{part_name}']") is None:
        etree.SubElement(types, f"{{{CONTENT_TYPES_NS}}}Override", PartName=part_name, ContentType=FOOTER_CONTENT_TYPE)
    document = etree.fromstring(parts[DOCUMENT])
    section = document.find(f"{{{W}}}body/{{{W}}}sectPr")
    if section is None:
        section = etree.SubElement(document.find(f"{{{W}}}body"), f"{{{W}}}sectPr")
    for old in section.findall(f"{{{W}}}footerReference[@{{{W}}}type='{kind}']"):
        section.remove(old)
    reference = etree.Element(f"{{{W}}}footerReference", {f"{{{W}}}type": kind, f"{{{R}}}id": identifier})
    references = section.findall(f"{{{W}}}headerReference") + section.findall(f"{{{W}}}footerReference")
    section.insert(len(references), reference)  # header and footer references come first in a sectPr
    if kind == "first" and section.find(f"{{{W}}}titlePg") is None:
        _insert_title_page(section)
    return {
        **parts,
        f"word/{name}": xml_bytes(footer),
        DOCUMENT_RELATIONSHIPS: xml_bytes(relationships),
        CONTENT_TYPES: xml_bytes(types),
        DOCUMENT: xml_bytes(document),
    }


# The elements a sectPr may hold after titlePg, in schema order: titlePg goes before the first present.
_AFTER_TITLE_PAGE = ("textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange")


def _insert_title_page(section: etree._Element) -> None:
    title_page = etree.Element(f"{{{W}}}titlePg")
    for child in section:
        if etree.QName(child).localname in _AFTER_TITLE_PAGE:
            child.addprevious(title_page)
            return
    section.append(title_page)


def _style_of(paragraph: etree._Element) -> str | None:
    style = paragraph.find(f"{{{W}}}pPr/{{{W}}}pStyle")
    return None if style is None else style.get(f"{{{W}}}val")


def move_address_to_first_page_footer(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The address paragraphs taken out of the text and put in page 1's own footer."""
    document = etree.fromstring(parts[DOCUMENT])
    body = document.find(f"{{{W}}}body")
    address = [child for child in body if child.tag == f"{{{W}}}p" and _style_of(child) == ADDRESS_STYLE]
    if not address:
        return parts
    for paragraph in address:
        body.remove(paragraph)
    return add_footer({**parts, DOCUMENT: xml_bytes(document)}, "first", address)


def _core_properties(original: bytes, properties: DocumentProperties) -> bytes:
    core = etree.fromstring(original)
    stamp = f"{properties.date.isoformat()}T00:00:00Z"
    values = {
        ("dc", "title"): properties.title,
        ("dc", "subject"): properties.subject,
        ("dc", "language"): properties.language,
        ("dcterms", "created"): stamp,
        ("dcterms", "modified"): stamp,
    }
    for (prefix, name), value in values.items():
        element = core.find(f"{{{CORE[prefix]}}}{name}")
        if element is None:
            element = etree.SubElement(core, f"{{{CORE[prefix]}}}{name}")
            if prefix == "dcterms":
                element.set(f"{{{CORE['xsi']}}}type", "dcterms:W3CDTF")
        element.text = value
    return xml_bytes(core)


def _styles_in_language(original: bytes, language: str) -> bytes:
    """styles.xml with the document's default language set, so Word checks the spelling in it."""
    styles = etree.fromstring(original)
    run = styles.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr")
    if run is None:
        return original
    language_element = run.find(f"{{{W}}}lang")
    if language_element is None:
        language_element = etree.SubElement(run, f"{{{W}}}lang")
    language_element.set(f"{{{W}}}val", language)
    return xml_bytes(styles)


def finish(parts: dict[str, bytes], properties: DocumentProperties) -> bytes:
    """The letter's DOCX bytes: address on page 1's footer, properties set, every zip entry stamped with the letter's date."""
    parts = move_address_to_first_page_footer(parts)
    parts = {
        **parts,
        CORE_PROPERTIES: _core_properties(parts[CORE_PROPERTIES], properties),
        STYLES: _styles_in_language(parts[STYLES], properties.language),
    }
    stamp = (max(properties.date.year, 1980), properties.date.month, properties.date.day, 0, 0, 0)
    return package_bytes(parts, stamp)


def package_bytes(parts: dict[str, bytes], stamp: tuple[int, int, int, int, int, int]) -> bytes:
    """The zip of `parts`, in their order, every entry with the same timestamp: the same parts, the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            package.writestr(entry, content)
    return buffer.getvalue()
