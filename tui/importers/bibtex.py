"""BibTeX files (``.bib``, also ``.gz``/``.xz``): DBLP's dump, OpenReview/ACL/PMLR house styles, user files.

Entries stream through ``bibtex_syntax``; this module turns their fields into papers. DBLP entries
(keys such as ``conf/acl/Foo16``) keep the key as ``source_key`` so the same record from DBLP XML
merges; other files' keys are not trusted to be unique and are not used for deduplication.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from tui.errors import ImportFormatError
from tui.importers.base import PART_END, PART_ENTRIES, ImportReport, PartEnd, Source
from tui.importers.bibtex_syntax import NOT_RECORDS, CarefulParser, MalformedEntry, entry_segments, fast_fields
from tui.importers.records import (
    DBLP_PREFIXES,
    RECORD_TYPES,
    add_link,
    doi_from_url,
    doi_link,
    fast_clean,
    is_clean,
    parse_year,
    record_type,
)
from tui.models import AuthorInput, Link, PaperInput
from tui.names import clean_text

_SNIFF_RE = re.compile(rb"(?:^|\n)[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]")
_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)
_MACRO_RE = re.compile(r"\s*string\s*[{(]", re.IGNORECASE)
_NOT_RECORD_RE = re.compile(r"\s*(?:string|comment|preamble)\s*[{(]", re.IGNORECASE)
# Entry types whose "editor" stands in for missing authors (DBLP lists editorships on person pages).
_EDITED = frozenset({"proceedings", "book"})


def quick_clean(text: str) -> str:
    """``clean_text(text, latex=True)`` with TeX quotes, skipping the work for clean text."""
    if "``" in text or "''" in text:  # TeX quotes, which decode_latex leaves alone
        text = text.replace("``", "\u201c").replace("''", "\u201d")
    return fast_clean(text, latex=True)


def split_authors(value: str) -> list[str]:
    """Split an author field on the word "and" outside braces ("{Barnes and Noble}" stays one name)."""
    if "{" not in value:
        names = _AND_RE.split(value.strip())
    else:
        names, start = [], 0
        for found in _AND_RE.finditer(value):
            prefix = value[: found.start()]
            if prefix.count("{") == prefix.count("}"):
                names.append(value[start : found.start()])
                start = found.end()
        names.append(value[start:])
    return [name for name in names if name.strip() and name.strip().lower() != "others"]


def author_inputs(value: str) -> list[AuthorInput]:
    """The authors of an author (or editor) field, in order."""
    if "," not in value and is_clean(value, latex=True):
        # Clean text has single spaces only, so " and " is the whole separator (any case).
        names = value.strip().split(" and ")
        if " AND " in value or " And " in value:
            names = _AND_RE.split(value.strip())
        if names[-1].lower() == "others":
            names.pop()
    else:
        names = list(map(clean_name, split_authors(value)))
    return [_new_tuple(AuthorInput, (name, "", "")) for name in names if name]


_new_tuple = tuple.__new__  # an AuthorInput without the constructor's checks: millions per import


@lru_cache(maxsize=1 << 16)
def clean_name(raw: str) -> str:
    """A BibTeX name as "First von Last Jr": "Last, First" and "von Last, Jr, First" are turned round."""
    if "," in raw:
        parts, depth, start = [], 0, 0
        for index, char in enumerate(raw):
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == "," and depth == 0:
                parts.append(raw[start:index])
                start = index + 1
        parts.append(raw[start:])
        if len(parts) == 2:
            raw = f"{parts[1]} {parts[0]}"
        elif len(parts) >= 3:
            raw = f"{parts[2]} {parts[0]} {parts[1]}"
    return clean_text(raw, latex=True)


def paper_from_fields(kind: str, key: str, fields: dict[str, str]) -> PaperInput | str:
    """The paper an entry describes, or the reason it cannot be imported.

    Called once per entry of the 1.6M-entry DBLP dump, so it avoids work for fields that are absent.
    """
    title = fields.get("title")
    if not title or not (title := quick_clean(title)):
        return "no title"
    year_text = fields.get("year")
    year = None
    if year_text:
        year = int(year_text) if len(year_text) == 4 and year_text.isdigit() else parse_year(year_text)
        if year is None:
            return "invalid year"
    people = fields.get("author") or (fields.get("editor", "") if kind in _EDITED else "")
    shown_type, venue_kind = RECORD_TYPES.get(kind) or record_type(kind)
    venue = fields.get("booktitle") or fields.get("journal") or fields.get("series") or fields.get("school") or ""
    is_dblp = key.startswith(DBLP_PREFIXES)
    links: list[Link] = []
    doi = fields.get("doi", "")
    if doi:
        doi = doi_from_url(doi) or doi.strip()
        links.append(doi_link(doi))
    if "url" in fields or "ee" in fields or "pdf" in fields or "code" in fields or "github" in fields:
        url_doi = _other_links(fields, links, is_dblp)
        doi = doi or url_doi
    abstract = fields.get("abstract")
    pages = fields.get("pages", "")
    return PaperInput(
        title=title,
        authors=author_inputs(people) if people else [],
        venue=_clean_venue(venue) if venue else "",
        venue_kind=venue_kind,
        year=year,
        type=shown_type,
        abstract=quick_clean(abstract) if abstract else "",
        doi=doi,
        links=links,
        pages=pages.replace("--", "-").strip() if pages else "",
        source="dblp" if is_dblp else "bibtex",
        source_key=key if is_dblp else "",
    )


@lru_cache(maxsize=1 << 16)
def _clean_venue(venue: str) -> str:
    """Venues repeat across thousands of entries: clean each spelling once."""
    return quick_clean(venue)


def _other_links(fields: dict[str, str], links: list[Link], is_dblp: bool) -> str:
    """Add url/ee, pdf and code links; returns a DOI found in a doi.org URL, if any."""
    doi = ""
    for name in ("url", "ee"):
        url = fields.get(name)
        if url:
            if is_dblp and url.startswith("db/"):
                add_link(links, "site", "https://dblp.org/" + url)
                continue
            found_doi = doi_from_url(url)
            if found_doi:  # shown once, as the DOI link
                doi = doi or found_doi
                if not links or links[0]["kind"] != "doi":
                    links.insert(0, doi_link(doi))
            else:
                add_link(links, "url", url)
    if "pdf" in fields:
        add_link(links, "pdf", fields["pdf"])
    for name in ("code", "github"):
        if name in fields:
            add_link(links, "code", fields[name])
    return doi


class BibtexImporter:
    name = "bibtex"
    splittable = True
    forwards_runs = True

    def sniff(self, path: Path, head: bytes) -> bool:
        return _SNIFF_RE.search(head) is not None

    def read(self, source: Source, report: ImportReport, options: dict[str, Any]) -> Iterator[PaperInput | PartEnd]:
        part, parts = options.get("part", (0, 1))
        reading = _EntryReader(source.path, report)
        forwarded: Iterator[ForwardedRun] | None = options.get("runs")
        if forwarded is not None:
            # Another process splits the file and hands this one its runs (and every @string macro).
            for run, segments in forwarded:
                for segment, line, is_last in segments:
                    paper = reading.entry(segment, line, is_last, owned=run % parts == part)
                    if paper is not None:
                        yield paper
                if run % parts == part:
                    yield PART_END
            return
        forward: Callable[[int, ForwardedRun], None] | None = options.get("forward")
        others: list[list[Segment]] = [[] for _ in range(parts)]
        index = -1
        for index, (segment, line, is_last) in enumerate(entry_segments(source.stream, source.path)):
            owned = True
            if parts > 1:
                run, first_of_run = divmod(index, PART_ENTRIES)
                if first_of_run == 0 and index:
                    if (run - 1) % parts == part:
                        yield PART_END
                    if forward is not None:
                        _forward_run(forward, run - 1, others, part)
                owned = run % parts == part
                is_macro = _MACRO_RE.match(segment) is not None
                if forward is not None and (not owned or is_macro):
                    for other in range(parts) if is_macro else (run % parts,):
                        if other != part:
                            others[other].append((segment, line, is_last))
                if not owned and not is_macro:
                    # Another process reads this entry; every process reads the @string macros it may use.
                    reading.entries += not _NOT_RECORD_RE.match(segment)
                    continue
            paper = reading.entry(segment, line, is_last, owned)
            if paper is not None:
                yield paper
        if parts > 1 and index >= 0:
            if (index // PART_ENTRIES) % parts == part:
                yield PART_END
            if forward is not None:
                _forward_run(forward, index // PART_ENTRIES, others, part)
        if reading.entries == 0 and source.size > 0 and not reading.macros:
            raise ImportFormatError(f"{source.path}: no BibTeX entries found (not a BibTeX file?)")


# An entry as the splitting process hands it on: (text, line, whether it is the file's last entry).
Segment = tuple[str, int, bool]
# A run of entries handed to the process owning it (or only the run's macros, to the others).
ForwardedRun = tuple[int, list[Segment]]


def _forward_run(
    forward: Callable[[int, ForwardedRun], None], run: int, others: list[list[Segment]], part: int
) -> None:
    """Hand every other part what it needs of ``run``: its entries if it owns the run, else the run's macros."""
    for other, segments in enumerate(others):
        if other != part:
            forward(other, (run, segments))
            others[other] = []


