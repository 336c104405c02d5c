"""Stage 3 — render: a validated case and the shared Jinja templates into one Markdown letter.

Templates are trusted project files; case values are not. Every value a template prints with
`{{ }}` is escaped so that pandoc reads it as the literal characters typed, unless a filter has
marked it as `Markdown` (the way markupsafe's `Markup` works for HTML). Narrative fields go
through a Markdown parser restricted to paragraphs, emphasis and links, and are written back out
escaped, so nothing else in them (HTML, typst, headings, tables, template syntax) is ever markup.
"""

from __future__ import annotations

import calendar
import re
import string
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt

from ..errors import CaseFileError, Problem, TemplateError
from ..project.letter_project import ANNEXES_DIR, ANNEXES_PREFIX, DEFAULT_LANGUAGE, PHRASES_FILE, LetterProject
from ..project.registry import MandateInForce
from ..project.schema import FOOTNOTE_MARK, NON_STATE, Annex, Case, Party, Reference, RelatedLetter, Signatory
from ..project.wording import (
    LetterVoice,
    MandateName,
    MissingWording,
    Phrasebook,
    Variant,
    choose_variant,
    choose_wording,
    letter_blocks,
)
from .typography import LITERAL_QUOTES, curly_quotes, typeset
from .validate import ValidCase

LETTER_TEMPLATE = "letter.md.j2"
T = TypeVar("T")
CASE_ANNEX_TITLE = "case-annex-title"  # the phrase titling a case's own annex
# Every ASCII punctuation mark, backslash-escaped (str.translate: twice as fast as re.sub).
_ESCAPED_PUNCTUATION = str.maketrans({mark: "\\" + mark for mark in string.punctuation})
_WHITESPACE = re.compile(r"\s+")
_DOUBLED_FULL_STOP = re.compile(r"\\\.\.$")
_SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


class Markdown(str):
    """Text that is already Markdown, to be printed as it is rather than escaped."""


def escape_markdown(text: object) -> Markdown:
    """Literal text as pandoc Markdown: every ASCII punctuation mark backslash-escaped."""
    if isinstance(text, Markdown):
        return text
    return Markdown(_WHITESPACE.sub(" ", str(text)).translate(_ESCAPED_PUNCTUATION))


# Spanish "y" becomes "e" before a word that starts with the sound i (i-, hi-), but not before
# hia-, hie-, hio-, hiu- (a diphthong: "agua y hielo"), RAE's rule.
_I_SOUND = re.compile(r"^(?:[iíIÍ]|[hH][iíIÍ](?![aeiouáéóú]))")


def as_typed(text: str, book: Phrasebook) -> str:
    """Text as a drafter would type it in a case: its curly quotes straight, where the letter curls
    them back the same (what `import` writes; a quote the rule would curl otherwise stays as it is)."""
    marks = book.typography.quotes
    if marks is None:
        return text
    straightened: dict[str, str | int | None] = {
        marks.double[0]: '"',
        marks.double[1]: '"',
        marks.single[0]: "'",
        marks.single[1]: "'",
    }
    straight = text.translate(str.maketrans(straightened))
    if straight == text or curly_quotes(escape_markdown(straight), marks) != escape_markdown(text):
        return text
    return straight


def join_phrases(items: Iterable[object], separator: str = ", ", last_separator: str = " and ") -> Markdown:
    """Join phrases as a letter lists them: `a`, `a and b`, `a; b and c` (with separator '; ');
    Spanish " y " is " e " before an i sound ("Francia e Italia")."""
    phrases = [escape_markdown(item) for item in items]
    if len(phrases) <= 1:
        return Markdown("".join(phrases))
    return Markdown(separator.join(phrases[:-1]) + separator_before(last_separator, phrases[-1]) + phrases[-1])


def separator_before(last_separator: str, last: str) -> str:
    """The last separator as printed before `last`: Spanish " y " is " e " before an i sound."""
    if last_separator.strip() == "y" and _I_SOUND.match(last):
        return last_separator.replace("y", "e")
    return last_separator


