"""Identity hints: which papers of a name cluster probably belong to the same person.

A cluster is everyone who writes one name; this module splits its papers into probable people.
Evidence, strongest first:

1. Explicit identities of the cluster's own author rows: an ORCID, a source id such as
   ``acl:yang-liu-ict``, or a DBLP homonym suffix ("Yang Liu 0003"). Papers on one identity are
   linked; two different identities from the same source are never merged (a "cannot link").
2. Shared co-authors, compared by cluster key (suffixes do not matter), each weighted by how
   rare the co-author's name is. A rare co-author links two papers on its own; a very common
   one ("Wei Wang") only counts for part of a link. How common a name is comes from
   ``name_sizes`` (papers per cluster key in the whole library) when the caller has it, else
   from the shape of the name (short two-part names are shared by many people).
3. The same venue: in a small cluster (up to 100 papers, or 300 when the cluster's own name is
   not a common one) it links two papers on its own (measured on DBLP: 96-97% of such pairs are
   one person); in bigger clusters it only adds to co-author evidence.
4. Groups compared as wholes: co-authors and venues summed over all their papers, so several
   weak agreements can merge two groups that no single pair of papers links.

Precision matters more than recall (splitting one person in two is better than merging two
people): the weights and thresholds were chosen on real ground truth (``docs/identities.md``).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from tui.models import ClusterPage, Paper

NameSizes = Callable[[str], int | None]

# Paper pairs (and, in the second stage, groups) whose summed evidence reaches this are linked.
LINK_SCORE = 1.0
# A co-author name on more papers than this counts for less than a whole link.
COMMON_NAME_PAPERS = 600
# The same venue links two papers alone in clusters up to this size; beyond, its weight
# shrinks with the square root of the cluster's size, since more people share the name.
VENUE_WEIGHT = 1.0
VENUE_ALONE_PAPERS = 100
# ... and up to this size when the cluster's own name is not a common one.
DISTINCT_VENUE_ALONE_PAPERS = 300
# A common co-author name on more papers of the cluster than this adds nothing to paper pairs
# (it would cost n² work and say little); it still counts between groups in the second stage.
PAIR_POSTINGS_CAP = 100
# Second stage: groups compared by all their co-authors and venues, a few rounds.
PROFILE_ROUNDS = 2
PROFILE_VENUE_WEIGHT = 0.5
# A co-author or venue shared by more groups than this is no evidence between any two of them.
PROFILE_HUB_GROUPS = 50


def coauthor_components(coauthor_keys: Sequence[set[str]]) -> list[list[int]]:
    """Groups of paper positions connected through any shared co-author, largest first."""
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


class _Groups:
    """Union-find over paper positions that refuses merges two explicit identities forbid."""

    def __init__(self, identities: list[dict[str, set[str]]]) -> None:
        self.parent = list(range(len(identities)))
        self.identities = identities  # per root: namespace ("acl", "dblp", "orcid") -> ids
        self.links: list[Counter[str]] = [Counter() for _ in identities]  # per root: link kinds

    def root(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int, kind: str) -> bool:
        a, b = self.root(a), self.root(b)
        if a == b:
            return False
        left, right = self.identities[a], self.identities[b]
        if any(right.get(ns) and right[ns].isdisjoint(ids) for ns, ids in left.items()):
            return False
        self.parent[b] = a
        for namespace, ids in right.items():
            left.setdefault(namespace, set()).update(ids)
        self.links[a].update(self.links[b])
        self.links[a][kind] += 1
        return True

    def members(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for position in range(len(self.parent)):
            found[self.root(position)].append(position)
        return found


def name_weight(key: str, name_sizes: NameSizes | None) -> float:
    """How much one shared co-author called ``key`` says that two papers are by one person."""
    papers = name_sizes(key) if name_sizes else None
    if papers is None:
        papers = _guess_name_size(key)
    if papers <= COMMON_NAME_PAPERS:
        return 1.0
    return 1.0 / (1.0 + math.log2(papers / COMMON_NAME_PAPERS))


def _guess_name_size(key: str) -> int:
    """A rough paper count for a name from its shape, when the library's counts are not at hand."""
    parts = key.replace("-", " ").split()
    if len(parts) == 2 and all(len(part) <= 4 for part in parts):
        return 1000  # "wei wang", "li li": shared by very many people
    return 100


def venue_weight(cluster_papers: int, common_name: bool, base: float = VENUE_WEIGHT) -> float:
    """What one shared venue says; less in big clusters of a common name, where many people meet."""
    alone = VENUE_ALONE_PAPERS if common_name else DISTINCT_VENUE_ALONE_PAPERS
    return base * min(1.0, math.sqrt(alone / max(cluster_papers, 1)))


def is_common_name(key: str, name_sizes: NameSizes | None = None) -> bool:
    """Whether a name is likely shared by several people in this library."""
    return name_weight(key, name_sizes) < 1.0


