"""alletter: assemble UN Special Procedures communications from YAML case files.

The library's surface: what a script or another tool calls, each name in the module that owns it.
The names are imported when first used (PEP 562), so `import alletter` — and `alletter --help`,
which imports this package — stays as quick as before the surface existed.

    from alletter import LetterProject, check_letters, build_letters
    project = LetterProject.find(Path("cases/UA-BRA-1-2023.yaml"))
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name → the module (under alletter) that defines it
_SURFACE: dict[str, str] = {
    "UserError": "errors",
    "LetterProject": "project.letter_project",
    "check_cases": "letter.validate",
    "check_letters": "letter.check",
    "LetterBuilder": "letter.builder",
    "build_letters": "archive.pool",
    "Archive": "archive.build",
    "import_letter": "importer.case_file",
}

__all__ = [
    "__version__",
    "Archive",
    "LetterBuilder",
    "LetterProject",
    "UserError",
    "build_letters",
    "check_cases",
    "check_letters",
    "import_letter",
]

if TYPE_CHECKING:
    from .archive.build import Archive
    from .archive.pool import build_letters
    from .errors import UserError
    from .importer.case_file import import_letter
    from .letter.builder import LetterBuilder
    from .letter.check import check_letters
    from .letter.validate import check_cases
    from .project.letter_project import LetterProject


def __getattr__(name: str) -> Any:
    """Import a surface name from its module on first use."""
    if name not in _SURFACE:
        raise AttributeError(f"module 'alletter' has no attribute {name!r}")
    value = getattr(import_module(f".{_SURFACE[name]}", __name__), name)
    globals()[name] = value
    return value
