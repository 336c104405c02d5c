"""French and Spanish letters through the real command: draft marks in the DOCX and PDF, the
language of each document, `build --final`, `check`'s notices and errors, `alletter wording`."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, copy_project, run_alletter
from textextract import docx_text, pdf_pages

from alletter.project.letter_project import LetterProject

EXAMPLES = {"UA-SEN-1-2023": "fr", "AL-COD-1-2023": "fr", "AL-MEX-1-2023": "es", "AL-COL-1-2023": "es"}
DRAFT_LINES = {"fr": "PROJET — formulation à confirmer", "es": "BORRADOR — redacción por confirmar"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("languages")
    cases = [REPO / "cases" / f"{slug}.yaml" for slug in [*EXAMPLES, "UA-BRA-1-2023"]]
    completed = run_alletter("render", *cases, "--out", out, "--format", "docx,pdf")
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return out


@pytest.fixture
def project_with_examples(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "project")
    for slug in EXAMPLES:
        shutil.copy(REPO / "cases" / f"{slug}.yaml", root / "cases")
    return root


def word_comments(docx_path: Path, language: str) -> str:
    """The DOCX's comments, after checking each comments a range of the letter, in the letter's
    language, and that the document is marked as written in it."""
    with zipfile.ZipFile(docx_path) as docx:
        document = docx.read("word/document.xml").decode()
        comments = docx.read("word/comments.xml").decode()
        styles = docx.read("word/styles.xml").decode()
        types = docx.read("[Content_Types].xml").decode()
    starts = re.findall(r"<w:commentRangeStart w:id=\"(\d+)\"", document)
    assert starts and len(starts) == len(re.findall(r"<w:comment ", comments))
    assert ("Formulation non encore confirmée" if language == "fr" else "Redacción aún no confirmada") in comments
    assert f'w:lang w:val="{language}-{"FR" if language == "fr" else "ES"}"' in styles
    assert "comments+xml" in types
    return comments


def assert_draft_line_on_every_page(pdf_path: Path, language: str) -> None:
    pages = pdf_pages(pdf_path)
    assert pages and all(page.startswith(DRAFT_LINES[language]) for page in pages)
    assert f"/Lang({language}-{'FR' if language == 'fr' else 'ES'})".encode() in pdf_path.read_bytes()


@pytest.mark.parametrize("slug", list(EXAMPLES))
def test_each_draft_paragraph_has_a_word_comment_in_the_letters_language(built: Path, slug: str) -> None:
    comments = word_comments(built / f"{slug}.docx", EXAMPLES[slug])
    assert "closing" in comments and "questions-intro" in comments


@pytest.mark.parametrize("slug", list(EXAMPLES))
def test_every_pdf_page_carries_the_draft_line_and_the_letters_language(built: Path, slug: str) -> None:
    assert_draft_line_on_every_page(built / f"{slug}.pdf", EXAMPLES[slug])


def test_an_english_letter_has_no_marks(built: Path) -> None:
    with zipfile.ZipFile(built / "UA-BRA-1-2023.docx") as docx:
        assert "<w:comment " not in docx.read("word/comments.xml").decode()  # pandoc's empty part
        assert "commentRangeStart" not in docx.read("word/document.xml").decode()
    assert not any("DRAFT" in page or "PROJET" in page for page in pdf_pages(built / "UA-BRA-1-2023.pdf"))


def test_build_final_refuses_a_letter_with_draft_wording_naming_each_sentence(project_with_examples: Path) -> None:
    completed = run_alletter("build", "--final", "--out", project_with_examples / "dist", cwd=project_with_examples)
    assert completed.returncode == 1
    assert "AL-MEX-1-2023.yaml (AL MEX 1/2023): not final" in completed.stdout
    assert "closing: “Acepte, Excelencia, la expresión de nuestra más distinguida" in completed.stdout
    assert "name of freedom-of-expression: “Relatora Especial sobre la promoción" in completed.stdout
    assert "4 letter(s) use draft wording: nothing built" in completed.stdout
    assert not (project_with_examples / "dist").exists()
    english = run_alletter("build", "--final", "cases/AL-OTH-11-2023.yaml", "--out", "dist", cwd=project_with_examples)
    assert english.returncode == 0, english.stdout


def test_check_lists_draft_wording_as_notices_and_passes(project_with_examples: Path) -> None:
    completed = run_alletter("check", "cases/AL-COD-1-2023.yaml", cwd=project_with_examples)
    assert completed.returncode == 0, completed.stdout
    assert "cases/AL-COD-1-2023.yaml:7:11: notice: language: draft wording" in completed.stdout
    assert "honour: “J’ai l’honneur de m’adresser à vous" in completed.stdout


def test_check_names_a_mandate_name_the_language_lacks(project_with_examples: Path) -> None:
    names = project_with_examples / "templates" / "names.fr.yaml"
    names.write_text(re.sub(r"\n  torture:\n(    .*\n)+", "\n", names.read_text(encoding="utf-8")), encoding="utf-8")
    completed = run_alletter("check", "cases/AL-COD-1-2023.yaml", cwd=project_with_examples)
    assert completed.returncode == 1
    assert "cases/AL-COD-1-2023.yaml:7:11: error: language: templates/names.fr.yaml has no wording of `names.torture`" in (
        completed.stdout
    )


def test_a_sentence_the_language_lacks_is_an_error(project_with_examples: Path) -> None:
    book = project_with_examples / "templates" / "phrases.fr.yaml"
    book.write_text(re.sub(r"\n  closing:\n(    .*\n)+", "\n", book.read_text(encoding="utf-8")), encoding="utf-8")
    completed = run_alletter("check", "cases/AL-COD-1-2023.yaml", cwd=project_with_examples)
    assert completed.returncode == 1
    assert (
        "cases/AL-COD-1-2023.yaml:12:9: error: recipient.kind: templates/phrases.fr.yaml has no wording of `closing` for any letter (not translated yet"
        in (completed.stdout)
    )


@pytest.mark.parametrize(
    ("slug", "mandate", "signed_by", "agreeing", "not_printed"),
    [
        ("AL-COD-1-2023", "torture", None, "je vous serais reconnaissante de", ["reconnaissant(e)", "reconnaissant de"]),
        ("AL-COD-1-2023", "extrajudicial-executions", None, "je vous serais reconnaissant de", ["reconnaissant(e)"]),
        ("AL-COD-1-2023", "torture", "Acting Person", "je vous serais reconnaissant(e) de", ["reconnaissante"]),
        ("AL-COL-1-2023", "human-rights-defenders", None, "estaría muy agradecida de", ["agradecido"]),
        ("AL-COL-1-2023", "extrajudicial-executions", None, "estaría muy agradecido de", ["agradecida", "agradecido(a)"]),
    ],
)
def test_one_mandate_speaks_in_its_holders_gender_and_in_the_first_person(
    project_with_examples: Path, slug: str, mandate: str, signed_by: str | None, agreeing: str, not_printed: list[str]
) -> None:
    """A one-mandate French or Spanish letter agrees with the holder mandates.yaml records
    ("reconnaissante" for Alice Edwards, "agradecido" for Morris Tidball-Binz); someone signing in
    their place, whose gender the registry does not know, keeps the inclusive form. And the
    annex sentence speaks as "I" ("je vous prie", "le ruego"), not as "we"."""
    case_path = project_with_examples / "cases" / f"{slug}.yaml"
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    case["mandates"] = [mandate]
    case["annex"] = {"standards": ["iccpr-19"], "paragraphs": []}
    if signed_by is not None:
        case["signed_by"] = {mandate: {"name": signed_by}}
    case_path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    completed = run_alletter("render", f"cases/{slug}.yaml", "--out", "dist", "--format", "md", cwd=project_with_examples)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    text = " ".join((project_with_examples / "dist" / f"{slug}.md").read_text(encoding="utf-8").split())
    assert agreeing in text
    assert [words for words in not_printed if words in text] == []
    first_person = {"AL-COD-1-2023": "je vous prie de bien vouloir", "AL-COL-1-2023": "le ruego que se remita"}[slug]
    assert first_person in text and "nous vous prions" not in text and "le rogamos" not in text


@pytest.mark.parametrize(
    ("language", "counts"),
    [("fr", "5 published, 0 approved, 68 draft, 0 missing"), ("es", "10 published, 0 approved, 63 draft, 0 missing")],
)
def test_wording_prints_the_coverage(language: str, counts: str) -> None:
    completed = run_alletter("wording", "--language", language)
    assert completed.returncode == 0, completed.stderr
    assert f"templates/phrases.{language}.yaml: 73 wordings: {counts}" in completed.stdout
    assert "draft     press-release (many, non-state): draft: translation of the English press-release" in completed.stdout
    assert "draft     recipients.company: draft: translation of the English recipients.company" in completed.stdout


def test_approve_edits_only_the_wordings_status_and_the_letter_loses_its_mark(project_with_examples: Path) -> None:
    book = project_with_examples / "templates" / "phrases.fr.yaml"
    before = book.read_text(encoding="utf-8").splitlines()
    completed = run_alletter(
        "wording",
        "approve",
        "fr",
        "closing",
        "--source",
        "AL FRA 2/2024 (12 mars 2024)",
        "--by",
        "Section française",
        cwd=project_with_examples,
    )
    assert completed.returncode == 0, completed.stderr
    after = book.read_text(encoding="utf-8").splitlines()
    changes = [line for line in difflib.ndiff(before, after) if line[:2] in ("- ", "+ ")]
    assert [line.partition(":")[0].replace(" ", "") for line in changes] == [
        "-status",
        "+status",
        "+approved_by",
        "+approved_on",
        "+approved_against",
    ]
    assert "+       approved_by: 'Section française'" in changes
    checked = run_alletter("check", "cases/AL-COD-1-2023.yaml", cwd=project_with_examples)
    assert "closing:" not in checked.stdout and "honour:" in checked.stdout
    again = run_alletter("wording", "approve", "fr", "closing", "--source", "x", cwd=project_with_examples)
    assert again.returncode == 1 and "no draft wording left" in again.stderr


def test_po_export_and_a_reviewed_file_back_as_approvals(project_with_examples: Path) -> None:
    po = project_with_examples / "es.po"
    exported = run_alletter("wording", "export", "es", "--format", "po", "--output", po, cwd=project_with_examples)
    assert exported.returncode == 0, exported.stderr
    text = po.read_text(encoding="utf-8")
    assert (
        'msgctxt "closing|any||many"\nmsgid "Please accept, {{ addressee.closing_name }}, the assurances of our highest' in text
    )
    assert '#, fuzzy\nmsgctxt "closing|any||many"' in text
    assert '#, fuzzy\nmsgctxt "honour|any||many"' not in text  # published
    reviewed = text.replace('#, fuzzy\nmsgctxt "closing|', 'msgctxt "closing|').replace('msgstr "Anexo"', 'msgstr "ANEXO"')
    po.write_text(reviewed, encoding="utf-8")
    imported = run_alletter("wording", "import", po, "--by", "Sección de español", cwd=project_with_examples)
    assert imported.returncode == 0, imported.stderr
    # reference-reminder's older form is an empty draft, which PO cannot carry: it was not reviewed
    assert "approved in es: closing\n" in imported.stdout
    assert "changed translations (edit them into the phrasebook; they stay draft): annex-label" in imported.stdout
    coverage = run_alletter("wording", "--language", "es", cwd=project_with_examples)
    assert "10 published, 2 approved, 61 draft" in coverage.stdout


def test_new_writes_the_language_into_the_skeleton(project_with_examples: Path) -> None:
    completed = run_alletter(
        "new", "--type", "UA", "--country", "SEN", "--language", "fr", "--year", "2023", cwd=project_with_examples
    )
    assert completed.returncode == 0, completed.stderr
    skeleton = (project_with_examples / "cases" / "UA-SEN-2-2023.yaml").read_text(encoding="utf-8")
    assert "\nlanguage: fr\n" in skeleton
    assert 'the letter opens "Excellence,"' in skeleton and "Geneva, written in French" in skeleton
    wrong = run_alletter("new", "--type", "UA", "--country", "SEN", "--language", "de", cwd=project_with_examples)
    assert wrong.returncode == 1 and "--language de" in wrong.stderr


def test_a_changed_french_phrasebook_rebuilds_the_french_letters_only(project_with_examples: Path) -> None:
    first = run_alletter("build", "--out", "dist", "--jobs", "1", cwd=project_with_examples)
    assert first.returncode == 0, first.stdout + first.stderr
    book = project_with_examples / "templates" / "phrases.fr.yaml"
    book.write_text(book.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = run_alletter("build", "--out", "dist", "--jobs", "1", cwd=project_with_examples)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "2 built, 4 up to date" in again.stdout
    assert "UA-SEN-1-2023" in again.stdout and "AL-COD-1-2023" in again.stdout


def test_make_archive_refuses_the_examples_draft_letters(tmp_path: Path) -> None:
    """The CI archive job is `make archive`: what it packs is what is sent, so drafts must stop it."""
    completed = subprocess.run(
        ["make", "--no-print-directory", "archive", f"OUT={tmp_path / 'dist'}", f"ARCHIVE={tmp_path / 'letters.zip'}"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert completed.returncode != 0
    assert "AL-MEX-1-2023.yaml (AL MEX 1/2023): not final" in completed.stdout
    assert "nothing built" in completed.stdout
    assert not (tmp_path / "letters.zip").exists()
    assert not (tmp_path / "dist").exists()


# Letters the example cases do not cover, written from them in a private project: a French letter
# to a company (a follow-up its recipient did not answer, others did), a Spanish follow-up to a
# State that replied, a French other letter on a draft law from one mandate.
DRAFTED = {"AL-OTH-11-2023": "fr", "AL-MEX-1-2023": "es", "OL-SEN-1-2023": "fr"}


FRENCH_REPLIES_RECEIVED = (
    "Veuillez noter que nous avons reçu des réponses des Gouvernements de la Chine, du Mexique, du Royaume-Uni et des "
    "États-Unis d’Amérique et d’autres parties concernées, à savoir TikTok à ce sujet. Nous vous serions très reconnaissants de recevoir votre réponse."
)


def _french_company_letter(case: dict[str, Any]) -> None:
    del case["annexes"]  # the letter with its French annex: `annexed`, below
    case["mandates"] = ["sale-of-children", "education", "trafficking"]  # each with a French signature title
    case["recipient"].update(name="Monsieur", salutation="Monsieur,")
    case["wording"] = {"follow-up-replies-received": FRENCH_REPLIES_RECEIVED}  # it names Governments (see below)
    case["follow_up"].update(
        subject="concernant le rôle allégué d’Omegle dans la diffusion en direct de contenus sexuels impliquant des enfants",
        concern="en l’absence de mesures de prévention et de sanctions, des enfants pourraient être victimes d’abus en ligne",
    )
    case["related"] = [
        {"reference": "AL OTH 21/2023", "name": "Exemple Plateformes SA"},
        {"reference": "AL OTH 22/2023", "name": "Réseau Vidéo SARL"},
    ]
    case["questions"] = [
        "Veuillez indiquer les mesures prises par votre entreprise pour protéger les enfants en ligne.",
        "Veuillez indiquer les mécanismes de plainte mis à la disposition des victimes.",
    ]


def _spanish_follow_up(case: dict[str, Any]) -> None:
    del case["summary"]
    case["follow_up"] = {
        "reference": "AL MEX 9/2022",
        "date": date(2022, 11, 10),
        "subject": "en relación con las amenazas contra la Sra. C, periodista indígena",
        "reply": {"date": date(2023, 1, 12)},
    }
    case["questions_intro"] = "follow-up"


def _french_legislation_letter(case: dict[str, Any]) -> None:
    case.update(reference="OL SEN 1/2023", mandates=["freedom-of-expression"])
    case["recipient"]["address"] = ["Mission permanente du Sénégal auprès de l’Office des Nations Unies à Genève"]
    case["summary"] = "le projet de loi sur les contenus en ligne, dont l’Assemblée nationale est saisie"
    case["facts"] = ["Le projet de loi soumettrait à une licence annuelle tout site publiant des contenus éducatifs."]
    case["paragraphs"] = ["Je crains que cette exigence ne restreigne l’accès à l’information."]
    case["questions"] = ["Veuillez expliquer en quoi l’exigence de licence est conforme au droit international."]


WRITTEN_FROM = {
    "AL-OTH-11-2023": ("AL-OTH-11-2023", _french_company_letter),
    "AL-MEX-1-2023": ("AL-MEX-1-2023", _spanish_follow_up),
    "OL-SEN-1-2023": ("OL-KEN-1-2023", _french_legislation_letter),
}


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with the three letters, each built (DOCX, PDF) into its dist/, and the English
    AL OTH 11/2023 beside them in dist-en/."""
    root = copy_project(tmp_path_factory.mktemp("drafted") / "project")
    completed = run_alletter("render", "cases/AL-OTH-11-2023.yaml", "--out", "dist-en", cwd=root)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    for slug, (source, rewrite) in WRITTEN_FROM.items():
        case = yaml.safe_load((REPO / "cases" / f"{source}.yaml").read_text(encoding="utf-8"))
        case["language"] = DRAFTED[slug]
        rewrite(case)
        (root / "cases" / f"{slug}.yaml").write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    completed = run_alletter("render", *(f"cases/{slug}.yaml" for slug in DRAFTED), "--out", "dist", cwd=root)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return root


