"""Keys computed from papers: the dedupe keys and the words a title is searched by."""

from __future__ import annotations

import re
from array import array
from hashlib import blake2b
from typing import Any, NamedTuple

import orjson

from tui.models import Paper, PaperInput
from tui.names import ParsedName, fold, is_word_character, parse_name

_TITLE_WORD_RE = re.compile(r"\w+")
# Words too common to narrow a title search; a query made only of them still matches on them.
STOPWORDS = frozenset(
    ["a", "an", "and", "for", "in", "of", "on", "the", "to", "with", "via", "by", "from", "at", "is", "are", "as"]
)


def title_words(title: str) -> list[str]:
    """Distinct folded words of a title, in order."""
    return list(dict.fromkeys(_all_title_words(title)))


# ASCII bytes that are not word characters (``\w``), mapped to spaces: splitting the result finds the words
# of ASCII text (most titles) several times faster than the regex.
_ASCII_NON_WORD = bytes.maketrans(bytes(range(128)), bytes(c if is_word_character(chr(c)) else 32 for c in range(128)))


def _all_title_words(title: str) -> list[str]:
    folded = fold(title)
    if folded.isascii():
        return folded.encode().translate(_ASCII_NON_WORD).decode().split()
    return _TITLE_WORD_RE.findall(folded)


def word_hashes(words: list[str]) -> bytes:
    """The words as int64 hashes: what an import carries per paper instead of the strings.

    Python's own string hash, so only valid inside one import: its reader processes are forked and
    share the writer's hash seed. The index stores the words, never these hashes.
    """
    return array("q", map(hash, words)).tobytes()


_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:")
_parse_name_uncached = parse_name.__wrapped__


def normalised_doi(doi: str) -> str:
    doi = doi.strip().lower()
    if doi.startswith(("http", "doi:")):  # most DOIs are bare ("10.1145/..."): one check
        for prefix in _DOI_PREFIXES:
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


class IncomingPaper(NamedTuple):
    """An incoming paper as the store consumes it, computed where the paper is parsed.

    ``fields`` is the paper's JSON record without its authors and id (those the store assigns), so the
    writer only splices bytes together; a merge, which is rare, parses it back.
    """

    fields: bytes
    # (name as written, source id, ORCID), plus its ParsedName fields the first time a process sends the
    # name; a name without ids that the process has sent before is just the name.
    authors: list[str | tuple[str, ...]]
    year: int
    first_author_key: str
    dedupe: list[int]
    # The title's search words as ``word_hashes`` (repeats included), and those of its words this process
    # has not sent before: the writer learns each word's spelling once.
    title_hashes: bytes
    new_title_words: list[str] | tuple[()]


def incoming(
    paper: PaperInput, names: dict[str, ParsedName] | None = None, words_sent: set[str] | None = None
) -> IncomingPaper:
    """The paper as the store consumes it.

    ``names`` remembers the names this process has parsed: each is parsed once, and sent along
    (display form, suffix, key) with the first paper that has it, so the writer need not parse it again.
    ``words_sent`` likewise remembers the title words sent (without it, every word is sent).
    """
    authors: list[str | tuple[str, ...]] = []
    first_key = ""
    if names is None:
        authors = [tuple(author) for author in paper.authors]
        if paper.authors:
            first_key = parse_name(paper.authors[0].name).key
    else:
        known = names.get
        for name, source_id, orcid in paper.authors:
            parsed = known(name)
            if parsed is None:
                parsed = names[name] = _parse_name_uncached(name)  # ``names`` is the cache here
                authors.append((name, source_id, orcid, *parsed))
            elif source_id or orcid:
                authors.append((name, source_id, orcid))
            else:
                authors.append(name)  # sent before: the writer knows the name
        if paper.authors:
            first_key = names[paper.authors[0].name].key
    words = _all_title_words(paper.title)  # folded and split once, for the dedupe key and the search words
    hashes = dedupe_keys(paper.doi, paper.source, paper.source_key, paper.title, paper.year, first_key, words)
    fields = orjson.dumps(
        {
            "title": paper.title,
            "venue": paper.venue,
            "venue_kind": paper.venue_kind,
            "year": paper.year,
            "type": paper.type,
            "abstract": paper.abstract,
            "doi": paper.doi,
            "links": paper.links,
            "pages": paper.pages,
            "source": paper.source,
            "source_key": paper.source_key,
        }
    )
    new_words: list[str] | tuple[()] = words
    if words_sent is not None:
        if words_sent.issuperset(words):  # most titles of a large import: one check in C
            new_words = ()
        else:
            new_words = [word for word in words if word not in words_sent]
            words_sent.update(new_words)
    return tuple.__new__(
        IncomingPaper, (fields, authors, paper.year or 0, first_key, hashes, word_hashes(words), new_words)
    )
