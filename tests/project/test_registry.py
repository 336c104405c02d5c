"""The mandate registry: its schema, what it says of a mandate on a date (resolution in force,
holder in office, name), what it does not know, and `alletter mandates`."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import REPO, run_alletter

from alletter.project.letter_project import LetterProject
from alletter.project.registry import RegistryOnDates, in_office
from alletter.project.schema import Holder, Mandate, Registry, Resolution

PUBLISHED_DAY = date(2023, 3, 13)
# What the two published letters of 13 March 2023 cite and who signs them (tests/fixtures/).
PUBLISHED = {
    "sale-of-children": ("43/22", "Mama Fatima Singhateh"),
    "business-and-human-rights": ("44/15", "Pichamon Yeophantong"),
    "education": ("44/3", "Farida Shaheed"),
    "freedom-of-expression": ("43/4", "Irene Khan"),
    "slavery": ("51/15", "Tomoya Obokata"),
    "trafficking": ("44/4", "Siobhán Mullally"),
    "violence-against-women": ("50/7", "Reem Alsalem"),
    "discrimination-against-women": ("50/18", "Dorothy Estrada-Tanck"),
}


@pytest.fixture(scope="module")
def registry() -> RegistryOnDates:
    return LetterProject(REPO).registry


def test_every_mandate_and_fact_has_a_source(registry: RegistryOnDates) -> None:
    assert len(registry.mandates) >= 58
    for mandate in registry.mandates.values():
        assert mandate.sources, mandate.id
        for holder in mandate.holders:
            assert holder.source, (mandate.id, holder.name)
        for resolution in mandate.resolutions:
            assert resolution.source or resolution.cited, (mandate.id, resolution.number)


def test_ids_are_unique_and_country_mandates_name_their_state(registry: RegistryOnDates) -> None:
    ids = [
        mandate.id
        for mandate in Registry.model_validate(
            __import__("yaml").safe_load((REPO / "mandates.yaml").read_text(encoding="utf-8"))
        ).mandates
    ]
    assert len(ids) == len(set(ids))
    states = LetterProject(REPO).states
    for mandate in registry.mandates.values():
        if mandate.kind == "country":
            assert mandate.country in states, mandate.id


@pytest.mark.parametrize("mandate_id", sorted(PUBLISHED))
def test_the_published_letters_citations_and_signatures(registry: RegistryOnDates, mandate_id: str) -> None:
    in_force, missing = registry.in_force(registry.mandates[mandate_id], PUBLISHED_DAY)
    assert missing == [] and in_force is not None
    assert (in_force.resolution, in_force.holder.name) == PUBLISHED[mandate_id]


def test_on_the_published_letters_day_the_registry_knows_most_mandates(registry: RegistryOnDates) -> None:
    """53 of the 59 mandates in existence that day are complete. Of the six: the Russian Federation's
    first holder took office on 1 May 2023 and the Syrian mandate never had one (both rightly
    without a holder); the chairs of three Working Groups and the independence of judges
    rapporteur's first day were not found in a source (`alletter mandates --gaps`)."""
    existing = [mandate for mandate in registry.mandates.values() if registry.exists_on(mandate, PUBLISHED_DAY)]
    complete = [mandate for mandate in existing if registry.in_force(mandate, PUBLISHED_DAY)[0] is not None]
    assert len(existing) == 59 and len(complete) >= 53


def test_the_mandate_count_letters_print_is_the_registrys_of_that_date(registry: RegistryOnDates) -> None:
    """settings.yaml's count (what letters printed) against the mandates the registry has in
    existence on the date. On 13 March 2023 both are 59: 45 thematic and 14 country mandates, the
    latter counting the Syrian mandate, which has never been filled (the facts-and-figures reports
    count it too: 12 country mandates in 2017 and 2018 add up only with it). No difference."""
    settings = LetterProject(REPO).settings
    printed = settings.mandate_count_on(PUBLISHED_DAY)
    existing = sum(registry.exists_on(mandate, PUBLISHED_DAY) for mandate in registry.mandates.values())
    assert printed == existing == 59


