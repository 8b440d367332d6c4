"""ACL Anthology XML: volume files (``P19.xml``, ``2021.acl.xml``) or a ``.tar``/``.tar.xz`` of them.

Authors are ``<first>``/``<last>``; an author ``id`` attribute is the Anthology's own disambiguation
and becomes the author row (``yang-liu-ict`` and ``yang-liu-icsi`` are two rows of "Yang Liu").
When ``name_variants.yaml`` is present (in the archive, beside the file or in ``../yaml/``), a
variant spelling is shown as its canonical name, and a name with exactly one id gets that id.
"""

from __future__ import annotations

import lzma
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml
from lxml import etree

from tui.errors import ImportFormatError
from tui.importers.base import ImportReport, Source
from tui.importers.records import doi_link
from tui.models import AuthorInput, Link, PaperInput
from tui.names import clean_text

_SNIFF_RE = re.compile(rb"<collection\s+id=")
# Old-style collection letters (P19) and the venue each stands for, if venues.yaml is absent.
_LETTERS = {
    "P": "ACL",
    "N": "NAACL",
    "D": "EMNLP",
    "E": "EACL",
    "C": "COLING",
    "Q": "TACL",
    "J": "CL",
    "K": "CoNLL",
    "S": "SemEval",
    "L": "LREC",
    "I": "IJCNLP",
    "H": "HLT",
    "A": "ANLP",
}
_JOURNALS = frozenset({"CL", "TACL"})
Name = tuple[str, str]


@dataclass
class NameVariants:
    """What name_variants.yaml says: canonical spellings, and the id of names that have only one."""

    canonical: dict[Name, Name] = field(default_factory=dict)
    only_id: dict[Name, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: bytes | str, where: str) -> NameVariants:
        try:
            entries = yaml.safe_load(text) or []
        except yaml.YAMLError as exc:
            raise ImportFormatError(f"{where}: invalid name_variants.yaml ({str(exc).splitlines()[0]})") from None
        variants = cls()
        ids: dict[Name, set[str]] = {}
        for entry in entries if isinstance(entries, list) else []:
            canonical = _yaml_name(entry.get("canonical")) if isinstance(entry, dict) else None
            if canonical is None:
                continue
            names = [canonical, *filter(None, map(_yaml_name, entry.get("variants") or []))]
            for name in names:
                variants.canonical.setdefault(name, canonical)
                ids.setdefault(name, set()).add(str(entry.get("id") or ""))
        variants.only_id = {
            name: next(iter(found)) for name, found in ids.items() if len(found) == 1 and "" not in found
        }
        return variants


def _yaml_name(value: Any) -> Name | None:
    if not isinstance(value, dict):
        return None
    return (str(value.get("first") or ""), str(value.get("last") or ""))


@dataclass
class VolumeContext:
    """Venue names from venues.yaml and the name variants, shared by every volume of an import."""

    venues: dict[str, str] = field(default_factory=dict)  # venue id or old-style letter -> acronym
    variants: NameVariants = field(default_factory=NameVariants)

    def load_venues(self, text: bytes | str) -> None:
        data = yaml.safe_load(text) or {}
        for venue_id, info in data.items() if isinstance(data, dict) else []:
            if isinstance(info, dict) and info.get("acronym"):
                self.venues[str(venue_id)] = str(info["acronym"])
                if info.get("oldstyle_letter"):
                    self.venues[str(info["oldstyle_letter"])] = str(info["acronym"])


