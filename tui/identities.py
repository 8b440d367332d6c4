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
   weak agreements can merge two groups that no single pair of papers links; then the cosine
   similarity of the groups' co-author circles and (with library evidence) of their titles.
5. With library evidence, in clusters up to 300 papers: every pair of groups left is scored by a
   logistic model over all of the above at once (``LIKELY_MODEL``, fitted on DBLP dev), and pairs
   that are one person with probability 0.7 or more merge.

Library evidence, optional (``tui.library_evidence`` reads it from the index): how many papers a
co-author's name has, whom a co-author has written with elsewhere (two-hop co-authorship: the
co-authors of two papers wrote together) and how rare a title word is (rare words shared by two
papers, and titles compared as TF-IDF vectors).

Precision matters more than recall (splitting one person in two is better than merging two
people): the weights and thresholds were chosen on real ground truth (``docs/identities.md``).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tui.index.keys import STOPWORDS, title_words
from tui.models import ClusterPage, Paper

NameSizes = Callable[[str], int | None]
# The co-authors of a name across the whole library (cluster keys), for two-hop evidence.
# ``None`` for a name on more than TWO_HOP_MAX_PAPERS papers: a hub, skipped (and not worth reading).
CoauthorNeighbours = Callable[[str], Collection[str] | None]
# The share (0..1) of the library's papers whose title has a word (as ``tui.index.keys.title_words`` splits it).
TitleWordShare = Callable[[str], float]

# Paper pairs (and, in the second stage, groups) whose summed evidence reaches this are linked.
LINK_SCORE = 1.0
# A co-author name on more papers than this counts for less than a whole link.
COMMON_NAME_PAPERS = 600
# ... and, when the library's counts are known, on more than PROLIFIC_COAUTHOR_PAPERS in clusters
# over PROLIFIC_CLUSTER_PAPERS papers: there a prolific co-author (an advisor) has often written
# with several people of the name.
PROLIFIC_COAUTHOR_PAPERS = 200
PROLIFIC_CLUSTER_PAPERS = 200
# The same venue links two papers alone in clusters up to this size; beyond, its weight
# shrinks with the square root of the cluster's size, since more people share the name.
VENUE_WEIGHT = 1.0
VENUE_ALONE_PAPERS = 100
# ... and up to this size when the cluster's own name is not a common one.
DISTINCT_VENUE_ALONE_PAPERS = 300
# A common co-author name on more papers of the cluster than this adds nothing to paper pairs
# (it would cost n² work and say little); it still counts between groups in the second stage.
PAIR_POSTINGS_CAP = 100
# "ISNN (2)": a volume number of the proceedings, dropped when comparing venues.
_VOLUME_RE = re.compile(r"\s*\(\d+\)$")
# Second stage: groups compared by all their co-authors and venues, a few rounds.
PROFILE_ROUNDS = 2
PROFILE_VENUE_WEIGHT = 0.5
# A co-author or venue shared by more groups than this is no evidence between any two of them.
PROFILE_HUB_GROUPS = 50
# Library evidence (optional inputs; tui.library_evidence reads them from the index).
# Two-hop: a co-author x of one paper (or group) has written with a co-author y of the other,
# elsewhere in the library. Each such pair of names ("bridge") adds TWO_HOP_PAIR_WEIGHT times both
# names' weights between paper pairs (scaled by sqrt(TWO_HOP_CLUSTER_PAPERS / cluster papers) above
# that size) in clusters up to TWO_HOP_PAIR_CLUSTER_PAPERS, and TWO_HOP_WEIGHT times them between
# groups in clusters up to TWO_HOP_CLUSTER_PAPERS:
# in bigger clusters the groups' circles overlap through shared communities (measured on DBLP:
# between groups of clusters over 100 papers, bridges join two people more often than one).
TWO_HOP_PAIR_WEIGHT = 0.25
TWO_HOP_WEIGHT = 0.5
TWO_HOP_CLUSTER_PAPERS = 100
TWO_HOP_PAIR_CLUSTER_PAPERS = 300
# Library evidence between two papers links them on its own only in clusters up to this size; beyond,
# it only adds to co-author evidence. One paper pair joins two whole groups, and in bigger clusters
# such joins were mostly of two people (DBLP dev, clusters of 101-300 papers: 52 merges joining
# 2,642 cross pairs of one person and 3,401 of two); the last stage weighs such groups as wholes.
LIBRARY_ALONE_CLUSTER_PAPERS = 100
# A co-author with more library co-authors than this is a hub: its bridges say little.
TWO_HOP_MAX_NEIGHBOURS = 400
# Lookups return None for names on more papers than this (so the caller need not read them).
TWO_HOP_MAX_PAPERS = 100
# A title word on at most this share of the library's papers is rare: each one two papers share adds
# TITLE_WORD_WEIGHT (scaled by sqrt(TITLE_WORD_CLUSTER_PAPERS / cluster papers) above that size).
RARE_TITLE_WORD_SHARE = 0.01
TITLE_WORD_WEIGHT = 0.5
TITLE_WORD_CLUSTER_PAPERS = 50
# Last stage, a few rounds: groups whose co-author circles (co-authors, plus their co-authors in
# this cluster at CIRCLE_NEIGHBOUR_WEIGHT) have a cosine of CIRCLE_COSINE, or whose titles as
# TF-IDF vectors one of TITLE_COSINE, merge (each counts as its share of its threshold, summed).
# Thresholds grow as (papers / SIMILAR_CLUSTER_PAPERS) ** growth above that size.
CIRCLE_COSINE = 0.13
CIRCLE_GROWTH = 0.5
CIRCLE_NEIGHBOUR_WEIGHT = 0.2
TITLE_COSINE = 0.18
TITLE_COSINE_GROWTH = 0.5
SIMILAR_CLUSTER_PAPERS = 300
SIMILAR_ROUNDS = 3
# A co-author or title word shared by more groups than this is skipped (n² pairs, little said).
COSINE_HUB_GROUPS = 15
COSINE_MANY_GROUPS = 250
COSINE_HUB_GROUPS_MANY = 10
# Very last stage, with library evidence, in clusters up to LIKELY_CLUSTER_PAPERS: every pair of
# groups is scored by a logistic model that weighs all kinds of evidence at once (LIKELY_MODEL), and
# pairs that are one person with probability LIKELY_PROBABILITY or more merge, most likely first,
# each group at most once per round (a merged group is scored again as a whole in the next round).
LIKELY_CLUSTER_PAPERS = 300
LIKELY_PROBABILITY = 0.7
LIKELY_ROUNDS = 2


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


