"""Keys computed from papers: the dedupe keys and the words a title is searched by."""

from __future__ import annotations

import re
from hashlib import blake2b
from typing import Any, NamedTuple

import orjson

from tui.models import Paper, PaperInput
from tui.names import fold, parse_name

_TITLE_WORD_RE = re.compile(r"\w+")
# Words too common to narrow a title search; a query made only of them still matches on them.
STOPWORDS = frozenset(
    ["a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "via", "by", "from", "at", "is", "are", "as"]
)


def title_words(title: str) -> list[str]:
    """Distinct folded words of a title, in order."""
    return list(dict.fromkeys(_all_title_words(title)))


def _all_title_words(title: str) -> list[str]:
    return _TITLE_WORD_RE.findall(fold(title))


def normalised_doi(doi: str) -> str:
    doi = doi.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if doi.startswith(prefix):
            return doi[len(prefix) :]
    return doi


def title_year_author_key(
    title: str, year: int | None, first_author_key: str, all_words: list[str] | None = None
) -> str:
    """Same normalised title, year and first author: the same paper from another source.

    The title part is the folded title without its non-word characters, i.e. all its words joined.
    """
    words = _all_title_words(title) if all_words is None else all_words
    return f"{''.join(words)}|{year or ''}|{first_author_key}"


def key_hash(key: str) -> int:
    """A stable 64-bit hash: millions of dedupe keys fit in memory as ints, not strings."""
    return int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "little", signed=True)


def dedupe_keys(
    doi: str,
    source: str,
    source_key: str,
    title: str,
    year: int | None,
    first_author_key: str,
    all_title_words: list[str] | None = None,
) -> list[int]:
    """Hashes of every key under which an incoming duplicate of this paper would be recognised."""
    keys = []
    if doi:
        keys.append(key_hash("doi:" + normalised_doi(doi)))
    if source_key:
        keys.append(key_hash(f"src:{source}:{source_key}"))
    if title:
        keys.append(key_hash("tya:" + title_year_author_key(title, year, first_author_key, all_title_words)))
    return keys


def paper_dedupe_keys(paper: Paper | dict[str, Any], first_author_key: str) -> list[int]:
    """The dedupe keys of a stored paper."""
    return dedupe_keys(
        paper.get("doi", ""),
        paper.get("source", ""),
        paper.get("source_key", ""),
        paper.get("title", ""),
        paper.get("year"),
        first_author_key,
    )


# The stored fields of a paper besides its authors and id, in the order they are written.
STORED_FIELDS = (
    "title",
    "venue",
    "venue_kind",
    "year",
    "type",
    "abstract",
    "doi",
    "links",
    "pages",
    "source",
    "source_key",
)


class IncomingPaper(NamedTuple):
    """An incoming paper as the store consumes it, computed where the paper is parsed.

    ``fields`` is the paper's JSON record without its authors and id (those the store assigns), so the
    writer only splices bytes together; a merge, which is rare, parses it back.
    """

    fields: bytes
    authors: list[tuple[str, str, str]]  # (name as written, source id, ORCID)
    year: int
    first_author_key: str
    dedupe: list[int]
    title_words: list[str]


def incoming(paper: PaperInput) -> IncomingPaper:
    first_key = parse_name(paper.authors[0].name).key if paper.authors else ""
    words = _all_title_words(paper.title)  # folded and split once, for the dedupe key and the search words
    hashes = dedupe_keys(paper.doi, paper.source, paper.source_key, paper.title, paper.year, first_key, words)
    fields = orjson.dumps({name: getattr(paper, name) for name in STORED_FIELDS})
    return IncomingPaper(
        fields,
        [(a.name, a.source_id, a.orcid) for a in paper.authors],
        paper.year or 0,
        first_key,
        hashes,
        list(dict.fromkeys(words)),
    )
