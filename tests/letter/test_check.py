"""`alletter check`, `new`, `mandates`, `schema`: a human-rights officer's mistakes, reported where they are."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_alletter

PUBLISHED_TEXT = (REPO / "cases" / "AL-OTH-11-2023.yaml").read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    """The line (from 1) where `fragment` first appears in `text`."""
    return text[: text.index(fragment)].count("\n") + 1


def write(project: Path, text: str, name: str = "AL-OTH-11-2023.yaml") -> Path:
    path = project / "cases" / name
    path.write_text(text, encoding="utf-8")
    return path


def check(project: Path, *arguments: str | Path):
    return run_alletter("check", *arguments, cwd=project)


# Each mistake: how to make it from the published case, the text on the line it must be reported
# at (after the change), and what the message must say.
MISTAKES = {
    "YAML syntax": (("mandates:\n", "mandates: [oops\n"), "mandates: [oops", "YAML syntax error"),
    "duplicate key": (
        ("date: 2023-03-13\n", "date: 2023-03-13\ndate: 2023-03-14\n"),
        "date: 2023-03-14",
        "duplicate key `date` (first given at line 3)",
    ),
    "misspelled key": (("recipient:\n", "recipent:\n"), "recipent:", "did you mean `recipient`?"),
    "unknown key in a nested field": (("  salutation:", "  salutaton:"), "salutaton:", "did you mean `salutation`?"),
    "missing field": (("date: 2023-03-13\n", ""), "reference:", "date: is required but missing"),
    "malformed reference": (
        ("reference: AL OTH 11/2023", "reference: AL OTH 11-2023"),
        "reference:",
        "is not a reference such as `AL OTH 11/2023`",
    ),
    "impossible date": (("date: 2023-03-13", "date: 2023-02-30"), "date: 2023-02-30", "`2023-02-30` is not a date"),
    "unknown mandate": (
        ("  - education\n", "  - educaton\n"),
        "  - educaton",
        "unknown mandate `educaton`; did you mean `education`?",
    ),
    "prior communication after the letter": (
        ("  date: 2021-03-30", "  date: 2023-04-30"),
        "  date: 2023-04-30",
        "must be dated before this letter",
    ),
    "text cut short by a ` #` comment": (
        ("questions:\n", "questions:\n  - Please explain issue #5 of your policy.\n"),
        "issue #5",
        "YAML reads ` #` and what follows as a comment",
    ),
    "text holding `: `": (
        ("questions:\n", "questions:\n  - Please explain the following: what you did.\n"),
        "Please explain the following:",
        "YAML read the `: ` in it as a field name; put the whole text in quotes",
    ),
    "unknown field with no close match": (
        ("recipient:\n", "recipient:\n  title: CEO\n"),
        "title: CEO",
        "is not a known field (the fields here: kind, name, salutation, address)",
    ),
    "line indented unlike its neighbours": (
        ("  salutation:", "   salutation:"),
        "   salutation:",
        "check this line's indentation against the line above",
    ),
    "list item without a space after its dash": (
        ("  - education\n", "  -education\n"),
        "  -education",
        "a list item needs a space after its `-`",
    ),
    "mandate named twice": (
        ("  - slavery\n", "  - slavery\n  - slavery  # again\n"),
        "slavery  # again",
        "`slavery` is named twice (first at line 9); remove one",
    ),
    "unknown closing paragraph": (
        ("closing_paragraphs:\n", "closing_paragraphs:\n  - press-releas\n"),
        "  - press-releas",
        "did you mean `press-release`?",
    ),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_each_mistake_is_reported_once_at_its_line(project_copy: Path, mistake: str) -> None:
    (old, new), line_text, message = MISTAKES[mistake]
    assert old in PUBLISHED_TEXT, mistake
    text = PUBLISHED_TEXT.replace(old, new, 1)
    write(project_copy, text)
    completed = check(project_copy)
    assert completed.returncode == 1
    assert "Traceback" not in completed.stdout + completed.stderr
    reported = [line for line in completed.stdout.splitlines() if ": error: " in line]
    assert len(reported) == 1, completed.stdout
    location = re.match(r"(\S+?):(\d+):(\d+): error: ", reported[0])
    assert location, reported[0]
    assert location.group(1) == "cases/AL-OTH-11-2023.yaml"
    assert int(location.group(2)) == line_of(text, line_text), reported[0]
    assert message in reported[0]


def _without_a_holder_of_sale_of_children(project: Path) -> None:
    """A registry gap: no holder of `sale-of-children` on the published case's date."""
    registry = project / "mandates.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    [sale] = [mandate for mandate in data["mandates"] if mandate["id"] == "sale-of-children"]
    for holder in sale["holders"]:
        holder.pop("seen", None)
        holder["since"], holder["until"] = date(2014, 6, 1), date(2020, 4, 30)
    registry.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_file_that_is_not_yaml_says_nothing_else_was_checked(project_copy: Path) -> None:
    write(project_copy, PUBLISHED_TEXT.replace("mandates:\n", "mandates: [oops\n", 1))
    completed = check(project_copy, "cases/AL-OTH-11-2023.yaml")
    assert completed.returncode == 1
    [unchecked] = [line for line in completed.stdout.splitlines() if ": notice: " in line]
    assert unchecked.startswith("cases/AL-OTH-11-2023.yaml: notice: not checked until the errors above are fixed: its fields")