def test_a_renewal_takes_effect_on_the_day_it_is_adopted(registry: RegistryOnDates) -> None:
    housing = registry.mandates["adequate-housing"]  # 43/14 (19 June 2020), then 52/10 (3 April 2023)
    assert registry.resolution_on(housing, date(2023, 4, 2)) == ("43/14", None)
    assert registry.resolution_on(housing, date(2023, 4, 3)) == ("52/10", None)


def test_a_holder_signs_to_the_last_day_and_the_successor_from_the_next(registry: RegistryOnDates) -> None:
    housing = registry.mandates["adequate-housing"]  # Leilani Farha until 30 April 2020, then Rajagopal
    assert registry.holder_on(housing, date(2020, 4, 30)).name == "Leilani Farha"
    assert registry.holder_on(housing, date(2020, 5, 1)).name == "Balakrishnan Rajagopal"


def test_a_holder_with_no_recorded_end_is_not_assumed_beyond_six_years() -> None:
    holder = Holder(name="A", since=date(2020, 5, 1))
    assert in_office(holder, date(2026, 4, 30)) and not in_office(holder, date(2026, 5, 1))


def test_a_working_group_chair_only_where_the_sources_place_them() -> None:
    chair = Holder(name="C", title="Chair-Rapporteur", seen=[date(2022, 10, 4), date(2023, 3, 16)])
    assert in_office(chair, date(2023, 1, 1))  # between two sightings under six months apart
    assert not in_office(chair, date(2023, 3, 17))
    far = Holder(name="D", title="Chair-Rapporteur", seen=[date(2022, 1, 4), date(2023, 3, 16)])
    assert not in_office(far, date(2022, 8, 1))


def test_a_term_known_only_to_the_month_does_not_sign_in_that_month() -> None:
    """ "Appointed in October 2024" is not a start day: no letter of October names either holder."""
    before = Holder(name="Before", since=date(2018, 11, 1), until=date(2024, 9, 30), until_precision="month")
    after = Holder(name="After", since=date(2024, 10, 1), since_precision="month")
    assert in_office(before, date(2024, 8, 31)) and not in_office(before, date(2024, 9, 1))
    assert not in_office(after, date(2024, 10, 31)) and in_office(after, date(2024, 11, 1))
    mandate = _mandate(Resolution(number="55/1", adopted=date(2024, 4, 4)))
    mandate = mandate.model_copy(update={"holders": [before, after]})
    known = RegistryOnDates([mandate]).on(mandate, date(2024, 10, 15))
    assert known.holder is None
    assert known.missing == [
        "no holder of `x` on 2024-10-15 in mandates.yaml (After's term began in October 2024, on a day the sources do not show)"
    ]


def test_a_successor_appointed_ends_the_predecessors_unrecorded_term() -> None:
    """García-Sayán (no recorded end) is not assumed to sign after the Council appointed
    Satterthwaite; until she is seen in office no one is, and from then she signs, not him."""
    mandate = _mandate(Resolution(number="53/12", adopted=date(2020, 7, 1)))
    before = Holder(name="Before", since=date(2016, 12, 1))
    after = Holder(name="After", appointed=date(2022, 10, 7), seen=[date(2022, 11, 25), date(2024, 6, 25)])
    mandate = mandate.model_copy(update={"holders": [before, after]})
    registry = RegistryOnDates([mandate])
    assert registry.holder_on(mandate, date(2022, 10, 6)).name == "Before"
    between = registry.on(mandate, date(2022, 11, 1))
    assert between.holder is None
    assert between.missing == [
        "no holder of `x` on 2022-11-01 in mandates.yaml "
        "(After was appointed on 2022-10-07; the day they took office is not in the sources)"
    ]
    assert registry.holder_on(mandate, date(2022, 11, 26)).name == "After"


def _mandate(*resolutions: Resolution, kind: str = "thematic") -> Mandate:
    return Mandate(
        id="x",
        kind=kind,
        name="Special Rapporteur on x",
        resolutions=list(resolutions),
        holders=[Holder(name="H", since=date(2015, 1, 1), until=date(2030, 1, 1))],
        sources=["s"],
    )


