"""Stage 2a — the schema: what a case file and the mandate registry may contain.

The pydantic models are the single definition of a case file: validation, the messages a user
sees, and the JSON Schema editors use are all generated from them. Rules that need more than one
file (the registry, the templates, the letter's date) live in `validate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

REFERENCE_TEXT = r"(AL|UA|OL|JAL|JUA|JOL) ([A-Z]{3}) ([1-9][0-9]{0,3})/((?:19|20)[0-9]{2})"
REFERENCE_PATTERN = f"^{REFERENCE_TEXT}$"
URL_PATTERN = r"^https?://[^\s<>\"\\]+$"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Private-use characters mean nothing outside one font (and alletter uses some internally).
_PRIVATE_USE_CHARACTERS = re.compile(r"[\ue000-\uf8ff\U000f0000-\U0010ffff]")


def _refuse_control_characters(text: str) -> str:
    found = _CONTROL_CHARACTERS.search(text)
    if found:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X}; remove it")
    found = _PRIVATE_USE_CHARACTERS.search(text)
    if found:
        raise ValueError(
            f"contains the private-use character U+{ord(found.group()):04X}, which has no agreed meaning or glyph; remove it"
        )
    return text


def _single_line(text: str) -> str:
    if "\n" in text.strip():
        raise ValueError("must be a single line")
    return text.strip()


MAX_TEXT_CHARACTERS = 10_000
MAX_LINE_CHARACTERS = 300

Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARACTERS), AfterValidator(_refuse_control_characters)]
"""Narrative text: a paragraph, with the small Markdown subset that `render` allows."""

OwnWording = Annotated[str, Field(max_length=MAX_TEXT_CHARACTERS), AfterValidator(_refuse_control_characters)]
"""A letter's own wording of a boilerplate sentence: narrative text, or none at all (`""`) for a
letter that leaves the sentence out, as the phrasebook's own empty wordings do (a non-State
letter's standard question): a published letter may omit any sentence its kind usually says."""

Line = Annotated[
    str,
    Field(min_length=1, max_length=MAX_LINE_CHARACTERS),
    AfterValidator(_refuse_control_characters),
    AfterValidator(_single_line),
]
"""A name, title or salutation: one line, always printed literally."""

ReferenceText = Annotated[str, Field(pattern=REFERENCE_PATTERN, examples=["AL OTH 11/2023"])]
Url = Annotated[
    str, Field(pattern=URL_PATTERN, examples=["https://spcommreports.ohchr.org/"]), AfterValidator(_refuse_control_characters)
]
MANDATE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MandateId = Annotated[str, Field(pattern=MANDATE_ID_PATTERN)]

FOOTNOTE_MARK = r"\[\^([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)\]"  # `[^1]`, `[^dmitriev-trial]` in a narrative field
FootnoteLabel = Annotated[str, Field(pattern=r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$", examples=["1"])]
PhraseName = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", examples=["bring-to-attention"])]
RESOLUTION_NUMBER_PATTERN = r"^([0-9]+/[0-9]+( [A-Z])?|S-[0-9]+/[0-9]+|[0-9]+ \([A-Z]+\))$"
ResolutionNumber = Annotated[str, Field(pattern=RESOLUTION_NUMBER_PATTERN, examples=["34/18"])]
ClosingParagraph = Literal["engagement-offer", "technical-support", "press-release"]
RecipientKind = Literal["state", "company", "organization"]
"""Who a letter goes to: a State (its Government, reference country its ISO code) or a non-State
actor (reference country OTH): a company, or any other organisation (international or other
organisations, armed groups, de facto authorities)."""
NON_STATE = "OTH"
# The older joint references (JAL, JUA, JOL) are letters of the same kinds as AL, UA, OL.
LETTER_TYPES = {"AL": "AL", "UA": "UA", "OL": "OL", "JAL": "AL", "JUA": "UA", "JOL": "OL"}


@dataclass(frozen=True)
class Reference:
    """A communication's reference, `AL OTH 11/2023`: type, country code (or OTH), number/year."""

    kind: str
    country: str
    number: int
    year: int

    @classmethod
    def parse(cls, text: str) -> Reference:
        match = re.match(REFERENCE_PATTERN, text)
        if match is None:
            raise ValueError(f"{text!r} is not a reference such as 'AL OTH 11/2023'")
        kind, country, number, year = match.groups()
        return cls(kind, country, int(number), int(year))

    @property
    def letter_type(self) -> str:
        """AL, UA or OL: what the letter is, whatever form of reference it has."""
        return LETTER_TYPES[self.kind]

    @property
    def slug(self) -> str:
        """The name its files carry: `AL-OTH-11-2023`."""
        return f"{self.kind}-{self.country}-{self.number}-{self.year}"

    def __str__(self) -> str:
        return f"{self.kind} {self.country} {self.number}/{self.year}"


class StrictModel(BaseModel):
    """Unknown keys are mistakes (usually misspellings), never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Party(StrictModel):
    """A Government or other party named in the letter, linked to its reply where published."""

    name: Line
    link: Url | None = None


class GovernmentReply(StrictModel):
    """A State's Government that replied, named by its ISO 3166 alpha-3 code: the letter prints
    the State's UN name (states.yaml)."""

    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["CHN"])]
    link: Url | None = None


