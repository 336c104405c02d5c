"""`alletter wording`'s coverage: one row for each English wording (form, recipient, date), with the
status of the wording a letter in the language would print there, so that what a letter would be
refused for shows as missing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, copy_project

from alletter.project.letter_project import LetterProject
from alletter.project.wording_review import coverage

Phrases = dict[str, list[dict[str, Any]]]


def _statuses(tmp_path: Path, edit: Callable[[Phrases], None]) -> dict[tuple[str, str], str | None]:
    """The French coverage of a copy of the project whose French phrases `edit` changed: row → status."""
    root = copy_project(tmp_path / "project")
    path = root / "templates" / "phrases.fr.yaml"
    book = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(book["phrases"])
    path.write_text(yaml.safe_dump(book, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return {(row.phrase, row.variant): row.status for row in coverage(LetterProject(root), "fr").phrases}


def _only_state(phrase: str) -> Callable[[Phrases], None]:
    def edit(phrases: Phrases) -> None:
        phrases[phrase] = [variant for variant in phrases[phrase] if variant.get("recipient") == "state"]

    return edit


def test_a_sentence_worded_only_for_states_shows_its_non_state_form_missing(tmp_path: Path) -> None:
    statuses = _statuses(tmp_path, _only_state("press-release"))
    assert statuses[("press-release", "many, state")] == "draft"
    assert statuses[("press-release", "many, non-state")] is None
    assert statuses[("press-release", "one, non-state")] is None


def test_a_sentence_for_any_recipient_worded_only_for_states_gets_a_row_per_recipient(tmp_path: Path) -> None:
    """English `publication` serves every recipient; a State-only translation leaves companies' letters refused."""
    statuses = _statuses(tmp_path, _only_state("publication"))
    assert statuses[("publication", "text, state, since 2021-01-01")] == "draft"
    assert statuses[("publication", "text, non-state, since 2021-01-01")] is None
    assert ("publication", "text, since 2021-01-01") not in statuses


def test_each_dated_english_form_needs_a_wording_in_force_on_its_date(tmp_path: Path) -> None:
    def from_2023(phrases: Phrases) -> None:
        for variant in phrases["publication"]:
            variant["since"] = "2023-01-01"

    statuses = _statuses(tmp_path, from_2023)
    assert statuses[("publication", "many")] is None  # English letters before 2021 have their own
    assert statuses[("publication", "one")] is None
    assert statuses[("publication", "text, since 2021-01-01")] is None
    assert statuses[("publication", "text, non-state, since 2023-01-01")] == "draft"  # the language's own date, listed


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_english_wording_has_a_wording_in_french_and_spanish(language: str) -> None:
    missing = [row for row in coverage(LetterProject(REPO), language).phrases if row.status is None]
    assert missing == []