@jinja2.pass_context
def with_article(context: jinja2.runtime.Context, name: str) -> str:
    """A mandate's name with the header's article in the letter's language ("the", "du", "de la", "del")."""
    book: Phrasebook = context["phrasebook"]
    return f"{book.article(name)}{name}"


def linked(target: object, url: str | None = None) -> Markdown:
    """A hyperlink when the target is known; otherwise the plain text, never an empty `#` link."""
    if isinstance(target, Party):
        url = target.link
        target = target.name
    text = escape_markdown(target)
    return Markdown(f"[{text}](<{url}>)") if url else text


def long_date(day: date) -> str:
    """Dates as the letters write them: `13 March 2023` (no leading zero, English month)."""
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def date_in(day: date, book: Phrasebook) -> str:
    """A date as the letters of the phrasebook's language write it, by Babel's patterns for its
    locale ("13 mars 2023", "1er mars 2023", "13 de marzo de 2023"); English as `long_date`."""
    if book.date_format is None:
        return long_date(day)
    from babel.dates import format_date  # here: English letters never need Babel (start-up time)

    text = format_date(day, book.date_format, locale=book.locale.replace("-", "_"))
    return f"{book.first_day}{text[1:]}" if book.first_day and day.day == 1 else text


@jinja2.pass_context
def _long_date_filter(context: jinja2.runtime.Context, day: date) -> str:
    return date_in(day, context["phrasebook"])


@dataclass(frozen=True)
class DraftMark:
    """A sentence or name of a letter that is not yet confirmed: where the DOCX comments and the
    check's notice point. `text` is how the sentence starts, as the letter prints it."""

    phrase: str
    text: str

    def plain_start(self, length: int = 40) -> str:
        """The sentence's first words without Markdown, to find its paragraph in the DOCX."""
        plain = re.sub(r"\[([^\]]*)\]\(<[^>]*>\)", r"\1", self.text)
        plain = re.sub(r"\\(.)", r"\1", plain).replace("**", "").replace("*", "")
        return _WHITESPACE.sub(" ", plain).strip()[:length]

    def named(self) -> str:
        """How `check` and `build --final` name it: the phrase and how the sentence starts."""
        return f"{self.phrase}: “{self.plain_start(60)}…”"


_drafts_used: ContextVar[list[DraftMark] | None] = ContextVar("drafts_used", default=None)
# While `check` renders a letter, the sentences its phrasebook has no wording for: collected, each
# printed as nothing, so that one run names every gap (a letter of an unknown window lacks two).
_wordings_missing: ContextVar[list[MissingWording] | None] = ContextVar("wordings_missing", default=None)
# The sentences the letter being rendered says: a named form chosen for one it does not is an error.
_phrases_said: ContextVar[set[str] | None] = ContextVar("phrases_said", default=None)


def _mark_draft(phrase: str, text: str) -> None:
    """Note that the letter being rendered prints unconfirmed `text` (a sentence, name, title or
    annex): the DOCX comments on it, the PDF carries the draft line, `build --final` refuses it.
    Outside a render (a wording shown on its own) there is no letter to mark."""
    drafts = _drafts_used.get()
    if drafts is not None and text:
        drafts.append(DraftMark(phrase, text))


def prefixed(text: str, prefix: str) -> str:
    return f"{prefix}{text}"


def _is_web_link(url: str) -> bool:
    return bool(_SAFE_LINK.match(url)) and not re.search(r"[\s<>]", url)


@lru_cache(maxsize=1)
def _narrative_parser() -> MarkdownIt:
    parser = MarkdownIt("zero").enable(["emphasis", "link", "escape"])
    # Escapes stay tokens of their own, not joined into the text: an escaped quote is kept straight.
    parser.disable("text_join")
    # A link to anything but the web is not a link at all: its brackets and target stay as typed.
    parser.validateLink = _is_web_link  # type: ignore[method-assign]
    return parser


