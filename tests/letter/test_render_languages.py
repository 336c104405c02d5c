"""Letters in French and Spanish: the example cases' sentences in order, their dates, joining
rules, titles by holder, French spacing, and which sentences are marked draft."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import REPO

from alletter.letter.render import join_phrases, render
from alletter.letter.typography import french_spacing
from alletter.letter.validate import load_case
from alletter.project.letter_project import LetterProject
from alletter.project.wording import Phrasebook

NNBSP = "\u202f"


def rendered(project: LetterProject, slug: str):
    return render(load_case(REPO / "cases" / f"{slug}.yaml", project), project)


def paragraphs(markdown: str) -> list[str]:
    """The letter's text paragraphs without the div fences, Markdown escapes undone."""
    kept = "\n".join(line for line in markdown.splitlines() if not line.startswith(":::"))
    blocks = [block.strip() for block in re.split(r"\n\s*\n|\\\n", kept) if block.strip()]
    return [re.sub(r"\\(.)", r"\1", block) for block in blocks]


def test_the_french_urgent_appeal_says_its_sentences_in_order(project: LetterProject) -> None:
    letter = rendered(project, "UA-SEN-1-2023")
    text = paragraphs(letter.markdown)
    starts = [
        "Mandats de la Rapporteuse spéciale sur la promotion et la protection du droit à la liberté d’opinion",
        f"Réf.{NNBSP}: UA SEN 1/2023",
        "14\u00a0mars\u00a02023",
        "Mission permanente de la République du Sénégal",
        "Excellence,",
        "Nous avons l’honneur de nous adresser à vous en nos qualités de Rapporteuse spéciale",
        "Dans ce contexte, nous souhaiterions attirer l’attention du Gouvernement de votre Excellence sur des informations",
        f"Selon les informations reçues{NNBSP}:",
        "M.\u00a0B est journaliste",
        "Le 1er\u00a0février\u00a02023",
        "Sans préjuger",
        "Compte tenu de l’urgence de la situation",
        "Comme il est de notre responsabilité",
        "1. Veuillez fournir toute information",
        "2. Veuillez indiquer",
        "3. Veuillez fournir des informations",
        "Cette communication et toute réponse reçue du Gouvernement de votre Excellence",
        "Dans l’attente d’une réponse",
        "Veuillez agréer, Excellence, l’assurance de notre plus haute considération.",
    ]
    positions = [next(i for i, paragraph in enumerate(text) if paragraph.startswith(start)) for start in starts]
    assert positions == sorted(positions)
    english = ["Excellency", "According to the information", "Please accept", "We have the honour", "Ref.:"]
    assert not [word for word in english if word in letter.markdown]


def test_the_header_joins_titles_by_the_holders_gender(project: LetterProject) -> None:
    header = paragraphs(rendered(project, "UA-SEN-1-2023").markdown)[0]
    assert header == (
        "Mandats de la Rapporteuse spéciale sur la promotion et la protection du droit à la liberté d’opinion et "
        f"d’expression{NNBSP}; de la Rapporteuse spéciale sur la situation des défenseurs et défenseuses des droits "
        "humains et du Rapporteur spécial sur les exécutions extrajudiciaires, sommaires ou arbitraires"
    )
    spanish = paragraphs(rendered(project, "AL-MEX-1-2023").markdown)[0]
    assert spanish.startswith("Mandatos de la Relatora Especial sobre la promoción y protección del derecho")
    assert "; de la Relatora Especial sobre la situación de los defensores de derechos humanos y del Relator Especial" in spanish


def test_the_published_opening_is_the_published_letters_and_not_marked(project: LetterProject) -> None:
    letter = rendered(project, "AL-MEX-1-2023")
    honour = next(paragraph for paragraph in paragraphs(letter.markdown) if paragraph.startswith("Tenemos el honor"))
    assert honour.endswith("de conformidad con las resoluciones 43/4, 43/16 y 51/16 del Consejo de Derechos Humanos.")
    drafted = {mark.phrase for mark in letter.drafts}
    assert {"honour", "bring-to-attention", "according-to-information", "header"}.isdisjoint(drafted)
    assert {"closing", "questions-intro", "interim-measures"} <= drafted


