"""The archive's own files: `manifest.json` for machines and `index.html` for people.

Both are made from the build state alone, so they list every letter in the output directory,
whether it was rebuilt this time or not, and both are byte-identical for identical archives.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from .project import LetterProject
from .write import write_atomic

MANIFEST_FILE = "manifest.json"
INDEX_FILE = "index.html"
INDEX_TEMPLATE = "index.html.j2"


def manifest(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Per letter: what it is, what it follows up, and each file with its size and sha256."""
    return {
        "letters": [
            {
                **entry["summary"],
                "files": [
                    {"format": name, "file": output["file"], "bytes": output["bytes"], "sha256": output["sha256"]}
                    for name, output in sorted(entry["outputs"].items())
                ],
            }
            for entry in entries
        ]
    }


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(path, data)


def write_manifest(out_dir: Path, entries: list[dict[str, Any]]) -> None:
    data = json.dumps(manifest(entries), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    _write_if_changed(out_dir / MANIFEST_FILE, data.encode("utf-8"))


def write_index(out_dir: Path, entries: list[dict[str, Any]], project: LetterProject) -> None:
    """index.html: letters by year, newest first, each prior communication linked when archived."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(project.templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    letters = manifest(entries)["letters"]
    archived = {letter["slug"] for letter in letters}
    years: dict[int, list[dict[str, Any]]] = {}
    for letter in sorted(letters, key=lambda item: (item["date"], item["slug"]), reverse=True):
        years.setdefault(letter["year"], []).append(letter)
    mandate_names = {mandate_id: mandate.name for mandate_id, mandate in project.mandates.items()}
    html = environment.get_template(INDEX_TEMPLATE).render(
        years=sorted(years.items(), reverse=True), archived=archived, mandate_names=mandate_names
    )
    _write_if_changed(out_dir / INDEX_FILE, html.encode("utf-8"))