def english_boilerplate() -> set[str]:
    """The English phrasebook's words between its template fields, three words or more each
    ("information we have received concerning"): none may be left in a translated letter."""
    fragments = set()
    for variants in LetterProject(REPO).phrasebook.phrases.values():
        for variant in variants:
            for words in (variant.text, variant.one, variant.many):
                for piece in re.split(r"\{\{.*?\}\}|\{%.*?%\}", words or "", flags=re.DOTALL):
                    fragment = " ".join(piece.replace("**", "").split()).strip(" ,.;:()")
                    if len(fragment.split()) >= 3:
                        fragments.add(fragment)
    return fragments


def test_the_english_boilerplate_is_found_in_an_english_letter(drafted: Path) -> None:
    """What the next test looks for is there to find: the English letter the French one is written from has it."""
    text = " ".join(docx_text(drafted / "dist-en" / "AL-OTH-11-2023.docx").split())
    assert len([fragment for fragment in english_boilerplate() if fragment in text]) > 20


@pytest.mark.parametrize("slug", list(DRAFTED))
def test_a_translated_letter_has_no_english_boilerplate_and_is_marked_as_draft(drafted: Path, slug: str) -> None:
    language = DRAFTED[slug]
    text = " ".join(docx_text(drafted / "dist" / f"{slug}.docx").split())
    assert [fragment for fragment in english_boilerplate() if fragment in text] == []
    comments = word_comments(drafted / "dist" / f"{slug}.docx", language)
    assert "closing" in comments
    assert_draft_line_on_every_page(drafted / "dist" / f"{slug}.pdf", language)


