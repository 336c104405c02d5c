"""Golden tests per kind of letter: each example case's DOCX and PDF carry their kind's boilerplate
sentences, in order, and none of the other kinds' sentences.

The sentences are written out here as published (issue 12 quotes the Government letters of
2021–2024; the non-State ones are the published letters in tests/fixtures/), not read from
templates/phrases.yaml: a change to the phrasebook that alters a published sentence fails here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_alletter
from textextract import docx_text, pdf_running_text


def _pdf_text(path: Path) -> str:
    """The PDF's running text: a sentence that runs onto page 2 has the address and a page number among its words."""
    case = yaml.safe_load((REPO / "cases" / f"{path.stem}.yaml").read_text(encoding="utf-8"))
    return pdf_running_text(path, case["recipient"]["address"])


EXTRACTORS = {"docx": docx_text, "pdf": _pdf_text}

EXCELLENCY = "Excellency,"
HONOUR_MANY = "We have the honour to address you in our capacities as"
HONOUR_ONE = "I have the honour to address you in my capacity as"
BRING_MANY = (
    "In this connection, we would like to bring to the attention of your Excellency’s Government "
    "information we have received concerning"
)
BRING_ONE = (
    "In this connection, I would like to bring to the attention of your Excellency’s Government "
    "information I have received concerning"
)
ACCORDING = "According to the information received:"
ANNEX_REFERENCE = (
    "In connection with the above alleged facts and concerns, please refer to the Annex on Reference to "
    "international human rights law attached to this letter which cites international human rights "
    "instruments and standards relevant to these allegations."
)
URGENCY = (
    "In view of the urgency of the matter, we would appreciate a response on the initial steps taken by your "
    "Excellency’s Government to safeguard the rights of the above-mentioned person(s) in compliance with "
    "international instruments."
)
QUESTIONS_MANY = (
    "As it is our responsibility, under the mandates provided to us by the Human Rights Council, to seek "
    "to clarify all cases brought to our attention, we would be grateful for your observations on the "
    "following matters:"
)
QUESTIONS_ONE = (
    "As it is my responsibility, under the mandate provided to me by the Human Rights Council, to seek to "
    "clarify all cases brought to my attention, I would be grateful for your observations on the "
    "following matters:"
)
STANDARD_QUESTION = "Please provide any additional information and/or comment(s) you may have on the above-mentioned allegations."
PUBLICATION_STATE = (
    "This communication and any response received from your Excellency’s Government will be made public "
    "via the communications reporting website within 60 days. They will also subsequently be made "
    "available in the usual report to be presented to the Human Rights Council."
)
PUBLICATION_LEGISLATION = (
    "This communication, as a comment on pending or recently adopted legislation, regulations or "
    "policies, and any response received from your Excellency’s Government will be made public "
    "via the communications reporting website after 48 hours. They will also subsequently be "
    "made available in the usual report to be presented to the Human Rights Council."
)
PUBLICATION_NON_STATE = (
    "This communication and any response received from you will be made public via the "
    "communications reporting website within 60 days."
)
INTERIM_MANY = (
    "While awaiting a reply, we urge that all necessary interim measures be taken to halt the alleged "
    "violations and prevent their re-occurrence and in the event that the investigations support or suggest "
    "the allegations to be correct, to ensure the accountability of any person(s) responsible for the "
    "alleged violations."
)
INTERIM_ONE = INTERIM_MANY.replace("we urge", "I urge")
PRESS_STATE = (
    "The press release will indicate that we have been in contact with your Excellency’s Government’s to "
    "clarify the issue/s in question."
)
CLOSING_STATE_MANY = "Please accept, Excellency, the assurances of our highest consideration."
CLOSING_STATE_ONE = "Please accept, Excellency, the assurances of my highest consideration."
EXPLANATORY = "We are independent human rights experts appointed and mandated by the United Nations Human Rights Council"
COMPANIES = "(including companies)"
FOLLOW_UP_STATE = "In this connection, we write in reference to the joint communication of 10 June 2022 addressed to your Excellency’s Government"
NO_REPLY_STATE = "We regret that we have not received a response from your Excellency’s Government to our letter as requested."