def narrative_paragraphs(text: str) -> list[Markdown]:
    """Case prose as safe Markdown paragraphs: emphasis and links kept, every other character literal."""
    tokens = _narrative_parser().parse(text)
    paragraphs = [token for token in tokens if token.type == "inline"]
    return [Markdown(_inline_markdown(token.children or [])) for token in paragraphs]


# The footnotes of the letter being rendered (label → its text), which `[^label]` in a narrative
# field calls; empty outside a render and while a footnote's own text is written.
_footnotes: ContextVar[dict[str, str] | None] = ContextVar("footnotes", default=None)
_FOOTNOTE_MARK = re.compile(FOOTNOTE_MARK)


def _text_markdown(text: str) -> str:
    """Literal text, save that a `[^label]` of one of the letter's footnotes becomes pandoc's inline
    footnote `^[…]`: each chunk of the letter is then whole, and Word and typst number the notes."""
    footnotes = _footnotes.get()
    if not footnotes or "[^" not in text:
        return escape_markdown(text)
    pieces: list[str] = []
    position = 0
    for mark in _FOOTNOTE_MARK.finditer(text):
        note = footnotes.get(mark.group(1))
        if note is None:
            continue
        pieces.append(escape_markdown(text[position : mark.start()]))
        token = _footnotes.set(None)
        try:
            pieces.append(f"^[{narrative_inline(note)}]")
        finally:
            _footnotes.reset(token)
        position = mark.end()
    pieces.append(escape_markdown(text[position:]))
    return "".join(pieces)


def _inline_markdown(children: list) -> str:
    pieces: list[str] = []
    link_targets: list[str | None] = []
    href: str | None
    for token in children:
        if token.type == "text":
            pieces.append(_text_markdown(token.content))
        elif token.type == "text_special" and token.info == "escape" and token.content in LITERAL_QUOTES:
            pieces.append(LITERAL_QUOTES[token.content])
        elif token.type in ("softbreak", "hardbreak"):
            pieces.append(" ")
        elif token.type in ("em_open", "em_close"):
            pieces.append("*")
        elif token.type in ("strong_open", "strong_close"):
            pieces.append("**")
        elif token.type == "link_open":
            href = str(token.attrs.get("href", ""))
            link_targets.append(href if _is_web_link(href) else None)
            pieces.append("[" if link_targets[-1] else "")
        elif token.type == "link_close":
            href = link_targets.pop()
            pieces.append(f"](<{href}>)" if href else "")
        else:
            pieces.append(escape_markdown(token.content))
    return "".join(pieces)


def narrative(text: str) -> Markdown:
    """A narrative field as one or more Markdown paragraphs."""
    return Markdown("\n\n".join(narrative_paragraphs(text)))


def narrative_inline(text: str) -> Markdown:
    """A narrative field that continues a sentence or fills a list item: one paragraph."""
    return Markdown(" ".join(narrative_paragraphs(text)))


_templates_loaded: ContextVar[set[str] | None] = ContextVar("templates_loaded", default=None)


class _LetterEnvironment(SandboxedEnvironment):
    """Records the templates each render loads (includes too), so a build knows what a letter depends on."""

    def get_template(self, name: Any, parent: Any = None, globals: Any = None) -> Any:  # type: ignore[override]
        loaded = _templates_loaded.get()
        if loaded is not None and isinstance(name, str):
            loaded.add(name)
        return super().get_template(name, parent, globals)


@dataclass(frozen=True)
class RenderedLetter:
    """A letter as pandoc Markdown, and the template files (relative to templates/) it was made from."""

    markdown: str
    templates: frozenset[str]
    language: str = DEFAULT_LANGUAGE
    locale: str = "en-GB"
    drafts: tuple[DraftMark, ...] = ()
    said: frozenset[str] = frozenset()
    draft_line: str | None = None
    draft_comment: str | None = None

    def comment_for(self, mark: DraftMark) -> str:
        """The DOCX comment on a paragraph using draft wording, in the letter's language."""
        template = self.draft_comment or "Wording not yet confirmed against a published letter: {phrase}"
        return template.format(phrase=mark.phrase)


