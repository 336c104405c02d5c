"""`alletter import` absorbs a letter's own wording (issue 21, item 9): a boilerplate sentence that
departs from every known wording comes back as `wording:`, a resolution other than the one in
force as `resolutions:`, and the case rebuilds the letter word for word."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, letter_under_a_renewal_without_number, run_alletter
from textextract import compare_words, docx_text

from alletter.importer.case_file import merge_into

OWN_INTERIM_MEASURES = (
    "While awaiting a reply, we urge that every necessary interim measure be taken to halt the alleged "
    "violations and to prevent their re-occurrence."
)


def _case_with_own_wording(cases: Path) -> Path:
    """AL IND 1/2023 with its own interim-measures sentence and the trafficking mandate's resolution
    of 2017 (35/5) rather than 44/4, in force on 13 March 2023."""
    cases.mkdir(parents=True, exist_ok=True)
    case = cases / "AL-IND-1-2023.yaml"
    own = {"wording": {"interim-measures": OWN_INTERIM_MEASURES}, "resolutions": {"trafficking": "35/5"}}
    text = (REPO / "cases" / "AL-IND-1-2023.yaml").read_text(encoding="utf-8")
    case.write_text(text + "\n" + yaml.safe_dump(own, width=100, sort_keys=False), encoding="utf-8")
    return case


def _built(case: Path, out: Path, fmt: str) -> Path:
    completed = run_alletter("render", case, "--out", out, "--format", fmt, "--root", REPO)
    assert completed.returncode == 0, completed.stderr
    return out / f"{case.stem}.{fmt}"


def _edited(slug: str, tmp_path: Path, old: str, new: str, *more: tuple[str, str]) -> Path:
    """The example case's DOCX with boilerplate sentences' words changed (`old` to `new`, and
    each of `more`), as a drafter edits it in Word."""
    letter = _built(REPO / "cases" / f"{slug}.yaml", tmp_path / "letter", "docx")
    target = tmp_path / f"{slug}.docx"
    with zipfile.ZipFile(letter) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as edited:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                for before, after in [(old, new), *more]:
                    assert before.encode() in data, f"{before!r} is not in one run of {letter.name}"
                    data = data.replace(before.encode(), after.encode())
            edited.writestr(item, data)
    return target


def _imported_word_for_word(letter: Path, out_case: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case `alletter import` writes for an edited example letter, which it says rebuilds the
    letter word for word, and the example case the letter was built from."""
    completed = run_alletter("import", letter, "--out", out_case, "--root", REPO)
    assert completed.returncode == 0, completed.stderr
    assert "builds the letter again word for word" in completed.stdout
    original = yaml.safe_load((REPO / "cases" / out_case.name).read_text(encoding="utf-8"))
    return yaml.safe_load(out_case.read_text(encoding="utf-8")), original


def _rebuilds(case: Path, letter: Path, out: Path) -> None:
    """The imported case, built by the real command, prints the letter's words, none more, none fewer."""
    built = _built(case, out, "docx")
    comparison = compare_words(docx_text(letter).split(), docx_text(built))
    assert (comparison.missing, comparison.extra) == ([], [])


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_letters_own_sentence_and_resolution_come_back_as_its_overrides(tmp_path: Path, fmt: str) -> None:
    case = _case_with_own_wording(tmp_path / "cases")
    letter = _built(case, tmp_path / "letter", fmt)
    out_case = tmp_path / "imported" / "AL-IND-1-2023.yaml"
    out_case.parent.mkdir()

    completed = run_alletter("import", letter, "--out", out_case, "--root", REPO)

    assert completed.returncode == 0, completed.stderr
    assert "builds the letter again word for word" in completed.stdout
    assert "TODO" not in out_case.read_text(encoding="utf-8")
    imported = yaml.safe_load(out_case.read_text(encoding="utf-8"))
    assert imported["wording"] == {"interim-measures": OWN_INTERIM_MEASURES}
    assert imported["resolutions"] == {"trafficking": "35/5"}
    original = case.read_text(encoding="utf-8")
    assert merge_into(original, imported) == original, "the imported case differs from the case it was built from"
    if fmt == "docx":
        _rebuilds(out_case, letter, tmp_path / "rebuilt")


