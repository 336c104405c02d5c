"""Marks on a letter that uses wording or names not yet confirmed: a Word comment on each such
paragraph of the DOCX (the PDF's running line is the page design's, templates/letter.typ).

A drafter sees in Word exactly which sentences still need the office's approval, and the comments
go when the wording is approved (`alletter wording approve`) and the letter rebuilt. The DOCX is
finished first and its comments added after, so an English letter's bytes never pass through here.
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

from .docx_package import (
    CONTENT_TYPES,
    DOCUMENT,
    DOCUMENT_RELATIONSHIPS,
    PACKAGE_RELATIONSHIPS,
    RELATIONSHIP_TYPES,
    WORDPROCESSING_TYPES,
    W,
    _override,
    package_bytes,
    read_package,
    xml_bytes,
)
from .render import RenderedLetter

COMMENTS = "word/comments.xml"
AUTHOR = "alletter"
_WHITESPACE = re.compile(r"\s+")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def paragraph_text(paragraph: etree._Element) -> str:
    """A paragraph's text as Word shows it, spaces collapsed."""
    return _WHITESPACE.sub(" ", "".join(paragraph.itertext())).strip()


def add_draft_comments(docx: bytes, rendered: RenderedLetter, day: date) -> bytes:
    """The DOCX with a comment on each paragraph that holds a draft sentence or name of `rendered`."""
    if not rendered.drafts:
        return docx
    parts = read_package(docx)
    document = etree.fromstring(parts[DOCUMENT])
    # pandoc writes an empty comments part (and its relationship) into every DOCX: fill it when it is there
    comments = etree.fromstring(parts[COMMENTS]) if COMMENTS in parts else etree.Element(_w("comments"), nsmap={"w": W})
    stamp = f"{day.isoformat()}T00:00:00Z"
    for paragraph in document.iter(_w("p")):
        text = paragraph_text(paragraph)
        marks = [mark for mark in rendered.drafts if mark.plain_start() and mark.plain_start() in text]
        if marks:
            _comment(
                paragraph,
                len(comments.findall(_w("comment"))),
                "; ".join(rendered.comment_for(mark) for mark in marks),
                comments,
                stamp,
            )
    parts[DOCUMENT] = xml_bytes(document)
    parts[COMMENTS] = xml_bytes(comments)
    relationships = etree.fromstring(parts[DOCUMENT_RELATIONSHIPS])
    if relationships.find(f"{{{PACKAGE_RELATIONSHIPS}}}Relationship[@Type='{RELATIONSHIP_TYPES}/comments']") is None:
        etree.SubElement(
            relationships,
            f"{{{PACKAGE_RELATIONSHIPS}}}Relationship",
            Id="rIdAlletterComments",
            Type=f"{RELATIONSHIP_TYPES}/comments",
            Target="comments.xml",
        )
        parts[DOCUMENT_RELATIONSHIPS] = xml_bytes(relationships)
    types = etree.fromstring(parts[CONTENT_TYPES])
    _override(types, f"/{COMMENTS}", f"{WORDPROCESSING_TYPES}.comments+xml")
    parts[CONTENT_TYPES] = xml_bytes(types)
    return package_bytes(parts, (max(day.year, 1980), day.month, day.day, 0, 0, 0))


def _comment(paragraph: etree._Element, number: int, text: str, comments: etree._Element, stamp: str) -> None:
    """Anchor comment `number` over the whole paragraph and write its text into comments.xml."""
    comment_id = str(number)
    properties = paragraph.find(_w("pPr"))
    start = etree.Element(_w("commentRangeStart"))
    start.set(_w("id"), comment_id)
    paragraph.insert(0 if properties is None else paragraph.index(properties) + 1, start)
    end = etree.SubElement(paragraph, _w("commentRangeEnd"))
    end.set(_w("id"), comment_id)
    reference_run = etree.SubElement(paragraph, _w("r"))
    etree.SubElement(reference_run, _w("commentReference")).set(_w("id"), comment_id)
    comment = etree.SubElement(comments, _w("comment"))
    for name, value in (("id", comment_id), ("author", AUTHOR), ("date", stamp), ("initials", "AL")):
        comment.set(_w(name), value)
    run = etree.SubElement(etree.SubElement(comment, _w("p")), _w("r"))
    etree.SubElement(run, _w("t")).text = text
