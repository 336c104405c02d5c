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

if TYPE_CHECKING:
    from .build import LetterResult
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
    errors.print(f"[bold red]error:[/] {error}", markup=True, highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _project(root: Path | None, near: Path) -> "LetterProject":
    from .project import LetterProject

    return LetterProject(root.resolve()) if root is not None else LetterProject.find(near)


def _report(result: "LetterResult") -> None:
    if result.ok:
        names = ", ".join(path.name for path in result.outputs)
        console.print(f"[green]built[/] {result.case_path} → {names}", highlight=False, soft_wrap=True)
    else:
        errors.print(f"[bold red]failed[/] {result.error}", highlight=False, soft_wrap=True)


def _run(case_paths: list[Path], out: Path, formats: str, root: Path | None, near: Path) -> None:
    from .build import LetterBuilder, find_case_files, parse_formats
    from .errors import UserError

    try:
        project = _project(root, near)
        builder = LetterBuilder(project, out, parse_formats(formats))
        files = find_case_files(case_paths)
    except UserError as error:
        _fail(error)
    results = builder.build_all(files, on_result=_report)
    failed = sum(not result.ok for result in results)
    console.print(f"{len(results) - failed} built, {failed} failed", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command()
def render(
    cases: Annotated[list[Path], typer.Argument(help="Case files (YAML) to turn into letters.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory the letters are written to.")] = Path("dist"),
    formats: FormatOption = "docx,pdf",
    root: RootOption = None,
) -> None:
    """Build the letters of the given case files.

    Each letter is named after its reference: AL OTH 11/2023 → AL-OTH-11-2023.docx, .pdf.

    Example: alletter render cases/AL-OTH-11-2023.yaml --out letters --format pdf,md
    """
    _run(cases, out, formats, root, near=cases[0].parent if cases else Path.cwd())


@app.command()
def build(
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory the archive is written to.")] = Path("dist"),
    formats: FormatOption = "docx,pdf",
    root: RootOption = None,
) -> None:
    """Build every case in the project's cases/ folder.

    A case that fails is reported and the others still build; the exit status is then 1.

    Example: alletter build --out dist
    """
    from .errors import UserError

    try:
        project = _project(root, Path.cwd())
    except UserError as error:
        _fail(error)
    _run([project.cases_dir], out, formats, project.root, near=project.root)


def main() -> None:  # pragma: no cover - console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
