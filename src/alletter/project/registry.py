"""The mandate registry on a date: which mandates existed, the resolution a letter cites, the
holder who signs — or, where mandates.yaml does not know, why not.

A letter cites the latest resolution adopted on or before its date, so a rebuilt old letter cites
what was in force then. Where the registry cannot tell — a renewal whose number or date is not
recorded, a holder whose term is not known — the answer is a gap, which `check` reports, never a
guess. Two facts of the Council's practice narrow what is not recorded:

- resolutions of the Human Rights Council are numbered in the order of adoption (session, then
  number), so an undated resolution was adopted between the dated ones around it, and during
  its session (the sessions' dates are in mandates.yaml too);
- a mandate-holder's tenure is no longer than six years (Human Rights Council resolution 5/1,
  annex, paragraph 45), so a holder with no recorded end is not taken to be in office beyond it.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .schema import Holder, Mandate, Resolution, Session, Vacancy

MAX_TENURE_YEARS = 6  # HRC resolution 5/1, annex, para. 45
DEFAULT_TERM_YEARS = {"thematic": 3, "country": 1}
RENEWAL_GRACE = timedelta(days=183)
CHAIR_MIN_TERM = timedelta(
    days=183
)  # the business Working Group's chair rotates every six months  # a renewal may be adopted some months after the term it extends
_HRC_NUMBER = re.compile(r"^([0-9]{1,3})/([0-9]+)$")  # 43/4: session 43, resolution 4
_YEAR_NUMBER = re.compile(r"^((?:19|20)[0-9]{2})/[0-9]+( [A-Z])?$")  # 1985/33: Commission or ECOSOC, adopted in 1985


@dataclass(frozen=True)
class MandateInForce:
    """What a letter prints of a mandate on its date."""

    id: str
    name: str
    resolution: str
    holder: Holder

    @property
    def signature_title(self) -> str:
        return self.holder.title or self.name


@dataclass(frozen=True)
class MandateOnDate:
    """What the registry knows of a mandate on a day, complete or not (`alletter mandates`)."""

    id: str
    name: str
    resolution: str | None
    holder: Holder | None
    missing: list[str]
    vacancy: Vacancy | None = None

    @property
    def signature_title(self) -> str | None:
        return None if self.holder is None else self.holder.title or self.name


@dataclass(frozen=True)
class AdoptionWindow:
    """When a resolution was adopted: exactly, or between two dates the registry implies."""

    earliest: date
    latest: date


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class RegistryOnDates:
    """The registry with what its resolutions imply about each other's dates."""

    def __init__(self, mandates: Iterable[Mandate], sessions: Iterable[Session] = ()) -> None:
        self.mandates = {mandate.id: mandate for mandate in mandates}
        self.sessions = {session.session: session for session in sessions}
        self._dated_hrc = sorted(
            (key, resolution.adopted)
            for mandate in self.mandates.values()
            for resolution in mandate.resolutions
            if (key := _hrc_key(resolution)) is not None and resolution.adopted is not None
        )

    # --- resolutions ---------------------------------------------------------------------------

    def adoption_window(self, resolution: Resolution) -> AdoptionWindow:
        if resolution.adopted is not None:
            return AdoptionWindow(resolution.adopted, resolution.adopted)
        earliest, latest = date.min, date.max
        key = _hrc_key(resolution)
        if key is not None:
            earlier = [adopted for other, adopted in self._dated_hrc if other < key]
            later = [adopted for other, adopted in self._dated_hrc if other > key]
            earliest = max(earlier, default=date.min)
            latest = min(later, default=date.max)
        elif resolution.number and (year := _YEAR_NUMBER.match(resolution.number)):
            earliest, latest = date(int(year.group(1)), 1, 1), date(int(year.group(1)), 12, 31)
        session = self.sessions.get(_session_of(resolution) or "")
        if session is not None:
            earliest = max(earliest, session.opened)
            latest = min(latest, session.closed or date.max)
        if resolution.cited:
            latest = min(latest, min(resolution.cited))
        return AdoptionWindow(earliest, latest)

    def resolution_on(self, mandate: Mandate, day: date) -> tuple[str | None, str | None]:
        """The number of the resolution in force on `day`, or None and why it is not known."""
        windows = [(resolution, self.adoption_window(resolution)) for resolution in mandate.resolutions]
        adopted = [(resolution, window) for resolution, window in windows if window.latest <= day]
        if not adopted:
            return None, f"no resolution on `{mandate.id}` adopted on or before {day} is in mandates.yaml"
        current, current_window = max(adopted, key=functools.cmp_to_key(_adopted_order))
        for resolution, window in windows:
            if window.earliest <= day < window.latest and _adopted_order((resolution, window), (current, current_window)) >= 0:
                return None, (
                    f"the adoption date of resolution {resolution.number} on `{mandate.id}` is not in "
                    f"mandates.yaml: it may have been adopted by {day}"
                )
        if current.number is None:
            return None, (f"the resolution that renewed `{mandate.id}` on {current.adopted} has no number in mandates.yaml")
        term = mandate.term_years if mandate.term_years is not None else DEFAULT_TERM_YEARS[mandate.kind]
        if term and day > _years_later(current_window.latest, term) + RENEWAL_GRACE:
            return None, (
                f"the last resolution on `{mandate.id}` in mandates.yaml is {current.number} "
                f"({current_window.latest}); its renewal in force on {day} is not recorded"
            )
        return current.number, None

    # --- existence, names, holders -------------------------------------------------------------

    def exists_on(self, mandate: Mandate, day: date) -> bool:
        start = mandate.established or min(
            (self.adoption_window(resolution).latest for resolution in mandate.resolutions), default=None
        )
        return start is not None and start <= day and (mandate.ended is None or day <= mandate.ended)

    @staticmethod
    def name_on(mandate: Mandate, day: date) -> str:
        former = [name for name in mandate.former_names if day <= name.until]
        return min(former, key=lambda name: name.until).name if former else mandate.name

    @staticmethod
    def vacancy_on(mandate: Mandate, day: date) -> Vacancy | None:
        """The recorded vacancy `day` falls in, if any: then no one holds the mandate."""
        return next((v for v in mandate.vacancies if v.since <= day and (v.until is None or day <= v.until)), None)

    @classmethod
    def holder_on(cls, mandate: Mandate, day: date) -> Holder | None:
        if cls.vacancy_on(mandate, day) is not None:
            return None
        # A successor appointed by `day` ends a predecessor's term whose end is not recorded; of
        # two holders both in office by the sources (one seen after the other began), the later.
        serving = [
            holder
            for holder in mandate.holders
            if in_office(holder, day) and not (holder.until is None and _successor_appointed(mandate, holder, day))
        ]
        return max(serving, key=lambda holder: holder.first_day or date.min, default=None)

    def on(self, mandate: Mandate, day: date) -> MandateOnDate:
        """Everything the registry knows of an existing mandate on `day`, and what it does not."""
        holder = self.holder_on(mandate, day)
        vacancy = self.vacancy_on(mandate, day)
        number, why = self.resolution_on(mandate, day)
        missing = []
        if vacancy is not None:
            missing = [f"`{mandate.id}` is vacant since {vacancy.since} ({vacancy.source}): no one holds it on {day}"]
        elif holder is None:
            missing = [f"no holder of `{mandate.id}` on {day} in mandates.yaml{_month_only_on(mandate, day)}"]
        name = self.name_on(mandate, day)
        return MandateOnDate(mandate.id, name, number, holder, [*missing, *([why] if why else [])], vacancy)

    def in_force(self, mandate: Mandate, day: date) -> tuple[MandateInForce | None, list[str]]:
        """The mandate as a letter of `day` prints it, or None and every fact that is missing."""
        if not self.exists_on(mandate, day):
            return None, [_not_existing(mandate, day)]
        known = self.on(mandate, day)
        if known.holder is None or known.resolution is None:
            return None, known.missing
        return MandateInForce(known.id, known.name, known.resolution, known.holder), []

    def gaps(self, start: date, end: date) -> list[tuple[str, date, date, str]]:
        """Every missing fact as (mandate id, from, to, what): periods with no holder or no
        resolution known while the mandate existed, and mandates with no sources."""
        found: list[tuple[str, date, date, str]] = []
        for mandate in self.mandates.values():
            if not mandate.sources:
                found.append((mandate.id, start, end, "no sources"))
            if mandate.established is None:
                found.append((mandate.id, start, end, "date established unknown"))
            days = sorted({day for day in self._change_days(mandate) if start <= day <= end} | {start})
            periods: list[tuple[date, date, str]] = []
            for index, day in enumerate(days):
                last = days[index + 1] - timedelta(days=1) if index + 1 < len(days) else end
                if not self.exists_on(mandate, day):
                    continue
                _, missing = self.in_force(mandate, day)
                for what in missing:
                    generic = _generic(what, mandate.id)
                    if periods and periods[-1][2] == generic and periods[-1][1] + timedelta(days=1) == day:
                        periods[-1] = (periods[-1][0], last, generic)
                    else:
                        periods.append((day, last, generic))
            found.extend((mandate.id, first, last, what) for first, last, what in periods)
        return found

    def _change_days(self, mandate: Mandate) -> set[date]:
        """The days on which what the registry says of a mandate can change."""
        one = timedelta(days=1)
        days: set[date] = set()
        for resolution in mandate.resolutions:
            window = self.adoption_window(resolution)
            for day in (window.earliest, window.latest):
                if date.min < day < date.max:
                    days.update({day, day + one})
                    for years in (1, 3):
                        days.add(_years_later(day, years) + RENEWAL_GRACE + one)
        for holder in mandate.holders:
            for held in (
                holder.since,
                holder.until,
                holder.first_certain_day,
                holder.last_certain_day,
                holder.appointed,
                *holder.seen,
            ):
                if held is not None:
                    days.update({held, held + one})
            if holder.since is not None:
                days.add(_years_later(holder.since, MAX_TENURE_YEARS))
        for vacancy in mandate.vacancies:
            for changed in (vacancy.since, vacancy.until):
                if changed is not None:
                    days.update({changed, changed + one})
        for changed in (mandate.established, mandate.ended, *(name.until for name in mandate.former_names)):
            if changed is not None:
                days.update({changed, changed + one})
        return days


