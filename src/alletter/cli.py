"""The `alletter` command: parses arguments, calls the library, prints results.

Heavy modules (pandoc and typst bindings, pydantic models) are imported inside the commands,
so `alletter --help` starts fast. A user's mistake (`UserError`) is printed as a message with
exit status 1, never as a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from collections.abc import Callable

    from .archive.build import Archive, BuildReport
    from .importer.case_file import ImportedCase, Rebuild
    from .letter.builder import LetterResult
    from .project.letter_project import LetterProject

app = typer.Typer(
    help=(
        "Assemble UN Special Procedures communications (allegation letters, urgent appeals, other "
        "letters) from short YAML case files, shared Jinja templates and annexes, as DOCX and PDF."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)
INTERRUPTED_EXIT_STATUS = 130  # a shell's status for a command stopped by Ctrl-C (128 + SIGINT)

RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="The letter project (the directory with templates/, annexes/, mandates.yaml). "
        "Default: the nearest directory above the case files (or the current one) that has templates/.",
        file_okay=False,
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="Comma-separated output formats: docx, pdf, md, png (a preview of page 1).")
]


def _fail(error: Exception) -> None:
    errors.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _as_typed(paths: list[Path]) -> list[Path]:
    """Paths relative to the current directory where they are inside it: messages read as typed."""
    import os

    relative = [Path(os.path.relpath(path)) if path.is_absolute() else path for path in paths]
    return [short if not str(short).startswith("..") else path for short, path in zip(relative, paths, strict=True)]


def _project(root: Path | None, near: Path) -> LetterProject:
    from .project.letter_project import LetterProject

    return LetterProject(root.resolve()) if root is not None else LetterProject.find(near)


def _stop_on_sigterm() -> None:
    """SIGTERM (a cancelled CI job, `timeout`) stops a build as Ctrl-C does: the letters in hand
    are finished and recorded, the workers and pandoc end with it. By default it would kill this
    process alone, mid-letter."""
    import signal

    def interrupt(signal_number: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _result_printer(verbose: bool) -> Callable[[LetterResult], None]:
    """One plain line per letter built or failed (and, verbose, per letter up to date).

    Written without rich: a CI log of a thousand letters needs lines, not styling, and fast.
    """

    def print_result(result: LetterResult) -> None:
        if result.status == "failed":
            sys.stderr.write(f"failed {result.error}\n")
        elif result.status == "built":
            names = ", ".join(path.name for path in result.outputs)
            sys.stdout.write(f"built {result.case_path} → {names}\n")
        elif verbose:
            sys.stdout.write(f"up to date {result.case_path}\n")

    return print_result


@app.command()
def render(
    cases: Annotated[list[Path], typer.Argument(help="Case files (YAML) to turn into letters.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory the letters are written to.")] = Path("dist"),
    formats: FormatOption = "docx,pdf",
    root: RootOption = None,
) -> None:
    """Build the letters of the given case files, always, whatever is already in --out.

    Each letter is named after its reference: AL OTH 11/2023 → AL-OTH-11-2023.docx, .pdf.

    Example: alletter render cases/AL-OTH-11-2023.yaml --out letters --format pdf,md
    """
    from .archive.pool import build_letters
    from .errors import UserError
    from .letter.builder import find_case_files, parse_formats

    try:
        project = _project(root, cases[0].parent)
        chosen = parse_formats(formats)
        files = find_case_files(cases)
    except UserError as error:
        _fail(error)
    _stop_on_sigterm()
    try:
        results = build_letters(project, out, chosen, files, on_result=_result_printer(verbose=True))
    except KeyboardInterrupt:
        console.print("interrupted: the letters above are written, the others untouched", highlight=False)
        raise typer.Exit(INTERRUPTED_EXIT_STATUS) from None
    except UserError as error:  # --out cannot be written
        _fail(error)
    failed = sum(not result.ok for result in results)
    console.print(f"{len(results) - failed} built, {failed} failed", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def build(
    cases: Annotated[
        list[Path] | None,
        typer.Argument(help="Case files or folders to build. Default: the project's cases/ folder.", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The archive directory.")] = Path("dist"),
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, help="Letters built in parallel. Default: the number of CPUs.")
    ] = None,
    formats: FormatOption = "docx,pdf",
    force: Annotated[bool, typer.Option("--force", help="Rebuild every letter, even those up to date.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also list the letters that were up to date.")] = False,
    root: RootOption = None,
) -> None:
    """Build the letter archive: every case, in parallel, rebuilding only what changed.

    A letter is rebuilt when its case file, a template or annex it uses, the mandate registry,
    the page design or alletter itself changed. Letters whose case file was deleted are removed.
    The archive gets manifest.json (files, sizes, sha256) and index.html. A case that fails is
    reported and the others still build; the exit status is then 1. Ctrl-C stops the build in a
    second or two, keeping what was built (exit status 130); the next build goes on from there.

    Example: alletter build --out dist --jobs 2
    """
    from .archive.build import Archive
    from .archive.pool import default_jobs
    from .errors import UserError
    from .letter.builder import find_case_files, parse_formats

    try:
        project = _project(root, cases[0].parent if cases else Path.cwd())
        chosen = parse_formats(formats)
        files = _as_typed(find_case_files(cases or [project.cases_dir]))
    except UserError as error:
        _fail(error)
    archive = Archive(project, out, chosen)
    workers = jobs or default_jobs()
    _stop_on_sigterm()
    try:
        if console.is_terminal:
            report = _build_with_progress_bar(archive, files, workers, force, prune=not cases)
        else:
            report = archive.build(
                files, jobs=workers, force=force, prune=not cases, on_result=_result_printer(verbose), on_wait=_waiting_for(out)
            )
    except UserError as error:  # the archive itself cannot be written
        _fail(error)
    for case, paths in report.removed.items():
        names = ", ".join(path.name for path in paths) or "nothing left to delete"
        console.print(f"[yellow]removed[/] {escape(f'{names} ({case} is gone)')}", highlight=False, soft_wrap=True)
    removed = f", {len(report.removed)} removed" if report.removed else ""
    console.print(
        f"{report.count('built')} built, {report.count('up to date')} up to date, "
        f"{report.count('failed')} failed{removed} in {report.seconds:.1f} s",
        highlight=False,
    )
    if report.interrupted:
        console.print("interrupted: the letters built so far are kept; `alletter build` again builds the rest", highlight=False)
        raise typer.Exit(INTERRUPTED_EXIT_STATUS)
    if report.count("failed"):
        raise typer.Exit(1)


@app.command()
def pack(
    archive: Annotated[Path, typer.Argument(help="The archive directory built by `alletter build`.", file_okay=False)] = Path(
        "dist"
    ),
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip file to write.")] = Path("letters.zip"),
) -> None:
    """Pack a built archive (letters, manifest.json, index.html) into one reproducible zip.

    The same letters always give the same zip bytes: entries sorted, timestamps fixed, build
    state left out.

    Example: alletter pack dist --output letters.zip
    """
    from .archive.build import MANIFEST_FILE
    from .archive.build import pack as pack_archive
    from .errors import UsageError, UserError

    if not (archive / MANIFEST_FILE).is_file():
        _fail(UsageError(f"{archive}: not a letter archive (no {MANIFEST_FILE}); run `alletter build --out {archive}` first"))
    try:
        files = pack_archive(archive, output)
    except UserError as error:
        _fail(error)
    console.print(f"packed {len(files)} files from {archive} into {output}", highlight=False, soft_wrap=True)


CheckFormat = Annotated[
    str,
    typer.Option("--format", "-f", help="text (path:line:column: message; colour in a terminal) or json (for CI annotations)."),
]


@app.command()
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Case files or folders to check. Default: the project's cases/ folder.", show_default=False),
    ] = None,
    output_format: CheckFormat = "text",
    root: RootOption = None,
) -> None:
    """Check case files before a letter goes out, and report every problem where it is.

    Each problem is printed as path:line:column: field: message, the line taken from the YAML:
    syntax errors, duplicate or misspelled keys, missing fields, malformed references and dates,
    unknown mandates, mandates with no holder in office on the letter's date, follow-up dates
    out of order, two files with one reference, a file name that does not match its reference,
    a kind of letter that does not exist (a State under OTH, a company under a country code) or
    that the templates cannot write yet, and any sentence the letter needs that has no published
    wording in templates/phrases.yaml (e.g. a singular form). A letter's own wording of a sentence
    (`wording:`) and a resolution it cites instead of the one in force (`resolutions:`) are listed
    as notices, not errors. The exit status is 1 when anything is wrong.

    Example: alletter check cases/AL-OTH-11-2023.yaml
    """
    from .errors import UsageError, UserError
    from .letter.builder import find_case_files
    from .letter.render import wording_problems
    from .letter.validate import check_cases

    if output_format not in ("text", "json"):
        _fail(UsageError(f"--format {output_format}: choose text or json"))
    try:
        project = _project(root, paths[0] if paths and paths[0].is_dir() else (paths[0].parent if paths else Path.cwd()))
        files = _as_typed(find_case_files(paths or [project.cases_dir]))
        checks = check_cases(files, project)
        for case_check in checks:
            if case_check.valid is not None:
                case_check.problems.extend(wording_problems(case_check.valid, project))
    except UserError as error:
        _fail(error)
    problems = [problem for case_check in checks for problem in case_check.problems]
    notices = [notice for case_check in checks if not case_check.problems for notice in case_check.notices]
    if output_format == "json":
        _print_problems_json(problems, notices)
    else:
        _print_located(notices, "notice")  # a letter's departures from the boilerplate: said, not refused
        _print_problems(problems, len(files))
    if problems:
        raise typer.Exit(1)


def _print_located(problems: list, severity: str) -> None:
    """path:line:column: severity: field: message, one per line (errors red, notices blue)."""
    colour = "red" if severity == "error" else "blue"
    for problem in problems:
        field = f"[bold]{escape(problem.field)}[/]: " if problem.field else ""
        console.print(
            f"[cyan]{escape(str(problem.location))}[/]: [{colour}]{severity}[/]: {field}{escape(problem.message)}",
            highlight=False,
            soft_wrap=True,
        )


def _print_problems(problems: list, file_count: int) -> None:
    _print_located(problems, "error")
    bad_files = len({problem.location.path for problem in problems})
    if problems:
        console.print(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {bad_files} of {file_count} "
            f"case file{'s' if file_count != 1 else ''}",
            highlight=False,
        )
    else:
        console.print(f"{file_count} case file{'s' if file_count != 1 else ''} checked: no problems", highlight=False)


def _print_problems_json(problems: list, notices: list) -> None:
    import json

    records = [
        {
            "path": str(problem.location.path),
            "line": problem.location.line,
            "column": problem.location.column,
            "field": problem.field,
            "message": problem.message,
            "severity": severity,
        }
        for severity, listed in (("error", problems), ("notice", notices))
        for problem in listed
    ]
    sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")


@app.command()
def new(
    kind: Annotated[
        str, typer.Option("--type", "-t", help="AL (allegation letter), UA (urgent appeal), OL (other letter), or JAL, JUA, JOL.")
    ],
    country: Annotated[
        str, typer.Option("--country", "-c", help="Three-letter country code, or OTH for companies and other non-State actors.")
    ],
    year: Annotated[
        int | None, typer.Option("--year", "-y", help="The reference's year. Default: this year.", show_default=False)
    ] = None,
    follow_up: Annotated[
        Path | None,
        typer.Option(
            "--follow-up",
            help="A case file this letter follows up: its reference, date, recipient and mandates are filled in.",
            dir_okay=False,
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Start a new case: write a commented skeleton with the next free reference into cases/.

    The number is the next after every case file of that type, country and year. Every
    placeholder reads TODO; `alletter check` reports each one until it is filled in. An
    existing file is never overwritten.

    Example: alletter new --type AL --country OTH --follow-up cases/AL-OTH-11-2023.yaml
    """
    from datetime import date

    from .drafting.new import new_case
    from .errors import UserError

    today = date.today()
    try:
        project = _project(root, Path.cwd())
        created = new_case(project, kind, country, year or today.year, today, follow_up)
    except UserError as error:
        _fail(error)
    shown = _as_typed([created.path])[0]
    console.print(
        f"wrote {shown} ({created.reference}); fill in each TODO, then: alletter check {shown}", highlight=False, soft_wrap=True
    )