class OtherReplies(StrictModel):
    """Replies that others (Governments, companies) sent to the prior communication."""

    governments: list[GovernmentReply] = []
    others: list[Party] = []


class Reply(StrictModel):
    """The recipient's reply to the prior communication."""

    date: date
    link: Url | None = None


class FollowUp(StrictModel):
    """The prior communication this letter follows up, and what came of it."""

    reference: ReferenceText
    date: date
    link: Url | None = None
    subject: Text = Field(
        description="What the prior letter was about, continuing 'addressed to your company …' "
        "(or 'your Excellency’s Government', 'your organization')"
    )
    reply: Reply | None = Field(None, description="The recipient's reply; leave out when none was received")
    concern: Text | None = Field(
        None, description="When no reply came: the concern reiterated, continuing 'we respectfully reiterate our concern that …'"
    )
    other_replies: OtherReplies = OtherReplies()


class Recipient(StrictModel):
    """Who the letter is addressed to. A State is addressed as its Government ("Excellency,"), so
    its name and salutation come from the templates; a non-State actor's are the case's own."""

    kind: RecipientKind = Field(
        description="state (a Government; the reference's country is its ISO code), "
        "company or organization (non-State actors; the reference's country is OTH)"
    )
    name: Line | None = Field(None, description="Non-State actors: as in 'Please accept, Ms. Pappas, …'")
    salutation: Line | None = Field(
        None, description="Non-State actors: the opening line exactly as published, e.g. 'Dear Ms. Pappas,'"
    )
    address: list[Line] = Field(min_length=1, description="The address block printed at the foot of page 1, one line per item")

    @property
    def is_state(self) -> bool:
        return self.kind == "state"


class RelatedLetter(StrictModel):
    """A communication on the same subject sent at the same time to another recipient."""

    reference: ReferenceText
    name: Line | None = Field(None, description="A non-State recipient's name (OTH references); a State's comes from states.yaml")
    link: Url | None = None


class CaseAnnex(StrictModel):
    """The case's own legal annex ("Reference to international human rights law")."""

    standards: list[MandateId] = Field([], description="Standard paragraphs by id: files annexes/law/<id>.md.j2")
    paragraphs: list[Text] = Field([], description="The case's own paragraphs, after the standard ones")


class SignedBy(StrictModel):
    """Who signs for a mandate on this letter, where it is not the registry's holder: an acting
    holder, a Working Group's member designated for communications."""

    name: Line
    title: Line | None = Field(
        None, description="The line under the name, as printed; default: the registry's title for the seat, or the mandate's name"
    )


