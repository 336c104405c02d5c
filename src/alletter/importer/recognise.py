"""Import, stage 2 — recognise a letter: which of its words are its kind's boilerplate, and which
are the case's own.

The probes (probes.py) give each block of the letter's kind as patterns of literal words and
slots. The letter's words are matched against the blocks in order: a block's literal words must
follow each other as the template prints them; a slot takes every word up to the next literal
one. A block that `kinds.yaml` makes optional is present where its words are found before the
next block that must be there. Which probe's rendering matched tells the case's choices; the
slots hold its facts, questions and names.

A block no known wording finds may be the letter's own (issue 21): a sentence reworded a little or
through, a sentence added to its paragraph, or deleted. Where it may stand — at the matcher's
place, or in the last paragraph of the case's own text before the next known words — it is read
with its sentences as slots (probes.own_variants), or left out (an empty `wording:`), so that any
letter's case rebuilds it word for word. The stages are named below (`_known_match`,
`_own_place`, `_own_reading`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ..errors import RecognitionError
from ..letter.render import printed_names
from ..project.letter_project import DEFAULT_LANGUAGE, LetterProject
from ..project.schema import NON_STATE, REFERENCE_TEXT, Mandate, Reference
from ..project.wording import LANGUAGES, ONE_OF
from .probes import BlockPatterns, Item, Probing, Sentinels, Slot, Variant, own_variants, probing
from .words import LetterWords, LongDates, tokenize


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
class BlockMatch:
    """What matching a letter's words against one kind's blocks found: the variant of each block
    found, the words each slot took, what no block accounts for, and the first block that must be
    there and is not."""

    blocks: dict[str, Variant] = field(default_factory=dict)
    captures: dict[str, list[str]] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)
    missing_block: str | None = None
    own: list[str] = field(default_factory=list)  # the blocks found only with the letter's own wording
    left_out: list[str] = field(default_factory=list)  # the sentences the letter does not say (its own wording empty)
    resembling: list[str] = field(default_factory=list)  # blocks not found that the letter may print in its own words

    @property
    def score(self) -> tuple[int, int, int, int, int]:
        """Lower is better: a block missing, the words no block places, the blocks whose words a
        paragraph resembles and that are not found (a case field swallowed them), then more blocks
        found (a reading whose probe lacks a block leaves its words to a case field), then fewer
        blocks read in the letter's own words."""
        swallowed = sum(1 for name in self.resembling if name not in self.blocks)
        unplaced = sum(len(item.text.split()) for item in self.unplaced)
        return (1 if self.missing_block else 0, unplaced, swallowed, -len(self.blocks), len(self.own))


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


def _own_match(
    words: LetterWords, position: int, open_slot: tuple[Slot, int] | None, block: BlockPatterns
) -> tuple[Variant, _Match] | None:
    """The best of the block's own variants: as `_best_match` ranks them; of those as good, the
    one with the most sentences of the letter's own, if each of them takes a sentence (a variant
    with two side by side is not taken for one sentence); and of those, the one whose known
    wording the letter's words are closest to (a follow-up's questions' introduction reworded
    is that introduction, not a first letter's). Failing those, the best in which a sentence of
    the letter's own takes no words between the block's known ones: the drafter deleted it (the
    questions' introduction before the numbered questions), and the case words it as nothing."""
    found = [(variant, match) for variant in block.variants if (match := _match_variant(words, position, open_slot, variant))]
    ranked = sorted(
        found,
        key=lambda pair: (
            pair[1].first_literal,
            -pair[1].literal_count,
            -_own_slots(pair[0]),
            -_closeness(words, pair[1].first_literal, pair[0]),
        ),
    )
    deleted: tuple[Variant, _Match] | None = None
    for variant, match in ranked:
        _close_own_sentence(words, match)
        _share_sentences(words, match)
        if all(end > start for slot, start, end in match.captures if slot.field.startswith("wording.")):
            return variant, match
        if deleted is None and match.literal_count:
            deleted = variant, match
    return deleted