# Log-odds that two groups of one cluster are one person: coefficient per feature of the pair
# (``_likely_features``). A logistic regression fitted on DBLP dev, clusters up to 300 papers: every
# pair of groups left after the earlier stages, labelled by the share of their scored papers' pairs
# that are truly one person; ``python -m tui.bench identities --fit-likely`` refits it. Cosines are
# square-rooted (a little overlap already says much), except the venues'. The negative terms say that
# bigger groups, groups with co-authors and clusters of a common name need more evidence.
LIKELY_MODEL: dict[str, float] = {
    "bias": 2.188,
    "log_cluster_papers": -0.183,
    "common_name": -0.783,
    "log_smaller_papers": -1.041,  # the two groups by paper count
    "smaller_has_coauthors": -1.074,
    "larger_has_coauthors": -1.454,
    "venue_cosine": 3.968,  # venues, each counted per paper
    "coauthor_cosine_root": 7.308,  # co-authors, each counted per paper
    "circle_cosine_root": 8.068,  # the co-authors' co-authors in the library (two hops)
    "title_cosine_root": 11.79,  # titles as TF-IDF vectors (word weight -log title_word_share)
    "title_cosine_root_x_log_cluster_papers": -1.715,  # titles say less in bigger clusters
}


def name_weight(key: str, name_sizes: NameSizes | None, common_papers: int = COMMON_NAME_PAPERS) -> float:
    """How much one shared co-author called ``key`` says that two papers are by one person.

    A name is as common as the larger of the library's count and the guess from its shape: a short
    name stays common in a small library, and a prolific co-author counts as common too.
    """
    papers = _guess_name_size(key)
    if name_sizes:
        papers = max(papers, name_sizes(key) or 0)
    if papers <= common_papers:
        return 1.0
    return 1.0 / (1.0 + math.log2(papers / common_papers))


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


