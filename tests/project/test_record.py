"""`alletter mandates record`'s library: each fact is a few added (or changed) lines of
mandates.yaml, every other line as it was; a contradiction is refused with the file untouched."""

from __future__ import annotations

import difflib
import os
from datetime import date
from pathlib import Path

import pytest
from conftest import copy_project

from alletter.errors import OutputError, RecordRefusedError
from alletter.project import record
from alletter.project.letter_project import LetterProject
from alletter.project.yaml_edit import Change, Recorder, write_change

OFFICER = Recorder("Test Officer", date(2026, 12, 3))
STAMP = "    recorded: {by: Test Officer, 'on': 2026-12-03}"
SOURCE = "https://www.ohchr.org/en/press-releases/2026/11/example"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines removed and the lines added, as a line diff sees them."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def _apply(change: Change) -> LetterProject:
    write_change(change)
    return LetterProject(change.path.parent)


def test_a_renewal_is_four_added_lines_and_the_letter_cites_it(root: Path) -> None:
    before = (root / "mandates.yaml").read_text(encoding="utf-8")
    change = record.record_renewal(root, "adequate-housing", "61/9", date(2026, 3, 31), SOURCE, OFFICER)
    assert (root / "mandates.yaml").read_text(encoding="utf-8") == before  # computing is not writing
    removed, added = _changed_lines(before, change.after)
    assert removed == []
    assert added == ["  - number: 61/9", "    adopted: 2026-03-31", f"    source: {SOURCE}", STAMP]
    assert change.diff.startswith("--- mandates.yaml (before)\n+++ mandates.yaml (after)\n@@")
    project = _apply(change)
    housing = project.mandates["adequate-housing"]
    assert project.registry.resolution_on(housing, date(2026, 12, 1)) == ("61/9", None)
    assert housing.resolutions[-1].recorded is not None and housing.resolutions[-1].recorded.by == "Test Officer"


def test_a_holder_ends_the_open_term_the_day_before(root: Path) -> None:
    before = (root / "mandates.yaml").read_text(encoding="utf-8")
    change = record.record_holder(root, "torture", "Jane Doe", date(2026, 11, 1), SOURCE, OFFICER, gender="female")
    removed, added = _changed_lines(before, change.after)
    assert removed == []
    assert added == [
        "    until: 2026-10-31",
        "  - name: Jane Doe",
        "    gender: female",
        "    since: 2026-11-01",
        f"    source: {SOURCE}",
        STAMP,
    ]
    project = _apply(change)
    torture = project.mandates["torture"]
    assert project.registry.holder_on(torture, date(2026, 10, 31)).name == "Alice Jill Edwards"
    assert project.registry.holder_on(torture, date(2026, 12, 1)).name == "Jane Doe"


def test_a_working_groups_recorded_signatory_signs_from_its_first_day(root: Path) -> None:
    title = "Chair-Rapporteur of the Working Group on Arbitrary Detention"
    project = _apply(
        record.record_holder(root, "arbitrary-detention", "Jane Doe", date(2026, 11, 1), SOURCE, OFFICER, title=title)
    )
    detention = project.mandates["arbitrary-detention"]
    signing = project.registry.holder_on(detention, date(2026, 12, 1))
    assert signing is not None and (signing.name, signing.title) == ("Jane Doe", title)


def _forget_adoption_day(root: Path, number: str) -> str:
    """The registry as it would be had research not yet found the day `number` was adopted: the
    test sets its own starting point, whatever days the real registry has filled in since."""
    path = root / "mandates.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index(f"  - number: {number}\n") + 1
    assert lines[at].startswith("    adopted: ")
    del lines[at]
    path.write_text("".join(lines), encoding="utf-8")
    return path.read_text(encoding="utf-8")


def test_a_renewal_the_registry_lists_without_its_date_gets_it(root: Path) -> None:
    before = _forget_adoption_day(root, "45/24")
    change = record.record_renewal(root, "african-descent", "45/24", date(2020, 10, 6), SOURCE, OFFICER)
    removed, added = _changed_lines(before, change.after)
    assert removed == ["    source: https://adattar.minorityforum.info/en/entity/3vez4k9mvnv?page=2"]  # still in `sources`
    assert added == ["    adopted: 2020-10-06", f"    source: {SOURCE}", STAMP]


