"""Identity hints: which papers of a name cluster probably belong to the same person.

The core signal is co-authorship: papers that share a co-author (compared by cluster key, so
homonym suffixes do not matter) are linked, and linked papers form one group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from tui.models import ClusterPage


def coauthor_components(coauthor_keys: Sequence[set[str]]) -> list[list[int]]:
    """Groups of paper positions connected through shared co-authors, largest first."""
    parent = list(range(len(coauthor_keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_seen: dict[str, int] = {}
    for position, keys in enumerate(coauthor_keys):
        for key in keys:
            other = first_seen.setdefault(key, position)
            parent[root(position)] = root(other)
    groups: dict[int, list[int]] = {}
    for position in range(len(coauthor_keys)):
        groups.setdefault(root(position), []).append(position)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def identity_groups(page: ClusterPage) -> list[dict[str, Any]]:
    """Probable identities inside a cluster page, each with its papers and the evidence for it."""
    own = page.key
    coauthors = [{ref["key"] for ref in p.get("authors", []) if ref.get("key") != own} for p in page.papers]
    groups = []
    for positions in coauthor_components(coauthors):
        papers = [page.papers[i] for i in positions]
        years = [p["year"] for p in papers if p.get("year")]
        venues = Counter(p.get("venue", "") for p in papers if p.get("venue"))
        shared = Counter(k for i in positions for k in coauthors[i])
        names = {ref["key"]: ref["name"] for p in papers for ref in p.get("authors", [])}
        groups.append(
            {
                "paper_ids": [p["id"] for p in papers],
                "papers": len(papers),
                "years": [min(years), max(years)] if years else None,
                "top_venues": [v for v, _ in venues.most_common(3)],
                "top_coauthors": [names[k] for k, n in shared.most_common(5) if n > 1 or len(papers) == 1],
                "evidence": _evidence(len(papers), shared),
            }
        )
    return groups


def _evidence(paper_count: int, shared: Counter[str]) -> str:
    if paper_count == 1:
        return "shares no co-author with the cluster's other papers"
    repeated = sum(1 for n in shared.values() if n > 1)
    return f"{paper_count} papers linked through {repeated} shared co-authors"