def _left_out_phrases(match: _Match) -> list[str]:
    """The sentences of the letter's own a match took no words for: the letter leaves them out."""
    return [
        slot.field.removeprefix("wording.")
        for slot, start, end in match.captures
        if slot.field.startswith("wording.") and start == end
    ]


def _left_out(
    words: LetterWords,
    position: int,
    open_slot: tuple[Slot, int] | None,
    block: BlockPatterns,
    later: list[BlockPatterns],
    known: BlockPatterns,
) -> tuple[Variant, _Match] | None:
    """A block of one sentence that every letter of its kind has, and that this letter does not
    say: the drafter deleted it. So read when the letter goes on with the blocks that come after
    it — in their known words, or in words that resemble a later block's more than this one's
    (`known`) — at `position`, or, after the case's own text a slot has open, with that text;
    and the block says one sentence, which the case then words as nothing (an empty `wording:`),
    so that it rebuilds the letter without it. Its own wording would take the next block's
    paragraph instead, and that block would be missing."""
    sentence = _one_sentence(block)
    if sentence is None:
        return None
    if open_slot is None and not (
        _begins_later_block(words, position, later) or _claimed_by_later(words, position, known, later)
    ):
        return None
    if open_slot is not None and _own_match(words, position, open_slot, block) is not None:
        return None  # the last of the case's own text may be the sentence in the drafter's words
    if open_slot is not None and not any(_best_match(words, position, open_slot, other) for other in later[:1]):
        return None
    variant, slot = sentence
    return variant, _Match(position, position, 0, [(slot, position, position)], open_slot, None)


def _claimed_by_later(words: LetterWords, position: int, block: BlockPatterns, later: list[BlockPatterns]) -> bool:
    """Whether the paragraph at `position` is, in the drafter's words, one of the blocks that may
    come next (up to the next that must be there) rather than `block`: it resembles that block's
    known wording, and more than it does `block`'s."""
    own = _resemblance(words, position, block)
    for other in later:
        if _resembles(words, position, other) and _resemblance(words, position, other) > own:
            return True
        if not other.optional:
            return False
    return False


def _last_paragraph(
    words: LetterWords, position: int, open_slot: tuple[Slot, int] | None, later: list[BlockPatterns]
) -> tuple[int, int] | None:
    """After the case's own text a slot holds open (the questions, the facts), the last paragraph
    before the known words of the next block found (up to the next that must be there): where a
    block the drafter worded their own way would stand."""
    if open_slot is None:
        return None
    found = None
    for block in later:  # the first block found next in its known words
        found = _best_match(words, position, open_slot, block)
        if found is not None or not block.optional:
            break
    if found is None or found[1].first_literal <= open_slot[1]:
        return None
    end = found[1].first_literal
    start = words.paragraph_start(end - 1)
    return (start, end) if start >= open_slot[1] and words.ends_paragraph(end - 1) else None


_QUESTION_NUMBERED = re.compile(r"^\d+$")


def _ends_the_text(words: LetterWords, paragraph: tuple[int, int], block: BlockPatterns, later: list[BlockPatterns]) -> bool:
    """Whether the last paragraph of the case's own text is the block in the drafter's words: it
    resembles one of the block's known wordings, or — a closing paragraph the case chooses,
    after the numbered questions — it has no number of its own, and of the closing paragraphs
    that may stand there it is the closest to this one (a question is numbered; a question a
    page break cut in two goes on in a paragraph that begins in lower case)."""
    start, _ = paragraph
    if _resembles(words, start, block):
        return True
    first = words.tokens[start].key
    numbered = _QUESTION_NUMBERED.match(first) is not None
    return (
        not numbered
        and first[:1].isupper()
        and start > 0
        and _follows_a_question(words, start)
        and _stands_in_for(words, start, block, later)
    )


