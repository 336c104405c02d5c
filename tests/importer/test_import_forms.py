"""Letters in the dated forms of 2019–2021 (issue 21) come back from their DOCX and PDF, footnotes and all: the
`REFERENCE:` block, the last mandate after "; and", the case's paragraphs before the facts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from alletter.importer.case_file import import_letter, rebuild
from alletter.project.letter_project import LetterProject
from tests.conftest import REPO, run_alletter

FORMS = REPO / "cases" / "forms"
KEN_OPENING = (
    "In this connection, we offer the following comments on the Public Order (Amendment) Bill, which is before the "
    "National Assembly."
)


# What the import must find in some of the example cases; every one of them must come back.
EXPECTED: dict[str, dict[str, Any]] = {
    "AL-CHN-12-2019": {"mandate_list": "semicolon-and"},
    "AL-PAK-2-2021": {"before_facts": 1, "facts": 1},
    # its honour and bring-to-attention sentences are its own: they come back as `wording:`
    "AL-PAK-3-2023": {"wording": 2},
    "AL-CHN-5-2020": {"resolutions": {"freedom-of-expression": "34/18"}},
    # an OL whose own opening is the published form `offer-comments`: it comes back as that form,
    # its summary after "on"
    "OL-KEN-1-2021": {
        "forms": {"bring-to-attention": "offer-comments"},
        "summary": KEN_OPENING.removeprefix("In this connection, we offer the following comments on ").removesuffix("."),
        "wording": None,
    },
    # a follow-up whose two sentences are its own: the paragraph is its opening, in its own words
    # (the prior letter's reference and subject print only inside them: they are not guessed)
    "AL-SWE-3-2019": {"wording": 1, "follow_up": None},
    # a named form comes back as the case's choice of it, not as its own wording
    "OL-KEN-2-2021": {"forms": {"bring-to-attention": "offer-comments"}, "wording": None},
    # the form `in-reference` prints the prior letter's reference without its type (SWE 2/2019), so
    # import cannot rebuild `follow_up:` from it: the opening comes back as the letter's own wording
    "AL-SWE-4-2019": {"wording": 1, "follow_up": None, "forms": None},
    "UA-ARE-4-2020": {"forms": {"honour": "capacity"}, "mandate_list": "semicolon-and", "wording": None},
}


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("slug", sorted(path.stem for path in FORMS.glob("*.yaml")))
def test_every_dated_form_comes_back_word_for_word(tmp_path: Path, project: LetterProject, slug: str, fmt: str) -> None:
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / f"{slug}.yaml"
    shutil.copy(FORMS / f"{slug}.yaml", case)
    completed = run_alletter("render", "--root", REPO, case, "--out", tmp_path / "out", "--format", fmt)
    assert completed.returncode == 0, completed.stderr
    imported = import_letter(tmp_path / "out" / f"{slug}.{fmt}", project)
    assert imported.todos == []
    # its footnotes come back numbered as the letter prints them, with their texts
    original = yaml.safe_load(case.read_text(encoding="utf-8")).get("footnotes", {})
    notes = [text.replace("’", "'") for text in imported.data.get("footnotes", {}).values()]
    assert notes == list(original.values())
    for field, value in EXPECTED.get(slug, {}).items():
        got = imported.data.get(field)
        assert (len(got) if isinstance(value, int) else got) == value, (field, got)
    checked = rebuild(imported, imported.yaml_text, case, project)
    assert checked.word_for_word, (checked.problems, checked.missing_words[:20], checked.extra_words[:20])


def test_batch_import_writes_each_case_by_its_reference_and_summarises(tmp_path: Path) -> None:
    letters = tmp_path / "letters"
    cases = [REPO / "cases" / "AL-PAK-1-2023.yaml", REPO / "cases" / "OL-KEN-1-2023.yaml", FORMS / "AL-CHN-5-2020.yaml"]
    assert run_alletter("render", *cases, "--out", letters, "--format", "pdf").returncode == 0
    (letters / "notes.txt").write_text("not a letter at all\n", encoding="utf-8")
    completed = run_alletter("import", "--root", REPO, letters, "--out", tmp_path / "cases", "--jobs", "2")
    assert completed.returncode == 1, completed.stdout  # a letter failed
    out = completed.stdout
    assert "word for word: 2" in out and "with overrides: 1" in out and "with TODOs: 0" in out and "failed: 1" in out
    # the letter of 2020 cites resolution 34/18, not the one in force: its case says so
    assert "AL-CHN-5-2020.yaml: its own resolution 34/18" in " ".join(out.split()) and "notes.txt" in out
    written = ["AL-CHN-5-2020.yaml", "AL-PAK-1-2023.yaml", "OL-KEN-1-2023.yaml"]
    assert sorted(path.name for path in (tmp_path / "cases").iterdir()) == written
    # again: every case file exists already, none is overwritten
    again = run_alletter(
        "import", "--root", REPO, letters / "AL-PAK-1-2023.pdf", letters / "OL-KEN-1-2023.pdf", "--out", tmp_path / "cases"
    )
    assert "failed: 2" in again.stdout and "already exists" in again.stdout
