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
    from datetime import date

    from .archive.build import Archive, BuildReport
    from .importer.case_file import ImportedCase, Rebuild
    from .letter.builder import LetterResult
    from .project.letter_project import LetterProject
    from .project.yaml_edit import Change, Recorder

app = typer.Typer(
    help=(
        "Assemble UN Special Procedures communications (allegation letters, urgent appeals, other "
        "letters) from short YAML case files, shared Jinja templates and annexes, as DOCX and PDF."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
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


def _print_error(error: Exception) -> None:
    errors.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False, soft_wrap=True)


def _fail(error: Exception) -> None:
    _print_error(error)
    raise typer.Exit(1)


def main() -> None:
    """The `alletter` command: every command's user error (a `UserError`, which names the file,
    line and field) is printed here, once, as `error: …` with exit status 1; a command catches
    one itself only to go on with the other letters."""
    from .errors import UserError

    try:
        app()
    except UserError as error:
        _print_error(error)
        sys.exit(1)


def _as_typed(paths: list[Path]) -> list[Path]:
    """Paths relative to the current directory where they are inside it: messages read as typed."""
    import os

    relative = [Path(os.path.relpath(path)) if path.is_absolute() else path for path in paths]
    return [short if not str(short).startswith("..") else path for short, path in zip(relative, paths, strict=True)]


def _project(root: Path | None, near: Path) -> LetterProject:
    """The project `--root` names, or the one at or above `near` (the files the command works on),
    or else the one at or above the working directory."""
    from .project.letter_project import LetterProject

    return LetterProject(root.resolve()) if root is not None else LetterProject.find(near, Path.cwd())


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
    Into an archive `build` made (same formats), its manifest and index are kept current too.

    Example: alletter render cases/AL-OTH-11-2023.yaml --out letters --format pdf,md
    """
    from .archive.build import render_letters
    from .letter.builder import find_case_files, parse_formats

    project = _project(root, cases[0].parent)
    chosen = parse_formats(formats)
    files = find_case_files(cases)
    _stop_on_sigterm()
    results, interrupted = render_letters(
        project, out, chosen, files, on_result=_result_printer(verbose=True), on_wait=_waiting_for(out)
    )
    if interrupted:
        console.print("interrupted: the letters above are written, the others untouched", highlight=False)
        raise typer.Exit(INTERRUPTED_EXIT_STATUS)
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
    final: Annotated[
        bool, typer.Option("--final", help="Refuse letters that use wording or names not yet confirmed (draft).")
    ] = False,
    root: RootOption = None,
) -> None:
    """Build the letter archive: every case, in parallel, rebuilding only what changed.

    A letter is rebuilt when its case file, a template or annex it uses, the mandate registry,
    the page design or alletter itself changed. Letters whose case file was deleted are removed.
    The archive gets manifest.json (files, sizes, sha256) and index.html. A case that fails is
    reported and the others still build; the exit status is then 1. Ctrl-C stops the build in a
    second or two, keeping what was built (exit status 130); the next build goes on from there.

    With --final nothing is built while a letter uses draft wording: each is listed with its draft
    sentences, and the exit status is 1.

    Example: alletter build --out dist --jobs 2
    """
    from .archive.build import Archive
    from .archive.pool import default_jobs
    from .letter.builder import find_case_files, not_final, parse_formats

    project = _project(root, cases[0].parent if cases else Path.cwd())
    chosen = parse_formats(formats)
    files = _as_typed(find_case_files(cases or [project.cases_dir]))
    refused = not_final(project, files) if final else []
    for draft in refused:
        console.print(f"[red]not final[/] {escape(str(draft))}", highlight=False, soft_wrap=True)
    if refused:
        console.print(f"{len(refused)} letter(s) use draft wording: nothing built", highlight=False)
        raise typer.Exit(1)
    archive = Archive(project, out, chosen)
    workers = jobs or default_jobs()
    _stop_on_sigterm()
    if console.is_terminal:
        report = _build_with_progress_bar(archive, files, workers, force, prune=not cases)
    else:
        report = archive.build(
            files, jobs=workers, force=force, prune=not cases, on_result=_result_printer(verbose), on_wait=_waiting_for(out)
        )
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
    from .errors import UsageError

    if not (archive / MANIFEST_FILE).is_file():
        _fail(UsageError(f"{archive}: not a letter archive (no {MANIFEST_FILE}); run `alletter build --out {archive}` first"))
    files = pack_archive(archive, output)
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
    that the templates cannot write yet, and any sentence or name the letter needs that has no
    wording in its language's phrasebook (templates/phrases.yaml, phrases.fr.yaml …; e.g. a
    singular form). Listed as notices, which do not change the exit status: each draft sentence or
    name a letter in French or Spanish uses, a letter's own wording of a sentence (`wording:`), a
    resolution it cites instead of the one in force (`resolutions:`) and a signatory other than the
    registry's (`signed_by:`). Every problem of a file is found in one run; where a check cannot
    run for another's error (the registry on an invalid date), a notice says what was not checked.
    The exit status is 1 when anything is wrong.

    Example: alletter check cases/AL-OTH-11-2023.yaml
    """
    from .errors import UsageError
    from .letter.builder import find_case_files
    from .letter.check import check_letters

    if output_format not in ("text", "json"):
        _fail(UsageError(f"--format {output_format}: choose text or json"))
    project = _project(root, paths[0] if paths and paths[0].is_dir() else (paths[0].parent if paths else Path.cwd()))
    files = _as_typed(find_case_files(paths or [project.cases_dir]))
    checks = check_letters(files, project)
    found = [problem for case_check in checks for problem in (*case_check.problems, *case_check.notices)]
    if output_format == "json":
        _print_problems_json(found)
    else:
        _print_problems(found, len(files))
    if any(problem.severity == "error" for problem in found):
        raise typer.Exit(1)


def _print_problems(found: list, file_count: int) -> None:
    for problem in found:
        field = f"[bold]{escape(problem.field)}[/]: " if problem.field else ""
        colour = {"error": "red", "warning": "yellow"}.get(problem.severity, "blue")
        severity = f"[{colour}]{problem.severity}[/]"
        console.print(
            f"[cyan]{escape(str(problem.location))}[/]: {severity}: {field}{escape(problem.message)}",
            highlight=False,
            soft_wrap=True,
        )
    for severity in ("warning", "notice"):
        count = sum(1 for problem in found if problem.severity == severity)
        if count:
            console.print(f"{count} {severity}{'s' if count != 1 else ''}", highlight=False)
    problems = [problem for problem in found if problem.severity == "error"]
    bad_files = len({problem.location.path for problem in problems})
    if problems:
        console.print(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {bad_files} of {file_count} "
            f"case file{'s' if file_count != 1 else ''}",
            highlight=False,
        )
    else:
        console.print(f"{file_count} case file{'s' if file_count != 1 else ''} checked: no problems", highlight=False)


def _print_problems_json(problems: list) -> None:
    import json

    records = [
        {
            "path": str(problem.location.path),
            "line": problem.location.line,
            "column": problem.location.column,
            "field": problem.field,
            "message": problem.message,
            "severity": problem.severity,
        }
        for problem in problems
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
    language: Annotated[
        str | None, typer.Option("--language", "-l", help="en, fr or es. Default: settings.yaml's.", show_default=False)
    ] = None,
    root: RootOption = None,
) -> None:
    """Start a new case: write a commented skeleton with the next free reference into cases/.

    The number is the next after every case file of that type, country and year. Every
    placeholder reads TODO; `alletter check` reports each one until it is filled in. An
    existing file is never overwritten.

    Example: alletter new --type AL --country OTH --follow-up cases/AL-OTH-11-2023.yaml

    Example: alletter new --type UA --country SEN --language fr
    """
    from datetime import date

    from .drafting.new import new_case

    today = date.today()
    project = _project(root, Path.cwd())
    created = new_case(project, kind, country, year or today.year, today, follow_up, language)
    shown = _as_typed([created.path])[0]
    console.print(
        f"wrote {shown} ({created.reference}); fill in each TODO, then: alletter check {shown}", highlight=False, soft_wrap=True
    )


mandates_app = typer.Typer(no_args_is_help=False)  # its help is the callback's docstring
app.add_typer(mandates_app, name="mandates")
record_app = typer.Typer(
    help="Record a fact in mandates.yaml from its source: the change is printed as a diff, checked, then written.",
    no_args_is_help=True,
)
mandates_app.add_typer(record_app, name="record")


@mandates_app.callback(invoke_without_command=True)
def mandates(
    context: typer.Context,
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
            "resolution, no source), by date range, from --since to --on.",
        ),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option("--since", help="With --gaps: the first day to list gaps from. Default: 2019-01-01.", show_default=False),
    ] = None,
    ids: Annotated[
        list[str] | None,
        typer.Option("--id", help="Only this mandate (an id from the first column); repeat for more.", show_default=False),
    ] = None,
    root: RootOption = None,
) -> None:
    """List the mandates in force on a date: id, the resolution a letter cites, the holder who signs, where each fact comes from.

    The ids in the first column are what a case file's `mandates:` lists. Each fact is
    `published` (its source is a public document) or `recorded` by the office (who, when). A
    mandate whose resolution or holder on that date is not in mandates.yaml is listed with what
    is missing and the `alletter mandates record …` command that adds it.

    Example: alletter mandates --on 2023-03-13 --format json

    Example: alletter mandates --gaps --since 2026-01-01

    Example: alletter mandates --id freedom-of-expression --id education --on 2023-03-13
    """
    if context.invoked_subcommand is not None:
        return
    from .errors import UsageError
    from .project.mandates_report import GAPS_FROM, gap_rows, mandates_on

    if output_format not in ("table", "json"):
        _fail(UsageError(f"--format {output_format}: choose table or json"))
    day = _date_option("--on", on) if on else _today()
    start = _date_option("--since", since) if since else GAPS_FROM
    project = _project(root, Path.cwd())
    rows = gap_rows(project, start, day, ids or ()) if gaps else mandates_on(project, day, ids or ())
    if output_format == "json":
        import json

        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif gaps:
        _print_gaps_table(rows, start, day)
    else:
        _print_mandates_table(rows, day)


