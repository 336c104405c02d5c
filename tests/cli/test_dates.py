"""A letter's date against its reference and today (issue 23, item 2), through the real command:
a date before the reference's year is refused, a date in the future is warned, a date in the year
after the reference's is allowed with a notice, and `new --year` never writes another year's date."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import yaml
from conftest import run_alletter


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