def venue_key(venue: str) -> str:
    """A venue as compared between papers: volumes of one proceedings ("DEXA (2)") are one venue."""
    return _VOLUME_RE.sub("", venue.strip()).casefold()


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


def group_positions(
    page: ClusterPage,
    name_sizes: NameSizes | None = None,
    coauthor_neighbours: CoauthorNeighbours | None = None,
    title_word_share: TitleWordShare | None = None,
) -> list[list[int]]:
    """Positions of ``page.papers`` grouped into probable identities, largest group first."""
    groups, _coauthors_of, _context = _group(page, name_sizes, coauthor_neighbours, title_word_share)
    return sorted(groups.members().values(), key=lambda g: (-len(g), g[0]))


def _group(
    page: ClusterPage,
    name_sizes: NameSizes | None,
    coauthor_neighbours: CoauthorNeighbours | None,
    title_word_share: TitleWordShare | None,
    likely: bool = True,
) -> tuple[_Groups, list[set[str]], _LikelyContext | None]:
    """All stages of the grouping (``likely=False`` stops before the last), each paper's co-authors and the
    last stage's context."""
    identities = _own_identities(page)
    coauthors = _coauthors(page)
    groups = _Groups(identities)
    _link_explicit(groups, identities)
    common_name = is_common_name(page.key, name_sizes)
    # In a big cluster, a prolific co-author often wrote with several people of the name (students
    # of one advisor): with the library's counts, such co-authors count as common sooner.
    big = name_sizes is not None and len(page.papers) > PROLIFIC_CLUSTER_PAPERS
    common_papers = PROLIFIC_COAUTHOR_PAPERS if big else COMMON_NAME_PAPERS
    weights: dict[str, float] = {}

    def weight_of(key: str) -> float:
        if key not in weights:
            weights[key] = name_weight(key, name_sizes, common_papers)
        return weights[key]

    venues = [venue_key(p.get("venue", "")) for p in page.papers]
    bridges: dict[str, dict[str, float]] = {}
    if coauthor_neighbours and len(page.papers) <= TWO_HOP_PAIR_CLUSTER_PAPERS:
        bridges = _bridges(coauthors, page.key, coauthor_neighbours, weight_of)
    pair_score: dict[tuple[int, int], float] = defaultdict(float)
    size_factor = min(1.0, math.sqrt(TWO_HOP_CLUSTER_PAPERS / max(len(page.papers), 1)))
    if bridges:
        _add_paper_bridges(pair_score, coauthors, bridges, TWO_HOP_PAIR_WEIGHT * size_factor)
    if title_word_share and len(page.papers) <= TWO_HOP_PAIR_CLUSTER_PAPERS:
        title_factor = min(1.0, math.sqrt(TITLE_WORD_CLUSTER_PAPERS / max(len(page.papers), 1)))
        _add_title_words(pair_score, page.papers, title_word_share, TITLE_WORD_WEIGHT * title_factor)
    library_alone = len(page.papers) <= LIBRARY_ALONE_CLUSTER_PAPERS
    _link_papers(groups, venues, coauthors, weight_of, common_name, pair_score, library_alone)
    group_bridges = bridges if len(page.papers) <= TWO_HOP_CLUSTER_PAPERS else {}
    for _round in range(PROFILE_ROUNDS):
        if not _link_profiles(groups, venues, coauthors, weight_of, common_name, group_bridges):
            break
    scale = max(1.0, len(page.papers) / SIMILAR_CLUSTER_PAPERS)
    thresholds = (
        CIRCLE_COSINE * scale**CIRCLE_GROWTH,
        TITLE_COSINE * scale**TITLE_COSINE_GROWTH if title_word_share else 0.0,
    )
    paper_words = _weighted_title_words(page.papers, title_word_share) if title_word_share else None
    if any(thresholds):
        changed: set[int] | None = None  # the first round compares all groups, later ones only merged groups
        for _round in range(SIMILAR_ROUNDS):
            changed = _link_similar(groups, coauthors, bridges, paper_words, thresholds, changed, weight_of)
            if not changed:
                break
    context = None
    if coauthor_neighbours and paper_words is not None and len(page.papers) <= LIKELY_CLUSTER_PAPERS:
        context = _LikelyContext(page, coauthors, venues, paper_words, coauthor_neighbours, common_name)
        for _round in range(LIKELY_ROUNDS if likely else 0):
            if not _link_likely(groups, context):
                break
    return groups, coauthors, context


