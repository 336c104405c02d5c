"""DOCX packages after pandoc: letters assembled from their chunks' Word XML, and each letter finished.

pandoc's DOCX writer costs more per paragraph than the rest of a letter's conversion, and pays a
fixed cost for every DOCX it writes (it parses the reference document each time). Most of a
letter is boilerplate, so `DocxAssembler` keeps the Word XML of every chunk (top-level block)
pandoc has written, asks pandoc only for the chunks it has never seen — all in ONE DOCX,
separated by marker paragraphs — and puts each letter together from its chunks, with its own
lists and hyperlinks numbered from the start: a letter never carries another's links, and its
bytes do not depend on what was converted with it or before it.
Assembling also moves the recipient's address into a footer of its own on page 1 (where the
published letters print it; Word has no float at the foot of a page); finishing sets the
document properties and zips the parts with fixed timestamps, so the same letter always gives
the same bytes.
"""

from __future__ import annotations

import copy
import functools
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date

from lxml import etree

from .chunks import ChunkCache

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
RELATIONSHIP_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORDPROCESSING_TYPES = "application/vnd.openxmlformats-officedocument.wordprocessingml"
DRAWING = {
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
}
EMU_PER_INCH = 914_400  # DrawingML's unit: English Metric Units
CONTENT_TYPES = "[Content_Types].xml"
CONTENT_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
ADDRESS_STYLE = "Address"  # the style id of the address paragraphs (templates/blocks/reference.md.j2)
SIGNATURE_NAME_STYLE = "SignatureName"  # the style id of a signature's first line (templates/blocks/signatures.md.j2)
CORE = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
DOCUMENT = "word/document.xml"
DOCUMENT_RELATIONSHIPS = "word/_rels/document.xml.rels"
FOOTNOTE_RELATIONSHIPS = "word/_rels/footnotes.xml.rels"
FOOTNOTES = "word/footnotes.xml"
NUMBERING = "word/numbering.xml"
CORE_PROPERTIES = "docProps/core.xml"
STYLES = "word/styles.xml"
# zlib's fastest level: a letter's package is ≈13% larger (19 KB instead of 17) and zipped in
# a third of the time (≈0.5 ms less per letter of an archive build).
DOCX_COMPRESSION = 1


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


@dataclass(frozen=True)
class LetterheadImage:
    """The letterhead as a DOCX holds it: a PNG and the size it is shown at, in EMU."""

    png: bytes
    width: int
    height: int


def _is_separator(element: etree._Element, separator: str) -> bool:
    return element.tag == f"{{{W}}}p" and "".join(element.itertext()).strip() == separator


@dataclass(frozen=True)
class DocxChunk:
    """One chunk of a letter as pandoc wrote it in Word XML, with what it refers to outside document.xml."""

    elements: tuple[etree._Element, ...]
    links: dict[str, str]  # relationship id → hyperlink target
    lists: dict[str, etree._Element]  # numId → its <w:num> definition
    footnotes: dict[str, etree._Element] = field(default_factory=dict)  # w:id → its <w:footnote> (word/footnotes.xml)
    footnote_links: dict[str, str] = field(default_factory=dict)  # relationship id → target, of links in those footnotes


@dataclass
class DocxPlan:
    """The chunks of a batch of letters: those already converted, and those pandoc must write."""

    letters: list[list[str]]
    available: dict[str, DocxChunk] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


@dataclass
class _Base:
    """The parts every letter shares, taken from the first DOCX pandoc wrote."""

    parts: dict[str, bytes]
    document: bytes  # document.xml with an empty body but for the section properties
    relationships: etree._Element  # document.xml.rels without hyperlinks
    numbering: etree._Element | None  # numbering.xml without lists, but for pandoc's own
    first_list_id: int