def _finalize(value: object) -> str:
    return escape_markdown("" if value is None else value)


@jinja2.pass_context
def say(context: jinja2.runtime.Context, phrase: str, **values: object) -> Markdown:
    """A sentence of phrases.yaml in the wording for this letter, filled in from the block's
    context and `values` (what a block's loop holds, which the context does not)."""
    said = _phrases_said.get()
    if said is not None:
        said.add(phrase)
    own = context["case"].wording.get(phrase)
    if own is not None:  # the letter's own wording, as typed: a case value, never a template
        return narrative_inline(own)
    try:
        variant, text = _worded(context.environment, {**context.get_all(), **values}, phrase, context["voice"])
    except MissingWording as error:
        missing = _wordings_missing.get()
        if missing is None:
            raise
        missing.append(error)
        return Markdown("")
    if variant.status == "draft":
        _mark_draft(phrase, text)
    return Markdown(text)


def _worded(environment: jinja2.Environment, values: Mapping[str, Any], phrase: str, voice: LetterVoice) -> tuple[Variant, str]:
    """`phrase` in its wording for `voice` (the letter's, or another date's), filled in from `values`
    (the letter's context): the chosen wording and its Markdown."""
    book: Phrasebook = values["phrasebook"]
    variant, words = choose_variant(book, phrase, voice, values["case"].forms.get(phrase))
    if voice.speakers == 1:
        words = book.agreeing(words, values["speaker_gender"])
    try:
        text = _phrase_template(environment, words).render(values).strip()
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"{book.file} ({phrase})", None, error.message or "syntax error") from None
    except jinja2.UndefinedError as error:
        raise TemplateError(f"{book.file} ({phrase})", None, str(error)) from None
    # A sentence that ends with a value ending in a full stop ("S.A.") takes no second one.
    return variant, _DOUBLED_FULL_STOP.sub(r"\\.", text)


def wordings_on(valid: ValidCase, project: LetterProject, phrases: Mapping[str, date]) -> dict[str, str]:
    """Each of `phrases` as the letter would say it on the date given for it — its wording in force
    then, for the letter's speakers and recipient — as Markdown; a phrase with no wording on that
    date is left out. How `import` reads a sentence no published letter of the letter's own date
    shows: in the wordings on either side of that window."""

    def each(environment: jinja2.Environment, context: dict[str, object]) -> dict[str, str]:
        voice = context["voice"]
        assert isinstance(voice, LetterVoice)
        worded = {}
        for phrase, day in phrases.items():
            try:
                worded[phrase] = _worded(environment, context, phrase, replace(voice, on=day))[1]
            except MissingWording:
                continue
        return worded

    return _rendered(valid, project, each)


@lru_cache(maxsize=1024)
def _phrase_template(environment: jinja2.Environment, words: str) -> jinja2.Template:
    """A wording compiled once per process (a letter says some forty sentences)."""
    return environment.from_string(words)


