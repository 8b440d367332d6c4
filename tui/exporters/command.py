"""`arrow-tui export NAME | --paper ID [--format ...] [--output FILE]`: a cluster's papers or one paper."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.cli import chosen_store, store_option
from tui.exporters import EXPORT_FORMATS, export_papers, format_for_path, write_export
from tui.models import Paper
from tui.paths import resolve_store
from tui.textsafe import safe_line

DEFAULT_FORMAT = "bibtex"


@click.command()
@click.argument("name", required=False)
@click.option("--paper", "paper_id", type=click.IntRange(min=0), metavar="ID", help="Export this one paper instead.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    help=f"Output format (default: from the --output extension, else {DEFAULT_FORMAT}).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write to FILE (atomically) instead of standard output.",
)
@store_option
@click.pass_context
def export(
    ctx: click.Context,
    name: str | None,
    paper_id: int | None,
    fmt: str | None,
    output: Path | None,
    store_dir: str | None,
) -> None:
    """Export the papers of the author-name cluster NAME (newest first), or one paper, to BibTeX, RIS or CSL-JSON."""
    if (name is None) == (paper_id is None):
        raise click.UsageError("give a cluster NAME or --paper ID (exactly one)")
    fmt = fmt or (format_for_path(output) if output else None) or DEFAULT_FORMAT
    papers = _papers(ctx, name, paper_id, store_dir)
    if output is None or str(output) == "-":
        # Bytes, not text: an export is UTF-8 whatever the terminal's locale says.
        sys.stdout.buffer.write(export_papers(papers, fmt).encode("utf-8"))
        sys.stdout.buffer.flush()
        return
    size = write_export(papers, fmt, output)
    click.echo(f"exported {len(papers)} papers as {fmt} to {safe_line(str(output))} ({size} bytes)", err=True)


def _papers(ctx: click.Context, name: str | None, paper_id: int | None, store_dir: str | None) -> list[Paper]:
    """The cluster's papers (the service lists them newest first) or the one paper; NotFound otherwise."""
    from tui.service import Library

    library = Library.open(resolve_store(chosen_store(ctx, store_dir)))
    if paper_id is not None:
        return [library.paper(paper_id)]
    return library.cluster(name or "").papers
