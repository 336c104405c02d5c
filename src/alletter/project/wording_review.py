"""`alletter wording`: how far a language's phrasebook is confirmed, and the office's approvals.

A translation office reviews the drafted sentences of a language, in the file or in a translator's
tool, and its approval is recorded in the phrasebook itself (status, by whom, when, against what),
so that every letter built after it loses its draft marks. The phrasebook is a file the office
also edits by hand: an approval changes only the lines of the approved wording (its `status:`
line, and three lines added after it) and keeps every other line, comment and order as it was.
The gettext PO form is for translators' tools (Poedit, Weblate, OmegaT): the English wording is
the `msgid`, a draft the `fuzzy` flag, and a reviewed file read back gives approvals.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..errors import UsageError
from ..files import write_atomic
from .letter_project import DEFAULT_LANGUAGE, LetterProject, phrases_file
from .schema import RecipientKind
from .wording import LANGUAGES, LetterVoice, MissingWording, Phrasebook, Status, Variant, choose_variant

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

FORMS = ("text", "one", "many")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PhraseStatus:
    """One wording of a language (a sentence for one speaker or several, one recipient, from a
    date), or a sentence of the English phrasebook the language has no wording of."""

    phrase: str
    status: Status | None  # None: the language has no wording for it
    source: str | None
    variant: str = ""  # which wording: "many", "one, state", "text, since 2021-01-01"


@dataclass(frozen=True)
class Coverage:
    """`alletter wording --language fr`: every sentence's status, and the counts."""

    language: str
    file: str
    phrases: list[PhraseStatus]

    def count(self, status: str) -> int:
        return sum(1 for phrase in self.phrases if (phrase.status or "missing") == status)


def coverage(project: LetterProject, language: str) -> Coverage:
    """Each wording of the English phrasebook, in its order, with the status of the wording a letter
    in `language` would print in its place: each form (one mandate, several), each recipient (State,
    non-State) and each date an English wording has is one row, so a language that words only the
    State form of a sentence shows its non-State form as missing (a company's letter is refused). The
    words naming each kind of recipient come first; wordings of the language's own that no English
    one stands for (a form of a later date) follow their phrase's rows."""
    if language == DEFAULT_LANGUAGE:
        return _english_coverage(project)
    _check_language(language)
    book = project.phrasebook_for(language)
    rows = [_addressee_row(book, kind) for kind in project.phrasebook.recipients]
    for phrase, english in project.phrasebook.phrases.items():
        if all(variant.english_only for variant in english):
            continue  # a choice between English forms: the language's own sentences word it
        reached: set[tuple[int, str]] = set()
        for variant in english:
            if variant.unknown is not None or variant.english_only:
                continue  # refused in English letters too, or an English form: nothing to translate
            for form in FORMS:
                if getattr(variant, form) is not None:
                    rows.extend(_translated_rows(book, phrase, variant, form, reached))
        for own in book.phrases.get(phrase, []):
            for form in FORMS:
                if getattr(own, form) is not None and (id(own), form) not in reached:
                    rows.append(PhraseStatus(phrase, own.status, own.source, _describe(form, own.recipient, own.since)))
    return Coverage(language, book.file, rows)


def _english_coverage(project: LetterProject) -> Coverage:
    """The English phrasebook's own wordings: each published (its source a published letter) or
    approved (recorded by the office from its own letters, `alletter wording record`), and each
    window no published letter shows (`unknown:`) as missing, with why — what the office can record."""
    book = project.phrasebook
    rows = [_addressee_row(book, kind) for kind in book.recipients]
    for phrase, variants in book.phrases.items():
        for variant in variants:
            described = ", ".join(
                [
                    *([f"form {variant.form}"] if variant.form else []),
                    *([variant.recipient] if variant.recipient else []),
                    *([f"since {variant.since}"] if variant.since else []),
                ]
            )
            if variant.unknown is not None:
                rows.append(PhraseStatus(phrase, None, variant.unknown, described))
            else:
                rows.append(PhraseStatus(phrase, variant.status, variant.source, described))
    return Coverage(DEFAULT_LANGUAGE, book.file, rows)


# Who speaks in a form: `text` serves one mandate and several alike.
_SPEAKERS = {"text": (1, 2), "one": (1,), "many": (2,)}
_FORM_OF = {1: "one", 2: "many"}
_RECIPIENTS: tuple[Literal["state", "non-state"], ...] = ("state", "non-state")