def in_office(holder: Holder, day: date) -> bool:
    """Within the term as far as the sources show it. A mandate-holder serves one continuous term
    (renewed at most once): from the first day recorded (`since`, or the first `seen`) to the last
    (`until`, or six years from `since`, or the last `seen`). A Working Group's chair (who has a
    title) rotates and may chair again later: within a published since–until, or between two days
    seen less than six months apart (a chair the office recorded, `recorded`, signs from `since`
    as any holder does, until the office records the next one, which ends the term) (no chair's term is shorter than the business Working Group's
    six-month rotation, the shortest recorded)."""
    if day in holder.seen:
        return True
    since, until = holder.first_certain_day, holder.last_certain_day  # a month-only day counts from the next month
    if holder.title is not None and holder.recorded is None:
        if since is not None and until is not None:
            return since <= day <= until
        seen = sorted({*holder.seen, *(d for d in (since, until) if d is not None)})
        return any(first < day < last and last - first < CHAIR_MIN_TERM for first, last in itertools.pairwise(seen))
    first = since or min(holder.seen, default=None)
    if first is None or day < first:
        return False
    if until is not None:
        return day <= until
    last_seen = max(holder.seen, default=first)
    return day <= last_seen or (holder.since is not None and day < _years_later(holder.since, MAX_TENURE_YEARS))


