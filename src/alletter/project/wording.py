"""The boilerplate's shape and words, as data: which blocks make each kind of letter, and which
wording each sentence takes for the letter's speakers, recipient and date.

Two files in `templates/` hold them, so that adding a kind or rewording a sentence is an edit to
data, not to code:

- `kinds.yaml`: for each recipient (state, non-state) and type (AL, UA, OL), the blocks of the
  letter in order (each `templates/blocks/<name>.md.j2`), some used only `when` the case has
  something (a prior communication, facts, a closing paragraph it chose …);
- `phrases.yaml`: every sentence that changes with the number of mandate-holders (one speaks as
  "I", several as "we"), with the recipient or over time, each variant with the date its wording
  took effect, so a rebuilt old letter says what it said then; and the words that name the
  recipient ("your Excellency’s Government", "your company").

A sentence the data has no wording for (a singular form never published, a kind not yet
written) is an error naming what is missing, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .schema import Case, LetterKind, RecipientKind

Status = Literal["published", "approved", "draft"]
# The letter languages alletter writes: English in templates/phrases.yaml, each other language in
# templates/phrases.<language>.yaml and its mandate names in templates/names.<language>.yaml.
LANGUAGES = ("en", "fr", "es")
Language = Literal["en", "fr", "es"]

Condition = Literal["first", "follow-up", "replied", "not-replied", "facts", "related", "annex", "chosen"]

# When a block marked `when:` belongs in a letter (`chosen`: the case lists the block's name in
# closing_paragraphs).
CONDITIONS: dict[str, Callable[[Case, str], bool]] = {
    "first": lambda case, block: case.follow_up is None,
    "follow-up": lambda case, block: case.follow_up is not None,
    "replied": lambda case, block: case.follow_up is not None and case.follow_up.reply is not None,
    "not-replied": lambda case, block: case.follow_up is not None and case.follow_up.reply is None,
    "facts": lambda case, block: bool(case.facts),
    "related": lambda case, block: bool(case.related),
    "annex": lambda case, block: bool(case.annexes) or case.annex is not None,
    "chosen": lambda case, block: block in case.closing_paragraphs,
}
# Conditions one of which every case meets: a letter of a kind with a block under each has one
# of those blocks (a first letter's opening, or a follow-up's), whatever its words.
ONE_OF: list[frozenset[str]] = [frozenset({"first", "follow-up"})]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Block(_Data):
    """One block of a kind's sequence: a template in templates/blocks/, maybe used only `when`."""

    block: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    when: Condition | None = None

    def applies_to(self, case: Case) -> bool:
        return self.when is None or CONDITIONS[self.when](case, self.block)


def _blocks(entries: list[str | Block]) -> list[Block]:
    return [Block(block=entry) if isinstance(entry, str) else entry for entry in entries]


class Kinds(_Data):
    """templates/kinds.yaml: the blocks of each kind, by recipient and type."""

    state: dict[Literal["AL", "UA", "OL"], list[str | Block]] = {}
    non_state: dict[Literal["AL", "UA", "OL"], list[str | Block]] = Field({}, alias="non-state")

    def blocks(self, kind: LetterKind) -> list[Block] | None:
        """The kind's blocks in order, or None when the kind has none: it cannot be written yet."""
        table = self.state if kind.recipient == "state" else self.non_state
        entries = table.get(kind.letter_type)  # type: ignore[call-overload]
        return None if entries is None else _blocks(entries)


class Variant(_Data):
    """One wording of a sentence: for one speaker, several, or both (`text`); for one kind of
    recipient or any; from a date on (`since`) or always; or a named form a letter chooses."""

    since: date | None = None
    goes_with: list[str] = Field(
        [],
        description="Of a named form: the other sentences whose form of the same name a letter choosing it "
        "chooses too (a published sentence the boilerplate splits in two)",
    )
    form: str | None = Field(
        None,
        pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
        description="A named form, published alongside the usual wording in letters of the same dates: printed "
        "only by a letter that chooses it (`forms: {phrase: name}` in the case), never by its date alone",
    )
    recipient: Literal["state", "non-state"] | None = None
    text: str | None = None
    one: str | None = None
    many: str | None = None
    source: str | None = None
    status: Status = Field(
        "published",
        description="published: as a published letter prints it (source: reference, date, address); approved: "
        "confirmed by the office (approved_by, approved_on, source: against what); draft: a translation of the "
        "English wording not yet checked (source says so)",
    )
    approved_by: str | None = None
    approved_on: date | None = None
    approved_against: str | None = Field(None, description="what the office checked the wording against")
    english_only: bool = Field(
        False,
        description="A choice between forms of English letters (`mandate-list`): the other languages' "
        "sentences word it themselves, so their phrasebooks need no translation of it",
    )
    unknown: str | None = Field(
        None,
        description="From `since` on, no published letter shows the wording: why, and what a letter of those "
        "dates must say for itself (its own `wording:`); the sentence is refused, never guessed",
    )

    @model_validator(mode="after")
    def _has_words(self) -> Variant:
        if self.text is None and self.one is None and self.many is None and self.unknown is None:
            raise ValueError("a wording needs `text`, or `one` and/or `many` (or `unknown`: why there is none)")
        if self.status == "approved" and None in (self.approved_by, self.approved_on, self.approved_against):
            raise ValueError(
                "an approved wording needs `approved_by`, `approved_on` and `approved_against` (alletter wording approve records them)"
            )
        return self

    def words(self, speakers: int) -> str | None:
        return self.text if self.text is not None else (self.one if speakers == 1 else self.many)


