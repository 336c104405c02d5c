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


ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: no build time leaks into the archive


def archive_files(out_dir: Path) -> list[Path]:
    """The files an archive publishes: letters, manifest and index — not build state or temporaries."""
    from .build import STATE_FILE

    return sorted(
        path for path in out_dir.rglob("*")
        if path.is_file() and not path.name.startswith(".") and path.name != STATE_FILE
    )


def pack(out_dir: Path, zip_path: Path) -> list[Path]:
    """Pack the archive into one zip, the same bytes for the same letters: sorted, fixed timestamps."""
    import io
    import zipfile

    files = archive_files(out_dir)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(out_dir).as_posix(), date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            package.writestr(entry, path.read_bytes())
    write_atomic(zip_path, buffer.getvalue())
    return files
