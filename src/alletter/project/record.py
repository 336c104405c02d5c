"""`alletter mandates record …`: the office adds a fact to mandates.yaml, in place.

The registry is a long file people read and review line by line, so an edit must leave every
other line exactly as it was. ruamel.yaml's round-trip dump keeps comments, order and quoting but
re-wraps long scalars (over 2,000 lines of the registry change when it is loaded and dumped, at
any width), so it is used for what it does exactly: it composes the file into nodes that know
where they start and end, and it writes the new fact's few lines. Those lines are spliced into the
original text; nothing else is re-emitted.

Before anything is written the edited text is read back and validated as the registry, and the
new fact is checked against the facts around it (a resolution adopted before its mandate existed,
two terms of one seat that overlap, a holder outside the mandate's life): a contradiction is a
`RecordRefusedError` and the file is untouched. The library only computes the change (`Change`,
with its diff); `write_change` writes it atomically.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from ..errors import RecordRefusedError, UsageError, did_you_mean
from .letter_project import REGISTRY_FILE
from .load import read_source
from .registry import MAX_TENURE_YEARS, RegistryOnDates, _years_later
from .schema import Holder, Mandate, Registry, Resolution
from .yaml_edit import Change, Edit, Recorder, YamlText, dump_lines, flow, validated

ONE_DAY = timedelta(days=1)


class _RegistryText(YamlText):
    """mandates.yaml as text and as composed nodes."""

    def mandate_node(self, mandate_id: str) -> Any:
        for node in self.value(self.root, "mandates").value:
            if (id_node := self.value(node, "id")) is not None and id_node.value == mandate_id:
                return node
        raise AssertionError(mandate_id)  # the caller checked it exists

    def item_node(self, mapping: Any, key: str, index: int) -> Any:
        return self.value(mapping, key).value[index]


def _order(model: type[Any]) -> list[str]:
    return list(model.model_fields)


# --- the facts ----------------------------------------------------------------------------------


@dataclass
class _Recording:
    """One record command's work: the registry before, the text edits, and the checks."""

    path: Path
    text: str
    registry: Registry
    mandate: Mandate
    recorder: Recorder
    what: str
    document: _RegistryText = field(init=False)

    def __post_init__(self) -> None:
        self.document = _RegistryText(self.path, self.text)
        self.node = self.document.mandate_node(self.mandate.id)

    def refuse(self, reason: str) -> RecordRefusedError:
        return RecordRefusedError(self.path, self.what, reason)

    def stamp(self) -> Any:
        from ruamel.yaml.scalarstring import SingleQuotedScalarString

        # `on` unquoted is true to a YAML 1.1 reader (PyYAML, and so alletter's loader)
        return flow({"by": self.recorder.by, SingleQuotedScalarString("on"): self.recorder.on})

    def finish(self) -> Change:
        after = self.document.edited()
        registry = _validated(self.path, after)
        _check_untouched(self.registry, registry, self.mandate.id, self.path, self.what)
        return Change(self.path, self.text, after, self.what)


def _start(root: Path, mandate_id: str, recorder: Recorder, what: str, *, new: bool = False) -> _Recording:
    path = root / REGISTRY_FILE
    text = read_source(path)
    registry = _validated(path, text)
    known = {mandate.id: mandate for mandate in registry.mandates}
    if new:
        if mandate_id in known:
            raise RecordRefusedError(path, what, f"`{mandate_id}` is already in {REGISTRY_FILE}")
        return _Recording(path, text, registry, registry.mandates[-1], recorder, what)
    if mandate_id not in known:
        hint = did_you_mean(mandate_id, known) or "; `alletter mandates` lists the ids"
        raise RecordRefusedError(path, what, f"no mandate `{mandate_id}` in {REGISTRY_FILE}{hint}")
    return _Recording(path, text, registry, known[mandate_id], recorder, what)


