"""What `alletter mandates` shows: the registry on a date, and what it is missing.

Plain data (lists of dicts) so that the table and the JSON say the same, and a program can use it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from ..errors import UsageError, did_you_mean
from .letter_project import LetterProject
from .schema import Holder, Resolution

# The registry covers the mandates in force from this day on (issue 13).
GAPS_FROM = date(2019, 1, 1)


def _refuse_unknown(project: LetterProject, ids: Collection[str]) -> None:
    """Refuse an id the registry does not have, naming the nearest one it has."""
    for mandate_id in ids:
        if mandate_id not in project.mandates:
            raise UsageError(
                f"--id {mandate_id}: no mandate `{mandate_id}` in mandates.yaml"
                f"{did_you_mean(mandate_id, project.mandates) or '; `alletter mandates` lists the ids'}"
            )


def mandates_on(project: LetterProject, day: date, ids: Collection[str] = ()) -> list[dict[str, Any]]:
    """Each mandate that existed on `day` (of `ids`, if given): id, name, the resolution in force,
    the holder who signs (None where the registry does not know, with `missing` saying what), and its sources."""
    _refuse_unknown(project, ids)
    registry = project.registry
    rows = []
    for mandate in project.mandates.values():
        if not registry.exists_on(mandate, day) or (ids and mandate.id not in ids):
            continue
        known = registry.on(mandate, day)
        rows.append(
            {
                "id": known.id,
                "name": known.name,
                "resolution": known.resolution,
                "holder": None if known.holder is None else {"name": known.holder.name, "title": known.signature_title},
                "vacant_since": None if known.vacancy is None else known.vacancy.since.isoformat(),
                "resolution_from": _provenance(next((r for r in mandate.resolutions if r.number == known.resolution), None)),
                "holder_from": _provenance(known.holder),
                "sources": mandate.sources,
                "missing": known.missing,
            }
        )
    return rows


def _provenance(fact: Holder | Resolution | None) -> str | None:
    """`published` (a public source shows it) or `recorded by X on D` (the office's word)."""
    if fact is None:
        return None
    if fact.recorded is not None:
        return f"recorded by {fact.recorded.by} on {fact.recorded.on}"
    return "published" if fact.source else "no source"


def gap_rows(project: LetterProject, start: date, end: date, ids: Collection[str] = ()) -> list[dict[str, Any]]:
    """Every fact missing from the registry between `start` and `end` (on `ids`, if given), by mandate and date range."""
    _refuse_unknown(project, ids)
    return [
        {"id": mandate_id, "from": first.isoformat(), "to": last.isoformat(), "missing": what}
        for mandate_id, first, last, what in project.registry.gaps(start, end)
        if not ids or mandate_id in ids
    ]
