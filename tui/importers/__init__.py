"""Import formats and format detection."""

from __future__ import annotations

from pathlib import Path

from tui.errors import ImportFormatError
from tui.importers.acl import AclImporter
from tui.importers.arrow_page import ArrowPageImporter
from tui.importers.base import Importer, ImportReport, Source
from tui.importers.bibtex import BibtexImporter
from tui.importers.dblp_xml import DblpXmlImporter
from tui.importers.jsonl import JsonLinesImporter

IMPORTERS: dict[str, Importer] = {
    imp.name: imp
    for imp in (
        ArrowPageImporter(),
        DblpXmlImporter(),
        AclImporter(),
        JsonLinesImporter(),
        BibtexImporter(),
    )
}

# Enough to get past an inline DTD (DBLP files may declare all entities before the first record).
SNIFF_BYTES = 1 << 16

__all__ = ["IMPORTERS", "ImportReport", "Importer", "Source", "detect_format"]


def detect_format(path: Path) -> Importer:
    """The importer whose format the file's first bytes look like."""
    with Source(path) as source:
        head = source.head(SNIFF_BYTES)
    for importer in IMPORTERS.values():
        if importer.sniff(path, head):
            return importer
    raise ImportFormatError(f"{path}: unrecognised format (use --format {'|'.join(IMPORTERS)})")
