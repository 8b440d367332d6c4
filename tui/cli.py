"""The command line: `arrow-tui` opens the TUI; subcommands call the same service functions."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import click
import orjson

from tui.errors import ArrowError
from tui.paths import StoreLocation, resolve_store
from tui.textsafe import safe_line, safe_text

F = TypeVar("F", bound=Callable[..., Any])
store_option = click.option(
    "--store",
    "store_dir",
    metavar="DIR",
    help="Store directory (default: $ARROW_TUI_STORE, the user data directory, else the bundled demo store).",
)


def _fail(message: str) -> None:
    click.echo(f"arrow-tui: {safe_line(message)}", err=True)
    sys.exit(2)


def _print_json(value: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2, default=lambda o: o.as_dict()))
    sys.stdout.buffer.write(b"\n")


class ArrowGroup(click.Group):
    """Turns every user-facing error into one line on stderr and exit code 2.

    Subcommands with heavy imports (serving, exporting) live in their own modules and load lazily.
    """

    lazy_commands: ClassVar[dict[str, str]] = {
        "serve": "tui.serve.command:serve",
        "export": "tui.exporters.command:export",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_commands])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy_commands:
            module_name, attribute = self.lazy_commands[name].split(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArrowError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted; the store is unchanged")
        except BrokenPipeError:
            sys.exit(0)


def _library(store_dir: str | None) -> Any:
    from tui.service import Library

    return Library.open(resolve_store(store_dir))


@click.group(cls=ArrowGroup, invoke_without_command=True)
@store_option
@click.version_option(package_name="arrow-tui")
@click.pass_context
def main(ctx: click.Context, store_dir: str | None) -> None:
    """Browse research papers grouped by author name. Without a command, open the TUI."""
    ctx.ensure_object(dict)
    ctx.obj["store"] = store_dir
    if ctx.invoked_subcommand is None:
        from tui.ui.app import run_app

        run_app(resolve_store(store_dir))


def run() -> None:
    """The program's entry point (``arrow-tui``, ``python -m tui``): unlike ``main`` called from a test, it
    may restart its process for bulk work (see ``tui.hugepages``)."""
    main(obj={"may_restart": True})


def _restart_for_bulk_work(ctx: click.Context) -> None:
    root = ctx.find_root().obj
    if isinstance(root, dict) and root.get("may_restart"):
        from tui.hugepages import restart_with_huge_pages

        restart_with_huge_pages()


def chosen_store(ctx: click.Context, store_dir: str | None) -> str | None:
    """A subcommand's --store, else the one given before the subcommand (`arrow-tui --store D cmd`)."""
    root = ctx.find_root().obj
    return store_dir or (root.get("store") if isinstance(root, dict) else None)


@main.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--titles", is_flag=True, help="Search paper titles instead of author names.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_option
@click.pass_context
def search(ctx: click.Context, query: str, limit: int, titles: bool, as_json: bool, store_dir: str | None) -> None:
    """Author-name clusters matching QUERY, exact before prefix before fuzzy."""
    library = _library(chosen_store(ctx, store_dir))
    if titles:
        found = library.search_titles(query, limit)
        if as_json:
            _print_json([h.__dict__ for h in found])
        for hit in [] if as_json else found:
            click.echo(f"{hit.year or '----'}  {safe_line(hit.title)}  ({safe_line(hit.venue)})")
        return
    hits = library.search(query, limit)
    if as_json:
        _print_json([h.as_dict() for h in hits])
        return
    if not hits:
        click.echo("no matching author names", err=True)
    for hit in hits:
        years = f"{hit.year_min}-{hit.year_max}" if hit.year_min else "-"
        click.echo(
            f"{hit.tier:6} {hit.score:5.1f}  {safe_line(hit.name)}  "
            f"{hit.papers} papers, {hit.author_rows} author rows, {years}"
        )


@main.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_option
@click.pass_context
def cluster(ctx: click.Context, name: str, as_json: bool, store_dir: str | None) -> None:
    """The cluster page of NAME: its author rows and papers, newest first."""
    library = _library(chosen_store(ctx, store_dir))
    page = library.cluster(name)
    data = page.as_dict()
    data["identities"] = library.identities(page)
    if as_json:
        _print_json(data)
        return
    click.echo(safe_line(page.name))
    click.echo(
        "Possible papers associated with this exact author name. This groups case-insensitive exact name "
        "matches and is not an identity profile."
    )
    click.echo(f"{page.paper_count} papers, {len(page.rows)} author rows\n")
    for row in page.rows:
        suffix = f" {row['suffix']}" if row.get("suffix") else ""
        orcid = f"  ORCID {row['orcid']}" if row.get("orcid") else ""
        click.echo(
            f"  row {row['id']}: {safe_line(row['name'])}{safe_line(suffix)}  {row['papers']} papers{safe_line(orcid)}"
        )
    for paper in page.papers:
        click.echo(
            f"\n{safe_line(paper.get('venue'))} {safe_line(paper.get('venue_kind'))} {paper.get('year') or ''} "
            f"{safe_line(paper.get('type'))}"
        )
        click.echo(safe_line(paper.get("title")))
        click.echo("  " + ", ".join(safe_line(a["name"]) for a in paper.get("authors", [])))
        if paper.get("abstract"):
            click.echo(safe_text(paper["abstract"]))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_option
@click.pass_context
def stats(ctx: click.Context, as_json: bool, store_dir: str | None) -> None:
    """Papers, author rows, clusters and size on disk."""
    info = _library(chosen_store(ctx, store_dir)).stats()
    if as_json:
        _print_json(info)
        return
    for key, value in info.items():
        click.echo(f"{key:14} {value}")


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "dblp-xml", "bibtex", "jsonl", "acl", "arrow-page"]),
)
@click.option("--dtd", type=click.Path(path_type=Path), help="DBLP DTD for entity resolution.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@store_option
@click.pass_context
def import_cmd(
    ctx: click.Context, files: tuple[Path, ...], fmt: str, dtd: Path | None, as_json: bool, store_dir: str | None
) -> None:
    """Import FILES into the store (all or nothing)."""
    _restart_for_bulk_work(ctx)  # before the heavy imports below, which the restarted process does again
    from tui.importers import IMPORTERS
    from tui.progress import progress_printer
    from tui.service import import_files

    if fmt != "auto" and fmt not in IMPORTERS:
        raise click.UsageError(f"format {fmt!r} is not available in this version")
    location: StoreLocation = resolve_store(chosen_store(ctx, store_dir), for_writing=True)
    options = {"dtd": dtd} if dtd else {}
    with progress_printer() as progress:
        report = import_files(location, list(files), fmt, progress, **options)
    summary = report.as_dict()
    if as_json:
        _print_json(summary)
        return
    click.echo(
        f"read {summary['read']}, imported {summary['imported']}, merged {summary['merged']}, "
        f"skipped {summary['skipped']}  -> {location.path}",
        err=True,
    )
    for reason, count in report.skipped.most_common():
        click.echo(f"  skipped {count}: {safe_line(reason)}", err=True)
    for problem in report.problems[:10]:
        click.echo(f"  {safe_line(problem)}", err=True)


@main.command()
@store_option
@click.pass_context
def reindex(ctx: click.Context, store_dir: str | None) -> None:
    """Rebuild the derived search index from the store's TinyDB files."""
    _restart_for_bulk_work(ctx)
    from tui.service import reindex as rebuild

    rebuild(resolve_store(chosen_store(ctx, store_dir), for_writing=True))
    click.echo("index rebuilt", err=True)