def _translated_rows(
    book: Phrasebook, phrase: str, english: Variant, form: str, reached: set[tuple[int, str]]
) -> list[PhraseStatus]:
    """The rows of one English wording: the language's wording chosen, as a letter chooses it, for
    each recipient and speaker count the English serves on its first date; one row when a single
    wording of the language serves them all, else one per recipient (and per speaker count where
    the language splits an English `text`)."""
    on = english.since or date.min
    found = {
        recipient: {speakers: _chosen(book, phrase, LetterVoice(speakers, recipient, on)) for speakers in _SPEAKERS[form]}
        for recipient in ((english.recipient,) if english.recipient else _RECIPIENTS)
    }
    chosen = [wording for by_speakers in found.values() for wording in by_speakers.values()]
    reached.update((id(wording[0]), wording[1]) for wording in chosen if wording is not None)
    if len({_identity(wording) for wording in chosen}) == 1:
        return [_row(phrase, chosen[0], _describe(form, english.recipient, english.since))]
    rows = []
    for recipient, by_speakers in found.items():
        wordings = list(by_speakers.values())
        if len({_identity(wording) for wording in wordings}) == 1:
            rows.append(_row(phrase, wordings[0], _describe(form, recipient, english.since)))
        else:
            rows.extend(
                _row(phrase, wording, _describe(_FORM_OF[speakers], recipient, english.since))
                for speakers, wording in by_speakers.items()
            )
    return rows


def _identity(wording: tuple[Variant, str] | None) -> tuple[int, str] | None:
    """Which wording of the language it is (two equal sentences of different variants are two wordings)."""
    return None if wording is None else (id(wording[0]), wording[1])


def _chosen(book: Phrasebook, phrase: str, voice: LetterVoice) -> tuple[Variant, str] | None:
    """The language's wording a letter of this voice prints, and its form; None: it is refused."""
    try:
        variant, _ = choose_variant(book, phrase, voice)
    except MissingWording:
        return None
    return variant, "text" if variant.text is not None else _FORM_OF[voice.speakers]


def _row(phrase: str, chosen: tuple[Variant, str] | None, described: str) -> PhraseStatus:
    if chosen is None:
        return PhraseStatus(phrase, None, None, described)
    return PhraseStatus(phrase, chosen[0].status, chosen[0].source, described)


def _addressee_row(book: Phrasebook, kind: RecipientKind) -> PhraseStatus:
    """How the language names a kind of recipient ("le Gouvernement de votre Excellence", "votre entreprise")."""
    addressee = book.recipients.get(kind)
    if addressee is None:
        return PhraseStatus(f"recipients.{kind}", None, None)
    return PhraseStatus(f"recipients.{kind}", addressee.status, addressee.source)


def _describe(form: str, recipient: str | None, since: date | None) -> str:
    return ", ".join([form, *([recipient] if recipient else []), *([f"since {since}"] if since else [])])


def _check_language(language: str) -> None:
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        others = ", ".join(name for name in LANGUAGES if name != DEFAULT_LANGUAGE)
        raise UsageError(f"language {language!r}: choose {others} (English wording is published: phrases.yaml)")


@dataclass(frozen=True)
class Approval:
    """What an office records when it confirms a wording."""

    by: str
    on: date
    against: str


def approve(project: LetterProject, language: str, phrase: str, approval: Approval) -> int:
    """Record the approval of every draft wording of `phrase` in `language`'s phrasebook, in
    place; the number of wordings approved. Nothing is written when there is none."""
    _check_language(language)
    path = project.root / phrases_file(language)
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    edits = sorted(_status_lines(text, phrase), reverse=True)
    if not edits:
        known = project.phrasebook_for(language).phrases
        if phrase not in known:
            raise UsageError(
                f"{phrases_file(language)} has no phrase `{phrase}`; `alletter wording --language {language}` lists them"
            )
        raise UsageError(f"{phrases_file(language)}: `{phrase}` has no draft wording left to approve")
    for line, column in edits:
        indent = " " * column
        newline = "\n" if lines[line].endswith("\n") else ""
        lines[line : line + 1] = [
            f"{indent}status: approved\n",
            f"{indent}approved_by: {_yaml_string(approval.by)}\n",
            f"{indent}approved_on: {approval.on.isoformat()}\n",
            f"{indent}approved_against: {_yaml_string(approval.against)}{newline}",
        ]
    write_atomic(path, "".join(lines).encode("utf-8"))
    return len(edits)


def _status_lines(text: str, phrase: str) -> Iterator[tuple[int, int]]:
    """The line and column of each `status: draft` of `phrase`'s wordings (ruamel.yaml keeps where each key was)."""
    from ruamel.yaml import YAML

    document = YAML().load(text)
    for variant in (document.get("phrases") or {}).get(phrase) or []:
        if variant.get("status") == "draft":
            line, column, _, _ = variant.lc.data["status"]
            yield line, column


