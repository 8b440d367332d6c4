"""Export formats: BibTeX, RIS, CSL-JSON. The CLI's ``export`` command and the TUI both call these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.errors import ArrowError
from tui.exporters import bibtex, csl_json, ris
from tui.exporters.bibtex import bibtex_entry
from tui.models import Paper
from tui.store.atomic import atomic_write_bytes


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name on the command line, its file extension and its renderer."""

    name: str
    extension: str  # with the dot: ".bib"
    media_type: str
    render: Callable[[Sequence[Paper]], str]


EXPORT_FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat("bibtex", ".bib", "application/x-bibtex", bibtex.render),
        ExportFormat("ris", ".ris", "application/x-research-info-systems", ris.render),
        ExportFormat("csl-json", ".json", "application/vnd.citationstyles.csl+json", csl_json.render),
    )
}

__all__ = ["EXPORT_FORMATS", "ExportFormat", "bibtex_entry", "export_papers", "format_for_path", "write_export"]


def export_papers(papers: Sequence[Paper], fmt: str) -> str:
    """The papers, in the order given, as one file's text in format ``fmt``."""
    if fmt not in EXPORT_FORMATS:
        raise ArrowError(f"unknown export format {fmt!r} (choose from {', '.join(EXPORT_FORMATS)})")
    return EXPORT_FORMATS[fmt].render(papers)


def format_for_path(path: Path) -> str | None:
    """The format a file name asks for by its extension (".bib", ".ris", ".json"), if any."""
    suffix = path.suffix.lower()
    return next((fmt.name for fmt in EXPORT_FORMATS.values() if fmt.extension == suffix), None)


def write_export(papers: Sequence[Paper], fmt: str, path: Path) -> int:
    """Write the export to ``path`` atomically (old file or new, never half); returns bytes written."""
    data = export_papers(papers, fmt).encode("utf-8")
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ArrowError(f"{path}: cannot write the export: {exc.strerror or exc}") from None
    return len(data)