@pytest.mark.parametrize(
    ("slug", "phrase", "old", "new"),
    [
        (
            "AL-IND-1-2023",
            "interim-measures",
            "we urge that all necessary interim measures",
            "we urge that every necessary interim measure",
        ),
        (
            "UA-BRA-1-2023",
            "urgency",
            "In view of the urgency of the matter, we would appreciate",
            "Given the urgency of the matter, we would welcome",
        ),
        (
            "UA-BRA-1-2023",
            "questions-intro",
            "we would be grateful for your observations",
            "we would appreciate your observations",
        ),
        ("AL-OTH-10-2023", "explanatory", "human rights experts appointed and mandated by", "experts appointed by"),
    ],
)
def test_a_sentence_edited_in_word_imports_as_that_sentences_own_wording(
    tmp_path: Path, slug: str, phrase: str, old: str, new: str
) -> None:
    edited = _edited(slug, tmp_path, old, new)
    (tmp_path / "cases").mkdir()

    completed = run_alletter("import", edited, "--out", tmp_path / "cases", "--root", REPO)

    assert completed.returncode == 0, completed.stderr
    out = " ".join(completed.stdout.split())
    assert "word for word: 0" in out and "with overrides: 1" in out and "with TODOs: 0" in out
    assert f"{slug}.yaml: its own {phrase}" in out
    imported = yaml.safe_load((tmp_path / "cases" / f"{slug}.yaml").read_text(encoding="utf-8"))
    assert list(imported["wording"]) == [phrase]
    assert new in imported["wording"][phrase]
    assert "resolutions" not in imported
    _rebuilds(tmp_path / "cases" / f"{slug}.yaml", edited, tmp_path / "rebuilt")


def test_an_edited_sentence_that_holds_the_summary_keeps_the_summary(tmp_path: Path) -> None:
    """The drafter changed the words around the summary ("I wish to draw the attention of"): the
    sentence is the letter's own, and the summary it prints is still the case's."""
    edited = _edited(
        "AL-PAK-1-2023",
        tmp_path,
        "I would like to bring to the attention of your Excellency’s Government information",
        "I wish to draw the attention of your Excellency’s Government to information",
    )
    out_case = tmp_path / "AL-PAK-1-2023.yaml"
    imported, original = _imported_word_for_word(edited, out_case)
    assert imported["summary"] == original["summary"]
    assert imported["wording"]["bring-to-attention"].startswith("In this connection, I wish to draw the attention of")
    own_text = ["facts", "paragraphs"]  # printed side by side: the letter cannot tell where the facts end
    assert [text for key in own_text for text in imported.get(key, [])] == [text for key in own_text for text in original[key]]
    _rebuilds(out_case, edited, tmp_path / "rebuilt")


def test_a_letter_of_2020_citing_an_earlier_resolution_comes_back_word_for_word(tmp_path: Path) -> None:
    case = REPO / "cases" / "forms" / "AL-CHN-5-2020.yaml"
    letter = _built(case, tmp_path / "letter", "pdf")
    out_case = tmp_path / "AL-CHN-5-2020.yaml"

    completed = run_alletter("import", letter, "--out", out_case, "--root", REPO)

    assert completed.returncode == 0, completed.stderr
    assert "builds the letter again word for word" in completed.stdout
    assert yaml.safe_load(out_case.read_text(encoding="utf-8"))["resolutions"] == {"freedom-of-expression": "34/18"}


def test_a_summary_its_known_words_no_longer_frame_is_not_guessed(tmp_path: Path) -> None:
    """ "regarding" for "concerning": where the summary begins in the drafter's sentence is not
    known, so the whole sentence is the letter's own, summary and all, and no summary is made up."""
    edited = _edited("AL-PAK-1-2023", tmp_path, "I have received concerning the", "I have received regarding the")
    out_case = tmp_path / "AL-PAK-1-2023.yaml"

    completed = run_alletter("import", edited, "--out", out_case, "--root", REPO)

    imported = yaml.safe_load(out_case.read_text(encoding="utf-8"))
    assert "summary" not in imported
    assert "regarding the blocking of an online news outlet" in imported["wording"]["bring-to-attention"]
    assert "builds the letter again word for word" in completed.stdout
    _rebuilds(out_case, edited, tmp_path / "rebuilt")