def _row_identities(rows: Sequence[dict[str, Any]]) -> dict[int, dict[str, str]]:
    """Explicit identities of author rows: namespace -> id (plain name rows have none)."""
    found: dict[int, dict[str, str]] = {}
    for row in rows:
        ids: dict[str, str] = {}
        if row.get("orcid"):
            ids["orcid"] = row["orcid"]
        for source_id in row.get("source_ids", []):
            namespace, _, value = source_id.partition(":")
            if namespace == "name":
                if row.get("suffix"):
                    ids["dblp"] = row["suffix"]
            elif value:
                ids[namespace] = value
        if ids:
            found[row["id"]] = ids
    return found


def _own_identities(page: ClusterPage) -> list[dict[str, set[str]]]:
    """Per paper: the explicit identities of the author rows this cluster's name points at."""
    row_ids = _row_identities(page.rows)
    result = []
    for paper in page.papers:
        mine: dict[str, set[str]] = {}
        for ref in paper.get("authors", []):
            if ref.get("key") == page.key:
                for namespace, value in row_ids.get(ref.get("row", -1), {}).items():
                    mine.setdefault(namespace, set()).add(value)
        result.append(mine)
    return result


def _coauthors(page: ClusterPage) -> list[set[str]]:
    return [
        {ref["key"] for ref in p.get("authors", []) if ref.get("key") and ref["key"] != page.key} for p in page.papers
    ]


def group_positions(page: ClusterPage, name_sizes: NameSizes | None = None) -> list[list[int]]:
    """Positions of ``page.papers`` grouped into probable identities, largest group first."""
    groups, _coauthor_keys = _group(page, name_sizes)
    return sorted(groups.members().values(), key=lambda g: (-len(g), g[0]))


def _group(page: ClusterPage, name_sizes: NameSizes | None) -> tuple[_Groups, list[set[str]]]:
    identities = _own_identities(page)
    coauthors = _coauthors(page)
    groups = _Groups(identities)
    _link_explicit(groups, identities)
    common_name = is_common_name(page.key, name_sizes)
    _link_papers(groups, page.papers, coauthors, name_sizes, common_name)
    for _round in range(PROFILE_ROUNDS):
        if not _link_profiles(groups, page.papers, coauthors, name_sizes, common_name):
            break
    return groups, coauthors


def _link_explicit(groups: _Groups, identities: list[dict[str, set[str]]]) -> None:
    first_with: dict[tuple[str, str], int] = {}
    for position, mine in enumerate(identities):
        for namespace, values in list(mine.items()):
            for value in values:
                groups.union(first_with.setdefault((namespace, value), position), position, namespace)


def _link_papers(
    groups: _Groups,
    papers: Sequence[Paper],
    coauthors: list[set[str]],
    name_sizes: NameSizes | None,
    common_name: bool,
) -> None:
    """Link paper pairs whose weighted shared co-authors, plus a shared venue, reach LINK_SCORE."""
    pair_score: dict[tuple[int, int], float] = defaultdict(float)
    postings: dict[str, list[int]] = defaultdict(list)
    for position, keys in enumerate(coauthors):
        for key in keys:
            postings[key].append(position)
    for key, positions in postings.items():
        if len(positions) < 2:
            continue
        weight = name_weight(key, name_sizes)
        if weight >= LINK_SCORE:
            # Links every pair on its own: chaining is the same grouping without scoring n² pairs.
            for position in positions[1:]:
                groups.union(positions[0], position, "coauthor")
        elif len(positions) <= PAIR_POSTINGS_CAP:
            _add_pairs(pair_score, positions, weight)
    venues = [p.get("venue", "") for p in papers]
    same_venue = venue_weight(len(papers), common_name)
    if same_venue >= LINK_SCORE:
        # A small cluster: a venue links on its own, so its papers are chained without scoring pairs.
        _link_venues(groups, papers)
    else:
        for pair in pair_score:
            if venues[pair[0]] and venues[pair[0]] == venues[pair[1]]:
                pair_score[pair] += same_venue
    # Strongest links first, so a forbidden merge is refused where the evidence is weakest.
    for _score, a, b in sorted(((s, a, b) for (a, b), s in pair_score.items() if s >= LINK_SCORE), reverse=True):
        groups.union(a, b, "coauthor")


def _link_venues(groups: _Groups, papers: Sequence[Paper]) -> None:
    """Chain the papers of each venue (a year window was measured too: it lost more than it saved)."""
    first_at: dict[str, int] = {}
    for position, paper in enumerate(papers):
        if paper.get("venue"):
            groups.union(first_at.setdefault(paper["venue"], position), position, "venue")


def _add_pairs(pair_score: dict[tuple[int, int], float], positions: list[int], weight: float) -> None:
    for i, a in enumerate(positions):
        for b in positions[i + 1 :]:
            pair_score[a, b] += weight


