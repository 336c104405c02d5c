"""The forms published letters took from 2019 on (issue 21): the dated reference block, how the
last mandate is joined, a letter's own wording and resolutions, the case's paragraphs before the
facts, and footnotes — each through the example cases of cases/forms/ built by the real command,
read back from the DOCX and the PDF a recipient gets."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import REPO, letter_under_a_renewal_without_number, run_alletter
from tests.textextract import docx_text, pdf_text

FORMS = REPO / "cases" / "forms"


@pytest.fixture(scope="module")
def built_forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forms")
    completed = run_alletter("build", "--out", out, FORMS)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return out


def _form_case(tmp_path: Path, slug: str, changes: dict[str, Any]) -> Path:
    """An example case of cases/forms/ with some fields changed, under its new reference's name."""
    data = {**yaml.safe_load((FORMS / f"{slug}.yaml").read_text(encoding="utf-8")), **changes}
    path = tmp_path / "cases" / f"{data['reference'].replace(' ', '-').replace('/', '-')}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _texts(built: Path, slug: str) -> list[str]:
    """The letter's words as DOCX and PDF give them, whitespace made single spaces."""
    return [" ".join(text.split()) for text in (docx_text(built / f"{slug}.docx"), pdf_text(built / f"{slug}.pdf"))]


def _built_words(case: Path, out: Path) -> str:
    """The case built by the real command into `out`, its DOCX's words single-spaced."""
    completed = run_alletter("build", "--root", REPO, "--out", out, "--format", "docx", case)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return " ".join(docx_text(out / f"{case.stem}.docx").split())


def test_a_2019_letter_prints_reference_alone_and_a_2023_one_the_reminder(built_forms: Path) -> None:
    for text in _texts(built_forms, "AL-CHN-12-2019"):
        assert "REFERENCE: AL CHN 12/2019 20 September 2019" in text
        assert "Ref.:" not in text and "Please use this reference" not in text
    for text in _texts(built_forms, "AL-PAK-3-2023"):
        assert "Ref.: AL PAK 3/2023 (Please use this reference in your reply) 13 March 2023" in text
        assert "REFERENCE:" not in text


def test_one_mandate_before_2021_asks_for_a_response_in_the_first_person(built_forms: Path) -> None:
    """The 2019 publication sentence, like every sentence of one mandate, in the singular (issue 12)."""
    for text in _texts(built_forms, "AL-SWE-3-2019"):
        assert "I would appreciate receiving a response within 60 days. Passed this delay" in text
        assert "We would appreciate" not in text
    for text in _texts(built_forms, "AL-CHN-12-2019"):
        assert "We would appreciate receiving a response within 60 days. Passed this delay" in text


