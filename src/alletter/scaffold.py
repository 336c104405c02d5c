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

from .errors import ProjectFileError, UsageError
from .model import REFERENCE_PATTERN, Reference
from .project import LetterProject
from .validate import PLACEHOLDER, load_case
from .write import write_new

SKELETON_TEMPLATE = "new/case.yaml.j2"
_TYPES = ("AL", "UA", "OL", "JAL", "JUA", "JOL")


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


def _check_reference_parts(kind: str, country: str, year: int) -> tuple[str, str]:
    kind, country = kind.upper(), country.upper()
    if kind not in _TYPES:
        raise UsageError(f"--type {kind}: choose one of {', '.join(_TYPES)}")
    if not re.fullmatch(r"[A-Z]{3}", country):
        raise UsageError(f"--country {country}: a three-letter country code such as CHN, or OTH for a non-State actor")
    if not re.fullmatch(REFERENCE_PATTERN, f"{kind} {country} 1/{year}"):
        raise UsageError(f"--year {year}: a year such as {date.today().year}")
    return kind, country


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: whatever the text, the skeleton stays valid YAML."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _follow_up_values(prior_path: Path, project: LetterProject) -> dict[str, Any]:
    prior = load_case(prior_path, project).case
    return {
        "mandates": prior.mandates,
        "recipient": {
            "name": _quoted(prior.recipient.name),
            "salutation": _quoted(prior.recipient.salutation),
            "address": [_quoted(line) for line in prior.recipient.address],
        },
        "follow_up": {
            "reference": prior.reference,
            "date": prior.date.isoformat(),
            "link": None,
            "subject": _quoted(f"{PLACEHOLDER}: what {prior.reference} was about, continuing 'addressed to your company …'"),
        },
    }


def new_case(
    project: LetterProject, kind: str, country: str, year: int, on: date, follow_up: Path | None = None
) -> NewCase:
    """Write the skeleton of the next case of this type, country and year; never overwrite."""
    kind, country = _check_reference_parts(kind, country, year)
    reference = next_reference(project.cases_dir, kind, country, year)
    values: dict[str, Any] = {
        "mandates": [],
        "recipient": {
            "name": _quoted(f"{PLACEHOLDER}: e.g. Ms. Pappas"),
            "salutation": _quoted(f"{PLACEHOLDER}: e.g. Dear Ms. Pappas,"),
            "address": [_quoted(f"{PLACEHOLDER}: e.g. the company's name")],
        },
        "follow_up": None,
    }
    if follow_up is not None:
        values.update(_follow_up_values(follow_up, project))
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
        raise ProjectFileError(project.templates_dir / SKELETON_TEMPLATE, "is missing: `alletter new` writes case files from it") from None
    text = skeleton.render(reference=str(reference), date=on.isoformat(), file_name=path.name, **values)
    write_new(path, text.encode("utf-8"))
    return NewCase(path, reference)