STATE_ONLY = [
    EXCELLENCY,
    BRING_MANY,
    BRING_ONE,
    URGENCY,
    STANDARD_QUESTION,
    "your Excellency’s Government",
    INTERIM_MANY,
    INTERIM_ONE,
    CLOSING_STATE_MANY,
    CLOSING_STATE_ONE,
]
NON_STATE_ONLY = [EXPLANATORY, COMPANIES, PUBLICATION_NON_STATE, "your company"]

# Per example case: its kind's sentences in the order the letter has them; and sentences it must not have.
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "UA-BRA-1-2023": (
        [
            EXCELLENCY,
            HONOUR_MANY,
            BRING_MANY,
            ACCORDING,
            "Please note that a letter on the same subject has also been sent to Exemplo Mineração S.A.",
            ANNEX_REFERENCE,
            URGENCY,
            QUESTIONS_MANY,
            STANDARD_QUESTION,
            PUBLICATION_STATE,
            INTERIM_MANY,
            PRESS_STATE,
            CLOSING_STATE_MANY,
            "Annex",
            "Reference to international human rights law",
            "Article 19 of the International Covenant on Civil and Political Rights",
        ],
        [*NON_STATE_ONLY, HONOUR_ONE, PUBLICATION_LEGISLATION, INTERIM_ONE],
    ),
    "AL-PAK-1-2023": (
        [
            EXCELLENCY,
            HONOUR_ONE,
            BRING_ONE,
            ACCORDING,
            "I am concerned",
            ANNEX_REFERENCE,
            QUESTIONS_ONE,
            STANDARD_QUESTION,
            PUBLICATION_STATE,
            INTERIM_ONE,
            CLOSING_STATE_ONE,
        ],
        [*NON_STATE_ONLY, URGENCY, HONOUR_MANY, QUESTIONS_MANY, INTERIM_MANY, CLOSING_STATE_MANY, "our highest"],
    ),
    "AL-IND-1-2023": (
        [
            EXCELLENCY,
            HONOUR_MANY,
            FOLLOW_UP_STATE,
            "(Ref: AL IND 9/2022).",
            NO_REPLY_STATE,
            ACCORDING,
            QUESTIONS_MANY,
            STANDARD_QUESTION,
            PUBLICATION_STATE,
            INTERIM_MANY,
            PRESS_STATE,
            CLOSING_STATE_MANY,
        ],
        [*NON_STATE_ONLY, BRING_MANY, URGENCY, PUBLICATION_LEGISLATION, "Annex"],
    ),
    "OL-KEN-1-2023": (
        [EXCELLENCY, HONOUR_MANY, BRING_MANY, ACCORDING, QUESTIONS_MANY, PUBLICATION_LEGISLATION, CLOSING_STATE_MANY],
        [*NON_STATE_ONLY, URGENCY, INTERIM_MANY, PUBLICATION_STATE, STANDARD_QUESTION],
    ),
    "AL-OTH-1-2023": (
        [
            "Dear Mr. F,",
            HONOUR_MANY,
            EXPLANATORY,
            "which has 59 thematic and country mandates",
            COMPANIES,
            ACCORDING,
            "Please note that a letter on the same subject has also been sent to the Government of Brazil.",
            ANNEX_REFERENCE,
            QUESTIONS_MANY,
            "We stand ready to provide you with any technical support",
            PUBLICATION_NON_STATE,
            "Please accept, Mr. F, the assurances of our highest consideration.",
        ],
        [*STATE_ONLY, PUBLICATION_LEGISLATION],
    ),
    "AL-OTH-10-2023": ([EXPLANATORY, PUBLICATION_NON_STATE], [*STATE_ONLY]),
    "AL-OTH-11-2023": ([EXPLANATORY, PUBLICATION_NON_STATE], [*STATE_ONLY]),
    # The letters in French and Spanish: their own sentences in order, in the DOCX and the PDF,
    # and none of the English (the draft line and comments: tests/cli/test_letters_in_languages.py).
    "UA-SEN-1-2023": (
        [
            "Mandats de la Rapporteuse spéciale sur la promotion",
            "14 mars 2023",
            "Excellence,",
            "Nous avons l’honneur de nous adresser à vous en nos qualités de Rapporteuse spéciale",
            "Dans ce contexte, nous souhaiterions attirer l’attention du Gouvernement de votre Excellence",
            "Selon les informations reçues",
            "Compte tenu de l’urgence de la situation, nous vous serions reconnaissants",
            "Comme il est de notre responsabilité",
            "Veuillez fournir toute information et/ou tout commentaire complémentaire",
            "Cette communication et toute réponse reçue du Gouvernement de votre Excellence",
            "Dans l’attente d’une réponse, nous demandons instamment",
            "Veuillez agréer, Excellence, l’assurance de notre plus haute considération.",
            "Irene Khan",
            "Rapporteuse spéciale sur la promotion et la protection du droit à la liberté d’opinion et d’expression",
        ],
        [EXCELLENCY, HONOUR_MANY, ACCORDING, CLOSING_STATE_MANY, "Ref.:", "March"],
    ),
    "AL-COD-1-2023": (
        [
            "Mandat de la Rapporteuse spéciale sur la torture",
            "J’ai l’honneur de m’adresser à vous en ma qualité de Rapporteuse spéciale sur la torture",
            "je souhaiterais attirer l’attention du Gouvernement de votre Excellence sur des informations que j’ai reçues",
            "Comme il est de ma responsabilité",
            "Veuillez agréer, Excellence, l’assurance de ma plus haute considération.",
            "Alice Jill Edwards",
        ],
        [EXCELLENCY, HONOUR_ONE, "Nous avons l’honneur", "notre plus haute"],
    ),
    "AL-MEX-1-2023": (
        [
            "Mandatos de la Relatora Especial sobre la promoción y protección del derecho a la libertad de opinión",
            "Ref.: AL MEX 1/2023 (por favor, utilice esta referencia en su respuesta)",
            "14 de marzo de 2023",
            "Excelencia,",
            "Tenemos el honor de dirigirnos a Usted en nuestra calidad de Relatora Especial",
            "En este contexto, quisiéramos señalar a la atención urgente del Gobierno de Su Excelencia",
            "Según la información recibida:",
            "Es nuestra responsabilidad",
            "Acepte, Excelencia, la expresión de nuestra más distinguida consideración.",
        ],
        [EXCELLENCY, HONOUR_MANY, ACCORDING, CLOSING_STATE_MANY, "Compte tenu", "Dada la urgencia"],
    ),
    "AL-COL-1-2023": (
        [
            "Mandato de la Relatora Especial sobre la situación de los defensores de derechos humanos",
            "Tengo el honor de dirigirme a Usted en mi calidad de Relatora Especial",
            "En este contexto, quisiera señalar a la atención urgente del Gobierno de Su Excelencia la información que he recibido",
            "Acepte, Excelencia, la expresión de mi más distinguida consideración.",
            "Mary Lawlor",
        ],
        [EXCELLENCY, HONOUR_ONE, "Tenemos el honor", "nuestra más distinguida"],
    ),
}


