"""The data model: papers and author rows as stored; clusters are derived by the index.

Stored documents are plain dicts (TinyDB documents); these TypedDicts name their fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypedDict


class Link(TypedDict):
    kind: str  # "doi", "url", "pdf", "code", "site", ...
    url: str


class AuthorRef(TypedDict):
    name: str  # as written on the paper, suffix included ("Yankai Lin 0001")
    row: int  # id of the author row


class Paper(TypedDict, total=False):
    id: int
    title: str
    venue: str
    venue_kind: str  # "Conference", "Journal", "Workshop", "Book", "Thesis", ""
    year: int | None
    type: str  # "Conference Paper", "Journal Article", ...
    authors: list[AuthorRef]
    abstract: str
    doi: str
    links: list[Link]
    pages: str
    source: str
    source_key: str


class AuthorRow(TypedDict, total=False):
    id: int
    name: str  # cleaned, without the suffix
    suffix: str  # DBLP homonym suffix such as "0001", or ""
    orcid: str
    homepage: str
    source_ids: list[str]


class AuthorInput(NamedTuple):
    """An author as an importer read it, before it is matched to an author row.

    A tuple: importers make millions of them, and ``tuple.__new__`` builds one without the constructor's checks.
    """

    name: str
    source_id: str = ""  # an explicit identity from the source ("acl:yang-liu-ict", "openreview:~X1")
    orcid: str = ""


@dataclass(slots=True)
class PaperInput:
    """A paper as an importer read it: cleaned text, authors not yet resolved to rows."""

    title: str
    authors: list[AuthorInput]
    venue: str = ""
    venue_kind: str = ""
    year: int | None = None
    type: str = ""
    abstract: str = ""
    doi: str = ""
    links: list[Link] = field(default_factory=list)
    pages: str = ""
    source: str = ""
    source_key: str = ""


@dataclass
class RowUpdate:
    """Details about an author row from a person record (DBLP ``www``), applied after the papers."""

    source_id: str
    orcid: str = ""
    homepage: str = ""


@dataclass
class ClusterHit:
    """One ranked search result: an author-name cluster."""

    key: str
    name: str
    papers: int
    author_rows: int
    year_min: int | None
    year_max: int | None
    tier: str  # "exact", "prefix" or "fuzzy"
    score: float

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class TitleHit:
    """One ranked search result: a paper whose title matches the query words."""

    paper_id: int
    title: str
    year: int | None
    venue: str
    score: float


@dataclass
class ClusterPage:
    """Everything the cluster page shows: the name grouping, its rows and its papers newest first."""

    key: str
    name: str
    rows: list[dict[str, Any]]
    papers: list[Paper]

    @property
    def paper_count(self) -> int:
        return len(self.papers)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key": self.key,
            "papers": self.paper_count,
            "author_rows": len(self.rows),
            "rows": self.rows,
            "paper_list": self.papers,
        }
