"""DBLP XML (``dblp.xml``, also ``.gz``/``.xz``): streamed with lxml, memory independent of file size.

DBLP writes accented letters as named entities (``&ouml;``) declared in ``dblp.dtd``. The DTD is
taken from ``--dtd PATH``, else ``dblp.dtd`` beside the file; without one, the same (HTML Latin-1)
entities are declared inline. Files with their own inline DTD are parsed as they are. Entities are
never fetched from a location the XML itself names, and never from the network.
"""

from __future__ import annotations

import html.entities
import io
import lzma
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from tui.errors import ImportFormatError
from tui.importers.base import ImportReport, Source
from tui.importers.records import add_link, doi_from_url, doi_link, parse_year, record_type
from tui.models import AuthorInput, Link, PaperInput, RowUpdate
from tui.names import clean_text

RECORD_TAGS = (
    "article",
    "inproceedings",
    "proceedings",
    "book",
    "incollection",
    "phdthesis",
    "mastersthesis",
    "www",
    "data",
)
_HEAD_BYTES = 1 << 16
_DECLARATION_RE = re.compile(rb"^\s*(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_EXTERNAL_DOCTYPE_RE = re.compile(rb"<!DOCTYPE\s+(\w+)\s+(?:SYSTEM|PUBLIC)[^>\[]*>")
_INLINE_DOCTYPE_RE = re.compile(rb"<!DOCTYPE\s+\w+\s*\[")
_SNIFF_RE = re.compile(rb"<dblp[\s>]|<!DOCTYPE\s+dblp|<(?:article|inproceedings|incollection|www)\s[^>]*key=\"")
_ORCID_URL_RE = re.compile(r"^https?://orcid\.org/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
# Person-record URLs that are profiles elsewhere rather than the person's own homepage.
_NOT_HOMEPAGE = ("orcid.org", "scholar.google", "zbmath.org", "wikidata.org", "dblp.org", "twitter.com", "linkedin")
_XML_BUILTIN = frozenset({"amp", "lt", "gt", "quot", "apos"})
_PUBLTYPES = {"informal": ("Preprint", "Preprint"), "encyclopedia": ("Encyclopedia Entry", "Book")}


def _inline_entities() -> bytes:
    """An internal DTD subset declaring the HTML Latin-1 entities (a superset of dblp.dtd's 68)."""
    entities = html.entities.name2codepoint.items()
    declarations = "".join(f'<!ENTITY {name} "&#{code};">' for name, code in entities if name not in _XML_BUILTIN)
    return f"<!DOCTYPE dblp [{declarations}]>".encode()


class _Prefixed(io.RawIOBase):
    """A stream that yields a rewritten head, then the rest of the original stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        if self._head:
            chunk, self._head = self._head, b""
            return chunk
        return self._rest.read(size)


def _find_dtd(path: Path, options: dict[str, Any]) -> Path | None:
    if options.get("dtd"):
        dtd = Path(options["dtd"])
        if not dtd.is_file():
            raise ImportFormatError(f"{dtd}: DTD not found")
        return dtd
    beside = path.parent / "dblp.dtd"
    return beside if beside.is_file() else None


def prepared_stream(source: Source, options: dict[str, Any]) -> tuple[BinaryIO, bool]:
    """The XML with a DOCTYPE that declares DBLP's entities (the file's own inline one is kept).

    Also says whether a DTD file chosen by us (not by the XML) is to be loaded.
    """
    try:
        head = source.stream.read(_HEAD_BYTES)
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise ImportFormatError(f"{source.path}: file is truncated or corrupt ({exc})") from None
    dtd = None
    if not _INLINE_DOCTYPE_RE.search(head[:4096]):
        dtd = _find_dtd(source.path, options)
        doctype = f'<!DOCTYPE dblp SYSTEM "{dtd.resolve().as_uri()}">'.encode() if dtd else _inline_entities()
        existing = _EXTERNAL_DOCTYPE_RE.search(head[:4096])
        if existing:
            head = head[: existing.start()] + doctype + head[existing.end() :]
        else:
            declaration = _DECLARATION_RE.match(head)
            cut = declaration.end() if declaration else 0
            head = head[:cut] + doctype + head[cut:]
    return _Prefixed(head, source.stream), dtd is not None  # type: ignore[return-value]


def _text(element: etree._Element) -> str:
    """All text of an element, inline markup (<i>, <sub>) reduced to its text."""
    return clean_text("".join(element.itertext()), latex=False)


class DblpXmlImporter:
    name = "dblp-xml"

    def sniff(self, path: Path, head: bytes) -> bool:
        return _SNIFF_RE.search(head) is not None

    def read(self, source: Source, report: ImportReport, options: dict[str, Any]) -> Iterator[PaperInput | RowUpdate]:
        stream, own_dtd = prepared_stream(source, options)
        records = etree.iterparse(
            stream,
            events=("end",),
            tag=RECORD_TAGS,
            load_dtd=True,
            # The DTD file we chose is trusted (its parameter entities need full resolution); a
            # DTD inside the file is not: external entities it declares are never fetched.
            resolve_entities=True if own_dtd else "internal",
            no_network=True,
            huge_tree=True,
        )
        number = 0
        try:
            for _event, element in records:
                number += 1
                report.read += 1
                where = f"{source.path}:{element.sourceline} ({element.get('key') or 'record ' + str(number)})"
                yield from _record(element, where, report)
                _forget(element)
        except etree.XMLSyntaxError as exc:
            raise ImportFormatError(f"{source.path}: not well-formed DBLP XML ({exc})") from None
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise ImportFormatError(f"{source.path}: file is truncated or corrupt ({exc})") from None
        if number == 0:
            raise ImportFormatError(f"{source.path}: no DBLP records found (not a DBLP XML file?)")


def _forget(element: etree._Element) -> None:
    """Drop a finished record and its earlier siblings so memory stays flat."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _record(element: etree._Element, where: str, report: ImportReport) -> Iterator[PaperInput | RowUpdate]:
    key = element.get("key", "")
    if element.tag == "www":
        if key.startswith("homepages/"):
            yield from _person(element)
        return
    outcome = _paper(element, key)
    if isinstance(outcome, str):
        report.skip(where, outcome)
    else:
        yield outcome


def _person(element: etree._Element) -> Iterator[RowUpdate]:
    """A DBLP person record: homepage and ORCID for the author rows of each of its names."""
    orcid, homepage = "", ""
    for url_element in element.iterfind("url"):
        url = (url_element.text or "").strip()
        found = _ORCID_URL_RE.match(url)
        if found:
            orcid = orcid or found.group(1)
        elif url and not homepage and not any(host in url for host in _NOT_HOMEPAGE):
            homepage = url
    if not orcid and not homepage:
        return
    for author in element.iterfind("author"):
        name = _text(author)
        if name:
            yield RowUpdate(source_id="name:" + name, orcid=orcid or author.get("orcid", ""), homepage=homepage)


def _paper(element: etree._Element, key: str) -> PaperInput | str:
    fields: dict[str, str] = {}
    people: list[AuthorInput] = []
    editors: list[AuthorInput] = []
    links: list[Link] = []
    doi = ""
    for child in element:
        tag = child.tag
        if tag in ("author", "editor"):
            name = _text(child)
            if name:
                (people if tag == "author" else editors).append(AuthorInput(name, orcid=child.get("orcid", "")))
        elif tag == "ee":
            url = (child.text or "").strip()
            found_doi = doi_from_url(url)
            if found_doi:  # shown once, as the DOI link
                doi = doi or found_doi
            else:
                add_link(links, "url", url)
        elif tag == "url":
            url = (child.text or "").strip()
            add_link(links, "site", "https://dblp.org/" + url if url.startswith("db/") else url)
        elif isinstance(tag, str) and tag not in fields:  # a repeated field: the first one counts
            fields[tag] = _text(child)
    title = fields.get("title", "")
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1]  # DBLP ends every title with a period; BibTeX exports of the same record do not
    if not title:
        return "no title"
    year = None
    if "year" in fields:
        year = parse_year(fields["year"])
        if year is None:
            return "invalid year"
    shown_type, venue_kind = _PUBLTYPES.get(element.get("publtype", ""), record_type(element.tag))
    if doi:
        links.insert(0, doi_link(doi))
    venue = fields.get("booktitle") or fields.get("journal") or fields.get("series") or fields.get("school") or ""
    return PaperInput(
        title=title,
        authors=people or editors,
        venue=venue,
        venue_kind=venue_kind,
        year=year,
        type=shown_type,
        doi=doi,
        links=links,
        pages=fields.get("pages", ""),
        source="dblp",
        source_key=key,
    )