class _EntryReader:
    """Turns entries into papers for one process, keeping its @string macros and entry counts."""

    def __init__(self, path: Path, report: ImportReport) -> None:
        self.path, self.report = path, report
        self.macros: dict[str, str] = {}
        self.entries = 0

    def entry(self, segment: str, line: int, is_last: bool, owned: bool) -> PaperInput | None:
        """The paper of one entry this process owns (None for a macro, a skipped or another's entry)."""
        parsed = fast_fields(segment)
        if parsed is None:
            try:
                parsed = CarefulParser(segment, self.macros).entry()
            except MalformedEntry as exc:
                if not owned:
                    return None
                if is_last and _is_open(segment):
                    raise ImportFormatError(f"{self.path}:{line}: file ends inside an entry (truncated?)") from None
                self.entries += 1
                self.report.read += 1
                self.report.skip(f"{self.path}:{line}", f"malformed entry: {exc}")
                return None
        kind, key, fields = parsed
        if kind in NOT_RECORDS or not owned:
            return None
        self.entries += 1
        self.report.read += 1
        paper = paper_from_fields(kind, key, fields)
        if isinstance(paper, str):
            self.report.skip(f"{self.path}:{line}", paper)
            return None
        return paper


def _is_open(segment: str) -> bool:
    """An entry whose braces never close: as the file's last entry, the file was cut off."""
    return segment.count("{") > segment.count("}") and not segment.rstrip().endswith("}")