class Addressee(_Data):
    """How the boilerplate names a kind of recipient."""

    salutation: str | None = None
    closing_name: str | None = None
    you: str = Field(description="as in 'any response received from …'")
    your: str = Field(description="as in 'addressed to …', 'in contact with …'")
    attention: str = Field(description="as in 'bring to … information'")
    status: Status = "published"
    source: str | None = None


class Article(_Data):
    """The article a name takes in the header ("du", "de la", "del"): the first whose prefix the name starts with."""

    prefix: str = ""
    article: str


class QuoteMarks(_Data):
    """The marks a straight quote typed in a case becomes: opening and closing, double and single
    (the closing single mark is the apostrophe too)."""

    double: tuple[str, str]
    single: tuple[str, str]


class Typography(_Data):
    """How the language's letters set the text typed in a case (the renderer's, over the whole
    letter): its quotation marks, and where a line never breaks."""

    quotes: QuoteMarks | None = Field(default=None, description="none: straight quotes stay as typed")
    no_break_after: list[str] = Field(default=[], description="words a line never breaks after: honorifics ('Ms.', 'Dr.')")
    no_break_before_number: list[str] = Field(
        default=[], description="words a line never breaks between and the number after them ('guiding principle 13')"
    )


class SpeakerForms(_Data):
    """How an inclusive ending agreeing with the one speaker ("reconnaissant(e)") is printed once
    the registry says whether the holder is a man or a woman."""

    male: str
    female: str


class Phrasebook(_Data):
    """templates/phrases.yaml (English) or phrases.<language>.yaml: every sentence's wordings, how
    each recipient is named, and what the language's letters need besides (its locale for dates and
    document properties, the marks of a draft, the header's articles, the feminine titles, its typography)."""

    phrases: dict[str, list[Variant]]
    recipients: dict[RecipientKind, Addressee]
    locale: str = Field("en-GB", pattern=r"^[a-z]{2}-[A-Z]{2}$")
    draft_line: str | None = Field(None, description="the PDF's running line on every page of a letter using draft wording")
    draft_comment: str | None = Field(
        None, description="the DOCX comment on each paragraph using draft wording; {phrase} is its name"
    )
    header_articles: list[Article] = [Article(article="the ")]
    feminine_titles: dict[str, str] = Field({}, description="a masculine title's start → its feminine form")
    speaker_agreement: dict[str, SpeakerForms] = Field(
        {},
        description="a one-mandate sentence's inclusive ending ('(e)', 'o(a)') → what it becomes for a man and for a woman",
    )
    date_format: str | None = Field(None, description="a Babel date pattern; none: English, '13 March 2023'")
    first_day: str | None = Field(None, description="how the first of a month is written ('1er'), where not '1'")
    typography: Typography = Typography()
    file: str = Field("templates/phrases.yaml", exclude=True, description="set by the loader: where it was read")

    @property
    def language(self) -> str:
        """The letter language it words ("en", "fr", "es"), from its locale."""
        return self.locale.partition("-")[0]

    def article(self, name: str) -> str:
        """The header's article before a mandate's name."""
        return next(entry.article for entry in self.header_articles if name.startswith(entry.prefix))

    def agreeing(self, words: str, gender: Literal["male", "female"] | None) -> str:
        """A one-mandate wording with its inclusive endings agreeing with the holder who speaks:
        "je vous serais reconnaissant(e)" → "reconnaissante" for a woman. Where the registry has no
        gender (or someone else signs), the inclusive form stays, as the phrasebook writes it."""
        if gender is None:
            return words
        for ending in sorted(self.speaker_agreement, key=len, reverse=True):
            words = words.replace(ending, getattr(self.speaker_agreement[ending], gender))
        return words


class MandateName(_Data):
    """A mandate's name in one language (templates/names.<language>.yaml), with where it is printed."""

    name: str | None = Field(None, description="the post's title; none where only the feminine form is printed")
    feminine: str | None = Field(None, description="the name as it is used of a woman holder, where a source prints it")
    source: str | None = Field(None, description="where the name is printed; none: a draft name, marked in the letter")
    feminine_source: str | None = None


class SignatureTitle(_Data):
    """A holder's own signature title (mandates.yaml's `title`, "Chair-Rapporteur of the Working
    Group on …") in one language; a draft translation is marked in the letter as a draft name is."""

    name: str = Field(
        description="the title under a man's signature, or one with no gender; a woman's is made by feminine_titles"
    )
    status: Literal["published", "draft"]
    source: str = Field(description="where it is printed; for a draft, what it translates")