def _mixed_text(element: etree._Element) -> str:
    """Text with <fixed-case> kept as its letters and <tex-math> decoded from LaTeX."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "tex-math":
            parts.append(clean_text("".join(child.itertext()), latex=True))
        elif isinstance(child.tag, str):
            parts.append(_mixed_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class AclImporter:
    name = "acl"

    def sniff(self, path: Path, head: bytes) -> bool:
        return _SNIFF_RE.search(head) is not None or head[257:262] == b"ustar"

    def read(self, source: Source, report: ImportReport, options: dict[str, Any]) -> Iterator[PaperInput]:
        head = source.head(512)
        if head[257:262] == b"ustar":
            yield from self._archive(source, report)
            return
        context = VolumeContext()
        for folder in (source.path.parent, source.path.parent.parent / "yaml"):
            if (folder / "name_variants.yaml").is_file():
                where = str(folder / "name_variants.yaml")
                context.variants = NameVariants.parse((folder / "name_variants.yaml").read_bytes(), where)
                if (folder / "venues.yaml").is_file():
                    context.load_venues((folder / "venues.yaml").read_bytes())
                break
        yield from _volume_file(source.stream, str(source.path), context, report)

    def _archive(self, source: Source, report: ImportReport) -> Iterator[PaperInput]:
        """Two passes over the archive: the YAML comes after the XML in a path-ordered tar."""
        context = VolumeContext()
        for member, handle in _tar_members(source.path):
            name = member.name.rsplit("/", 1)[-1]
            if name == "name_variants.yaml":
                context.variants = NameVariants.parse(handle.read(), f"{source.path}:{member.name}")
            elif name == "venues.yaml":
                context.load_venues(handle.read())
        volumes = 0
        for member, handle in _tar_members(source.path, stream=source.stream):
            if member.name.endswith(".xml"):
                volumes += 1
                yield from _volume_file(handle, f"{source.path}:{member.name}", context, report)
        if volumes == 0:
            raise ImportFormatError(f"{source.path}: no ACL Anthology XML volume files in the archive")


def _tar_members(path: Path, stream: IO[bytes] | None = None) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    try:
        with tarfile.open(fileobj=stream, mode="r|") if stream else tarfile.open(path, mode="r|*") as archive:
            for member in archive:
                if member.isfile():
                    handle = archive.extractfile(member)
                    if handle is not None:
                        yield member, handle
    except (tarfile.TarError, OSError, EOFError, lzma.LZMAError) as exc:
        raise ImportFormatError(f"{path}: archive is truncated or corrupt ({exc})") from None


def _volume_file(stream: IO[bytes], where: str, context: VolumeContext, report: ImportReport) -> Iterator[PaperInput]:
    try:
        tree = etree.parse(stream, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"{where}: not well-formed ACL Anthology XML ({exc})") from None
    collection = tree.getroot()
    if collection.tag != "collection":
        raise ImportFormatError(f"{where}: not an ACL Anthology volume file (root is <{collection.tag}>)")
    collection_id = collection.get("id", "")
    for volume in collection.iterfind("volume"):
        meta = volume.find("meta")
        year_text = meta.findtext("year", "") if meta is not None else ""
        booktitle = (
            clean_text(_mixed_text(meta.find("booktitle")), latex=False)
            if meta is not None and meta.find("booktitle") is not None
            else ""
        )
        venue = _venue(collection_id, context) or booktitle
        for paper in volume.iterfind("paper"):
            report.read += 1
            outcome = _paper(paper, collection_id, volume.get("id", ""), year_text, venue, context)
            if isinstance(outcome, str):
                report.skip(f"{where}:{paper.sourceline}", outcome)
            else:
                yield outcome


def _venue(collection_id: str, context: VolumeContext) -> str:
    if "." in collection_id:  # new style: 2021.acl, 2020.findings
        venue_id = collection_id.split(".", 1)[1]
        return context.venues.get(venue_id, venue_id.upper())
    letter = collection_id[:1]
    if letter == "W":
        return ""  # old-style workshops: the volume's booktitle names the workshop
    return context.venues.get(letter) or _LETTERS.get(letter, "")


def _author(element: etree._Element, context: VolumeContext) -> AuthorInput | None:
    first = clean_text(_mixed_text(element.find("first")) if element.find("first") is not None else "", latex=False)
    last = clean_text(_mixed_text(element.find("last")) if element.find("last") is not None else "", latex=False)
    if not first and not last:
        return None
    canonical = context.variants.canonical.get((first, last), (first, last))
    author_id = element.get("id") or context.variants.only_id.get((first, last), "")
    return AuthorInput(
        clean_text(f"{canonical[0]} {canonical[1]}", latex=False), f"acl:{author_id}" if author_id else ""
    )


def _paper(
    paper: etree._Element, collection_id: str, volume_id: str, year_text: str, venue: str, context: VolumeContext
) -> PaperInput | str:
    title_element = paper.find("title")
    title = clean_text(_mixed_text(title_element), latex=False) if title_element is not None else ""
    if not title:
        return "no title"
    year_text = paper.findtext("year", year_text).strip()
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    if year_text and year is None:
        return "invalid year"
    authors = [a for a in (_author(e, context) for e in paper.iterfind("author")) if a]
    anthology_id = (paper.findtext("url") or "").strip()
    if not anthology_id.startswith("http") and anthology_id:
        url = f"https://aclanthology.org/{anthology_id}"
    else:
        url = anthology_id
        anthology_id = f"{collection_id}-{volume_id}.{paper.get('id', '')}"
    doi = (paper.findtext("doi") or "").strip()
    links: list[Link] = [doi_link(doi)] if doi else []
    if url:
        links.append({"kind": "url", "url": url})
        links.append({"kind": "pdf", "url": url + ".pdf"})
    abstract = paper.find("abstract")
    journal = venue in _JOURNALS
    workshop = collection_id.startswith("W")
    return PaperInput(
        title=title,
        authors=authors,
        venue=venue,
        venue_kind="Journal" if journal else "Workshop" if workshop else "Conference",
        year=year,
        type="Journal Article" if journal else "Workshop Paper" if workshop else "Conference Paper",
        abstract=clean_text(_mixed_text(abstract), latex=False) if abstract is not None else "",
        doi=doi,
        links=links,
        pages=(paper.findtext("pages") or "").replace("\u2013", "-").strip(),
        source="acl",
        source_key=anthology_id,
    )