def _follows_a_question(words: LetterWords, start: int) -> bool:
    """Whether the paragraph before token `start` is a numbered question ("6. Please explain …")."""
    previous = words.paragraph_start(start - 1)
    return _QUESTION_NUMBERED.match(words.tokens[previous].key) is not None and words.tokens[previous + 1].key == "."


def _own_after_text(
    paragraph: tuple[int, int], words: LetterWords, open_slot: tuple[Slot, int] | None, block: BlockPatterns
) -> tuple[Variant, _Match] | None:
    """The block as the drafter's own one sentence, in the last paragraph of the case's text: the
    slot held open takes the paragraphs before it."""
    sentence = _one_sentence(block)
    if sentence is None or open_slot is None:
        return None
    start, end = paragraph
    variant, slot = sentence
    return variant, _Match(start, end, 0, [(open_slot[0], open_slot[1], start), (slot, start, end)], None, None)


def _shares_a_paragraph(words: LetterWords, match: _Match) -> bool:
    """Whether a block found in its known words shares a paragraph with words it does not hold: it
    ends before its paragraph does, or begins after words that no slot takes in its paragraph.
    A block is whole paragraphs, so the drafter added a sentence to it: the paragraph, known
    words and all, is the block in the letter's own words, not known words and words left over."""
    if match.open_slot is not None or not match.literal_count:
        return False
    ends_early = match.end < len(words.tokens) and not words.ends_paragraph(match.end - 1)
    begins_late = match.skipped is not None and words.paragraph_start(match.first_literal) < match.first_literal
    return ends_early or begins_late


def _said(variant: Variant) -> str:
    """The one sentence a block prints as its own wording alone (`wording.PHRASE` its only item), or ""."""
    if len(variant.items) == 1 and isinstance(slot := variant.items[0], Slot) and slot.field.startswith("wording."):
        return slot.field.removeprefix("wording.")
    return ""


def _one_sentence(block: BlockPatterns) -> tuple[Variant, Slot] | None:
    """The block's variant that is one sentence of the letter's own alone, and that sentence's slot."""
    variant = next((variant for variant in block.variants if _said(variant)), None)
    if variant is None:
        return None
    [slot] = variant.items
    assert isinstance(slot, Slot)
    return variant, slot


def _closeness(words: LetterWords, position: int, variant: Variant) -> float:
    """How close the letter's words from `position` are to the known wording a variant of the
    letter's own replaces (0 to 1, as difflib measures), over as many words as that wording has."""
    known = [item for item in variant.known or [] if isinstance(item, str)]
    if not known:
        return 0.0
    letter = [token.key for token in words.tokens[position : position + len(known)]]
    return difflib.SequenceMatcher(a=known, b=letter, autojunk=False).ratio()


def _own_slots(variant: Variant) -> int:
    return sum(1 for item in variant.items if isinstance(item, Slot) and item.field.startswith("wording."))


RESEMBLING = 0.5  # how much of a block's known words a paragraph in a drafter's own words keeps


def _resembles(words: LetterWords, position: int, block: BlockPatterns) -> bool:
    """Whether the paragraph at `position` is, for the most part, one of the block's known wordings
    (a drafter's variation of it), as difflib's ratio measures; cheap, so that the block's own
    wordings are rendered only for a letter that may have one. Measured on the example letters:
    a sentence with a few words changed scores 0.65–0.8, AL PAK 3/2023's "I would like to share
    with your Excellency's Government the following information." 0.56 against bring-to-attention;
    the paragraph of another block or of the case 0.3 at most."""
    return _resemblance(words, position, block) >= RESEMBLING


KEPT_RUN = 3  # words in a row: runs of the known words this long are the drafter's, not chance ("of the")


