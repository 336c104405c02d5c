"""Stage 2b — validate: a loaded case file against the schema and the project's registry.

The schema (`model`) checks each field on its own; the rules here need the mandate registry,
the annexes on disk or the letter's own date. Every problem is collected, not just the first,
and each carries the line it comes from.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import TypeAdapter, ValidationError

from ..errors import CaseFileError, Problem, SourceLocation, closest, did_you_mean
from ..project.letter_project import LetterProject
from ..project.load import FieldPath, LoadedYaml, dotted_path, load_yaml, parse_yaml
from ..project.schema import (
    FOOTNOTE_MARK,
    MANDATE_ID_PATTERN,
    NON_STATE,
    REFERENCE_PATTERN,
    URL_PATTERN,
    Annex,
    Case,
    Reference,
    Signatory,
    SignedBy,
)
from ..project.wording import form_group, named_forms
from .glyphs import describe, unshowable

if TYPE_CHECKING:
    from ..project.registry import MandateInForce


NARRATIVE_FIELDS = frozenset({"paragraphs", "questions", "subject", "concern"})  # Text in the model


@dataclass(frozen=True)
class ValidCase:
    """A case that passed every check, with what the registry and annexes say about it."""

    path: Path
    case: Case
    mandates: list[MandateInForce]  # as on the letter's date: name, resolution, holder
    signatories: list[Signatory]
    annexes: list[Annex]
    kind_location: SourceLocation  # where the case says whom it is to: the wording it needs is reported there
    recipient_label: str  # who it went to, as the archive's index lists it: a name, or "Government of <State>"
    language_location: SourceLocation | None = None  # the case's `language:`, where its language's gaps are reported
    date_location: SourceLocation | None = None  # the case's `date:`, where a wording its date lacks is reported


@dataclass
class CaseCheck:
    """What checking one case file found: its problems, and the letter when there are none."""

    path: Path
    problems: list[Problem]
    valid: ValidCase | None = None
    # worth a look, not wrong (the letter is made): a signatory not the registry's, the letter's own wording
    notices: list[Problem] = field(default_factory=list)
    reference: str | None = None
    reference_location: SourceLocation | None = None
    # the checks that could not run for the errors found, for `check` to say so: fixing them may show more
    unchecked: list[str] = field(default_factory=list)


UNREAD_FIELDS = "its fields and every rule on them, which need the file read as a mapping of fields first"
WHOLE_CASE_RULES = (
    "the rules that need the whole case (the kind of letter and its blocks, the follow-up's dates, "
    "related letters, footnotes, the letter's own wording)"
)


def check_case(path: Path, project: LetterProject) -> CaseCheck:
    """Every problem in one case file: its YAML, its fields, and the rules of the registry."""
    try:
        loaded = parse_yaml(path)
    except CaseFileError as error:
        return CaseCheck(path, error.problems, unchecked=[UNREAD_FIELDS])
    check = CaseCheck(path, [])
    if not isinstance(loaded.data, dict):
        check.problems = [
            *loaded.problems,
            Problem(loaded.locate(()), "a case file must be a mapping of fields such as `reference:`"),
        ]
        check.unchecked.append(UNREAD_FIELDS)
        return check
    reference = loaded.data.get("reference")
    if isinstance(reference, str):
        check.reference, check.reference_location = reference.strip(), loaded.locate(("reference",), value=True)
    case, found = _case_and_problems(loaded, project)
    check.problems = [problem for problem in found if problem.severity == "error"]
    check.notices = [problem for problem in found if problem.severity != "error"]
    if case is None:
        check.unchecked.append(WHOLE_CASE_RULES)
    else:  # said whatever else is wrong: a date in the future explains a registry gap
        check.notices += [
            *_date_notices(loaded, case.ref, case.date, date.today()),
            *_address_state_notices(loaded, case, project),
        ]
    if case is not None and not check.problems:
        mandates = [
            mandate_in_force(project, mandate_id, case.date, case.signed_by.get(mandate_id), case.resolutions.get(mandate_id))
            for mandate_id in case.mandates
        ]
        check.notices += [
            *_signatory_notices(loaded, case, project),
            *_own_wording_notices(loaded, case, project),
        ]
        check.valid = ValidCase(
            path=path,
            case=case,
            mandates=mandates,
            signatories=[Signatory(name=mandate.holder.name, title=mandate.signature_title) for mandate in mandates],
            annexes=[project.annex(annex_id, case.language or project.default_language()) for annex_id in case.annexes],
            kind_location=loaded.locate(("recipient", "kind"), value=True),
            recipient_label=case.recipient.name or f"Government of {project.states[case.ref.country].en}",
            language_location=loaded.locate(("language",), value=True) if "language" in loaded.data else None,
            date_location=loaded.locate(("date",), value=True),
        )
    return check


def _case_and_problems(loaded: LoadedYaml, project: LetterProject) -> tuple[Case | None, list[Problem]]:
    """The case if its schema holds, and every problem, in file order, one per place: the YAML's
    own (a duplicate key), the schema's, the registry's.

    A file's every problem is found in one pass: a case whose only fault is an unknown field is
    checked in full without it, and one with a faulty field still has the rules of the registry
    run on the fields that are sound, with a notice for each rule that could not run and why. A
    TODO placeholder is reported as such, not also as the bad date or id it stands in for.
    """
    placeholders = list(_placeholder_problems(loaded))
    case: Case | None = None
    try:
        case = Case.model_validate(loaded.data)
    except ValidationError as error:
        details = error.errors()
        found = [_schema_problem(loaded, detail) for detail in _one_per_misspelling(details)]
        case = _without_unknown_fields(loaded, details)
        if case is None:
            found.extend(_unparsed_case_problems(loaded, project))
        else:  # what the misspelled field stands for is said once, by its "did you mean"
            meant = {dotted_path(field_path) for field_path in _misspelled(details)}
            found.extend(problem for problem in _case_rule_problems(loaded, case, project) if problem.field not in meant)
    else:
        found = list(_case_rule_problems(loaded, case, project))
    found.extend(_glyph_problems(loaded, project))
    taken = {problem.location for problem in placeholders}
    found.extend(_comment_cut_problems(loaded))
    return case, _in_file_order(loaded.problems + placeholders + [problem for problem in found if problem.location not in taken])


def _case_rule_problems(loaded: LoadedYaml, case: Case, project: LetterProject) -> Iterator[Problem]:
    """The rules beyond the schema, on a case the schema accepts."""
    yield from _date_problems(loaded, case.ref, case.date)
    yield from _registry_problems(loaded, case, project)
    yield from _footnote_problems(loaded, case)


def _without_unknown_fields(loaded: LoadedYaml, details: Sequence[Mapping[str, Any]]) -> Case | None:
    """The case with its unknown fields left out, when they are all that the schema refused: such
    a field is never printed, so every other rule can be checked without it."""
    if any(detail["type"] != "extra_forbidden" for detail in details):
        return None
    data = copy.deepcopy(loaded.data)
    for detail in details:
        *parent, key = detail["loc"]
        holder = data
        for part in parent:
            holder = holder[part]
        holder.pop(key, None)
    try:
        return Case.model_validate(data)
    except ValidationError:
        return None


def check_cases(paths: list[Path], project: LetterProject) -> list[CaseCheck]:
    """Check each file, then what no file shows alone: two files with the same reference."""
    checks = [check_case(path, project) for path in paths]
    by_reference: dict[str, list[CaseCheck]] = {}
    for check in checks:
        if check.reference:
            by_reference.setdefault(check.reference, []).append(check)
    for reference, sharing in by_reference.items():
        for check in sharing if len(sharing) > 1 else []:
            others = ", ".join(str(other.path) for other in sharing if other is not check)
            assert check.reference_location is not None
            check.problems = _in_file_order(
                [
                    *check.problems,
                    Problem(
                        check.reference_location,
                        f"`{reference}` is also the reference of {others}; every letter needs its own number",
                        "reference",
                    ),
                ]
            )
            check.valid = None
    return checks


def load_case(path: Path, project: LetterProject) -> ValidCase:
    """Load and validate one case file; raise CaseFileError listing every problem in it."""
    check = check_case(path, project)
    if check.problems or check.valid is None:
        raise CaseFileError(check.problems)
    return check.valid


def _one_per_misspelling(details: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """A misspelled required key is one mistake: keep "did you mean `recipient`?", drop "recipient missing"."""
    suggested = _misspelled(details)
    return [detail for detail in details if not (detail["type"] == "missing" and tuple(detail["loc"]) in suggested)]


def _misspelled(details: Sequence[Mapping[str, Any]]) -> set[FieldPath]:
    """The fields an unknown key is closest to: what the drafter meant to write."""
    suggested: set[FieldPath] = set()
    for detail in details:
        if detail["type"] == "extra_forbidden":
            *parent, key = detail["loc"]
            meant = closest(str(key), _allowed_keys(tuple(detail["loc"])))
            if meant is not None:
                suggested.add((*parent, meant))
    return suggested


def _schema_problem(loaded: LoadedYaml, detail: Mapping[str, Any]) -> Problem:
    field_path: FieldPath = tuple(detail["loc"])
    kind = detail["type"]
    return Problem(
        loaded.locate(field_path, value=kind not in ("missing", "extra_forbidden")),
        _schema_message(field_path, detail),
        field=dotted_path(field_path),
    )


_PATTERN_MEANINGS = {
    REFERENCE_PATTERN: "is not a reference such as `AL OTH 11/2023` (AL, UA or OL; a three-letter country code "
    "or OTH; the number/the year)",
    URL_PATTERN: "is not a web address: it must start with https:// or http:// and hold no spaces",
    MANDATE_ID_PATTERN: "is not a mandate id: lower-case words joined by hyphens, such as `freedom-of-expression`",
}
_TYPE_MESSAGES = {
    "string_type": "should be text",
    "list_type": "should be a list: one item per line, each starting with `- `",
    "model_type": "should be a group of fields, each on its own indented line `name: value`",
    "dict_type": "should be a group of fields, each on its own indented line `name: value`",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
}


def _schema_message(field_path: FieldPath, detail: Mapping[str, Any]) -> str:
    """pydantic's finding in the words of someone writing a letter, with how to fix it."""
    kind, value = detail["type"], detail.get("input")
    context = detail.get("ctx") or {}
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(field_path)
        hint = did_you_mean(field_path[-1], allowed)
        return "is not a known field" + (hint or (f" (the fields here: {', '.join(allowed)})" if allowed else ""))
    if kind.startswith("date"):
        reason = f" ({context['error']})" if context.get("error") else ""
        return f"`{value}` is not a date{reason}; write it as year-month-day, e.g. 2023-03-13"
    if kind == "string_pattern_mismatch":
        if field_path and field_path[0] == "annexes":
            return f"`{value}` is not an annex id: the name of a file in annexes/ without `.md`, such as `ungp`"
        pattern = str(context.get("pattern"))
        return f"`{value}` " + _PATTERN_MEANINGS.get(pattern, f"does not have the expected form {pattern}")
    if kind == "too_short":
        what = "question" if field_path and field_path[-1] == "questions" else "item"
        return f"needs at least one {what}" if not value else detail["msg"]
    if kind == "string_too_long":
        return f"is {len(str(value)):,} characters long; the limit is {context.get('max_length'):,}"
    if kind == "string_too_short":
        return "is empty; write the text or remove the field"
    if kind == "literal_error":
        choices = [choice.strip("'") for choice in str(context.get("expected", "")).replace(" or ", ", ").split(", ")]
        return f"`{value}` is not one of: {', '.join(choices)}" + did_you_mean(value, choices)
    if kind == "string_type" and isinstance(value, dict):
        return "should be text, but YAML read the `: ` in it as a field name; put the whole text in quotes"
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind]
    if kind == "value_error":
        return str(context.get("error") or detail["msg"])
    return detail["msg"]


