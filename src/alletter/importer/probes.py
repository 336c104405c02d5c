"""Import, stage 2a — the probes: the templates rendered for cases whose own words are sentinels.

A *probe* is a case whose own fields are sentinel words ("zqslot3zq") and whose dates and
references are impossible ones. For the letter's kind, each block of kinds.yaml is rendered for
the base probe and once more for each probe that varies one choice (a follow-up with or without a
reply, the publication after 48 hours, the questions without the standard one, …). Rendered to
plain text by pandoc, each block becomes a pattern: literal words, and slots where a sentinel
stood. Nothing here knows a sentence of the boilerplate: the templates say what it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import CaseFileError, RecognitionError, SourceLocation
from ..letter.render import MANDATE_LIST_PHRASE, date_in, render_templates, wordings_on
from ..letter.validate import ValidCase, mandate_in_force
from ..project.letter_project import DEFAULT_LANGUAGE, LetterProject
from ..project.registry import MandateInForce
from ..project.schema import Case, Holder, Signatory
from ..project.wording import Block, LetterVoice, MissingWording, Phrasebook, choose_wording, form_group, named_forms
from .words import merged, plain_texts, tokenize

_PROBE_REFERENCE = "JAL QQQ 9999/1999"  # a reference no letter has: where it prints is a slot
_PROBE_RELATED = "AL OTH 9999/1999"  # a related letter to a non-State actor, so that its name prints
PROBE_DATES = [date(1901, 1, 1), date(1902, 2, 2)]  # dates no letter has: where they print is a slot
_PROBE_STATE = "AFG"  # a State whose name marks where a list of replying Governments prints
CLOSING_BLOCKS = ["engagement-offer", "technical-support", "press-release"]


@dataclass(frozen=True)
class Slot:
    """Where a case's own value prints in a block: the field (dotted path) it stands for."""

    field: str


Item = str | Slot


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
    known: list[Item] | None = None  # a letter's own wording: the pattern of the known wording it replaces

    @property
    def literal_count(self) -> int:
        return sum(1 for item in self.items if isinstance(item, str))


@dataclass
class BlockPatterns:
    """A block of the letter's kind, whether kinds.yaml makes it optional, and each way it prints."""

    name: str
    optional: bool
    variants: list[Variant]
    when: str | None = None  # the kinds.yaml condition the block prints under