class DocxAssembler:
    """Builds each letter's DOCX from the Word XML of its chunks, each chunk converted once.

    pandoc's DOCX writer costs more per paragraph than the rest of a letter's conversion, and most
    of a letter is boilerplate. So the chunks (top-level blocks) not seen before go to pandoc in
    ONE DOCX, separated by marker paragraphs; this cuts it apart and keeps each chunk's XML, and
    a letter is its chunks' XML one after another. Lists and hyperlinks are numbered per letter,
    so a letter's bytes do not depend on which letters were converted with it or before it.
    """

    def __init__(self, separator: str) -> None:
        self.separator = separator
        self._chunks: ChunkCache[DocxChunk] = ChunkCache()
        self._abstract_lists: dict[str, etree._Element] = {}
        self._base: _Base | None = None

    def plan(self, letters: list[list[str]]) -> DocxPlan:
        """What assembling these letters (each given as its chunks' Markdown) needs pandoc to write."""
        available, missing = self._chunks.missing(letters)
        return DocxPlan(letters, available, missing)

    def assemble(
        self, plan: DocxPlan, written: bytes | None, letterheads: list[LetterheadImage | None] | None = None
    ) -> list[dict[str, bytes]]:
        """The package parts of each planned letter; `written` is pandoc's DOCX of `plan.missing`,
        separated by marker paragraphs (None when nothing was missing); `letterheads`, each
        letter's letterhead (or None)."""
        if plan.missing:
            if written is None:
                raise ValueError("the DOCX of the chunks never converted before is missing")
            for text, chunk in zip(plan.missing, self._split(written, len(plan.missing)), strict=False):
                plan.available[text] = chunk
                self._chunks.put(text, chunk)
        assert self._base is not None
        letterheads = letterheads or [None] * len(plan.letters)
        return [
            self._letter([plan.available[text] for text in chunks], self._base, letterhead)
            for chunks, letterhead in zip(plan.letters, letterheads, strict=True)
        ]

    def _split(self, data: bytes, count: int) -> list[DocxChunk]:
        parts = read_package(data)
        document = etree.fromstring(parts[DOCUMENT])
        body = document.find(f"{{{W}}}body")
        children = list(body)
        if children and children[-1].tag == f"{{{W}}}sectPr":
            children.pop()
        groups: list[list[etree._Element]] = [[]]
        for child in children:
            if _is_separator(child, self.separator):
                groups.append([])
            else:
                groups[-1].append(child)
        if len(groups) != count:
            raise ValueError(f"expected {count} chunks in the DOCX, found {len(groups)}")
        relationships = etree.fromstring(parts[DOCUMENT_RELATIONSHIPS])
        links = {r.get("Id"): r.get("Target") for r in relationships if r.get("Type") == HYPERLINK}
        numbering = etree.fromstring(parts[NUMBERING]) if NUMBERING in parts else None
        lists = {} if numbering is None else {n.get(f"{{{W}}}numId"): n for n in numbering.findall(f"{{{W}}}num")}
        if numbering is not None:
            for abstract in numbering.findall(f"{{{W}}}abstractNum"):
                self._abstract_lists.setdefault(abstract.get(f"{{{W}}}abstractNumId"), abstract)
        notes = etree.fromstring(parts[FOOTNOTES]) if FOOTNOTES in parts else None
        footnotes = {} if notes is None else {n.get(f"{{{W}}}id"): n for n in notes if n.get(f"{{{W}}}type") is None}
        note_links: dict[str, str] = {}
        if FOOTNOTE_RELATIONSHIPS in parts:
            note_links = {r.get("Id"): r.get("Target") for r in etree.fromstring(parts[FOOTNOTE_RELATIONSHIPS])}
        chunks = [_with_footnotes(self._chunk(elements, links, lists), footnotes, note_links) for elements in groups]
        if self._base is None:
            used = {number for chunk in chunks for number in chunk.lists}
            self._base = self._base_of(parts, document, relationships, numbering, used)
        return chunks

    @staticmethod
    def _chunk(elements: list[etree._Element], links: dict[str, str], lists: dict[str, etree._Element]) -> DocxChunk:
        own_links: dict[str, str] = {}
        own_lists: dict[str, etree._Element] = {}
        for element in elements:
            for node in element.iter():
                for name, value in node.attrib.items():
                    if value in links and name.startswith(f"{{{R}}}"):
                        own_links[value] = links[value]
            for node in element.iter(f"{{{W}}}numId"):
                number = node.get(f"{{{W}}}val")
                if number in lists:
                    own_lists[number] = lists[number]
        return DocxChunk(tuple(elements), own_links, own_lists)

    @staticmethod
    def _base_of(
        parts: dict[str, bytes],
        document: etree._Element,
        relationships: etree._Element,
        numbering: etree._Element | None,
        used_lists: set[str],
    ) -> _Base:
        body = document.find(f"{{{W}}}body")
        for child in list(body):
            if child.tag != f"{{{W}}}sectPr":
                body.remove(child)
        for relationship in list(relationships):
            if relationship.get("Type") == HYPERLINK:
                relationships.remove(relationship)
        list_ids = [999]
        if numbering is not None:
            for definition in numbering.findall(f"{{{W}}}num"):
                if definition.get(f"{{{W}}}numId") in used_lists:
                    numbering.remove(definition)
                else:
                    list_ids.append(int(definition.get(f"{{{W}}}numId")))
        shared = {name: content for name, content in parts.items() if name != FOOTNOTE_RELATIONSHIPS}
        if FOOTNOTES in parts:  # the separators only: each letter adds its own notes
            notes = etree.fromstring(parts[FOOTNOTES])
            own = [note for note in notes if note.get(f"{{{W}}}type") is None]
            for note in own:
                notes.remove(note)
            if own:  # else pandoc's bytes as they were
                shared[FOOTNOTES] = xml_bytes(notes)
        if FOOTNOTE_RELATIONSHIPS in parts:  # pandoc lists every hyperlink there too; footnotes have none
            shared[FOOTNOTE_RELATIONSHIPS] = xml_bytes(etree.Element(relationships.tag, nsmap=relationships.nsmap))
        return _Base(shared, xml_bytes(document), relationships, numbering, max(list_ids) + 1)

    def _letter(self, chunks: list[DocxChunk], base: _Base, letterhead: LetterheadImage | None) -> dict[str, bytes]:
        """One letter's package parts: its chunks in the base's body, each with its links and lists
        numbered anew, then the address moved to page 1's footer and the letterhead attached."""
        document = etree.fromstring(base.document)
        section = document.find(f"{{{W}}}body/{{{W}}}sectPr")
        relationships = copy.deepcopy(base.relationships)
        list_definitions: list[etree._Element] = []
        notes = _LetterFootnotes(base.parts.get(FOOTNOTES))
        for chunk in chunks:
            elements = [copy.deepcopy(element) for element in chunk.elements]
            notes.add(chunk, elements)
            _renumber_links(elements, chunk.links, relationships)
            list_definitions.extend(_renumber_lists(elements, chunk.lists, base.first_list_id + len(list_definitions)))
            for element in elements:
                section.addprevious(element)
        parts = dict(base.parts)
        types = etree.fromstring(base.parts[CONTENT_TYPES])
        _keep_signatures_with_the_text(document)
        moved = _move_address(document, relationships, types)
        parts.update(moved)
        if letterhead:
            parts.update(_attach_letterhead(document, relationships, types, letterhead))
        if moved or letterhead:
            parts[CONTENT_TYPES] = xml_bytes(types)
        etree.cleanup_namespaces(document)
        parts.update({DOCUMENT: xml_bytes(document), DOCUMENT_RELATIONSHIPS: xml_bytes(relationships)})
        if base.numbering is not None:
            parts[NUMBERING] = xml_bytes(self._numbering(copy.deepcopy(base.numbering), list_definitions))
        parts.update(notes.parts())
        return parts

    def _numbering(self, numbering: etree._Element, lists: list[etree._Element]) -> etree._Element:
        """numbering.xml: the abstract lists in use, in order of their ids, then every list (schema order)."""
        definitions = numbering.findall(f"{{{W}}}num") + lists
        wanted = {d.find(f"{{{W}}}abstractNumId").get(f"{{{W}}}val") for d in definitions}
        for child in list(numbering):
            numbering.remove(child)
        for number in sorted(wanted, key=int):
            numbering.append(copy.deepcopy(self._abstract_lists[number]))
        numbering.extend(definitions)
        return numbering