def test_a_letter_between_the_known_forms_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    case = _form_case(tmp_path, "AL-PAK-2-2021", {"reference": "AL PAK 9/2022", "date": "2022-05-02"})
    completed = run_alletter("check", "--root", REPO, case)
    assert completed.returncode == 1
    assert "no published letter read between 28 May 2021 and 31 December 2022 shows its reference block" in completed.stdout
    # Both sentences of the block are named in one run, at the letter's date, each with its two ways out.
    date_line = next(number for number, line in enumerate(case.read_text().splitlines(), 1) if line.startswith("date:"))
    errors = [line for line in completed.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 2, completed.stdout
    for phrase, error in zip(("reference-reminder", "reference-line"), sorted(errors, reverse=True), strict=True):
        assert error.startswith(f"{case}:{date_line}:") and ": error: date: " in error
        assert f"wording: {{{phrase}:" in error
        assert f'alletter wording record {phrase} --since DATE --text "…" --against LETTER' in error


def test_a_letter_between_the_known_forms_passes_with_its_own_reference_block(tmp_path: Path) -> None:
    case = _form_case(
        tmp_path,
        "AL-PAK-2-2021",
        {
            "reference": "AL PAK 9/2022",
            "date": "2022-05-02",
            "wording": {"reference-line": "REFERENCE: AL PAK 9/2022", "reference-reminder": "(Please reply.)"},
        },
    )
    completed = run_alletter("check", "--root", REPO, case)
    assert completed.returncode == 0, completed.stdout
    assert "notice: wording.reference-line: this letter's own wording replaces the sentence `reference-line`" in completed.stdout
    text = _built_words(case, tmp_path / "out")
    assert "REFERENCE: AL PAK 9/2022 (Please reply.) 2 May 2022" in text


def test_semicolon_and_joins_the_last_mandate_in_header_and_capacities(built_forms: Path) -> None:
    for text in _texts(built_forms, "AL-CHN-12-2019"):
        assert (
            "freedom of opinion and expression; and the Special Rapporteur on the rights to freedom of peaceful assembly" in text
        )
        assert "freedom of opinion and expression; and Special Rapporteur on the rights to freedom of peaceful assembly" in text
    for text in _texts(built_forms, "AL-PAK-2-2021"):  # the default: " and"
        assert "freedom of opinion and expression and the Special Rapporteur on the rights" in text


def test_own_wording_replaces_the_sentence_and_nothing_else(built_forms: Path) -> None:
    for text in _texts(built_forms, "OL-KEN-1-2021"):
        assert "In this connection, we offer the following comments on the Public Order (Amendment) Bill" in text
        assert "we would like to bring to the attention" not in text
        assert "We have the honour to address you in our capacities as" in text
    for text in _texts(built_forms, "AL-PAK-3-2023"):
        assert text.count("I write in my capacity as Special Rapporteur") == 1
        assert "I have the honour" not in text


def test_an_ol_on_legislation_chooses_the_form_that_offers_comments(built_forms: Path) -> None:
    for text in _texts(built_forms, "OL-KEN-2-2021"):
        assert (
            "pursuant to Human Rights Council resolutions 43/4 and 41/12. In this connection, we offer the following "
            "comments on the Computer Misuse (Amendment) Bill, which is before the National Assembly. We are concerned"
        ) in text
        assert "information we have received concerning" not in text
    letters = {letter["slug"]: letter for letter in json.loads((built_forms / "manifest.json").read_text())["letters"]}
    assert "own_wording" not in letters["OL-KEN-2-2021"]  # a published form, not the letter's own words


def test_the_published_opening_of_ol_sgp_3_2019_in_the_singular_form(tmp_path: Path) -> None:
    """OL SGP 3/2019 (24 April 2019), docslib.org/doc/10471459, word for word up to its summary (the
    copy drops the word after "Manipulation"; Singapore's reply names the "… Manipulation Bill"). No
    source shows a 2019 OL's publication paragraph, so the test gives the letter one of its own."""
    case = _form_case(
        tmp_path,
        "OL-KEN-2-2021",
        {
            "reference": "OL SGP 3/2019",
            "date": "2019-04-24",
            "mandates": ["freedom-of-expression"],
            "recipient": {"kind": "state", "address": ["Permanent Mission of Singapore"]},
            "summary": "the Protection from Online Falsehoods and Manipulation Bill, which raises serious "
            "concerns regarding freedom of expression",
            "paragraphs": ["I welcome the opportunity to submit these comments."],
            "wording": {"publication-legislation": "(A publication paragraph of the test's own.)"},
        },
    )
    text = _built_words(case, tmp_path / "out")
    assert (
        "Mandate of the Special Rapporteur on the promotion and protection of the right to freedom of opinion and "
        "expression REFERENCE: OL SGP 3/2019 24 April 2019 Excellency, I have the honour to address you in my capacity "
        "as Special Rapporteur on the promotion and protection of the right to freedom of opinion and expression, "
        "pursuant to Human Rights Council resolution 34/18. In this connection, I would like to offer the following "
        "comments on the Protection from Online Falsehoods and Manipulation Bill, which raises serious concerns "
        "regarding freedom of expression."
    ) in text


def test_check_refuses_a_form_the_sentence_does_not_have(write_case) -> None:
    bad = write_case({"forms": {"bring-to-attention": "offer-coments", "honnour": "x"}})
    completed = run_alletter("check", "--root", REPO, bad)
    assert completed.returncode == 1
    assert "has no form `offer-coments` of `bring-to-attention`; did you mean `offer-comments`?" in completed.stdout
    assert "templates/phrases.yaml has no sentence `honnour`; did you mean `honour`?" in completed.stdout


def test_several_mandates_in_our_capacity_as_the_published_opening_of_ua_are_3_2020(built_forms: Path, tmp_path: Path) -> None:
    """UA ARE 3/2020 (15 July 2020), docslib.org/doc/2897508: header, reference, date and the honour
    sentence's form `capacity`, word for word (the copy drops "torture" from the header, as it drops
    some names). The registry has no holder of the two Working Groups that day: the test signs for them."""
    for text in _texts(built_forms, "UA-ARE-4-2020"):
        assert "We have the honour to address you in our capacity as Special Rapporteur on torture" in text
        assert "capacities" not in text
    signer = {"name": "A signatory of the test's own"}
    case = _form_case(
        tmp_path,
        "UA-ARE-4-2020",
        {
            "reference": "UA ARE 3/2020",
            "date": "2020-07-15",
            "mandates": ["torture", "arbitrary-detention", "enforced-disappearances", "food", "counter-terrorism"],
            "resolutions": {"torture": "34/19", "food": "32/8"},
            "signed_by": {"arbitrary-detention": signer, "enforced-disappearances": signer},
            "summary": "twenty former detainees at Guantanamo Bay",
        },
    )
    text = _built_words(case, tmp_path / "out")
    assert (
        "Mandates of the Special Rapporteur on torture and other cruel, inhuman or degrading treatment or punishment; "
        "the Working Group on Arbitrary Detention; the Working Group on Enforced or Involuntary Disappearances; the "
        "Special Rapporteur on the right to food; and the Special Rapporteur on the promotion and protection of human "
        "rights and fundamental freedoms while countering terrorism REFERENCE: UA ARE 3/2020 15 July 2020 Excellency, "
        "We have the honour to address you in our capacity as Special Rapporteur on torture and other cruel, inhuman "
        "or degrading treatment or punishment; Working Group on Arbitrary Detention; Working Group on Enforced or "
        "Involuntary Disappearances; Special Rapporteur on the right to food; and Special Rapporteur on the promotion "
        "and protection of human rights and fundamental freedoms while countering terrorism, pursuant to Human Rights "
        "Council resolutions 34/19, 42/22, 36/6, 32/8 and 40/16. In this connection, we would like to bring to the "
        "attention of your Excellency’s Government information we have received concerning twenty former detainees "
        "at Guantanamo Bay."
    ) in text


def test_a_form_for_several_mandates_only_is_refused_in_a_letter_from_one(tmp_path: Path) -> None:
    case = _form_case(tmp_path, "UA-ARE-4-2020", {"reference": "UA ARE 5/2020", "mandates": ["torture"]})
    completed = run_alletter("check", "--root", REPO, case)
    assert completed.returncode == 1
    assert "no wording of `honour` for a letter from one mandate (I) to a State dated 2020-07-20 in the form `capacity`" in (
        completed.stdout
    )


def test_the_published_opening_of_al_swe_4_2019_a_follow_up_in_reference_to_the_prior_letter(built_forms: Path) -> None:
    """AL SWE 4/2019 (12 September 2019), docslib.org/doc/7663417: word for word but for the names the
    copy drops ("torture" in the header, "Julian Assange") and the year it drops after "28 May"."""
    for text in _texts(built_forms, "AL-SWE-4-2019"):
        assert (
            "Mandate of the Special Rapporteur on torture and other cruel, inhuman or degrading treatment or punishment "
            "REFERENCE: AL SWE 4/2019 12 September 2019 Excellency, I have the honour to address you in my capacity as "
            "Special Rapporteur on torture and other cruel, inhuman or degrading treatment or punishment, pursuant to "
            "Human Rights Council resolution 34/19. In reference to my communication sent on 28 May 2019 (SWE 2/2019) "
            "on the case of Mr. Julian Assange, I would like to thank your Excellency’s Government for the response "
            "dated 12 July 2019. While I sincerely appreciate"
        ) in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"forms": {"follow-up-recall": "in-reference"}},
            "the form `in-reference` of `follow-up-recall` goes with the same form of `follow-up-replied`: "
            "add `follow-up-replied: in-reference`",
        ),
        (
            {
                "follow_up": {
                    "reference": "UA SWE 2/2019",
                    "date": "2019-05-28",
                    "subject": "on the case of Mr. G",
                    "concern": "Mr. G remains at risk",
                }
            },
            "`forms` chooses a form of `follow-up-replied`, a sentence this letter does not print",
        ),
    ],
)
def test_check_refuses_half_a_sentence_in_a_form_and_a_form_the_letter_does_not_print(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    case = _form_case(tmp_path, "AL-SWE-4-2019", {"reference": "AL SWE 5/2019", **changes})
    completed = run_alletter("check", "--root", REPO, case)
    assert completed.returncode == 1
    assert message in " ".join(completed.stdout.split())


def test_a_follow_up_to_a_government_in_the_2019_words(built_forms: Path) -> None:
    for text in _texts(built_forms, "AL-SWE-3-2019"):
        assert (
            "In reference to my communication sent on 28 May 2019 (SWE 2/2019) on the case of Mr. G, I would like to "
            "thank your Excellency’s Government for the response dated 25 July 2019." in text  # curled: typography.py
        )
        assert "I thank your Excellency’s Government for its response" not in text


def test_a_cited_resolution_other_than_the_one_in_force(built_forms: Path) -> None:
    for text in _texts(built_forms, "AL-CHN-5-2020"):
        assert "pursuant to Human Rights Council resolution 34/18." in text and "43/4" not in text


def test_check_lists_departures_as_notices_and_refuses_unknown_ones(write_case) -> None:
    completed = run_alletter("check", FORMS / "AL-CHN-5-2020.yaml")
    assert completed.returncode == 0
    assert "notice: resolutions.freedom-of-expression: the letter cites resolution 34/18, not 43/4 (in force on 2020-09-01)" in (
        completed.stdout
    )
    bad = write_case({"wording": {"bring-to-atention": "In this connection …"}, "resolutions": {"education": "99/1"}})
    completed = run_alletter("check", "--root", REPO, bad)
    assert completed.returncode == 1
    assert "templates/phrases.yaml has no sentence `bring-to-atention`; did you mean `bring-to-attention`?" in completed.stdout
    assert "99/1 is not a resolution on `education` in mandates.yaml" in completed.stdout
    records = json.loads(run_alletter("check", "--format", "json", FORMS / "AL-CHN-5-2020.yaml").stdout)
    assert [record["severity"] for record in records] == ["notice"]


def test_index_and_manifest_mark_a_letter_with_its_own_wording(built_forms: Path) -> None:
    letters = {letter["slug"]: letter for letter in json.loads((built_forms / "manifest.json").read_text())["letters"]}
    assert letters["OL-KEN-1-2021"]["own_wording"] == {"wording": ["bring-to-attention"], "resolutions": {}}
    assert letters["AL-CHN-5-2020"]["own_wording"] == {"wording": [], "resolutions": {"freedom-of-expression": "34/18"}}
    assert "own_wording" not in letters["AL-CHN-12-2019"]
    index = (built_forms / "index.html").read_text()
    row = re.search(r'<tr id="OL-KEN-1-2021">.*?</tr>', index, re.DOTALL)
    assert row is not None and "own wording" in row.group()
    row = re.search(r'<tr id="AL-CHN-12-2019">.*?</tr>', index, re.DOTALL)
    assert row is not None and "own wording" not in row.group()


def test_the_cases_paragraphs_come_before_according_to_the_information(built_forms: Path) -> None:
    for text in _texts(built_forms, "AL-PAK-2-2021"):
        recalled = text.index("were the subject of a communication sent by a number of Special Procedures")
        assert text.index("concerning the charges brought") < recalled < text.index("According to the information received:")


def test_footnotes_are_word_footnotes_numbered_through_the_letter(built_forms: Path) -> None:
    with zipfile.ZipFile(built_forms / "AL-CHN-12-2019.docx") as package:
        document = package.read("word/document.xml").decode()
        notes = package.read("word/footnotes.xml").decode()
    assert re.findall(r'<w:footnoteReference w:id="(\d+)"/>', document) == ["1"]
    note = re.search(r'<w:footnote w:id="1">(.*?)</w:footnote>', notes, re.DOTALL)
    assert note is not None and "shared by several newspapers" in re.sub(r"<[^>]+>", "", note.group(1))
    pdf = " ".join(pdf_text(built_forms / "AL-CHN-12-2019.pdf").split())
    assert "1The account was published on Mr. E’s own blog" in pdf and "[^1]" not in pdf


def _page_one_lines(pdf: Path) -> list[tuple[float, str]]:
    """Page 1's lines of text, each with its baseline's height above the page's bottom edge (pt)."""
    lines: list[tuple[float, str]] = []

    def visit(text: str, matrix: list[float], text_matrix: list[float], *_: object) -> None:
        if text.strip():
            lines.append((text_matrix[5] * matrix[3] + matrix[5], text.strip()))

    PdfReader(pdf).pages[0].extract_text(visitor_text=visit)
    return lines


def test_a_footnote_on_page_one_stands_above_the_address_not_over_it(built_forms: Path) -> None:
    """Word sets footnotes above its footer, where page 1's address is: the PDF must too (typst's
    footnotes once overprinted the address)."""
    for slug, note, address in (
        ("AL-CHN-12-2019", "The account was published", "Permanent Mission of the People"),
        ("AL-PAK-3-2023", "His arrest was filmed", "Permanent Mission of Pakistan"),
    ):
        lines = _page_one_lines(built_forms / f"{slug}.pdf")
        note_height = min(height for height, text in lines if note in text)
        address_top = max(height for height, text in lines if address in text)
        assert note_height > address_top + 10, (slug, note_height, address_top)
        assert address_top < 2.5 / 2.54 * 72  # the address still stands in the bottom margin


def test_footnotes_of_several_letters_built_together_each_start_at_one(tmp_path: Path) -> None:
    """Chunks are converted once per process: one letter's notes must not leak into another's."""
    cases = tmp_path / "cases"
    cases.mkdir()
    for slug in ("AL-CHN-12-2019", "AL-PAK-2-2021", "AL-PAK-3-2023"):
        shutil.copy(FORMS / f"{slug}.yaml", cases / f"{slug}.yaml")
    assert run_alletter("build", "--root", REPO, "--out", tmp_path / "out", "--format", "docx", cases).returncode == 0
    for slug, words in (("AL-PAK-2-2021", "management of public funds"), ("AL-PAK-3-2023", "filmed by a neighbour")):
        with zipfile.ZipFile(tmp_path / "out" / f"{slug}.docx") as package:
            notes = re.sub(r"<[^>]+>", " ", package.read("word/footnotes.xml").decode())
            document = package.read("word/document.xml").decode()
        assert words in notes and "several newspapers" not in notes
        assert re.findall(r'<w:footnoteReference w:id="(\d+)"/>', document) == ["1"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"paragraphs": ["One.[^1]", "As shown.[^2]"], "footnotes": {"1": "Once."}},
            "`[^2]` names no footnote: add `2:` under `footnotes:`",
        ),
        ({"footnotes": {"1": "Unused."}}, "footnote `1` is never called: mark its place with `[^1]`"),
        (
            {"paragraphs": ["One.[^1]", "Two.[^1]"], "footnotes": {"1": "Once."}},
            "footnote `1` is called twice; each footnote is called once",
        ),
    ],
)
def test_check_refuses_a_footnote_mark_without_its_note_or_a_note_never_called(write_case, changes, message) -> None:
    completed = run_alletter("check", "--root", REPO, write_case(changes))
    assert completed.returncode == 1
    assert message in completed.stdout


