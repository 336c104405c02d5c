"""`alletter build`: the archive — incremental, parallel, reproducible, with manifest and index."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import yaml
from conftest import run_alletter


def build(project: Path, *arguments: str):
    """`alletter build --verbose`: one line per letter, built or up to date."""
    return run_alletter("build", "--out", project / "dist", "--verbose", *arguments, cwd=project)


def statuses(output: str) -> dict[str, str]:
    """`built …/X.yaml → …` and `up to date …/X.yaml` lines, by case file name."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"(built|up to date) (\S+\.yaml)", line)
        if match:
            found[Path(match.group(2)).name] = match.group(1)
    return found


def add_case(project: Path, number: int, **changes) -> Path:
    data = yaml.safe_load((project / "cases" / "AL-OTH-11-2023.yaml").read_text(encoding="utf-8"))
    data.update(reference=f"AL OTH {number}/2023", **changes)
    path = project / "cases" / f"AL-OTH-{number}-2023.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def digests(directory: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(directory.iterdir()) if path.is_file()}


def test_a_second_build_rebuilds_nothing(project_copy: Path) -> None:
    first = build(project_copy, "--jobs", "2")
    assert first.returncode == 0, first.stderr
    assert set(statuses(first.stdout).values()) == {"built"}
    second = build(project_copy)
    assert statuses(second.stdout) == {"AL-OTH-10-2023.yaml": "up to date", "AL-OTH-11-2023.yaml": "up to date"}
    assert "0 built, 2 up to date, 0 failed" in second.stdout
    quiet = run_alletter("build", "--out", project_copy / "dist", cwd=project_copy)
    assert quiet.stdout.splitlines() == [line for line in quiet.stdout.splitlines() if not line.startswith("up to date")]
    assert "0 built, 2 up to date, 0 failed" in quiet.stdout


def test_changing_a_template_rebuilds_exactly_the_letters_using_it(project_copy: Path) -> None:
    assert build(project_copy).returncode == 0
    optional = project_copy / "templates" / "blocks" / "technical-support.md.j2"
    optional.write_text(optional.read_text() + "\n", encoding="utf-8")
    after_template = statuses(build(project_copy).stdout)
    # only 10/2023 offers technical support
    assert after_template == {"AL-OTH-10-2023.yaml": "built", "AL-OTH-11-2023.yaml": "up to date"}
    for shared in ("mandates.yaml", "states.yaml", "templates/kinds.yaml", "templates/phrases.yaml"):
        path = project_copy / shared
        path.write_text(path.read_text() + "\n", encoding="utf-8")
        assert set(statuses(build(project_copy).stdout).values()) == {"built"}, shared
    case = project_copy / "cases" / "AL-OTH-11-2023.yaml"
    case.write_text(case.read_text() + "\n", encoding="utf-8")
    assert statuses(build(project_copy).stdout) == {"AL-OTH-10-2023.yaml": "up to date", "AL-OTH-11-2023.yaml": "built"}
    assert set(statuses(build(project_copy, "--force").stdout).values()) == {"built"}


def test_touching_a_template_rebuilds_the_letters_using_it(project_copy: Path) -> None:
    import os

    assert build(project_copy).returncode == 0
    engagement = project_copy / "templates" / "blocks" / "engagement-offer.md.j2"
    os.utime(engagement, ns=(engagement.stat().st_atime_ns, engagement.stat().st_mtime_ns + 10**9))
    # only 11/2023 offers engagement
    assert statuses(build(project_copy).stdout) == {"AL-OTH-10-2023.yaml": "up to date", "AL-OTH-11-2023.yaml": "built"}


def test_a_deleted_output_is_rebuilt(project_copy: Path) -> None:
    assert build(project_copy).returncode == 0
    (project_copy / "dist" / "AL-OTH-10-2023.pdf").unlink()
    assert statuses(build(project_copy).stdout)["AL-OTH-10-2023.yaml"] == "built"
    assert (project_copy / "dist" / "AL-OTH-10-2023.pdf").is_file()


def test_deleting_a_case_removes_its_letter(project_copy: Path) -> None:
    extra = add_case(project_copy, 12)
    assert build(project_copy).returncode == 0
    assert (project_copy / "dist" / "AL-OTH-12-2023.pdf").is_file()
    extra.unlink()
    completed = build(project_copy)
    assert completed.returncode == 0
    assert "1 removed" in completed.stdout
    assert not list((project_copy / "dist").glob("AL-OTH-12-2023.*"))
    slugs = [letter["slug"] for letter in json.loads((project_copy / "dist" / "manifest.json").read_text())["letters"]]
    assert slugs == ["AL-OTH-10-2023", "AL-OTH-11-2023"]