def _renumber_links(elements: list[etree._Element], links: dict[str, str], relationships: etree._Element) -> None:
    """Give a chunk's hyperlinks the next free relationship ids of its letter, and list them there."""
    if not links:
        return
    count = max((int(r.get("Id")[3:]) for r in relationships if re.fullmatch(r"rId\d+", r.get("Id", ""))), default=0)
    renamed = {}
    for old, target in links.items():
        count += 1
        renamed[old] = f"rId{count}"
        etree.SubElement(
            relationships,
            f"{{{PACKAGE_RELATIONSHIPS}}}Relationship",
            Type=HYPERLINK,
            Id=renamed[old],
            Target=target,
            TargetMode="External",
        )
    _rename_attributes(elements, R, renamed)


def _renumber_lists(elements: list[etree._Element], lists: dict[str, etree._Element], first_id: int) -> list[etree._Element]:
    """Give a chunk's lists the letter's next list ids, from `first_id`; return their new definitions."""
    renumbered = {}
    definitions: list[etree._Element] = []
    for old, definition in lists.items():
        renumbered[old] = str(first_id + len(definitions))
        own = copy.deepcopy(definition)
        own.set(f"{{{W}}}numId", renumbered[old])
        definitions.append(own)
    if renumbered:
        for element in elements:
            for node in element.iter(f"{{{W}}}numId"):
                node.set(f"{{{W}}}val", renumbered.get(node.get(f"{{{W}}}val"), node.get(f"{{{W}}}val")))
    return definitions


