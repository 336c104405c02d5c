"""A letter project: the directory holding `templates/`, `annexes/`, `mandates.yaml` and `cases/`.

Everything a letter shares with other letters is read from here, once per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from .errors import ProjectFileError, ProjectNotFoundError
from .load import load_front_matter, load_yaml
from .model import Annex, Mandate, Registry, Settings

REGISTRY_FILE = "mandates.yaml"
SETTINGS_FILE = "templates/settings.yaml"

ModelT = TypeVar("ModelT", Registry, Settings)


@dataclass
class LetterProject:
    """The shared parts of every letter, found at `root`."""

    root: Path

    @classmethod
    def find(cls, start: Path) -> "LetterProject":
        """The nearest directory at or above `start` that has a `templates/` folder."""
        start = start.resolve()
        for candidate in [start, *start.parents]:
            if (candidate / "templates").is_dir():
                return cls(candidate)
        raise ProjectNotFoundError(start)

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def annexes_dir(self) -> Path:
        return self.root / "annexes"

    @property
    def cases_dir(self) -> Path:
        return self.root / "cases"

    @cached_property
    def mandates(self) -> dict[str, Mandate]:
        """The registry, by mandate id."""
        registry = _load_model(self.root / REGISTRY_FILE, Registry)
        return {mandate.id: mandate for mandate in registry.mandates}

    @cached_property
    def settings(self) -> Settings:
        return _load_model(self.root / SETTINGS_FILE, Settings)

    def check_shared_files(self) -> None:
        """Read the registry and settings now, so that a mistake in them is one error before any
        letter is made rather than the same error for every letter."""
        self.mandates, self.settings  # noqa: B018 - cached for the letters

    @property
    def letterhead(self) -> Path | None:
        """The letterhead image settings.yaml names (in templates/), or None: alletter ships none."""
        name = self.settings.letterhead
        return None if name is None else self.templates_dir / name

    def annex_ids(self) -> list[str]:
        return sorted(path.stem for path in self.annexes_dir.glob("*.md"))

    def annex(self, annex_id: str) -> Annex:
        path = self.annexes_dir / f"{annex_id}.md"
        header, body = load_front_matter(path)
        title = header.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ProjectFileError(path, "needs a front matter `title:` (the annex's bold heading)", line=1)
        return Annex(id=annex_id, title=title.strip(), body=body.strip())


def _load_model(path: Path, model: type[ModelT]) -> ModelT:
    loaded = load_yaml(path)
    try:
        return model.model_validate(loaded.data)
    except ValidationError as error:
        first = error.errors()[0]
        where = loaded.locate(tuple(first["loc"]))
        field = ".".join(str(part) for part in first["loc"])
        raise ProjectFileError(path, f"{field}: {first['msg']}", line=where.line) from None