@lru_cache(maxsize=8)
def letter_environment(templates_dir: Path) -> SandboxedEnvironment:
    """The Jinja environment for one project's templates: sandboxed, strict, escaping by default.
    The project's annexes/ folder is reachable as `annexes/…`, for the law library's paragraphs."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(templates_dir),
            jinja2.PrefixLoader({ANNEXES_PREFIX.rstrip("/"): jinja2.FileSystemLoader(templates_dir.parent / ANNEXES_DIR)}),
        ]
    )
    environment = _LetterEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters.update(
        markup=Markdown,
        join_phrases=join_phrases,
        linked=linked,
        long_date=_long_date_filter,
        with_article=with_article,
        prefixed=prefixed,
        narrative=narrative,
        narrative_inline=narrative_inline,
    )
    environment.globals["say"] = say
    return environment


def _letter_context(valid: ValidCase, project: LetterProject) -> dict[str, object]:
    """What the templates and phrases see: the case, what the registry says of it, and how the
    letter names its recipient and speaks (one mandate or several, on its date)."""
    case = valid.case
    blocks = letter_blocks(project.kinds, case)
    assert blocks is not None  # validate refuses a kind kinds.yaml does not have
    language = letter_language(valid, project)
    book = project.phrasebook_for(language)
    addressee = book.recipients.get(case.recipient.kind)
    if addressee is None:
        raise MissingWording(f"recipients.{case.recipient.kind}", "a letter to this kind of recipient", book.file)
    if not case.recipient.is_state:
        addressee = addressee.model_copy(update={"salutation": case.recipient.salutation, "closing_name": case.recipient.name})
    mandates, signatories = valid.mandates, valid.signatories
    if language != DEFAULT_LANGUAGE:
        mandates, signatories = _mandates_in(valid, project, language)
        english_annexes = [
            *(
                standard
                for standard in (case.annex.standards if case.annex else [])
                if project.law_paragraph(standard, language) is None
            ),
            *(annex.id for annex in valid.annexes if annex.language != language),
        ]
        if english_annexes:
            raise MissingWording(
                f"annexes ({', '.join(english_annexes)})", "a letter in this language: the annexes are in English", book.file
            )
        _refuse_english_government_names(case, book.file)
    return {
        "case": case,
        "blocks": blocks,
        "mandates": mandates,
        "signatories": signatories,
        "language": language,
        "settings": project.settings,
        "mandate_count": project.settings.mandate_count_on(case.date),
        "state": project.states.get(case.ref.country),
        "related_letters": [_related_party(related, project) for related in case.related],
        "replying_governments": [
            Party(name=project.states[government.code].en, link=government.link)
            for government in (case.follow_up.other_replies.governments if case.follow_up else [])
        ],
        "addressee": addressee,
        "last_mandate_joiner": _last_mandate_joiner(project, valid, language),
        "phrasebook": book,
        "voice": LetterVoice(len(valid.mandates), case.kind.recipient, case.date),
        # One mandate speaks as "I", and in French and Spanish agrees with its holder ("reconnaissante").
        "speaker_gender": valid.mandates[0].holder.gender if len(valid.mandates) == 1 else None,
    }


def _refuse_english_government_names(case: Case, phrasebook_file: str) -> None:
    """In French or Spanish a Government is named with its article ("du Brésil", "de la France",
    "del Brasil"), which states.yaml does not record: rather than print "the Government of Brazil"
    or a guessed article, such a sentence is refused unless the case words it itself."""
    # Each sentence that names other States' Governments: the case field that makes it do so, and
    # whether this case's does.
    naming = {
        "related": ("related", any(Reference.parse(related.reference).country != NON_STATE for related in case.related)),
        "follow-up-replies-received": (
            "follow_up.other_replies.governments",
            bool(case.follow_up and case.follow_up.other_replies.governments),
        ),
    }
    for phrase, (field, names_governments) in naming.items():
        if names_governments and phrase not in case.wording:
            raise MissingWording(
                phrase,
                f"a letter in this language that names another State's Government (`{field}`: "
                "its name needs its article, which states.yaml does not record)",
                phrasebook_file,
            )


def letter_language(valid: ValidCase, project: LetterProject) -> str:
    """The case's language, or the project's default."""
    return valid.case.language or project.default_language()


def _mandates_in(valid: ValidCase, project: LetterProject, language: str) -> tuple[list[MandateInForce], list[Signatory]]:
    """The mandates and signatures with their names in `language`, each title agreeing with its
    holder (Rapporteuse spéciale, Relatora Especial): a feminine form its source prints, else one
    made by the phrasebook's feminine_titles — a draft name, marked as draft wording is."""
    names = project.names_for(language).names
    book = project.phrasebook_for(language)
    mandates: list[MandateInForce] = []
    signatories: list[Signatory] = []
    for mandate in valid.mandates:
        entry = names.get(mandate.id)
        female = mandate.holder.gender == "female"
        name, sourced = (None, False) if entry is None else _gendered_name(entry.name, entry.feminine, female, book)
        if name is None:
            raise MissingWording(
                f"names.{mandate.id}",
                f"a letter in this language (no name of `{mandate.id}`)",
                f"templates/names.{language}.yaml",
            )
        if not sourced:
            _mark_draft(f"name of {mandate.id}", escape_markdown(name))
        mandates.append(MandateInForce(id=mandate.id, name=name, resolution=mandate.resolution, holder=mandate.holder))
        signatories.append(Signatory(name=mandate.holder.name, title=_signature_title(mandate, name, language, project)))
    return mandates, signatories