def _move_address(document: etree._Element, relationships: etree._Element, types: etree._Element) -> dict[str, bytes]:
    """The recipient's address out of the body into page 1's own footer, where the published letters
    print it (Word has no float at the foot of a page): the footer's part, or none without an address."""
    address = _take_address(document)
    if not address:
        return {}
    name, footer = _attach_margin_part(document, relationships, types, "footer", "first", address)
    return {name: footer}


def _with_footnotes(chunk: DocxChunk, footnotes: dict[str, etree._Element], links: dict[str, str]) -> DocxChunk:
    """The chunk with the footnotes it calls (pandoc writes them to footnotes.xml) and their links."""
    called = [node.get(f"{{{W}}}id") for element in chunk.elements for node in element.iter(f"{{{W}}}footnoteReference")]
    own = {number: footnotes[number] for number in called if number in footnotes}
    own_links = {
        value: links[value]
        for note in own.values()
        for node in note.iter()
        for name, value in node.attrib.items()
        if value in links and name.startswith(f"{{{R}}}")
    }
    return replace(chunk, footnotes=own, footnote_links=own_links) if own else chunk


class _LetterFootnotes:
    """One letter's footnotes.xml: the chunks' notes numbered in the order the letter calls them
    (Word shows them 1, 2, 3 … whatever their ids), their links in footnotes.xml.rels."""

    def __init__(self, base: bytes | None) -> None:
        self.notes = None if base is None else etree.fromstring(base)
        self.relationships = etree.Element(f"{{{PACKAGE_RELATIONSHIPS}}}Relationships", nsmap={None: PACKAGE_RELATIONSHIPS})
        self.next_id = 1 + max((int(note.get(f"{{{W}}}id")) for note in self.notes), default=0) if self.notes is not None else 1
        self.added = False

    def add(self, chunk: DocxChunk, elements: list[etree._Element]) -> None:
        if not chunk.footnotes:
            return
        if self.notes is None:
            raise ValueError("pandoc wrote footnotes but the package has no word/footnotes.xml")
        links: dict[str, str] = {}
        for link_id, target in chunk.footnote_links.items():
            links[link_id] = f"rId{len(self.relationships) + 1}"
            etree.SubElement(
                self.relationships,
                f"{{{PACKAGE_RELATIONSHIPS}}}Relationship",
                Type=HYPERLINK,
                Id=links[link_id],
                Target=target,
                TargetMode="External",
            )
        renamed: dict[str, str] = {}
        for old, note in chunk.footnotes.items():
            renamed[old] = str(self.next_id)
            self.next_id += 1
            own = copy.deepcopy(note)
            own.set(f"{{{W}}}id", renamed[old])
            _rename_attributes([own], R, links)
            self.notes.append(own)
        for element in elements:
            for node in element.iter(f"{{{W}}}footnoteReference"):
                node.set(f"{{{W}}}id", renamed.get(node.get(f"{{{W}}}id"), node.get(f"{{{W}}}id")))
        self.added = True

    def parts(self) -> dict[str, bytes]:
        if not self.added or self.notes is None:
            return {}
        return {FOOTNOTES: xml_bytes(self.notes), FOOTNOTE_RELATIONSHIPS: xml_bytes(self.relationships)}


def _rename_attributes(elements: list[etree._Element], namespace: str, renamed: dict[str, str]) -> None:
    """Every attribute in `namespace` whose value `renamed` maps is set to its new value."""
    prefix = f"{{{namespace}}}"
    for element in elements:
        for node in element.iter():
            for name, value in node.attrib.items():
                if name.startswith(prefix) and value in renamed:
                    node.set(name, renamed[value])


def add_footer(parts: dict[str, bytes], kind: str, paragraphs: list[etree._Element]) -> dict[str, bytes]:
    """The package with a footer part holding `paragraphs`, used by the section for `kind` pages.

    `kind` is Word's footer type: "default" (every page without a footer of its own) or "first"
    (page 1 only, which also needs the section's title-page switch).
    """
    document = etree.fromstring(parts[DOCUMENT])
    relationships = etree.fromstring(parts[DOCUMENT_RELATIONSHIPS])
    types = etree.fromstring(parts[CONTENT_TYPES])
    name, footer = _attach_margin_part(document, relationships, types, "footer", kind, paragraphs)
    return {
        **parts,
        name: footer,
        DOCUMENT_RELATIONSHIPS: xml_bytes(relationships),
        CONTENT_TYPES: xml_bytes(types),
        DOCUMENT: xml_bytes(document),
    }