def normalized(text: str) -> str:
    """Words as a reader sees them: whitespace collapsed, hyphenation across lines undone."""
    return " ".join(text.replace("\u00ad", "").split())


@pytest.fixture(scope="module")
def example_letters(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kinds")
    completed = run_alletter(
        "render", *(REPO / "cases" / f"{slug}.yaml" for slug in EXPECTED), "--out", out, "--format", "docx,pdf"
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return out


def test_every_example_case_has_its_expectations() -> None:
    assert sorted(EXPECTED) == sorted(path.stem for path in (REPO / "cases").glob("*.yaml"))


@pytest.mark.parametrize("fmt", sorted(EXTRACTORS))
@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_the_kinds_sentences_come_in_order_and_no_other_kinds(example_letters: Path, slug: str, fmt: str) -> None:
    text = normalized(EXTRACTORS[fmt](example_letters / f"{slug}.{fmt}"))
    present, absent = EXPECTED[slug]
    position = 0
    for sentence in present:
        found = text.find(normalized(sentence), position)
        assert found >= 0, f"{slug}.{fmt}: missing, or out of order after position {position}: {sentence!r}"
        position = found + len(normalized(sentence))
    for sentence in absent:
        assert normalized(sentence) not in text, f"{slug}.{fmt} holds another kind's sentence: {sentence!r}"


def test_the_published_wording_of_the_time_is_chosen_by_the_letters_date(write_case, project) -> None:
    """A letter dated before the 2021 wording took effect says "Passed this delay" (issue 12)."""
    from alletter.letter.render import render
    from alletter.letter.validate import load_case

    old = render(
        load_case(
            write_case(
                {
                    "reference": "AL OTH 11/2020",  # a date before its reference's year is refused
                    "date": "2020-11-02",
                    "follow_up": None,
                    "mandates": ["slavery"],
                    "questions_intro": "standard",
                    "closing_paragraphs": [],
                    # no non-State letter of 2020 read shows its explanatory paragraph: the letter's own
                    "wording": {"explanatory": "I am writing to you as the Special Rapporteur."},
                }
            ),
            project,
        ),
        project,
    ).markdown
    new = render(load_case(write_case(), project), project).markdown
    assert "Passed this delay, this communication and any response received from you will be made public" in old
    assert "within 60 days" not in old.split("Passed this delay")[1].split("\n")[0]
    assert "Passed this delay" not in new and "within 60 days" in new
    march_2021 = {"reference": "AL OTH 11/2021", "date": "2021-03-12", "follow_up": None, "mandates": ["slavery"]}
    earliest = render(load_case(write_case(march_2021), project), project).markdown
    assert "which has 56 thematic and country mandates" in earliest  # settings.yaml's count of that date
    assert "which has 59 thematic and country mandates" in new


def test_a_letter_to_a_company_before_the_earliest_explanatory_paragraph_read_is_refused(write_case, project) -> None:
    """Issue 21 records that non-State letters of 2019 opened otherwise; none of 2019–2020 read shows it."""
    from alletter.letter.check import check_letters

    changes = {"reference": "AL OTH 11/2020", "date": "2021-03-11", "follow_up": None, "mandates": ["slavery"]}
    [checked] = check_letters([write_case(changes)], project)
    assert [problem.field for problem in checked.problems] == ["date"]
    assert "no wording of `explanatory` for a letter from one mandate (I) to a non-State actor dated 2021-03-11" in str(
        checked.problems[0]
    )
    [own] = check_letters([write_case({**changes, "wording": {"explanatory": "I write to you."}})], project)
    assert own.problems == [] and own.valid is not None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"recipient": {"kind": "state", "address": ["Permanent Mission"]}},
            "recipient.kind",
            "a letter to a State carries the State's ISO 3166 alpha-3 code in its reference",
        ),
        ({"reference": "AL BRA 11/2023"}, "recipient.kind", "a letter to a company has OTH as its reference's country"),
        (
            {"reference": "AL XYZ 11/2023", "recipient": {"kind": "state", "address": ["x"]}},
            "reference",
            "`XYZ` is not an ISO 3166 alpha-3 country code",
        ),
        (
            {"reference": "AL ATA 11/2023", "recipient": {"kind": "state", "address": ["x"]}},
            "reference",
            "`ATA` is not a UN Member or Observer State in states.yaml",
        ),
        (
            {"reference": "AL BRA 11/2023", "recipient": {"kind": "state", "name": "Mr. X", "address": ["x"]}},
            "recipient.name",
            "a letter to a State opens “Excellency,”",
        ),
        ({"recipient": {"kind": "company", "address": ["x"]}}, "recipient.name", "is required for a letter to a company"),
        (
            {"reference": "AL BRA 11/2023", "recipient": {"kind": "state", "address": ["x"]}, "follow_up": None},
            "summary",
            "`summary:` is required: a first letter to a State says what it is about",
        ),
        ({"summary": "a subject"}, "summary", "is not printed in an AL to a non-State actor that follows up"),
        (
            {"related": [{"reference": "AL OTH 3/2023"}]},
            "related[0].name",
            "`name:` is required for a letter to a non-State actor",
        ),
        ({"related": [{"reference": "AL QQQ 3/2023"}]}, "related[0].reference", "`QQQ` is not an ISO 3166 alpha-3 country code"),
        ({"annex": {"standards": ["iccpr-99"]}}, "annex.standards[0]", "unknown standard paragraph `iccpr-99`"),
        (
            {"reference": "OL OTH 11/2023", "publication": "after-48-hours"},
            "publication",
            "an OL to a non-State actor has its own publication paragraph",
        ),
    ],
)
def test_check_refuses_kinds_that_do_not_exist(write_case, project, changes: dict, field: str, message: str) -> None:
    from alletter.errors import CaseFileError
    from alletter.letter.validate import load_case

    data = dict(changes)
    name = data.get("reference", "AL OTH 11/2023").replace(" ", "-").replace("/", "-")
    with pytest.raises(CaseFileError) as raised:
        load_case(write_case(data, name=name), project)
    assert any(f"{field}: {message}" in line for line in str(raised.value).splitlines()), str(raised.value)