def test_a_broken_case_is_reported_and_the_others_build(project_copy: Path) -> None:
    add_case(project_copy, 12, mandates=["no-such-mandate"])
    completed = build(project_copy, "--jobs", "2")
    assert completed.returncode == 1
    assert "AL-OTH-12-2023.yaml:" in completed.stderr and "unknown mandate `no-such-mandate`" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert "2 built, 0 up to date, 1 failed" in completed.stdout
    assert (project_copy / "dist" / "AL-OTH-11-2023.pdf").is_file()
    assert not list((project_copy / "dist").glob("AL-OTH-12-2023.*"))


def test_two_builds_from_scratch_are_byte_identical(project_copy: Path, tmp_path: Path) -> None:
    assert build(project_copy, "--jobs", "2").returncode == 0
    first = digests(project_copy / "dist")
    shutil.rmtree(project_copy / "dist")
    assert build(project_copy, "--jobs", "1").returncode == 0
    assert digests(project_copy / "dist") == first
    assert {"AL-OTH-10-2023.docx", "AL-OTH-11-2023.pdf", "index.html", "manifest.json"} <= set(first)


def test_manifest_lists_every_file_with_size_and_hash(project_copy: Path) -> None:
    assert build(project_copy).returncode == 0
    dist = project_copy / "dist"
    letters = json.loads((dist / "manifest.json").read_text())["letters"]
    assert [letter["reference"] for letter in letters] == ["AL OTH 10/2023", "AL OTH 11/2023"]
    omegle = letters[1]
    assert omegle["date"] == "2023-03-13" and omegle["recipient"] == "Mr. Leif K-Brooks"
    assert omegle["follow_up"] == {"reference": "AL OTH 21/2021", "slug": "AL-OTH-21-2021", "date": "2021-03-30", "reply": None}
    for file in omegle["files"]:
        data = (dist / file["file"]).read_bytes()
        assert file["bytes"] == len(data) and file["sha256"] == hashlib.sha256(data).hexdigest()


def test_index_links_letters_and_their_prior_communication(project_copy: Path) -> None:
    follow_up = {
        "reference": "AL OTH 11/2023",
        "date": "2023-03-13",
        "subject": "regarding the same matter",
        "reply": {"date": "2023-04-01"},
    }
    add_case(
        project_copy,
        40,
        date="2023-05-02",
        follow_up=follow_up,
        mandates=["sale-of-children", "education"],
        closing_paragraphs=["press-release"],
    )
    assert build(project_copy, "--format", "pdf").returncode == 0
    index = (project_copy / "dist" / "index.html").read_text()
    assert '<h2 id="y2023">2023</h2>' in index
    assert '<a href="#AL-OTH-11-2023">AL OTH 11/2023</a>' in index
    assert 'href="AL-OTH-40-2023.pdf"' in index
    assert "AL OTH 21/2021 (2021-03-30; no reply)" in index  # not in the archive: not linked


def test_pack_makes_the_same_zip_from_the_same_letters(project_copy: Path) -> None:
    assert build(project_copy, "--format", "pdf").returncode == 0
    first = run_alletter("pack", project_copy / "dist", "--output", project_copy / "one.zip", cwd=project_copy)
    assert first.returncode == 0, first.stderr
    (project_copy / "dist" / "index.html").touch()  # a newer mtime must not change the zip
    assert run_alletter("pack", project_copy / "dist", "--output", project_copy / "two.zip", cwd=project_copy).returncode == 0
    assert (project_copy / "one.zip").read_bytes() == (project_copy / "two.zip").read_bytes()
    with zipfile.ZipFile(project_copy / "one.zip") as package:
        assert package.namelist() == ["AL-OTH-10-2023.pdf", "AL-OTH-11-2023.pdf", "index.html", "manifest.json"]


def test_render_into_the_archive_keeps_its_manifest_true_for_pack(project_copy: Path) -> None:
    """build, edit a case, render it into the archive, pack: the zip's manifest describes the new letter."""
    assert build(project_copy).returncode == 0
    case = project_copy / "cases" / "AL-OTH-11-2023.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("- Omegle LCC", "- Omegle LLC", 1), encoding="utf-8")
    rendered = run_alletter("render", case, "--out", project_copy / "dist", cwd=project_copy)
    assert rendered.returncode == 0, rendered.stderr

    packed = run_alletter("pack", project_copy / "dist", "--output", project_copy / "letters.zip", cwd=project_copy)

    assert packed.returncode == 0, packed.stderr
    with zipfile.ZipFile(project_copy / "letters.zip") as package:
        listed = json.loads(package.read("manifest.json"))["letters"]
        files = {output["file"]: output["sha256"] for letter in listed for output in letter["files"]}
        assert {name: hashlib.sha256(package.read(name)).hexdigest() for name in files} == files
        assert "Omegle LLC" in " ".join(letter["organisation"] for letter in listed)
    assert "0 built, 2 up to date" in build(project_copy).stdout  # the build state was kept current too