def _link_profiles(
    groups: _Groups,
    papers: Sequence[Paper],
    coauthors: list[set[str]],
    name_sizes: NameSizes | None,
    common_name: bool,
) -> bool:
    """Merge groups whose co-authors and venues, summed over all their papers, reach LINK_SCORE."""
    by_coauthor: dict[str, list[int]] = defaultdict(list)
    venues_of: dict[int, set[str]] = {}
    for root, positions in groups.members().items():
        for key in {k for i in positions for k in coauthors[i]}:
            by_coauthor[key].append(root)
        venues_of[root] = {papers[i]["venue"] for i in positions if papers[i].get("venue")}
    pair_score: dict[tuple[int, int], float] = defaultdict(float)
    for key, roots in by_coauthor.items():
        if 1 < len(roots) <= PROFILE_HUB_GROUPS:
            _add_pairs(pair_score, roots, name_weight(key, name_sizes))
    # Venues only strengthen group pairs that already share a co-author: enumerating every pair
    # of groups at a big venue would cost more than it finds.
    per_venue = venue_weight(len(papers), common_name, PROFILE_VENUE_WEIGHT)
    for pair in pair_score:
        pair_score[pair] += per_venue * len(venues_of[pair[0]] & venues_of[pair[1]])
    merged = False
    for _score, a, b in sorted(((s, a, b) for (a, b), s in pair_score.items() if s >= LINK_SCORE), reverse=True):
        merged |= groups.union(a, b, "profile")
    return merged


def identity_groups(page: ClusterPage, name_sizes: NameSizes | None = None) -> list[dict[str, Any]]:
    """Probable identities inside a cluster page, largest first, each with its papers and evidence.

    ``name_sizes(key)`` may give the number of papers in the library written by a co-author's
    name (its cluster size); without it, how common a name is is guessed from its shape.
    """
    groups, coauthors = _group(page, name_sizes)
    members = sorted(groups.members().items(), key=lambda item: (-len(item[1]), item[1][0]))
    groups_with: Counter[str] = Counter(
        k for _root, positions in members for k in {k for i in positions for k in coauthors[i]}
    )
    names = {ref["key"]: ref["name"] for p in page.papers for ref in p.get("authors", [])}
    result = []
    for root, positions in members:
        papers = [page.papers[i] for i in positions]
        shared = Counter(k for i in positions for k in coauthors[i])
        overlap = sorted(k for k in shared if groups_with[k] > 1)
        result.append(
            _describe(papers, shared, names, groups.links[root], groups.identities[root], overlap, len(members))
        )
    return result


def _most_common(counts: Counter[str], n: int) -> list[tuple[str, int]]:
    """Counter.most_common with ties broken by key: the same output in every process."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]


def _describe(
    papers: list[Paper],
    shared: Counter[str],
    names: dict[str, str],
    links: Counter[str],
    identities: dict[str, set[str]],
    overlap: list[str],
    group_count: int,
) -> dict[str, Any]:
    years = [p["year"] for p in papers if p.get("year")]
    venues = Counter(p.get("venue", "") for p in papers if p.get("venue"))
    top = [names[k] for k, n in _most_common(shared, 5) if n > 1 or len(papers) == 1]
    explicit = sorted(f"{ns}:{value}" for ns, values in identities.items() for value in values)
    return {
        "paper_ids": [p["id"] for p in papers],
        "papers": len(papers),
        "years": [min(years), max(years)] if years else None,
        "top_venues": [v for v, _ in _most_common(venues, 3)],
        "top_coauthors": top,
        "explicit_ids": explicit,
        "links": dict(sorted(links.items())),
        "coauthors_shared_with_other_groups": [names[k] for k in overlap[:5]],
        "evidence": _evidence(len(papers), links, explicit, overlap, names, group_count),
    }


def _evidence(
    paper_count: int,
    links: Counter[str],
    explicit: list[str],
    overlap: list[str],
    names: dict[str, str],
    group_count: int,
) -> str:
    """One sentence a reader can check: what holds the group together and what keeps it apart."""
    parts = []
    if explicit:
        parts.append("identified as " + ", ".join(explicit[:3]))
    if paper_count > 1:
        kinds = {"coauthor": "shared co-authors", "venue": "a shared venue", "profile": "co-authors and venues overall"}
        held = [kinds[k] for k in ("coauthor", "profile", "venue") if links.get(k)]
        if held:
            parts.append(f"{paper_count} papers linked by " + ", ".join(held))
    if group_count > 1:
        if overlap:
            parts.append(
                "shares only " + ", ".join(names[k] for k in overlap[:3]) + " with other groups: too little to merge"
            )
        else:
            parts.append("shares no co-author with the cluster's other groups")
    return "; ".join(parts) or "the only group in this cluster"
