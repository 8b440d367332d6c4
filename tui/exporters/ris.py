"""RIS export: one ``TAG  - value`` per line, ``TY`` first and ``ER`` last, records separated by a blank line."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tui.exporters import fields
from tui.exporters.kinds import kind_of
from tui.exporters.people import PersonName, author_names
from tui.models import Paper


def ris_record(paper: Paper) -> str:
    """One RIS record; every value is a single line, so a value can never start a tag of its own."""
    return "".join(f"{tag}  - {value}\n" for tag, value in _tags(paper))


def render(papers: Sequence[Paper]) -> str:
    return "\n".join(ris_record(paper) for paper in papers)


def _tags(paper: Paper) -> Iterator[tuple[str, str]]:
    kind = kind_of(paper)
    yield "TY", kind.ris
    for name in author_names(paper):
        yield "AU", _author(name)
    optional = [
        ("TI", fields.title(paper)),
        (kind.ris_venue, fields.venue(paper)),
        ("PY", str(fields.year(paper) or "")),
        *zip(("SP", "EP"), fields.page_range(paper), strict=True),
        ("DO", fields.doi(paper)),
        *(("UR", url) for url in fields.urls(paper)),
        ("AB", fields.abstract(paper)),
    ]
    yield from ((tag, value) for tag, value in optional if value)
    yield "ER", ""


def _author(name: PersonName) -> str:
    """ "Last, First, Suffix" as the RIS specification writes names; a literal stays as written."""
    if name.literal:
        return name.literal
    family = " ".join(part for part in (name.particle, name.family) if part)
    return ", ".join(part for part in (family, name.given, name.lineage) if part)