@pytest.mark.parametrize(
    ("slug", "sentences"),
    [
        (
            "AL-OTH-11-2023",
            [
                "Nous sommes des experts indépendants en matière de droits de l’homme nommés et mandatés",
                "adressée à votre entreprise concernant le rôle allégué d’Omegle",
                "Nous regrettons de ne pas avoir reçu de réponse de votre part à notre lettre",
                "d’autres parties concernées, à savoir TikTok à ce sujet.",
                "faire en sorte que votre entreprise respecte le droit international",
                "toute réponse reçue de votre part seront rendues publiques",
                "Le communiqué de presse indiquera que nous avons été en contact avec vous",
                "Veuillez agréer, Monsieur, l’assurance de notre plus haute considération.",
                "a également été adressée à Exemple Plateformes SA et Réseau Vidéo SARL.",
            ],
        ),
        (
            "AL-MEX-1-2023",
            [
                "En este contexto, nos referimos a la comunicación conjunta de fecha 10 de noviembre de 2022 dirigida al Gobierno de Su Excelencia",
                "Agradecemos al Gobierno de Su Excelencia su respuesta de fecha 12 de enero de 2023.",
                "Agradeceríamos recibir cualquier información adicional y novedades recientes",
                "Sírvase proporcionar cualquier información o comentario adicional",
            ],
        ),
        (
            "OL-SEN-1-2023",
            [
                "J’ai l’honneur de m’adresser à vous en ma qualité de Rapporteuse spéciale",
                "Cette communication, en tant que commentaire sur des lois, règlements ou politiques",
                "toute réponse reçue du Gouvernement de votre Excellence seront rendues publiques",
                "consacré aux communications après 48 heures.",
                "Veuillez agréer, Excellence, l’assurance de ma plus haute considération.",
            ],
        ),
    ],
)
def test_a_translated_letter_says_its_kinds_sentences(drafted: Path, slug: str, sentences: list[str]) -> None:
    text = " ".join(docx_text(drafted / "dist" / f"{slug}.docx").replace("\u202f", " ").split())
    for sentence in sentences:
        assert sentence in text


