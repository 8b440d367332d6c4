"""BibTeX export: one ``@type{key, field = {value}}`` entry per paper, values braced and escaped."""

from __future__ import annotations

from collections.abc import Sequence

from tui.exporters import fields, latex
from tui.exporters.keys import citation_key, unique_keys
from tui.exporters.kinds import kind_of
from tui.exporters.people import PersonName, author_names
from tui.models import Paper


def bibtex_entry(paper: Paper, key: str | None = None) -> str:
    """One BibTeX entry (ending in a newline); ``key`` defaults to the paper's own citation key."""
    kind = kind_of(paper)
    values = _fields(paper, kind.bibtex_venue)
    width = max((len(name) for name, _ in values), default=0)
    lines = [f"  {name.ljust(width)} = {{{value}}}" for name, value in values]
    body = ",\n".join(lines)
    return f"@{kind.bibtex}{{{key or citation_key(paper)}" + (f",\n{body}\n" if body else "\n") + "}\n"


def render(papers: Sequence[Paper]) -> str:
    """A .bib file: the entries separated by blank lines, keys unique within the file."""
    keys = unique_keys(papers)
    return "\n".join(bibtex_entry(paper, key) for paper, key in zip(papers, keys, strict=True))


def _fields(paper: Paper, venue_field: str) -> list[tuple[str, str]]:
    first_page, last_page = fields.page_range(paper)
    year = fields.year(paper)
    candidates = [
        ("author", " and ".join(_author(name) for name in author_names(paper))),
        ("title", latex.protect_case(fields.title(paper))),
        (venue_field, latex.escape(fields.venue(paper))),
        ("year", str(year) if year else ""),
        ("pages", latex.escape(f"{first_page}--{last_page}" if last_page else first_page)),
        # DOI and URL are verbatim fields (biblatex, the url package), so they are made field-safe
        # in ``fields`` rather than LaTeX-escaped: an escaped "\_" would end up in the link.
        ("doi", fields.doi(paper)),
        ("url", fields.best_url(paper)),
        ("abstract", latex.escape(fields.abstract(paper))),
    ]
    return [(name, value) for name, value in candidates if value]


def _author(name: PersonName) -> str:
    """BibTeX's unambiguous form "von Last, Jr, First", or a braced literal kept whole."""
    if name.literal:
        return "{" + latex.escape(name.literal) + "}"
    family = " ".join(part for part in (name.particle, name.family) if part)
    parts = [latex.name_part(family)]
    if name.lineage:
        parts.append(latex.name_part(name.lineage))
    parts.append(latex.name_part(name.given))
    return ", ".join(parts)
