"""Import, stage 2 — recognise a letter: which of its words are its kind's boilerplate, and which
are the case's own.

Nothing here knows a sentence of the boilerplate. The templates say what it is: for the letter's
kind, each block of kinds.yaml is rendered for a *probe* — a case whose own fields are sentinel
words ("zqslot3zq"), whose dates and references are impossible ones — and once more for each probe
that varies one choice (a follow-up with or without a reply, the publication after 48 hours, the
questions without the standard one, …). Rendered to plain text by pandoc, each block becomes a
pattern: literal words, and slots where a sentinel stood. The letter's words are matched against
the blocks in order: a block's literal words must follow each other as the template prints them;
a slot takes every word up to the next literal one. A block that `kinds.yaml` makes optional is
present where its words are found before the next block that must be there. Which probe's
rendering matched tells the case's choices; the slots hold its facts, questions and names.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import CaseFileError, SourceLocation, UserError
from ..letter.render import long_date, render_templates
from ..letter.validate import ValidCase
from ..project.letter_project import LetterProject
from ..project.schema import NON_STATE, REFERENCE_TEXT, Case, Reference, Signatory
from ..project.wording import Block

_TOKEN = re.compile(r"\w+|[^\w\s]")
_SAME_MARKS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})
_BLOCK_SEPARATOR = "zqblockzq{}zq"
_PROBE_REFERENCE = "JAL QQQ 9999/1999"  # a reference no letter has: where it prints is a slot
_PROBE_RELATED = "AL OTH 9999/1999"  # a related letter to a non-State actor, so that its name prints
PROBE_DATES = [date(1901, 1, 1), date(1902, 2, 2)]  # dates no letter has: where they print is a slot
_PROBE_STATE = "AFG"  # a State whose name marks where a list of replying Governments prints
_LONG_DATE = re.compile(r"\b(\d{1,2}) ([A-Z][a-z]+) (\d{4})\b")


@dataclass(frozen=True)
class Slot:
    """Where a case's own value prints in a block: the field (dotted path) it stands for."""

    field: str


Item = str | Slot


@dataclass(frozen=True)
class Token:
    key: str  # what is compared: the word with quotes and apostrophes made plain
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Words and punctuation marks, each a token, with their place in `text`; compared in NFKC
    (a ligature is its letters) with curly quotes and apostrophes as straight ones."""
    return [
        Token(unicodedata.normalize("NFKC", match.group()).translate(_SAME_MARKS), match.start(), match.end())
        for match in _TOKEN.finditer(text)
    ]


class Sentinels:
    """The probe's values for a case's own fields, and the slot each stands for where it prints."""

    def __init__(self) -> None:
        self.words: dict[str, Slot] = {}
        self.runs: list[tuple[tuple[str, ...], Slot]] = []

    def word(self, field_name: str) -> str:
        word = f"zqslot{len(self.words)}zq"
        self.words[word] = Slot(field_name)
        return word

    def printed(self, text: str, field_name: str) -> None:
        """A value that prints as `text` (a date, a reference, a State's name) stands for a slot."""
        self.runs.append((tuple(token.key for token in tokenize(text)), Slot(field_name)))

    def pattern(self, text: str) -> list[Item]:
        keys = [token.key for token in tokenize(text)]
        items: list[Item] = []
        index = 0
        while index < len(keys):
            run = next((run for run in self.runs if tuple(keys[index : index + len(run[0])]) == run[0]), None)
            if run is not None:
                items.append(run[1])
                index += len(run[0])
                continue
            items.append(self.words.get(keys[index], keys[index]))
            index += 1
        return items


@dataclass(frozen=True)
class Probe:
    """A variation of the probe case: `patch` is merged into the base probe's data."""

    name: str
    patch: dict[str, Any]


@dataclass
class Variant:
    """One way a block prints: its pattern, and the probes that print it so."""

    items: list[Item]
    probes: list[Probe]

    @property
    def literal_count(self) -> int:
        return sum(1 for item in self.items if isinstance(item, str))


@dataclass
class BlockPatterns:
    name: str
    optional: bool
    variants: list[Variant]


@dataclass
class Unplaced:
    """Words of the letter that no block or slot accounts for."""

    paragraph: int  # 1-based, in the letter's running text
    text: str
    why: str


@dataclass
class _Match:
    first_literal: int
    end: int
    literal_count: int
    captures: list[tuple[Slot, int, int]]
    open_slot: tuple[Slot, int] | None
    skipped: tuple[int, int] | None


@dataclass
class Recognition:
    """What matching a letter against one kind found."""

    blocks: dict[str, Variant] = field(default_factory=dict)
    captures: dict[str, list[str]] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)
    missing_block: str | None = None

    @property
    def score(self) -> tuple[int, int]:
        return (1 if self.missing_block else 0, sum(len(item.text.split()) for item in self.unplaced))


