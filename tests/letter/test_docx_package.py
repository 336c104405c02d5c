"""DOCX assembly: each letter put together from its chunks' Word XML, as real pandoc wrote them.

What a user depends on: a letter's DOCX does not depend on which letters were converted with it
or before it, its links and lists are its own, the recipient's address sits in page 1's footer
and the letterhead in page 1's header."""

from __future__ import annotations

import struct
import zlib
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from alletter.letter.chunks import top_level_chunks
from alletter.letter.convert import BATCH_SEPARATOR
from alletter.letter.docx_package import (
    DOCUMENT,
    DOCUMENT_RELATIONSHIPS,
    HYPERLINK,
    NUMBERING,
    DocumentProperties,
    DocxAssembler,
    LetterheadImage,
    W,
    finish,
)
from alletter.letter.pandoc import PANDOC_READER, PandocServer

REPO = Path(__file__).resolve().parents[2]
LINKED = "See [the resolution](https://www.ohchr.org/en/resolution)."
LISTED = "1. first question\n2. second question"
ADDRESS = '::: {.address custom-style="Address"}\nMinistry of Foreign Affairs\\\nCapital\n:::'


@pytest.fixture(scope="module")
def pandoc():
    server = PandocServer()
    yield server
    server.close()


def assembled(pandoc: PandocServer, assembler: DocxAssembler, letters: list[str], **options) -> list[dict[str, bytes]]:
    """The letters' package parts, their new chunks written by the real pandoc server as the build asks it."""
    chunked = [top_level_chunks(markdown) for markdown in letters]
    plan = assembler.plan(chunked)
    written = None
    if plan.missing:
        request = {
            "reader": PANDOC_READER,
            "separator": BATCH_SEPARATOR,
            "chunks": plan.missing,
            "docx": {
                "chunks": list(range(1, len(plan.missing) + 1)),
                "reference_doc": str(REPO / "templates" / "reference.docx"),
            },
        }
        written = pandoc.convert(request, "test")[0]
    return assembler.assemble(plan, written, **options)


def hyperlinks(parts: dict[str, bytes]) -> dict[str, str]:
    relationships = etree.fromstring(parts[DOCUMENT_RELATIONSHIPS])
    return {r.get("Id"): r.get("Target") for r in relationships if r.get("Type") == HYPERLINK}


def text(parts: dict[str, bytes], name: str = DOCUMENT) -> str:
    return "".join(etree.fromstring(parts[name]).itertext())


def test_a_letter_is_the_same_whatever_was_converted_with_it_or_before(pandoc) -> None:
    letter = f"Dear Excellency,\n\n{LINKED}\n\n{LISTED}"
    other = f"{LISTED}\n\nAnother [link](https://example.org/other).\n\n- bullet"
    alone = assembled(pandoc, DocxAssembler(BATCH_SEPARATOR), [letter])[0]
    busy = DocxAssembler(BATCH_SEPARATOR)
    assembled(pandoc, busy, [other])
    in_batch = assembled(pandoc, busy, [other, letter])[1]
    # finished as the builder finishes it (pandoc's own timestamps replaced by the letter's date)
    properties = DocumentProperties(title="AL OTH 1/2023", subject="", language="en-GB", date=date(2023, 1, 2))
    assert finish(in_batch, properties) == finish(alone, properties)


def test_each_letter_numbers_its_own_links_and_lists(pandoc) -> None:
    assembler = DocxAssembler(BATCH_SEPARATOR)
    plain, linked, listed = assembled(pandoc, assembler, ["Dear Excellency,", LINKED, f"{LISTED}\n\nAnd:\n\n{LISTED}"])
    assert hyperlinks(plain) == {}
    assert list(hyperlinks(linked).values()) == ["https://www.ohchr.org/en/resolution"]
    link_id = next(iter(hyperlinks(linked)))
    assert f'"{link_id}"' in linked[DOCUMENT].decode("utf-8")  # the body points at its own relationship
    numbering = etree.fromstring(listed[NUMBERING])
    list_ids = [definition.get(f"{{{W}}}numId") for definition in numbering.findall(f"{{{W}}}num")]
    used = {node.get(f"{{{W}}}val") for node in etree.fromstring(listed[DOCUMENT]).iter(f"{{{W}}}numId")}
    assert len(used) == 2 and used <= set(list_ids)  # two lists, each defined in the letter's numbering
    plain_ids = {d.get(f"{{{W}}}numId") for d in etree.fromstring(plain[NUMBERING]).findall(f"{{{W}}}num")}
    assert not used & plain_ids  # a letter without lists carries none of the other's


def test_the_address_moves_from_the_body_to_page_ones_footer(pandoc) -> None:
    parts = assembled(pandoc, DocxAssembler(BATCH_SEPARATOR), [f"Dear Excellency,\n\n{ADDRESS}"])[0]
    assert "Ministry of Foreign Affairs" in text(parts, "word/footer-first.xml")
    assert "Ministry of Foreign Affairs" not in text(parts)
    assert "Dear Excellency," in text(parts)
    section = etree.fromstring(parts[DOCUMENT]).find(f"{{{W}}}body/{{{W}}}sectPr")
    assert section.find(f"{{{W}}}footerReference[@{{{W}}}type='first']") is not None
    assert section.find(f"{{{W}}}titlePg") is not None  # page 1 has footers of its own


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_the_letterhead_heads_page_one_of_its_letter_only(pandoc) -> None:
    image = LetterheadImage(png(4, 2), 4 * 9525, 2 * 9525)
    headed, plain = assembled(
        pandoc, DocxAssembler(BATCH_SEPARATOR), ["Dear Excellency,", "Dear Sir,"], letterheads=[image, None]
    )
    assert headed["word/media/letterhead.png"] == image.png
    assert "rIdAlletterLetterhead" in headed["word/header-first.xml"].decode("utf-8")
    assert "image/png" in headed["[Content_Types].xml"].decode("utf-8")
    assert "word/header-first.xml" not in plain and "word/media/letterhead.png" not in plain


def test_known_chunks_need_no_pandoc_and_missing_ones_must_be_written(pandoc) -> None:
    assembler = DocxAssembler(BATCH_SEPARATOR)
    first = assembled(pandoc, assembler, [f"Dear Excellency,\n\n{LINKED}"])[0]
    plan = assembler.plan([top_level_chunks(f"Dear Excellency,\n\n{LINKED}")])
    assert plan.missing == []
    assert assembler.assemble(plan, None) == [first]
    unknown = assembler.plan([["A paragraph never converted."]])
    with pytest.raises(ValueError, match="missing"):
        assembler.assemble(unknown, None)
