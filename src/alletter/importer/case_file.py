"""Import, stage 3 — a recognised letter as a case file, checked by building it again.

The probe case that matched the letter is the case's shape: its sentinels are replaced by what
their slots took, the blocks the letter does not have take their fields away, and what could not
be placed is written into the file as TODO comments. The case is then checked and rendered like
any other, and its words compared with the letter's: `import` says whether the case gives the
letter back word for word, and where not.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from babel import Locale

from ..errors import CaseFileError, Problem, RecognitionError, RelatedCaseError
from ..letter.render import as_typed, render_templates, separator_before
from ..letter.validate import PLACEHOLDER
from ..project.letter_project import ANNEXES_PREFIX, LetterProject
from ..project.load import load_yaml
from ..project.schema import NON_STATE, Case, Recipient, Reference
from ..project.wording import LANGUAGES, LetterVoice, MissingWording, Phrasebook, choose_wording
from .probes import CLOSING_BLOCKS, Probe, phrasebook_of, probe_case
from .read import LetterText, read_letter
from .recognise import LetterHead, Recognition, recognise
from .words import LetterWords, LongDates, Token, merged, plain_texts, tokenize

_QUESTION_NUMBER = re.compile(r"^\d+\.\s+")
FACTS_OPENING = "according-to-information"  # the phrase that opens the facts
_MARKDOWN_SPECIAL = re.compile(r"([\\*_\[\]`<])")
_GOVERNMENT_OF = re.compile(r"^the Government of (.+)$")
CASE_HEADER = "# yaml-language-server: $schema=../schema/case.schema.json\n"


@dataclass
class ImportedCase:
    """A letter read back into a case: its data and file text, what could not be placed, and the
    letter's own text, which the case's rebuild is compared with."""

    data: dict[str, Any]
    yaml_text: str
    todos: list[str]
    letter: LetterText


@dataclass
class Rebuild:
    """An imported case file checked and rendered again, against the letter it came from."""

    problems: list[Problem] = field(default_factory=list)  # check's, at the case file's own lines
    built: bool = False
    missing_words: list[str] = field(default_factory=list)  # the letter's words its rebuild lacks
    extra_words: list[str] = field(default_factory=list)  # words the rebuild adds

    @property
    def word_for_word(self) -> bool:
        return self.built and not self.problems and not self.missing_words and not self.extra_words


def import_letter(path: Path, project: LetterProject) -> ImportedCase:
    """The case a letter file was made from, as far as its text tells."""
    letter = _without_draft_line(read_letter(path), project)
    try:
        recognition = recognise(project, LetterWords(letter.paragraphs))
    except RecognitionError as error:
        raise RecognitionError(f"{path}: {error}") from None
    found = recognition.found
    if found.missing_block:
        where = found.unplaced[-1]
        raise RecognitionError(
            f"{path}: paragraph {where.paragraph} ({where.text[:80]!r}…): the letter has no `{found.missing_block}` "
            f"block as the templates print it for {Case.model_validate(recognition.base).kind.with_article}"
        )
    data, todos = case_data(project, recognition, letter)
    todos[:0] = [f"paragraph {item.paragraph}, {item.why}: {item.text!r}" for item in found.unplaced]
    todos[:0] = [f"{line!r}: {why}" for line, why in letter.unplaced]
    return ImportedCase(data, case_yaml(data, todos, path), todos, letter)


def _without_draft_line(letter: LetterText, project: LetterProject) -> LetterText:
    """The letter without the running line a PDF using draft wording prints on its pages (each
    language's phrasebook's `draft_line`): the renderer's mark, not the letter's text."""
    marks = {book.draft_line for book in map(project.phrasebook_for, LANGUAGES) if book.draft_line}
    return replace(letter, paragraphs=[paragraph for paragraph in letter.paragraphs if paragraph.strip() not in marks])


# --- the probe's shape filled with the letter's values ---------------------------------------


def case_data(project: LetterProject, recognition: Recognition, letter: LetterText) -> tuple[dict[str, Any], list[str]]:
    """The case: the base probe with each matched block's probe choices, its slots filled."""
    todos: list[str] = []
    head, found = recognition.head, recognition.found
    data = merged(recognition.base, {})  # a copy: the recognition stays as it was found
    for variant in found.blocks.values():
        probe: Probe = next((probe for probe in variant.probes if probe.name == "base"), variant.probes[0])
        data = merged(data, probe.patch)
    present = set(found.blocks)
    data["closing_paragraphs"] = [block for block in CLOSING_BLOCKS if block in present]
    if "annexes" not in present:
        data.pop("annex", None)
        data["annexes"] = []
    book = phrasebook_of(project, recognition.base)
    values = {slot: as_typed(text, book) for slot, text in _slot_values(found.captures).items()}
    # a sentence the letter matched as printing nothing (the reminder line letters before 2021 had not)
    said_as_nothing = [phrase for phrase, text in data.get("wording", {}).items() if text == ""]
    data = _filled(data, {word: slot.field for word, slot in recognition.sentinels.words.items()}, values)
    _fill_follow_up(data, values, project, todos)
    _fill_own(data, values, project, head, [*found.left_out, *said_as_nothing])
    _fill_related(data, values, project, head, todos)
    _fill_annex(data, values.get("annex.paragraphs", ""), project)
    _split_before_facts(data, project, head)
    data["recipient"]["address"] = letter.address or [f"{PLACEHOLDER}: the address (not found in the letter)"]
    if not letter.address:
        todos.append("recipient.address: the letter's address block was not found; fill it in")
    if not data.get("questions"):
        data["questions"] = [f"{PLACEHOLDER}: no questions were found in the letter"]
        todos.append("questions: none found")
    data = _with_footnotes(data, letter.footnotes, todos)
    return _in_schema_order(data), todos