class Case(StrictModel):
    """One communication: everything in it that is the case's own."""

    reference: ReferenceText
    date: date
    language: Literal["en", "fr", "es"] | None = Field(
        None,
        description="The letter's language (en, fr, es); left out: settings.yaml's. Narrative fields are written in it",
    )
    mandates: list[MandateId] = Field(
        min_length=1, description="Mandate ids from mandates.yaml, in the order the letter names them"
    )
    recipient: Recipient
    follow_up: FollowUp | None = None
    summary: Text | None = Field(
        None, description="What the letter is about, continuing 'information we have received concerning …' (first letters)"
    )
    before_facts: list[Text] = Field(
        [],
        description="The case's own paragraphs before 'According to the information received:' (e.g. an earlier "
        "communication and the Government's reply, recalled before the new facts)",
    )
    facts: list[Text] = Field([], description="The facts, after 'According to the information received:'")
    paragraphs: list[Text] = Field(
        [], description="The case's own paragraphs (concerns), after the facts and the follow-up paragraphs"
    )
    related: list[RelatedLetter] = Field([], description="Letters on the same subject sent to others at the same time")
    questions_intro: Literal["standard", "follow-up"] = "standard"
    questions: list[Text] = Field(min_length=1)
    standard_question: bool = Field(
        True,
        description="Letters to States: begin the questions with 'Please provide "
        "any additional information and/or comment(s) …' (false leaves it out)",
    )
    publication: Literal["within-60-days", "after-48-hours"] = Field(
        "within-60-days", description="When the letter is made public (an OL always after 48 hours)"
    )
    closing_paragraphs: list[ClosingParagraph] = []
    annex: CaseAnnex | None = Field(None, description="The case's own legal annex (letters to States)")
    annexes: list[MandateId] = Field([], description="Annex ids: files annexes/<id>.md")
    signed_by: dict[MandateId, SignedBy] = Field(
        {},
        description="Who signs for a mandate on this letter, by mandate id, where it is not the registry's holder "
        "(an acting holder, a Working Group's designated member); also lets a letter go out under a mandate "
        "whose holder mandates.yaml lacks",
    )
    footnotes: dict[FootnoteLabel, Text] = Field(
        {},
        description="Footnotes by label: a narrative field marks where each goes with `[^label]`; the letter "
        "numbers them in order (Word footnotes in the DOCX, footnotes in the PDF)",
    )
    mandate_list: Literal["and", "semicolon-and"] | None = Field(
        None,
        description="How the header and the capacities sentence join the last mandate: 'and' (`… and the "
        "Working Group …`) or 'semicolon-and' (`…; and the Special Rapporteur …`, in some letters of 2019–2021); "
        "left out, the form of the letter's date (templates/phrases.yaml, `mandate-list`)",
    )
    forms: dict[PhraseName, PhraseName] = Field(
        {},
        description="A named form of a boilerplate sentence this letter prints, by the sentence's name in "
        "templates/phrases.yaml (e.g. `bring-to-attention: offer-comments`): a published wording that letters of "
        "the same dates print beside the usual one, so the case chooses it",
    )
    wording: dict[PhraseName, OwnWording] = Field(
        {},
        description="This letter's own wording of a boilerplate sentence, by its name in templates/phrases.yaml "
        '(e.g. `bring-to-attention`): printed instead of the sentence, as typed; an empty one (`""`) leaves '
        "the sentence out; `check` lists each as a notice",
    )
    resolutions: dict[MandateId, ResolutionNumber] = Field(
        {},
        description="A resolution this letter cites for a mandate though another was in force on its date "
        "(as published); it must be one of the mandate's resolutions in mandates.yaml; `check` lists each as a notice",
    )

    @property
    def ref(self) -> Reference:
        return Reference.parse(self.reference)

    @property
    def kind(self) -> LetterKind:
        return LetterKind("state" if self.recipient.is_state else "non-state", self.ref.letter_type)


@dataclass(frozen=True)
class LetterKind:
    """Which boilerplate a letter takes: to a State or a non-State actor, and AL, UA or OL."""

    recipient: Literal["state", "non-state"]
    letter_type: str

    def __str__(self) -> str:
        to = "a State" if self.recipient == "state" else "a non-State actor"
        return f"{self.letter_type} to {to}"

    @property
    def with_article(self) -> str:
        """ "an AL to a State", "a UA to …" (said "you-ay")."""
        return f"{'a' if self.letter_type == 'UA' else 'an'} {self}"


Source = Annotated[str, Field(min_length=1, description="A URL, or a published document named so it can be found")]
RESOLUTION_PATTERN = RESOLUTION_NUMBER_PATTERN


class Recorded(StrictModel):
    """Who in the office recorded a fact (`alletter mandates record …`) and on which day: a fact
    the public sources do not show yet is the office's word, and says whose."""

    by: Line
    on: date


class Holder(StrictModel):
    """A person who held a mandate, and when: a Working Group's holders are its Chair-Rapporteurs,
    who sign for it (their `title` says so)."""

    name: Line
    title: Line | None = None
    gender: Literal["female", "male"] | None = Field(
        None, description="As UN documents refer to the holder (Ms./Mr.); French and Spanish titles agree with it"
    )
    since: date | None = None
    until: date | None = None
    since_precision: Literal["day", "month"] = Field(
        "day",
        description="`month` where the sources give only the month the term began (`since` is then that month's "
        "first day, not a start day): letters dated in that month do not count on this holder",
    )
    until_precision: Literal["day", "month"] = Field(
        "day", description="`month` where the sources give only the month the term ended (`until` is then in that month)"
    )
    seen: list[date] = Field(
        [], description="Dates a source shows the holder in office (a letter signed), where the term's dates are not known"
    )
    appointed: date | None = Field(
        None,
        description="The day the Council appointed the holder, where the day they took office is not known: from "
        "then on the predecessor (whose end is not recorded) is no longer assumed in office",
    )
    source: Source | None = None
    recorded: Recorded | None = None

    @property
    def first_day(self) -> date | None:
        """The first day the sources show the holder in office: `since` (or the month after a
        month-only one), or the first day seen."""
        return self.first_certain_day or min(self.seen, default=None)

    @property
    def first_certain_day(self) -> date | None:
        """The first day the sources show the term had begun: `since`, or the first day of the
        next month where only the month is known."""
        if self.since is None or self.since_precision == "day":
            return self.since
        return _first_of_next_month(self.since)

    @property
    def last_certain_day(self) -> date | None:
        """The last day the sources show the term had not ended: `until`, or the last day of the
        month before where only the month is known."""
        if self.until is None or self.until_precision == "day":
            return self.until
        return self.until.replace(day=1) - timedelta(days=1)