@pytest.mark.parametrize("slug", list(DRAFTED))
def test_build_final_refuses_each_translated_letter(drafted: Path, slug: str) -> None:
    completed = run_alletter("build", "--final", f"cases/{slug}.yaml", "--out", "final", cwd=drafted)
    assert completed.returncode == 1
    reference = re.sub(r"^(\w+)-(\w+)-(\d+)-(\d+)$", r"\1 \2 \3/\4", slug)
    assert f"{slug}.yaml ({reference}): not final" in completed.stdout
    assert "closing: “" in completed.stdout and "nothing built" in completed.stdout
    assert not (drafted / "final").exists()


def test_a_french_letter_naming_governments_is_refused_unless_it_words_them(drafted: Path) -> None:
    """No "des Gouvernements de China, Mexico": a State's French name needs its article, which the
    project does not record, so the sentence is the case's own or the letter is refused."""
    text = " ".join(docx_text(drafted / "dist" / "AL-OTH-11-2023.docx").split())
    assert FRENCH_REPLIES_RECEIVED in text
    assert "China" not in text and "Mexico" not in text
    case_path = drafted / "cases" / "AL-OTH-11-2023.yaml"
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    del case["wording"]
    unworded = drafted / "cases" / "AL-OTH-12-2023.yaml"
    unworded.write_text(yaml.safe_dump({**case, "reference": "AL OTH 12/2023"}, allow_unicode=True), encoding="utf-8")
    completed = run_alletter("check", unworded, cwd=drafted)
    assert completed.returncode == 1
    assert "templates/phrases.fr.yaml has no wording of `follow-up-replies-received` for a letter in this language that" in (
        " ".join(completed.stdout.split())
    )