def _link_similar(
    groups: _Groups,
    coauthors: list[set[str]],
    bridges: dict[str, dict[str, float]],
    paper_words: list[dict[str, float]] | None,
    thresholds: tuple[float, float],
    changed: set[int] | None,
    weight_of: Callable[[str], float],
) -> set[int]:
    """Merge groups whose co-author circles or titles, summed over their papers, are alike (cosine).

    Each similarity counts as its share of its threshold; pairs whose shares add up to 1 merge.
    Only pairs with a group in ``changed`` are compared (all when None): the others were compared
    before and have not changed. Returns the groups that merged.
    """
    members = sorted(groups.members().items())
    combined: dict[tuple[int, int], float] = defaultdict(float)
    circle_threshold, title_threshold = thresholds
    if circle_threshold:
        circles = {root: _circle_vector(positions, coauthors, bridges) for root, positions in members}
        # A single paper's co-authors anchor it too: a one-paper group sharing a common co-author with
        # another is compared, two groups of several papers sharing only that name are not.
        rare = {key for vector in circles.values() for key in vector if weight_of(key) >= 1.0}
        singles = {root for root, positions in members if len(positions) == 1}
        for pair, cosine in _cosines(circles, changed, rare, singles).items():
            combined[pair] += cosine / circle_threshold
    if title_threshold and paper_words is not None:
        titles = {root: _sum_vectors(paper_words[i] for i in positions) for root, positions in members}
        for pair, cosine in _cosines(titles, changed).items():
            combined[pair] += cosine / title_threshold
    merged: set[int] = set()
    for _score, a, b in sorted(((s, a, b) for (a, b), s in combined.items() if s >= 1.0), reverse=True):
        if groups.union(a, b, "similar"):
            merged.add(a)
    return {groups.root(a) for a in merged}


@dataclass(frozen=True)
class _LikelyContext:
    """What the last stage reads about a cluster's papers."""

    page: ClusterPage
    coauthors: list[set[str]]
    venues: list[str]
    paper_words: list[dict[str, float]]
    neighbours: CoauthorNeighbours
    common_name: bool


def _likely_features(groups: _Groups, context: _LikelyContext) -> tuple[list[int], dict[str, np.ndarray]]:
    """The groups' roots and, per feature of LIKELY_MODEL, its value for every pair (a groups × groups matrix).

    No dimension is skipped as a hub (the model was fitted on all of them).
    """
    members = sorted(groups.members().items())
    roots = [root for root, _positions in members]
    count = len(roots)
    coauthors, papers = context.coauthors, len(context.page.papers)
    coauthor_vectors = {root: Counter(k for i in positions for k in coauthors[i]) for root, positions in members}
    circles: dict[int, Counter[str]] = {}
    for root, vector in coauthor_vectors.items():
        circle: Counter[str] = Counter()
        for key in vector:
            circle.update(context.neighbours(key) or ())
        circle.pop(context.page.key, None)  # the cluster's own name wrote with every co-author
        circles[root] = circle
    venue_vectors = {
        root: Counter(context.venues[i] for i in positions if context.venues[i]) for root, positions in members
    }
    titles = {root: _sum_vectors(context.paper_words[i] for i in positions) for root, positions in members}
    features: dict[str, np.ndarray] = {}
    for name, vectors, square_root in (
        ("venue_cosine", venue_vectors, False),
        ("coauthor_cosine_root", coauthor_vectors, True),
        ("circle_cosine_root", circles, True),
        ("title_cosine_root", titles, True),
    ):
        cosines = cosine_matrix([vectors[root] for root in roots])
        features[name] = np.sqrt(cosines) if square_root else cosines
    features["title_cosine_root_x_log_cluster_papers"] = features["title_cosine_root"] * math.log(papers)
    sizes = np.array([len(positions) for _root, positions in members], dtype=float)
    has = np.array([bool(coauthor_vectors[root]) for root in roots], dtype=float)
    # Ties in size: the group without co-authors counts as the smaller one.
    smaller_first = (sizes[:, None] < sizes[None, :]) | (
        (sizes[:, None] == sizes[None, :]) & (has[:, None] <= has[None, :])
    )
    features["log_smaller_papers"] = np.log(np.minimum(sizes[:, None], sizes[None, :]))
    features["smaller_has_coauthors"] = np.where(smaller_first, has[:, None], has[None, :])
    features["larger_has_coauthors"] = np.where(smaller_first, has[None, :], has[:, None])
    features["bias"] = np.ones((count, count))
    features["log_cluster_papers"] = np.full((count, count), math.log(papers))
    features["common_name"] = np.full((count, count), float(context.common_name))
    return roots, features