class MandateNames(_Data):
    """templates/names.<language>.yaml: mandate names by id, and the holders' signature titles by
    their English wording (as mandates.yaml records them)."""

    names: dict[str, MandateName]
    titles: dict[str, SignatureTitle] = {}


class MissingWording(Exception):
    """The phrasebook has no wording for a sentence this letter needs.

    `unknown_since` is the first day of a window no published letter shows the sentence in (an
    `unknown:` wording): the letter's date is then what makes it missing, and the office, which
    holds the letters of those dates, can record the wording from them with one command."""

    def __init__(
        self,
        phrase: str,
        need: str,
        file: str = "templates/phrases.yaml",
        unknown_since: date | None = None,
        language: str = "en",
    ) -> None:
        self.phrase, self.need, self.file, self.unknown_since = phrase, need, file, unknown_since
        record = (
            f"; or record the wording the office's own letters of that date print: alletter wording record {phrase}"
            f'{f" --language {language}" if language != "en" else ""} --since DATE --text "…" --against LETTER'
            if unknown_since is not None
            else ""
        )
        super().__init__(
            f"{file} has no wording of `{phrase}` for {need}; add it there, from a published letter, "
            f'or give this letter\'s own in the case as `wording: {{{phrase}: "…"}}`{record}'
        )


@dataclass(frozen=True)
class LetterVoice:
    """What selects a sentence's wording: how many speak, to whom, on what date."""

    speakers: int
    recipient: Literal["state", "non-state"]
    on: date

    def describe(self) -> str:
        who = "one mandate (I)" if self.speakers == 1 else "several mandates (we)"
        to = "a State" if self.recipient == "state" else "a non-State actor"
        return f"a letter from {who} to {to} dated {self.on}"


def choose_wording(phrasebook: Phrasebook, phrase: str, voice: LetterVoice) -> str:
    """The words of `choose_variant`."""
    return choose_variant(phrasebook, phrase, voice)[1]


def named_forms(phrasebook: Phrasebook) -> dict[str, list[str]]:
    """Each sentence's named forms (`form:`), the choices a case's `forms:` may make."""
    forms: dict[str, list[str]] = {}
    for phrase, variants in phrasebook.phrases.items():
        for variant in variants:
            if variant.form is not None and variant.form not in forms.setdefault(phrase, []):
                forms[phrase].append(variant.form)
    return forms


def form_group(phrasebook: Phrasebook, phrase: str, form: str) -> dict[str, str]:
    """The sentences a letter choosing `form` of `phrase` prints in that form: it, and those its
    variants go with, so that one published sentence is never printed half in one form."""
    group = {phrase: form}
    for variant in phrasebook.phrases.get(phrase, []):
        if variant.form == form:
            group.update(dict.fromkeys(variant.goes_with, form))
    return group


def choose_variant(phrasebook: Phrasebook, phrase: str, voice: LetterVoice, form: str | None = None) -> tuple[Variant, str]:
    """The wording in force on the letter's date for its speakers and recipient.

    Of the variants for this recipient (or any), the latest that took effect on or before the
    letter's date; a recipient's own variant is preferred to a general one of the same date. Only
    the variants of the named `form` the letter chose compete, or, if it chose none, the usual ones:
    two forms published side by side are a drafter's choice, which no date can make.
    """
    variants = phrasebook.phrases.get(phrase)
    if variants is None:
        translated = phrasebook.file != "templates/phrases.yaml"
        need = (
            "any letter (not translated yet: add its translation, `status: draft`)"
            if translated
            else "any letter (no such phrase)"
        )
        raise MissingWording(phrase, need, phrasebook.file)
    candidates = [
        variant
        for variant in variants
        if variant.form == form
        and variant.recipient in (None, voice.recipient)
        and (variant.since is None or variant.since <= voice.on)
    ]

    def rank(variant: Variant) -> tuple[date, bool]:
        return variant.since or date.min, variant.recipient is not None

    candidates.sort(key=rank, reverse=True)
    if candidates and candidates[0].unknown is not None:
        raise MissingWording(
            phrase,
            f"{voice.describe()}: {candidates[0].unknown}",
            phrasebook.file,
            unknown_since=candidates[0].since or date.min,
            language=phrasebook.language,
        )
    # Of the wordings in force (one date, one recipient), the one for these speakers: a language may
    # give its one-mandate and several-mandate wordings apart, each with its own status.
    in_force = [variant for variant in candidates if rank(variant) == rank(candidates[0])]
    for variant in in_force:
        words = variant.words(voice.speakers)
        if words is not None:
            return variant, words
    raise MissingWording(phrase, voice.describe() + (f" in the form `{form}`" if form else ""), phrasebook.file)


def letter_blocks(kinds: Kinds, case: Case) -> list[str] | None:
    """The names of the blocks this case's letter is made of, in order; None for a kind not in kinds.yaml."""
    blocks = kinds.blocks(case.kind)
    return None if blocks is None else [block.block for block in blocks if block.applies_to(case)]