def _with_footnotes(data: dict[str, Any], footnotes: dict[str, str], todos: list[str]) -> dict[str, Any]:
    """The letter's footnotes as the case's: each call the letter prints as `[1]` in a field of
    the case's own becomes its `[^1]`, and its text `footnotes: {"1": …}`. A footnote called in
    the boilerplate, or not found once, is not placed: a TODO says which, with its text."""
    placed: dict[str, str] = {}
    for number, text in footnotes.items():
        call = re.compile(rf"\\?\[{number}\\?\]")
        found = _calls(data, call)
        if found == 1:
            data = _replaced(data, call, f"[^{number}]")
            placed[number] = _literal(text)
        else:
            todos.append(f"footnote {number}: its call is not in one field of the case's own; not placed: {text!r}")
    if placed:
        data["footnotes"] = placed
    return data


def _calls(value: Any, call: re.Pattern[str]) -> int:
    if isinstance(value, str):
        return len(call.findall(value))
    if isinstance(value, dict):
        return sum(_calls(item, call) for item in value.values())
    if isinstance(value, list):
        return sum(_calls(item, call) for item in value)
    return 0


def _replaced(value: Any, call: re.Pattern[str], mark: str) -> Any:
    if isinstance(value, str):
        return call.sub(lambda _: mark, value)
    if isinstance(value, dict):
        return {key: _replaced(item, call, mark) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, call, mark) for item in value]
    return value


def _split_before_facts(data: dict[str, Any], project: LetterProject, head: LetterHead) -> None:
    """The paragraphs before the facts and the facts are one run of the case's own text, split at
    the sentence that opens the facts ("According to the information received:"): the matcher
    may give the whole run to the first of the two."""
    if not data.get("before_facts"):
        return
    voice = LetterVoice(len(head.mandates), "state" if head.reference.country != NON_STATE else "non-state", head.day)
    try:
        opening = " ".join(choose_wording(phrasebook_of(project, data), FACTS_OPENING, voice).split())
    except MissingWording:
        opening = None
    plain = [" ".join(item.replace("\\", "").split()) for item in data["before_facts"]]
    if opening in plain:
        at = plain.index(opening)
        data["facts"] = data["before_facts"][at + 1 :] + (data.get("facts") or [])
        data["before_facts"] = data["before_facts"][:at]
    elif not data.get("facts"):  # no facts: the run is the case's paragraphs (printed only with facts)
        data["paragraphs"] = data.pop("before_facts") + (data.get("paragraphs") or [])


def _fill_own(
    data: dict[str, Any], values: dict[str, str], project: LetterProject, head: LetterHead, left_out: list[str]
) -> None:
    """The letter's own sentences as typed text (`wording:`), those it leaves out as empty ones,
    and the resolutions it cites that are not the ones in force on its date (`resolutions:`), as
    their slots took them."""
    if data.get("wording"):
        data["wording"] = {phrase: _literal(text) for phrase, text in data["wording"].items()}
    for phrase in left_out:  # the sentences the drafter deleted: said in no words
        data.setdefault("wording", {})[phrase] = ""
    cited = data.pop("resolutions", None)
    if not cited:
        return
    own = {}
    for mandate_id in cited:
        number = " ".join(values.get(f"resolutions.{mandate_id}", "").split())
        in_force, _ = project.registry.in_force(project.mandates[mandate_id], head.day)
        if number and (in_force is None or number != in_force.resolution):
            own[mandate_id] = number
    if own:
        data["resolutions"] = own