def _signature_title(mandate: MandateInForce, name: str, language: str, project: LetterProject) -> str:
    """The title under the holder's signature: the mandate's name, or the holder's own title
    ("Chair-Rapporteur of …") as names.<language>.yaml's `titles` words it, agreeing with the holder."""
    if mandate.holder.title is None:
        return name
    entry = project.names_for(language).titles.get(mandate.holder.title)
    if entry is None:
        raise MissingWording(
            f"titles.{mandate.holder.title}",
            f"the signature title of {mandate.holder.name} (recorded in English only)",
            f"templates/names.{language}.yaml",
        )
    title = entry.name
    if mandate.holder.gender == "female":
        title = _made_feminine(title, project.phrasebook_for(language)) or title
    if entry.status == "draft":
        _mark_draft(f"signature title of {mandate.holder.name}", escape_markdown(title))
    return title


def _gendered_name(name: str | None, feminine: str | None, female: bool, book: Phrasebook) -> tuple[str | None, bool]:
    """The name for this holder, and whether a source prints it in that form."""
    if not female:
        return name, name is not None
    if feminine is not None:
        return feminine, True
    if name is None:
        return None, False
    made = _made_feminine(name, book)
    return (name, True) if made is None else (made, False)  # no gender: "Groupe de travail", "Grupo de Trabajo"


def printed_names(entry: MandateName, book: Phrasebook) -> set[str]:
    """Every form a mandate's name in a letter language prints in, whoever holds it (the post's
    title, its feminine form, sourced or made): what `import` finds the letter's mandates by."""
    return {name for female in (False, True) if (name := _gendered_name(entry.name, entry.feminine, female, book)[0])}


def _made_feminine(name: str, book: Phrasebook) -> str | None:
    """The title's feminine form by the phrasebook's feminine_titles; none for a title with no gender."""
    for masculine, feminine_title in book.feminine_titles.items():
        if name.startswith(masculine):
            return feminine_title + name[len(masculine) :]
    return None


# How the last mandate is joined to the others, in the header and the capacities sentence.
MANDATE_LIST_JOINERS = {"and": " and ", "semicolon-and": "; and "}
MANDATE_LIST_PHRASE = "mandate-list"


def _dated_mandate_list(project: LetterProject, valid: ValidCase) -> str:
    """The form in force on the letter's date (phrases.yaml's `mandate-list`: "and" or "semicolon-and")."""
    voice = LetterVoice(len(valid.mandates), valid.case.kind.recipient, valid.case.date)
    try:
        form = choose_wording(project.phrasebook, MANDATE_LIST_PHRASE, voice).strip()
    except MissingWording as error:
        raise CaseFileError([Problem(valid.kind_location, str(error), "mandate_list")]) from None
    if form not in MANDATE_LIST_JOINERS:
        raise TemplateError(
            f"{PHRASES_FILE} ({MANDATE_LIST_PHRASE})", None, f"{form!r}: choose one of {', '.join(MANDATE_LIST_JOINERS)}"
        )
    return form