def _first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class Resolution(StrictModel):
    """A resolution that established or renewed a mandate."""

    number: Annotated[str, Field(pattern=RESOLUTION_PATTERN)] | None = Field(
        None,
        description="Left out where only the adoption date of a renewal is known: letters after it cannot "
        "cite it, and check says so",
    )
    body: Literal["Human Rights Council", "Commission on Human Rights", "Economic and Social Council"] = "Human Rights Council"
    adopted: date | None = None
    cited: list[date] = Field(
        [], description="Dates a published letter cites it on (in force then), where the adoption date is not known"
    )
    source: Source | None = None
    recorded: Recorded | None = None


class FormerName(StrictModel):
    """A name the mandate had until a resolution renamed it."""

    name: Line
    until: date
    source: Source | None = None
    recorded: Recorded | None = None


class Vacancy(StrictModel):
    """A time the mandate was in force with no one appointed to it: letters of those days have no
    signatory (unless the case names one, `signed_by`), and `check` says the mandate is vacant."""

    since: date
    until: date | None = None
    source: Source
    recorded: Recorded | None = None


class Ending(StrictModel):
    """Where the end of a mandate (`ended`) is shown."""

    source: Source
    recorded: Recorded | None = None


class Mandate(StrictModel):
    """A Special Procedures mandate, as the registry describes it."""

    id: MandateId
    kind: Literal["thematic", "country"]
    country: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    name: Line
    name_fr: Line | None = None
    name_es: Line | None = None
    former_names: list[FormerName] = []
    established: date | None = None
    ended: date | None = None
    ending: Ending | None = Field(None, description="The source of `ended`")
    term_years: int | None = Field(
        None,
        description="Years between renewals; default 3 for thematic, 1 for country mandates; 0 for a mandate that is not renewed",
    )
    resolutions: list[Resolution] = []
    holders: list[Holder] = []
    vacancies: list[Vacancy] = []
    sources: list[Source] = []
    notes: str | None = None


class Session(StrictModel):
    """A session of the Human Rights Council: its resolutions were adopted between these days."""

    session: Annotated[str, Field(pattern=r"^(S-)?[0-9]+$")]
    opened: date
    closed: date | None = None
    source: Source


class Registry(StrictModel):
    """The mandate registry file."""

    mandates: list[Mandate]
    sessions: list[Session] = []


class DatedCount(StrictModel):
    """A number the boilerplate prints, from the date it took effect, with where it was read."""

    since: date
    count: int
    source: str


class Settings(StrictModel):
    """Facts the boilerplate quotes that change over the years."""

    communications_website: Url
    thematic_and_country_mandates: list[DatedCount] = Field(min_length=1)
    document_subject: Line
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en-GB"
    # An image (PNG, JPEG or SVG) in templates/ that heads page 1 of the PDF; none by default.
    letterhead: Annotated[str, Field(pattern=r"^[\w.-]+\.(png|jpe?g|svg)$")] | None = None

    def mandate_count_on(self, day: date) -> int | None:
        """The number of mandates letters printed on `day`; None before the first one known."""
        known = [entry for entry in self.thematic_and_country_mandates if entry.since <= day]
        return max(known, key=lambda entry: entry.since).count if known else None


class State(StrictModel):
    """A UN Member or Observer State: its ISO 3166 alpha-3 code and its UN short names."""

    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    status: Literal["member", "observer"]
    en: Line
    fr: Line | None = None
    es: Line | None = None


class StateList(StrictModel):
    """states.yaml."""

    states: list[State]


@dataclass(frozen=True)
class Signatory:
    """A signature block: the holder's name over the title printed under it."""

    name: str
    title: str


@dataclass(frozen=True)
class Annex:
    """An annex file: its title (from the front matter) and Markdown body, the language it is
    written in and whether it is a draft translation (marked in the letter, refused by --final)."""

    id: str
    title: str
    body: str
    file: str = ""  # relative to the project root; none: made from the case (its own legal annex)
    language: str = "en"
    draft: bool = False


def case_json_schema() -> str:
    """The JSON Schema of a case file, as text: stable (sorted keys) so a committed copy can be compared."""
    import json

    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/alletter/alletter/schema/case.schema.json",
        **Case.model_json_schema(),
    }
    schema["title"] = "alletter case file"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