def test_rename_vacancy_end_and_establish(root: Path) -> None:
    path = root / "mandates.yaml"
    old_name = "Special Rapporteur on torture and other cruel, inhuman or degrading treatment or punishment"
    before = path.read_text(encoding="utf-8")
    change = record.record_rename(root, "torture", "Special Rapporteur on torture", date(2026, 11, 1), SOURCE, OFFICER)
    removed, added = _changed_lines(before, change.after)
    assert removed == [f"  name: {old_name}"]
    assert added == [
        "  name: Special Rapporteur on torture",
        "  former_names:",
        f"  - name: {old_name}",
        "    until: 2026-10-31",
        f"    source: {SOURCE}",
        STAMP,
    ]
    project = _apply(change)
    assert project.registry.name_on(project.mandates["torture"], date(2026, 10, 31)) == old_name

    before = path.read_text(encoding="utf-8")
    change = record.record_vacancy(root, "torture", date(2026, 11, 1), SOURCE, OFFICER)
    removed, added = _changed_lines(before, change.after)
    # torture already has a vacancy (1 April-31 July 2022): the new one joins that list, no second `vacancies:` key
    assert removed == [] and added[0] == "    until: 2026-10-31" and added[1] == "  - since: 2026-11-01"
    assert "  vacancies:" not in added
    _apply(change)

    before = path.read_text(encoding="utf-8")
    change = record.record_end(root, "torture", date(2026, 12, 31), SOURCE, OFFICER)
    removed, added = _changed_lines(before, change.after)
    assert removed == [] and added == ["  ended: 2026-12-31", "  ending:", f"    source: {SOURCE}", STAMP]

    before = path.read_text(encoding="utf-8")
    change = record.record_establish(
        root, "example-mandate", "Special Rapporteur on an example", date(2026, 3, 30), "61/40", SOURCE, OFFICER
    )
    removed, added = _changed_lines(before, change.after)
    assert removed == [] and added[:2] == ["- id: example-mandate", "  kind: thematic"]
    project = _apply(change)
    assert project.registry.resolution_on(project.mandates["example-mandate"], date(2026, 12, 1)) == ("61/40", None)


@pytest.mark.parametrize(
    ("make", "contradicts"),
    [
        (
            lambda root: record.record_renewal(root, "climate-change", "43/1", date(2020, 6, 19), SOURCE, OFFICER),
            "before `climate-change` was established (2021-10-08)",
        ),
        (
            lambda root: record.record_holder(root, "torture", "Jane Doe", date(2019, 1, 1), SOURCE, OFFICER),
            "overlaps the term of Nils Melzer",
        ),
        (
            lambda root: record.record_holder(root, "climate-change", "Jane Doe", date(2020, 1, 1), SOURCE, OFFICER),
            "before `climate-change` existed",
        ),
        (
            lambda root: record.record_holder(root, "tortur", "Jane Doe", date(2026, 11, 1), SOURCE, OFFICER),
            "no mandate `tortur` in mandates.yaml; did you mean `torture`?",
        ),
        (
            lambda root: record.record_renewal(root, "adequate-housing", "52/10", date(2023, 4, 3), SOURCE, OFFICER),
            "already in mandates.yaml",
        ),
        (
            lambda root: record.record_renewal(root, "adequate-housing", "61/9", date(2020, 1, 1), SOURCE, OFFICER),
            "numbered in the order of adoption",
        ),
    ],
)
def test_a_contradiction_is_refused_and_the_file_is_untouched(root: Path, make, contradicts: str) -> None:
    before = (root / "mandates.yaml").read_bytes()
    with pytest.raises(RecordRefusedError) as refused:
        make(root)
    assert contradicts in str(refused.value)
    assert "mandates.yaml is unchanged" in str(refused.value)
    assert (root / "mandates.yaml").read_bytes() == before


