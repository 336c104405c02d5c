"""The block matcher on its own (importer/recognise.py `match_blocks`): blocks of literal words and
slots matched in order against a letter's words, without pandoc or the project's templates."""

from __future__ import annotations

from alletter.importer.probes import BlockPatterns, Item, Probe, Slot, Variant
from alletter.importer.recognise import match_blocks
from alletter.importer.words import LetterWords, tokenize


def pattern(*parts: str | Slot) -> list[Item]:
    """Literal text cut into tokens as the letter's are; slots as given."""
    items: list[Item] = []
    for part in parts:
        items.extend([part] if isinstance(part, Slot) else [token.key for token in tokenize(part)])
    return items


def block(name: str, *variants: list[Item], optional: bool = False) -> BlockPatterns:
    return BlockPatterns(name, optional, [Variant(items, [Probe(f"{name}-{n}", {})]) for n, items in enumerate(variants)])


FACTS = Slot("facts")
SUMMARY = Slot("summary")
OPENING = block("opening", pattern("We have the honour to address you concerning", SUMMARY, "."))
ACCORDING = block("according", pattern("According to the information received:", FACTS))
CLOSING = block("closing", pattern("Please accept the assurances of our highest consideration."))


def test_slots_take_the_words_between_the_literal_runs() -> None:
    words = LetterWords(
        [
            "We have the honour to address you concerning the detention of Ms. A.",
            "According to the information received:",
            "Ms. A was arrested on 1 May.",
            "She is held incommunicado.",
            "Please accept the assurances of our highest consideration.",
        ]
    )
    found = match_blocks(words, [OPENING, ACCORDING, CLOSING])
    assert found.missing_block is None and found.unplaced == []
    assert found.captures["summary"] == ["the detention of Ms. A"]
    assert found.captures["facts"] == ["Ms. A was arrested on 1 May.\n\nShe is held incommunicado."]


def test_a_missing_block_that_must_be_there_is_named_with_the_words_left() -> None:
    words = LetterWords(["We have the honour to address you concerning a case.", "Yours sincerely."])
    found = match_blocks(words, [OPENING, ACCORDING, CLOSING])
    assert found.missing_block == "according"
    assert [(item.paragraph, item.text, item.why) for item in found.unplaced] == [(2, "Yours sincerely.", "no `according` block")]


def test_an_optional_block_is_skipped_where_its_words_are_not_before_the_next_one() -> None:
    urgency = block("urgency", pattern("In view of the urgency of the matter,"), optional=True)
    words = LetterWords(["We have the honour to address you concerning a case.", "According to the information received:", "X."])
    found = match_blocks(words, [OPENING, urgency, ACCORDING])
    assert "urgency" not in found.blocks and found.missing_block is None
    assert found.captures["facts"] == ["X."]


def test_words_no_block_accounts_for_are_reported_not_dropped() -> None:
    words = LetterWords(
        [
            "We have the honour to address you concerning a case.",
            "A sentence the drafter added.",
            "According to the information received:",
            "X.",
        ]
    )
    found = match_blocks(words, [OPENING, ACCORDING])
    assert [(item.paragraph, item.text, item.why) for item in found.unplaced] == [
        (2, "A sentence the drafter added.", "before the `according` block")
    ]


def test_of_two_variants_the_one_that_prints_the_letters_words_is_chosen() -> None:
    singular = pattern("I have the honour to address you concerning", SUMMARY, ".")
    plural = pattern("We have the honour to address you concerning", SUMMARY, ".")
    opening = block("opening", singular, plural)
    found = match_blocks(LetterWords(["I have the honour to address you concerning a case."]), [opening])
    assert found.blocks["opening"].items == singular
    assert found.captures["summary"] == ["a case"]


OWN_OPENING = Slot("wording.opening")


def own_opening(found: BlockPatterns) -> list[Variant]:
    """The opening as the letter's own sentence, as probes.own_variants gives it."""
    return [Variant([OWN_OPENING], [Probe("own opening", {})], known=OPENING.variants[0].items)] if found is OPENING else []


def test_a_block_in_the_letters_own_words_is_its_wording_and_keeps_the_summary() -> None:
    words = LetterWords(
        [
            "We write to address you concerning the detention of Ms. A.",
            "According to the information received:",
            "X.",
        ]
    )
    assert match_blocks(words, [OPENING, ACCORDING]).missing_block == "opening"
    found = match_blocks(words, [OPENING, ACCORDING], own_opening)
    assert found.missing_block is None and found.own == ["opening"]
    assert found.captures["wording.opening"] == ["We write to address you concerning the detention of Ms. A."]
    assert found.captures["summary"] == ["the detention of Ms. A"]
    assert found.captures["facts"] == ["X."]


def test_a_summary_whose_known_words_are_gone_is_not_taken_from_the_own_sentence() -> None:
    words = LetterWords(["We write to you regarding the detention of Ms. A.", "According to the information received:", "X."])
    found = match_blocks(words, [OPENING, ACCORDING], own_opening)
    assert found.captures["wording.opening"] == ["We write to you regarding the detention of Ms. A."]
    assert "summary" not in found.captures


def test_an_optional_block_the_next_paragraph_resembles_is_offered_as_own_wording() -> None:
    urgency = block("urgency", pattern("In view of the urgency of the matter, we request a reply."), optional=True)
    own_urgency = Slot("wording.urgency")

    def own(found: BlockPatterns) -> list[Variant]:
        return [Variant([own_urgency], [Probe("own urgency", {})], known=urgency.variants[0].items)] if found is urgency else []

    words = LetterWords(
        [
            "We have the honour to address you concerning a case.",
            "In view of the gravity of the matter, we request a reply.",
            "According to the information received:",
            "X.",
        ]
    )
    assert match_blocks(words, [OPENING, urgency, ACCORDING]).resembling == ["urgency"]
    found = match_blocks(words, [OPENING, urgency, ACCORDING], own)
    assert found.own == ["urgency"]
    assert found.captures["wording.urgency"] == ["In view of the gravity of the matter, we request a reply."]
    unrelated = LetterWords(
        ["We have the honour to address you concerning a case.", "According to the information received:", "X."]
    )
    assert match_blocks(unrelated, [OPENING, urgency, ACCORDING], own).own == []
