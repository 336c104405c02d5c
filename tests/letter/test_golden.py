"""The generated letters read word for word like the published ones (tests/fixtures/*.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, PUBLISHED
from textextract import compare_words, docx_text, pdf_text, reference_words

EXTRACTORS = {"docx": docx_text, "pdf": pdf_text}
MAX_EXTRA_WORDS = 40  # page numbers, the address block, running headers


@pytest.mark.parametrize("fmt", sorted(EXTRACTORS))
@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_every_published_word_appears_in_order(published_letters: Path, slug: str, fmt: str) -> None:
    expected = reference_words((FIXTURES / f"{slug}.txt").read_text(encoding="utf-8"), PUBLISHED[slug])
    actual = EXTRACTORS[fmt](published_letters / f"{slug}.{fmt}")
    comparison = compare_words(expected, actual)
    assert comparison.missing == [], f"{len(comparison.missing)} published words missing from the {fmt}"
    assert len(comparison.extra) <= MAX_EXTRA_WORDS, comparison.extra


def test_word_comparison_notices_a_missing_word() -> None:
    comparison = compare_words(["We", "have", "the", "honour"], "We have honour to")
    assert comparison.missing == ["the"]
    assert comparison.extra == ["to"]


@pytest.mark.parametrize("slug", sorted(PUBLISHED))
def test_questions_are_numbered_by_word_itself(published_letters: Path, slug: str) -> None:
    """The question numbers come from Word numbering, not typed digits."""
    from docx import Document

    document = Document(str(published_letters / f"{slug}.docx"))
    first_question = next(p for p in document.paragraphs if p.text.startswith("Please provide"))
    assert not first_question.text.startswith("1.")
    assert first_question._p.pPr.numPr is not None