def _successor_appointed(mandate: Mandate, holder: Holder, day: date) -> Holder | None:
    """A later holder of the mandate appointed on or before `day`: `holder` is then no longer assumed in office."""
    start = holder.first_day or date.min
    return next(
        (
            other
            for other in mandate.holders
            if other.appointed is not None and other.appointed <= day and (other.first_day or date.max) > start
        ),
        None,
    )


def _month_only_on(mandate: Mandate, day: date) -> str:
    """Why a term known only to the month, or a successor appointed but not yet seen in office,
    leaves `day` without a holder: the sources do not show the day."""
    for holder in mandate.holders:
        if holder.appointed is not None and holder.appointed <= day and (holder.first_day is None or day < holder.first_day):
            return f" ({holder.name} was appointed on {holder.appointed}; the day they took office is not in the sources)"
    for holder in mandate.holders:
        for month, precision, began in (
            (holder.since, holder.since_precision, "began"),
            (holder.until, holder.until_precision, "ended"),
        ):
            if precision == "month" and month is not None and (month.year, month.month) == (day.year, day.month):
                return f" ({holder.name}'s term {began} in {day:%B %Y}, on a day the sources do not show)"
    return ""


def _adopted_order(first: tuple[Resolution, AdoptionWindow], second: tuple[Resolution, AdoptionWindow]) -> int:
    """-1, 0 or 1 as `first` was adopted before, (perhaps) with, or after `second`: by the Council's
    numbering where both have it, otherwise by their dates."""
    first_key, second_key = _hrc_key(first[0]), _hrc_key(second[0])
    if first_key is not None and second_key is not None:
        return (first_key > second_key) - (first_key < second_key)
    if first[1].latest < second[1].earliest:
        return -1
    if second[1].latest < first[1].earliest:
        return 1
    return 0


def _hrc_key(resolution: Resolution) -> tuple[int, int] | None:
    """A Human Rights Council resolution's place in the order of adoption: (session, number)."""
    if resolution.body != "Human Rights Council" or resolution.number is None:
        return None
    match = _HRC_NUMBER.match(resolution.number)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _session_of(resolution: Resolution) -> str | None:
    """The session a Council resolution was adopted at: `43` for 43/4, `S-18` for S-18/1."""
    if resolution.body != "Human Rights Council" or resolution.number is None:
        return None
    match = re.match(r"^((?:S-)?[0-9]{1,3})/[0-9]+$", resolution.number)
    return match.group(1) if match else None


def _not_existing(mandate: Mandate, day: date) -> str:
    if mandate.ended is not None and day > mandate.ended:
        return f"`{mandate.id}` ended on {mandate.ended}, before {day}"
    if mandate.established is not None:
        return f"`{mandate.id}` was established on {mandate.established}, after {day}"
    return f"when `{mandate.id}` was established is not in mandates.yaml"


def _generic(message: str, mandate_id: str) -> str:
    """A gap's kind, without the date, so that consecutive days merge into one period."""
    if message.startswith("no holder"):
        return "no holder"
    if " is vacant since " in message:
        return re.sub(r": no one holds it on [0-9-]+$", "", message)
    if "renewal in force" in message or "adoption date" in message or "has no number" in message:
        return "resolution in force unknown: " + re.sub(r" (on|by) [0-9]{4}-[0-9]{2}-[0-9]{2}", "", message)
    return re.sub(r" [0-9]{4}-[0-9]{2}-[0-9]{2}", "", message)