def test_two_sentences_edited_side_by_side_import_as_two_overrides(tmp_path: Path) -> None:
    """AL OTH 10/2023's follow-up paragraph with both sentences after the recall reworded: each
    is its own override, and the facts they still print (the reply's date, the Governments that
    replied) are the case's."""
    replied = "We appreciate your comprehensive reply dated 28 May 2021, which we have studied closely."
    edited = _edited(
        "AL-OTH-10-2023",
        tmp_path,
        "which we carefully reviewed",
        "which we have studied closely",
        ("We have also examined replies", "We have also studied the replies"),
    )
    out_case = tmp_path / "AL-OTH-10-2023.yaml"
    imported, original = _imported_word_for_word(edited, out_case)
    assert list(imported["wording"]) == ["follow-up-replied", "follow-up-other-replies"]
    assert imported["wording"]["follow-up-replied"] == replied
    assert imported["wording"]["follow-up-other-replies"].startswith("We have also studied the replies received from")
    assert imported["recipient"]["kind"] == "company"
    assert imported["follow_up"] == original["follow_up"]
    _rebuilds(out_case, edited, tmp_path / "rebuilt")


# Boilerplate of UA BRA 1/2023 as the templates print it, whole paragraphs, for edits that
# replace or delete a sentence rather than change a few of its words.
UA_BRA_URGENCY = (
    "In view of the urgency of the matter, we would appreciate a response on the initial steps taken by your "
    "Excellency’s Government to safeguard the rights of the above-mentioned person(s) in compliance with "
    "international instruments."
)
UA_BRA_INTERIM_MEASURES = (
    "While awaiting a reply, we urge that all necessary interim measures be taken to halt the alleged violations "
    "and prevent their re-occurrence and in the event that the investigations support or suggest the allegations "
    "to be correct, to ensure the accountability of any person(s) responsible for the alleged violations."
)
UA_BRA_PRESS_RELEASE = (
    "We may publicly express our concerns in the near future as, in our view, the information upon which the press "
    "release will be based is sufficiently reliable to indicate a matter warranting immediate attention. We also "
    "believe that the wider public should be alerted to the potential implications of the above-mentioned "
    "allegations. The press release will indicate that we have been in contact with your Excellency’s Government’s "
    "to clarify the issue/s in question."
)


