"""Rich ``Text`` for everything that comes from the store.

Every string from the store goes through ``safe_line``/``safe_text`` (control characters removed)
and into a ``Text`` object (never parsed as markup), so titles such as ``[@click=app.quit]`` or
``[/i]`` are shown literally and trigger nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from rich.text import Text

from tui.models import ClusterHit, Paper, TitleHit
from tui.textsafe import safe_line, safe_text

MAX_AUTHORS_IN_LIST = 8
GROUP_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def year_span(first: int | None, last: int | None) -> str:
    if not first:
        return "no year"
    return str(first) if first == last or not last else f"{first}–{last}"


def paper_years(papers: Iterable[Paper]) -> tuple[int | None, int | None]:
    years = [p["year"] for p in papers if p.get("year")]
    return (min(years), max(years)) if years else (None, None)


def group_label(index: int) -> str:
    return GROUP_LETTERS[index] if index < len(GROUP_LETTERS) else str(index + 1)


def hit_prompt(hit: ClusterHit) -> Text:
    return Text.assemble(
        (safe_line(hit.name) or "(no name)", "bold"),
        (
            f"  {hit.papers} paper{'s' * (hit.papers != 1)} · {hit.author_rows} author row"
            f"{'s' * (hit.author_rows != 1)} · {year_span(hit.year_min, hit.year_max)} · {hit.tier}",
            "dim",
        ),
    )


def title_prompt(hit: TitleHit) -> Text:
    return Text.assemble(
        (f"{hit.year or '----'}  ", "dim"),
        safe_line(hit.title) or "(untitled)",
        (f"  {safe_line(hit.venue)}" if hit.venue else "", "dim"),
    )


def paper_meta(paper: Paper) -> str:
    parts = [
        safe_line(paper.get("venue")) or "no venue",
        safe_line(paper.get("venue_kind")),
        str(paper.get("year") or "no year"),
        safe_line(paper.get("type")),
    ]
    return " · ".join(p for p in parts if p)


def author_names(paper: Paper, limit: int | None = MAX_AUTHORS_IN_LIST) -> str:
    names = [safe_line(ref.get("name")) for ref in paper.get("authors", []) or []]
    if not names:
        return "no authors listed"
    if limit is not None and len(names) > limit:
        return ", ".join(names[:limit]) + f", … ({len(names)} authors)"
    return ", ".join(names)


def paper_lines(paper: Paper, group: str | None = None, apart: bool = False) -> list[Text]:
    """Three lines: venue · year · type (and identity group), title, authors."""
    meta = Text(paper_meta(paper), style="dim")
    if group is not None:
        meta.append(f"   group {group}", style="bold")
        if apart:
            meta.append(" · no shared co-author", style="bold italic")
    title = Text(safe_line(paper.get("title")) or "(untitled)", style="bold")
    return [meta, title, Text(author_names(paper), style="italic")]


def rows_text(rows: list[dict[str, Any]]) -> Text:
    text = Text()
    if not rows:
        return Text("No author rows.", style="dim")
    for row in rows:
        text.append(safe_line(row.get("name")) or "(no name)", style="bold")
        text.append(f"  suffix {safe_line(row.get('suffix')) or '—'}")
        text.append(f"  ORCID {safe_line(row.get('orcid')) or '—'}")
        papers = row.get("papers", 0)
        span = year_span(row.get("year_min"), row.get("year_max"))
        text.append(f"\n  {papers} paper{'s' * (papers != 1)} · {span}\n")
    text.rstrip()
    return text


def identities_text(groups: list[dict[str, Any]]) -> Text:
    if len(groups) <= 1:
        return Text("All papers are linked (shared co-authors, identifiers or venues): one group.", style="dim")
    text = Text(
        "Papers linked by shared co-authors, identifiers or venues; separate groups are probably different people.\n",
        style="dim",
    )
    for index, group in enumerate(groups):
        years = group.get("years")
        text.append(f"\nGroup {group_label(index)}", style="bold")
        text.append(f" · {group['papers']} paper{'s' * (group['papers'] != 1)} · {year_span(*(years or [None, None]))}")
        if group.get("top_venues"):
            text.append(" · " + ", ".join(safe_line(v) for v in group["top_venues"]))
        text.append(f"\n  {safe_line(group.get('evidence'))}", style="italic")
        if group.get("top_coauthors"):
            text.append("\n  with " + ", ".join(safe_line(n) for n in group["top_coauthors"]))
    return text


def year_chart(papers: Iterable[Paper], bar_width: int = 20) -> Text:
    """Papers per year as horizontal bars, oldest first; years without papers inside the span shown empty."""
    counts = Counter(p["year"] for p in papers if p.get("year"))
    if not counts:
        return Text("No papers with a year.", style="dim")
    first, last = min(counts), max(counts)
    years = range(first, last + 1) if last - first <= 80 else sorted(counts)
    peak = max(counts.values())
    text = Text()
    for year in years:
        count = counts.get(year, 0)
        bar = "█" * max(1 if count else 0, round(count / peak * bar_width))
        text.append(f"{year} ")
        text.append(bar, style="bold")
        text.append(f" {count}\n" if count else "\n")
    text.rstrip()
    return text


def abstract_text(paper: Paper) -> Text:
    abstract = safe_text(paper.get("abstract")).strip()
    return Text(abstract) if abstract else Text("No abstract in the store.", style="dim italic")