def _validated(path: Path, text: str) -> Registry:
    return validated(path, text, Registry, "the registry")


def _check_untouched(before: Registry, after: Registry, mandate_id: str, path: Path, what: str) -> None:
    """The edit changed the one mandate it is about (or added it), and nothing else: else it is
    alletter's own fault (a line placed in the wrong entry), refused before anything is written."""
    old = {mandate.id: mandate for mandate in before.mandates}
    new = {mandate.id: mandate for mandate in after.mandates}
    others_changed = [key for key in old if key != mandate_id and old[key] != new.get(key)]
    if others_changed or before.sessions != after.sessions:
        changed = ", ".join(f"`{key}`" for key in others_changed) or "the sessions"
        raise RecordRefusedError(
            path, what, f"alletter's edit would also change {changed} (a fault of alletter's: please report it with this command)"
        )


def _life(mandate: Mandate, registry: RegistryOnDates) -> tuple[date | None, date | None]:
    start = mandate.established or min(
        (registry.adoption_window(resolution).latest for resolution in mandate.resolutions), default=None
    )
    return start, mandate.ended


def _within_life(recording: _Recording, first: date, last: date | None, fact: str) -> None:
    start, ended = _life(recording.mandate, RegistryOnDates(recording.registry.mandates, recording.registry.sessions))
    if start is not None and first < start:
        raise recording.refuse(f"{fact} starts on {first}, before `{recording.mandate.id}` existed (established {start})")
    if ended is not None and (last or date.max) > ended:
        raise recording.refuse(f"{fact} runs past {ended}, the day `{recording.mandate.id}` ended")


def record_renewal(
    root: Path, mandate_id: str, number: str, adopted: date, source: str, recorder: Recorder, body: str | None = None
) -> Change:
    """A resolution that renewed (or established) a mandate, with its adoption date. A resolution
    the registry lists without its date or number gets the one it lacks; one it has is refused."""
    what = f"resolution {number} on `{mandate_id}`"
    recording = _start(root, mandate_id, recorder, what)
    mandate = recording.mandate
    registry = RegistryOnDates(recording.registry.mandates, recording.registry.sessions)
    start, ended = _life(mandate, registry)
    if mandate.established is not None and adopted < mandate.established:
        raise recording.refuse(f"adopted on {adopted}, before `{mandate_id}` was established ({mandate.established})")
    if ended is not None and adopted > ended:
        raise recording.refuse(f"adopted on {adopted}, after `{mandate_id}` ended ({ended})")
    candidate = _resolution(recording, {"number": number, "source": source, **({"body": body} if body else {})})
    _check_order(recording, registry, candidate, adopted)
    for index, resolution in enumerate(mandate.resolutions):
        same_number = resolution.number == number
        same_day = resolution.adopted == adopted
        if same_number and resolution.adopted is not None:
            if same_day:
                raise recording.refuse(f"already in {REGISTRY_FILE} (adopted {adopted}, source {resolution.source})")
            raise recording.refuse(f"{REGISTRY_FILE} has it adopted on {resolution.adopted} (source {resolution.source})")
        if same_number or (same_day and resolution.number is None):
            return _complete_resolution(recording, index, resolution, number, adopted, source)
    item: dict[str, Any] = {"number": number, **({"body": body} if body else {}), "adopted": adopted}
    item |= {"source": source, "recorded": recording.stamp()}
    recording.document.append_item(recording.node, "resolutions", item, _order(Mandate))
    return recording.finish()


def _complete_resolution(
    recording: _Recording, index: int, resolution: Resolution, number: str, adopted: date, source: str
) -> Change:
    """Give a listed resolution the number or date it lacked, with the source that shows it; its
    former source stays among the mandate's `sources`."""
    document = recording.document
    node = document.item_node(recording.node, "resolutions", index)
    order = _order(Resolution)
    if resolution.number is None:
        document.set_key(node, "number", number, order)
    else:
        document.set_key(node, "adopted", adopted, order)
    document.set_key(node, "source", source, order)
    document.set_key(node, "recorded", recording.stamp(), order)
    if resolution.source and resolution.source != source and resolution.source not in recording.mandate.sources:
        document.append_item(recording.node, "sources", resolution.source, _order(Mandate))  # type: ignore[arg-type]
    return recording.finish()