PLACEHOLDER = "TODO"


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda problem: (problem.location.line or 0, problem.location.column or 0))


def _placeholder_problems(loaded: LoadedYaml) -> Iterator[Problem]:
    """Text still reading TODO, as `alletter new` writes it: a skeleton never becomes a letter."""
    for field_path, text in _texts(loaded.data, ()):
        if text.lstrip().startswith(PLACEHOLDER):
            yield Problem(
                loaded.locate(field_path, value=True),
                "still holds the placeholder TODO; write the letter's own text here",
                dotted_path(field_path),
            )


def _comment_cut_problems(loaded: LoadedYaml) -> Iterator[Problem]:
    """Narrative text cut short by ` #`: YAML reads the rest of the line as a comment, and the
    letter would go out without it (`issue #5`, `#MeToo`). A comment after a name is left alone."""
    for field_path, where in loaded.comment_cuts.items():
        if any(part in NARRATIVE_FIELDS for part in field_path if isinstance(part, str)):
            yield Problem(
                where,
                "the text stops here: YAML reads ` #` and what follows as a comment. If the `#` "
                "belongs to the text, put the text in quotes or write it as a block (`>-`); put a comment "
                "on a line of its own",
                dotted_path(field_path),
            )


def _unparsed_case_problems(loaded: LoadedYaml, project: LetterProject) -> Iterator[Problem]:
    """The rules of the registry on a case whose schema failed, run on each field that is sound
    on its own; a rule that needs a field which is not is named in a notice, with the reason."""
    data = loaded.data
    reference_text, day = _sound_field(data, "reference"), _sound_field(data, "date")
    reference = Reference.parse(reference_text.strip()) if reference_text is not None else None
    if reference is not None:
        yield from _file_name_problems(loaded, reference)
        if day is not None:
            yield from _date_problems(loaded, reference, day)
            yield from _date_notices(loaded, reference, day, date.today())
    elif day is not None:
        yield Problem(
            loaded.locate(("date",), value=True),
            f"not checked against the reference's year: the reference {_why_unsound(loaded, 'reference', 'valid')}",
            "date",
            severity="notice",
        )
    listed = _sound_ids(data, "mandates")
    signed_by = data.get("signed_by")
    yield from _mandate_problems(loaded, listed, day, signed_by if isinstance(signed_by, dict) else {}, project)
    if listed and day is None:
        yield Problem(
            loaded.locate(("mandates",)),
            f"not checked against the registry: the letter's date {_why_unsound(loaded, 'date', 'a valid date')}, "
            "and the registry says who held each mandate and which resolution was in force on that date",
            "mandates",
            severity="notice",
        )
    yield from _annex_problems(loaded, _sound_ids(data, "annexes"), project)


