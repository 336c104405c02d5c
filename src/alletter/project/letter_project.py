"""A letter project: the directory holding `templates/`, `annexes/`, `mandates.yaml` and `cases/`.

Everything a letter shares with other letters is read from here, once per run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ProjectFileError, ProjectNotFoundError
from .load import LoadedYaml, load_front_matter, load_yaml, read_source
from .schema import Annex, Mandate, Registry, Settings, State, StateList

if TYPE_CHECKING:  # imported where used: a no-op build reads none of them (start-up time)
    from .registry import RegistryOnDates
    from .wording import Kinds, MandateNames, Phrasebook

# Every file a letter is made from is named here, and only here: the builder records what each
# letter used (`LetterBuilder.dependencies`), `watch` watches it, and the archive's build state
# rebuilds a letter when one of them changes.
TEMPLATES_DIR = "templates"
ANNEXES_DIR = "annexes"
REGISTRY_FILE = "mandates.yaml"
SETTINGS_FILE = "templates/settings.yaml"
STATES_FILE = "states.yaml"
KINDS_FILE = "templates/kinds.yaml"
PHRASES_FILE = "templates/phrases.yaml"
DEFAULT_LANGUAGE = "en"  # the language of PHRASES_FILE and of the registry's `name`s


def phrases_file(language: str) -> str:
    """The phrasebook of a letter language: English in phrases.yaml, the others beside it."""
    return PHRASES_FILE if language == DEFAULT_LANGUAGE else f"templates/phrases.{language}.yaml"


def names_file(language: str) -> str:
    """The mandates' names in a letter language other than English (the registry has the English)."""
    return f"templates/names.{language}.yaml"


def language_files(language: str) -> tuple[str, ...]:
    """What a letter in `language` is made from besides SHARED_FILES."""
    return () if language == DEFAULT_LANGUAGE else (phrases_file(language), names_file(language))


