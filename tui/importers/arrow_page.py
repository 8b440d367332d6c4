"""The "Arrow cluster page" text format: a saved author-name cluster page (see the seed page).

The page states the cluster's name, its paper count and its author-row count, then each paper as
a header line ("NeurIPS Conference 2025 Conference Paper"), a title, bullet lines of authors and
an abstract. The page does not say which paper belongs to which author row, so papers of the
page's own name are given rows by co-author groups, as many as the page declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tui.identities import coauthor_components
from tui.importers.base import ImportReport, Source
from tui.models import AuthorInput, PaperInput
from tui.names import clean_text, parse_name

_HEADER_RE = re.compile(
    r"^(?P<venue>.+?) (?P<kind>Conference|Journal|Workshop|Book|Thesis|Preprint|Other) "
    r"(?P<year>\d{4}) (?P<type>[A-Z][\w ]+)$"
)
_BULLET_RE = re.compile(r"^\s*[•*\-]\s+(?P<name>.+?)\s*$")
_COUNT_RE = re.compile(r"^(\d+) (papers?|author rows?)$")
_MAGIC = "Author name cluster"


class ArrowPageImporter:
    name = "arrow-page"

    def sniff(self, path: Path, head: bytes) -> bool:
        return _MAGIC.encode() in head[:400]

    def read(self, source: Source, report: ImportReport, options: dict[str, Any]) -> Iterator[PaperInput]:
        lines = [line.rstrip("\n") for line in source.text_lines()]
        subject, declared_rows = self._header(lines, source.path)
        papers = list(self._papers(lines, source.path, report))
        yield from self._assign_rows(papers, subject, declared_rows)

    @staticmethod
    def _header(lines: list[str], path: Path) -> tuple[str, int]:
        from tui.errors import ImportFormatError

        try:
            start = next(i for i, line in enumerate(lines) if line.strip() == _MAGIC)
            subject = next(line.strip() for line in lines[start + 1 :] if line.strip())
        except StopIteration:
            raise ImportFormatError(f"{path}: not an Arrow cluster page (no '{_MAGIC}' heading)") from None
        rows = 1
        for line in lines[:60]:
            match = _COUNT_RE.match(line.strip())
            if match and match.group(2).startswith("author"):
                rows = int(match.group(1))
        return clean_text(subject, latex=False), rows

    @staticmethod
    def _papers(lines: list[str], path: Path, report: ImportReport) -> Iterator[PaperInput]:
        i = 0
        while i < len(lines):
            header = _HEADER_RE.match(lines[i].strip())
            if not header:
                i += 1
                continue
            record_line = i + 1
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            title = clean_text(lines[i], latex=False) if i < len(lines) else ""
            i += 1
            authors: list[AuthorInput] = []
            body: list[str] = []
            while i < len(lines) and not _HEADER_RE.match(lines[i].strip()):
                bullet = _BULLET_RE.match(lines[i])
                if bullet and not body:
                    authors.append(AuthorInput(clean_text(bullet.group("name"), latex=False)))
                elif lines[i].strip() or body:
                    body.append(lines[i].strip())
                i += 1
            report.read += 1
            if not title:
                report.skip(f"{path}:{record_line}", "no title")
                continue
            abstract = "\n\n".join(p for p in (clean_text(x, latex=False) for x in "\n".join(body).split("\n\n")) if p)
            yield PaperInput(
                title=title,
                authors=authors,
                venue=header["venue"],
                venue_kind=header["kind"],
                year=int(header["year"]),
                type=header["type"].strip(),
                abstract=abstract,
                source="arrow-page",
                source_key="",
            )

    @staticmethod
    def _assign_rows(papers: list[PaperInput], subject: str, declared_rows: int) -> Iterator[PaperInput]:
        subject_key = parse_name(subject).key
        coauthors = [{parse_name(a.name).key for a in p.authors} - {subject_key} for p in papers]
        groups = coauthor_components(coauthors)
        row_of_paper: dict[int, int] = {}
        for row, group in enumerate(groups):
            for position in group:
                # Groups beyond the declared row count join the last declared row.
                row_of_paper[position] = min(row, declared_rows - 1)
        slug = re.sub(r"\W+", "-", subject_key).strip("-")
        for position, paper in enumerate(papers):
            row_id = f"arrow-page:{slug}#{row_of_paper[position] + 1}"
            paper.authors = [
                author._replace(source_id=row_id) if parse_name(author.name).key == subject_key else author
                for author in paper.authors
            ]
            yield paper
