"""JSON lines: paper-list records (papercopilot/paperlists) and OpenAlex work objects, one per line.

Each line is recognised on its own: an object with ``authorships`` is an OpenAlex work, anything
else with ``conf``/``title``/``author`` is a paper-list record. See docs/import-formats.md.
"""

from __future__ import annotations

import lzma
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from tui.errors import ImportFormatError
from tui.importers.base import ImportReport, Source
from tui.importers.records import add_link, doi_from_url, doi_link, fast_clean, parse_year
from tui.models import AuthorInput, Link, PaperInput

_SNIFF_RE = re.compile(rb'^\s*\{\s*"[^"\n]+"\s*:')
# Paper-list conference codes and the names readers know them by (as on Arrow pages: "NeurIPS").
VENUES = {
    "nips": "NeurIPS",
    "neurips": "NeurIPS",
    "siggraphasia": "SIGGRAPH Asia",
    "acmmm": "ACM MM",
    "corl": "CoRL",
    "colm": "COLM",
    "automl": "AutoML",
    "ai4x": "AI4X",
    "3dv": "3DV",
}
NOT_ACCEPTED = frozenset({"reject", "withdraw", "withdrawn", "desk reject", "desk rejected"})
_ORCID_RE = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
# OpenAlex work types and source types -> (type shown, venue kind).
_OPENALEX_SOURCE_KINDS = {
    "journal": ("Journal Article", "Journal"),
    "conference": ("Conference Paper", "Conference"),
    "repository": ("Preprint", "Preprint"),
    "book series": ("Book Chapter", "Book"),
    "ebook platform": ("Book Chapter", "Book"),
}
_OPENALEX_TYPES = {
    "preprint": ("Preprint", "Preprint"),
    "book": ("Book", "Book"),
    "book-chapter": ("Book Chapter", "Book"),
    "dissertation": ("PhD Thesis", "Thesis"),
    "proceedings-article": ("Conference Paper", "Conference"),
    "dataset": ("Dataset", "Other"),
}


def venue_name(conf: str) -> str:
    return VENUES.get(conf.lower(), conf.upper())


def split_people(value: Any) -> list[str]:
    """Paper-list author fields use ";", "; " or ", " between names (";" wins when present)."""
    if isinstance(value, list):  # some exports give a JSON list instead
        return [str(name).strip() for name in value]
    if not isinstance(value, str) or not value.strip():
        return []
    parts = value.split(";") if ";" in value else value.split(", ")
    return [part.strip() for part in parts]


def _aligned(value: Any, count: int) -> list[str]:
    """A ";"-separated per-author field, only if it lines up with the authors one to one."""
    if not isinstance(value, str) or not value.strip():
        return [""] * count
    parts = [part.strip() for part in value.split(";")]
    return parts if len(parts) == count else [""] * count


def author_source_id(raw: str) -> str:
    """OpenReview "~Name1" and ACL Anthology "/y/yankai-lin/" ids, in the store's namespaced form."""
    if raw.startswith("~"):
        return "openreview:" + raw
    if raw.startswith("/") and raw.count("/") >= 3:
        return "acl:" + raw.rstrip("/").rsplit("/", 1)[-1]
    return ""


def _orcid(raw: str) -> str:
    found = _ORCID_RE.search(raw.strip()) if raw else None
    return found.group(1) if found else ""


def _year(value: Any) -> int | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1000 <= value <= 2999 else "invalid year"
    year = parse_year(str(value))
    return year if year is not None else "invalid year"


def paper_list_record(record: dict[str, Any]) -> PaperInput | str:
    """A papercopilot paper-list record as a paper, or why it is skipped."""
    title = fast_clean(str(record.get("title") or ""), latex=False)
    if not title:
        return "no title"
    status = str(record.get("status") or "")
    if status.strip().lower() in NOT_ACCEPTED:
        return f"not accepted (status {status.strip()})"
    year = _year(record.get("year"))
    if isinstance(year, str):
        return year
    names = split_people(record.get("author"))
    ids = _aligned(record.get("authorids"), len(names))
    orcids = _aligned(record.get("orcid"), len(names))
    authors = [
        AuthorInput(fast_clean(name, latex=False), author_source_id(ids[i]), _orcid(orcids[i]))
        for i, name in enumerate(names)
        if name
    ]
    conf = str(record.get("conf") or "")
    workshop = "workshop" in status.lower() or "workshop" in str(record.get("track") or "").lower()
    links: list[Link] = []
    doi = doi_from_url(str(record.get("doi") or "")) or str(record.get("doi") or "").strip()
    if doi:
        links.append(doi_link(doi))
    for field, kind in (("site", "site"), ("pdf", "pdf"), ("github", "code"), ("project", "site")):
        if isinstance(record.get(field), str):
            add_link(links, kind, record[field])
    if isinstance(record.get("arxiv"), str) and record["arxiv"].strip():
        arxiv = record["arxiv"].strip()
        add_link(links, "url", arxiv if arxiv.startswith("http") else f"https://arxiv.org/abs/{arxiv}")
    record_id = str(record.get("id") or "")
    return PaperInput(
        title=title,
        authors=authors,
        venue=venue_name(conf) if conf else "",
        venue_kind="Workshop" if workshop else "Conference",
        year=year,
        type="Workshop Paper" if workshop else "Conference Paper",
        abstract=fast_clean(str(record.get("abstract") or ""), latex=False),
        doi=doi,
        links=links,
        source="paperlists",
        source_key=f"{conf}{year or ''}:{record_id}" if conf and record_id else "",
    )