def test_an_undated_resolution_lies_between_the_dated_ones_around_it() -> None:
    """43/4 was adopted after 42/22 and before 44/3 (the Council numbers in order of adoption)."""
    dated = _mandate(Resolution(number="42/22", adopted=date(2019, 9, 26)), Resolution(number="44/3", adopted=date(2020, 7, 16)))
    registry = RegistryOnDates(
        [
            dated,
            _mandate(Resolution(number="34/18", adopted=date(2017, 3, 24)), Resolution(number="43/4")).model_copy(
                update={"id": "y"}
            ),
        ]
    )
    undated = registry.mandates["y"]
    assert registry.resolution_on(undated, date(2019, 9, 1)) == ("34/18", None)
    number, why = registry.resolution_on(undated, date(2020, 3, 1))
    assert number is None and "adoption date of resolution 43/4" in why
    assert registry.resolution_on(undated, date(2020, 7, 16)) == ("43/4", None)


def test_a_renewal_without_a_number_or_a_stale_resolution_is_not_cited() -> None:
    registry = RegistryOnDates(
        [_mandate(Resolution(number="43/4", adopted=date(2020, 6, 19)), Resolution(adopted=date(2023, 4, 3)))]
    )
    mandate = registry.mandates["x"]
    assert registry.resolution_on(mandate, date(2023, 4, 2)) == ("43/4", None)
    assert "has no number" in registry.resolution_on(mandate, date(2023, 4, 3))[1]
    stale = RegistryOnDates([_mandate(Resolution(number="32/8", adopted=date(2016, 6, 30)))])
    assert "renewal in force on 2023-03-13 is not recorded" in stale.resolution_on(stale.mandates["x"], date(2023, 3, 13))[1]


def test_a_mandate_is_named_as_it_was_on_the_letters_date(registry: RegistryOnDates) -> None:
    sale = registry.mandates["sale-of-children"]  # renamed by 52/26 on 4 April 2023
    assert "child sexual abuse material" in registry.name_on(sale, PUBLISHED_DAY)
    assert (
        registry.name_on(sale, date(2023, 6, 1))
        == "Special Rapporteur on the sale, sexual exploitation and sexual abuse of children"
    )


def test_a_rebuilt_2021_letter_cites_what_was_in_force_in_2021(write_case, project) -> None:
    from alletter.letter.render import render
    from alletter.letter.validate import load_case

    case = write_case(
        {
            "reference": "AL OTH 11/2021",  # a date before its reference's year is refused
            "date": "2021-05-27",  # the last day a published reference block is known for (phrases.yaml)
            "follow_up": None,
            "questions_intro": "standard",
            "mandates": ["education", "freedom-of-expression", "violence-against-women"],
            "closing_paragraphs": [],
        }
    )
    markdown = render(load_case(case, project), project).markdown
    # Education: 44/3 (16 July 2020), Koumbou Boly Barry until July 2022; violence against women:
    # 41/17 (2019), Dubravka Šimonović until 31 July 2021, under its name before "and girls" (2022).
    assert "resolutions 44\\/3, 43\\/4 and 41\\/17." in markdown
    assert "Koumbou Boly Barry" in markdown and "Dubravka Šimonović" in markdown and "Reem Alsalem" not in markdown
    assert "Special Rapporteur on violence against women\\, its causes and consequences" in markdown


def test_check_refuses_a_mandate_before_it_existed(write_case, project) -> None:
    from alletter.errors import CaseFileError
    from alletter.letter.validate import load_case

    with pytest.raises(CaseFileError, match="`climate-change` was established on 2021-10-08, after 2020-06-01"):
        load_case(
            write_case(
                {
                    "date": "2020-06-01",
                    "mandates": ["climate-change"],
                    "follow_up": None,
                    "questions_intro": "standard",
                    "closing_paragraphs": [],
                }
            ),
            project,
        )