def test_a_mandate_with_no_holder_on_the_letters_date(project_copy: Path) -> None:
    _without_a_holder_of_sale_of_children(project_copy)
    completed = check(project_copy, "cases/AL-OTH-11-2023.yaml")
    assert completed.returncode == 1
    [reported] = [line for line in completed.stdout.splitlines() if ": error: " in line]
    assert reported.startswith(f"cases/AL-OTH-11-2023.yaml:{line_of(PUBLISHED_TEXT, '  - sale-of-children')}:")
    assert reported.endswith(
        "no holder of `sale-of-children` on 2023-03-13 in mandates.yaml; record it: "
        'alletter mandates record holder sale-of-children "NAME" --from DATE --source URL; '
        "or name who signs this letter: signed_by: {sale-of-children: {name: NAME, title: TITLE}}"
    )


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        # an unknown field and nothing else wrong in the fields: the case is checked in full without it
        ("\nfollow_up:\n", "\nfactz: [a fact]\nfollow_up:\n", "factz: is not a known field; did you mean `facts`?"),
        # a required field misspelled: the case cannot be read whole, its sound fields are checked
        ("\nrecipient:\n", "\nrecipent:\n", "recipent: is not a known field; did you mean `recipient`?"),
    ],
    ids=["unknown field", "misspelled required field"],
)
def test_a_misspelled_field_and_a_registry_gap_in_one_run(project_copy: Path, old: str, new: str, said: str) -> None:
    _without_a_holder_of_sale_of_children(project_copy)
    assert old in PUBLISHED_TEXT
    text = PUBLISHED_TEXT.replace(old, new, 1)
    write(project_copy, text)
    completed = check(project_copy, "cases/AL-OTH-11-2023.yaml")
    assert completed.returncode == 1
    errors = [line for line in completed.stdout.splitlines() if ": error: " in line]
    assert len(errors) == 2, completed.stdout
    gap, field = errors
    assert gap.startswith(f"cases/AL-OTH-11-2023.yaml:{line_of(text, '  - sale-of-children')}:5: error: mandates[0]: ")
    assert "no holder of `sale-of-children` on 2023-03-13 in mandates.yaml; record it: alletter mandates record holder" in gap
    assert field.startswith(f"cases/AL-OTH-11-2023.yaml:{line_of(text, new.strip())}:1: error: ")
    assert field.endswith(said)
    assert "is required but missing" not in completed.stdout  # the misspelling is one mistake, said once
    assert "not checked until the errors above are fixed" in completed.stdout  # the letter's wording waits


def test_a_bad_date_says_what_it_kept_from_being_checked(project_copy: Path) -> None:
    _without_a_holder_of_sale_of_children(project_copy)
    text = PUBLISHED_TEXT.replace("date: 2023-03-13", "date: 2023-02-30").replace("  - education\n", "  - educaton\n")
    write(project_copy, text)
    completed = check(project_copy, "cases/AL-OTH-11-2023.yaml")
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    errors = [line for line in lines if ": error: " in line]
    assert [line.split(": error: ")[1].split(":")[0] for line in errors] == ["date", "mandates[2]"], completed.stdout
    assert "unknown mandate `educaton`; did you mean `education`?" in errors[1]  # the registry is still asked about ids
    assert "no holder" not in completed.stdout  # on which day? not said as if it were known
    [registry] = [line for line in lines if ": notice: mandates: " in line]
    assert registry == (
        f"cases/AL-OTH-11-2023.yaml:{line_of(text, 'mandates:')}:1: notice: mandates: not checked against the "
        "registry: the letter's date is not a valid date (line 3), and the registry says who held each mandate and "
        "which resolution was in force on that date"
    )
    [rest] = [line for line in lines if line.startswith("cases/AL-OTH-11-2023.yaml: notice: not checked until")]
    assert "the kind of letter and its blocks" in rest and "its language's phrasebook" in rest