def openalex_abstract(index: Any) -> str:
    """Rebuild an abstract from OpenAlex's inverted index ({word: [positions]})."""
    if not isinstance(index, dict):
        return ""
    placed: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions if isinstance(positions, list) else []:
            if isinstance(position, int):
                placed[position] = word
    return " ".join(placed[i] for i in sorted(placed))


def openalex_work(work: dict[str, Any]) -> PaperInput | str:
    """An OpenAlex work object as a paper, or why it is skipped."""
    title = fast_clean(str(work.get("title") or work.get("display_name") or ""), latex=False)
    if not title:
        return "no title"
    year = _year(work.get("publication_year"))
    if isinstance(year, str):
        return year
    authors = []
    for authorship in work.get("authorships") or []:
        if not isinstance(authorship, dict):
            continue
        author = authorship.get("author") or {}
        name = fast_clean(str(author.get("display_name") or authorship.get("raw_author_name") or ""), latex=False)
        if name:
            openalex_id = str(author.get("id") or "").rsplit("/", 1)[-1]
            source_id = f"openalex:{openalex_id}" if openalex_id else ""
            authors.append(AuthorInput(name, source_id, _orcid(str(author.get("orcid") or ""))))
    location = work.get("primary_location") or {}
    source = location.get("source") or {}
    shown_type, venue_kind = _OPENALEX_TYPES.get(str(work.get("type") or "")) or _OPENALEX_SOURCE_KINDS.get(
        str(source.get("type") or ""), ("Other", "Other")
    )
    doi = doi_from_url(str(work.get("doi") or "")) or str(work.get("doi") or "").strip()
    links: list[Link] = [doi_link(doi)] if doi else []
    add_link(links, "url", str(location.get("landing_page_url") or ""))
    add_link(links, "pdf", str(location.get("pdf_url") or ""))
    work_id = str(work.get("id") or "").rsplit("/", 1)[-1]
    return PaperInput(
        title=title,
        authors=authors,
        venue=fast_clean(str(source.get("display_name") or ""), latex=False),
        venue_kind=venue_kind,
        year=year,
        type=shown_type,
        abstract=fast_clean(openalex_abstract(work.get("abstract_inverted_index")), latex=False),
        doi=doi,
        links=links,
        source="openalex" if work_id else "",
        source_key=work_id,
    )


class JsonLinesImporter:
    name = "jsonl"

    def sniff(self, path: Path, head: bytes) -> bool:
        return _SNIFF_RE.match(head) is not None

    def read(self, source: Source, report: ImportReport, options: dict[str, Any]) -> Iterator[PaperInput]:
        path = source.path
        objects = 0
        try:
            for number, line in enumerate(source.stream, 1):
                if not line.strip():
                    continue
                report.read += 1
                where = f"{path}:{number}"
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    if not line.endswith(b"\n") and objects:
                        raise ImportFormatError(f"{where}: file ends inside a record (truncated?)") from None
                    if objects == 0 and number <= 3:
                        raise ImportFormatError(f"{path}: not JSON lines (line {number} is not JSON)") from None
                    report.skip(where, "invalid JSON")
                    continue
                if not isinstance(record, dict):
                    report.skip(where, "not a JSON object")
                    continue
                objects += 1
                paper = openalex_work(record) if "authorships" in record else paper_list_record(record)
                if isinstance(paper, str):
                    report.skip(where, paper)
                else:
                    yield paper
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise ImportFormatError(f"{path}: file is truncated or corrupt ({exc})") from None
