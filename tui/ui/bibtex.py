"""The UI's door to the exporters (``tui/exporters``), which may not be installed yet."""

from __future__ import annotations

from tui.errors import ArrowError
from tui.models import Paper

FORMATS = {"bibtex": ".bib", "ris": ".ris", "csl-json": ".json"}


def bibtex_or_none(paper: Paper) -> str | None:
    """The paper's BibTeX entry, or None when the exporter is missing or cannot handle the paper."""
    try:
        from tui.exporters import bibtex_entry  # type: ignore[attr-defined]
    except ImportError:
        return None
    return bibtex_entry(paper)


def export_text(papers: list[Paper], fmt: str) -> str:
    """The papers in one of ``FORMATS``; raises ``ExportUnavailable`` when the exporters are missing."""
    try:
        from tui.exporters import export_papers  # type: ignore[attr-defined]
    except ImportError as exc:
        raise ExportUnavailable("exporting is not available in this version") from exc
    return export_papers(papers, fmt)


class ExportUnavailable(ArrowError):
    """The exporters module is not there (yet)."""