def _yaml_string(text: str) -> str:
    """A one-line YAML string, quoted so that no `: ` or `#` in it can change its meaning."""
    return "'" + _SPACES.sub(" ", text).strip().replace("'", "''") + "'"


def _english_words(project: LetterProject, phrase: str, variant: Variant, form: str) -> str | None:
    """The English wording a translated wording renders: same recipient and date when there is one."""
    english = project.phrasebook.phrases.get(phrase, [])
    same = [
        candidate for candidate in english if candidate.form == variant.form and candidate.recipient in (variant.recipient, None)
    ]
    dated = [candidate for candidate in same if candidate.since == variant.since] or same
    for candidate in dated[::-1]:
        words = getattr(candidate, form) if getattr(candidate, form) is not None else candidate.text
        if words is not None:
            return _SPACES.sub(" ", words).strip()
    return None


def _context(phrase: str, variant: Variant, form: str) -> str:
    return f"{phrase}|{variant.recipient or 'any'}|{variant.since or ''}|{form}"


def export_po(project: LetterProject, language: str, output_format: str = "po") -> bytes:
    """`language`'s phrasebook as a gettext PO file: msgid the English, msgstr the translation,
    a draft `#, fuzzy`, its source as a comment; msgctxt names the phrase and which wording it is."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    if output_format != "po":
        raise UsageError(f"--format {output_format}: only po is written")
    _check_language(language)
    book = project.phrasebook_for(language)
    catalog = Catalog(locale=book.locale.replace("-", "_"), project="alletter", domain="phrases", fuzzy=False)
    for phrase, variants in book.phrases.items():
        for variant in variants:
            for form in FORMS:
                words = getattr(variant, form)
                english = _english_words(project, phrase, variant, form)
                if words is None or english is None:
                    continue
                catalog.add(
                    english,
                    _SPACES.sub(" ", words).strip(),
                    context=_context(phrase, variant, form),
                    flags=("fuzzy",) if variant.status == "draft" else (),
                    auto_comments=[f"status: {variant.status}", f"source: {variant.source or 'none'}"],
                )
    return _po_bytes(catalog, write_po)


def _po_bytes(catalog: Catalog, write_po: object) -> bytes:
    import io

    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, omit_header=False, sort_output=False)  # type: ignore[operator]
    return buffer.getvalue()


@dataclass(frozen=True)
class ImportResult:
    """What a reviewed PO file gave: the phrases approved, and those whose translation was changed
    (to be edited into the phrasebook by hand: a changed sentence is a new draft, not an approval)."""

    language: str
    approved: list[str]
    changed: list[str]


def import_po(project: LetterProject, path: Path, by: str, on: date) -> ImportResult:
    """Approvals from a reviewed PO file: each phrase whose every entry is no longer fuzzy and whose
    translation is the phrasebook's is approved, against the file's name — when every drafted
    sentence of it was in the file: a phrase whose only draft is an empty wording (PO has no entry
    for an empty msgid) was never reviewed, whatever its published entries say."""
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle)
    language = str(catalog.locale).partition("_")[0] if catalog.locale else ""
    _check_language(language)
    book = project.phrasebook_for(language)
    reviewed: dict[str, bool] = {}
    read: set[str] = set()
    changed: list[str] = []
    for message in catalog:
        if not message.id or not message.context:
            continue
        phrase = message.context.partition("|")[0]
        variants = book.phrases.get(phrase, [])
        current = {_context(phrase, variant, form): getattr(variant, form) for variant in variants for form in FORMS}
        words = current.get(message.context)
        if words is None:
            continue
        if _SPACES.sub(" ", str(message.string)).strip() != _SPACES.sub(" ", words).strip():
            changed.append(phrase)
            reviewed[phrase] = False
        else:
            reviewed[phrase] = reviewed.get(phrase, True) and not message.fuzzy
            read.add(message.context)
    approved = []
    for phrase, ok in reviewed.items():
        drafted = {
            _context(phrase, variant, form)
            for variant in book.phrases[phrase]
            if variant.status == "draft"
            for form in FORMS
            if getattr(variant, form)
        }
        if ok and drafted and drafted <= read:
            approve(project, language, phrase, Approval(by=by, on=on, against=f"reviewed in {path.name}"))
            approved.append(phrase)
    return ImportResult(language, approved, sorted(set(changed)))