def test_a_sentence_without_published_wording_is_reported_by_check_not_guessed(project_copy: Path) -> None:
    """An OL before 2021: the legislation publication paragraph is known only from 2021 on."""
    import shutil

    case = project_copy / "cases" / "OL-KEN-1-2020.yaml"
    shutil.copy(REPO / "cases" / "OL-KEN-1-2023.yaml", case)
    text = case.read_text(encoding="utf-8").replace("OL KEN 1/2023", "OL KEN 1/2020")
    case.write_text(text.replace("date: 2023-02-27", "date: 2020-11-02"), encoding="utf-8")
    completed = run_alletter("check", case, cwd=project_copy)
    assert completed.returncode == 1
    assert (
        "cases/OL-KEN-1-2020.yaml:4:7: error: date: templates/phrases.yaml has no wording of `publication-legislation` for a letter from "
        "several mandates (we) to a State dated 2020-11-02: no published OL of 2019–2020 read shows its publication "
        "paragraph" in completed.stdout
    )
    assert "alletter wording record publication-legislation --since DATE" in completed.stdout
    built = run_alletter("render", case, "--out", project_copy / "out", cwd=project_copy)
    assert built.returncode == 1 and "publication-legislation" in built.stdout + built.stderr
    assert not (project_copy / "out").exists() or not list((project_copy / "out").iterdir())


