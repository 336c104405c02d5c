"""`alletter redline`: the new letter with its changes against the old as Word tracked changes."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import docx
from conftest import REPO, run_alletter
from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CASE = "UA-BRA-1-2023.yaml"
OLD_QUESTION = "Please provide information on the measures taken to protect Ms. A's life and physical integrity."
NEW_QUESTION = "Please provide detailed information on the urgent measures taken to protect the life of Ms. A."


def document(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("word/document.xml"))


def printed(question: str) -> str:
    """A question as the letter prints it: its apostrophe curled, a no-break space after "Ms."."""
    return question.replace("'", "’").replace("Ms. ", "Ms.\u00a0")


def accepted(root: etree._Element) -> str:
    """The text with every change accepted: insertions kept, deletions dropped."""
    return " ".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p"))


def rejected(root: etree._Element) -> str:
    """The text with every change rejected: the old letter's words."""
    paragraphs = []
    for paragraph in root.iter(f"{W}p"):
        if paragraph.find(f"{W}pPr/{W}rPr/{W}ins") is not None:
            continue  # a paragraph the new version added
        words = [
            node.text or ""
            for node in paragraph.iter(f"{W}t", f"{W}delText")
            if not any(ancestor.tag == f"{W}ins" for ancestor in node.iterancestors())
        ]
        paragraphs.append("".join(words))
    return " ".join(paragraphs)


def changed_copy(tmp_path: Path, replace: tuple[str, str]) -> Path:
    new = tmp_path / "new" / CASE
    new.parent.mkdir()
    text = (REPO / "cases" / CASE).read_text(encoding="utf-8")
    assert replace[0] in text
    new.write_text(text.replace(*replace), encoding="utf-8")
    return new


def test_a_changed_question_is_tracked_word_by_word(tmp_path: Path) -> None:
    new = changed_copy(tmp_path, (OLD_QUESTION, NEW_QUESTION))
    out = tmp_path / "changes.docx"
    completed = run_alletter("redline", REPO / "cases" / CASE, new, "--out", out, "--root", REPO)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    root = document(out)
    inserted = " ".join("".join(t.text for t in mark.iter(f"{W}t")) for mark in root.iter(f"{W}ins"))
    deleted = " ".join("".join(t.text for t in mark.iter(f"{W}delText")) for mark in root.iter(f"{W}del"))
    for word in ("detailed", "urgent"):
        assert word in inserted
    for word in ("physical", "integrity."):
        assert word in deleted
    assert all(
        mark.get(f"{W}author") == "alletter" and mark.get(f"{W}date") == "2023-03-14T00:00:00Z"
        for mark in [*root.iter(f"{W}ins"), *root.iter(f"{W}del")]
    )
    assert printed(NEW_QUESTION) in accepted(root) and printed(OLD_QUESTION) not in accepted(root)
    assert printed(OLD_QUESTION) in rejected(root)
    assert len(docx.Document(str(out)).paragraphs) > 20  # a DOCX reader opens it


def test_the_same_letter_twice_has_no_changes(tmp_path: Path) -> None:
    out = tmp_path / "none.docx"
    case = REPO / "cases" / CASE
    assert run_alletter("redline", case, case, "--out", out).returncode == 0
    root = document(out)
    assert root.find(f".//{W}ins") is None and root.find(f".//{W}del") is None


def test_a_removed_paragraph_is_kept_struck_through(tmp_path: Path) -> None:
    removed = (
        "    Ms. A reported both incidents to the civil police on 9 February 2023. According to the source,\n"
        "    no protective measure has been granted to her to date.\n"
    )
    new = changed_copy(tmp_path, (f"  - >-\n{removed}", ""))
    out = tmp_path / "removed.docx"
    assert run_alletter("redline", REPO / "cases" / CASE, new, "--out", out, "--root", REPO).returncode == 0
    root = document(out)
    struck = [p for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]
    assert len(struck) == 1 and "civil police" in "".join(t.text for t in struck[0].iter(f"{W}delText"))
    assert "civil police" in rejected(root) and "civil police" not in accepted(root)


def test_a_version_from_git(project_copy: Path) -> None:
    import shutil

    shutil.copy(REPO / "cases" / CASE, project_copy / "cases" / CASE)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=project_copy, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project_copy, check=True)
    subprocess.run([*git, "commit", "-qm", "first"], cwd=project_copy, check=True)
    case = project_copy / "cases" / CASE
    case.write_text(case.read_text(encoding="utf-8").replace(OLD_QUESTION, NEW_QUESTION), encoding="utf-8")
    out = project_copy / "changes.docx"
    completed = run_alletter("redline", f"HEAD:cases/{CASE}", f"cases/{CASE}", "--out", out, cwd=project_copy)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "urgent" in " ".join("".join(t.text for t in m.iter(f"{W}t")) for m in document(out).iter(f"{W}ins"))
    missing = run_alletter("redline", "HEAD:cases/nope.yaml", f"cases/{CASE}", "--out", out, cwd=project_copy)
    assert missing.returncode == 1 and "git cannot show it" in missing.stderr and "Traceback" not in missing.stderr


def test_two_letters_with_different_references_are_said_to_be_two_letters(project_copy: Path) -> None:
    import shutil

    shutil.copy(REPO / "cases" / CASE, project_copy / "cases" / CASE)
    other = project_copy / "cases" / "AL-OTH-11-2023.yaml"
    out = project_copy / "changes.docx"
    completed = run_alletter("redline", other, project_copy / "cases" / CASE, "--out", out, cwd=project_copy)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "is AL OTH 11/2023 and" in completed.stderr and "is UA BRA 1/2023: two letters" in completed.stderr
    same = run_alletter("redline", other, other, "--out", out, cwd=project_copy)
    assert "two letters" not in same.stderr