def _own_wording_of(slug: str, tmp_path: Path, *edits: tuple[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The example letter edited in Word, imported word for word and rebuilt by the real command:
    the imported case and the example case."""
    first, *more = edits
    edited = _edited(slug, tmp_path, *first, *more)
    out_case = tmp_path / "imported" / f"{slug}.yaml"
    out_case.parent.mkdir()
    imported, original = _imported_word_for_word(edited, out_case)
    assert "TODO" not in out_case.read_text(encoding="utf-8")
    _rebuilds(out_case, edited, tmp_path / "rebuilt")
    return imported, original


def _same_own_text(imported: dict[str, Any], original: dict[str, Any]) -> None:
    """The case's own values came back as they were (quotes typed straight, as the letter's curly
    ones are the same to a case): the overrides took no more than their sentences."""

    def plain(value: Any) -> str:
        return yaml.safe_dump(value, allow_unicode=True, width=10_000).translate(str.maketrans("‘’“”", "''\"\""))

    for key in ("summary", "questions", "related", "closing_paragraphs", "mandates"):
        assert plain(imported.get(key)) == plain(original.get(key)), key
    own_text = ["facts", "paragraphs"]  # printed side by side: the letter cannot tell where the facts end
    assert [text for key in own_text for text in imported.get(key, [])] == [
        text for key in own_text for text in original.get(key, [])
    ]


def test_three_sentences_edited_far_apart_import_as_three_overrides(tmp_path: Path) -> None:
    """The opening, the questions' introduction and a closing paragraph each changed a little:
    three overrides, each in its own block, and nothing else of the case changed."""
    imported, original = _own_wording_of(
        "UA-BRA-1-2023",
        tmp_path,
        ("We have the honour to address you in our capacities as", "We are writing to you in our capacities as"),
        ("we would be grateful for your observations", "we would appreciate your observations"),
        ("We may publicly express our concerns in the near future", "We may express our concerns publicly soon"),
    )
    assert sorted(imported["wording"]) == ["honour", "press-release", "questions-intro"]
    assert imported["wording"]["honour"].startswith("We are writing to you in our capacities as Special Rapporteur")
    assert imported["wording"]["honour"].endswith("resolutions 43/4 and 50/7.")
    assert "we would appreciate your observations on the following matters:" in imported["wording"]["questions-intro"]
    assert imported["wording"]["press-release"].startswith("We may express our concerns publicly soon as")
    _same_own_text(imported, original)


# A drafter's own sentences that keep few of the known wording's words.
OWN_URGENCY = "Because this matter cannot wait, an early answer describing the first protective steps is requested."
OWN_INTERIM_MEASURES_REWRITTEN = (
    "Pending your answer, we call for every step needed to stop these abuses at once and to hold to account "
    "whoever is found responsible."
)
OWN_PRESS_RELEASE = "We intend to issue a public statement shortly, since the reports we hold appear credible."


def test_sentences_rewritten_with_few_known_words_import_as_overrides(tmp_path: Path) -> None:
    """The urgency, interim-measures and press-release paragraphs rewritten through: no known
    wording resembles them, yet each stands where its block does, and is that block's own wording."""
    imported, original = _own_wording_of(
        "UA-BRA-1-2023",
        tmp_path,
        (UA_BRA_URGENCY, OWN_URGENCY),
        (UA_BRA_INTERIM_MEASURES, OWN_INTERIM_MEASURES_REWRITTEN),
        (UA_BRA_PRESS_RELEASE, OWN_PRESS_RELEASE),
    )
    assert imported["wording"]["urgency"] == OWN_URGENCY
    assert imported["wording"]["interim-measures"] == OWN_INTERIM_MEASURES_REWRITTEN
    assert imported["wording"]["press-release"] == OWN_PRESS_RELEASE
    assert sorted(imported["wording"]) == ["interim-measures", "press-release", "urgency"]
    _same_own_text(imported, original)


@pytest.mark.parametrize(
    ("phrase", "deleted"),
    [("interim-measures", UA_BRA_INTERIM_MEASURES), ("urgency", UA_BRA_URGENCY)],
)
def test_a_sentence_the_drafter_deleted_imports_as_its_empty_wording(tmp_path: Path, phrase: str, deleted: str) -> None:
    """A sentence every letter of its kind says, deleted in Word: the case says it in no words
    (`wording: {PHRASE: ""}`, the letter leaves it out), and everything else is the case's as before."""
    imported, original = _own_wording_of("UA-BRA-1-2023", tmp_path, (deleted, ""))
    assert imported["wording"] == {phrase: ""}
    _same_own_text(imported, original)


@pytest.mark.parametrize(
    "wording",
    [
        {
            "honour": "We are writing to you in our capacities as Special Rapporteurs, pursuant to resolutions 43/4 and 50/7.",
            "questions-intro": "We would appreciate your observations on the following matters:",
            "press-release": OWN_PRESS_RELEASE,
        },
        {
            "honour": "Two United Nations experts on expression and on women write to you together.",
            "urgency": "",
            "interim-measures": OWN_INTERIM_MEASURES_REWRITTEN,
            "closing": "With our respectful regards.",
        },
        {"annex-reference": "The annex to this letter recalls the law that applies.", "publication": ""},
    ],
    ids=["three edited", "rewritten through and deleted", "annex reference rewritten through"],
)
def test_a_pdf_with_sentences_of_its_own_comes_back_word_for_word(tmp_path: Path, wording: dict[str, str]) -> None:
    """The PDF path: a case with sentences of its own far apart — in its opening, before the
    questions, in its closing paragraphs — some in none of the known words, one left out, built
    as a PDF and imported, is the case it was built from."""
    cases = tmp_path / "cases"
    cases.mkdir()
    case = cases / "UA-BRA-1-2023.yaml"
    text = (REPO / "cases" / case.name).read_text(encoding="utf-8")
    case.write_text(text + "\n" + yaml.safe_dump({"wording": wording}, width=100, sort_keys=False), encoding="utf-8")
    letter = _built(case, tmp_path / "letter", "pdf")
    out_case = tmp_path / "imported" / case.name
    out_case.parent.mkdir()

    completed = run_alletter("import", letter, "--out", out_case, "--root", REPO)

    assert completed.returncode == 0, completed.stderr
    assert "builds the letter again word for word" in completed.stdout
    imported = yaml.safe_load(out_case.read_text(encoding="utf-8"))
    assert imported["wording"] == wording
    original = case.read_text(encoding="utf-8")
    assert merge_into(original, imported) == original, "the imported case differs from the case it was built from"


QUESTIONS_INTRO = (
    "As it is our responsibility, under the mandates provided to us by the Human Rights Council, to seek to clarify "
    "all cases brought to our attention, we would be grateful for your observations on the following matters:"
)


def test_a_sentence_rewritten_right_after_the_cases_own_paragraphs_is_its_own_wording(tmp_path: Path) -> None:
    """AL IND 1/2023 goes from its facts straight to the questions' introduction, with no known
    words between them: rewritten through, the introduction is still the paragraph before the
    questions, the letter's own wording of it, and the facts stay the case's."""
    own = "Your comments on the points below would help us to understand the situation:"
    imported, original = _own_wording_of("AL-IND-1-2023", tmp_path, (QUESTIONS_INTRO, own))
    assert imported["wording"] == {"questions-intro": own}
    _same_own_text(imported, original)


TECHNICAL_SUPPORT = (
    "We stand ready to provide you with any technical support and cooperation in operating in conformity with "
    "international human rights standards."
)


def test_a_follow_up_to_a_company_with_three_sentences_edited_imports_as_three_overrides(tmp_path: Path) -> None:
    """AL OTH 10/2023 (a follow-up to a company): its explanatory paragraph, the follow-up
    questions' introduction and the offer of technical support each changed a little."""
    imported, original = _own_wording_of(
        "AL-OTH-10-2023",
        tmp_path,
        ("human rights experts appointed and mandated by", "experts appointed by"),
        ("We would also like to take this opportunity to pose", "We also take this opportunity to pose"),
        ("We stand ready to provide you with any technical support", "We remain ready to offer you any technical support"),
    )
    assert sorted(imported["wording"]) == ["explanatory", "questions-intro-follow-up", "technical-support"]
    assert imported["follow_up"] == original["follow_up"]
    _same_own_text(imported, original)


def test_a_closing_paragraph_rewritten_through_after_the_questions_is_not_a_question(tmp_path: Path) -> None:
    """The offer of technical support, after the last question, rewritten through: it is the
    letter's own technical-support paragraph, not a sentence of the last question."""
    own = "Our offices can advise your staff on these matters, should you wish."
    imported, original = _own_wording_of("AL-OTH-10-2023", tmp_path, (TECHNICAL_SUPPORT, own))
    assert imported["wording"] == {"technical-support": own}
    _same_own_text(imported, original)


UA_BRA_HONOUR = (
    "We have the honour to address you in our capacities as Special Rapporteur on the promotion and protection of "
    "the right to freedom of opinion and expression and Special Rapporteur on violence against women and girls, its "
    "causes and consequences, pursuant to Human Rights Council resolutions 43/4 and 50/7."
)
UA_BRA_BRING_TO_ATTENTION = (
    "In this connection, we would like to bring to the attention of your Excellency’s Government information we have "
    "received concerning threats and an attack against Ms.\xa0A, a journalist who reported on the environmental impact "
    "of a mining project in the State of Pará, and the risk she now faces."
)
UA_BRA_CLOSING = "Please accept, Excellency, the assurances of our highest consideration."


@pytest.mark.parametrize(
    ("phrase", "known", "own"),
    [
        ("honour", UA_BRA_HONOUR, "Two United Nations experts on expression and on women write to you together."),
        (
            "bring-to-attention",
            UA_BRA_BRING_TO_ATTENTION,
            "Reports have reached us of threats against a journalist in Pará, described below.",
        ),
        ("closing", UA_BRA_CLOSING, "With our respectful regards."),
    ],
)
def test_an_opening_or_closing_sentence_rewritten_through_is_its_own_wording(
    tmp_path: Path, phrase: str, known: str, own: str
) -> None:
    """The honour sentence, the one that brings the case to the Government's attention, or the
    closing formula, rewritten with (next to) no known word: each is still its block, in the
    letter's own words, and the case's facts stay the case's."""
    imported, original = _own_wording_of("UA-BRA-1-2023", tmp_path, (known, own))
    assert imported["wording"] == {phrase: own}
    _same_own_text({**imported, "summary": original["summary"]} if phrase == "bring-to-attention" else imported, original)


FOLLOW_UP_OTHER_REPLIES = (
    " We have also examined replies received from the Governments of China, Mexico, United Kingdom of Great Britain "
    "and Northern Ireland, United States of America in order to further consider the situation."
)


def test_the_questions_introduction_deleted_is_left_out(tmp_path: Path) -> None:
    """The introduction deleted from before the numbered questions: the questions block is still
    found by its standard question, and the introduction is worded as nothing."""
    imported, original = _own_wording_of("UA-BRA-1-2023", tmp_path, (QUESTIONS_INTRO, ""))
    assert imported["wording"] == {"questions-intro": ""}
    _same_own_text(imported, original)


def test_a_follow_up_sentence_naming_replies_deleted_leaves_the_replies_out(tmp_path: Path) -> None:
    """The follow-up paragraph's sentence on the other Governments' replies deleted: the letter
    reads as a follow-up that names none, which is what the case then says (a letter does not
    tell what it does not print); no override is needed."""
    imported, original = _own_wording_of("AL-OTH-10-2023", tmp_path, (FOLLOW_UP_OTHER_REPLIES, ""))
    assert "wording" not in imported
    assert imported["follow_up"] == {key: value for key, value in original["follow_up"].items() if key != "other_replies"}
    _same_own_text(imported, original)


def test_a_letter_edited_throughout_imports_word_for_word(tmp_path: Path) -> None:
    """Six of UA BRA 1/2023's sentences departing from the known wording, all over the letter: a
    few words changed, rewritten through, deleted — each its own override, the case's text intact."""
    imported, original = _own_wording_of(
        "UA-BRA-1-2023",
        tmp_path,
        ("We have the honour to address you in our capacities as", "We are writing to you in our capacities as"),
        (UA_BRA_URGENCY, ""),
        ("we would be grateful for your observations", "we would appreciate your observations"),
        (UA_BRA_INTERIM_MEASURES, OWN_INTERIM_MEASURES_REWRITTEN),
        ("We may publicly express our concerns in the near future", "We may express our concerns publicly soon"),
        (UA_BRA_CLOSING, "With our respectful regards."),
    )
    assert sorted(imported["wording"]) == [
        "closing",
        "honour",
        "interim-measures",
        "press-release",
        "questions-intro",
        "urgency",
    ]
    assert imported["wording"]["urgency"] == ""
    _same_own_text(imported, original)


@pytest.mark.parametrize("where", ["after", "before"])
def test_a_sentence_added_to_a_boilerplate_paragraph_makes_the_paragraph_its_own(tmp_path: Path, where: str) -> None:
    """A sentence of the drafter's own added to the interim-measures paragraph, at its end or its
    start: the paragraph, known words and all, is the letter's own wording of the sentence."""
    added = "We would also be grateful to be kept informed."
    edited = f"{UA_BRA_INTERIM_MEASURES} {added}" if where == "after" else f"{added} {UA_BRA_INTERIM_MEASURES}"
    imported, original = _own_wording_of("UA-BRA-1-2023", tmp_path, (UA_BRA_INTERIM_MEASURES, edited))
    assert imported["wording"] == {"interim-measures": edited}
    _same_own_text(imported, original)


def test_a_sentence_deleted_before_one_rewritten_through_still_rebuilds(tmp_path: Path) -> None:
    """The urgency paragraph deleted and the questions' introduction after it rewritten through:
    the one paragraph left resembles neither's known words, so which of the two it is cannot be
    told from the letter (here it is read as the urgency, the introduction left out) — the case
    says one of the sentences in the drafter's words and the other in none, and rebuilds the
    letter word for word either way."""
    own = "Your comments on the points below would help us to understand the situation:"
    imported, original = _own_wording_of("UA-BRA-1-2023", tmp_path, (UA_BRA_URGENCY, ""), (QUESTIONS_INTRO, own))
    assert sorted(imported["wording"].values()) == ["", own]
    assert sorted(imported["wording"]) == ["questions-intro", "urgency"]
    _same_own_text(imported, original)


def test_three_sentences_of_one_block_edited_import_as_three_overrides(tmp_path: Path) -> None:
    """All three sentences of AL OTH 10/2023's follow-up paragraph reworded: three overrides, a
    sentence each, and the facts they print (the prior letter, the reply's date) still the case's
    where the known words around them are found."""
    imported, original = _own_wording_of(
        "AL-OTH-10-2023",
        tmp_path,
        ("In this connection, we write in reference to", "In this connection, we refer to"),
        ("which we carefully reviewed", "which we have studied closely"),
        ("We have also examined replies", "We have also studied the replies"),
    )
    assert sorted(imported["wording"]) == ["follow-up-other-replies", "follow-up-recall", "follow-up-replied"]
    assert imported["wording"]["follow-up-recall"].startswith("In this connection, we refer to the joint communication")
    assert imported["follow_up"] == original["follow_up"]
    _same_own_text(imported, original)


ENGAGEMENT_OFFER = (
    "We would also welcome the opportunity to further engage on this matter and would like to explore the "
    "possibility of meeting with us to explain the work of our respective mandates and pursue further discussion "
    "on this issue. This could occur at any time convenient to you. We stand ready to provide you with any "
    "assistance that you may require in ensuring your company respects international human rights law and standards."
)


def test_an_offer_to_engage_reworded_after_the_follow_up_is_its_own_wording(tmp_path: Path) -> None:
    """AL OTH 11/2023's offer to engage, a few words changed, right where the case's own paragraphs
    may stand: it resembles the offer, so it is the offer in the letter's words, not a paragraph."""
    imported, original = _own_wording_of(
        "AL-OTH-11-2023", tmp_path, ("We would also welcome the opportunity", "We would further welcome the chance")
    )
    assert list(imported["wording"]) == ["engagement-offer"]
    assert imported["closing_paragraphs"] == original["closing_paragraphs"]
    _same_own_text(imported, original)


def test_an_offer_to_engage_rewritten_through_is_read_as_the_cases_paragraph(tmp_path: Path) -> None:
    """Rewritten through, the offer cannot be told from a paragraph of the case's own, which may
    stand in the same place: it comes back as one (a known limit), and the letter still rebuilds."""
    own = "Meeting you would help us; we are at your disposal."
    imported, original = _own_wording_of("AL-OTH-11-2023", tmp_path, (ENGAGEMENT_OFFER, own))
    assert "wording" not in imported
    assert imported["paragraphs"][-1].startswith(own)


def test_the_closing_formula_deleted_before_the_signature_is_left_out(tmp_path: Path) -> None:
    """AL PAK 1/2023 (one mandate) with its closing formula deleted: the signature that follows
    is the signatures block, not a closing paragraph in the drafter's words; the closing is left out."""
    closing = "Please accept, Excellency, the assurances of my highest consideration."
    imported, original = _own_wording_of("AL-PAK-1-2023", tmp_path, (closing, ""))
    assert imported["wording"] == {"closing": ""}
    _same_own_text(imported, original)


def test_a_letter_citing_a_renewal_the_registry_knows_by_its_date_only_imports_with_its_number(
    project_copy: Path,
) -> None:
    """Where mandates.yaml lacks the number of the renewal in force (here torture's of April 2023,
    made number-less in a copy), import reads the number the letter cites into `resolutions:`,
    rather than stopping at the registry's gap, and the case builds the letter again."""
    case = letter_under_a_renewal_without_number(project_copy, {"resolutions": {"torture": "52/7"}})
    built = run_alletter("render", case, "--out", project_copy / "out", "--format", "docx", cwd=project_copy)
    assert built.returncode == 0, built.stdout + built.stderr
    imported = project_copy / "imported" / "AL-PAK-7-2023.yaml"
    completed = run_alletter("import", project_copy / "out" / "AL-PAK-7-2023.docx", "--out", imported, cwd=project_copy)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "builds the letter again word for word" in completed.stdout + completed.stderr
    assert yaml.safe_load(imported.read_text(encoding="utf-8"))["resolutions"] == {"torture": "52/7"}


def test_a_letter_signed_where_the_registry_knows_no_holder_imports_with_its_signatory(project_copy: Path) -> None:
    """A Working Group's chair between two sightings: the registry has no holder that day, the
    letter's signature block says who signed, and import reads it into `signed_by` (name, and the
    title as printed), so that the case passes check and builds the letter again."""
    from alletter.project.letter_project import LetterProject

    project = LetterProject(project_copy)
    business = project.mandates["business-and-human-rights"]
    assert project.registry.on(business, date(2023, 6, 1)).holder is None, "pick a day the registry has no chair on"
    title = "Chair-Rapporteur of the Working Group on the issue of human rights and transnational corporations and other business enterprises"
    data = yaml.safe_load((REPO / "cases" / "AL-OTH-11-2023.yaml").read_text(encoding="utf-8"))
    for field in ("follow_up", "related"):
        data.pop(field, None)
    data |= {
        "reference": "AL OTH 5/2023",
        "date": "2023-06-01",
        "mandates": ["business-and-human-rights", "education"],
        "signed_by": {"business-and-human-rights": {"name": "Jane Roe", "title": title}},
    }
    case = project_copy / "cases" / "AL-OTH-5-2023.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    built = run_alletter("render", case, "--out", project_copy / "out", "--format", "docx,pdf", cwd=project_copy)
    assert built.returncode == 0, built.stdout + built.stderr
    for fmt in ("docx", "pdf"):
        imported = project_copy / "imported" / fmt / "AL-OTH-5-2023.yaml"
        completed = run_alletter("import", project_copy / "out" / f"AL-OTH-5-2023.{fmt}", "--out", imported, cwd=project_copy)
        assert completed.returncode == 0, completed.stdout + completed.stderr
        assert "builds the letter again word for word" in completed.stdout + completed.stderr
        signed = yaml.safe_load(imported.read_text(encoding="utf-8"))["signed_by"]
        assert signed == {"business-and-human-rights": {"name": "Jane Roe", "title": title}}


@pytest.mark.parametrize(
    ("block", "fmt"),
    [
        ({"reference-line": "Ref.: AL PAK 9/2022", "reference-reminder": "(Please use this reference in your reply)"}, "docx"),
        ({"reference-line": "Ref.: AL PAK 9/2022", "reference-reminder": "(Please use this reference in your reply)"}, "pdf"),
        ({"reference-line": "REFERENCE: AL PAK 9/2022", "reference-reminder": ""}, "docx"),
    ],
)
def test_a_letter_of_a_window_no_published_letter_shows_imports_with_its_own_words(
    tmp_path: Path, block: dict[str, str], fmt: str
) -> None:
    """A letter of May 2022, whose reference block no published letter read shows (`unknown:`):
    import reads the block the letter prints into its own wording, the line apart from the
    reminder (as letters printed them before the window and after it), and the case passes check
    and builds the letter again, where it used to stop at the phrasebook's gap."""
    data = yaml.safe_load((REPO / "cases" / "forms" / "AL-PAK-2-2021.yaml").read_text(encoding="utf-8"))
    data |= {"reference": "AL PAK 9/2022", "date": "2022-05-02", "wording": block}
    case = tmp_path / "cases" / "AL-PAK-9-2022.yaml"
    case.parent.mkdir()
    case.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    letter = _built(case, tmp_path / "out", fmt)
    imported = tmp_path / "imported" / "AL-PAK-9-2022.yaml"
    completed = run_alletter("import", letter, "--out", imported, "--root", REPO)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "builds the letter again word for word" in completed.stdout + completed.stderr
    assert yaml.safe_load(imported.read_text(encoding="utf-8"))["wording"] == block
    assert run_alletter("check", "--root", REPO, imported).returncode == 0


def test_a_french_letter_signed_where_the_registry_knows_no_holder_imports_with_its_signatory(tmp_path: Path) -> None:
    """The same in French: the title is printed as names.fr.yaml words the English one, and read back as it."""
    from alletter.project.letter_project import LetterProject

    project = LetterProject(REPO)
    assert project.registry.on(project.mandates["arbitrary-detention"], date(2021, 2, 10)).holder is None
    signed = {
        "arbitrary-detention": {"name": "Jane Roe", "title": "Chair-Rapporteur of the Working Group on Arbitrary Detention"}
    }
    data = yaml.safe_load((REPO / "cases" / "UA-SEN-1-2023.yaml").read_text(encoding="utf-8"))
    data.pop("follow_up", None)
    data |= {"reference": "UA SEN 3/2021", "date": "2021-02-10", "mandates": ["freedom-of-expression", "arbitrary-detention"]}
    case = tmp_path / "cases" / "UA-SEN-3-2021.yaml"
    case.parent.mkdir()
    case.write_text(yaml.safe_dump(data | {"signed_by": signed}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    letter = _built(case, tmp_path / "out", "docx")
    assert "Président-Rapporteur du Groupe de travail sur la détention arbitraire" in " ".join(docx_text(letter).split())
    (tmp_path / "imported").mkdir()
    completed = run_alletter("import", letter, "--out", tmp_path / "imported", "--root", REPO)  # a batch of one
    out = " ".join(completed.stdout.split())
    assert "with overrides: 1" in out and "UA-SEN-3-2021.yaml: its own signatory for arbitrary-detention" in out, out
    assert yaml.safe_load((tmp_path / "imported" / "UA-SEN-3-2021.yaml").read_text(encoding="utf-8"))["signed_by"] == signed