def test_a_feminine_title_no_source_prints_is_a_draft_name(project: LetterProject) -> None:
    letter = rendered(project, "AL-MEX-1-2023")
    assert "name of freedom-of-expression" in {mark.phrase for mark in letter.drafts}
    assert "name of human-rights-defenders" not in {mark.phrase for mark in letter.drafts}  # its feminine is sourced


def test_one_mandate_speaks_in_the_singular(project: LetterProject) -> None:
    french = paragraphs(rendered(project, "AL-COD-1-2023").markdown)
    assert (
        french[0]
        == "Mandat de la Rapporteuse spéciale sur la torture et autres peines ou traitements cruels, inhumains ou dégradants"
    )
    assert any(
        paragraph.startswith("J’ai l’honneur de m’adresser à vous en ma qualité de Rapporteuse spéciale") for paragraph in french
    )
    spanish = paragraphs(rendered(project, "AL-COL-1-2023").markdown)
    assert spanish[0] == "Mandato de la Relatora Especial sobre la situación de los defensores de derechos humanos"
    assert "14\u00a0de\u00a0marzo\u00a0de\u00a02023" in spanish  # a date never breaks
    assert spanish[-2:] == ["Mary Lawlor", "Relatora Especial sobre la situación de los defensores de derechos humanos"]


def test_english_letters_have_no_draft_marks(project: LetterProject) -> None:
    letter = rendered(project, "UA-BRA-1-2023")
    assert letter.drafts == () and letter.draft_line is None and letter.language == "en"


@pytest.mark.parametrize(
    ("locale", "day", "expected"),
    [
        ("fr", date(2023, 3, 13), "13 mars 2023"),
        ("fr", date(2023, 3, 1), "1er mars 2023"),
        ("es", date(2023, 3, 13), "13 de marzo de 2023"),
        ("es", date(2023, 3, 1), "1 de marzo de 2023"),
    ],
)
def test_dates_in_the_letters_language(project: LetterProject, locale: str, day: date, expected: str) -> None:
    from alletter.letter.render import date_in

    assert date_in(day, project.phrasebook_for(locale)) == expected


@pytest.mark.parametrize(
    ("phrases", "expected"),
    [
        (["Francia", "Italia"], "Francia e Italia"),
        (["agua", "hielo"], "agua y hielo"),
        (["padres", "hijos"], "padres e hijos"),
        (["España", "Portugal"], "España y Portugal"),
    ],
)
def test_spanish_y_is_e_before_an_i_sound(phrases: list[str], expected: str) -> None:
    assert join_phrases(phrases, ", ", " y ") == expected


def test_french_spacing_is_put_in_by_the_renderer_not_in_urls_or_fences() -> None:
    markdown = '::: {.x custom-style="Y"}\nreçues: « mot » et «mot»\\? voir [site](<https://a.org/b>) ; fin\\!\n:::'
    assert french_spacing(markdown) == (
        f'::: {{.x custom-style="Y"}}\nreçues{NNBSP}: «{NNBSP}mot{NNBSP}» et «{NNBSP}mot{NNBSP}»{NNBSP}\\? '
        f"voir [site](<https://a.org/b>){NNBSP}; fin{NNBSP}\\!\n:::"
    )


def test_the_french_case_text_gets_the_same_spacing(project: LetterProject) -> None:
    markdown = rendered(project, "UA-SEN-1-2023").markdown
    assert f"«{NNBSP}Expulsions sans relogement{NNBSP}»" in markdown
    assert f"signalées{NNBSP}\\; quels en sont les résultats{NNBSP}\\?" in markdown


def test_every_language_phrasebook_names_only_english_phrases(project: LetterProject) -> None:
    """The same phrase names in every language: a French phrase with no English one is a typo."""
    for language in ("fr", "es"):
        book: Phrasebook = project.phrasebook_for(language)
        assert set(book.phrases) <= set(project.phrasebook.phrases), language
        assert all(variant.status != "approved" for variants in book.phrases.values() for variant in variants)


def test_the_characters_the_renderer_adds_have_glyphs(project: LetterProject) -> None:
    """The narrow no-break space and the French and Spanish letters' characters are in the letter's font."""
    from alletter.letter.glyphs import unshowable

    assert unshowable([NNBSP, "« » ’ — œ Œ é è ê ë à â ç î ï ô ù û ü ÿ ñ á í ó ú ¿ ¡ É À Ç Ñ"], project.fonts_dir) == [[], []]