def _why_unsound(loaded: LoadedYaml, name: str, sound: str) -> str:
    """Why a top-level field cannot be used by a rule that needs it, where the drafter will find it."""
    written = loaded.data.get(name)
    if written is None:
        return "is missing"
    wrong = f"still holds the placeholder {PLACEHOLDER}" if str(written).startswith(PLACEHOLDER) else f"is not {sound}"
    return f"{wrong} (line {loaded.locate((name,), value=True).line})"


def _sound_ids(data: Mapping[str, Any], name: str) -> list[tuple[int, str]]:
    """The well-formed ids in a list of ids (`mandates:`, `annexes:`), each with its place in the
    list: the schema reports the others, and the registry is asked about these."""
    ids = data.get(name)
    return [
        (index, each)
        for index, each in enumerate(ids if isinstance(ids, list) else [])
        if isinstance(each, str) and re.fullmatch(MANDATE_ID_PATTERN, each)
    ]


def _sound_field(data: Mapping[str, Any], name: str) -> Any:
    """A top-level field of the case, validated alone as the schema would; None if absent or not sound."""
    if name not in data:
        return None
    try:
        return _field_adapter(name).validate_python(data[name])
    except ValidationError:
        return None


@cache
def _field_adapter(name: str) -> TypeAdapter[Any]:
    """The schema of one field of a case, its constraints included (built once per field)."""
    info = Case.model_fields[name]
    schema: Any = Annotated[info.annotation, info]  # a type built at run time, which mypy cannot follow
    return TypeAdapter(schema)