def _last_mandate_joiner(project: LetterProject, valid: ValidCase, language: str) -> str | None:
    """The English letter's joiner (the case's `mandate_list`, else the form of its date); a letter in
    another language joins as its phrasebook's header says, and `mandate_list` is refused there."""
    if language != DEFAULT_LANGUAGE:
        if valid.case.mandate_list is not None:
            raise CaseFileError(
                [
                    Problem(
                        valid.language_location or valid.kind_location,
                        "`mandate_list` chooses between forms of English letters; remove it from a letter in this language",
                        "mandate_list",
                    )
                ]
            )
        return None
    return MANDATE_LIST_JOINERS[valid.case.mandate_list or _dated_mandate_list(project, valid)]


def _related_party(related: RelatedLetter, project: LetterProject) -> Party:
    """A related letter's recipient as the letter names it: a State's Government by its UN name."""
    country = Reference.parse(related.reference).country
    name = related.name or "" if country == NON_STATE else f"the Government of {project.states[country].en}"
    return Party(name=name, link=related.link)


def _case_annex(valid: ValidCase, project: LetterProject, context: dict[str, object]) -> Annex | None:
    """The case's own legal annex: the standard paragraphs it names (with the State's name filled
    in), then its own paragraphs."""
    annex = valid.case.annex
    if annex is None:
        return None
    environment = letter_environment(project.templates_dir)
    language = str(context["language"])
    standards = []
    for standard in annex.standards:
        paragraph = project.law_paragraph(standard, language)
        assert paragraph is not None  # _letter_context refuses a paragraph the letter's language lacks
        standards.append(environment.get_template(paragraph.template).render(context).strip())
        if paragraph.draft:
            _mark_draft(f"annex paragraph {standard} ({paragraph.template})", standards[-1])
    own = [narrative(paragraph) for paragraph in annex.paragraphs]
    title = Markdown(_phrase_template(environment, f'{{{{ say("{CASE_ANNEX_TITLE}") }}}}').render(context))
    return Annex(id="case", title=title, body="\n\n".join([*standards, *own]))


def render(valid: ValidCase, project: LetterProject) -> RenderedLetter:
    """The letter as pandoc Markdown, with the templates it used."""
    loaded: set[str] = set()
    drafts: list[DraftMark] = []
    said: set[str] = set()
    token, drafts_token, said_token = _templates_loaded.set(loaded), _drafts_used.set(drafts), _phrases_said.set(said)
    try:
        markdown = _rendered(
            valid, project, lambda environment, context: environment.get_template(LETTER_TEMPLATE).render(context)
        )
    finally:
        _templates_loaded.reset(token)
        _drafts_used.reset(drafts_token)
        _phrases_said.reset(said_token)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).rstrip("\n") + "\n"
    language = letter_language(valid, project)
    book = project.phrasebook_for(language)
    markdown = typeset(markdown, book, language)
    if language == DEFAULT_LANGUAGE:
        return RenderedLetter(markdown, frozenset(loaded), said=frozenset(said))
    drafts = [DraftMark(mark.phrase, typeset(mark.text, book, language)) for mark in drafts]
    return RenderedLetter(
        markdown,
        frozenset(loaded),
        language=language,
        locale=book.locale,
        drafts=tuple(dict.fromkeys(drafts)),
        said=frozenset(said),
        draft_line=book.draft_line if drafts else None,
        draft_comment=book.draft_comment,
    )


def render_templates(valid: ValidCase, project: LetterProject, names: Iterable[str]) -> list[str]:
    """Templates (`blocks/questions.md.j2`, `annexes/law/iccpr-19.md.j2`) each rendered alone for
    this case, as Markdown, in the letter's context: how `import` learns what a kind's boilerplate
    and the law library's paragraphs look like, from the templates themselves."""

    def each(environment: jinja2.Environment, context: dict[str, object]) -> list[str]:
        return [environment.get_template(name).render(context).strip() for name in names]

    return _rendered(valid, project, each)