def _resemblance(words: LetterWords, position: int, block: BlockPatterns) -> float:
    """How much of the paragraph at `position` is one of the block's known wordings, at most (0 to
    1): difflib's ratio over as many words as the wording has, or — for a block whose slots print
    long values (a follow-up's subject), which that ratio dilutes — the share of its known words
    the whole paragraph keeps in runs of KEPT_RUN or more."""
    paragraph = [token.key for token in words.tokens[position : words.paragraph_end(position)]]
    ratios = [0.0]
    for variant in block.variants:
        known = [item for item in variant.items if isinstance(item, str)]
        if known:
            ratios.append(difflib.SequenceMatcher(a=known, b=paragraph[: len(known)], autojunk=False).ratio())
            if any(isinstance(item, Slot) for item in variant.items):
                matcher = difflib.SequenceMatcher(a=known, b=paragraph, autojunk=False)
                kept = sum(run.size for run in matcher.get_matching_blocks() if run.size >= KEPT_RUN)
                ratios.append(kept / len(known))
    return max(ratios)


CHOSEN = "chosen"  # kinds.yaml's condition of the closing paragraphs a case lists for itself
# Blocks whose presence another part of the letter tells, not their own words: a closing paragraph
# the case lists (any letter may have one), and the annex reference (the annex at the letter's end).
STANDING_IN = frozenset({CHOSEN, "annex"})


def _stands_in_for(words: LetterWords, position: int, block: BlockPatterns, later: list[BlockPatterns]) -> bool:
    """Whether the paragraph at `position`, which no known wording resembles, is a closing
    paragraph or the annex reference the drafter rewrote through (a press release announced in
    words of their own): the block is one whose presence the letter does not tell by its words
    (STANDING_IN: a closing paragraph the case chooses, the annex reference an annex at the end
    needs); the next block that must be there begins with known words, so the paragraph is not
    the case's own text, which only a slot takes; and of such blocks that may stand here, this
    block's known wording is the closest to it. Otherwise the paragraph would be left unplaced
    before that block."""
    if block.when not in STANDING_IN or any(_begins_at(words, position, other) for other in later):
        return False  # a later block's known words (a signature, after a closing left out) are that block's
    rivals = [block]
    for other in later:
        if not other.optional:
            if not any(variant.items and isinstance(variant.items[0], str) for variant in other.variants):
                return False
            break
        if other.when in STANDING_IN:
            rivals.append(other)
    closeness = [_resemblance(words, position, rival) for rival in rivals]
    return closeness[0] == max(closeness)


def _begins_later_block(words: LetterWords, position: int, later: list[BlockPatterns]) -> bool:
    """Whether one of the blocks that may come next (up to the next that must be there) prints in
    known words at `position`: a follow-up's opening resembles a first letter's, and is not its own wording."""
    for block in later:
        if _begins_at(words, position, block):
            return True
        if not block.optional:
            return False
    return False


def _begins_at(words: LetterWords, position: int, block: BlockPatterns) -> bool:
    """Whether the block prints in known words from `position` on."""
    found = _best_match(words, position, None, block)
    return found is not None and found[1].literal_count > 0 and found[1].first_literal == position


_TITLE = re.compile(r"^[A-Z][a-z]{0,2}$")  # "Mr", "Ms", "Dr", "No": a full stop after it ends no sentence


def _sentence_ends(words: LetterWords, start: int, end: int) -> list[int]:
    """Where each sentence of tokens `start` to `end` ends (the index after its full stop)."""
    ends = []
    for index in range(start + 1, end - 1):
        token, following = words.tokens[index], words.tokens[index + 1]
        if token.key in ".?!" and not _TITLE.match(words.tokens[index - 1].key) and following.key[:1].isupper():
            ends.append(index + 1)
    return ends


