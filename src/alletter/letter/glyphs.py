"""What the PDF's fonts can show: text with characters none of them has is refused, not printed as boxes.

typst compiles the PDF with only the project's fonts (templates/fonts/) and those embedded in the
`typst` package (see `typst.py`) and falls back from the template's font to any of them for a
character it lacks; the probe is given the same fonts. A character that no font
has comes out as an empty box ("tofu"), and as U+0000 in the PDF's text — silently: typst gives
no warning. So we ask typst itself. A probe document measures each character (with the combining
marks that follow it) and the box drawn for a code point no font has; a missing character measures
as that box: the same height, and a width of one or more boxes (halved for CJK punctuation, which
typst compresses); a mark its base's font lacks adds a box's width to the base's. Answers are remembered per process; each probe costs a few milliseconds.
"""

from __future__ import annotations

import json
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

_PROBE = r"""
#set text(font: "Liberation Serif", top-edge: "bounds", bottom-edge: "bounds")
#let size(cluster) = { let box = measure(text(cluster)); (box.width.pt(), box.height.pt()) }
#context [#metadata((tofu: size("\u{10FFFD}"), sizes: json(bytes(sys.inputs.clusters)).map(size))) <probe>]
"""
_ALWAYS_SHOWN = frozenset({chr(code) for code in range(0x20, 0x7F)} | {"\n"})


class _Answers:
    """What one folder of fonts (with typst's own) can show, as far as asked."""

    def __init__(self) -> None:
        self.shown: dict[str, bool] = {}  # cluster → the fonts can show it
        # single characters known to be shown (never a combining mark): a text made only of them needs no look
        self.shown_characters: set[str] = set(_ALWAYS_SHOWN)


_answers: dict[str, _Answers] = {}  # by the fonts' folder


def clusters(text: str) -> list[str]:
    """Each character with the combining marks after it: marks are drawn in their base's font."""
    found: list[str] = []
    for character in text:
        if found and unicodedata.category(character) in ("Mn", "Me", "Mc") and not found[-1].isspace():
            found[-1] += character
        else:
            found.append(character)
    return found


def _needs_probe(cluster: str) -> bool:
    return not (cluster.isascii() and cluster.isprintable()) and not cluster.isspace()


def _probe(unknown: list[str], fonts_dir: Path, answers: _Answers) -> None:
    import typst

    bases = [cluster[0] for cluster in unknown if len(cluster) > 1]
    with tempfile.TemporaryDirectory(prefix="alletter-fonts-") as root:
        answer = typst.query(  # type: ignore[type-var, misc]  # the stub ties the input (bytes) and the font paths (str) to one type; typst takes both
            _PROBE.encode("utf-8"),
            "<probe>",
            field="value",
            one=True,
            root=root,
            font_paths=[str(fonts_dir)],
            ignore_system_fonts=True,
            sys_inputs={"clusters": json.dumps(unknown + bases)},
        )
    result = json.loads(answer)
    tofu_width, tofu_height = result["tofu"]
    sizes = dict(zip(unknown + bases, result["sizes"], strict=False))

    def whole_boxes(width: float, box: float) -> bool:
        return width / box > 0.99 and abs(width / box - round(width / box)) < 1e-3

    for cluster in unknown:
        width, height = sizes[cluster]
        is_tofu = abs(height - tofu_height) < 1e-6 and whole_boxes(width, tofu_width / 2)
        if len(cluster) > 1:  # a mark the base's font lacks adds a box beside the base
            is_tofu = is_tofu or whole_boxes(width - sizes[cluster[0]][0], tofu_width)
        answers.shown[cluster] = not is_tofu
        if not is_tofu and len(cluster) == 1 and not unicodedata.category(cluster).startswith("M"):
            answers.shown_characters.add(cluster)


def unshowable(texts: Iterable[str], fonts_dir: Path) -> list[list[str]]:
    """For each text, the characters (with their marks) that no font of the PDF has, each once:
    neither those in `fonts_dir` (the project's) nor typst's own."""
    answers = _answers.setdefault(str(fonts_dir), _Answers())
    per_text = [
        []
        if answers.shown_characters.issuperset(text)
        else list(dict.fromkeys(cluster for cluster in clusters(text) if _needs_probe(cluster)))
        for text in texts
    ]
    unknown = list(dict.fromkeys(cluster for found in per_text for cluster in found if cluster not in answers.shown))
    if unknown:
        _probe(unknown, fonts_dir, answers)
    return [[cluster for cluster in found if not answers.shown[cluster]] for found in per_text]


def describe(clusters_: list[str], limit: int = 8) -> str:
    """`中 (U+4E2D), 文 (U+6587)`: characters as a message names them."""
    named = [f"{cluster} ({' '.join(f'U+{ord(c):04X}' for c in cluster)})" for cluster in clusters_[:limit]]
    more = f" and {len(clusters_) - limit} more" if len(clusters_) > limit else ""
    return ", ".join(named) + more