def cosine_matrix(vectors: Sequence[Mapping[str, float]]) -> np.ndarray:
    """Cosine similarity of every pair of vectors, as a matrix (clipped to 0..1; the diagonal is not used).

    Only dimensions on two or more vectors add to a dot product. Usually few vectors share each, so
    their entries are paired within each dimension and the products summed per pair of vectors with
    ``np.bincount`` (a BLAS matrix product costs milliseconds of thread start-up on a busy machine for
    such small matrices); when dimensions are shared widely, the pairs would outnumber the cells
    of a dense matrix of the shared dimensions, and that is multiplied instead.
    """
    count = len(vectors)
    on = Counter(key for vector in vectors for key in vector)
    columns = {key: i for i, key in enumerate(key for key, n in on.items() if n > 1)}
    lengths = np.ones(count)
    rows: list[int] = []
    keys: list[int] = []
    values: list[float] = []
    for row, vector in enumerate(vectors):
        if vector:
            lengths[row] = math.sqrt(sum(value * value for value in vector.values()))
        for key, value in vector.items():
            column = columns.get(key)
            if column is not None:
                rows.append(row)
                keys.append(column)
                values.append(value / lengths[row])
    row_of = np.array(rows, dtype=np.int64)
    column_of = np.array(keys, dtype=np.int64)
    value_of = np.array(values)
    per_column = np.bincount(column_of, minlength=len(columns))
    if int(per_column @ per_column) > count * len(columns):
        dense = np.zeros((count, len(columns)))
        dense[row_of, column_of] = value_of
        return np.clip(dense @ dense.T, 0.0, 1.0)
    order = np.argsort(column_of, kind="stable")
    row_of, column_of, value_of = row_of[order], column_of[order], value_of[order]
    column_start = np.cumsum(per_column) - per_column
    # Every entry paired with every entry of its dimension (itself included: the diagonal).
    repeats = per_column[column_of]
    left = np.repeat(np.arange(len(row_of)), repeats)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    right = column_start[column_of[left]] + offset
    dots = np.bincount(
        row_of[left] * count + row_of[right], weights=value_of[left] * value_of[right], minlength=count * count
    )
    return np.clip(dots.reshape(count, count), 0.0, 1.0)


def _link_likely(groups: _Groups, context: _LikelyContext) -> bool:
    """One round of the last stage: merge the pairs of groups LIKELY_MODEL finds one person.

    Pairs sharing no evidence still get the model's base score: two lone papers without co-authors
    in a small cluster of a rare name are one person more often than not. Each group merges at most
    once per round, so every merge is judged on the groups as they were scored. Returns whether
    anything merged.
    """
    roots, features = _likely_features(groups, context)
    if len(roots) < 2:
        return False
    score = sum(weight * features[name] for name, weight in LIKELY_MODEL.items())
    threshold = math.log(LIKELY_PROBABILITY / (1.0 - LIKELY_PROBABILITY))
    rows, columns = np.nonzero(np.triu(score >= threshold, 1))
    candidates = sorted(zip(score[rows, columns].tolist(), rows.tolist(), columns.tolist(), strict=True), reverse=True)
    used: set[int] = set()
    for _score, a, b in candidates:
        if a not in used and b not in used and groups.union(roots[a], roots[b], "likely"):
            used.update((a, b))
    return bool(used)


