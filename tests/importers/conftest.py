"""Helpers for importer tests: read a file with an importer the way ``import_files`` does."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from tui.importers import IMPORTERS, ImportReport, Source
from tui.models import PaperInput, RowUpdate

FIXTURES = Path(__file__).parent / "fixtures"


def read_items(
    fmt: str, path: Path, limit: int | None = None, **options: Any
) -> tuple[list[PaperInput | RowUpdate], ImportReport]:
    """Everything an importer yields for a file (the first ``limit`` items), with its report."""
    report = ImportReport()
    with Source(path) as source:
        items = list(itertools.islice(IMPORTERS[fmt].read(source, report, options), limit))
    return items, report


def read_papers(
    fmt: str, path: Path, limit: int | None = None, **options: Any
) -> tuple[list[PaperInput], ImportReport]:
    items, report = read_items(fmt, path, limit, **options)
    return [item for item in items if isinstance(item, PaperInput)], report


def names(paper: PaperInput) -> list[str]:
    return [author.name for author in paper.authors]


def by_title(papers: list[PaperInput]) -> dict[str, PaperInput]:
    return {paper.title: paper for paper in papers}