def _share_sentences(words: LetterWords, match: _Match) -> None:
    """Sentences of the letter's own side by side with another slot (no known word between them):
    the first slot took the words of both. After another sentence of the letter's own, each takes
    a sentence of them, the last the rest; after the case's own text (facts, paragraphs), each
    takes one of the last paragraphs, the case's text the ones before — a wording is a sentence
    of its own paragraph, and the case's text goes on until it."""
    empty = [(slot, start) for slot, start, end in match.captures if start == end and slot.field.startswith("wording.")]
    for start in dict.fromkeys(at for _, at in empty):
        taker = next((capture for capture in match.captures if capture[1] == start < capture[2]), None)
        if taker is None:
            continue
        sharing = [taker[0], *(other for other, at in empty if at == start)]
        if taker[0].field.startswith("wording."):
            ends = _sentence_ends(words, start, taker[2])[: len(sharing) - 1]
        else:
            ends = _paragraph_ends(words, start, taker[2])[-len(sharing) :][:-1]
        if len(ends) < len(sharing) - 1:
            continue
        bounds = [start, *ends, taker[2]]
        shared = {other: (bounds[number], bounds[number + 1]) for number, other in enumerate(sharing)}
        match.captures = [(other, *shared.get(other, (first, last))) for other, first, last in match.captures]


def _paragraph_ends(words: LetterWords, start: int, end: int) -> list[int]:
    """Where each paragraph of tokens `start` to `end` ends (the index after its last token), the last at `end`."""
    return [index + 1 for index in range(start, end - 1) if words.ends_paragraph(index)] + [end]


def _close_own_sentence(words: LetterWords, match: _Match) -> None:
    """A block that ends with the letter's own sentence ends with that sentence's paragraph
    (each wording is one sentence or paragraph), not at the next block's first known words:
    the case's own paragraphs that may follow are not the sentence's."""
    if match.open_slot is None or not match.open_slot[0].field.startswith("wording."):
        return
    slot, start = match.open_slot
    end = words.paragraph_end(start)
    match.captures.append((slot, start, end))
    match.open_slot, match.end = None, end


ANCHOR = 2  # the fewest known words a value is found by: one ("of", "the") is found anywhere


def _recovered(words: LetterWords, variant: Variant, match: _Match) -> list[tuple[Slot, int, int]]:
    """The case's values a sentence of the letter's own still holds: a value the known wording
    prints in that sentence (the summary after "… information we have received concerning") is
    the case's whatever the drafter changed around it. It is taken where the known words next to
    it are found in the sentence — the longest run of those before it, and those after it (at
    the sentence's end, when nothing follows it in the block) — and is not taken when they are not."""
    if variant.known is None:
        return []
    recovered: list[tuple[Slot, int, int]] = []
    for slot, start, end in match.captures:
        if slot.field.startswith("wording.") and end > start:
            taken = {found[0] for found in recovered}
            recovered += [found for found in _recovered_in(words, variant, start, end) if found[0] not in taken]
    return recovered


def _recovered_in(words: LetterWords, variant: Variant, start: int, end: int) -> list[tuple[Slot, int, int]]:
    """The case's values one sentence of the letter's own (tokens `start` to `end`) holds."""
    assert variant.known is not None
    recovered = []
    for index, item in enumerate(variant.known):
        if not isinstance(item, Slot) or item in variant.items:
            continue
        before = _literal_run(reversed(variant.known[:index]))[::-1]
        after = _literal_run(iter(variant.known[index + 1 :]))
        found_before = _anchor(words, before, start, end, before_value=True)
        if found_before is None:
            continue
        value_start = found_before[0] + found_before[1]
        if index + 1 + len(after) == len(variant.known):  # the block ends with these words: so does the sentence
            at_end = [token.key for token in words.tokens[end - len(after) : end]] == after
            value_end = end - len(after) if at_end and end - len(after) > value_start else None
        else:
            found_after = _anchor(words, after, value_start, end, before_value=False)
            value_end = None if found_after is None else found_after[0]
        if value_end is not None and value_end > value_start:
            recovered.append((item, value_start, value_end))
    return recovered