def _unknown_mandate(loaded: LoadedYaml, index: int, mandate_id: str, project: LetterProject) -> Problem:
    hint = did_you_mean(mandate_id, list(project.mandates))
    return Problem(
        loaded.locate(("mandates", index), value=True),
        f"unknown mandate `{mandate_id}`{hint} (`alletter mandates` lists them)",
        f"mandates[{index}]",
    )


def _allowed_keys(field_path: FieldPath) -> list[str]:
    """The field names valid beside `field_path`'s last part, by walking the model."""
    model: Any = Case
    for part in field_path[:-1]:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation if part in getattr(model, "model_fields", {}) else None
        nested = _model_in(annotation)
        if nested is None:
            return []
        model = nested
    return list(getattr(model, "model_fields", {}))


def _model_in(annotation: object) -> type | None:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _registry_problems(loaded: LoadedYaml, case: Case, project: LetterProject) -> Iterator[Problem]:
    """Rules that need the registry, the annexes folder or the letter's own date."""
    at = loaded.locate
    yield from _file_name_problems(loaded, case.ref)
    yield from _mandate_problems(loaded, list(enumerate(case.mandates)), case.date, case.signed_by, project, case.resolutions)
    yield from _annex_problems(loaded, list(enumerate(case.annexes)), project)
    for mandate_id in case.signed_by:
        if mandate_id not in case.mandates:
            yield Problem(
                at(("signed_by", mandate_id)),
                f"`{mandate_id}` is not among the letter's mandates{did_you_mean(mandate_id, case.mandates)}",
                f"signed_by.{mandate_id}",
            )
    yield from _follow_up_problems(loaded, case)
    yield from _kind_problems(loaded, case, project)
    for index, government in enumerate(case.follow_up.other_replies.governments if case.follow_up else []):
        field = ("follow_up", "other_replies", "governments", index, "code")
        yield from _state_code_problems(at(field, value=True), government.code, project, dotted_path(field))
    yield from _related_problems(loaded, case, project)
    yield from _own_wording_problems(loaded, case, project)
    known_standards = project.law_standard_ids()
    for index, standard in enumerate(case.annex.standards if case.annex else []):
        if standard not in known_standards:
            yield Problem(
                at(("annex", "standards", index), value=True),
                f"unknown standard paragraph `{standard}` (no annexes/law/{standard}.md.j2)"
                f"{did_you_mean(standard, known_standards)}",
                f"annex.standards[{index}]",
            )


def _file_name_problems(loaded: LoadedYaml, reference: Reference) -> Iterator[Problem]:
    """A case file is named after its reference, so that its letter and the file are found by one name."""
    if loaded.path.stem != reference.slug:
        yield Problem(
            loaded.locate(("reference",)), f"the file should be named {reference.slug}.yaml to match its reference", "reference"
        )


