"""`alletter wording record …`: the office records a sentence its own letters print, in place.

Where no published letter shows a sentence (phrases.yaml's `unknown:` wordings: the reference block
of letters dated 28 May 2021 to 2022), the office that sent those letters holds them: it records
the wording they print, from a date, against the letter it read it in, and every letter of those
dates is made with it. The wording is written as an approved one (`status: approved`,
`approved_by`, `approved_on`, `approved_against`), so letters using it carry no draft mark, and
its source is the office's, never a guess of alletter's.

Like the registry's record commands, it changes only its own lines: an `unknown:` wording of the
same date is replaced (the window is no longer unknown), else the new wording is inserted after the
last wording dated before it (a window before it stays unknown). Before anything is written the
edited phrasebook is read back and validated, the wording is compiled as the template it is, and a
letter of its date is shown to print it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import jinja2

from ..errors import ProjectFileError, RecordRefusedError, UsageError, did_you_mean
from .letter_project import phrases_file
from .load import read_source
from .wording import LANGUAGES, LetterVoice, MissingWording, Phrasebook, choose_variant
from .yaml_edit import Change, Edit, Recorder, YamlText, dump_lines, validated

# Whom a wording serves (as `Variant.recipient`): not schema.RecipientKind, which names three kinds
VoiceRecipient = Literal["state", "non-state"]


def record_wording(
    root: Path,
    phrase: str,
    since: date,
    words: dict[str, str],
    against: str,
    recorder: Recorder,
    language: str = "en",
    recipient: VoiceRecipient | None = None,
) -> Change:
    """The phrasebook of `language` with `phrase` worded `words` (`text`, or `one` and/or `many`)
    from `since` on, for `recipient` (or any), approved by `recorder` against `against`."""
    if language not in LANGUAGES:
        raise UsageError(f"--language {language}: choose {', '.join(LANGUAGES)}")
    if not words or ("text" in words and len(words) > 1):
        raise UsageError("give the wording as --text (one mandate and several alike), or as --one and/or --many")
    path = root / phrases_file(language)
    what = f"the wording of `{phrase}` since {since}"
    text = read_source(path)
    book = _phrasebook(path, text, what)
    variants = book.phrases.get(phrase)
    if variants is None:
        hint = did_you_mean(phrase, book.phrases) or "; `alletter check` names the phrase a letter lacks"
        raise RecordRefusedError(path, what, f"no phrase `{phrase}` in {path.name}{hint}")
    for words_text in words.values():
        _parsed(path, what, words_text)

    document = YamlText(path, text)
    nodes = document.value(document.value(document.root, "phrases"), phrase).value
    entry: dict[str, Any] = {
        "since": since,
        **({"recipient": recipient} if recipient else {}),
        **words,
        "source": f"the office's own letters: {against}",
        "status": "approved",
        "approved_by": recorder.by,
        "approved_on": recorder.on,
        "approved_against": against,
    }
    dash = nodes[0].start_mark.column - 2
    same = [
        index
        for index, variant in enumerate(variants)
        if variant.form is None and variant.since == since and variant.recipient == recipient
    ]
    if same and variants[same[0]].unknown is None:
        line = nodes[same[0]].start_mark.line + 1
        raise RecordRefusedError(
            path, what, f"`{phrase}` already has a wording from {since} (line {line}): change it there, with its source"
        )
    if same:  # the unknown window now has its wording
        node = nodes[same[0]]
        document.edits.append(Edit(node.start_mark.line, document.last_line(node) + 1, dump_lines([entry], dash)))
    else:
        before = [index for index, variant in enumerate(variants) if (variant.since or date.min) <= since]
        at = document.last_line(nodes[before[-1]]) + 1 if before else nodes[0].start_mark.line
        document.edits.append(Edit(at, at, dump_lines([entry], dash)))
    after = document.edited()
    edited = _phrasebook(path, after, what)
    _check_in_force(path, what, edited, phrase, since, words, recipient)
    return Change(path, text, after, f"{what}{f' ({recipient})' if recipient else ''}")


def _phrasebook(path: Path, text: str, what: str) -> Phrasebook:
    """The phrasebook `text` is, or a refusal naming what is wrong with it."""
    try:
        return validated(path, text, Phrasebook, what)
    except ProjectFileError as error:
        raise RecordRefusedError(path, what, str(error)) from None


def _parsed(path: Path, what: str, words: str) -> None:
    """Refuse a wording that is not a template the letters can render (`{{ case.reference }}`
    fills in the letter's reference; a stray brace would stop every letter of its dates)."""
    from jinja2.sandbox import SandboxedEnvironment

    try:
        SandboxedEnvironment().parse(words)
    except jinja2.TemplateSyntaxError as error:
        raise RecordRefusedError(path, what, f"the wording is not a template the letters can render: {error.message}") from None


def _check_in_force(
    path: Path, what: str, book: Phrasebook, phrase: str, since: date, words: dict[str, str], recipient: VoiceRecipient | None
) -> None:
    """A letter of `since` now prints the recorded wording, for each recipient and speaker count it
    serves: else a wording of the same date (a recipient's own, a named form) would hide it."""
    for kind in (recipient,) if recipient else ("state", "non-state"):
        for speakers, form in ((1, "one"), (2, "many")):
            expected = words.get("text", words.get(form))
            if expected is None:
                continue
            try:
                _, chosen = choose_variant(book, phrase, LetterVoice(speakers, kind, since))
            except MissingWording as error:
                raise RecordRefusedError(path, what, str(error)) from None
            if chosen != expected:
                raise RecordRefusedError(
                    path, what, f"a letter to a {kind} dated {since} would still print another wording of the same date"
                )


__all__ = ["record_wording"]