def _probe_base(
    reference: str, day: date, mandates: list[str], recipient: str, language: str, sentinels: Sentinels
) -> dict[str, Any]:
    """The probe case, in the letter's language: every field the case owns is a sentinel, every
    optional block is on. (An English letter names no language: a case that names none is English.)"""
    word = sentinels.word
    person: dict[str, Any] = {"kind": recipient, "address": ["zqaddresszq"]}
    if recipient != "state":
        person |= {"name": word("recipient.name"), "salutation": word("recipient.salutation")}
    return {
        "reference": reference,
        "date": day,
        **({} if language == DEFAULT_LANGUAGE else {"language": language}),
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


def _joinings(book: Phrasebook) -> list[tuple[str, dict[str, Any]]]:
    """The ways a letter of the phrasebook's language may join its last mandate: as its header
    says, and — English letters only (`mandate-list`) — after a semicolon too."""
    semicolon = (", last mandate after a semicolon", {"mandate_list": "semicolon-and"})
    return [("", {}), semicolon] if MANDATE_LIST_PHRASE in book.phrases else [("", {})]


def _form_probes(book: Phrasebook) -> list[Probe]:
    """Each named form of the phrasebook, with the sentences it goes with (one probe for them
    all), joining the last mandate each way (a form of the honour sentence lists the mandates too)."""
    groups: dict[tuple[tuple[str, str], ...], str] = {}
    for phrase, forms in named_forms(book).items():
        for form in forms:
            group = tuple(sorted(form_group(book, phrase, form).items()))
            groups.setdefault(group, f"{phrase} in the form {form}")
    return [
        Probe(f"{name}{named}", {"forms": dict(group), **joined})
        for group, name in groups.items()
        for named, joined in _joinings(book)
    ]


def _probes(project: LetterProject, book: Phrasebook, sentinels: Sentinels) -> list[Probe]:
    probes = [
        Probe("base", {}),
        Probe("no standard question", {"standard_question": False}),
        Probe("follow-up questions", {"questions_intro": "follow-up"}),
        Probe("publication after 48 hours", {"publication": "after-48-hours"}),
        *(Probe("last mandate after a semicolon", joined) for _, joined in _joinings(book)[1:]),
        *_follow_up_probes(sentinels),
        *_form_probes(book),
    ]
    for annex_id in project.annex_ids():
        probes.append(Probe(f"annex {annex_id}", {"annexes": [annex_id]}))
        probes.append(Probe(f"annex {annex_id} alone", {"annex": None, "annexes": [annex_id]}))
    sentinels.printed(_PROBE_REFERENCE, "follow_up.reference")
    sentinels.printed(date_in(PROBE_DATES[0], book), "follow_up.date")
    sentinels.printed(date_in(PROBE_DATES[1], book), "follow_up.reply.date")
    sentinels.printed(project.states[_PROBE_STATE].en, "follow_up.other_replies.governments")
    return probes


def probe_case(project: LetterProject, data: dict[str, Any]) -> ValidCase:
    """A probe as the renderer takes it: the registry's mandates on its date (or the resolution
    the probe cites for one, as `check` gives a case's `resolutions:`), no file behind it."""
    case = Case.model_validate(data)
    mandates = []
    for mandate_id in case.mandates:
        mandates.append(_probed_mandate(project, case, mandate_id))
    return ValidCase(
        path=Path(f"{case.ref.slug}.yaml"),
        case=case,
        mandates=mandates,
        signatories=[Signatory(name=mandate.holder.name, title=mandate.signature_title) for mandate in mandates],
        annexes=[project.annex(annex_id) for annex_id in case.annexes],
        kind_location=SourceLocation(Path(f"{case.ref.slug}.yaml")),
        recipient_label="",
    )


# Where the registry does not know the number a letter of its date cites (a renewal known by its
# date only), the probes print this instead: no letter prints it, so the sentence is read with its
# resolutions as slots, and the case gets the number the letter cites (`resolutions:`), as `check` takes it.
_UNKNOWN_RESOLUTION = "0/0"
ONE_DAY = timedelta(days=1)


def _probed_mandate(project: LetterProject, case: Case, mandate_id: str) -> MandateInForce:
    """The mandate on the probe's date as `check` takes it: the registry's, or the signatory and
    resolution the case gives where the registry has none."""
    mandate = project.mandates[mandate_id]
    in_force, missing = project.registry.in_force(mandate, case.date)
    cited, signed = case.resolutions.get(mandate_id), case.signed_by.get(mandate_id)
    if in_force is not None and signed is None:  # the registry's, as most probes take it: computed once
        return replace(in_force, resolution=cited or in_force.resolution)
    known = project.registry.on(mandate, case.date)
    if not project.registry.exists_on(mandate, case.date) or (known.holder is None and signed is None):
        raise RecognitionError("; ".join(missing))
    return mandate_in_force(project, mandate_id, case.date, signed, cited or known.resolution or _UNKNOWN_RESOLUTION)


def _unsigned(project: LetterProject, day: date, mandates: list[str], language: str, sentinels: Sentinels) -> dict[str, Any]:
    """`signed_by` for the mandates the registry knows no holder of on `day`: the name a sentinel,
    so that the letter's signature block says who signed (a Working Group's chair between two
    sightings), as the case's `signed_by` gives it to `check`. The title under it is the one the
    mandate's nearest holder in the registry signs with (a Working Group's "Chair-Rapporteur of …",
    which another language's letter prints as its names file words it): a literal, which parts the
    name from the title (two slots side by side could not be told apart), and is the case's only
    when the letter prints it."""
    signed: dict[str, Any] = {}
    for mandate_id in mandates:
        mandate = project.mandates.get(mandate_id)
        if mandate is None or not project.registry.exists_on(mandate, day):
            continue
        if project.registry.on(mandate, day).holder is not None:
            continue
        titled = [(holder, _first_seen(holder)) for holder in mandate.holders if holder.title]
        nearest = min(titled, key=lambda pair: abs((pair[1] or date.min) - day), default=(None, None))[0]
        title = nearest.title if nearest is not None else None
        if title is not None and language != DEFAULT_LANGUAGE and title not in project.names_for(language).titles:
            title = None  # another language prints a title as its names file words it
        signed[mandate_id] = {"name": sentinels.word(f"signed_by.{mandate_id}.name"), **({"title": title} if title else {})}
    return signed


def _first_seen(holder: Holder) -> date | None:
    """The first day a source shows the holder in office: their term's, or their first sighting's."""
    return holder.first_certain_day or min(holder.seen, default=None)


def block_patterns(
    project: LetterProject, base: dict[str, Any], probes: list[Probe], sentinels: Sentinels, only: str | None = None
) -> list[BlockPatterns]:
    """Each block of the probe's kind (or the one named `only`), as each probe prints it."""
    kind = Case.model_validate(base).kind
    kind_blocks: list[Block] | None = project.kinds.blocks(kind)
    if kind_blocks is None:
        raise RecognitionError(f"kinds.yaml has no {kind}")
    rendered: list[tuple[str, Probe, str]] = []
    for probe in probes:
        valid = probe_case(project, merged(base, probe.patch))
        applying = [block.block for block in kind_blocks if block.applies_to(valid.case) and only in (None, block.block)]
        try:
            texts = render_templates(valid, project, [f"blocks/{name}.md.j2" for name in applying])
        except CaseFileError:
            if probe.name == "base":
                raise
            continue  # a form with no wording on the letter's date (publication after 48 hours in 2019): no letter has it
        rendered.extend((name, probe, text) for name, text in zip(applying, texts, strict=True))
    plain = plain_texts([text for _, _, text in rendered])
    patterns: dict[str, BlockPatterns] = {
        block.block: BlockPatterns(block.block, block.when is not None, [], block.when) for block in kind_blocks
    }
    for (name, probe, _), text in zip(rendered, plain, strict=True):
        items = [item for item in sentinels.pattern(text) if item != "zqaddresszq"]
        variants = patterns[name].variants
        same = next((variant for variant in variants if variant.items == items), None)
        if same is None:
            variants.append(Variant(items, [probe]))
        else:
            same.probes.append(probe)
    return [patterns[block.block] for block in kind_blocks if only in (None, block.block)]


@dataclass(frozen=True)
class Probing:
    """The probes for one reading of a letter (its reference, date, mandates and recipient's
    kind): the base probe's data, the sentinels standing in it, and its kind's blocks as they print."""

    base: dict[str, Any]
    sentinels: Sentinels
    patterns: list[BlockPatterns]


def probing(
    project: LetterProject, reference: str, day: date, mandates: list[str], recipient: str, language: str = DEFAULT_LANGUAGE
) -> Probing:
    """Every block of the letter's kind as each probe prints it, for a letter to a `recipient`
    in `language` (its phrasebook's sentences, its dates)."""
    sentinels = Sentinels()
    base = _probe_base(reference, day, mandates, recipient, language, sentinels)
    unsigned = _unsigned(project, day, mandates, language, sentinels)
    if unsigned:
        base["signed_by"] = unsigned
    unknown = _unknown_phrases(project, base)
    if unknown:
        base["wording"] = {phrase: sentinels.word(f"wording.{phrase}") for phrase in unknown}
    probes = _probes(project, project.phrasebook_for(language), sentinels)
    probes += _worded_as_on(project, base, unknown)
    return Probing(base, sentinels, block_patterns(project, base, probes, sentinels))


def phrasebook_of(project: LetterProject, base: dict[str, Any]) -> Phrasebook:
    """The phrasebook of a probe's (or an imported case's) language."""
    return project.phrasebook_for(base.get("language") or project.default_language())


def _voice_of(project: LetterProject, base: dict[str, Any]) -> tuple[Case, LetterVoice, Phrasebook]:
    """A probe's case, the voice its sentences are chosen for, and its language's phrasebook."""
    case = Case.model_validate(base)
    return case, LetterVoice(len(case.mandates), case.kind.recipient, case.date), phrasebook_of(project, base)


def _silent_phrases(project: LetterProject, base: dict[str, Any]) -> set[str]:
    """The sentences the letter's kind says in no words (a letter to a company has no standard
    question): not offered as the letter's own, or a sentence of the case's own (its first
    question) would be read as boilerplate the drafter added."""
    _, voice, book = _voice_of(project, base)
    silent = set()
    for name in book.phrases:
        try:
            if not choose_wording(book, name, voice).strip():
                silent.add(name)
        except MissingWording:
            continue
    return silent


def _unknown_phrases(project: LetterProject, base: dict[str, Any]) -> dict[str, tuple[date, date | None]]:
    """The sentences no published letter of the probe's date shows (`unknown:` windows, such as
    the reference block of 2021–2022), each with the days its window starts and the next wording
    takes effect (None: none does). The letter read says them in its own words: they are slots,
    and the case gets them as its own wording (`wording:`), as `check` asks of such a letter."""
    case, voice, book = _voice_of(project, base)
    unknown = {}
    for name, variants in book.phrases.items():
        try:
            choose_wording(book, name, voice)
        except MissingWording as error:
            if error.unknown_since is None:
                continue
            later = [
                variant.since
                for variant in variants
                if variant.form is None
                and variant.recipient in (None, voice.recipient)
                and variant.since is not None
                and variant.since > case.date
            ]
            unknown[name] = (error.unknown_since, min(later, default=None))
    return unknown


def _worded_as_on(project: LetterProject, base: dict[str, Any], unknown: dict[str, tuple[date, date | None]]) -> list[Probe]:
    """Probes that word the letter's unknown sentences as letters did on the day before their
    window and on the day the next wording took effect: a letter of the window that prints one
    of those is read into its own wording sentence by sentence (the reference line apart from the
    reminder under it, which two slots side by side could not tell apart)."""
    days = sorted(
        {start - ONE_DAY for start, _ in unknown.values() if start > date.min} | {end for _, end in unknown.values() if end}
    )
    if not days:
        return []
    valid = probe_case(project, base)
    probes = []
    for day in days:
        worded = wordings_on(valid, project, dict.fromkeys(unknown, day))
        texts = plain_texts(list(worded.values()))
        probes.append(Probe(f"worded as on {day}", {"wording": dict(zip(worded, texts, strict=True))}))
    return probes


# --- a letter's own wording: the variants of a block no known wording of which the letter prints ---

_OWN_RESOLUTION = "999{}/1"  # a resolution no mandate has: where the probe's prints is a slot


def own_variants(project: LetterProject, probe: Probing) -> Callable[[BlockPatterns], list[Variant]]:
    """For each block of the probe's letter, the block as it prints when one of its sentences is
    the letter's own (`wording:`), or its mandates cite resolutions other than the ones in force
    (`resolutions:`): each such sentence, and each resolution, a slot. The sentences a sentinel may
    stand for are the probe's, the same for every block: learnt once."""
    silent = _silent_phrases(project, probe.base)
    phrases = {
        name: probe.sentinels.word(f"wording.{name}") for name in phrasebook_of(project, probe.base).phrases if name not in silent
    }
    resolutions = {mandate: _OWN_RESOLUTION.format(number) for number, mandate in enumerate(probe.base["mandates"])}
    for mandate, printed in resolutions.items():
        probe.sentinels.printed(printed, f"resolutions.{mandate}")
    return partial(_own_variants_of, project, probe, phrases, resolutions)


def _own_variants_of(
    project: LetterProject, probe: Probing, phrases: dict[str, str], resolutions: dict[str, str], block: BlockPatterns
) -> list[Variant]:
    """`block`'s own variants (`own_variants`). Which sentences a block says is learnt by rendering
    it with every sentence of the phrasebook a sentinel; a sentence said more than once (in a
    loop) is not offered."""
    sentinels = probe.sentinels
    known_by_shape = {variant.probes[0].name: variant.items for variant in reversed(block.variants)}
    shapes = list({first.name: first for first in (variant.probes[0] for variant in block.variants)}.values())
    everything = [Probe(f"{shape.name}, own wording", merged(shape.patch, {"wording": phrases})) for shape in shapes]
    said: dict[str, list[str]] = {}  # by shape, the sentences it says once, in the order it says them
    for found in block_patterns(project, probe.base, everything, sentinels, block.name):
        for variant in found.variants:
            once = [
                item.field.removeprefix("wording.")
                for item in variant.items
                if isinstance(item, Slot) and item.field.startswith("wording.")
            ]
            for rendered in variant.probes:
                said[rendered.name.removesuffix(", own wording")] = [name for name in once if once.count(name) == 1]
    every = sorted({name for names in said.values() for name in names})
    own: dict[str, tuple[Probe, list[Item]]] = {}
    for shape in shapes:
        # Each sentence alone, and each run of two or more the shape says side by side (a drafter
        # rewrote them all: the follow-up paragraph's three sentences).
        order = said.get(shape.name, [])
        runs = [order[first:last] for first in range(len(order)) for last in range(first + 2, len(order) + 1)]
        patches = [{"wording": {name: phrases[name]}} for name in every]
        patches += [{"wording": {name: phrases[name] for name in run}} for run in runs]
        patches.append({"resolutions": resolutions})
        for patch in patches:
            variation = Probe(f"{shape.name}, own {', '.join(*patch.values())}", merged(shape.patch, patch))
            own[variation.name] = (variation, known_by_shape[shape.name])
    [patterns] = block_patterns(project, probe.base, [variation for variation, _ in own.values()], sentinels, block.name)
    known = [variant.items for variant in block.variants]
    new = [variant for variant in patterns.variants if variant.items not in known]
    for variant in new:
        variant.known = own[variant.probes[0].name][1]
    return new


__all__ = [
    "CLOSING_BLOCKS",
    "BlockPatterns",
    "Item",
    "Probe",
    "Probing",
    "Sentinels",
    "Slot",
    "Variant",
    "own_variants",
    "phrasebook_of",
    "probe_case",
    "probing",
]
