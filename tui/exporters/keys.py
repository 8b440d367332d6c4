"""Citation keys: first author's surname + year + first significant title word ("yang2025superficial").

Keys are ASCII letters and digits only, so every BibTeX tool accepts them, and stable: the same
papers in the same order always get the same keys. Within one export a repeated key gets a, b, ...
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tui.exporters import fields
from tui.exporters.people import author_names
from tui.models import Paper
from tui.names import fold

_NON_KEY_RE = re.compile(r"[^a-z0-9]+")
_STOPWORDS = frozenset("a an the on of in for to and with from by at via is are towards toward".split())  # noqa: SIM905


def _ascii_word(text: str) -> str:
    return _NON_KEY_RE.sub("", fold(text))


def citation_key(paper: Paper) -> str:
    """The key of one paper, before deduplication; "anon" stands in for a missing author."""
    first_author = next(iter(author_names(paper)), None)
    surname = _ascii_word(first_author.surname) if first_author else ""
    words = (_ascii_word(word) for word in fields.title(paper).split())
    first_word = next((word for word in words if word and word not in _STOPWORDS), "")
    year = fields.year(paper)
    return f"{surname or 'anon'}{year or ''}{first_word}"


def unique_keys(papers: Sequence[Paper]) -> list[str]:
    """One key per paper, repeated keys made unique with a, b, ... in export order."""
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}  # per base key, so a thousand twins cost linear time
    keys: list[str] = []
    for paper in papers:
        base = key = citation_key(paper)
        while key in taken:
            index = next_suffix.get(base, 0)
            next_suffix[base] = index + 1
            key = base + _letters(index)
        taken.add(key)
        keys.append(key)
    return keys


def _letters(index: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "aa": suffixes that never run out."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters
