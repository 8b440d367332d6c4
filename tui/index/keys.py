"""Keys computed from papers: the dedupe keys and the words a title is searched by."""

from __future__ import annotations

import re
import struct
from array import array
from typing import Any, NamedTuple

import orjson
from xxhash import xxh3_64_intdigest

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
    if len(words) < len(_HASH_PACKERS):  # nearly every title: 0.6 us, where an array takes 1.0
        return _HASH_PACKERS[len(words)].pack(*map(hash, words))
    return array("q", map(hash, words)).tobytes()


_HASH_PACKERS = [struct.Struct(f"{count}q") for count in range(64)]  # native int64s, as array("q") has them


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
    """A stable 64-bit hash: millions of dedupe keys fit in memory as ints, not strings.

    XXH3 (a fixed specification, the same on every machine and version) shifted into int64's range; three
    per paper, it takes half the time of an 8-byte blake2b, the hash before index version 4.
    """
    return xxh3_64_intdigest(key.encode()) - (1 << 63)


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


class NamesSent:
    """What one process parsing papers has told the writer about author names.

    Each name is parsed once. A name without ids (most of a dump's) is numbered the first time it is sent,
    with its parsed fields; after that the process sends the number, and the writer finds the author's row
    by indexing a list instead of looking a string up in a dictionary of a million names. Numbers start at
    ``first`` (those below are another file's, in an import of several); processes parsing parts of one
    file number apart: the one of ``parts`` numbered ``part`` takes first + part, first + part + parts, ...
    """

    def __init__(self, first: int = 0, part: int = 0, parts: int = 1) -> None:
        self.numbered: dict[str, tuple[int, str]] = {}  # a name sent without ids: its number and cluster key
        self._parsed: dict[str, ParsedName] = {}  # names sent with ids
        self._next, self._step = first + part, parts

    def parse(self, name: str) -> ParsedName:
        parsed = self._parsed.get(name)
        if parsed is None:
            parsed = self._parsed[name] = _parse_name_uncached(name)  # ``_parsed`` is the cache here
        return parsed

    def with_ids(self, name: str, source_id: str, orcid: str) -> tuple[str, ...]:
        """An author with a source id or ORCID, with the name's parse the first time it is sent so."""
        if name in self._parsed:
            return (name, source_id, orcid)
        return (name, source_id, orcid, *self.parse(name))

    def first_sent(self, name: str) -> tuple[Any, ...]:
        """An author without ids whose name is sent for the first time: its parse, and the number it gets."""
        parsed = self._parsed.get(name) or _parse_name_uncached(name)
        number = self._next
        self._next += self._step
        self.numbered[name] = (number, parsed.key)
        return (name, "", "", *parsed, number)


class IncomingPaper(NamedTuple):
    """An incoming paper as the store consumes it, computed where the paper is parsed.

    ``fields`` is the paper's JSON record without its authors and id (those the store assigns), so the
    writer only splices bytes together; a merge, which is rare, parses it back.
    """

    fields: bytes
    # Each author as (name as written, source id, ORCID). Sent through ``NamesSent``: plus the name's
    # ParsedName fields the first time the process sends it, and then also its number if it has no ids;
    # a name without ids sent before is just its number.
    authors: list[int | tuple[Any, ...]]
    year: int
    first_author_key: str
    dedupe: list[int]
    # The title's search words as ``word_hashes`` (repeats included), and those of its words this process
    # has not sent before: the writer learns each word's spelling once.
    title_hashes: bytes
    new_title_words: list[str] | tuple[()]


def incoming(paper: PaperInput, names: NamesSent | None = None, words_sent: set[str] | None = None) -> IncomingPaper:
    """The paper as the store consumes it.

    ``names`` remembers the names this process has sent (without it, each author is sent in full, unparsed).
    ``words_sent`` likewise remembers the title words sent (without it, every word is sent).
    """
    authors: list[int | tuple[Any, ...]] = []
    first_key = ""
    if names is None:
        authors = [tuple(author) for author in paper.authors]
        if paper.authors:
            first_key = parse_name(paper.authors[0].name).key
    else:
        numbered = names.numbered.get
        for name, source_id, orcid in paper.authors:
            if source_id or orcid:
                authors.append(names.with_ids(name, source_id, orcid))
            elif (sent := numbered(name)) is not None:
                authors.append(sent[0])  # the writer knows the name by its number
            else:
                authors.append(names.first_sent(name))
        if paper.authors:
            first = paper.authors[0].name
            sent = numbered(first)  # just looked up: in the cache
            first_key = sent[1] if sent is not None else names.parse(first).key
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