def test_a_reply_before_the_letter_it_answers(project_copy: Path) -> None:
    text = (
        (REPO / "cases" / "AL-OTH-10-2023.yaml")
        .read_text(encoding="utf-8")
        .replace("    date: 2021-05-28", "    date: 2021-01-28")
    )
    write(project_copy, text, "AL-OTH-10-2023.yaml")
    completed = check(project_copy, "cases/AL-OTH-10-2023.yaml")
    assert completed.returncode == 1
    assert f"cases/AL-OTH-10-2023.yaml:{line_of(text, '    date: 2021-01-28')}:" in completed.stdout
    assert "the reply (2021-01-28) is dated before the letter it answers (2021-03-30)" in completed.stdout


def test_empty_questions_and_misnamed_file(project_copy: Path) -> None:
    data = yaml.safe_load(PUBLISHED_TEXT)
    data["questions"] = []
    (project_copy / "cases" / "AL-OTH-11-2023.yaml").unlink()
    write(project_copy, yaml.safe_dump(data, sort_keys=False), "AL-OTH-12-2023.yaml")
    out = check(project_copy).stdout
    assert "questions: needs at least one question" in out
    assert "reference: the file should be named AL-OTH-11-2023.yaml to match its reference" in out


def test_two_files_with_one_reference(project_copy: Path) -> None:
    write(project_copy, PUBLISHED_TEXT, "copy.yaml")
    out = check(project_copy).stdout
    assert "`AL OTH 11/2023` is also the reference of cases/copy.yaml" in out
    assert "`AL OTH 11/2023` is also the reference of cases/AL-OTH-11-2023.yaml" in out


def test_every_problem_of_a_file_is_reported(project_copy: Path) -> None:
    text = PUBLISHED_TEXT.replace("recipient:\n", "recipent:\n").replace("  - education\n", "  - educaton\n")
    write(project_copy, text)
    out = check(project_copy).stdout
    assert "did you mean `recipient`?" in out and "did you mean `education`?" in out


def test_a_duplicate_key_does_not_hide_the_files_other_mistakes(project_copy: Path) -> None:
    text = PUBLISHED_TEXT.replace("date: 2023-03-13\n", "date: 2023-03-13\ndate: 2023-03-14\n", 1)
    text = text.replace("  - education\n", "  - educaton\n")
    write(project_copy, text)
    completed = check(project_copy)
    assert completed.returncode == 1
    assert "duplicate key `date`" in completed.stdout and "did you mean `education`?" in completed.stdout
    assert "2 problems" in completed.stdout


def test_a_hash_that_is_part_of_the_text_is_no_mistake(project_copy: Path) -> None:
    questions = 'questions:\n  - "Please explain issue #5."\n  - >-\n    Please explain #6.\n  - Please explain C# and item#7.\n'
    write(project_copy, PUBLISHED_TEXT.replace("questions:\n", questions, 1))
    completed = check(project_copy)
    assert completed.returncode == 0, completed.stdout


def test_json_format_for_ci_annotations(project_copy: Path) -> None:
    write(project_copy, PUBLISHED_TEXT.replace("date: 2023-03-13", "date: 2023-02-30"))
    completed = check(project_copy, "--format", "json")
    assert completed.returncode == 1
    records = json.loads(completed.stdout)
    [record] = [each for each in records if each["severity"] == "error"]
    # what the bad date keeps from being checked is said, at the mandates it is about
    assert {"line": 4, "field": "mandates", "severity": "notice"}.items() <= records[1].items()
    assert "not checked against the registry" in records[1]["message"]
    assert record == {
        "path": "cases/AL-OTH-11-2023.yaml",
        "line": 3,
        "column": 7,
        "field": "date",
        "severity": "error",
        "message": "`2023-02-30` is not a date (day value is outside expected range); write it as year-month-day, e.g. 2023-03-13",
    }


def test_the_published_cases_check_clean() -> None:
    completed = run_alletter("check")
    assert completed.returncode == 0, completed.stdout
    assert f"{len(list((REPO / 'cases').glob('*.yaml')))} case files checked: no problems" in completed.stdout


