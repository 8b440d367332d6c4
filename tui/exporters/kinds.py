"""Which kind of publication a stored paper is, and what each export format calls that kind.

The stored ``type`` is free text from the source ("Conference Paper", DBLP's "Parts in Books or
Collections", a BibTeX entry type...), so it is matched by keywords; ``venue_kind`` is the fallback.
"""

from __future__ import annotations

from typing import NamedTuple

from tui.models import Paper


class Kind(NamedTuple):
    """One publication kind: the entry type in each format and where the venue goes."""

    bibtex: str
    bibtex_venue: str  # the BibTeX field that holds the venue
    ris: str
    ris_venue: str  # "T2" (secondary title) or "PB" (publisher, school)
    csl: str
    csl_venue: str  # "container-title", "publisher" or "collection-title"


KINDS: dict[str, Kind] = {
    "conference": Kind("inproceedings", "booktitle", "CPAPER", "T2", "paper-conference", "container-title"),
    "journal": Kind("article", "journal", "JOUR", "T2", "article-journal", "container-title"),
    "chapter": Kind("incollection", "booktitle", "CHAP", "T2", "chapter", "container-title"),
    "book": Kind("book", "publisher", "BOOK", "PB", "book", "publisher"),
    "proceedings": Kind("proceedings", "series", "CONF", "T2", "book", "collection-title"),
    "phdthesis": Kind("phdthesis", "school", "THES", "PB", "thesis", "publisher"),
    "mastersthesis": Kind("mastersthesis", "school", "THES", "PB", "thesis", "publisher"),
    "report": Kind("techreport", "institution", "RPRT", "PB", "report", "publisher"),
    "dataset": Kind("misc", "howpublished", "DATA", "PB", "dataset", "publisher"),
    "preprint": Kind("misc", "howpublished", "UNPB", "T2", "article", "container-title"),
    "misc": Kind("misc", "howpublished", "GEN", "T2", "document", "container-title"),
}

# Checked in order: the first rule with a keyword in the lower-cased type wins, so "Parts in Books"
# is a chapter before it can be a book, and "Informal ... Publications" a preprint before anything.
_TYPE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("preprint", ("preprint", "informal", "unpublished", "arxiv")),
    ("report", ("report",)),
    ("dataset", ("dataset", "data and artifacts")),
    ("chapter", ("chapter", "incollection", "parts in books", "collection")),
    ("mastersthesis", ("master",)),
    ("phdthesis", ("phd", "doctoral", "dissertation", "thesis", "theses")),
    ("proceedings", ("editorship", "proceedings volume")),
    ("conference", ("conference", "inproceedings", "workshop", "proceedings paper", "symposium")),
    ("journal", ("journal", "article")),
    ("proceedings", ("proceedings",)),
    ("book", ("book", "monograph")),
)
_VENUE_KINDS = {
    "conference": "conference",
    "workshop": "conference",
    "journal": "journal",
    "book": "chapter",
    "thesis": "phdthesis",
    "preprint": "preprint",
}


def kind_name(paper: Paper) -> str:
    """The key into ``KINDS`` for a paper: from its type, else its venue kind, else "misc"."""
    paper_type = (paper.get("type") or "").lower()
    for name, keywords in _TYPE_RULES:
        if any(word in paper_type for word in keywords):
            return name
    return _VENUE_KINDS.get((paper.get("venue_kind") or "").strip().lower(), "misc")


def kind_of(paper: Paper) -> Kind:
    return KINDS[kind_name(paper)]