def _slot_values(captures: dict[str, list[str]]) -> dict[str, str]:
    return {name: "\n\n".join(text for text in texts if text) for name, texts in captures.items()}


def _filled(value: Any, fields: dict[str, str], values: dict[str, str]) -> Any:
    """`value` with each sentinel replaced by what its slot took; a field whose slot took nothing
    is left out (its block is not in the letter)."""
    if isinstance(value, dict):
        filled = {key: _filled(item, fields, values) for key, item in value.items()}
        return {key: item for key, item in filled.items() if item not in (None, [], "", {})}
    if isinstance(value, list):
        items: list[Any] = []
        for item in value:
            if isinstance(item, str) and item in fields and fields[item] != "related":
                items.extend(_paragraphs(values.get(fields[item], ""), questions=fields[item] == "questions"))
            else:
                result = _filled(item, fields, values)
                if result not in (None, [], "", {}):
                    items.append(result)
        return items
    if isinstance(value, str) and value in fields:
        return " ".join(values.get(fields[value], "").split()) or None
    return value


def _paragraphs(text: str, *, questions: bool = False) -> list[str]:
    paragraphs = [" ".join(paragraph.split()) for paragraph in re.split(r"\n\s*\n", text) if paragraph.strip()]
    if questions:  # a question's number is Word's or the PDF's, not the case's
        merged_items: list[str] = []
        for paragraph in paragraphs:
            if _QUESTION_NUMBER.match(paragraph) or not merged_items:
                merged_items.append(_QUESTION_NUMBER.sub("", paragraph))
            else:  # a question cut in two (a page break): one question
                merged_items[-1] += " " + paragraph
        paragraphs = merged_items
    return [_literal(paragraph) for paragraph in paragraphs]