def _anchor(words: LetterWords, run: list[str], start: int, end: int, *, before_value: bool) -> tuple[int, int] | None:
    """Where the longest part of `run` next to the value is found between `start` and `end`, and
    how many words it is: its last words when the run comes before the value, its first when
    after; at least ANCHOR words (or the whole of a shorter run), none when `run` is empty."""
    for length in range(len(run), max(1, min(ANCHOR, len(run))) - 1, -1):
        found = words.find(run[-length:] if before_value else run[:length], start, end)
        if found is not None:
            return found, length
    return None


def _literal_run(items: Iterator[Item]) -> list[str]:
    """The literal words from the start of `items` up to the first slot."""
    run: list[str] = []
    for item in items:
        if isinstance(item, Slot):
            break
        run.append(item)
    return run


OwnVariants = Callable[[BlockPatterns], list[Variant]]


def match_blocks(words: LetterWords, blocks: list[BlockPatterns], own: OwnVariants | None = None) -> BlockMatch:
    """The blocks found in the letter, in order, with what each slot took. A block that must be
    there and prints in no known wording is looked for as `own` gives it: with its sentences, or
    the resolutions, the letter's own. Of blocks one of which every letter has (kinds.yaml's
    ONE_OF: a first letter's opening or a follow-up's), a letter none of whose is found is read
    again with each of them required in turn, and the best reading taken: the letter's opening
    is in its own words, and no case field is to swallow it."""
    found = _match_blocks(words, blocks, own, frozenset())
    for group in ONE_OF:
        names = [block.name for block in blocks if block.when in group]
        if len(names) > 1 and not any(name in found.blocks for name in names):
            found = min((_match_blocks(words, blocks, own, frozenset({name})) for name in names), key=lambda match: match.score)
    return found


# --- matching the letter's blocks, each in three stages --------------------------------------
# 1. `_known_match`: the block in one of its known wordings;
# 2. `_own_place`: failing that, whether and where the letter may print it in words of its own;
# 3. `_own_reading`: there, the block left out, in the last paragraph of the case's own text,
#    or as its variants of the letter's own (own_variants) read it.

AT_POSITION = (-1, -1)  # `_own_place`'s answer for a block read at the matcher's position


def _known_match(
    words: LetterWords, position: int, open_slot: tuple[Slot, int] | None, block: BlockPatterns, later: list[BlockPatterns]
) -> tuple[Variant, _Match] | None:
    """The block in one of its known wordings, unless a sentence the drafter added shares its
    paragraph, or — an optional block — the next block that must be there is found before it."""
    best = _best_match(words, position, open_slot, block)
    if best is not None and _shares_a_paragraph(words, best[1]):
        return None
    if block.optional and best is not None:
        following = next((other for other in later if not other.optional), None)
        rival = _best_match(words, position, open_slot, following) if following else None
        if rival is not None and rival[1].first_literal < best[1].first_literal:
            return None
    return best


def _own_place(
    words: LetterWords, position: int, open_slot: tuple[Slot, int] | None, block: BlockPatterns, later: list[BlockPatterns]
) -> tuple[int, int] | None:
    """Whether a block its known wordings do not find may be in the letter's own words, and where:
    one that must be there, at `position`; one whose words the next paragraph resembles (or, a
    closing paragraph the case chooses, that stands where nothing else can) and no later block's
    known words begin, at `position` (AT_POSITION); after the case's own text, its last paragraph
    when that is the block in the drafter's words (the paragraph's token range). None: the letter
    does not have it."""
    if not block.optional:
        return AT_POSITION
    if open_slot is None:
        resembling = _resembles(words, position, block) or _stands_in_for(words, position, block, later)
        return AT_POSITION if resembling and not _begins_later_block(words, position, later) else None
    paragraph = _last_paragraph(words, position, open_slot, later)
    return paragraph if paragraph is not None and _ends_the_text(words, paragraph, block, later) else None