@app.command()
def mandates(
    on: Annotated[
        str | None,
        typer.Option("--on", help="The date (YYYY-MM-DD) to show the mandates of. Default: today.", show_default=False),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="table (for people) or json (for programs).")] = "table",
    gaps: Annotated[
        bool,
        typer.Option(
            "--gaps",
            help="Instead: every fact missing from the registry (no holder, no "
            "resolution, no source), by date range, from 2019-01-01 to --on.",
        ),
    ] = False,
    root: RootOption = None,
) -> None:
    """List the mandates in force on a date: id, name, the resolution a letter cites, the holder who signs, sources.

    The ids in the first column are what a case file's `mandates:` lists. A mandate whose
    resolution or holder on that date is not in mandates.yaml is listed with what is missing:
    a letter cannot be sent under it until the registry is completed from a published source.

    Example: alletter mandates --on 2023-03-13 --format json

    Example: alletter mandates --gaps
    """
    from datetime import date

    from .errors import UsageError, UserError
    from .project.mandates_report import GAPS_FROM, gap_rows, mandates_on

    if output_format not in ("table", "json"):
        _fail(UsageError(f"--format {output_format}: choose table or json"))
    try:
        day = date.fromisoformat(on) if on else date.today()
    except ValueError:
        _fail(UsageError(f"--on {on}: not a date; write it as year-month-day, e.g. 2023-03-13"))
    try:
        project = _project(root, Path.cwd())
        rows = gap_rows(project, GAPS_FROM, day) if gaps else mandates_on(project, day)
    except UserError as error:
        _fail(error)
    if output_format == "json":
        import json

        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    else:
        _print_registry_table(rows, f"Missing from mandates.yaml, {GAPS_FROM} to {day}" if gaps else f"Mandates on {day}")


