"""Keys computed from papers: the dedupe keys and the words a title is searched by."""

from __future__ import annotations

import re

from tui.models import Paper
from tui.names import fold

_TITLE_WORD_RE = re.compile(r"\w+")
_NON_WORD_RE = re.compile(r"\W+")
# Words too common to narrow a title search; a query made only of them still matches on them.
STOPWORDS = frozenset(
    ["a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "via", "by", "from", "at", "is", "are", "as"]
)


def title_words(title: str) -> list[str]:
    """Distinct folded words of a title, in order."""
    return list(dict.fromkeys(_TITLE_WORD_RE.findall(fold(title))))


def normalised_doi(doi: str) -> str:
    doi = doi.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if doi.startswith(prefix):
            return doi[len(prefix) :]
    return doi


def title_year_author_key(title: str, year: int | None, first_author_key: str) -> str:
    """Same normalised title, year and first author: the same paper from another source."""
    return f"{_NON_WORD_RE.sub('', fold(title))}|{year or ''}|{first_author_key}"


def dedupe_keys(paper: Paper, first_author_key: str) -> list[str]:
    """Every key under which an incoming duplicate of this paper would be recognised."""
    keys = []
    if paper.get("doi"):
        keys.append("doi:" + normalised_doi(paper["doi"]))
    if paper.get("source_key"):
        keys.append(f"src:{paper.get('source', '')}:{paper['source_key']}")
    if paper.get("title"):
        keys.append("tya:" + title_year_author_key(paper["title"], paper.get("year"), first_author_key))
    return keys
