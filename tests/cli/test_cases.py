"""Case files hold only what is the case's own: no sentence of the shared boilerplate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

MIN_WORDS = 6


def boilerplate_sentences() -> set[str]:
    """Every sentence of the templates and annexes, without Jinja tags and expressions."""
    sources = [
        *(REPO / "templates").rglob("*.j2"),
        REPO / "templates" / "phrases.yaml",
        *(REPO / "annexes").rglob("*.md"),
        *(REPO / "annexes").rglob("*.md.j2"),
    ]
    sentences: set[str] = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        text = re.sub(r"\{[{%#].*?[}%#]\}", "\n", text, flags=re.S)
        if source.suffix == ".yaml":  # phrases.yaml: its wordings, folded over several lines
            text = "\n".join(" ".join(str(value).split()) for value in _yaml_texts(source))
        text = re.sub(r"[*\\]", "", text)
        for sentence in re.split(r"(?<=[.:;?!])\s+|\n", text):
            words = sentence.split()
            if len(words) >= MIN_WORDS:
                sentences.add(" ".join(words))
    return sentences


def _yaml_texts(path: Path) -> list[str]:
    import yaml

    texts: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key != "source":
                    collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)
        elif isinstance(node, str):
            texts.append(re.sub(r"\{[{%#].*?[}%#]\}", "\n", node, flags=re.S))

    collect(yaml.safe_load(path.read_text(encoding="utf-8")))
    return texts


def test_the_boilerplate_has_sentences_to_look_for() -> None:
    sentences = boilerplate_sentences()
    assert (
        "The press release will indicate that we have been in contact with you to clarify the issue/s in question." in sentences
    )
    assert len(sentences) > 40


@pytest.mark.parametrize("case_file", sorted((REPO / "cases").glob("*.yaml")), ids=lambda path: path.name)
def test_case_file_holds_no_boilerplate_sentence(case_file: Path) -> None:
    import yaml

    values: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)
        elif isinstance(node, str):
            values.append(" ".join(node.split()))

    collect(yaml.safe_load(case_file.read_text(encoding="utf-8")))
    case_text = "\n".join(values)
    found = [sentence for sentence in boilerplate_sentences() if sentence in case_text]
    assert found == []