def test_build_reports_the_same_problems(project_copy: Path) -> None:
    write(project_copy, PUBLISHED_TEXT.replace("  - education\n", "  - educaton\n"))
    completed = run_alletter("build", "--out", project_copy / "dist", "--format", "md", cwd=project_copy)
    assert completed.returncode == 1
    assert "unknown mandate `educaton`; did you mean `education`?" in completed.stderr
    assert "cases/AL-OTH-11-2023.yaml:" in completed.stderr


# --- new ---------------------------------------------------------------------------------------


def test_new_writes_the_next_number_and_a_skeleton_that_check_explains(project_copy: Path) -> None:
    completed = run_alletter("new", "--type", "AL", "--country", "OTH", "--year", "2023", cwd=project_copy)
    assert completed.returncode == 0, completed.stderr
    path = project_copy / "cases" / "AL-OTH-12-2023.yaml"
    assert "wrote cases/AL-OTH-12-2023.yaml (AL OTH 12/2023)" in completed.stdout
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/case.schema.json\n")
    assert "reference: AL OTH 12/2023" in text
    out = check(project_copy, path).stdout
    problems = [line for line in out.splitlines() if ": error: " in line]
    assert problems and all("still holds the placeholder TODO" in line for line in problems)
    assert run_alletter("new", "--type", "AL", "--country", "OTH", "--year", "2023", cwd=project_copy).returncode == 0
    assert (project_copy / "cases" / "AL-OTH-13-2023.yaml").is_file()


def test_a_filled_in_skeleton_becomes_a_letter(project_copy: Path) -> None:
    prior = project_copy / "cases" / "AL-OTH-11-2023.yaml"
    completed = run_alletter("new", "--type", "AL", "--country", "OTH", "--year", "2023", "--follow-up", prior, cwd=project_copy)
    assert completed.returncode == 0, completed.stderr
    path = project_copy / "cases" / "AL-OTH-12-2023.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["recipient"]["name"] == "Mr. Leif K-Brooks" and data["follow_up"]["reference"] == "AL OTH 11/2023"
    assert data["mandates"] == yaml.safe_load(PUBLISHED_TEXT)["mandates"]
    text = path.read_text(encoding="utf-8")
    # A 2023 reference written today holds a date placeholder (issue 23): the drafter writes the date.
    text = re.sub(r'date: "TODO[^"\n]*"\n', "date: 2023-03-20\n", text, count=1)
    # The Working Groups' chairs a week later are not in the registry: the letter goes without them.
    text = text.replace("  - business-and-human-rights\n", "").replace("  - discrimination-against-women\n", "")
    text = text.replace("    date: TODO", "    date: 2023-03-17")
    text = re.sub(r'"TODO[^"]*"', '"the matter raised before"', text)
    path.write_text(text, encoding="utf-8")
    assert check(project_copy, path).returncode == 0
    built = run_alletter("render", path, "--out", project_copy / "out", "--format", "md", cwd=project_copy)
    assert built.returncode == 0, built.stderr
    assert "the matter raised before" in (project_copy / "out" / "AL-OTH-12-2023.md").read_text(encoding="utf-8")


def test_new_never_overwrites(project_copy: Path) -> None:
    from alletter.errors import UsageError
    from alletter.files import write_new

    existing = project_copy / "cases" / "AL-OTH-11-2023.yaml"
    with pytest.raises(UsageError, match="already exists"):
        write_new(existing, b"reference: nothing\n")
    assert existing.read_text(encoding="utf-8") == PUBLISHED_TEXT
    assert not [path for path in existing.parent.iterdir() if path.name.startswith(".")]


def test_new_refuses_a_bad_type_clearly(project_copy: Path) -> None:
    completed = run_alletter("new", "--type", "XX", "--country", "OTH", cwd=project_copy)
    assert completed.returncode == 1
    assert "--type XX: choose one of AL, UA, OL" in completed.stderr and "Traceback" not in completed.stderr


# --- mandates and schema -----------------------------------------------------------------------


def test_committed_schema_is_current() -> None:
    completed = run_alletter("schema")
    assert completed.returncode == 0
    committed = (REPO / "schema" / "case.schema.json").read_text(encoding="utf-8")
    assert completed.stdout == committed, "schema/case.schema.json is stale: run `make schema`"
    schema = json.loads(committed)
    assert {"reference", "date", "mandates", "recipient", "questions"} <= set(schema["required"])
    assert schema["additionalProperties"] is False


