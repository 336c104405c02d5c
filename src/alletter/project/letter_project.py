"""A letter project: the directory holding `templates/`, `annexes/`, `mandates.yaml` and `cases/`.

Everything a letter shares with other letters is read from here, once per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import ProjectFileError, ProjectNotFoundError
from .load import LoadedYaml, load_front_matter, load_yaml
from .schema import Annex, Mandate, Registry, Settings, State, StateList

if TYPE_CHECKING:  # imported where used: a no-op build reads none of them (start-up time)
    from .registry import RegistryOnDates
    from .wording import Kinds, Phrasebook

REGISTRY_FILE = "mandates.yaml"
SETTINGS_FILE = "templates/settings.yaml"
STATES_FILE = "states.yaml"
KINDS_FILE = "templates/kinds.yaml"
PHRASES_FILE = "templates/phrases.yaml"
# Templates named `annexes/…` are read from the project's annexes/ folder (the law library's
# paragraphs), the others from templates/.
ANNEXES_PREFIX = "annexes/"
# What every letter is made from besides its own case, templates and annexes.
SHARED_FILES = (REGISTRY_FILE, SETTINGS_FILE, STATES_FILE, KINDS_FILE, PHRASES_FILE)

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass
class LetterProject:
    """The shared parts of every letter, found at `root`."""

    root: Path

    @classmethod
    def find(cls, start: Path) -> LetterProject:
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
    def _registry_file(self) -> Registry:
        return _load_model(self.root / REGISTRY_FILE, Registry)

    @property
    def mandates(self) -> dict[str, Mandate]:
        """The registry's mandates, by id."""
        return self.registry.mandates

    @cached_property
    def registry(self) -> RegistryOnDates:
        """The registry with its date rules: what each mandate was on a given day."""
        from .registry import RegistryOnDates

        return RegistryOnDates(self._registry_file.mandates, self._registry_file.sessions)

    @cached_property
    def settings(self) -> Settings:
        return _load_model(self.root / SETTINGS_FILE, Settings)

    @cached_property
    def states(self) -> dict[str, State]:
        """UN Member and Observer States by ISO 3166 alpha-3 code."""
        return {state.code: state for state in _load_model(self.root / STATES_FILE, StateList).states}

    @cached_property
    def kinds(self) -> Kinds:
        from .wording import Kinds

        return _load_model(self.root / KINDS_FILE, Kinds)

    @cached_property
    def phrasebook(self) -> Phrasebook:
        from .wording import Phrasebook

        return _load_model(self.root / PHRASES_FILE, Phrasebook)

    def check_shared_files(self) -> None:
        """Read the shared files now, so that a mistake in them is one error before any letter is
        made rather than the same error for every letter."""
        self.registry, self.settings, self.states, self.kinds, self.phrasebook  # noqa: B018 - cached for the letters

    def law_standard_ids(self) -> list[str]:
        """The standard paragraphs a case's own annex can include: annexes/law/<id>.md.j2."""
        return sorted(path.name.removesuffix(".md.j2") for path in (self.annexes_dir / "law").glob("*.md.j2"))

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
    return validate_model(load_yaml(path), model)


def validate_model(loaded: LoadedYaml, model: type[ModelT]) -> ModelT:
    """The model of a loaded file, or a ProjectFileError naming the first field at fault and its line."""
    path = loaded.path
    try:
        return model.model_validate(loaded.data)
    except ValidationError as error:
        first = error.errors()[0]
        where = loaded.locate(tuple(first["loc"]))
        field = ".".join(str(part) for part in first["loc"])
        raise ProjectFileError(path, f"{field}: {first['msg']}", line=where.line) from None
