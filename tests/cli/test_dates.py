"""What a letter says against its reference (issue 23, items 2 and 3), through the real command: a
date before the reference's year is refused, a date in the future is warned, a date in the year
after the reference's is allowed with a notice, `new --year` never writes another year's date, and
an address naming another State than the reference's is warned."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import yaml
from conftest import REPO, run_alletter


def _check_records(path: Path, project: Path) -> tuple[int, list[dict[str, object]]]:
    result = run_alletter("check", path, "--format", "json", "--root", project)
    return result.returncode, [record for record in json.loads(result.stdout) if record["field"] == "date"]


def _redated(project: Path, reference: str, day: date) -> Path:
    path = project / "cases" / "AL-OTH-11-2023.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(reference=reference, date=day.isoformat())
    target = project / "cases" / f"{reference.replace(' ', '-').replace('/', '-')}.yaml"
    path.unlink()
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def test_a_date_before_the_references_year_is_refused(project_copy: Path) -> None:
    status, records = _check_records(_redated(project_copy, "AL OTH 11/2024", date(2023, 3, 13)), project_copy)
    assert status == 1
    assert [record["severity"] for record in records] == ["error"]
    assert "before the year of the reference AL OTH 11/2024" in str(records[0]["message"])


def test_a_date_in_the_year_after_the_references_is_a_notice(project_copy: Path) -> None:
    status, records = _check_records(_redated(project_copy, "AL OTH 11/2022", date(2023, 3, 13)), project_copy)
    assert status == 0
    assert [record["severity"] for record in records] == ["notice"]
    assert "the year after its reference's (2022)" in str(records[0]["message"])


def test_a_date_two_months_ahead_is_warned_and_still_checked(project_copy: Path) -> None:
    ahead = date.today() + timedelta(days=61)
    path = _redated(project_copy, f"AL OTH 11/{ahead.year}", ahead)
    result = run_alletter("check", path, "--root", project_copy)
    assert f"warning: date: {ahead} is in the future" in result.stdout
    assert "1 warning" in result.stdout


def test_new_for_another_year_writes_a_date_check_refuses_until_filled(project_copy: Path) -> None:
    other_year = date.today().year - 2
    created = run_alletter("new", "--type", "AL", "--country", "BRA", "--year", str(other_year), cwd=project_copy)
    assert created.returncode == 0, created.stderr
    path = project_copy / "cases" / f"AL-BRA-1-{other_year}.yaml"
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert written["date"] == f"TODO: the letter's date in {other_year}, YYYY-MM-DD"
    status, records = _check_records(path, project_copy)
    assert status == 1 and records and "placeholder" in str(records[0]["message"])


def test_new_for_this_year_is_dated_today(project_copy: Path) -> None:
    today = date.today()
    created = run_alletter("new", "--type", "AL", "--country", "BRA", cwd=project_copy)
    assert created.returncode == 0, created.stderr
    written = yaml.safe_load((project_copy / "cases" / f"AL-BRA-1-{today.year}.yaml").read_text(encoding="utf-8"))
    assert written["date"] == today


def _readdressed(project: Path, address: list[str]) -> Path:
    path = project / "cases" / "UA-BRA-1-2023.yaml"
    shutil.copy(REPO / "cases" / "UA-BRA-1-2023.yaml", path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["recipient"]["address"] = address
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_an_address_naming_another_states_mission_is_warned(project_copy: Path) -> None:
    path = _readdressed(
        project_copy,
        ["Permanent Mission of Cambodia to the United Nations Office and other international organizations in Geneva"],
    )
    result = run_alletter("check", path, "--root", project_copy)
    assert "warning: recipient.address: the address names Cambodia, not Brazil" in result.stdout
    assert result.returncode == 0


def test_an_address_in_french_is_read_by_the_states_french_name(project_copy: Path) -> None:
    path = _readdressed(project_copy, ["Mission permanente du Cambodge auprès de l'Office des Nations Unies à Genève"])
    assert "the address names Cambodge, not Brazil" in run_alletter("check", path, "--root", project_copy).stdout


def test_the_references_own_state_is_not_warned(project_copy: Path) -> None:
    path = _readdressed(project_copy, ["Permanent Mission of Brazil to the United Nations Office at Geneva"])
    assert "warning" not in run_alletter("check", path, "--root", project_copy).stdout


def test_a_date_still_to_fill_in_says_the_registry_waits_for_it(project_copy: Path) -> None:
    other_year = date.today().year - 2
    run_alletter("new", "--type", "AL", "--country", "BRA", "--year", str(other_year), cwd=project_copy)
    path = project_copy / "cases" / f"AL-BRA-1-{other_year}.yaml"
    text = path.read_text(encoding="utf-8")
    mandates = text[text.index("\nmandates:") :].split("\n")[2]
    assert mandates.lstrip().startswith("- TODO"), mandates
    path.write_text(text.replace(mandates, "  - torture", 1), encoding="utf-8")
    result = run_alletter("check", path, "--format", "json", "--root", project_copy)
    assert result.returncode == 1
    records = json.loads(result.stdout)
    date_line = next(record["line"] for record in records if record["field"] == "date")
    [waiting] = [record for record in records if record["field"] == "mandates"]
    assert waiting["severity"] == "notice"
    assert waiting["message"].startswith(
        f"not checked against the registry: the letter's date still holds the placeholder TODO (line {date_line})"
    )