class LetterWords:
    """The letter's running text as one string (paragraphs separated by blank lines) and its tokens."""

    def __init__(self, paragraphs: list[str]) -> None:
        self.paragraphs = paragraphs
        self.text = "\n\n".join(paragraphs)
        self.tokens = tokenize(self.text)
        starts, offset = [], 0
        for paragraph in paragraphs:
            starts.append(offset)
            offset += len(paragraph) + 2
        self._paragraph_starts = starts

    def paragraph_of(self, token_index: int) -> int:
        """The 1-based paragraph a token is in."""
        if token_index >= len(self.tokens):
            return len(self.paragraphs)
        offset = self.tokens[token_index].start
        return sum(1 for start in self._paragraph_starts if start <= offset)

    def span(self, start: int, end: int) -> str:
        """The letter's text from token `start` to before token `end`, paragraph breaks kept."""
        if start >= end:
            return ""
        return self.text[self.tokens[start].start : self.tokens[end - 1].end]

    def ends_paragraph(self, token_index: int) -> bool:
        """Whether the token is the last of its paragraph (or of the letter)."""
        following = token_index + 1
        return following >= len(self.tokens) or "\n\n" in self.text[self.tokens[token_index].end : self.tokens[following].start]

    def find(self, keys: list[str], start: int, end: int | None = None, *, ending_paragraph: bool = False) -> int | None:
        """Where the run of tokens `keys` first occurs at or after `start` (and begins before
        `end`); with `ending_paragraph`, only where it is the end of a paragraph."""
        limit = len(self.tokens) - len(keys) + 1 if end is None else min(end, len(self.tokens) - len(keys) + 1)
        first = keys[0]
        for index in range(start, limit):
            if (
                self.tokens[index].key == first
                and all(self.tokens[index + offset].key == key for offset, key in enumerate(keys[1:], 1))
                and (not ending_paragraph or self.ends_paragraph(index + len(keys) - 1))
            ):
                return index
        return None


def _segments(items: list[Item]) -> Iterator[Slot | list[str]]:
    """A pattern as literal runs and slots."""
    run: list[str] = []
    for item in items:
        if isinstance(item, Slot):
            if run:
                yield run
                run = []
            yield item
        else:
            run.append(item)
    if run:
        yield run


MAX_SKIPPED_TOKENS = 40  # words a block may be preceded by that no slot takes: reported, not dropped


def _match_variant(words: LetterWords, position: int, open_slot: tuple[Slot, int] | None, variant: Variant) -> _Match | None:
    """The variant matched from `position`; a slot left open by the block before takes the words
    up to this block's first literal run."""
    captures: list[tuple[Slot, int, int]] = []
    first_literal: int | None = None
    skipped: tuple[int, int] | None = None
    segments = list(_segments(variant.items))
    for number, segment in enumerate(segments):
        if isinstance(segment, Slot):
            if open_slot is not None:  # two slots side by side: the first takes the words for both
                captures.append((segment, position, position))
                continue
            open_slot = (segment, position)
            continue
        if open_slot is not None:
            # A block is whole paragraphs: its last words end one, whatever full stops the slot has.
            found = words.find(segment, position, ending_paragraph=number == len(segments) - 1)
            if found is None:
                return None
            captures.append((open_slot[0], open_slot[1], found))
            open_slot = None
        elif words.find(segment, position, position + 1) == position:
            found = position
        else:
            found = words.find(segment, position, position + MAX_SKIPPED_TOKENS + 1) if first_literal is None else None
            if found is None:
                return None
            skipped = (position, found)
        first_literal = found if first_literal is None else first_literal
        position = found + len(segment)
    return _Match(
        first_literal if first_literal is not None else position,
        position,
        variant.literal_count,
        captures,
        open_slot,
        skipped,
    )


