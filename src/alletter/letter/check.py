"""The whole check of case files: what `alletter check` reports, and what `import` checks its
case file against.

Validation (`validate`) knows the fields and the registry; only rendering knows which sentences a
letter needs, so a sentence with no wording in its language's phrasebook is found by `render`.
This module sits above both, so that every caller gets the two from one call, and a missing
wording is a check's message, never an exception from `render`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, SourceLocation
from ..project.letter_project import LetterProject
from .render import wording_problems
from .validate import CaseCheck, check_cases


def check_letters(paths: list[Path], project: LetterProject) -> list[CaseCheck]:
    """Every problem and notice of each case file, the wording its letter needs included. A case
    whose letter lacks a wording is not valid (`valid` None), as for any other error."""
    checks = check_cases(paths, project)
    for case_check in checks:
        if case_check.valid is not None:
            for problem in wording_problems(case_check.valid, project):
                (case_check.problems if problem.severity == "error" else case_check.notices).append(problem)
        elif case_check.problems:
            case_check.unchecked.append(UNCHECKED_WORDING)
        if case_check.problems:
            case_check.valid = None
        if case_check.unchecked:
            case_check.notices.append(
                Problem(
                    SourceLocation(case_check.path),
                    f"not checked until the errors above are fixed: {'; and '.join(case_check.unchecked)}",
                    severity="notice",
                )
            )
    return checks


# Found by rendering the letter, which needs a case with no errors.
UNCHECKED_WORDING = "the sentences and names its letter needs from its language's phrasebook"


__all__ = ["check_letters"]
