"""References and the schema's field rules."""

from __future__ import annotations

import pytest

from alletter.project.schema import Reference


@pytest.mark.parametrize(
    ("text", "kind", "country", "number", "year", "slug"),
    [
        ("AL OTH 11/2023", "AL", "OTH", 11, 2023, "AL-OTH-11-2023"),
        ("UA BRA 3/2024", "UA", "BRA", 3, 2024, "UA-BRA-3-2024"),
        ("OL GBR 120/2019", "OL", "GBR", 120, 2019, "OL-GBR-120-2019"),
    ],
)
def test_reference_parses_into_its_parts(text, kind, country, number, year, slug) -> None:
    reference = Reference.parse(text)
    assert (reference.kind, reference.country, reference.number, reference.year) == (kind, country, number, year)
    assert reference.slug == slug
    assert str(reference) == text


@pytest.mark.parametrize(
    "text", ["AL OTH 11-2023", "XX OTH 11/2023", "AL oth 11/2023", "AL OTH 011/2023", "AL OTH 11/23", "AL  OTH 11/2023", ""]
)
def test_malformed_reference_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a reference"):
        Reference.parse(text)