def _best_match(
    words: LetterWords, position: int, open_slot: tuple[Slot, int] | None, block: BlockPatterns
) -> tuple[Variant, _Match] | None:
    found = [(variant, match) for variant in block.variants if (match := _match_variant(words, position, open_slot, variant))]
    if not found:
        return None
    return min(found, key=lambda pair: (pair[1].first_literal, -pair[1].literal_count))


def match_blocks(words: LetterWords, blocks: list[BlockPatterns]) -> Recognition:
    """The blocks found in the letter, in order, with what each slot took."""
    recognition = Recognition()
    position, open_slot = 0, None
    spans: list[tuple[Slot, int, int]] = []
    for index, block in enumerate(blocks):
        best = _best_match(words, position, open_slot, block)
        if block.optional and best is not None:
            following = next((later for later in blocks[index + 1 :] if not later.optional), None)
            rival = _best_match(words, position, open_slot, following) if following else None
            if rival is not None and rival[1].first_literal < best[1].first_literal:
                best = None
        if best is None:
            if not block.optional:
                recognition.missing_block = block.name
                recognition.unplaced.append(
                    Unplaced(
                        words.paragraph_of(position), words.span(position, len(words.tokens))[:200], f"no `{block.name}` block"
                    )
                )
                return recognition
            continue
        variant, match = best
        recognition.blocks[block.name] = variant
        if match.skipped:
            start, end = match.skipped
            recognition.unplaced.append(
                Unplaced(words.paragraph_of(start), words.span(start, end), f"before the `{block.name}` block")
            )
        spans.extend(match.captures)
        position, open_slot = match.end, match.open_slot
    if open_slot is not None:
        spans.append((open_slot[0], open_slot[1], len(words.tokens)))
    elif position < len(words.tokens):
        recognition.unplaced.append(
            Unplaced(words.paragraph_of(position), words.span(position, len(words.tokens)), "after the last block")
        )
    for slot, start, end in spans:
        recognition.captures.setdefault(slot.field, []).append(words.span(start, end))
    return recognition


# --- probes -----------------------------------------------------------------------------------

CLOSING_BLOCKS = ["engagement-offer", "technical-support", "press-release"]


def _probe_base(reference: str, day: date, mandates: list[str], recipient: str, sentinels: Sentinels) -> dict[str, Any]:
    """The probe case: every field the case owns is a sentinel, every optional block is on."""
    word = sentinels.word
    person: dict[str, Any] = {"kind": recipient, "address": ["zqaddresszq"]}
    if recipient != "state":
        person |= {"name": word("recipient.name"), "salutation": word("recipient.salutation")}
    return {
        "reference": reference,
        "date": day,
        "mandates": mandates,
        "recipient": person,
        "summary": word("summary"),
        "before_facts": [word("before_facts")],
        "facts": [word("facts")],
        "paragraphs": [word("paragraphs")],
        "related": [{"reference": _PROBE_RELATED, "name": word("related")}],
        "questions": [word("questions")],
        "annex": {"paragraphs": [word("annex.paragraphs")]},
        "closing_paragraphs": list(CLOSING_BLOCKS),
    }