def _attach_letterhead(
    document: etree._Element, relationships: etree._Element, types: etree._Element, image: LetterheadImage
) -> dict[str, bytes]:
    """`image` centred in page 1's own header, where a letterhead stands, added to the parsed parts
    (which it changes); returns the parts it adds: the header, its relationships and the image.

    The PDF prints it above the header block; in Word it is the first page's header, which a
    drafter sees as letterhead and does not type over.
    """
    media = "media/letterhead.png"
    image_relationship = "rIdAlletterLetterhead"
    name, header = _attach_margin_part(
        document, relationships, types, "header", "first", [_picture_paragraph(image, image_relationship)]
    )
    _override(types, f"/word/{media}", "image/png")
    header_relationships = etree.Element(f"{{{PACKAGE_RELATIONSHIPS}}}Relationships", nsmap={None: PACKAGE_RELATIONSHIPS})
    etree.SubElement(
        header_relationships,
        f"{{{PACKAGE_RELATIONSHIPS}}}Relationship",
        Id=image_relationship,
        Type=f"{RELATIONSHIP_TYPES}/image",
        Target=media,
    )
    header_name = name.rpartition("/")[2]
    return {
        name: header,
        f"word/_rels/{header_name}.rels": xml_bytes(header_relationships),
        f"word/{media}": image.png,
    }


def _picture_paragraph(image: LetterheadImage, relationship: str) -> etree._Element:
    """A centred paragraph showing the image `relationship` names, inline, at the image's size."""
    wp, a, pic = (f"{{{DRAWING[prefix]}}}" for prefix in ("wp", "a", "pic"))
    paragraph = etree.Element(f"{{{W}}}p", nsmap={"w": W, "r": R, **DRAWING})
    etree.SubElement(etree.SubElement(paragraph, f"{{{W}}}pPr"), f"{{{W}}}jc", {f"{{{W}}}val": "center"})
    inline = etree.SubElement(
        etree.SubElement(etree.SubElement(paragraph, f"{{{W}}}r"), f"{{{W}}}drawing"),
        f"{wp}inline",
        distT="0",
        distB="0",
        distL="0",
        distR="0",
    )
    size = {"cx": str(image.width), "cy": str(image.height)}
    etree.SubElement(inline, f"{wp}extent", size)
    etree.SubElement(inline, f"{wp}docPr", id="1", name="Letterhead")
    data = etree.SubElement(etree.SubElement(inline, f"{a}graphic"), f"{a}graphicData", uri=DRAWING["pic"])
    picture = etree.SubElement(data, f"{pic}pic")
    names = etree.SubElement(picture, f"{pic}nvPicPr")
    etree.SubElement(names, f"{pic}cNvPr", id="0", name="letterhead.png")
    etree.SubElement(names, f"{pic}cNvPicPr")
    fill = etree.SubElement(picture, f"{pic}blipFill")
    etree.SubElement(fill, f"{a}blip", {f"{{{R}}}embed": relationship})
    etree.SubElement(etree.SubElement(fill, f"{a}stretch"), f"{a}fillRect")
    shape = etree.SubElement(picture, f"{pic}spPr")
    transform = etree.SubElement(shape, f"{a}xfrm")
    etree.SubElement(transform, f"{a}off", x="0", y="0")
    etree.SubElement(transform, f"{a}ext", size)
    etree.SubElement(etree.SubElement(shape, f"{a}prstGeom", prst="rect"), f"{a}avLst")
    return paragraph


def _override(types: etree._Element, part_name: str, content_type: str) -> None:
    """[Content_Types].xml says what `part_name` holds (once)."""
    if types.find(f"{{{CONTENT_TYPES_NS}}}Override[@PartName='{part_name}']") is None:
        etree.SubElement(types, f"{{{CONTENT_TYPES_NS}}}Override", PartName=part_name, ContentType=content_type)