# Templates named `annexes/…` are read from the project's annexes/ folder (the law library's
# paragraphs), the others from templates/.
ANNEXES_PREFIX = f"{ANNEXES_DIR}/"
# What every letter is made from besides its own case, templates and annexes.
SHARED_FILES = (REGISTRY_FILE, SETTINGS_FILE, STATES_FILE, KINDS_FILE, PHRASES_FILE)
# The page design, in templates/: the converters read it when they start.
TYPST_TEMPLATE = "letter.typ"
TYPST_BLOCKS = "letter-blocks.typ"  # the functions the letter's named blocks call (a typst module)
TYPST_FILTER = "typst.lua"
REFERENCE_DOCX = "reference.docx"
PDF_DESIGN = (TYPST_TEMPLATE, TYPST_BLOCKS, TYPST_FILTER)  # for the PDF and its PNG preview
PAGE_DESIGN = (*PDF_DESIGN, REFERENCE_DOCX)
# The PDF's fonts: typst reads these and its own, never the system's, so that every machine sets
# the same letter. Every font file in the folder is page design (a font added is noticed).
TYPST_FONTS_DIR = "fonts"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
# The files `watch` looks at in the watched folders: templates, data, page design, images, fonts.
WATCHED_SUFFIXES = (
    ".yaml",
    ".yml",
    ".j2",
    ".md",
    ".typ",
    ".lua",
    ".docx",
    ".png",
    ".jpg",
    ".jpeg",
    ".svg",
    *FONT_SUFFIXES,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass
class LetterProject:
    """The shared parts of every letter, found at `root`."""

    root: Path

    @classmethod
    def find(cls, start: Path, *elsewhere: Path) -> LetterProject:
        """The nearest directory at or above `start` that has a `templates/` folder; failing that,
        at or above each of `elsewhere` in turn (the working directory: a command run inside the
        project finds it even when its files are outside, as in `import letter.pdf --out /tmp/x.yaml`)."""
        for place in (start, *elsewhere):
            place = place.resolve()
            for candidate in [place, *place.parents]:
                if (candidate / TEMPLATES_DIR).is_dir():
                    return cls(candidate)
        raise ProjectNotFoundError(start.resolve())

    @property
    def templates_dir(self) -> Path:
        return self.root / TEMPLATES_DIR

    @property
    def fonts_dir(self) -> Path:
        """The PDF's fonts (typst is given this folder and no system font)."""
        return self.templates_dir / TYPST_FONTS_DIR

    def font_files(self) -> list[str]:
        """The PDF's font files, relative to the root, in a stable order."""
        if not self.fonts_dir.is_dir():
            return []
        return sorted(
            f"{TEMPLATES_DIR}/{TYPST_FONTS_DIR}/{path.name}"
            for path in self.fonts_dir.iterdir()
            if path.suffix.lower() in FONT_SUFFIXES and path.is_file()
        )

    @property
    def annexes_dir(self) -> Path:
        return self.root / ANNEXES_DIR

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

    def shared_files(self) -> list[str]:
        """The files every letter is made from, relative to the root (a letter in another
        language adds its phrasebook and names: `language_files`)."""
        return list(SHARED_FILES)

    def page_design(self, formats: Iterable[str]) -> list[str]:
        """The page design files letters in `formats` are made from, relative to the root."""
        formats = set(formats)
        paths = []
        if "docx" in formats and (self.templates_dir / REFERENCE_DOCX).is_file():
            paths.append(f"{TEMPLATES_DIR}/{REFERENCE_DOCX}")
        if formats & {"pdf", "png"}:
            paths.extend(f"{TEMPLATES_DIR}/{name}" for name in PDF_DESIGN)
            paths.extend(self.font_files())
        if formats & {"pdf", "png", "docx"} and self.settings.letterhead:
            paths.append(f"{TEMPLATES_DIR}/{self.settings.letterhead}")
        return paths

    def letter_files(
        self, templates: Iterable[str], annexes: Iterable[str], formats: Iterable[str], language: str = DEFAULT_LANGUAGE
    ) -> list[str]:
        """Every project file a letter is made from, relative to the root: the shared files, its
        language's phrasebook and names, the templates it loaded (by their names in the template
        loader), its annexes' files and the page design of its formats."""
        # The law library's paragraphs are templates loaded from annexes/ (named so), the rest from templates/.
        paths = {
            *self.shared_files(),
            *language_files(language),
            *(name if name.startswith(ANNEXES_PREFIX) else f"{TEMPLATES_DIR}/{name}" for name in templates),
        }
        paths.update(annexes)
        paths.update(self.page_design(formats))
        return sorted(paths)

    def watched_paths(self) -> list[Path]:
        """What `watch` watches besides the cases: the folders of templates and annexes, and the
        shared files outside them."""
        folders = (TEMPLATES_DIR, ANNEXES_DIR)
        outside = [name for name in self.shared_files() if name.partition("/")[0] not in folders]
        return [self.root / name for name in (*folders, *outside)]

    def is_page_design(self, path: Path) -> bool:
        """Whether `path` is a page design file, which the converters read when they start."""
        if path.parent == self.fonts_dir.resolve():
            return path.suffix.lower() in FONT_SUFFIXES
        return path.parent == self.templates_dir.resolve() and path.name in PAGE_DESIGN

    def phrasebook_for(self, language: str) -> Phrasebook:
        """The phrasebook of a letter language (read once per run)."""
        if language == DEFAULT_LANGUAGE:
            return self.phrasebook
        if language not in self._phrasebooks:
            from .wording import Phrasebook

            book = _load_model(self.root / phrases_file(language), Phrasebook)
            self._phrasebooks[language] = book.model_copy(update={"file": phrases_file(language)})
        return self._phrasebooks[language]

    def names_for(self, language: str) -> MandateNames:
        """The mandates' names in a letter language other than English."""
        if language not in self._names:
            from .wording import MandateNames

            self._names[language] = _load_model(self.root / names_file(language), MandateNames)
        return self._names[language]

    @cached_property
    def _phrasebooks(self) -> dict[str, Phrasebook]:
        return {}

    @cached_property
    def _names(self) -> dict[str, MandateNames]:
        return {}

    @cached_property
    def _law_paragraphs(self) -> dict[tuple[str, str], LawParagraph | None]:
        return {}

    def default_language(self) -> str:
        """The language of a case that names none: settings.yaml's `language` (en-GB → en)."""
        return self.settings.language.partition("-")[0]

    def check_shared_files(self) -> None:
        """Read the shared files now, so that a mistake in them is one error before any letter is
        made rather than the same error for every letter."""
        self.registry, self.settings, self.states, self.kinds, self.phrasebook  # noqa: B018 - cached for the letters

    def law_paragraph(self, standard: str, language: str = DEFAULT_LANGUAGE) -> LawParagraph | None:
        """A standard paragraph of a case's annex in the letter's language: annexes/law/<id>.md.j2,
        its translation annexes/law/<language>/<id>.md.j2 (none where it is not translated). A
        translation opens with a Jinja comment holding its `status` and `source` as YAML, read once
        per run (a letter asks when it checks its annex and again when it renders it)."""
        key = (standard, language)
        if key not in self._law_paragraphs:
            self._law_paragraphs[key] = self._read_law_paragraph(standard, language)
        return self._law_paragraphs[key]

    def _read_law_paragraph(self, standard: str, language: str) -> LawParagraph | None:
        if language == DEFAULT_LANGUAGE:
            return LawParagraph(f"{ANNEXES_PREFIX}law/{standard}.md.j2")
        name = f"{ANNEXES_PREFIX}law/{language}/{standard}.md.j2"
        path = self.root / name
        if not path.is_file():
            return None
        opening = _JINJA_COMMENT.match(read_source(path))
        try:
            header = yaml.safe_load(opening.group(1).strip()) if opening else None
        except yaml.YAMLError:
            header = None
        _check_translation_header(
            path,
            header,
            f"needs an opening comment `{{#- status: … source: … -#}}`: status {' or '.join(TRANSLATION_STATUSES)}, "
            "source where it is printed or what it translates",
        )
        assert isinstance(header, dict)
        return LawParagraph(name, draft=header["status"] == "draft")

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

    def annex(self, annex_id: str, language: str = DEFAULT_LANGUAGE) -> Annex:
        """The annex in the letter's language (annexes/<language>/<id>.md) where it is translated,
        else the English (which a letter in another language refuses). A translation's front matter
        says its `status` (published: its `source` prints it; draft: a translation not yet checked)."""
        name = annex_file(annex_id, language)
        if not (self.root / name).is_file():
            name, language = annex_file(annex_id), DEFAULT_LANGUAGE
        path = self.root / name
        header, body = load_front_matter(path)
        title = header.get("title")
        if not isinstance(title, str) or not title.strip():
            raise ProjectFileError(path, "needs a front matter `title:` (the annex's bold heading)", line=1)
        if language != DEFAULT_LANGUAGE:
            _check_translation_header(
                path,
                header,
                f"needs a front matter `status:` ({' or '.join(TRANSLATION_STATUSES)}) and `source:` (where it is printed, or what it translates)",
            )
        draft = header.get("status") == "draft"
        return Annex(id=annex_id, title=title.strip(), body=body.strip(), file=name, language=language, draft=draft)


@dataclass(frozen=True)
class LawParagraph:
    """A law paragraph's template (its loader name, `annexes/law/…`) and whether it is a draft translation."""

    template: str
    draft: bool = False


_JINJA_COMMENT = re.compile(r"\A\{#-?(.*?)-?#\}", re.DOTALL)

# A translated annex's front matter `status`: printed by its source, or a translation not yet checked.
TRANSLATION_STATUSES = ("published", "draft")


def _check_translation_header(path: Path, header: object, needs: str) -> None:
    """A translated annex or law paragraph says in its header whether it is a draft (`status`) and
    where it comes from (`source`: what prints it, or what it translates); one that does not is
    refused, `needs` saying what is lacking in that file's form."""
    if not isinstance(header, dict) or header.get("status") not in TRANSLATION_STATUSES or not header.get("source"):
        raise ProjectFileError(path, needs, line=1)


def annex_file(annex_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Where an annex is, relative to the project root: annexes/<id>.md, its translations beside it
    in annexes/<language>/<id>.md; the law library's paragraphs likewise in annexes/law/<language>/."""
    folder = ANNEXES_DIR if language == DEFAULT_LANGUAGE else f"{ANNEXES_DIR}/{language}"
    return f"{folder}/{annex_id}.md"


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