def _follow_up_probes(sentinels: Sentinels) -> list[Probe]:
    """A prior communication replied to or not, with other replies or not: each prints differently."""
    word = sentinels.word
    prior = {
        "reference": _PROBE_REFERENCE,
        "date": PROBE_DATES[0],
        "subject": word("follow_up.subject"),
    }
    governments = {"governments": [{"code": _PROBE_STATE}]}
    others = {"others": [{"name": word("follow_up.other_replies.others")}]}
    replied = {**prior, "reply": {"date": PROBE_DATES[1]}}
    not_replied = {**prior, "concern": word("follow_up.concern")}
    shapes = {
        "replied": replied,
        "replied, other Governments": {**replied, "other_replies": governments},
        "not replied": not_replied,
        "not replied, other Governments": {**not_replied, "other_replies": governments},
        "not replied, others": {**not_replied, "other_replies": others},
        "not replied, other Governments and others": {**not_replied, "other_replies": {**governments, **others}},
    }
    return [Probe(f"follow-up ({name})", {"summary": None, "follow_up": shape}) for name, shape in shapes.items()]


def _probes(project: LetterProject, sentinels: Sentinels) -> list[Probe]:
    probes = [
        Probe("base", {}),
        Probe("no standard question", {"standard_question": False}),
        Probe("follow-up questions", {"questions_intro": "follow-up"}),
        Probe("publication after 48 hours", {"publication": "after-48-hours"}),
        Probe("last mandate after a semicolon", {"mandate_list": "semicolon-and"}),
        *_follow_up_probes(sentinels),
    ]
    for annex_id in project.annex_ids():
        probes.append(Probe(f"annex {annex_id}", {"annexes": [annex_id]}))
        probes.append(Probe(f"annex {annex_id} alone", {"annex": None, "annexes": [annex_id]}))
    sentinels.printed(_PROBE_REFERENCE, "follow_up.reference")
    sentinels.printed(long_date(PROBE_DATES[0]), "follow_up.date")
    sentinels.printed(long_date(PROBE_DATES[1]), "follow_up.reply.date")
    sentinels.printed(project.states[_PROBE_STATE].en, "follow_up.other_replies.governments")
    return probes