def _literal(text: str) -> str:
    """Imported text as a case field's Markdown: marks that would be emphasis or links escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _fill_follow_up(data: dict[str, Any], values: dict[str, str], project: LetterProject, todos: list[str]) -> None:
    prior = data.get("follow_up")
    if not prior:
        return
    reference = " ".join(values.get("follow_up.reference", "").split())
    try:
        prior["reference"] = str(Reference.parse(reference))
    except ValueError:
        prior["reference"] = f"{PLACEHOLDER} {reference}".strip()
        todos.append(f"follow_up.reference: {reference!r} is not a reference")
    dates = LongDates(phrasebook_of(project, data))
    prior["date"] = _date_in(values, "follow_up.date", todos, dates)
    if "reply" in prior:
        prior["reply"]["date"] = _date_in(values, "follow_up.reply.date", todos, dates)
    replies = prior.get("other_replies")
    if replies is not None:
        if "governments" in replies:
            codes, rest = _state_codes(values.get("follow_up.other_replies.governments", ""), project)
            replies["governments"] = [{"code": code} for code in codes]
            if rest:
                todos.append(f"follow_up.other_replies.governments: not a UN State name: {rest!r}")
        if "others" in replies:
            others = _names(values.get("follow_up.other_replies.others", ""), phrasebook_of(project, data))
            replies["others"] = [{"name": name} for name in others]


def _date_in(values: dict[str, str], slot: str, todos: list[str], dates: LongDates) -> date | str:
    """The date a slot took, or the placeholder (which `check` refuses) and a TODO saying why."""
    day = dates.parse(values.get(slot, ""))
    if day is None:
        todos.append(f"{slot}: {values.get(slot)!r} is not a date such as {dates.printed(date(2023, 3, 13))!r}")
        return PLACEHOLDER
    return day


def _state_codes(text: str, project: LetterProject) -> tuple[list[str], str]:
    """The States a list such as "China, Mexico, United Kingdom of … and Northern Ireland" names,
    by their UN names (longest first, since some contain "and")."""
    by_name = sorted(((state.en, code) for code, state in project.states.items()), key=lambda pair: -len(pair[0]))
    rest = " ".join(text.split())
    codes: list[str] = []
    while rest:
        found = next(((name, code) for name, code in by_name if rest.startswith(name)), None)
        if found is None:
            break
        codes.append(found[1])
        rest = re.sub(r"^(,\s*|\s+and\s+)", "", rest[len(found[0]) :]).strip()
    return codes, rest


def _names(text: str, phrasebook: Phrasebook) -> list[str]:
    """ "A, B and C" — "A, B et C", "A, B y C" — as its names: a list as the letter's locale writes
    one (Babel's list patterns; the wordings join their lists the same way)."""
    patterns = Locale.parse(phrasebook.locale.replace("-", "_")).list_patterns["standard"]
    separator, last_separator = patterns["middle"].format("", ""), patterns["end"].format("", "")
    text = " ".join(text.split())
    if not text:
        return []
    head, _, last = text.rpartition(last_separator)
    before_i_sound = separator_before(last_separator, "i")  # Spanish "y" is "e" before an i sound
    if before_i_sound != last_separator and before_i_sound in text:
        head_e, _, last_e = text.rpartition(before_i_sound)
        if separator_before(last_separator, last_e) == before_i_sound and len(head_e) > len(head):
            head, last = head_e, last_e
    return [name for name in [*head.split(separator), last] if name] if head else [text]


def _fill_related(
    data: dict[str, Any], values: dict[str, str], project: LetterProject, head: LetterHead, todos: list[str]
) -> None:
    """Related letters by their recipients' names; their references, which letters do not print,
    from the case in cases/ that names this letter as related (none is guessed)."""
    if "related" not in data:
        return
    related = []
    for name in _names(values.get("related", ""), phrasebook_of(project, data)):
        government = _GOVERNMENT_OF.match(name)
        codes = _state_codes(government.group(1), project)[0] if government else []
        country = codes[0] if codes else NON_STATE
        found = _related_case(project, head, country, None if codes else name)
        if found is None:
            todos.append(f"related: the reference of the letter to {name} (not printed in the letter; not found in cases/)")
            found = (PLACEHOLDER, name)
        related.append({"reference": found[0]} if codes else {"reference": found[0], "name": found[1]})
    data["related"] = related


def _related_case(project: LetterProject, head: LetterHead, country: str, name: str | None) -> tuple[str, str] | None:
    """The reference of the case in cases/ to `country` (a non-State actor: by `name`, its
    recipient's name or an address line) that names this letter as related, and the name it goes
    by. The cases are read by the project's loader: one it cannot read stops the import, naming
    its file and line, since the reference looked for may be in it."""
    for path in sorted(project.cases_dir.glob("*.yaml")):
        try:
            other = load_yaml(path).data
        except CaseFileError as error:
            raise RelatedCaseError(error, str(head.reference)) from None
        try:
            reference = Reference.parse(other["reference"])
        except (KeyError, TypeError, ValueError):
            continue  # not a case file (or not yet one): `check` says so; it names no letter
        names_this = any(
            isinstance(item, dict) and item.get("reference") == str(head.reference) for item in other.get("related") or []
        )
        if not names_this or reference.country != country:
            continue
        recipient = other.get("recipient") or {}
        # A name ending in a full stop ("S.A.") lost it to the sentence's own.
        known_as = [known for known in [recipient.get("name"), *(recipient.get("address") or [])] if isinstance(known, str)]
        same = [known for known in known_as if name is not None and known.rstrip(".") == name.rstrip(".")]
        if name is None or same:
            return str(reference), same[0] if same else ""
    return None


def _fill_annex(data: dict[str, Any], text: str, project: LetterProject) -> None:
    """The case's own annex from the words its slot took: the standard paragraphs of annexes/law/
    it begins with (as the templates print them for this letter) by id, then its own paragraphs."""
    if "annex" not in data:
        return
    tokens = tokenize(text)
    standards: list[str] = []
    position = 0
    law = _law_paragraph_keys(project, data) if tokens else {}
    while found := next(
        (standard for standard, keys in law.items() if _keys(tokens[position : position + len(keys)]) == keys), None
    ):
        standards.append(found)
        position += len(law[found])
    own = _paragraphs(text[tokens[position].start :]) if position < len(tokens) else []
    data["annex"] = {key: value for key, value in (("standards", standards), ("paragraphs", own)) if value}


def _law_paragraph_keys(project: LetterProject, data: dict[str, Any]) -> dict[str, list[str]]:
    """Each standard paragraph of the law library, as this letter prints it, as tokens."""
    ids = project.law_standard_ids()
    if not ids:
        return {}
    letter = {key: data[key] for key in ("reference", "date", "mandates", "recipient")}
    probe = probe_case(project, {**letter, "questions": ["-"]})
    markdowns = render_templates(probe, project, [f"{ANNEXES_PREFIX}law/{standard}.md.j2" for standard in ids])
    return {standard: _keys(tokenize(text)) for standard, text in zip(ids, plain_texts(markdowns), strict=True)}


def _keys(tokens: list[Token]) -> list[str]:
    return [token.key for token in tokens]


_FIELD_ORDER = list(Case.model_fields)


def _in_schema_order(data: dict[str, Any]) -> dict[str, Any]:
    pruned = _pruned(data)
    recipient = pruned["recipient"]
    pruned["recipient"] = {key: recipient[key] for key in Recipient.model_fields if key in recipient}
    return {key: pruned[key] for key in _FIELD_ORDER if key in pruned}


def _pruned(value: Any) -> Any:
    """Without empty lists and mappings, at any depth (a case leaves out what it does not have)."""
    if isinstance(value, dict):
        items = {key: _pruned(item) for key, item in value.items()}
        return {key: item for key, item in items.items() if item not in (None, [], {})}
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value


# --- the case file ------------------------------------------------------------------------------


class _CaseDumper(yaml.SafeDumper):
    """List items indented, as case files are written by hand (long texts wrap as plain scalars)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def case_yaml(data: dict[str, Any], todos: list[str], source: Path) -> str:
    """The case file's text: the schema line, where it came from, its TODOs, then the case."""
    header = [CASE_HEADER, f"# Imported by `alletter import` from {source.name}.\n"]
    header += [f"# {PLACEHOLDER}: {todo}\n" for todo in todos]
    return "".join(header) + "\n" + _dumped(data)


# --- the check: the case built again ----------------------------------------------------------


def rebuild(imported: ImportedCase, text: str, target: Path, project: LetterProject) -> Rebuild:
    """Check `text` — the case file as it will be written at `target` — as `check` would, and
    compare its letter's words with the imported letter's."""
    from ..letter.check import check_letters
    from ..letter.render import render

    result = Rebuild()
    with tempfile.TemporaryDirectory(prefix="alletter-import-") as directory:
        path = Path(directory) / target.name
        path.write_text(text, encoding="utf-8")
        [checked] = check_letters([path], project)
    result.problems = [replace(problem, location=replace(problem.location, path=target)) for problem in checked.problems]
    if checked.valid is None:
        return result
    result.built = True
    rebuilt = plain_texts([render(checked.valid, project).markdown])[0]
    for line in checked.valid.case.recipient.address:  # page 1's foot, which the letter's text leaves out
        rebuilt = rebuilt.replace(line, "", 1)
    expected = [token.key for token in tokenize(imported.letter.words)]
    actual = [token.key for token in tokenize(rebuilt)]
    matcher = difflib.SequenceMatcher(a=expected, b=actual, autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            result.missing_words.extend(expected[a_start:a_end])
        if tag in ("insert", "replace"):
            result.extra_words.extend(actual[b_start:b_end])
    return result


# --- --into: a drafter's edits brought back into the case file ---------------------------------

KEPT_KEYS = {"link"}  # what a letter's words do not carry: kept from the case file as it is


def merge_into(existing_text: str, imported: dict[str, Any]) -> str:
    """The existing case file with the imported values where they differ. Each top-level field
    that changed is written anew, every other line — comments, blank lines, the fields that did
    not change — stays as it was; what a letter cannot show (links) and explicit defaults are kept."""
    root = yaml.compose(existing_text, Loader=yaml.SafeLoader)
    existing = yaml.safe_load(existing_text) or {}
    if not isinstance(root, yaml.MappingNode) or not isinstance(existing, dict):
        return case_yaml(imported, [], Path("the letter"))
    imported = dict(imported)
    _split_like(imported, existing)
    lines = existing_text.splitlines(keepends=True)
    pieces: list[str] = []
    position = 0
    for key_node, value_node in root.value:
        key = key_node.value
        start = key_node.start_mark.line
        end = value_node.end_mark.line + (1 if value_node.end_mark.column > 0 else 0)
        while end > start + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1  # the blank lines and comments before the next field are not this one's
        pieces.extend(lines[position:start])
        position = end
        old = existing.get(key)
        if key not in imported:
            default = Case.model_fields[key].default if key in Case.model_fields else None
            if _same(old, default):
                pieces.extend(lines[start:end])
            continue
        new = _with_kept(old, imported.pop(key))
        if _same(old, new):
            pieces.extend(lines[start:end])
        elif isinstance(value_node, yaml.SequenceNode) and isinstance(old, list) and isinstance(new, list) and value_node.value:
            pieces.extend(_merged_items(lines, key_node, value_node, old, new, end))
        else:
            pieces.append(_dumped({key: new}))
    pieces.extend(lines[position:])
    text = "".join(pieces)
    if imported:
        text = text.rstrip("\n") + "\n\n" + _dumped(imported)
    return text


def _merged_items(
    lines: list[str], key_node: yaml.Node, node: yaml.SequenceNode, old: list[Any], new: list[Any], end: int
) -> list[str]:
    """A list field with its unchanged items' lines kept and the others written anew, lined up
    with the file's own indentation; items are paired by their place, where a word changed."""
    dash = node.value[0].start_mark.column - 2
    pieces = lines[key_node.start_mark.line : node.value[0].start_mark.line]
    matcher = difflib.SequenceMatcher(a=[_key(item) for item in old], b=[_key(item) for item in new], autojunk=False)
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            first, last = node.value[a_start].start_mark.line, _item_end(node, a_end - 1, end, lines)
            pieces.extend(lines[first:last])
        else:
            pieces.extend(_indented(_dumped({"x": new[b_start:b_end]}).split("\n", 1)[1], dash - 2) if b_end > b_start else [])
    return pieces


def _key(item: Any) -> str:
    return " ".join(item.translate(_FOLDED_QUOTES).split()) if isinstance(item, str) else repr(item)


def _item_end(node: yaml.SequenceNode, index: int, end: int, lines: list[str]) -> int:
    if index + 1 < len(node.value):
        return node.value[index + 1].start_mark.line
    last = node.value[index].end_mark
    stop = last.line + (1 if last.column > 0 else 0)
    while stop > node.value[index].start_mark.line + 1 and not lines[stop - 1].strip():
        stop -= 1
    return min(stop, end)


def _indented(text: str, shift: int) -> list[str]:
    lines = text.splitlines(keepends=True)
    if shift >= 0:
        return [" " * shift + line if line.strip() else line for line in lines]
    return [line[-shift:] if line[:-shift].strip() == "" else line for line in lines]


def _dumped(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_CaseDumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _with_kept(old: Any, new: Any) -> Any:
    """`new` with the keys a letter does not print (links) taken from `old` where they match up."""
    if isinstance(old, dict) and isinstance(new, dict):
        kept = {key: value for key, value in old.items() if key in KEPT_KEYS and key not in new}
        return {**{key: _with_kept(old.get(key), value) for key, value in new.items()}, **kept}
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [_with_kept(a, b) for a, b in zip(old, new, strict=True)]
    return new


def _split_like(imported: dict[str, Any], existing: Any) -> None:
    """Facts and the case's own paragraphs print side by side, so the letter cannot tell where
    one ends: split as the case file did."""
    facts, paragraphs = existing.get("facts") or [], existing.get("paragraphs") or []
    found = imported.get("facts") or []
    if facts and paragraphs and not imported.get("paragraphs") and len(found) > len(facts):
        imported["facts"], imported["paragraphs"] = found[: len(facts)], found[len(facts) :]


# A quote typed straight and the curly one the letter prints for it are the same to a case
# (letter/typography.py): an import does not rewrite a field for its quotes.
_FOLDED_QUOTES = str.maketrans("‘’“”", "''\"\"")


def _same(old: Any, new: Any) -> bool:
    """Equal as a case file means them: texts whatever their line folding and quotes, dates however quoted."""
    old, new = (value.isoformat() if isinstance(value, date) else value for value in (old, new))
    if isinstance(old, str) and isinstance(new, str):
        return " ".join(old.translate(_FOLDED_QUOTES).split()) == " ".join(new.translate(_FOLDED_QUOTES).split())
    if isinstance(old, dict) and isinstance(new, dict):
        return set(old) == set(new) and all(_same(old[key], new[key]) for key in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
    return bool(old == new)


__all__ = ["ImportedCase", "Rebuild", "case_yaml", "import_letter", "merge_into", "rebuild"]