def test_an_ol_before_2021_stays_refused_for_want_of_its_publication_paragraph(tmp_path: Path) -> None:
    case = _form_case(tmp_path, "OL-KEN-1-2021", {"reference": "OL KEN 2/2019", "date": "2019-10-01"})
    completed = run_alletter("check", "--root", REPO, case)
    assert completed.returncode == 1
    assert "no wording of `publication-legislation`" in completed.stdout


def test_a_letter_gives_the_resolution_it_cites_where_the_registry_lacks_its_number(project_copy: Path) -> None:
    """A renewal the registry knows only by its date (`- adopted: …`, no number): a published
    letter of those dates prints the number it cites, so its case gives it (`resolutions:`), check
    notes it with the command that records it, and the letter prints it; without it, refused."""
    case = letter_under_a_renewal_without_number(project_copy)
    refused = run_alletter("check", case, cwd=project_copy)
    assert refused.returncode == 1
    assert "the resolution that renewed `torture` on 2023-04-03 has no number in mandates.yaml" in refused.stdout
    assert "or give the resolution this letter cites: resolutions: {torture: NUMBER}" in refused.stdout

    cited = yaml.safe_load(case.read_text(encoding="utf-8")) | {"resolutions": {"torture": "52/7"}}
    case.write_text(yaml.safe_dump(cited, allow_unicode=True, sort_keys=False), encoding="utf-8")
    checked = run_alletter("check", case, cwd=project_copy)
    assert checked.returncode == 0, checked.stdout
    assert (
        "notice: resolutions.torture: the letter cites resolution 52/7; the resolution that renewed `torture` on "
        "2023-04-03 has no number in mandates.yaml: record it, from its source: alletter mandates record renewal "
        "torture 52/7 --adopted 2023-04-03 --source URL"
    ) in " ".join(checked.stdout.split())
    built = run_alletter("build", "--out", project_copy / "out", "--format", "docx", case, cwd=project_copy)
    assert built.returncode == 0, built.stdout + built.stderr
    assert "pursuant to Human Rights Council resolution 52/7." in " ".join(
        docx_text(project_copy / "out" / "AL-PAK-7-2023.docx").split()
    )