def _own_reading(
    words: LetterWords,
    position: int,
    open_slot: tuple[Slot, int] | None,
    where: tuple[int, int],
    own_block: BlockPatterns,
    later: list[BlockPatterns],
    known: BlockPatterns,
    optional: bool,
) -> tuple[Variant, _Match] | None:
    """The block read in the letter's own words where `_own_place` put it: as the last paragraph
    of the case's text, or, for a block every letter of its kind has, left out when the letter
    goes on with the next ones; failing those, as the best of its own variants."""
    if where != AT_POSITION:
        best = _own_after_text(where, words, open_slot, own_block)
    else:
        best = None if optional else _left_out(words, position, open_slot, own_block, later, known)
    return best if best is not None else _own_match(words, position, open_slot, own_block)


def _match_blocks(
    words: LetterWords, blocks: list[BlockPatterns], own: OwnVariants | None, required: frozenset[str]
) -> BlockMatch:
    recognition = BlockMatch()
    position, open_slot = 0, None
    spans: list[tuple[Slot, int, int]] = []
    for index, original in enumerate(blocks):
        block = replace(original, optional=False) if original.name in required else original
        later = blocks[index + 1 :]
        best = _known_match(words, position, open_slot, block, later)
        if best is None:
            where = _own_place(words, position, open_slot, block, later)
            if where is not None:
                recognition.resembling.append(block.name)
                if own is not None:
                    own_block = replace(block, variants=own(block))
                    best = _own_reading(words, position, open_slot, where, own_block, later, block, original.optional)
                if best is not None:
                    recognition.own.append(block.name)
                    recognition.left_out.extend(_left_out_phrases(best[1]))
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
        spans.extend(_recovered(words, variant, match))
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


# --- the letter's reference, date and mandates --------------------------------------------------


@dataclass(frozen=True)
class LetterHead:
    """What decides every other sentence's wording: the letter's reference, date, mandates and language."""

    reference: Reference
    day: date
    mandates: list[str]
    language: str = DEFAULT_LANGUAGE


REFERENCE_PHRASE = "reference-line"  # the phrase that prints the reference: its label is each language's


def _reference_labels(project: LetterProject, language: str) -> re.Pattern[str]:
    """The reference as a language's reference block prints it, by every label its phrasebook
    gives it ("Ref.: AL OTH 11/2023", "REFERENCE: AL CHN 12/2019", "Réf. : AL COD 1/2023"): the
    label's words and marks in order, whatever spaces the typography puts between them."""
    labels = set()
    for variant in project.phrasebook_for(language).phrases.get(REFERENCE_PHRASE, []):
        for text in (variant.text, variant.one, variant.many):
            label = (text or "").partition("{{")[0].strip()
            if label:
                labels.add(r"\s*".join(re.escape(token.key) for token in tokenize(label)))
    return re.compile(rf"(?:{'|'.join(sorted(labels))})\s*({REFERENCE_TEXT})")


def letter_head(project: LetterProject, words: LetterWords) -> LetterHead:
    """Reference, date, mandates and language, which decide every other sentence's wording: the
    reference as a language's reference block prints it, the first date after it as that
    language's letters print dates, and the mandates whose names (on that date, in that language)
    the text before the reference gives. Languages share labels ("Ref.:" is English and Spanish):
    the letter's is the one whose date follows its reference soonest."""
    readings = []
    for language in LANGUAGES:
        found = _reference_labels(project, language).search(words.text)
        if found is None:
            continue
        dated = LongDates(project.phrasebook_for(language)).search(words.text, found.end())
        if dated is not None:
            readings.append((dated[1], language, found, dated[0]))
    if not readings:
        found = _reference_labels(project, LANGUAGES[0]).search(words.text)
        if found is None:
            raise RecognitionError("no reference such as 'Ref.: AL OTH 11/2023' in the letter")
        raise RecognitionError(f"no date such as '13 March 2023' after the reference {Reference.parse(found.group(1))}")
    _, language, found, day = min(readings)
    reference = Reference.parse(found.group(1))
    return LetterHead(reference, day, _mandates_named(project, words.text[: found.start()], day, language), language)


