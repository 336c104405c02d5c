"""`alletter new`: a commented skeleton case file with the next free reference.

The skeleton is a template in the project (`templates/new/case.yaml.j2`), so an office can word
its own guidance. Its placeholders start with TODO, which `check` refuses, so a skeleton can
never go out as a letter by mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale

from ..errors import ProjectFileError, UsageError, closest
from ..files import write_new
from ..letter.validate import PLACEHOLDER, load_case
from ..project.letter_project import DEFAULT_LANGUAGE, LetterProject
from ..project.schema import LETTER_TYPES, NON_STATE, REFERENCE_PATTERN, LetterKind, Reference

SKELETON_TEMPLATE = "new/case.yaml.j2"


@dataclass(frozen=True)
class NewCase:
    path: Path
    reference: Reference


def next_reference(cases_dir: Path, kind: str, country: str, year: int) -> Reference:
    """The next number for this type, country and year, after every case file already there."""
    numbers = [0]
    for path in cases_dir.glob(f"{kind}-{country}-*-{year}.y*ml"):
        match = re.fullmatch(rf"{kind}-{country}-([0-9]+)-{year}", path.stem)
        if match:
            numbers.append(int(match.group(1)))
    return Reference(kind, country, max(numbers) + 1, year)


def _code_hint(given: str, project: LetterProject) -> str:
    """ "; did you mean KHM (Cambodia)?" for a State given by its UN name in any language, or
    nearly so ("Cambodge", "camboya", "Cambodai")."""
    by_name = {
        name.casefold(): (code, state.en)
        for code, state in project.states.items()
        for name in (state.en, state.fr, state.es)
        if name is not None
    }
    meant = closest(given.casefold(), by_name, cutoff=0.8)
    if meant is None:
        return ""
    code, name = by_name[meant]
    return f"; did you mean {code} ({name})?"


def _check_reference_parts(kind: str, country: str, year: int, project: LetterProject) -> tuple[str, str, list[str]]:
    """The type and country as a reference writes them, and the blocks of their kind of letter
    (refused when alletter cannot write that kind)."""
    given, kind, country = country, kind.upper(), country.upper()
    if kind not in LETTER_TYPES:
        raise UsageError(f"--type {kind}: choose one of {', '.join(LETTER_TYPES)}")
    if country != NON_STATE and country not in project.states:
        raise UsageError(
            f"--country {given}: the ISO 3166 alpha-3 code of a UN Member or Observer State (states.yaml), "
            f"such as BRA, or OTH for a company or other non-State actor{_code_hint(given, project)}"
        )
    if not re.fullmatch(REFERENCE_PATTERN, f"{kind} {country} 1/{year}"):
        raise UsageError(f"--year {year}: a year such as {date.today().year}")
    letter_kind = LetterKind("non-state" if country == NON_STATE else "state", LETTER_TYPES[kind])
    blocks = project.kinds.blocks(letter_kind)
    if blocks is None:
        raise UsageError(f"alletter cannot write {letter_kind.with_article} yet: templates/kinds.yaml has no blocks for it")
    return kind, country, [block.block for block in blocks]


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: whatever the text, the skeleton stays valid YAML."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _follow_up_values(prior_path: Path, project: LetterProject) -> dict[str, Any]:
    prior = load_case(prior_path, project).case
    return {
        "mandates": prior.mandates,
        "recipient": {
            "kind": prior.recipient.kind,
            "name": _quoted(prior.recipient.name or ""),
            "salutation": _quoted(prior.recipient.salutation or ""),
            "address": [_quoted(line) for line in prior.recipient.address],
        },
        "follow_up": {
            "reference": prior.reference,
            "date": prior.date.isoformat(),
            "link": None,
            "subject": _quoted(
                f"{PLACEHOLDER}: what {prior.reference} was about, continuing 'addressed to "
                f"{project.phrasebook.recipients[prior.recipient.kind].your} …'"
            ),
        },
    }


def new_case(
    project: LetterProject,
    kind: str,
    country: str,
    year: int,
    on: date,
    follow_up: Path | None = None,
    language: str | None = None,
) -> NewCase:
    """Write the skeleton of the next case of this type, country and year (in `language`, or the
    project's default language when None); never overwrite. It is dated `on` when that is in the
    reference's year, and otherwise holds a placeholder `check` refuses until the date is written:
    a 2024 reference under today's date would be a slip the drafter might not see."""
    from ..project.wording import LANGUAGES

    if language is not None and language not in LANGUAGES:
        raise UsageError(f"--language {language}: choose {', '.join(LANGUAGES)}")
    kind, country, blocks = _check_reference_parts(kind, country, year, project)
    reference = next_reference(project.cases_dir, kind, country, year)
    state = project.states.get(country)
    letter_language = language or project.default_language()
    in_language = "" if letter_language == DEFAULT_LANGUAGE else f", written in {Locale.parse(letter_language).english_name}"
    values: dict[str, Any] = {
        "mandates": [],
        "recipient": {
            "kind": "company" if state is None else "state",
            "name": _quoted(f"{PLACEHOLDER}: e.g. Ms. Pappas"),
            "salutation": _quoted(f"{PLACEHOLDER}: e.g. Dear Ms. Pappas,"),
            "address": [
                _quoted(
                    f"{PLACEHOLDER}: e.g. the company's name"
                    if state is None
                    else f"{PLACEHOLDER}: e.g. Permanent Mission of {state.en} to the United Nations Office and "
                    f"other international organizations in Geneva{in_language}"
                )
            ],
        },
        "follow_up": None,
    }
    if follow_up is not None:
        values.update(_follow_up_values(follow_up, project))
        if (values["recipient"]["kind"] == "state") != (state is not None):
            raise UsageError(
                f"--follow-up {follow_up}: it was sent to a {values['recipient']['kind']}, and "
                f"{country} is for {'a non-State actor' if state is None else 'a State'}"
            )
    values["blocks"] = blocks
    values["standards"] = project.law_standard_ids()
    values["annex_ids"] = project.annex_ids()
    path = project.cases_dir / f"{reference.slug}.yaml"
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(project.templates_dir),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    try:
        skeleton = environment.get_template(SKELETON_TEMPLATE)
    except jinja2.TemplateNotFound:
        raise ProjectFileError(
            project.templates_dir / SKELETON_TEMPLATE, "is missing: `alletter new` writes case files from it"
        ) from None
    text = skeleton.render(
        reference=str(reference),
        date=on.isoformat() if on.year == year else _quoted(f"{PLACEHOLDER}: the letter's date in {year}, YYYY-MM-DD"),
        file_name=path.name,
        state=state,
        letter_type=LETTER_TYPES[kind],
        language=language,
        addressee=project.phrasebook_for(letter_language).recipients["state"],
        **values,
    )
    write_new(path, text.encode("utf-8"))
    return NewCase(path, reference)
