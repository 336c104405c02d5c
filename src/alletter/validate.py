"""Stage 2b — validate: a loaded case file against the schema and the project's registry.

The schema (`model`) checks each field on its own; the rules here need the mandate registry,
the annexes on disk or the letter's own date. Every problem is collected, not just the first,
and each carries the line it comes from.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .errors import CaseFileError, Problem
from .fonts import describe, unshowable
from .load import FieldPath, LoadedYaml, dotted_path, load_yaml
from .model import Annex, Case, Mandate, Signatory
from .project import LetterProject


@dataclass(frozen=True)
class ValidCase:
    """A case that passed every check, with what the registry and annexes say about it."""

    path: Path
    case: Case
    mandates: list[Mandate]
    signatories: list[Signatory]
    annexes: list[Annex]


def load_case(path: Path, project: LetterProject) -> ValidCase:
    """Load and validate one case file; raise CaseFileError listing every problem in it."""
    loaded = load_yaml(path)
    case = _parse_case(loaded)
    problems = [*_registry_problems(loaded, case, project), *_glyph_problems(loaded)]
    if problems:
        raise CaseFileError(problems)
    mandates = [project.mandates[mandate_id] for mandate_id in case.mandates]
    return ValidCase(
        path=path,
        case=case,
        mandates=mandates,
        signatories=[_signatory(mandate, case) for mandate in mandates],
        annexes=[project.annex(annex_id) for annex_id in case.annexes],
    )


def _parse_case(loaded: LoadedYaml) -> Case:
    if not isinstance(loaded.data, dict):
        raise CaseFileError([Problem(loaded.locate(()), "a case file must be a mapping of fields such as `reference:`")])
    try:
        return Case.model_validate(loaded.data)
    except ValidationError as error:
        raise CaseFileError([_schema_problem(loaded, detail) for detail in error.errors()]) from None


def _schema_problem(loaded: LoadedYaml, detail: dict) -> Problem:
    field_path: FieldPath = tuple(detail["loc"])
    field = dotted_path(field_path)
    kind = detail["type"]
    if kind == "missing":
        message = "is required but missing"
    elif kind == "extra_forbidden":
        message = "is not a known field" + _did_you_mean(field_path[-1], _allowed_keys(field_path))
    elif kind == "value_error":
        message = str(detail["ctx"]["error"])  # our validators' own words, without pydantic's "Value error, "
    else:
        message = detail["msg"]
    return Problem(loaded.locate(field_path, value=kind not in ("missing", "extra_forbidden")), message, field=field)


def _allowed_keys(field_path: FieldPath) -> list[str]:
    """The field names valid beside `field_path`'s last part, by walking the model."""
    model: type = Case
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


def _did_you_mean(word: object, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1)
    return f"; did you mean `{close[0]}`?" if close else ""


def _registry_problems(loaded: LoadedYaml, case: Case, project: LetterProject):
    """Rules that need the registry, the annexes folder or the letter's own date."""
    at = loaded.locate
    if loaded.path.stem != case.ref.slug:
        yield Problem(at(("reference",)), f"the file should be named {case.ref.slug}.yaml to match its reference", "reference")
    for index, mandate_id in enumerate(case.mandates):
        mandate = project.mandates.get(mandate_id)
        if mandate is None:
            hint = _did_you_mean(mandate_id, list(project.mandates))
            yield Problem(at(("mandates", index)), f"unknown mandate `{mandate_id}`{hint}", f"mandates[{index}]")
        elif mandate.holder_on(case.date) is None:
            yield Problem(at(("mandates", index)), f"no holder of `{mandate_id}` was in office on {case.date}; update mandates.yaml", f"mandates[{index}]")
    if len(set(case.mandates)) != len(case.mandates):
        yield Problem(at(("mandates",)), "names a mandate twice", "mandates")
    known_annexes = project.annex_ids()
    for index, annex_id in enumerate(case.annexes):
        if annex_id not in known_annexes:
            hint = _did_you_mean(annex_id, known_annexes)
            yield Problem(at(("annexes", index)), f"unknown annex `{annex_id}` (no annexes/{annex_id}.md){hint}", f"annexes[{index}]")
    yield from _follow_up_problems(loaded, case)


def _follow_up_problems(loaded: LoadedYaml, case: Case):
    prior = case.follow_up
    if prior is None:
        return
    at = loaded.locate
    if prior.date >= case.date:
        yield Problem(at(("follow_up", "date")), f"the prior communication ({prior.date}) must be dated before this letter ({case.date})", "follow_up.date")
    if prior.reference == case.reference:
        yield Problem(at(("follow_up", "reference")), "a letter cannot follow up itself", "follow_up.reference")
    if prior.reply is not None:
        if prior.reply.date < prior.date:
            yield Problem(at(("follow_up", "reply", "date")), f"the reply ({prior.reply.date}) is dated before the letter it answers ({prior.date})", "follow_up.reply.date")
        if prior.reply.date > case.date:
            yield Problem(at(("follow_up", "reply", "date")), f"the reply ({prior.reply.date}) is dated after this letter ({case.date})", "follow_up.reply.date")
    elif prior.concern is None:
        yield Problem(at(("follow_up",)), "with no reply, give `concern:` (the concern this letter reiterates)", "follow_up.concern")


def _glyph_problems(loaded: LoadedYaml):
    """Text the PDF's fonts cannot show would print as empty boxes: refuse it, naming the characters."""
    texts = list(_texts(loaded.data, ()))
    for (field_path, _), missing in zip(texts, unshowable(text for _, text in texts)):
        if missing:
            yield Problem(loaded.locate(field_path, value=True),
                          f"the PDF's fonts have no glyphs for {describe(missing)}; write it another way or leave it out",
                          dotted_path(field_path))


def _texts(data: object, field_path: FieldPath):
    if isinstance(data, str):
        yield field_path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(value, (*field_path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _texts(value, (*field_path, index))


def _signatory(mandate: Mandate, case: Case) -> Signatory:
    holder = mandate.holder_on(case.date)
    assert holder is not None  # checked by _registry_problems
    return Signatory(name=holder.name, title=holder.title or mandate.name)


def load_case_file(path: Path, project: LetterProject | None = None) -> ValidCase:
    """Load a case, finding its project from the file's location when none is given."""
    return load_case(path, project or LetterProject.find(path.parent))


__all__ = ["ValidCase", "load_case", "load_case_file", "load_yaml"]