def likely_pair_features(
    page: ClusterPage,
    name_sizes: NameSizes | None,
    coauthor_neighbours: CoauthorNeighbours,
    title_word_share: TitleWordShare,
) -> tuple[list[list[int]], dict[str, np.ndarray]]:
    """The groups before the last stage (positions) and the features of every pair: for refitting LIKELY_MODEL.

    Only for clusters where the last stage runs (up to LIKELY_CLUSTER_PAPERS papers).
    """
    groups, _coauthors_of, context = _group(page, name_sizes, coauthor_neighbours, title_word_share, likely=False)
    if context is None:
        raise ValueError(f"the last stage does not run on clusters over {LIKELY_CLUSTER_PAPERS} papers")
    roots, features = _likely_features(groups, context)
    members = groups.members()
    return [members[root] for root in roots], features


def _circle_vector(
    positions: list[int], coauthors: list[set[str]], bridges: dict[str, dict[str, float]]
) -> dict[str, float]:
    """A group's co-authors (per paper) and, weaker, their co-authors among the cluster's co-authors."""
    vector: dict[str, float] = defaultdict(float)
    for i in positions:
        for x in coauthors[i]:
            vector[x] += 1.0
            for y in bridges.get(x, ()):
                vector[y] += CIRCLE_NEIGHBOUR_WEIGHT
    return vector


def _weighted_title_words(papers: Sequence[Paper], share: TitleWordShare) -> list[dict[str, float]]:
    """Each paper's title words, weighted by how rare each is in the library (inverse document frequency)."""
    idf: dict[str, float] = {}
    found = []
    for paper in papers:
        words = {}
        for word in title_words(paper.get("title", "")):
            if len(word) > 2 and word not in STOPWORDS:
                if word not in idf:
                    idf[word] = -math.log(max(share(word), 1e-9))
                words[word] = idf[word]
        found.append(words)
    return found