def _rendered(valid: ValidCase, project: LetterProject, render_with: Callable[[jinja2.Environment, dict[str, object]], T]) -> T:
    """`render_with` called with the letter's environment and context, its errors reported as a
    case's or a template's."""
    environment = letter_environment(project.templates_dir)
    footnotes = _footnotes.set(dict(valid.case.footnotes))
    try:
        context = _letter_context(valid, project)
        case_annex = _case_annex(valid, project, context)
        context["annexes"] = [*([case_annex] if case_annex else []), *valid.annexes]
        _mark_draft_annexes(valid.annexes)
        return render_with(environment, context)
    except MissingWording as error:
        raise CaseFileError([_missing_problem(valid, error)]) from None
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(error.name or LETTER_TEMPLATE, error.lineno, error.message or "syntax error") from None
    except jinja2.UndefinedError as error:
        name, line = _template_place(error, project.templates_dir)
        raise TemplateError(name, line, str(error)) from None
    finally:
        _footnotes.reset(footnotes)


def _mark_draft_annexes(annexes: Iterable[Annex]) -> None:
    """A draft translation of an annex is marked on its title, as a draft sentence is."""
    for annex in annexes:
        if annex.draft:
            _mark_draft(f"annex {annex.id} ({annex.file})", annex.title)


def _missing_problem(valid: ValidCase, error: MissingWording) -> Problem:
    """Where a missing wording is reported: at the letter's date when only its date lacks one (a
    window no published letter shows), at its language for a name, else at whom it is to."""
    if error.unknown_since is not None and valid.date_location is not None:
        return Problem(valid.date_location, str(error), "date")
    if error.phrase.startswith("names.") and valid.language_location is not None:
        return Problem(valid.language_location, str(error), "language")
    return Problem(valid.kind_location, str(error), "recipient.kind")


def _missing_problems(valid: ValidCase, missing: list[MissingWording]) -> list[Problem]:
    """Each sentence a letter lacks, once (a sentence said in a loop is missing once)."""
    return [_missing_problem(valid, error) for error in {str(error): error for error in missing}.values()]


def wording_problems(valid: ValidCase, project: LetterProject) -> list[Problem]:
    """What `check` adds to validation: a sentence or name the letter needs that its language's
    phrasebook has no wording for (an error), and each draft sentence or name it uses (a notice);
    found by rendering the letter, the one place that knows which sentences it uses."""
    missing: list[MissingWording] = []
    token = _wordings_missing.set(missing)
    try:
        rendered = render(valid, project)
    except CaseFileError as error:
        return _missing_problems(valid, missing) + error.problems
    finally:
        _wordings_missing.reset(token)
    if missing:
        return _missing_problems(valid, missing)
    book = project.phrasebook_for(rendered.language)
    unsaid = [
        Problem(
            valid.kind_location,
            f"`forms` chooses a form of `{phrase}`, a sentence this letter does not print (a sentence of "
            "another kind of letter, or of a follow-up whose prior letter had a reply): remove it",
            f"forms.{phrase}",
        )
        for phrase in valid.case.forms
        if phrase not in rendered.said
    ]
    return unsaid + [
        Problem(
            valid.language_location or valid.kind_location,
            f"draft wording, to be confirmed before the letter is sent ({book.file}): {mark.named()}",
            "language",
            severity="notice",
        )
        for mark in rendered.drafts
    ]


def _template_place(error: Exception, templates_dir: Path) -> tuple[str, int | None]:
    """The template and line an error was raised in: Jinja puts the templates' own lines into the
    traceback, and the innermost is where the undefined value was used."""
    import traceback

    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename)
        if path.is_relative_to(templates_dir):
            return path.relative_to(templates_dir).as_posix(), frame.lineno
    return LETTER_TEMPLATE, None
