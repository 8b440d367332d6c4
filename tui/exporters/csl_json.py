"""CSL-JSON export: a JSON array of CSL items, as read by Zotero, pandoc and citeproc processors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from tui.exporters import fields
from tui.exporters.keys import citation_key, unique_keys
from tui.exporters.kinds import kind_name, kind_of
from tui.exporters.people import PersonName, author_names
from tui.models import Paper

_GENRES = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}


def csl_item(paper: Paper, item_id: str | None = None) -> dict[str, Any]:
    """One CSL item; fields with no value are left out (only ``id`` and ``type`` are required)."""
    kind = kind_of(paper)
    first_page, last_page = fields.page_range(paper)
    year = fields.year(paper)
    item: dict[str, Any] = {"id": item_id or citation_key(paper), "type": kind.csl}
    optional: dict[str, Any] = {
        "title": fields.title(paper),
        "author": [_author(name) for name in author_names(paper)],
        "issued": {"date-parts": [[year]]} if year else None,
        kind.csl_venue: fields.venue(paper),
        "genre": _GENRES.get(kind_name(paper), ""),
        "page": f"{first_page}-{last_page}" if last_page else first_page,
        "DOI": fields.doi(paper),
        "URL": fields.best_url(paper),
        # Abstracts keep their paragraphs here (JSON escapes newlines); controls are still removed.
        "abstract": fields.paragraphs(paper.get("abstract")),
    }
    item.update((name, value) for name, value in optional.items() if value)
    return item


def render(papers: Sequence[Paper]) -> str:
    items = [csl_item(paper, key) for paper, key in zip(papers, unique_keys(papers), strict=True)]
    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode() + "\n"


def _author(name: PersonName) -> dict[str, str]:
    if name.literal:
        return {"literal": name.literal}
    parts = {"family": name.family, "given": name.given, "non-dropping-particle": name.particle, "suffix": name.lineage}
    return {key: value for key, value in parts.items() if value}