def _today() -> date:
    from datetime import date

    return date.today()


def _date_option(option: str, text: str) -> date:
    from datetime import date

    from .errors import UsageError

    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(UsageError(f"{option} {text}: not a date; write it as year-month-day, e.g. 2023-03-13"))
        raise AssertionError from None  # _fail exits


MandateArgument = Annotated[str, typer.Argument(help="The mandate's id in mandates.yaml (`alletter mandates` lists them).")]
SourceOption = Annotated[
    str, typer.Option("--source", help="Where the fact is shown: a URL, or a document named so that it can be found.")
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the change and write nothing.")]
DateText = Annotated[str, typer.Option(metavar="DATE", help="YYYY-MM-DD.")]


def _record(root: Path | None, dry_run: bool, make: Callable[[Path, Recorder], Change]) -> None:
    """What every record command does: compute the change, print it, write it unless --dry-run."""
    from .project.yaml_edit import default_recorder, write_change

    project = _project(root, Path.cwd())
    change = make(project.root, default_recorder(project.root, _today()))
    _print_diff(change.diff)
    if not dry_run:
        write_change(change)
    done = "would record" if dry_run else "recorded"
    console.print(f"{done} {change.summary} in {change.path.name}", highlight=False, soft_wrap=True)


@record_app.command("renewal")
def record_renewal(
    mandate: MandateArgument,
    resolution: Annotated[
        str, typer.Argument(help="The resolution's number: 61/9 (Human Rights Council), or 2000/9 with --body.")
    ],
    adopted: Annotated[str, typer.Option("--adopted", metavar="DATE", help="The day it was adopted (YYYY-MM-DD).")],
    source: SourceOption,
    body: Annotated[
        str | None,
        typer.Option("--body", help="Commission on Human Rights or Economic and Social Council. Default: the Council."),
    ] = None,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Record a resolution that renewed a mandate, with its adoption date (or the date or number one listed lacks).

    Example: alletter mandates record renewal torture 61/5 --adopted 2026-04-02 --source https://undocs.org/A/HRC/RES/61/5
    """
    from .project import record

    day = _date_option("--adopted", adopted)
    _record(root, dry_run, lambda at, who: record.record_renewal(at, mandate, resolution, day, source, who, body))


@record_app.command("holder")
def record_holder(
    mandate: MandateArgument,
    name: Annotated[str, typer.Argument(help="The holder's name as letters sign it.")],
    since: Annotated[str, typer.Option("--from", metavar="DATE", help="The first day in office (YYYY-MM-DD).")],
    source: SourceOption,
    until: Annotated[str | None, typer.Option("--to", metavar="DATE", help="The last day, where a source gives it.")] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="The line under the signature, as printed (a Working Group's Chair-Rapporteur)."),
    ] = None,
    gender: Annotated[str | None, typer.Option("--gender", help="female or male, as UN documents refer to the holder.")] = None,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Record who holds a mandate from a day (for a Working Group: who signs its letters); the term open before ends the day before.

    Example: alletter mandates record holder torture "Jane Doe" --from 2026-11-01 --gender female --source https://www.ohchr.org/…
    """
    from .errors import UsageError
    from .project import record

    if gender not in (None, "female", "male"):
        _fail(UsageError(f"--gender {gender}: choose female or male"))
    first = _date_option("--from", since)
    last = _date_option("--to", until) if until else None
    _record(
        root,
        dry_run,
        lambda at, who: record.record_holder(at, mandate, name, first, source, who, last, title, gender),  # type: ignore[arg-type]
    )


@record_app.command("vacancy")
def record_vacancy(
    mandate: MandateArgument,
    since: Annotated[str, typer.Option("--from", metavar="DATE", help="The first day without a holder (YYYY-MM-DD).")],
    source: SourceOption,
    until: Annotated[str | None, typer.Option("--to", metavar="DATE", help="The last day, where a source gives it.")] = None,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Record that a mandate in force has no holder from a day: `check` then says it is vacant.

    Example: alletter mandates record vacancy business-and-human-rights --from 2026-11-01 --source https://www.ohchr.org/…
    """
    from .project import record

    first = _date_option("--from", since)
    last = _date_option("--to", until) if until else None
    _record(root, dry_run, lambda at, who: record.record_vacancy(at, mandate, first, source, who, last))


@record_app.command("rename")
def record_rename(
    mandate: MandateArgument,
    name: Annotated[str, typer.Option("--name", help="The new name, as letters print it.")],
    since: Annotated[str, typer.Option("--from", metavar="DATE", help="The first day of the new name (YYYY-MM-DD).")],
    source: SourceOption,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Record a mandate's new name from a day; letters dated before keep the old one.

    Example: alletter mandates record rename environment --name "Special Rapporteur on …" --from 2024-04-04 --source https://…
    """
    from .project import record

    first = _date_option("--from", since)
    _record(root, dry_run, lambda at, who: record.record_rename(at, mandate, name, first, source, who))


@record_app.command("establish")
def record_establish(
    mandate: Annotated[str, typer.Argument(help="The new mandate's id: lower-case words joined by hyphens.")],
    name: Annotated[str, typer.Option("--name", help="Its name, as letters print it.")],
    on: Annotated[str, typer.Option("--on", metavar="DATE", help="The day the establishing resolution was adopted.")],
    resolution: Annotated[str, typer.Option("--resolution", help="The establishing resolution's number.")],
    source: SourceOption,
    kind: Annotated[str, typer.Option("--kind", help="thematic or country.")] = "thematic",
    country: Annotated[str | None, typer.Option("--country", help="A country mandate's State: ISO 3166 alpha-3 code.")] = None,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Record a new mandate, established by a resolution on a day.

    Example: alletter mandates record establish rural-workers --name "Working Group on …" --on 2023-10-12 --resolution 54/9 --source https://…
    """
    from .errors import UsageError
    from .project import record

    if kind not in ("thematic", "country"):
        _fail(UsageError(f"--kind {kind}: choose thematic or country"))
    day = _date_option("--on", on)
    _record(
        root,
        dry_run,
        lambda at, who: record.record_establish(at, mandate, name, day, resolution, source, who, kind, country),  # type: ignore[arg-type]
    )


@record_app.command("end")
def record_end(
    mandate: MandateArgument,
    on: Annotated[str, typer.Option("--on", metavar="DATE", help="The mandate's last day (YYYY-MM-DD).")],
    source: SourceOption,
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Record the last day of a mandate (ended, or merged into another).

    Example: alletter mandates record end slavery --on 2026-10-08 --source https://…
    """
    from .project import record

    day = _date_option("--on", on)
    _record(root, dry_run, lambda at, who: record.record_end(at, mandate, day, source, who))


def _print_diff(diff: str) -> None:
    for line in diff.splitlines():
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else "cyan" if line.startswith("@") else ""
        console.print(escape(line), style=style, highlight=False, soft_wrap=True)


# The registry's longest id is 28 characters, its longest holder's name 25, a resolution with its
# provenance ("published") about 10 and the borders 13: from 140 columns on the names (up to 206
# characters) get a column of about 60, three lines at most; narrower, they would fill the table.
WIDTH_FOR_NAMES = 140


def _print_mandates_table(rows: list[dict], day: date) -> None:
    """The mandates on a day, readable at 80 columns: a table of what tells them apart (the id a
    case lists, the resolution, the holder, each with where it comes from), then what the registry
    is missing, one mandate a line, worded in full. A terminal wide enough (WIDTH_FOR_NAMES) shows
    the mandates' names too; their sources only --format json."""
    from rich.table import Table

    with_names = console.width >= WIDTH_FOR_NAMES
    table = Table(title=f"Mandates on {day}", title_justify="left")
    table.add_column("id", no_wrap=True)
    if with_names:
        table.add_column("name", ratio=1)
    table.add_column("resolution", no_wrap=with_names)
    table.add_column("holder")
    for row in rows:
        vacant = row["vacant_since"]
        holder = f"vacant since {vacant}" if vacant else _cell(row["holder"])
        table.add_row(
            escape(row["id"]),
            *([escape(row["name"] or "")] if with_names else []),
            _with_provenance(_cell(row["resolution"]), row["resolution_from"]),
            _with_provenance(holder, row["holder_from"]),
        )
    console.print(table)
    missing = [(escape(row["id"]), "; ".join(row["missing"])) for row in rows if row["missing"]]
    if missing:
        console.print(f"\nMissing from mandates.yaml on {day} (alletter mandates record … adds a fact):", highlight=False)
        _print_by_mandate(missing)


def _print_gaps_table(rows: list[dict], start: date, end: date) -> None:
    """Every gap in the registry, by mandate: its id on a line of its own, then each date range
    with what is missing."""
    console.print(f"Missing from mandates.yaml, {start} to {end}", highlight=False)
    listed: list[tuple[str, str]] = []
    previous = None
    for row in rows:
        if row["id"] != previous:
            listed.append((f"[bold]{escape(row['id'])}[/]", ""))
            previous = row["id"]
        listed.append((f"  {row['from']} to {row['to']}", str(row["missing"])))
    _print_by_mandate(listed)


def _print_by_mandate(lines: list[tuple[str, str]]) -> None:
    """Two columns without borders: what a line is about, never wrapped, and its text wrapped at
    word boundaries in the rest of the terminal's width."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for about, text in lines:  # `about` is markup (a bold id); `text` is the registry's words
        grid.add_row(about, escape(text))
    console.print(grid, highlight=False)


def _with_provenance(cell: str, provenance: str | None) -> str:
    """A fact with where it comes from under it, dimmed."""
    return f"{cell}\n[dim]{escape(provenance)}[/]" if provenance else cell


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
    from .letter.builder import find_case_files, parse_formats

    project = _project(root, cases[0] if cases and cases[0].is_dir() else (cases[0].parent if cases else Path.cwd()))
    chosen = parse_formats(formats)
    files = find_case_files(cases or [project.cases_dir])
    from .files import ensure_directory

    ensure_directory(out)
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

    written = redline_cases(old, new, out, root, Path.cwd())
    if written.old_reference != written.new_reference:
        errors.print(
            f"[yellow]warning:[/] {escape(old)} is {escape(written.old_reference)} and {escape(new)} is "
            f"{escape(written.new_reference)}: two letters, not two versions of one",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"wrote {written.path}: {new} with its changes against {old} tracked", highlight=False, soft_wrap=True)


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
    _print_import_report(letter, target, imported, checked)


def _import_many(letters: list[Path], out: Path, jobs: int, root: Path | None) -> None:
    """A batch import with a progress bar, then its summary; exit 1 when any letter failed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .importer.batch import OUTCOMES, import_batch, letter_files

    project = _project(root, out.resolve() if out.is_dir() else out.resolve().parent)
    files = letter_files(letters)
    columns = (TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("letters", total=len(files))
        batch = import_batch(files, out, project, jobs=jobs, on_result=lambda result: progress.advance(task))
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
    _print_diff(
        "\n".join(
            difflib.unified_diff(before.splitlines(), after.splitlines(), f"{path} (before)", f"{path} (after)", lineterm="")
        )
    )


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
        to_do = ["fill in the TODOs"] if imported.todos else []
        errors.print(
            f"{target}: from {letter}; {' and '.join([*to_do, 'correct what check says above'])}, then `alletter check {target}`",
            highlight=False,
            soft_wrap=True,
        )


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


wording_app = typer.Typer(  # its help is the callback's docstring
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(wording_app, name="wording")


@wording_app.callback()
def wording(
    context: typer.Context,
    language: Annotated[str | None, typer.Option("--language", "-l", help="en, fr or es.", show_default=False)] = None,
    root: RootOption = None,
) -> None:
    """How far each language's wording is confirmed; the office's approvals and records; PO files for translators.

    With --language: the sentences of that language's letters, how many are published, approved,
    draft and missing, then each with its status and source.

    In English, `missing` are the windows no published letter shows (a letter of those dates is
    refused until the office records the wording: `alletter wording record`).

    Example: alletter wording --language es

    Example: alletter wording --language en
    """
    if context.invoked_subcommand is not None:
        return
    from .errors import UsageError
    from .project.wording_review import coverage

    if language is None:
        raise UsageError("name the language: alletter wording --language fr (or es, or en)")
    found = coverage(_project(root, Path.cwd()), language)
    counts = ", ".join(f"{found.count(status)} {status}" for status in ("published", "approved", "draft", "missing"))
    console.print(f"{found.file}: {len(found.phrases)} wordings: {counts}", highlight=False, soft_wrap=True)
    for row in found.phrases:
        which = f" ({row.variant})" if row.variant else ""
        console.print(
            f"  {row.status or 'missing':<9} {row.phrase}{which}: {escape(row.source or '')}", highlight=False, soft_wrap=True
        )


@wording_app.command("approve")
def wording_approve(
    language: Annotated[str, typer.Argument(help="fr or es.")],
    phrase: Annotated[str, typer.Argument(help="The phrase's name (alletter wording --language LANG lists them).")],
    source: Annotated[
        str, typer.Option("--source", help="What the wording was checked against (a published letter, a unit's review).")
    ],
    by: Annotated[str | None, typer.Option("--by", help="Who approves. Default: the user running the command.")] = None,
    root: RootOption = None,
) -> None:
    """Record the office's approval of a draft wording, in the phrasebook, in place.

    Only the wording's status line changes (three lines are added after it: by, on, against);
    every other line and comment stays. Letters built afterwards lose its draft marks.

    Example: alletter wording approve fr closing --source "AL FRA 2/2024 (12 mars 2024)"
    """
    import getpass
    from datetime import date

    from .project.wording_review import Approval, approve

    count = approve(_project(root, Path.cwd()), language, phrase, Approval(by or getpass.getuser(), date.today(), source))
    console.print(f"approved {count} wording(s) of `{phrase}` in {language}", highlight=False, soft_wrap=True)


@wording_app.command("record")
def wording_record(
    phrase: Annotated[str, typer.Argument(help="The sentence's name, as `alletter check` names the one a letter lacks.")],
    since: Annotated[str, typer.Option("--since", metavar="DATE", help="The first day letters print it (YYYY-MM-DD).")],
    against: Annotated[
        str,
        typer.Option(
            "--against", help="The office's letter it was read in: reference and date (e.g. 'AL PAK 9/2022, 2 May 2022')."
        ),
    ],
    text: Annotated[
        str | None, typer.Option("--text", help="The wording, for one mandate and several alike.", show_default=False)
    ] = None,
    one: Annotated[str | None, typer.Option("--one", help="Instead: the wording of one mandate (I).", show_default=False)] = None,
    many: Annotated[
        str | None, typer.Option("--many", help="Instead: the wording of several mandates (we).", show_default=False)
    ] = None,
    recipient: Annotated[
        str | None, typer.Option("--recipient", help="state or non-state. Default: both.", show_default=False)
    ] = None,
    language: Annotated[str, typer.Option("--language", "-l", help="en, fr or es.")] = "en",
    dry_run: DryRunOption = False,
    root: RootOption = None,
) -> None:
    """Record a sentence as the office's own letters print it, from a date, where no published letter shows it.

    The wording is a template like the phrasebook's others: `{{ case.reference }}` is the letter's
    reference. It is written as approved by you (git's user, or the login name), today, against the
    letter named; the change is printed as a diff, checked, then written, and every other line of
    the phrasebook stays as it was. A window no published letter shows (`unknown:`) that starts on
    the same day is replaced; a later date leaves the days before it unknown.

    Example: alletter wording record reference-line --since 2021-06-01 --text "Ref.: {{ case.reference }}" --against "AL PAK 9/2021 (2 June 2021)"

    Example: alletter wording record reference-reminder --since 2021-06-01 --text "(Please use this reference in your reply)" --against "AL PAK 9/2021 (2 June 2021)" --dry-run
    """
    from .errors import UsageError
    from .project.wording_record import record_wording

    if recipient not in (None, "state", "non-state"):
        _fail(UsageError(f"--recipient {recipient}: choose state or non-state"))
    words = {form: value for form, value in (("text", text), ("one", one), ("many", many)) if value is not None}
    day = _date_option("--since", since)
    _record(
        root,
        dry_run,
        lambda at, who: record_wording(at, phrase, day, words, against, who, language, recipient),  # type: ignore[arg-type]
    )


@wording_app.command("export")
def wording_export(
    language: Annotated[str, typer.Argument(help="fr or es.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="po (gettext).")] = "po",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Default: phrases.LANG.po here.")] = None,
    root: RootOption = None,
) -> None:
    """Write a language's phrasebook as a gettext PO file for a translator's tool: the English as
    msgid, the translation as msgstr, draft entries marked fuzzy.

    Example: alletter wording export fr --format po --output phrases.fr.po
    """
    from .files import write_atomic
    from .project.wording_review import export_po

    target = output or Path(f"phrases.{language}.po")
    write_atomic(target, export_po(_project(root, Path.cwd()), language, output_format))
    console.print(f"wrote {target}", highlight=False, soft_wrap=True)


@wording_app.command("import")
def wording_import(
    po_file: Annotated[
        Path, typer.Argument(help="A PO file written by `alletter wording export`, reviewed.", dir_okay=False, exists=True)
    ],
    by: Annotated[str | None, typer.Option("--by", help="Who reviewed it. Default: the user running the command.")] = None,
    root: RootOption = None,
) -> None:
    """Read a reviewed PO file back: each phrase whose entries are no longer fuzzy, unchanged, is
    approved against the file; a changed translation is listed, to be edited into the phrasebook.

    Example: alletter wording import phrases.fr.po
    """
    import getpass
    from datetime import date

    from .project.wording_review import import_po

    result = import_po(_project(root, Path.cwd()), po_file, by or getpass.getuser(), date.today())
    console.print(f"approved in {result.language}: {', '.join(result.approved) or 'nothing'}", highlight=False, soft_wrap=True)
    if result.changed:
        console.print(
            f"changed translations (edit them into the phrasebook; they stay draft): {', '.join(result.changed)}",
            highlight=False,
            soft_wrap=True,
        )


if __name__ == "__main__":  # pragma: no cover
    main()