def _attach_margin_part(
    document: etree._Element,
    relationships: etree._Element,
    types: etree._Element,
    part: str,
    kind: str,
    paragraphs: list[etree._Element],
) -> tuple[str, bytes]:
    """A header or footer (`part`) holding `paragraphs` for `kind` pages, added to the parsed parts,
    which it changes; returns the new part's name and bytes."""
    name = f"{part}-{kind}.xml"
    root = etree.Element(f"{{{W}}}{'hdr' if part == 'header' else 'ftr'}", nsmap={"w": W, "r": R, **DRAWING})
    root.extend(paragraphs)
    etree.cleanup_namespaces(root)
    identifier = f"rIdAlletter{part.capitalize()}{kind.capitalize()}"
    for old in relationships.findall(f"{{{PACKAGE_RELATIONSHIPS}}}Relationship[@Id='{identifier}']"):
        relationships.remove(old)
    etree.SubElement(
        relationships, f"{{{PACKAGE_RELATIONSHIPS}}}Relationship", Id=identifier, Type=f"{RELATIONSHIP_TYPES}/{part}", Target=name
    )
    _override(types, f"/word/{name}", f"{WORDPROCESSING_TYPES}.{part}+xml")
    section = document.find(f"{{{W}}}body/{{{W}}}sectPr")
    if section is None:
        section = etree.SubElement(document.find(f"{{{W}}}body"), f"{{{W}}}sectPr")
    for old in section.findall(f"{{{W}}}{part}Reference[@{{{W}}}type='{kind}']"):
        section.remove(old)
    reference = etree.Element(f"{{{W}}}{part}Reference", {f"{{{W}}}type": kind, f"{{{R}}}id": identifier})
    headers = section.findall(f"{{{W}}}headerReference")
    footers = section.findall(f"{{{W}}}footerReference")
    # header references, then footer references, come first in a sectPr
    section.insert(len(headers) if part == "header" else len(headers) + len(footers), reference)
    if kind == "first" and section.find(f"{{{W}}}titlePg") is None:
        _insert_title_page(section)
    return f"word/{name}", xml_bytes(root)


# The elements a sectPr may hold after titlePg, in schema order: titlePg goes before the first present.
_AFTER_TITLE_PAGE = ("textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange")


def _insert_title_page(section: etree._Element) -> None:
    title_page = etree.Element(f"{{{W}}}titlePg")
    for child in section:
        if etree.QName(child).localname in _AFTER_TITLE_PAGE:
            child.addprevious(title_page)
            return
    section.append(title_page)


def _keep_signatures_with_the_text(document: etree._Element) -> None:
    """Keep-with-next on the paragraph before the first signature (the closing) and before the last
    (the previous signature's title), so that no page holds only signatures: the paragraphs the
    PDF keeps with the next (`keep-with-next` in templates/blocks/signatures.md.j2). Word's
    styles cannot say it: a style knows no "before the last"."""
    body = document.find(f"{{{W}}}body")
    names = [child for child in body if child.tag == f"{{{W}}}p" and _style_of(child) == SIGNATURE_NAME_STYLE]
    for name in dict.fromkeys(names[:1] + names[-1:]):
        before = name.getprevious()
        if before is None or before.tag != f"{{{W}}}p":
            continue
        properties = before.find(f"{{{W}}}pPr")
        if properties is None:
            properties = etree.Element(f"{{{W}}}pPr")
            before.insert(0, properties)
        if properties.find(f"{{{W}}}keepNext") is None:  # schema order: after pStyle, before the rest
            style = properties.find(f"{{{W}}}pStyle")
            properties.insert(0 if style is None else 1, etree.Element(f"{{{W}}}keepNext"))


def _style_of(paragraph: etree._Element) -> str | None:
    style = paragraph.find(f"{{{W}}}pPr/{{{W}}}pStyle")
    return None if style is None else style.get(f"{{{W}}}val")


def _take_address(document: etree._Element) -> list[etree._Element]:
    """The address paragraphs, taken out of the text (they go to page 1's own footer)."""
    body = document.find(f"{{{W}}}body")
    address = [child for child in body if child.tag == f"{{{W}}}p" and _style_of(child) == ADDRESS_STYLE]
    for paragraph in address:
        body.remove(paragraph)
    return address


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


@functools.lru_cache(maxsize=4)
def _styles_in_language(original: bytes, language: str) -> bytes:
    """styles.xml with the document's default language set, so Word checks the spelling in it.

    Every letter of a project has the same styles and language: computed once per process.
    """
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
    """The letter's DOCX bytes: properties set, every zip entry stamped with the letter's date."""
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
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in parts.items():
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.external_attr = 0o644 << 16
            package.writestr(entry, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=DOCX_COMPRESSION)
    return buffer.getvalue()