def _mandate_problems(
    loaded: LoadedYaml,
    mandates: list[tuple[int, str]],
    day: date | None,
    signed_by: Mapping[str, object],
    project: LetterProject,
    cited: Mapping[str, str] | None = None,
) -> Iterator[Problem]:
    """Each mandate (at its place in `mandates:`) known to the registry, once, and on the letter's
    date (when it is sound) with a resolution in force and a holder to sign — or a signatory of
    the case's own, and the resolution the letter itself cites (a published letter prints its
    number where the registry lacks it)."""
    at = loaded.locate
    for index, mandate_id in mandates:
        mandate = project.mandates.get(mandate_id)
        if mandate is None:
            yield _unknown_mandate(loaded, index, mandate_id, project)
            continue
        unknown_resolution = project.registry.resolution_on(mandate, day)[1] if day is not None else None
        for missing in project.registry.in_force(mandate, day)[1] if day is not None else []:
            if mandate_id in signed_by and _is_about_the_holder(missing, mandate_id):
                continue  # the case names who signs
            if cited and mandate_id in cited and missing == unknown_resolution:
                continue  # the case gives the resolution its letter cites
            yield Problem(at(("mandates", index), value=True), _with_fix(mandate_id, missing), f"mandates[{index}]")
    first_place: dict[str, int] = {}
    for index, mandate_id in mandates:
        if mandate_id in first_place:
            first = at(("mandates", first_place[mandate_id]), value=True)
            yield Problem(
                at(("mandates", index), value=True),
                f"`{mandate_id}` is named twice (first at line {first.line}); remove one",
                f"mandates[{index}]",
            )
        first_place.setdefault(mandate_id, index)


def _annex_problems(loaded: LoadedYaml, annexes: list[tuple[int, str]], project: LetterProject) -> Iterator[Problem]:
    known_annexes = project.annex_ids()
    for index, annex_id in annexes:
        if annex_id not in known_annexes:
            hint = did_you_mean(annex_id, known_annexes)
            yield Problem(
                loaded.locate(("annexes", index)),
                f"unknown annex `{annex_id}` (no annexes/{annex_id}.md){hint}",
                f"annexes[{index}]",
            )


def _own_wording_problems(loaded: LoadedYaml, case: Case, project: LetterProject) -> Iterator[Problem]:
    """A letter's own wording must name a sentence the boilerplate has, and a resolution it cites
    instead of the one in force must be one of the mandate's, adopted by the letter's date."""
    at = loaded.locate
    phrases = sorted(project.phrasebook.phrases)
    for field_name, named in (("wording", case.wording), ("forms", case.forms)):
        for phrase in named:
            if phrase not in project.phrasebook.phrases:
                yield Problem(
                    at((field_name, phrase)),
                    f"templates/phrases.yaml has no sentence `{phrase}`{did_you_mean(phrase, phrases)}",
                    f"{field_name}.{phrase}",
                )
    forms = named_forms(project.phrasebook)
    for phrase, form in case.forms.items():
        if phrase not in project.phrasebook.phrases:
            continue  # said above
        if form not in forms.get(phrase, []):
            known = ", ".join(f"`{name}`" for name in forms.get(phrase, [])) or "none"
            yield Problem(
                at(("forms", phrase), value=True),
                f"templates/phrases.yaml has no form `{form}` of `{phrase}`{did_you_mean(form, forms.get(phrase, []))} "
                f"(its named forms: {known})",
                f"forms.{phrase}",
            )
        else:
            for other in form_group(project.phrasebook, phrase, form):
                if case.forms.get(other) != form:
                    yield Problem(
                        at(("forms", phrase), value=True),
                        f"the form `{form}` of `{phrase}` goes with the same form of `{other}`: add `{other}: {form}`",
                        f"forms.{phrase}",
                    )
    for mandate_id, number in case.resolutions.items():
        where, name = at(("resolutions", mandate_id)), f"resolutions.{mandate_id}"
        mandate = project.mandates.get(mandate_id)
        if mandate_id not in case.mandates or mandate is None:
            yield Problem(where, f"`{mandate_id}` is not one of this letter's mandates", name)
            continue
        resolution = next((each for each in mandate.resolutions if each.number == number), None)
        if resolution is None and project.registry.resolution_on(mandate, case.date)[0] is None:
            continue  # the registry does not know the one in force that day: the letter's own citation, noted
        if resolution is None:
            known = ", ".join(each.number for each in mandate.resolutions if each.number) or "none"
            yield Problem(
                where,
                f"{number} is not a resolution on `{mandate_id}` in mandates.yaml (known: {known}); add it from its source",
                name,
            )
        elif project.registry.adoption_window(resolution).earliest > case.date:
            yield Problem(where, f"{number} was adopted after the letter's date ({case.date})", name)


# A letter may be sent early in the year after its reference's (AL RUS 10/2020 is dated 26 January
# 2021: the reference is given when the case is opened); later than that, the date or the reference is a slip.
YEARS_A_REFERENCE_OUTLIVES = 1


def _date_problems(loaded: LoadedYaml, reference: Reference, day: date) -> Iterator[Problem]:
    """A date before its reference's year, or years after it: one of the two is wrong."""
    where = loaded.locate(("date",), value=True)
    if day.year < reference.year:
        yield Problem(
            where,
            f"{day} is before the year of the reference {reference}: a reference is given in the "
            "year its case is opened, so correct the date or the reference",
            "date",
        )
    elif day.year > reference.year + YEARS_A_REFERENCE_OUTLIVES:
        yield Problem(
            where,
            f"{day} is more than a year after the reference {reference}: correct the date or the reference",
            "date",
        )


