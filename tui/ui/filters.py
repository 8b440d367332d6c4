"""Filtering and sorting a cluster's papers (plain Python, so it is easy to test)."""

from __future__ import annotations

from dataclasses import dataclass

from tui.models import Paper

SORTS = ("year", "title", "venue")


@dataclass(frozen=True)
class PaperFilter:
    """Which papers to show: a year range and case-insensitive substrings of venue and type."""

    year_from: int | None = None
    year_to: int | None = None
    venue: str = ""
    type: str = ""

    @property
    def active(self) -> bool:
        return self != PaperFilter()

    def matches(self, paper: Paper) -> bool:
        year = paper.get("year")
        if self.year_from is not None and (year is None or year < self.year_from):
            return False
        if self.year_to is not None and (year is None or year > self.year_to):
            return False
        if self.venue and self.venue.casefold() not in (paper.get("venue") or "").casefold():
            return False
        return not (self.type and self.type.casefold() not in (paper.get("type") or "").casefold())

    def describe(self) -> str:
        parts = []
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"years {self.year_from or '…'}–{self.year_to or '…'}")
        if self.venue:
            parts.append(f"venue ~ {self.venue}")
        if self.type:
            parts.append(f"type ~ {self.type}")
        return ", ".join(parts) or "none"


def sort_papers(papers: list[Paper], by: str, descending: bool) -> list[Paper]:
    """Sorted copy; papers missing the sort field go last whichever the direction."""
    if by == "year":
        known = [p for p in papers if p.get("year")]
        unknown = [p for p in papers if not p.get("year")]
        return sorted(known, key=lambda p: p["year"] or 0, reverse=descending) + unknown
    field = "title" if by == "title" else "venue"
    known = [p for p in papers if p.get(field)]
    unknown = [p for p in papers if not p.get(field)]
    return sorted(known, key=lambda p: (p.get(field) or "").casefold(), reverse=descending) + unknown


def apply(papers: list[Paper], paper_filter: PaperFilter, by: str, descending: bool) -> list[Paper]:
    return sort_papers([p for p in papers if paper_filter.matches(p)], by, descending)


def parse_year(text: str) -> int | None:
    """A year typed by the user, or None when the field is empty; ValueError on anything else."""
    text = text.strip()
    if not text:
        return None
    year = int(text)
    if not 0 < year < 10_000:
        raise ValueError(f"not a year: {text}")
    return year