def _french_letter_of_working_groups(case: dict[str, Any]) -> None:
    """The company letter from the two Working Groups whose chairs sign with their own titles."""
    _french_company_letter(case)
    case["mandates"] = ["business-and-human-rights", "discrimination-against-women"]


@pytest.fixture(scope="module")
def chaired(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with AL OTH 11/2023 rewritten in French from the two Working Groups, built into dist/."""
    root = copy_project(tmp_path_factory.mktemp("chaired") / "project")
    case = yaml.safe_load((REPO / "cases" / "AL-OTH-11-2023.yaml").read_text(encoding="utf-8"))
    case["language"] = "fr"
    _french_letter_of_working_groups(case)
    (root / "cases" / "AL-OTH-11-2023.yaml").write_text(
        yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    completed = run_alletter("render", "cases/AL-OTH-11-2023.yaml", "--out", "dist", cwd=root)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return root


def test_a_chairs_signature_title_is_translated_in_the_holders_gender_and_marked_as_draft(chaired: Path) -> None:
    text = " ".join(docx_text(chaired / "dist" / "AL-OTH-11-2023.docx").split())
    # mandates.yaml records no gender of Pichamon Yeophantong: the title's unmarked form
    assert (
        "Pichamon Yeophantong Président-Rapporteur du Groupe de travail sur la question des droits de l’homme et des sociétés"
        in text
    )
    assert "Dorothy Estrada-Tanck Présidente-Rapporteuse du Groupe de travail sur la discrimination à l’égard des femmes" in text
    assert "Chair-Rapporteur" not in text and "Working Group" not in text
    comments = word_comments(chaired / "dist" / "AL-OTH-11-2023.docx", "fr")
    assert "signature title of " in comments
    assert_draft_line_on_every_page(chaired / "dist" / "AL-OTH-11-2023.pdf", "fr")


def test_build_final_refuses_a_draft_signature_title(chaired: Path) -> None:
    completed = run_alletter("build", "--final", "--out", "final", cwd=chaired)
    assert completed.returncode == 1
    assert "signature title of Dorothy Estrada-Tanck: “Présidente-Rapporteuse du Groupe de travail" in completed.stdout
    assert not (chaired / "final").exists()


def test_a_signature_title_the_language_lacks_is_named(chaired: Path, tmp_path: Path) -> None:
    root = shutil.copytree(chaired, tmp_path / "project")
    names = root / "templates" / "names.fr.yaml"
    names.write_text(re.sub(r"\ntitles:\n(  .*\n)+", "\n", names.read_text(encoding="utf-8")), encoding="utf-8")
    completed = run_alletter("check", "cases/AL-OTH-11-2023.yaml", cwd=root)
    assert completed.returncode == 1
    assert (
        "templates/names.fr.yaml has no wording of `titles.Chair-Rapporteur of the Working Group on the issue" in completed.stdout
    )


ANNEXED = {
    "fr": "Référence au droit international des droits de l’homme",
    "es": "Referencia al derecho internacional de los derechos humanos",
}
# Words each translated annex quotes from the Guiding Principles' own edition in its language (principle 11's
# commentary in French; principles 13 and 22 in Spanish), not the translation's.
ANNEX_QUOTES = {
    "fr": ("y compris par des mesures risquant d’affaiblir l’intégrité des processus judiciaires",),
    "es": (
        "a) Eviten que sus propias actividades provoquen o contribuyan a provocar consecuencias negativas",
        "consecuencias negativas deben repararlas o contribuir a su reparación por medios legítimos”",
    ),
}


@pytest.fixture(scope="module")
def annexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the company letter AL OTH 11/2023 (`annexes: [ungp]`) in French and in
    Spanish (AL OTH 12/2023), each built into dist/."""
    root = copy_project(tmp_path_factory.mktemp("annexed") / "project")
    for language, reference in (("fr", "AL OTH 11/2023"), ("es", "AL OTH 12/2023")):
        case = yaml.safe_load((REPO / "cases" / "AL-OTH-11-2023.yaml").read_text(encoding="utf-8"))
        annexes = case["annexes"]
        _french_company_letter(case)
        case.update(language=language, reference=reference, annexes=annexes)
        slug = reference.replace(" ", "-").replace("/", "-")
        (root / "cases" / f"{slug}.yaml").write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
    completed = run_alletter("render", "cases/AL-OTH-11-2023.yaml", "cases/AL-OTH-12-2023.yaml", "--out", "dist", cwd=root)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return root


def english_annex_sentences() -> list[str]:
    """The English UNGP annex's sentences (five words or more): none may be left in a translated letter."""
    body = (REPO / "annexes" / "ungp.md").read_text(encoding="utf-8").split("\n---\n", 1)[1]
    sentences = [" ".join(sentence.split()) for sentence in re.split(r"(?<=[.;:])\s+", body)]
    return [sentence for sentence in sentences if len(sentence.split()) >= 5]


@pytest.mark.parametrize(("slug", "language"), [("AL-OTH-11-2023", "fr"), ("AL-OTH-12-2023", "es")])
def test_a_translated_letter_carries_its_languages_annex_marked_as_draft(annexed: Path, slug: str, language: str) -> None:
    text = " ".join(docx_text(annexed / "dist" / f"{slug}.docx").split())
    assert ANNEXED[language] in text and "A/HRC/17/31" in text
    assert [quote for quote in ANNEX_QUOTES[language] if quote not in text] == []
    english = english_annex_sentences()
    assert len(english) > 20 and [sentence for sentence in english if sentence in text] == []
    assert "Reference to international human rights law" not in text
    comments = word_comments(annexed / "dist" / f"{slug}.docx", language)
    assert f"annex ungp (annexes/{language}/ungp.md)" in comments
    assert_draft_line_on_every_page(annexed / "dist" / f"{slug}.pdf", language)
    pdf = " ".join(" ".join(pdf_pages(annexed / "dist" / f"{slug}.pdf")).split())
    assert ANNEXED[language] in pdf


def test_build_final_refuses_a_draft_annex_and_a_letter_depends_on_its_translation(annexed: Path, tmp_path: Path) -> None:
    completed = run_alletter("build", "--final", "cases/AL-OTH-11-2023.yaml", "--out", "final", cwd=annexed)
    assert completed.returncode == 1
    assert f"annex ungp (annexes/fr/ungp.md): “{ANNEXED['fr']}" in completed.stdout
    assert not (annexed / "final").exists()
    root = shutil.copytree(annexed, tmp_path / "project")
    assert run_alletter("build", "--out", "dist", cwd=root).returncode == 0
    translation = root / "annexes" / "fr" / "ungp.md"
    translation.write_text(
        translation.read_text(encoding="utf-8").replace("En outre, nous souhaitons", "Nous souhaitons"), encoding="utf-8"
    )
    rebuilt = run_alletter("build", "--out", "dist", cwd=root)
    assert rebuilt.returncode == 0, rebuilt.stdout
    assert "AL-OTH-11-2023" in rebuilt.stdout and "AL-OTH-12-2023" not in rebuilt.stdout


def test_an_annex_the_language_lacks_is_refused(annexed: Path, tmp_path: Path) -> None:
    root = shutil.copytree(annexed, tmp_path / "project")
    (root / "annexes" / "es" / "ungp.md").unlink()
    completed = run_alletter("check", "cases/AL-OTH-12-2023.yaml", cwd=root)
    assert completed.returncode == 1
    assert "no wording of `annexes (ungp)` for a letter in this language: the annexes are in English" in completed.stdout


LAW_PARAGRAPHS = {
    ("UA-SEN-1-2023", "iccpr-7"): (
        "fr",
        "L’article 7 du Pacte international relatif aux droits civils et politiques dispose : « Nul ne sera soumis",
    ),
    ("AL-MEX-1-2023", "iccpr-19"): ("es", "El artículo 19 del Pacto Internacional de Derechos Civiles y Políticos dispone:"),
    # The Covenant's Spanish words of article 7 (as the CIOMS guidelines' Spanish edition quotes them).
    ("AL-MEX-1-2023", "iccpr-7"): (
        "es",
        "El artículo 7 del Pacto Internacional de Derechos Civiles y Políticos dispone: “Nadie será sometido a torturas",
        "En particular, nadie será sometido sin su libre consentimiento a experimentos médicos o científicos”.",
    ),
    # The Covenant's own words (its first and last paragraphs, each from a copy), under a draft framing sentence.
    ("AL-COL-1-2023", "iccpr-9"): (
        "es",
        "El artículo 9 del Pacto Internacional de Derechos Civiles y Políticos dispone:",
        "Todo individuo tiene derecho a la libertad y a la seguridad personales. Nadie podrá ser sometido a detención",
        "Toda persona que haya sido ilegalmente detenida o presa, tendrá el derecho efectivo a obtener reparación.",
    ),
    ("UA-SEN-1-2023", "iccpr-19"): (
        "fr",
        "L’article 19 du Pacte international relatif aux droits civils et politiques dispose :",
        "Nul ne peut être inquiété pour ses opinions.",
        "à la sauvegarde de la sécurité nationale, de l’ordre public, de la santé ou de la moralité publiques.",
    ),
    ("UA-SEN-1-2023", "iccpr-9"): (
        "fr",
        "L’article 9 du Pacte international relatif aux droits civils et politiques dispose :",
        "Tout individu a droit à la liberté et à la sécurité de sa personne. Nul ne peut faire l’objet d’une arrestation",
        "Tout individu victime d’arrestation ou de détention illégale a droit à réparation.",
    ),
    ("AL-COD-1-2023", "declaration-hrd"): (
        "fr",
        "dite Déclaration sur les défenseurs des droits de l’homme, dispose : « Chacun a le droit",
    ),
    ("AL-MEX-1-2023", "declaration-hrd"): (
        "es",
        "conocida como Declaración sobre los defensores de los derechos humanos, dispone: “Toda persona tiene derecho",
        "en los planos nacional e internacional”.",
    ),
}


def _with_standards(case: Path, *standards: str) -> None:
    case.write_text(
        case.read_text(encoding="utf-8") + "\nannex:\n  standards:\n" + "".join(f"    - {s}\n" for s in standards),
        encoding="utf-8",
    )


@pytest.mark.parametrize(("slug", "standard"), list(LAW_PARAGRAPHS))
def test_a_translated_letter_carries_the_law_librarys_paragraph_in_its_language_marked_as_draft(
    project_with_examples: Path, slug: str, standard: str
) -> None:
    language, opening, *treaty_words = LAW_PARAGRAPHS[slug, standard]
    case = project_with_examples / "cases" / f"{slug}.yaml"
    _with_standards(case, standard)
    completed = run_alletter("render", case, "--out", "dist", cwd=project_with_examples)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    text = " ".join(docx_text(project_with_examples / "dist" / f"{slug}.docx").split())
    assert opening in text
    assert all(words in text for words in treaty_words)
    english = (REPO / "annexes" / "law" / f"{standard}.md.j2").read_text(encoding="utf-8").split("-#}\n", 1)[1]
    assert english[:40] not in text and "Everyone" not in text and " provides" not in text
    comments = word_comments(project_with_examples / "dist" / f"{slug}.docx", language)
    template = f"annexes/law/{language}/{standard}.md.j2"
    assert f"annex paragraph {standard} ({template})" in comments
    final = run_alletter("build", "--final", case, "--out", "final", cwd=project_with_examples)
    translation = (project_with_examples / template).read_text(encoding="utf-8").split("-#}\n", 1)[1]
    assert final.returncode == 1 and f"annex paragraph {standard} ({template}): “{translation[:20]}" in final.stdout


def test_a_law_paragraph_the_language_lacks_is_refused(project_with_examples: Path) -> None:
    (project_with_examples / "annexes" / "law" / "fr" / "iccpr-9.md.j2").unlink()
    case = project_with_examples / "cases" / "UA-SEN-1-2023.yaml"
    _with_standards(case, "iccpr-7", "iccpr-9")
    untranslated = run_alletter("check", case, cwd=project_with_examples)
    assert untranslated.returncode == 1
    assert "no wording of `annexes (iccpr-9)` for a letter in this language: the annexes are in English" in untranslated.stdout


# The law library's paragraphs with no translation yet, per language: a paragraph stays here until its
# French or Spanish treaty text has been read whole (issue 22; never a treaty article from memory).
# `check` names each; with none missing, a letter citing every paragraph passes.
UNTRANSLATED_LAW: dict[str, list[str]] = {
    "fr": [],
    "es": [],
}
TRANSLATED_CASES = {"fr": "UA-SEN-1-2023", "es": "AL-MEX-1-2023"}


def _english_letters_annexes() -> set[str]:
    """The annexes and law paragraphs the example cases written in English use."""
    used: set[str] = set()
    for path in (REPO / "cases").glob("*.yaml"):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        if case.get("language", "en") == "en":
            used.update(case.get("annexes", []))
            used.update((case.get("annex") or {}).get("standards", []))
    return used


@pytest.mark.parametrize("language", list(UNTRANSLATED_LAW))
def test_check_names_every_law_paragraph_a_language_lacks_and_the_english_letters_annexes_are_covered(
    project_with_examples: Path, language: str
) -> None:
    project = LetterProject(REPO)
    standards = project.law_standard_ids()
    missing = UNTRANSLATED_LAW[language]
    assert [s for s in standards if project.law_paragraph(s, language) is None] == sorted(missing)
    for used in _english_letters_annexes():
        translated = (REPO / "annexes" / language / f"{used}.md").is_file() or (
            used in standards and project.law_paragraph(used, language) is not None
        )
        assert translated or used in missing, f"{used} is neither translated into {language} nor reported missing"
    case = project_with_examples / "cases" / f"{TRANSLATED_CASES[language]}.yaml"
    _with_standards(case, *standards)
    completed = run_alletter("check", case, cwd=project_with_examples)
    if not missing:  # every paragraph translated: the letter citing them all passes, draft marks aside
        assert completed.returncode == 0 and "no wording of `annexes" not in completed.stdout, completed.stdout
        return
    assert completed.returncode == 1
    expected = f"no wording of `annexes ({', '.join(sorted(missing))})` for a letter in this language"
    assert expected in completed.stdout, completed.stdout