def test_an_interrupted_write_leaves_the_file_whole(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new text goes to a temporary file renamed into place: a failure before the rename
    (here: the rename itself) leaves the registry as it was and no temporary file behind."""
    path = root / "mandates.yaml"
    before = path.read_bytes()
    change = record.record_holder(root, "torture", "Jane Doe", date(2026, 11, 1), SOURCE, OFFICER)

    def fail(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OutputError):
        write_change(change)
    assert path.read_bytes() == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".mandates.yaml")] == []


def test_a_file_changed_meanwhile_is_not_overwritten(root: Path) -> None:
    path = root / "mandates.yaml"
    change = record.record_holder(root, "torture", "Jane Doe", date(2026, 11, 1), SOURCE, OFFICER)
    path.write_text(path.read_text(encoding="utf-8") + "# an edit made meanwhile\n", encoding="utf-8")
    edited = path.read_bytes()
    with pytest.raises(Exception, match="changed on disk"):
        write_change(change)
    assert path.read_bytes() == edited


def test_a_vacant_mandate_is_vacant_not_unknown(root: Path) -> None:
    project = _apply(record.record_vacancy(root, "torture", date(2026, 11, 1), SOURCE, OFFICER))
    torture = project.mandates["torture"]
    known = project.registry.on(torture, date(2026, 12, 1))
    assert known.holder is None and known.vacancy is not None
    assert known.missing[0] == f"`torture` is vacant since 2026-11-01 ({SOURCE}): no one holds it on 2026-12-01"
    assert project.registry.holder_on(torture, date(2026, 10, 31)).name == "Alice Jill Edwards"
    gaps = [
        what for mandate_id, _, _, what in project.registry.gaps(date(2026, 1, 1), date(2026, 12, 1)) if mandate_id == "torture"
    ]
    assert f"`torture` is vacant since 2026-11-01 ({SOURCE})" in gaps
    # the seat filled: the vacancy ends the day before
    project = _apply(record.record_holder(root, "torture", "Jane Doe", date(2026, 11, 20), SOURCE, OFFICER))
    torture = project.mandates["torture"]
    assert torture.vacancies[-1].until == date(2026, 11, 19)
    assert project.registry.holder_on(torture, date(2026, 12, 1)).name == "Jane Doe"


def test_each_registry_gap_names_the_command_that_records_it(project) -> None:
    registry = project.registry
    torture = registry.on(project.mandates["torture"], date(2026, 12, 1))
    [renewal] = torture.missing
    assert record.command_that_records("torture", renewal) == (
        "alletter mandates record renewal torture RESOLUTION --adopted DATE --source URL"
    )
    assert record.command_that_records("torture", "no holder of `torture` on 2026-12-01 in mandates.yaml") == (
        'alletter mandates record holder torture "NAME" --from DATE --source URL'
    )
    unnumbered = "the resolution that renewed `country-afg` on 2024-10-09 has no number in mandates.yaml"
    assert record.command_that_records("country-afg", unnumbered).endswith("RESOLUTION --adopted 2024-10-09 --source URL")


def test_a_key_is_added_after_a_list_that_ends_with_an_alias(tmp_path: Path) -> None:
    """`cited: [*id001]` is composed as the anchored node, written earlier in the file: the new key
    still goes after the alias's line, in its own mapping (it once landed in the anchor's)."""
    from alletter.project.yaml_edit import YamlText

    text = (
        "mandates:\n"
        "- id: first\n"
        "  resolutions:\n"
        "  - number: 1/1\n"
        "    cited:\n"
        "    - &id001 2023-03-13\n"
        "    source: a\n"
        "- id: second\n"
        "  resolutions:\n"
        "  - number: 2/2\n"
        "    cited:\n"
        "    - *id001\n"
        "    # a comment that stays where it is\n"
        "  - number: 3/3\n"
    )
    document = YamlText(tmp_path / "mandates.yaml", text)
    second = document.value(document.root, "mandates").value[1]
    resolution = document.value(second, "resolutions").value[0]
    document.set_key(resolution, "recorded", "yes", ["number", "cited", "recorded"])
    assert document.edited().splitlines()[10:14] == [
        "    cited:",
        "    - *id001",
        "    recorded: yes",
        "    # a comment that stays where it is",
    ]


def test_a_key_that_goes_first_in_a_list_item_takes_the_items_dash(tmp_path: Path) -> None:
    """A resolution listed as `- adopted: …` without its number: the number goes first, on the
    dash's line, and `adopted` moves under it (inserted above the dash, it joined the item before
    and `mandates record renewal country-blr 55/27` refused a duplicate key)."""
    from alletter.project.yaml_edit import YamlText

    lines = ["resolutions:", "- number: 53/19", "  adopted: 2023-07-13", "- adopted: 2024-04-04", "  source: a"]
    text = "\n".join([*lines, "- number: 58/19", ""])
    document = YamlText(tmp_path / "mandates.yaml", text)
    resolution = document.value(document.root, "resolutions").value[1]
    document.set_key(resolution, "number", "55/27", ["number", "adopted", "source"])
    assert document.edited().splitlines() == [
        "resolutions:",
        "- number: 53/19",
        "  adopted: 2023-07-13",
        "- number: 55/27",
        "  adopted: 2024-04-04",
        "  source: a",
        "- number: 58/19",
    ]


def test_a_long_source_stays_on_its_key_s_line(root: Path) -> None:
    """A URL longer than the registry's width has nowhere to break: `source: URL` on one line, not
    a dangling `source: ` over it."""
    long_source = "https://nationaltribune.com.au/" + "a-very-long-press-release-title-" * 4 + "belarus"
    change = record.record_renewal(root, "adequate-housing", "61/9", date(2026, 3, 31), long_source, OFFICER)
    _, added = _changed_lines((root / "mandates.yaml").read_text(encoding="utf-8"), change.after)
    assert f"    source: {long_source}" in added


def test_an_edit_that_would_change_another_mandate_is_refused_not_a_traceback(root: Path) -> None:
    """alletter's own safety net (a line placed in the wrong entry, as an alias once caused): a
    typed refusal naming what would change, with nothing written."""
    from alletter.project.record import _check_untouched, _validated

    path = root / "mandates.yaml"
    registry = _validated(path, path.read_text(encoding="utf-8"))
    other = registry.mandates[1]
    changed = registry.model_copy(
        update={
            "mandates": [
                registry.mandates[0],
                other.model_copy(update={"name": other.name + " (changed)"}),
                *registry.mandates[2:],
            ]
        }
    )
    with pytest.raises(RecordRefusedError) as refused:
        _check_untouched(registry, changed, registry.mandates[0].id, path, "resolution 61/9")
    assert f"alletter's edit would also change `{registry.mandates[1].id}`" in str(refused.value)
    assert "mandates.yaml is unchanged" in str(refused.value)