def _print_registry_table(rows: list[dict], title: str) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    # Names and sources are long: the table shows what tells mandates apart; --format json has all.
    columns = [column for column in rows[0] if column not in ("name", "sources")] if rows else ["id"]
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column in ("id", "from", "to"))
    for row in rows:
        table.add_row(*(_cell(row[column]) for column in columns))
    console.print(table)


def _cell(value: object) -> str:
    if value is None:
        return "[red]unknown[/]"
    if isinstance(value, dict):  # a holder: the name (the title is the mandate's name, or the chair's)
        return str(value.get("name"))
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


@app.command()
def watch(
    cases: Annotated[
        list[Path] | None,
        typer.Argument(help="Case files or folders to watch. Default: the project's cases/ folder.", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory the letters are written to.")] = Path("dist"),
    formats: FormatOption = "docx,pdf",
    root: RootOption = None,
) -> None:
    """Rebuild letters as you write: whenever a case file, a template, an annex, the registry or the settings change.

    pandoc and typst stay running between rebuilds, so a save is a new DOCX and PDF in a fraction
    of a second. A case file with a mistake is reported as `check` reports it, and its last good
    letter stays in place. Keep the PDF open in a viewer that reloads a changed file (Evince,
    Okular, Skim, SumatraPDF; in VS Code, a PDF preview extension). Stop with Ctrl-C.

    Example: alletter watch cases/UA-BRA-1-2023.yaml --out preview
    """
    from .drafting.watch import LetterWatcher
    from .drafting.watch import watch as watch_letters
    from .errors import UserError
    from .letter.builder import find_case_files, parse_formats

    try:
        project = _project(root, cases[0] if cases and cases[0].is_dir() else (cases[0].parent if cases else Path.cwd()))
        chosen = parse_formats(formats)
        files = find_case_files(cases or [project.cases_dir])
        from .files import ensure_directory

        ensure_directory(out)
    except UserError as error:
        _fail(error)
    _stop_on_sigterm()
    watcher = LetterWatcher(project.root, files, out, chosen)
    try:
        watch_letters(
            watcher,
            _result_printer(verbose=True),
            on_ready=lambda: console.print(f"watching {len(files)} letter(s); Ctrl-C to stop", highlight=False),
        )
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()


@app.command()
def redline(
    old: Annotated[
        str, typer.Argument(help="The earlier version: a case file, or REV:path as git holds it (HEAD~1:cases/x.yaml).")
    ],
    new: Annotated[str, typer.Argument(help="The later version: a case file, or REV:path.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The DOCX to write: NEW's letter with its changes tracked.", dir_okay=False)
    ],
    root: RootOption = None,
) -> None:
    """Write the NEW letter as a DOCX whose changes against the OLD one are Word tracked changes.

    Both versions are built as alletter builds them; words inserted and deleted are marked as
    Word's tracked changes (by "alletter", dated the new letter's date), so a clearance round sees
    what changed and accepts or rejects each change in Word or LibreOffice.

    Example: alletter redline HEAD~1:cases/UA-BRA-1-2023.yaml cases/UA-BRA-1-2023.yaml --out changes.docx
    """
    from .drafting.redline import redline_cases
    from .errors import UserError

    try:
        written = redline_cases(old, new, out, root, Path.cwd())
    except UserError as error:
        _fail(error)
    console.print(f"wrote {written}: {new} with its changes against {old} tracked", highlight=False, soft_wrap=True)


@app.command("import")
def import_(
    letters: Annotated[
        list[Path],
        typer.Argument(
            help="The letter: a DOCX, a PDF, or its text (.txt, .md), as published or as alletter made it; "
            "or several letters and folders of them, with --out a folder.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="The case file to write (it must not exist yet); for several letters, the folder to write "
            "their case files to, each named by its reference.",
        ),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Letters imported at a time (several letters).")] = os.cpu_count()
    or 1,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="An existing case file to bring the letter's changes into: the change is printed, then written, "
            "the file's comments and layout kept.",
            dir_okay=False,
            exists=True,
        ),
    ] = None,
    root: RootOption = None,
) -> None:
    """Read a letter back into a case file: everything in it that is not boilerplate.

    The boilerplate is recognised with the templates themselves: each block of the letter's kind
    is rendered for a probe case and the letter's text aligned against it; what lies between is
    the case's own (recipient, prior communication, facts, paragraphs, questions, annex). The
    case is then built again and its words compared with the letter's. What cannot be placed is
    reported with its paragraph and written into the case file as a TODO comment.

    Example: alletter import archive/UA-BRA-7-2021.pdf --out cases/UA-BRA-7-2021.yaml

    Example: alletter import edited.docx --into cases/UA-BRA-1-2023.yaml

    Several letters (files or folders of them) are imported into a folder in parallel, with a
    progress bar and a summary: word for word, with overrides, with TODOs, failed.

    Example: alletter import archive/ --out cases/
    """
    from .errors import UserError
    from .files import write_atomic, write_new
    from .importer.case_file import import_letter, merge_into, rebuild

    if len(letters) > 1 or letters[0].is_dir() or (out is not None and out.is_dir()):
        if into is not None or out is None:
            _fail(UserError("several letters are imported with --out FOLDER (not --into)"))
        assert out is not None
        _import_many(letters, out, jobs, root)
        return
    letter = letters[0]
    if (out is None) == (into is None):
        _fail(UserError("give one of --out (a new case file) or --into (an existing one)"))
    target = out or into
    assert target is not None
    try:
        project = _project(root, target.resolve().parent)
        imported = import_letter(letter, project)
        if into is not None:
            before = into.read_text(encoding="utf-8")
            text = merge_into(before, imported.data)
            _print_change(before, text, into)
            if text != before:
                write_atomic(into, text.encode("utf-8"))
        elif target.exists():
            raise UserError(f"{target}: already exists; use --into {target} to bring the letter's changes into it")
        else:
            text = imported.yaml_text
            write_new(target, text.encode("utf-8"))
        checked = rebuild(imported, text, target, project)
    except UserError as error:
        _fail(error)
    _print_import_report(letter, target, imported, checked)


def _import_many(letters: list[Path], out: Path, jobs: int, root: Path | None) -> None:
    """A batch import with a progress bar, then its summary; exit 1 when any letter failed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .errors import UserError
    from .importer.batch import OUTCOMES, import_batch, letter_files

    try:
        project = _project(root, out.resolve() if out.is_dir() else out.resolve().parent)
        files = letter_files(letters)
        columns = (TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("letters", total=len(files))
            batch = import_batch(files, out, project, jobs=jobs, on_result=lambda result: progress.advance(task))
    except UserError as error:
        _fail(error)
    for outcome in OUTCOMES:
        listed = batch.by_outcome(outcome)
        console.print(f"[bold]{outcome}[/]: {len(listed)}", highlight=False)
        for result in listed if outcome != "word for word" else []:
            written = f" → {result.case_file}" if result.case_file else ""
            detail = f": {result.detail}" if result.detail else ""
            console.print(f"  {escape(str(result.letter))}{escape(written)}{escape(detail)}", highlight=False, soft_wrap=True)
    if batch.by_outcome("failed"):
        raise typer.Exit(1)


def _print_change(before: str, after: str, path: Path) -> None:
    import difflib

    if before == after:
        console.print(f"{path}: no change", highlight=False)
        return
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), f"{path} (before)", f"{path} (after)", lineterm="")
    for line in diff:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "cyan" if line.startswith("@") else ""
        console.print(escape(line), style=style, highlight=False, soft_wrap=True)


def _print_import_report(letter: Path, target: Path, imported: ImportedCase, checked: Rebuild) -> None:
    for todo in imported.todos:
        errors.print(f"[yellow]TODO[/] {escape(todo)}", highlight=False, soft_wrap=True)
    for problem in checked.problems:
        errors.print(f"[yellow]check:[/] {escape(str(problem))}", highlight=False, soft_wrap=True)
    if checked.word_for_word:
        console.print(f"{target}: from {letter}; builds the letter again word for word", highlight=False, soft_wrap=True)
    elif checked.built:
        errors.print(
            f"{target}: from {letter}; its letter differs from the imported one: "
            f"lacks {' '.join(checked.missing_words[:30]) or 'nothing'}; adds {' '.join(checked.extra_words[:30]) or 'nothing'}",
            highlight=False,
            soft_wrap=True,
        )
    else:
        errors.print(f"{target}: from {letter}; fill in the TODOs, then `alletter check {target}`", highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a case file, generated from alletter's own model.

    Editors that read `# yaml-language-server: $schema=…` (VS Code with the YAML extension, and
    others) validate and complete a case file as it is typed. The repository keeps a copy in
    schema/case.schema.json, which a test keeps current.

    Example: alletter schema > schema/case.schema.json
    """
    from .project.schema import case_json_schema

    sys.stdout.write(case_json_schema())


def _waiting_for(out: Path) -> Callable[[], None]:
    def say() -> None:
        errors.print(f"waiting for another build of {out} to finish…", highlight=False, soft_wrap=True)

    return say


def _build_with_progress_bar(archive: Archive, files: list[Path], jobs: int, force: bool, prune: bool) -> BuildReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("letters", total=len(files))

        def advance(result: LetterResult) -> None:
            if result.status == "failed":
                progress.console.print(f"[bold red]failed[/] {escape(str(result.error))}", highlight=False, soft_wrap=True)
            progress.advance(task)

        return archive.build(files, jobs=jobs, force=force, prune=prune, on_result=advance, on_wait=_waiting_for(archive.out_dir))


def main() -> None:  # pragma: no cover - console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