def _date_notices(loaded: LoadedYaml, reference: Reference, day: date, today: date) -> Iterator[Problem]:
    """A date in the future (a slip, or a letter prepared ahead: said either way), and a date in
    the year after the reference's (allowed, as published letters show, but worth a look)."""
    where = loaded.locate(("date",), value=True)
    if day > today:
        yield Problem(
            where,
            f"{day} is in the future (today is {today}): the registry's holders and resolutions are "
            "those of that day; correct the date if it is a slip",
            "date",
            severity="warning",
        )
    if day.year == reference.year + 1:
        yield Problem(
            where,
            f"dated in {day.year}, the year after its reference's ({reference.year}), as a letter sent early in the year may be",
            "date",
            severity="notice",
        )


def _address_state_notices(loaded: LoadedYaml, case: Case, project: LetterProject) -> Iterator[Problem]:
    """An address naming another State than the reference's (`UA BRA 2/2026` to the Permanent
    Mission of Cambodia): a slip from the letter it was copied from, worth a warning. Names are the
    UN's in English, French and Spanish; a name inside a longer one found there ("Guinea" in "Papua
    New Guinea") is that longer one's."""
    if not case.recipient.is_state or case.ref.country not in project.states:
        return
    pattern, codes = _state_names(tuple((code, state.en, state.fr, state.es) for code, state in project.states.items()))
    named = {(codes[match.group(0)], match.group(0)) for match in pattern.finditer("\n".join(case.recipient.address))}
    others = sorted({name for code, name in named if code != case.ref.country})
    if others and case.ref.country not in {code for code, _ in named}:
        yield Problem(
            loaded.locate(("recipient", "address")),
            f"the address names {', '.join(others)}, not {project.states[case.ref.country].en}, whose code "
            f"the reference {case.reference} carries: correct the address or the reference",
            "recipient.address",
            severity="warning",
        )