def test_case_files_name_the_schema() -> None:
    for path in (REPO / "cases").glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/case.schema.json", path


# --- no traceback, anywhere ----------------------------------------------------------------------

BROKEN_INVOCATIONS = {
    "check a missing file": (["check", "cases/nope.yaml"], "no such case file"),
    "check with an unknown format": (["check", "--format", "xml"], "choose text or json"),
    "render a missing file": (["render", "cases/nope.yaml", "--out", "out"], "no such case file"),
    "build with an unknown format": (["build", "--format", "odt"], "unknown format odt"),
    "mandates on a non-date": (["mandates", "--on", "13/03/2023"], "not a date"),
    "new with a bad country": (["new", "--type", "AL", "--country", "Omegle"], "ISO 3166 alpha-3 code"),
    "new following up a broken case": (
        ["new", "--type", "AL", "--country", "OTH", "--follow-up", "cases/broken.yaml"],
        "broken.yaml:",
    ),
    "pack a directory that is no archive": (["pack", "cases"], "not a letter archive"),
    "build into a file": (["build", "--out", "mandates.yaml"], "mandates.yaml: cannot write: it is a file, not a directory"),
    "render into a file": (
        ["render", "cases/AL-OTH-11-2023.yaml", "--out", "mandates.yaml/letters"],
        "mandates.yaml/letters: cannot write",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN_INVOCATIONS))
def test_no_traceback_for_a_users_mistake(project_copy: Path, name: str) -> None:
    (project_copy / "cases" / "broken.yaml").write_text("reference: [\n", encoding="utf-8")
    arguments, message = BROKEN_INVOCATIONS[name]
    completed = run_alletter(*arguments, cwd=project_copy)
    assert completed.returncode != 0
    assert "Traceback" not in completed.stdout + completed.stderr
    assert message in completed.stdout + completed.stderr


@pytest.mark.parametrize("command", ["check", "build", "render", "new", "mandates", "schema", "pack"])
def test_outside_a_letter_project_every_command_says_so(tmp_path: Path, command: str) -> None:
    arguments = {"render": ["x.yaml"], "new": ["--type", "AL", "--country", "OTH"]}.get(command, [])
    if command == "render":
        (tmp_path / "x.yaml").write_text("reference: AL OTH 1/2023\n", encoding="utf-8")
    completed = run_alletter(command, *arguments, cwd=tmp_path)
    assert "Traceback" not in completed.stdout + completed.stderr
    if command != "schema":
        assert completed.returncode == 1
        assert "no letter project found" in completed.stderr or "not a letter archive" in completed.stderr


def test_every_command_explains_itself_with_an_example() -> None:
    commands = ["render", "build", "check", "new", "mandates", "schema", "pack", "watch", "redline"]
    overview = run_alletter("--help").stdout
    for command in commands:
        assert command in overview
        completed = run_alletter(command, "--help")
        assert completed.returncode == 0 and "Example:" in completed.stdout, command


def test_the_authors_guide_names_every_field_of_a_case() -> None:
    from alletter.project.schema import Case

    guide = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")

    def fields(model, prefix: str = ""):
        for name, info in model.model_fields.items():
            yield prefix + name
            nested = next(
                (
                    arg
                    for arg in (info.annotation, *getattr(info.annotation, "__args__", ()))
                    if isinstance(arg, type) and hasattr(arg, "model_fields")
                ),
                None,
            )
            if nested is not None and name != "other_replies":
                yield from fields(nested, f"{prefix}{name}.")

    missing = [name for name in fields(Case) if f"`{name}`" not in guide]
    assert not missing, f"docs/authoring.md does not explain {missing}"


@pytest.mark.parametrize("command", [["build", "--out", "dist"], ["render", "cases/AL-OTH-11-2023.yaml"], ["check"]])
def test_a_broken_registry_is_one_error_not_one_per_letter(project_copy: Path, command: list[str]) -> None:
    registry = project_copy / "mandates.yaml"
    registry.write_text(registry.read_text(encoding="utf-8") + "  broken: [\n", encoding="utf-8")
    completed = run_alletter(*command, cwd=project_copy)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1
    assert "Traceback" not in output
    assert sum("mandates.yaml:" in line for line in output.splitlines()) == 1, output
    assert not list(project_copy.glob("dist/*.pdf"))
