"""The `alletter` command: parses arguments, calls the library, prints results.

Heavy modules (pandoc and typst bindings, pydantic models) are imported inside the commands,
so `alletter --help` starts fast. A user's mistake (`UserError`) is printed as a message with
exit status 1, never as a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from .build import Archive, BuildReport, LetterResult
    from .project import LetterProject

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

RootOption = Annotated[
    Optional[Path],
    typer.Option(
        "--root",
        help="The letter project (the directory with templates/, annexes/, mandates.yaml). "
        "Default: the nearest directory above the case files (or the current one) that has templates/.",
        file_okay=False,
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="Comma-separated output formats: docx, pdf, md.")
]


def _fail(error: Exception) -> None:
    errors.print(f"[bold red]error:[/] {escape(str(error))}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _project(root: Path | None, near: Path) -> "LetterProject":
    from .project import LetterProject

    return LetterProject(root.resolve()) if root is not None else LetterProject.find(near)


def _print_result(result: "LetterResult") -> None:
    if result.status == "failed":
        errors.print(f"[bold red]failed[/] {escape(str(result.error))}", highlight=False, soft_wrap=True)
    elif result.status == "built":
        names = ", ".join(path.name for path in result.outputs)
        console.print(f"[green]built[/] {escape(f'{result.case_path} → {names}')}", highlight=False, soft_wrap=True)
    else:
        console.print(f"[dim]up to date[/] {escape(str(result.case_path))}", highlight=False, soft_wrap=True)


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
    from .build import build_letters, find_case_files, parse_formats
    from .errors import UserError

    try:
        project = _project(root, cases[0].parent)
        chosen = parse_formats(formats)
        files = find_case_files(cases)
    except UserError as error:
        _fail(error)
    results = build_letters(project, out, chosen, files, on_result=_print_result)
    failed = sum(not result.ok for result in results)
    console.print(f"{len(results) - failed} built, {failed} failed", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def build(
    cases: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Case files or folders to build. Default: the project's cases/ folder.", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The archive directory.")] = Path("dist"),
    jobs: Annotated[
        Optional[int], typer.Option("--jobs", "-j", min=1, help="Letters built in parallel. Default: the number of CPUs.")
    ] = None,
    formats: FormatOption = "docx,pdf",
    force: Annotated[bool, typer.Option("--force", help="Rebuild every letter, even those up to date.")] = False,
    root: RootOption = None,
) -> None:
    """Build the letter archive: every case, in parallel, rebuilding only what changed.

    A letter is rebuilt when its case file, a template or annex it uses, the mandate registry,
    the page design or alletter itself changed. Letters whose case file was deleted are removed.
    The archive gets manifest.json (files, sizes, sha256) and index.html. A case that fails is
    reported and the others still build; the exit status is then 1.

    Example: alletter build --out dist --jobs 2
    """
    from .build import Archive, default_jobs, find_case_files, parse_formats
    from .errors import UserError

    try:
        project = _project(root, cases[0].parent if cases else Path.cwd())
        chosen = parse_formats(formats)
        files = find_case_files(cases or [project.cases_dir])
    except UserError as error:
        _fail(error)
    archive = Archive(project, out, chosen)
    workers = jobs or default_jobs()
    if console.is_terminal:
        report = _build_with_progress_bar(archive, files, workers, force, prune=not cases)
    else:
        report = archive.build(files, jobs=workers, force=force, prune=not cases, on_result=_print_result)
    for case, paths in report.removed.items():
        names = ", ".join(path.name for path in paths) or "nothing left to delete"
        console.print(f"[yellow]removed[/] {escape(f'{names} ({case} is gone)')}", highlight=False, soft_wrap=True)
    removed = f", {len(report.removed)} removed" if report.removed else ""
    console.print(
        f"{report.count('built')} built, {report.count('up to date')} up to date, "
        f"{report.count('failed')} failed{removed} in {report.seconds:.1f} s",
        highlight=False,
    )
    if report.count("failed"):
        raise typer.Exit(1)


def _build_with_progress_bar(archive: "Archive", files: list[Path], jobs: int, force: bool, prune: bool) -> "BuildReport":
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]building"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("letters", total=len(files))

        def advance(result: "LetterResult") -> None:
            if result.status == "failed":
                progress.console.print(f"[bold red]failed[/] {escape(str(result.error))}", highlight=False, soft_wrap=True)
            progress.advance(task)

        return archive.build(files, jobs=jobs, force=force, prune=prune, on_result=advance)


def main() -> None:  # pragma: no cover - console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