def test_one_mandate_speaks_as_i_throughout_and_a_company_can_get_an_urgent_appeal(write_case, project) -> None:
    from alletter.letter.render import render
    from alletter.letter.validate import load_case

    case = write_case({"reference": "UA OTH 12/2023", "mandates": ["slavery"]}, name="UA-OTH-12-2023")
    markdown = render(load_case(case, project), project).markdown
    assert (
        "In view of the urgency of the matter, I would appreciate a response on the initial steps taken by "
        "your company" in markdown
    )
    assert "In this connection, I write in reference to the communication of 30\u00a0March\u00a02021" in markdown
    assert "I regret that I have not received a response from you to my letter as requested." in markdown
    assert "meeting with me to explain the work of my mandate" in markdown
    assert "I would welcome any additional information" not in markdown  # the case's intro is the standard one
    letter = markdown.split("::: {.annex}")[0]  # the annex is a standing text, the same for any sender
    for plural in (" we ", " our ", "We ", " us "):
        boilerplate = [line for line in letter.splitlines() if plural in line and "\\" not in line]
        assert boilerplate == [], (plural, boilerplate)


def test_new_writes_a_state_skeleton_and_a_non_state_one(project_copy: Path) -> None:
    import yaml

    state = run_alletter("new", "--type", "UA", "--country", "BRA", "--year", "2024", cwd=project_copy)
    assert state.returncode == 0, state.stderr
    text = (project_copy / "cases" / "UA-BRA-1-2024.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["recipient"]["kind"] == "state" and "salutation" not in data["recipient"]
    assert "summary" in data and "annex" in data and "annexes" not in data
    assert "company" not in text.lower().replace("a company or other", "")
    other = run_alletter("new", "--type", "AL", "--country", "OTH", "--year", "2024", cwd=project_copy)
    data = yaml.safe_load((project_copy / "cases" / "AL-OTH-1-2024.yaml").read_text(encoding="utf-8"))
    assert other.returncode == 0 and data["recipient"]["kind"] == "company" and "salutation" in data["recipient"]
    follow = run_alletter(
        "new",
        "--type",
        "AL",
        "--country",
        "BRA",
        "--year",
        "2024",
        "--follow-up",
        project_copy / "cases" / "AL-OTH-11-2023.yaml",
        cwd=project_copy,
    )
    assert follow.returncode == 1 and "it was sent to a company" in follow.stderr
    # A kind templates/kinds.yaml does not have (here: with only the State's AL kept) is refused.
    kinds = project_copy / "templates" / "kinds.yaml"
    kinds.write_text(kinds.read_text(encoding="utf-8").split("\n  UA:\n", 1)[0] + "\n", encoding="utf-8")
    refused = run_alletter("new", "--type", "UA", "--country", "BRA", cwd=project_copy)
    assert refused.returncode == 1 and "cannot write a UA to a State yet" in refused.stderr


def test_choose_wording_takes_the_latest_variant_in_force_and_the_recipients_own() -> None:
    from alletter.project.wording import LetterVoice, MissingWording, Phrasebook, choose_wording

    book = Phrasebook.model_validate(
        {
            "recipients": {"state": {"you": "a", "your": "b", "attention": "c"}},
            "phrases": {
                "p": [
                    {"text": "old"},
                    {"since": "2021-01-01", "many": "new", "one": "new-one"},
                    {"since": "2021-01-01", "recipient": "state", "many": "new-state"},
                ]
            },
        }
    )
    assert choose_wording(book, "p", LetterVoice(2, "non-state", date(2020, 12, 31))) == "old"
    assert choose_wording(book, "p", LetterVoice(2, "non-state", date(2021, 1, 1))) == "new"
    assert choose_wording(book, "p", LetterVoice(1, "non-state", date(2022, 1, 1))) == "new-one"
    assert choose_wording(book, "p", LetterVoice(2, "state", date(2022, 1, 1))) == "new-state"
    with pytest.raises(MissingWording, match="one mandate"):
        choose_wording(book, "p", LetterVoice(1, "state", date(2022, 1, 1)))


def test_governments_that_replied_are_named_by_code_and_printed_by_their_un_name(write_case, project) -> None:
    from conftest import published_case

    from alletter.errors import CaseFileError
    from alletter.letter.render import render
    from alletter.letter.validate import load_case

    follow_up = published_case("AL-OTH-11-2023")["follow_up"]
    follow_up["other_replies"]["governments"] = [{"code": "BOL"}, {"code": "TUR"}]
    markdown = render(load_case(write_case({"follow_up": follow_up}), project), project).markdown
    assert "the Governments of Bolivia \\(Plurinational State of\\), Türkiye and other concerned parties" in markdown
    follow_up["other_replies"]["governments"] = [{"code": "XYZ"}]
    with pytest.raises(CaseFileError, match=r"follow_up\.other_replies\.governments\[0\]\.code: `XYZ` is not an ISO 3166"):
        load_case(write_case({"follow_up": follow_up}), project)