@lru_cache(maxsize=4)
def _state_names(states: tuple[tuple[str, str, str | None, str | None], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every State's names, longest first (so a match is the longest name at its
    place), and the State each name is of: compiled once, not per letter."""
    codes = {name: code for code, *names in states for name in names if name is not None}
    alternatives = "|".join(re.escape(name) for name in sorted(codes, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), codes


def _own_wording_notices(loaded: LoadedYaml, case: Case, project: LetterProject) -> Iterator[Problem]:
    """Each departure from the boilerplate, for `check` to list (not an error): a sentence in the
    letter's own words, a resolution other than the one in force."""
    at = loaded.locate
    for phrase, own in case.wording.items():
        yield Problem(
            at(("wording", phrase)),
            f"this letter's own wording replaces the sentence `{phrase}`"
            if own.strip()
            else f"this letter leaves out the sentence `{phrase}` (its own wording is empty)",
            f"wording.{phrase}",
            severity="notice",
        )
    for mandate_id, number in case.resolutions.items():
        in_force, unknown = project.registry.resolution_on(project.mandates[mandate_id], case.date)
        if in_force is None:
            from ..project.record import command_that_records

            command = command_that_records(mandate_id, unknown or "", number)
            yield Problem(
                at(("resolutions", mandate_id)),
                f"the letter cites resolution {number}; {unknown}"
                + (f": record it, from its source: {command}" if command else ""),
                f"resolutions.{mandate_id}",
                severity="notice",
            )
        elif number != in_force:
            yield Problem(
                at(("resolutions", mandate_id)),
                f"the letter cites resolution {number}, not {in_force} (in force on {case.date})",
                f"resolutions.{mandate_id}",
                severity="notice",
            )


def _kind_problems(loaded: LoadedYaml, case: Case, project: LetterProject) -> Iterator[Problem]:
    """A State is written to under its ISO code, a non-State actor under OTH; each kind has its own
    fields, and only the kinds templates/kinds.yaml describes can be written."""
    at = loaded.locate
    country, recipient = case.ref.country, case.recipient
    if recipient.is_state:
        if country == NON_STATE:
            yield Problem(
                at(("recipient", "kind"), value=True),
                "a letter to a State carries the State's ISO 3166 "
                "alpha-3 code in its reference (e.g. `UA BRA 3/2024`), not OTH; OTH is for non-State actors "
                "(`kind: company` or `organization`)",
                "recipient.kind",
            )
        else:
            yield from _state_code_problems(at(("reference",), value=True), country, project, "reference")
        for field in ("name", "salutation"):
            if getattr(recipient, field) is not None:
                yield Problem(
                    at(("recipient", field)),
                    "a letter to a State opens “Excellency,” and closes “Please "
                    "accept, Excellency, …”: the templates write both; remove this field",
                    f"recipient.{field}",
                )
    else:
        if country != NON_STATE:
            yield Problem(
                at(("recipient", "kind"), value=True),
                f"a letter to a {recipient.kind} has OTH as its "
                f"reference's country (e.g. `AL OTH 11/2023`), not {country}; a letter to a Government has "
                "`kind: state`",
                "recipient.kind",
            )
        for field in ("name", "salutation"):
            if getattr(recipient, field) is None:
                yield Problem(
                    at(("recipient",)),
                    f"is required for a letter to a {recipient.kind} (e.g. `name: Ms. Pappas`, `salutation: Dear Ms. Pappas,`)",
                    f"recipient.{field}",
                )
    from ..project.wording import letter_blocks  # here: a no-op build never validates (start-up time)

    blocks = letter_blocks(project.kinds, case)
    if blocks is None:
        yield Problem(
            at(("reference",), value=True),
            f"alletter cannot write {case.kind.with_article} yet: templates/kinds.yaml "
            "has no blocks for it (the README says how to add a kind)",
            "reference",
        )
        return
    if "bring-to-attention" in blocks and case.summary is None and "bring-to-attention" not in case.wording:
        yield Problem(
            at(("recipient",)),
            "`summary:` is required: a first letter to a State says what it is about "
            "(“… information we have received concerning <summary>.”)",
            "summary",
        )
    if case.summary is not None and "bring-to-attention" not in blocks:
        yield Problem(
            at(("summary",)),
            f"is not printed in {case.kind.with_article}"
            f"{' that follows up a prior communication' if case.follow_up else ''}: put the text in "
            "`paragraphs:` or remove it",
            "summary",
        )
    if case.publication != "within-60-days" and "publication" not in blocks:
        yield Problem(
            at(("publication",), value=True),
            f"{case.kind.with_article} has its own publication paragraph (templates/kinds.yaml); remove this field",
            "publication",
        )
    for index, chosen in enumerate(case.closing_paragraphs):
        if chosen not in blocks:
            yield Problem(
                at(("closing_paragraphs", index), value=True),
                f"`{chosen}` is not part of {case.kind.with_article} (templates/kinds.yaml)",
                f"closing_paragraphs[{index}]",
            )
    if project.settings.mandate_count_on(case.date) is None and "explanatory" in blocks:
        yield Problem(
            at(("date",), value=True),
            f"templates/settings.yaml has no number of mandates for {case.date} "
            "(thematic_and_country_mandates); add the count letters printed then, with its source",
            "date",
        )


def _state_code_problems(where: SourceLocation, code: str, project: LetterProject, field: str) -> Iterator[Problem]:
    """A State is named by its ISO 3166 alpha-3 code, and only UN Member and Observer States are
    written to (states.yaml holds their UN names)."""
    import pycountry

    if pycountry.countries.get(alpha_3=code) is None:
        yield Problem(
            where,
            f"`{code}` is not an ISO 3166 alpha-3 country code (e.g. BRA for Brazil){did_you_mean(code, list(project.states))}",
            field,
        )
    elif code not in project.states:
        yield Problem(where, f"`{code}` is not a UN Member or Observer State in states.yaml", field)


def _related_problems(loaded: LoadedYaml, case: Case, project: LetterProject) -> Iterator[Problem]:
    for index, related in enumerate(case.related):
        at = loaded.locate
        country = Reference.parse(related.reference).country
        if related.reference == case.reference:
            yield Problem(
                at(("related", index, "reference"), value=True),
                "a letter is not related to itself",
                f"related[{index}].reference",
            )
        elif country == NON_STATE and related.name is None:
            yield Problem(
                at(("related", index)),
                "`name:` is required for a letter to a non-State actor (OTH): the letter names its recipient",
                f"related[{index}].name",
            )
        elif country != NON_STATE:
            yield from _state_code_problems(
                at(("related", index, "reference"), value=True), country, project, f"related[{index}].reference"
            )
            if related.name is not None:
                yield Problem(
                    at(("related", index, "name")),
                    "a State is named from states.yaml (its UN name); remove this field",
                    f"related[{index}].name",
                )


def _follow_up_problems(loaded: LoadedYaml, case: Case) -> Iterator[Problem]:
    prior = case.follow_up
    if prior is None:
        return
    at = loaded.locate
    if prior.date >= case.date:
        yield Problem(
            at(("follow_up", "date")),
            f"the prior communication ({prior.date}) must be dated before this letter ({case.date})",
            "follow_up.date",
        )
    if prior.reference == case.reference:
        yield Problem(at(("follow_up", "reference")), "a letter cannot follow up itself", "follow_up.reference")
    if prior.reply is not None:
        if prior.reply.date < prior.date:
            yield Problem(
                at(("follow_up", "reply", "date")),
                f"the reply ({prior.reply.date}) is dated before the letter it answers ({prior.date})",
                "follow_up.reply.date",
            )
        if prior.reply.date > case.date:
            yield Problem(
                at(("follow_up", "reply", "date")),
                f"the reply ({prior.reply.date}) is dated after this letter ({case.date})",
                "follow_up.reply.date",
            )
    elif prior.concern is None:
        yield Problem(
            at(("follow_up",)), "with no reply, give `concern:` (the concern this letter reiterates)", "follow_up.concern"
        )


def _footnote_problems(loaded: LoadedYaml, case: Case) -> Iterator[Problem]:
    """Each `[^label]` must name one of the case's footnotes, and each footnote be called once: a
    mark with no note would print as typed, a note never called would be lost without a word. A
    case with no footnotes at all prints `[^…]` as the literal text it then is."""
    if not case.footnotes:
        return
    called: dict[str, FieldPath] = {}
    for field_path, text in _texts(loaded.data, ()):
        in_note = bool(field_path) and field_path[0] == "footnotes"
        for mark in re.finditer(FOOTNOTE_MARK, text):
            label, where = mark.group(1), loaded.locate(field_path, value=True)
            if in_note:
                yield Problem(where, f"a footnote cannot call another (`[^{label}]`)", dotted_path(field_path))
            elif label not in case.footnotes:
                yield Problem(
                    where, f"`[^{label}]` names no footnote: add `{label}:` under `footnotes:`", dotted_path(field_path)
                )
            elif label in called:
                yield Problem(where, f"footnote `{label}` is called twice; each footnote is called once", dotted_path(field_path))
            else:
                called[label] = field_path
    for label in case.footnotes:
        if label not in called:
            yield Problem(
                loaded.locate(("footnotes", label)),
                f"footnote `{label}` is never called: mark its place with `[^{label}]`",
                f"footnotes.{label}",
            )


def _glyph_problems(loaded: LoadedYaml, project: LetterProject) -> Iterator[Problem]:
    """Text the PDF's fonts cannot show would print as empty boxes: refuse it, naming the characters."""
    texts = list(_texts(loaded.data, ()))
    for (field_path, _), missing in zip(texts, unshowable((text for _, text in texts), project.fonts_dir), strict=True):
        if missing:
            yield Problem(
                loaded.locate(field_path, value=True),
                f"the PDF's fonts have no glyphs for {describe(missing)}; write it another way or leave it out",
                dotted_path(field_path),
            )


def _texts(data: object, field_path: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    """Every text value of a loaded file, with its field path."""
    if isinstance(data, str):
        yield field_path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(value, (*field_path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _texts(value, (*field_path, index))


def mandate_in_force(
    project: LetterProject, mandate_id: str, day: date, signed: SignedBy | None = None, cited: str | None = None
) -> MandateInForce:
    """The mandate as the letter prints it: the registry's, signed by the case's own signatory if it
    names one, citing the case's own resolution if it gives one (`import` reads a letter the same way)."""
    from ..project.registry import MandateInForce
    from ..project.schema import Holder

    known = project.registry.on(project.mandates[mandate_id], day)
    holder = known.holder
    if signed is not None:
        title = signed.title or (known.holder.title if known.holder is not None else None)
        holder = Holder.model_validate({"name": signed.name, "title": title})
    resolution = cited or known.resolution
    assert resolution is not None and holder is not None, known.missing  # reported by _registry_problems
    return MandateInForce(known.id, known.name, resolution, holder)


def _with_fix(mandate_id: str, missing: str) -> str:
    """A registry gap, with the command that records the missing fact; where it is the signatory,
    also the case's own way out: an old letter rebuilt from its copy shows who signed it."""
    from ..project.record import command_that_records

    command = command_that_records(mandate_id, missing)
    if command is None:
        return f"{missing}; a letter cannot be sent under it (update mandates.yaml from a published source)"
    if missing.startswith(f"no holder of `{mandate_id}`"):
        own = f"signed_by: {{{mandate_id}: {{name: NAME, title: TITLE}}}}"
        return f"{missing}; record it: {command}; or name who signs this letter: {own}"
    if "renewal" in command:
        return f"{missing}; record it: {command}; or give the resolution this letter cites: resolutions: {{{mandate_id}: NUMBER}}"
    return f"{missing}; record it: {command}"


def _is_about_the_holder(missing: str, mandate_id: str) -> bool:
    """A registry gap that the case's `signed_by` fills: no holder known, or the seat vacant."""
    return missing.startswith(f"no holder of `{mandate_id}`") or missing.startswith(f"`{mandate_id}` is vacant since")


def _signatory_notices(loaded: LoadedYaml, case: Case, project: LetterProject) -> Iterator[Problem]:
    """Where the case's signatory is not the registry's holder that day: said, so that a slip is seen."""
    for mandate_id, signed in case.signed_by.items():
        known = project.registry.on(project.mandates[mandate_id], case.date)
        if known.holder is None:
            continue
        registry_title = known.signature_title
        if signed.name != known.holder.name or (signed.title is not None and signed.title != registry_title):
            yield Problem(
                loaded.locate(("signed_by", mandate_id)),
                f"signed by {signed.name} ({signed.title or registry_title}) on this letter; mandates.yaml has "
                f"{known.holder.name} ({registry_title}) on {case.date}: the letter prints the case's",
                f"signed_by.{mandate_id}",
                severity="notice",
            )


__all__ = ["CaseCheck", "ValidCase", "check_case", "check_cases", "load_case", "load_yaml", "mandate_in_force", "parse_yaml"]