def _resolution(recording: _Recording, fields: dict[str, Any]) -> Resolution:
    """The resolution as the registry would read it, or a refusal saying which field is wrong."""
    from pydantic import ValidationError

    try:
        return Resolution.model_validate(fields)
    except ValidationError as error:
        first = error.errors()[0]
        raise recording.refuse(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _check_order(recording: _Recording, registry: RegistryOnDates, resolution: Resolution, adopted: date) -> None:
    """A Council resolution's number places it among the dated ones and within its session."""
    window = registry.adoption_window(resolution)
    if window.earliest <= adopted <= window.latest:
        return
    if window.latest == date.max:
        between = f"on or after {window.earliest}"
    elif window.earliest == date.min:
        between = f"on or before {window.latest}"
    else:
        between = f"between {window.earliest} and {window.latest}"
    raise recording.refuse(
        f"resolutions are numbered in the order of adoption, so {resolution.number} was adopted {between} "
        f"(the dated resolutions and sessions in {REGISTRY_FILE}), not on {adopted}"
    )


def _term(holder: Holder) -> tuple[date, date] | None:
    """A holder's term where the registry knows both ends (as far as `in_office` reads them)."""
    first = holder.since or min(holder.seen, default=None)
    if first is None:
        return None
    last = holder.until or max(holder.seen, default=first)
    if holder.until is None and holder.since is not None and (holder.title is None or holder.recorded is not None):
        last = max(last, _years_later(holder.since, MAX_TENURE_YEARS) - ONE_DAY)
    return first, last


def _open_term_before(mandate: Mandate, first: date) -> tuple[int, Holder] | None:
    """The holder whose term is still open (a start, no end) on the day before `first`: that term
    ends then, unless a source shows the holder in office later (a contradiction)."""
    for index, holder in reversed(list(enumerate(mandate.holders))):
        if holder.since is not None and holder.until is None and holder.since < first:
            if _years_later(holder.since, MAX_TENURE_YEARS) <= first - ONE_DAY:
                return None  # already over: no tenure is longer than six years
            return index, holder
    return None


def _overlaps(a: tuple[date, date | None], b: tuple[date, date | None]) -> bool:
    return a[0] <= (b[1] or date.max) and b[0] <= (a[1] or date.max)


def _close_open_term(recording: _Recording, first: date, last: date | None, fact: str) -> list[int]:
    """Refuse a term that overlaps another holder's or a vacancy; end the open one before it.
    Returns the holders whose term it closes (their index)."""
    mandate = recording.mandate
    opened = _open_term_before(mandate, first)
    closing = [opened[0]] if opened else []
    for index, holder in enumerate(mandate.holders):
        seen_in = [day for day in holder.seen if _overlaps((day, day), (first, last))]
        if seen_in:
            raise recording.refuse(
                f"{fact} overlaps {holder.name}, whom a source shows in office on {seen_in[0]} ({holder.source})"
            )
        term = _term(holder)
        if index in closing or term is None:
            continue
        if holder.title is not None and holder.until is None and holder.recorded is None:
            continue  # a chair seen on some days only: no term to overlap
        if _overlaps(term, (first, last)):
            raise recording.refuse(f"{fact} overlaps the term of {holder.name}, {term[0]} to {term[1]} ({holder.source})")
    for vacancy in mandate.vacancies:
        if vacancy.until is None and vacancy.since < first:
            continue  # an open vacancy ends when the seat is filled
        if _overlaps((vacancy.since, vacancy.until), (first, last)):
            raise recording.refuse(f"{fact} overlaps the vacancy from {vacancy.since} ({vacancy.source})")
    document = recording.document
    for index in closing:
        node = document.item_node(recording.node, "holders", index)
        document.set_key(node, "until", first - ONE_DAY, _order(Holder))
    for index, vacancy in enumerate(mandate.vacancies):
        if vacancy.until is None and vacancy.since < first:
            from .schema import Vacancy

            node = document.item_node(recording.node, "vacancies", index)
            document.set_key(node, "until", first - ONE_DAY, _order(Vacancy))
    return closing


def record_holder(
    root: Path,
    mandate_id: str,
    name: str,
    since: date,
    source: str,
    recorder: Recorder,
    until: date | None = None,
    title: str | None = None,
    gender: Literal["female", "male"] | None = None,
) -> Change:
    """Who holds a mandate (for a Working Group: who signs its letters, with the title as printed)
    from a day; the term open before it ends the day before."""
    what = f"{name} as holder of `{mandate_id}`"
    recording = _start(root, mandate_id, recorder, what)
    if until is not None and until < since:
        raise recording.refuse(f"--to {until} is before --from {since}")
    fact = f"the term from {since}" + (f" to {until}" if until else "")
    _within_life(recording, since, until, fact)
    _close_open_term(recording, since, until, fact)
    item: dict[str, Any] = {"name": name}
    item |= {key: value for key, value in (("title", title), ("gender", gender)) if value is not None}
    item |= {"since": since, **({"until": until} if until else {}), "source": source, "recorded": recording.stamp()}
    recording.document.append_item(recording.node, "holders", item, _order(Mandate))
    return recording.finish()


def record_vacancy(
    root: Path, mandate_id: str, since: date, source: str, recorder: Recorder, until: date | None = None
) -> Change:
    """A time the mandate had no holder; the term open before it ends the day before."""
    what = f"a vacancy of `{mandate_id}`"
    recording = _start(root, mandate_id, recorder, what)
    if until is not None and until < since:
        raise recording.refuse(f"--to {until} is before --from {since}")
    fact = f"the vacancy from {since}"
    _within_life(recording, since, until, fact)
    _close_open_term(recording, since, until, fact)
    item: dict[str, Any] = {"since": since, **({"until": until} if until else {}), "source": source}
    item["recorded"] = recording.stamp()
    recording.document.append_item(recording.node, "vacancies", item, _order(Mandate))
    return recording.finish()


def record_rename(root: Path, mandate_id: str, name: str, since: date, source: str, recorder: Recorder) -> Change:
    """A new name from a day: the current one becomes a former name, used until the day before."""
    what = f"the new name of `{mandate_id}`"
    recording = _start(root, mandate_id, recorder, what)
    mandate = recording.mandate
    if name == mandate.name:
        raise recording.refuse(f"`{mandate_id}` is already named so")
    _within_life(recording, since, since, f"the name from {since}")
    latest = max((former.until for former in mandate.former_names), default=None)
    if latest is not None and since <= latest:
        raise recording.refuse(f"{REGISTRY_FILE} has `{mandate_id}` under an earlier name until {latest}, after {since}")
    document = recording.document
    document.set_key(recording.node, "name", name, _order(Mandate))
    former = {"name": mandate.name, "until": since - ONE_DAY, "source": source, "recorded": recording.stamp()}
    document.append_item(recording.node, "former_names", former, _order(Mandate))
    return recording.finish()


def record_end(root: Path, mandate_id: str, on: date, source: str, recorder: Recorder) -> Change:
    """The last day of a mandate (ended or merged into another); nothing recorded of it may lie after."""
    what = f"the end of `{mandate_id}`"
    recording = _start(root, mandate_id, recorder, what)
    mandate = recording.mandate
    if mandate.ended is not None:
        raise recording.refuse(f"{REGISTRY_FILE} has it ended on {mandate.ended}")
    start, _ = _life(mandate, RegistryOnDates(recording.registry.mandates, recording.registry.sessions))
    if start is not None and on < start:
        raise recording.refuse(f"{on} is before `{mandate_id}` existed (established {start})")
    for later in _facts_after(mandate, on):
        raise recording.refuse(f"{REGISTRY_FILE} has {later}, after {on}")
    document = recording.document
    document.set_key(recording.node, "ended", on, _order(Mandate))
    document.set_key(recording.node, "ending", {"source": source, "recorded": recording.stamp()}, _order(Mandate))
    return recording.finish()


def _facts_after(mandate: Mandate, day: date) -> Iterator[str]:
    for resolution in mandate.resolutions:
        if resolution.adopted is not None and resolution.adopted > day:
            yield f"resolution {resolution.number} adopted on {resolution.adopted}"
    for holder in mandate.holders:
        first = holder.since or min(holder.seen, default=None)
        if first is not None and first > day:
            yield f"{holder.name} in office from {first}"
        if holder.until is not None and holder.until > day and (first or date.min) <= day:
            yield f"{holder.name} in office until {holder.until}"


def record_establish(
    root: Path,
    mandate_id: str,
    name: str,
    on: date,
    resolution: str,
    source: str,
    recorder: Recorder,
    kind: Literal["thematic", "country"] = "thematic",
    country: str | None = None,
) -> Change:
    """A new mandate, established on a day by a resolution: added at the end of the mandates."""
    import re

    from .schema import MANDATE_ID_PATTERN

    what = f"the new mandate `{mandate_id}`"
    if not re.match(MANDATE_ID_PATTERN, mandate_id):
        raise UsageError(f"{mandate_id}: a mandate id is lower-case words joined by hyphens, e.g. rural-workers")
    if (kind == "country") != (country is not None):
        raise UsageError("--country CODE (ISO 3166 alpha-3) goes with --kind country, and only with it")
    recording = _start(root, mandate_id, recorder, what, new=True)
    registry = RegistryOnDates(recording.registry.mandates, recording.registry.sessions)
    _check_order(recording, registry, _resolution(recording, {"number": resolution, "source": source}), on)
    stamp = recording.stamp()
    mandate: dict[str, Any] = {"id": mandate_id, "kind": kind, **({"country": country} if country else {}), "name": name}
    mandate |= {"established": on, "resolutions": [{"number": resolution, "adopted": on, "source": source, "recorded": stamp}]}
    mandate |= {"holders": [], "sources": [source]}
    document = recording.document
    mandates = document.value(document.root, "mandates")
    at = document.last_line(mandates) + 1
    document.edits.append(Edit(at, at, dump_lines([mandate], mandates.value[0].start_mark.column - 2)))
    return recording.finish()


def command_that_records(mandate_id: str, missing: str, number: str = "RESOLUTION") -> str | None:
    """The `alletter mandates record …` command that fills a gap the registry reports (`missing`,
    as `RegistryOnDates` words it), filled in as far as the gap tells, and with the renewal's
    `number` where the caller knows it (a letter that cites it); None for other problems."""
    import re

    holder = f'alletter mandates record holder {mandate_id} "NAME" --from DATE --source URL'
    if missing.startswith(f"no holder of `{mandate_id}`") or " is vacant since " in missing:
        return holder
    undated = re.search(r"the adoption date of resolution (\S+) on ", missing)
    if undated:
        return f"alletter mandates record renewal {mandate_id} {undated.group(1)} --adopted DATE --source URL"
    unnumbered = re.search(r"renewed `[^`]+` on ([0-9-]+) has no number", missing)
    if unnumbered:
        return f"alletter mandates record renewal {mandate_id} {number} --adopted {unnumbered.group(1)} --source URL"
    if "its renewal in force on" in missing or missing.startswith("no resolution on"):
        return f"alletter mandates record renewal {mandate_id} {number} --adopted DATE --source URL"
    return None