def _sum_vectors(vectors: Iterable[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = defaultdict(float)
    for vector in vectors:
        for key, value in vector.items():
            total[key] += value
    return total


def _cosines(
    vectors: dict[int, dict[str, float]],
    changed: set[int] | None = None,
    anchors: set[str] | None = None,
    anchored_groups: set[int] | None = None,
) -> dict[tuple[int, int], float]:
    """Cosine similarity of every pair of groups sharing a dimension.

    A dimension shared by more than COSINE_HUB_GROUPS groups is skipped (it would cost n² pairs and
    says little); it still counts in the vectors' lengths. With ``anchors`` (rare names), only pairs
    sharing one of them or two dimensions are returned: two groups whose only common
    ground is one common co-author name ("Wei Wang") are not compared at all.
    """
    norms = {root: math.sqrt(sum(v * v for v in vector.values())) for root, vector in vectors.items()}
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for root, vector in vectors.items():
        for word, weight in vector.items():
            postings[word].append((root, weight))
    # Among many groups, a dimension on several of them is common ground rather than evidence.
    hub_groups = COSINE_HUB_GROUPS if len(vectors) <= COSINE_MANY_GROUPS else COSINE_HUB_GROUPS_MANY
    dots: dict[tuple[int, int], float] = defaultdict(float)
    shared: Counter[tuple[int, int]] | None = Counter() if anchors is not None else None
    for dimension, entries in postings.items():
        if not 1 < len(entries) <= hub_groups:
            continue
        if changed is None:
            pairs = [((a, b), wa * wb) for i, (a, wa) in enumerate(entries) for b, wb in entries[i + 1 :]]
        else:
            pairs = [
                (((a, b) if a < b else (b, a)), wa * wb)
                for a, wa in entries
                if a in changed
                for b, wb in entries
                if b != a and (b not in changed or a < b)
            ]
        for pair, product in pairs:
            dots[pair] += product
        if shared is not None:  # per pair: dimensions shared, an anchor counting as enough
            step = 2 if anchors is not None and dimension in anchors else 1
            for pair, _product in pairs:
                shared[pair] += step
    if shared is not None:
        free = anchored_groups or set()
        return {
            (a, b): dot / (norms[a] * norms[b])
            for (a, b), dot in dots.items()
            if shared[a, b] >= 2 or a in free or b in free
        }
    return {(a, b): dot / (norms[a] * norms[b]) for (a, b), dot in dots.items()}


def _bridges(
    coauthors: list[set[str]], own_key: str, neighbours: CoauthorNeighbours, weight_of: Callable[[str], float]
) -> dict[str, dict[str, float]]:
    """Co-author names of this cluster that have written together elsewhere: name -> name -> both names' weights.

    Only pairs within the cluster's own co-authors matter, so each name's library co-authors are
    cut down to those at once (a set intersection, cheap even for prolific names).
    """
    present = {k for keys in coauthors for k in keys}
    found: dict[str, dict[str, float]] = {}
    weights = {k: weight_of(k) for k in present}
    for key in present:
        near = neighbours(key)
        if not near or len(near) > TWO_HOP_MAX_NEIGHBOURS:
            continue
        linked = present.intersection(near)
        linked.discard(key)
        linked.discard(own_key)
        if linked:
            found[key] = {other: weights[key] * weights[other] for other in linked}
    return found


def _link_explicit(groups: _Groups, identities: list[dict[str, set[str]]]) -> None:
    first_with: dict[tuple[str, str], int] = {}
    for position, mine in enumerate(identities):
        for namespace, values in list(mine.items()):
            for value in values:
                groups.union(first_with.setdefault((namespace, value), position), position, namespace)


def _link_papers(
    groups: _Groups,
    venues: list[str],
    coauthors: list[set[str]],
    weight_of: Callable[[str], float],
    common_name: bool,
    pair_score: dict[tuple[int, int], float],
    library_links_alone: bool,
) -> None:
    """Link paper pairs whose weighted shared co-authors, plus a shared venue, reach LINK_SCORE.

    ``pair_score`` may already hold library evidence (two-hop co-authors, rare title words): a pair
    linked by that alone is recorded as a "library" link, and only made when ``library_links_alone``.
    """
    library_only = dict(pair_score)
    postings: dict[str, list[int]] = defaultdict(list)
    for position, keys in enumerate(coauthors):
        for key in keys:
            postings[key].append(position)
    for key, positions in postings.items():
        if len(positions) < 2:
            continue
        weight = weight_of(key)
        if weight >= LINK_SCORE:
            # Links every pair on its own: chaining is the same grouping without scoring n² pairs.
            for position in positions[1:]:
                groups.union(positions[0], position, "coauthor")
        elif len(positions) <= PAIR_POSTINGS_CAP:
            _add_pairs(pair_score, positions, weight)
    same_venue = venue_weight(len(venues), common_name)
    if same_venue >= LINK_SCORE:
        # A small cluster: a venue links on its own, so its papers are chained without scoring pairs.
        _link_venues(groups, venues)
    else:
        for pair in pair_score:
            if venues[pair[0]] and venues[pair[0]] == venues[pair[1]]:
                pair_score[pair] += same_venue
    # Strongest links first, so a forbidden merge is refused where the evidence is weakest.
    for score, a, b in sorted(((s, a, b) for (a, b), s in pair_score.items() if s >= LINK_SCORE), reverse=True):
        if library_only.get((a, b)) != score:
            groups.union(a, b, "coauthor")
        elif library_links_alone:
            groups.union(a, b, "library")


def _add_paper_bridges(
    pair_score: dict[tuple[int, int], float],
    coauthors: list[set[str]],
    bridges: dict[str, dict[str, float]],
    scale: float,
) -> None:
    """Two-hop evidence between papers: a co-author x of one wrote with a co-author y of the other elsewhere."""
    postings: dict[str, list[int]] = defaultdict(list)
    for position, keys in enumerate(coauthors):
        for key in keys:
            postings[key].append(position)
    for position, keys in enumerate(coauthors):
        for x in keys:
            for y, weight in bridges.get(x, {}).items():
                if y in keys:
                    continue
                for other in postings[y]:
                    if other > position and x not in coauthors[other]:
                        pair_score[position, other] += weight * scale


def _add_title_words(
    pair_score: dict[tuple[int, int], float], papers: Sequence[Paper], share: TitleWordShare, weight: float
) -> None:
    """Title words rare in the whole library, shared by two papers: each adds ``weight``."""
    postings: dict[str, list[int]] = defaultdict(list)
    for position, paper in enumerate(papers):
        for word in title_words(paper.get("title", "")):
            if len(word) > 2 and word not in STOPWORDS:
                postings[word].append(position)
    for word, positions in postings.items():
        if 1 < len(positions) <= PAIR_POSTINGS_CAP and share(word) <= RARE_TITLE_WORD_SHARE:
            _add_pairs(pair_score, positions, weight)


def _link_venues(groups: _Groups, venues: list[str]) -> None:
    """Chain the papers of each venue (a year window was measured too: it lost more than it saved)."""
    first_at: dict[str, int] = {}
    for position, venue in enumerate(venues):
        if venue:
            groups.union(first_at.setdefault(venue, position), position, "venue")


def _add_pairs(pair_score: dict[tuple[int, int], float], positions: list[int], weight: float) -> None:
    for i, a in enumerate(positions):
        for b in positions[i + 1 :]:
            pair_score[a, b] += weight


def _link_profiles(
    groups: _Groups,
    venues: list[str],
    coauthors: list[set[str]],
    weight_of: Callable[[str], float],
    common_name: bool,
    bridges: dict[str, dict[str, float]],
) -> bool:
    """Merge groups whose co-authors and venues, summed over all their papers, reach LINK_SCORE."""
    by_coauthor: dict[str, list[int]] = defaultdict(list)
    venues_of: dict[int, set[str]] = {}
    coauthors_of: dict[int, set[str]] = {}
    # Roots in ascending order, so every pair below is keyed (smaller, larger).
    for root, positions in sorted(groups.members().items()):
        keys = coauthors_of[root] = {k for i in positions for k in coauthors[i]}
        for key in keys:
            by_coauthor[key].append(root)
        venues_of[root] = {venues[i] for i in positions if venues[i]}
    pair_score: dict[tuple[int, int], float] = defaultdict(float)
    for key, roots in by_coauthor.items():
        if 1 < len(roots) <= PROFILE_HUB_GROUPS:
            _add_pairs(pair_score, roots, weight_of(key))
    if bridges:
        _add_bridges(pair_score, bridges, by_coauthor, coauthors_of)
    # Venues only strengthen group pairs that already share a co-author: enumerating every pair
    # of groups at a big venue would cost more than it finds.
    per_venue = venue_weight(len(venues), common_name, PROFILE_VENUE_WEIGHT)
    for pair in pair_score:
        pair_score[pair] += per_venue * len(venues_of[pair[0]] & venues_of[pair[1]])
    merged = False
    for _score, a, b in sorted(((s, a, b) for (a, b), s in pair_score.items() if s >= LINK_SCORE), reverse=True):
        merged |= groups.union(a, b, "profile")
    return merged


def _add_bridges(
    pair_score: dict[tuple[int, int], float],
    bridges: dict[str, dict[str, float]],
    by_coauthor: dict[str, list[int]],
    coauthors_of: dict[int, set[str]],
) -> None:
    """Add two-hop evidence: group A has co-author x, group B has y, and x wrote with y elsewhere.

    A bridge counts only when x is not B's co-author and y not A's (else the groups share a
    co-author, already counted), and each pair of names once.
    """
    for x, others in bridges.items():
        x_groups = by_coauthor[x]
        if len(x_groups) > PROFILE_HUB_GROUPS:
            continue
        for y, weight in others.items():
            if y <= x:
                continue
            y_groups = by_coauthor[y]
            if len(y_groups) > PROFILE_HUB_GROUPS:
                continue
            for a in x_groups:
                for b in y_groups:
                    if a != b and y not in coauthors_of[a] and x not in coauthors_of[b]:
                        pair_score[(a, b) if a < b else (b, a)] += TWO_HOP_WEIGHT * weight


def identity_groups(
    page: ClusterPage,
    name_sizes: NameSizes | None = None,
    coauthor_neighbours: CoauthorNeighbours | None = None,
    title_word_share: TitleWordShare | None = None,
) -> list[dict[str, Any]]:
    """Probable identities inside a cluster page, largest first, each with its papers and evidence.

    ``name_sizes(key)`` may give the number of papers in the library written by a co-author's
    name (its cluster size); without it, how common a name is is guessed from its shape.
    """
    groups, coauthors, _context = _group(page, name_sizes, coauthor_neighbours, title_word_share)
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
        kinds = {
            "coauthor": "shared co-authors",
            "profile": "co-authors, their co-authors and venues overall",
            "library": "co-authors' co-authors or rare title words",
            "similar": "similar co-author circles or titles",
            "likely": "co-author circles, titles and venues weighed together",
            "venue": "a shared venue",
        }
        held = [text for kind, text in kinds.items() if links.get(kind)]
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
