"""The package's shape: the library's surface resolves, and imports only run down the floors.

Floors, top to bottom: the CLI; the pipelines that use letters (archive, importer, drafting);
one letter (letter); what every letter shares (project); files; the base (errors, system). A module
may import its own floor's or a lower floor's modules, never a higher one's — so a reader can
understand each floor without those above it, and no import circle can form across floors.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import alletter

PACKAGE = Path(alletter.__file__).parent

FLOORS: dict[str, int] = {
    "errors": 0,
    "system": 0,
    "files": 1,
    "project": 2,
    "letter": 3,
    "archive": 4,
    "importer": 4,
    "drafting": 4,
    "cli": 5,
}


def _room(module: str) -> str:
    """The top-level room (subpackage or module) a dotted module under alletter lives in."""
    return module.split(".")[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every alletter module a file imports (relative imports resolved), with its line."""
    own = path.relative_to(PACKAGE).with_suffix("").parts
    package = list(own[:-1]) if own[-1] != "__init__" else list(own[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.startswith("alletter."):
                target = node.module.split(".")[1:]
            else:
                continue
            if target:
                found.append((node.lineno, ".".join(target)))
            else:  # `from .. import name`: the names are modules or the surface itself
                found.extend((node.lineno, alias.name) for alias in node.names if alias.name != "__version__")
    return found


def test_every_surface_name_resolves_without_importing_the_rest_first() -> None:
    assert set(alletter.__all__) == {"__version__", *alletter._SURFACE}
    for name in alletter.__all__:
        assert getattr(alletter, name) is not None, name
    fresh = subprocess.run(
        [sys.executable, "-c", "import alletter, sys; print(sorted(m for m in sys.modules if m.startswith('alletter')))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert fresh.stdout.strip() == "['alletter']", "`import alletter` must stay cheap (start-up time of --help)"


def test_imports_run_down_the_floors_only() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == PACKAGE:
            continue  # the surface names everything, lazily
        here = _room(".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        for line, target in _imports(path):
            there = _room(target)
            if there in FLOORS and there != here and FLOORS[there] >= FLOORS[here]:
                upward.append(f"{path.relative_to(PACKAGE)}:{line} imports {target} ({there} is not below {here})")
    assert not upward, "\n".join(upward)


def test_every_room_is_a_floor() -> None:
    rooms = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    rooms |= {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert rooms == set(FLOORS), "a new module or subpackage: give it its floor in FLOORS"


def test_the_cli_handles_a_users_mistake_in_one_place() -> None:
    """cli.py only wires: a `UserError` is printed by the entry point, not caught command by command
    (a command that catches one to go on with the other letters does so in the library)."""
    cli = (Path(alletter.__file__).parent / "cli.py").read_text(encoding="utf-8")
    assert cli.count("except UserError") == 1