def _names_of(project: LetterProject, mandate: Mandate, day: date, language: str) -> set[str]:
    """The names a mandate goes by in a letter of `language` on `day`: the registry's (its name
    then, now and before) in English, names.<language>.yaml's in every form otherwise."""
    if language == DEFAULT_LANGUAGE:
        return {project.registry.name_on(mandate, day), mandate.name, *(former.name for former in mandate.former_names)}
    entry = project.names_for(language).names.get(mandate.id)
    return set() if entry is None else printed_names(entry, project.phrasebook_for(language))


def _mandates_named(project: LetterProject, header: str, day: date, language: str) -> list[str]:
    """Mandates whose names the header gives, each after its article ("the", "du", "de la",
    "del"), in its order; of names that overlap, the longest. A name ends the header, or a
    semicolon or the joining word and the next mandate's article follows it."""
    header = " ".join(header.split())
    book = project.phrasebook_for(language)
    articles = "|".join(re.escape(entry.article) for entry in book.header_articles)
    follows = rf"(?=\s*;|\s*$|\s+\w+\s+(?:{articles}))"
    occurrences: list[tuple[int, int, str]] = []
    for mandate in project.mandates.values():
        for name in _names_of(project, mandate, day, language):
            for match in re.finditer(r"\b" + re.escape(book.article(name) + name) + follows, header):
                occurrences.append((match.start(), match.end(), mandate.id))
    chosen: list[tuple[int, int, str]] = []
    for start, end, mandate_id in sorted(occurrences, key=lambda found: found[0] - found[1]):
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in chosen):
            chosen.append((start, end, mandate_id))
    return [mandate_id for _, _, mandate_id in sorted(chosen)]


@dataclass(frozen=True)
class Recognition:
    """A letter recognised: its head, the probe that matched it (its base data, in which the
    sentinels stand for the case's own fields) and what matching its blocks found. The case file
    is this probe's shape with the sentinels replaced by what their slots took."""

    head: LetterHead
    probe: Probing
    found: BlockMatch

    @property
    def base(self) -> dict[str, Any]:
        return self.probe.base

    @property
    def sentinels(self) -> Sentinels:
        return self.probe.sentinels


def recognise(project: LetterProject, words: LetterWords) -> Recognition:
    """The letter's head, and the best match of its words among the recipient kinds its reference allows."""
    head = letter_head(project, words)
    recipients = ["company", "organization"] if head.reference.country == NON_STATE else ["state"]
    probes = [
        probing(project, str(head.reference), head.day, head.mandates, recipient, head.language) for recipient in recipients
    ]
    readings = [Recognition(head, probe, match_blocks(words, probe.patterns)) for probe in probes]
    best = min(readings, key=lambda reading: reading.found.score)
    if all(reading.found.missing_block is None and not reading.found.resembling for reading in readings):
        return best
    # Only a letter no known wording reads is read with its own: its sentences are learnt then.
    # (Any reading: a company's follow-up in words of its own could pass for an organization's
    # letter, whose probe has no follow-up in those words, and would lose its follow-up.)
    # The reading with them is taken unless it places less of the letter (a sentence a case's
    # field would otherwise have swallowed is placed either way: as its wording, it rebuilds).
    readings = [Recognition(head, probe, match_blocks(words, probe.patterns, own_variants(project, probe))) for probe in probes]
    own = min(readings, key=lambda reading: reading.found.score)
    return own if own.found.score[:2] <= best.found.score[:2] else best


__all__ = ["BlockMatch", "LetterHead", "Recognition", "Unplaced", "letter_head", "recognise"]