def merged(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`base` with `patch`'s values: nested mappings merged, a None removing the key."""
    result = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def probe_case(project: LetterProject, data: dict[str, Any]) -> ValidCase:
    """A probe as the renderer takes it: the registry's mandates on its date, no file behind it."""
    case = Case.model_validate(data)
    mandates = []
    for mandate_id in case.mandates:
        in_force, missing = project.registry.in_force(project.mandates[mandate_id], case.date)
        if in_force is None:
            raise RecognitionError("; ".join(missing))
        mandates.append(in_force)
    return ValidCase(
        path=Path(f"{case.ref.slug}.yaml"),
        case=case,
        mandates=mandates,
        signatories=[Signatory(name=mandate.holder.name, title=mandate.signature_title) for mandate in mandates],
        annexes=[project.annex(annex_id) for annex_id in case.annexes],
        kind_location=SourceLocation(Path(f"{case.ref.slug}.yaml")),
        recipient_label="",
    )


class RecognitionError(UserError):
    """The letter cannot be matched to any kind the templates know."""


def plain_texts(markdowns: list[str]) -> list[str]:
    """Markdown documents as pandoc's plain text, all in one pandoc run."""
    import pypandoc

    separated = "\n\n".join(f"{text}\n\n{_BLOCK_SEPARATOR.format(index)}" for index, text in enumerate(markdowns))
    plain = pypandoc.convert_text(separated, "plain", format="markdown", extra_args=["--wrap=none"])
    pieces = re.split(r"zqblockzq\d+zq", plain)
    return [piece.strip() for piece in pieces[: len(markdowns)]]


def block_patterns(
    project: LetterProject, base: dict[str, Any], probes: list[Probe], sentinels: Sentinels
) -> list[BlockPatterns]:
    """Each block of the probe's kind, as each probe prints it."""
    kind = Case.model_validate(base).kind
    kind_blocks: list[Block] | None = project.kinds.blocks(kind)
    if kind_blocks is None:
        raise RecognitionError(f"kinds.yaml has no {kind}")
    rendered: list[tuple[str, Probe, str]] = []
    for probe in probes:
        valid = probe_case(project, merged(base, probe.patch))
        applying = [block.block for block in kind_blocks if block.applies_to(valid.case)]
        try:
            texts = render_templates(valid, project, [f"blocks/{name}.md.j2" for name in applying])
        except CaseFileError:
            if probe.name == "base":
                raise
            continue  # a form with no wording on the letter's date (publication after 48 hours in 2019): no letter has it
        rendered.extend((name, probe, text) for name, text in zip(applying, texts, strict=True))
    plain = plain_texts([text for _, _, text in rendered])
    patterns: dict[str, BlockPatterns] = {
        block.block: BlockPatterns(block.block, block.when is not None, []) for block in kind_blocks
    }
    for (name, probe, _), text in zip(rendered, plain, strict=True):
        items = [item for item in sentinels.pattern(text) if item != "zqaddresszq"]
        variants = patterns[name].variants
        same = next((variant for variant in variants if variant.items == items), None)
        if same is None:
            variants.append(Variant(items, [probe]))
        else:
            same.probes.append(probe)
    return [patterns[block.block] for block in kind_blocks]


# --- the letter's reference, date and mandates --------------------------------------------------


@dataclass
class LetterHead:
    reference: Reference
    day: date
    mandates: list[str]


# As the reference block prints it: `Ref.: AL OTH 11/2023` (2023) or `REFERENCE: AL CHN 12/2019` (2019–2021).
_REFERENCE_IN_TEXT = re.compile(rf"(?:Ref\.?|REFERENCE):\s*({REFERENCE_TEXT})")


def letter_head(project: LetterProject, words: LetterWords) -> LetterHead:
    """Reference, date and mandates, which decide every other sentence's wording: the reference
    as the reference block prints it, the first date after it, and the mandates whose names (on
    that date) the text before the reference gives."""
    found = _REFERENCE_IN_TEXT.search(words.text)
    if found is None:
        raise RecognitionError("no reference such as 'Ref.: AL OTH 11/2023' in the letter")
    reference = Reference.parse(found.group(1))
    day_found = _LONG_DATE.search(words.text, found.end())
    day = parse_long_date(day_found.group()) if day_found else None
    if day is None:
        raise RecognitionError(f"no date such as '13 March 2023' after the reference {reference}")
    return LetterHead(reference, day, _mandates_named(project, words.text[: found.start()], day))


def parse_long_date(text: str) -> date | None:
    try:
        return datetime.strptime(" ".join(text.split()), "%d %B %Y").date()
    except ValueError:
        return None


def _mandates_named(project: LetterProject, header: str, day: date) -> list[str]:
    """Mandates whose names the header gives, in its order; of names that overlap, the longest."""
    header = " ".join(header.split())
    occurrences: list[tuple[int, int, str]] = []
    for mandate in project.mandates.values():
        names = {project.registry.name_on(mandate, day), mandate.name, *(former.name for former in mandate.former_names)}
        for name in names:
            for match in re.finditer(r"\bthe " + re.escape(name) + r"(?=;| and the |$)", header):
                occurrences.append((match.start(), match.end(), mandate.id))
    chosen: list[tuple[int, int, str]] = []
    for start, end, mandate_id in sorted(occurrences, key=lambda found: found[0] - found[1]):
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in chosen):
            chosen.append((start, end, mandate_id))
    return [mandate_id for _, _, mandate_id in sorted(chosen)]


def recognise(project: LetterProject, words: LetterWords, head: LetterHead) -> tuple[Recognition, dict[str, Any], Sentinels]:
    """The best match of the letter among the recipient kinds its reference allows."""
    recipients = ["company", "organization"] if head.reference.country == NON_STATE else ["state"]
    results = []
    for recipient in recipients:
        sentinels = Sentinels()
        base = _probe_base(str(head.reference), head.day, head.mandates, recipient, sentinels)
        probes = _probes(project, sentinels)
        patterns = block_patterns(project, base, probes, sentinels)
        results.append((match_blocks(words, patterns), base, sentinels))
    return min(results, key=lambda result: result[0].score)


__all__ = ["LetterWords", "Recognition", "RecognitionError", "letter_head", "recognise", "tokenize"]