def test_pack_refuses_an_archive_whose_manifest_no_longer_matches_a_letter(project_copy: Path) -> None:
    """build, edit a case, render it into the archive in other formats, pack: the zip would ship a
    manifest whose checksums lie (issue 23); pack refuses and says to build."""
    assert build(project_copy, "--format", "pdf").returncode == 0
    case = project_copy / "cases" / "AL-OTH-11-2023.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("- Omegle LCC", "- Omegle LLC", 1), encoding="utf-8")
    rendered = run_alletter("render", case, "--out", project_copy / "dist", "--format", "pdf,docx", cwd=project_copy)
    assert rendered.returncode == 0, rendered.stderr

    packed = run_alletter("pack", project_copy / "dist", "--output", project_copy / "stale.zip", cwd=project_copy)

    assert packed.returncode == 1 and "Traceback" not in packed.stderr
    message = " ".join(packed.stderr.split())
    assert "manifest.json does not match AL-OTH-11-2023.pdf" in message
    assert "alletter build --out" in message
    assert not (project_copy / "stale.zip").exists()
    assert build(project_copy, "--format", "pdf").returncode == 0
    again = run_alletter("pack", project_copy / "dist", "--output", project_copy / "fresh.zip", cwd=project_copy)
    assert again.returncode == 0, again.stderr


def test_pack_refuses_a_directory_that_is_not_an_archive(tmp_path: Path) -> None:
    completed = run_alletter("pack", tmp_path, "--output", tmp_path / "x.zip", cwd=tmp_path)
    assert completed.returncode == 1
    assert "not a letter archive" in completed.stderr and "Traceback" not in completed.stderr
    assert not (tmp_path / "x.zip").exists()


def test_a_letter_is_the_same_bytes_alone_in_a_batch_or_from_converted_chunks(project_copy: Path, tmp_path: Path) -> None:
    # Each process converts a chunk (top-level block) once and reuses its DOCX and typst:
    # what was converted before, or with it, must not change a letter.
    from alletter.letter.builder import LetterBuilder
    from alletter.project.letter_project import LetterProject

    project = LetterProject(project_copy)
    cases = [project_copy / "cases" / f"AL-OTH-{number}-2023.yaml" for number in (10, 11)]
    outputs = []
    for name, batches in {"alone": [[cases[1]]], "together": [cases], "again": [cases, [cases[1]]]}.items():
        builder = LetterBuilder(project, tmp_path / name)
        (tmp_path / name).mkdir()
        try:
            for batch in batches:
                builder.build_batch(batch)
        finally:
            builder.close()
        outputs.append(tmp_path / name)
    for suffix in ("docx", "pdf"):
        assert len({(out / f"AL-OTH-11-2023.{suffix}").read_bytes() for out in outputs}) == 1
    with zipfile.ZipFile(outputs[1] / "AL-OTH-11-2023.docx") as package:
        links = re.findall(r'Target="(http[^"]+)"', package.read("word/_rels/document.xml.rels").decode())
        footnote_links = package.read("word/_rels/footnotes.xml.rels").decode()
    assert "https://spcommreports.ohchr.org/" in links  # the same bytes alone: no other letter's links
    assert "hyperlink" not in footnote_links  # pandoc lists every link there too; the letter has no footnotes


def test_a_build_leaves_no_temporary_typst_root_behind(project_copy: Path) -> None:
    # Each process compiles in a temporary folder of its own (in /dev/shm where there is one:
    # memory); pool workers exit past atexit, and a killed build cannot clean up at all.
    from alletter.letter.typst import TYPST_ROOT_PREFIX
    from alletter.system import MEMORY_BACKED_TEMPORARY

    parents = [MEMORY_BACKED_TEMPORARY, Path(tempfile.gettempdir())]

    def roots() -> set[Path]:
        return {root for parent in parents if parent.is_dir() for root in parent.glob(f"{TYPST_ROOT_PREFIX}*")}

    before = roots()
    assert build(project_copy, "--jobs", "2").returncode == 0
    assert roots() - before == set()


def test_a_build_state_of_another_shape_rebuilds_every_letter_instead_of_failing(project_copy: Path) -> None:
    """A state file written by another alletter (a field renamed, one missing) is not trusted, and no crash."""
    assert build(project_copy).returncode == 0
    state_path = project_copy / "dist" / ".alletter-state.json"
    state = json.loads(state_path.read_text(encoding="utf-8"))
    entry = state["letters"]["cases/AL-OTH-11-2023.yaml"]
    entry["summary"]["ref"] = entry["summary"].pop("reference")
    state_path.write_text(json.dumps(state), encoding="utf-8")
    again = build(project_copy)
    assert again.returncode == 0, again.stdout + again.stderr
    assert set(statuses(again.stdout).values()) == {"built"}
    manifest = json.loads((project_copy / "dist" / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(letter["reference"] for letter in manifest["letters"]) == ["AL OTH 10/2023", "AL OTH 11/2023"]