def test_mandates_lists_a_days_mandates_as_json() -> None:
    completed = run_alletter("mandates", "--on", "2023-03-13", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    rows = {row["id"]: row for row in json.loads(completed.stdout)}
    complete = [row for row in rows.values() if row["resolution"] and row["holder"] and row["sources"]]
    assert len(complete) >= 53
    assert rows["sale-of-children"]["resolution"] == "43/22"
    assert rows["sale-of-children"]["holder"]["name"] == "Mama Fatima Singhateh"
    assert rows["country-rus"]["holder"] is None and rows["country-rus"]["missing"]
    assert "climate-change" in rows and "country-sdn" not in rows  # the Sudan mandate ended in 2020


def test_mandates_table_and_gaps() -> None:
    table = run_alletter("mandates", "--on", "2023-03-13")
    assert table.returncode == 0 and "sale-of-children" in table.stdout and "43/22" in table.stdout
    gaps = run_alletter("mandates", "--gaps", "--on", "2023-12-31", "--format", "json")
    assert gaps.returncode == 0, gaps.stderr
    rows = json.loads(gaps.stdout)
    vacant = [row for row in rows if row["id"] == "country-rus"]
    assert [(row["from"], row["to"]) for row in vacant] == [("2022-10-07", "2023-04-30")]
    assert vacant[0]["missing"].startswith("`country-rus` is vacant since 2022-10-07 (https://www.ohchr.org/")
    assert all(row["from"] <= row["to"] for row in rows)


def _at_columns(width: int, *arguments: str) -> list[str]:
    """`alletter mandates …` as printed in a terminal `width` columns wide."""
    import os
    import subprocess

    from conftest import alletter_command

    completed = subprocess.run(
        [*alletter_command(), "mandates", *arguments],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "COLUMNS": str(width)},
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.splitlines()


@pytest.mark.parametrize("arguments", [(), ("--on", "2023-03-13"), ("--gaps",), ("--gaps", "--since", "2026-01-01")])
def test_mandates_is_readable_at_80_columns(arguments: tuple[str, ...]) -> None:
    lines = _at_columns(80, *arguments)
    assert max(len(line.rstrip()) for line in lines) <= 80
    ids = {mandate.id for mandate in LetterProject(REPO).mandates.values()}
    words = {word.strip("`;,.:()│") for line in lines for word in line.split()}
    cut = {word for word in words if "-" in word and word not in ids and any(each.startswith(word) for each in ids)}
    assert not cut, f"ids cut in two at 80 columns: {sorted(cut)}"
    listed = ids & words
    assert len(listed) >= 40, sorted(listed)  # each id shown whole, as a case's `mandates:` lists it


def test_the_80_column_table_keeps_what_a_letter_needs() -> None:
    text = "\n".join(_at_columns(80, "--on", "2023-03-13"))
    [row] = [line for line in text.splitlines() if line.startswith("│ sale-of-children ")]
    assert "43/22" in row and "Mama Fatima Singhateh" in row  # resolution and holder on the mandate's own line
    assert "published" in text  # where each fact comes from
    # what the registry lacks is said in full, under the table, starting on its mandate's line
    rows = json.loads(run_alletter("mandates", "--on", "2023-03-13", "--format", "json").stdout)
    lacking = next(row for row in rows if row["missing"])
    [gap] = [line for line in text.splitlines() if line.startswith(f"{lacking['id']} ")]
    assert " ".join(text[text.index(gap) :].split()).startswith(f"{lacking['id']} {lacking['missing'][0]}")


def test_mandates_of_some_ids_and_did_you_mean() -> None:
    chosen = run_alletter("mandates", "--id", "education", "--id", "sale-of-children", "--on", "2023-03-13", "--format", "json")
    assert chosen.returncode == 0, chosen.stderr
    assert [row["id"] for row in json.loads(chosen.stdout)] == ["education", "sale-of-children"]
    gaps = run_alletter("mandates", "--gaps", "--id", "country-syr", "--on", "2023-12-31", "--format", "json")
    assert {row["id"] for row in json.loads(gaps.stdout)} == {"country-syr"}
    misspelled = run_alletter("mandates", "--id", "freedom-of-expresion")
    assert misspelled.returncode == 1 and not misspelled.stdout
    assert misspelled.stderr.strip() == (
        "error: --id freedom-of-expresion: no mandate `freedom-of-expresion` in mandates.yaml; "
        "did you mean `freedom-of-expression`?"
    )


def test_a_wide_terminal_shows_the_mandates_names_too() -> None:
    wide, narrow = _at_columns(160, "--on", "2023-03-13"), _at_columns(80, "--on", "2023-03-13")
    assert max(len(line.rstrip()) for line in wide) <= 160
    [row] = [line for line in wide if line.startswith("│ freedom-of-expression ")]
    assert "Special Rapporteur on the promotion and protection" in row and "43/4" in row and "Irene Khan" in row
    assert not any("Special Rapporteur" in line for line in narrow)
