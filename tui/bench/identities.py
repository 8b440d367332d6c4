"""How good are the identity hints? B-cubed precision and recall against real ground truth.

Two corpora carry the true identity of an author name:

- ACL Anthology XML: ambiguous names carry an explicit id (``yang-liu-ict`` vs ``yang-liu-icsi``);
  the ACL importer passes it on as ``AuthorInput.source_id = "acl:<id>"``.
- DBLP BibTeX: homonym suffixes ("Yang Liu 0003" vs "Yang Liu 0004").

The corpora are read through the app's own importers, papers are gathered into name clusters in
memory (``ClusterPage`` objects, like the store's), and the app's ``identity_groups`` groups each
cluster's papers. The truth is hidden from it: every paper's own author points at one plain name
row, with no suffix, source id or ORCID. A cluster is evaluated when at least one of its papers
carries a true identity; papers without one (ACL names without an id, DBLP names without a suffix)
stay in the cluster, so they can link or split the others as in the app, but are not scored.

Run: ``python -m tui.bench.identities`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tui.identities import (
    LIKELY_CLUSTER_PAPERS,
    LIKELY_MODEL,
    TWO_HOP_MAX_PAPERS,
    CoauthorNeighbours,
    NameSizes,
    TitleWordShare,
    identity_groups,
    likely_pair_features,
)
from tui.index.keys import title_words
from tui.models import AuthorInput, ClusterPage, Paper, PaperInput
from tui.names import parse_name
from tui.textsafe import safe_line

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CORPORA = {
    "acl": ("acl", SHARED / "acl-anthology" / "acl-anthology-2021-06.tar.xz"),
    "dblp": ("bibtex", SHARED / "dblp" / "dblp-2016-conf.bib.xz"),
}
OWN_ROW = 0


def bcubed(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> tuple[float, float, int]:
    """Summed per-item B-cubed precision and recall of one clustering, and the number of items.

    For item i, precision is the share of items predicted with i that truly belong with i, and
    recall the share of items truly with i that are predicted with i (i counts itself).
    """
    if len(predicted) != len(truth):
        raise ValueError("predicted and true labels differ in length")
    both = Counter(zip(predicted, truth, strict=True))
    predicted_sizes = Counter(predicted)
    true_sizes = Counter(truth)
    precision = sum(n * n / predicted_sizes[p] for (p, _t), n in both.items())
    recall = sum(n * n / true_sizes[t] for (_p, t), n in both.items())
    return precision, recall, len(truth)


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Score:
    """B-cubed over many clusters: per-item scores summed, so every scored paper weighs the same."""

    precision_sum: float = 0.0
    recall_sum: float = 0.0
    items: int = 0
    clusters: int = 0
    input_papers: int = 0
    ambiguous_clusters: int = 0
    seconds: list[tuple[float, int, str]] = field(default_factory=list)

    def add(self, predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> None:
        precision, recall, items = bcubed(predicted, truth)
        self.precision_sum += precision
        self.recall_sum += recall
        self.items += items
        self.clusters += 1
        self.ambiguous_clusters += len(set(truth)) > 1

    @property
    def precision(self) -> float:
        return self.precision_sum / self.items if self.items else 0.0

    @property
    def recall(self) -> float:
        return self.recall_sum / self.items if self.items else 0.0

    def as_dict(self) -> dict[str, Any]:
        times = sorted(s for s, _n, _k in self.seconds)
        largest = sorted(self.seconds, key=lambda t: -t[1])[:5]
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(f1(self.precision, self.recall), 4),
            "clusters": self.clusters,
            "ambiguous_clusters": self.ambiguous_clusters,
            "scored_papers": self.items,
            "input_papers": self.input_papers,
            "ms_p50": round(1000 * statistics.median(times), 3) if times else None,
            "ms_p95": round(1000 * times[int(0.95 * (len(times) - 1))], 3) if times else None,
            "ms_max": round(1000 * times[-1], 3) if times else None,
            "largest": [{"cluster": k, "papers": n, "ms": round(1000 * s, 2)} for s, n, k in largest],
        }


@dataclass(slots=True)
class _Record:
    """One paper, kept small: enough to rebuild any of its authors' cluster pages."""

    year: int | None
    venue: str
    title: str
    names: tuple[str, ...]  # display names without suffix
    keys: tuple[str, ...]
    truths: tuple[str | None, ...]


class ClusterCorpus:
    """Papers gathered by cluster key, with the true identity of each author occurrence."""

    def __init__(self, truth_of: Callable[[AuthorInput], str | None]) -> None:
        self.truth_of = truth_of
        self.records: list[_Record] = []
        self.papers_by_key: dict[str, list[int]] = defaultdict(list)
        self.labelled_keys: set[str] = set()
        # Library-wide evidence, as tui.library_evidence reads it from the app's index.
        self.title_word_papers: Counter[str] = Counter()
        self._neighbours: dict[str, frozenset[str] | None] = {}

    def add(self, paper: PaperInput) -> None:
        parsed = [parse_name(a.name) for a in paper.authors]
        truths = tuple(self.truth_of(a) for a in paper.authors)
        record = _Record(
            paper.year, paper.venue, paper.title, tuple(p.display for p in parsed), tuple(p.key for p in parsed), truths
        )
        number = len(self.records)
        self.records.append(record)
        self.title_word_papers.update(title_words(paper.title))
        for name, truth in zip(parsed, truths, strict=True):
            positions = self.papers_by_key[name.key]
            if not positions or positions[-1] != number:
                positions.append(number)
            if truth is not None:
                self.labelled_keys.add(name.key)

    def name_size(self, key: str) -> int | None:
        found = self.papers_by_key.get(key)
        return len(found) if found else None

    def coauthor_neighbours(self, key: str) -> frozenset[str] | None:
        """Everyone ``key`` wrote with in the corpus; None for a name on over TWO_HOP_MAX_PAPERS papers."""
        if key not in self._neighbours:
            numbers = self.papers_by_key.get(key, [])
            if len(numbers) > TWO_HOP_MAX_PAPERS:
                self._neighbours[key] = None
            else:
                self._neighbours[key] = frozenset(k for n in numbers for k in self.records[n].keys if k != key)
        return self._neighbours[key]

    def title_word_share(self, word: str) -> float:
        return self.title_word_papers.get(word, 0) / max(len(self.records), 1)

    def page(self, key: str) -> tuple[ClusterPage, list[str | None]]:
        """The cluster page of ``key`` with the truth hidden, and each paper's true identity."""
        papers: list[Paper] = []
        labels: list[str | None] = []
        display = key
        for number in self.papers_by_key[key]:
            record = self.records[number]
            own = {t for k, t in zip(record.keys, record.truths, strict=True) if k == key}
            # A paper with two different people of this name on it cannot be scored as one item.
            labels.append(own.pop() if len(own) == 1 else None)
            refs = []
            for name, other in zip(record.names, record.keys, strict=True):
                if other == key:
                    display = name
                refs.append({"name": name, "row": OWN_ROW if other == key else -1, "key": other})
            papers.append(
                {"id": number, "title": record.title, "year": record.year, "venue": record.venue, "authors": refs}
            )  # type: ignore[typeddict-item]
        papers.sort(key=lambda p: -(p.get("year") or 0))
        labels_by_id = dict(zip(self.papers_by_key[key], labels, strict=True))
        row = {"id": OWN_ROW, "name": display, "suffix": "", "orcid": "", "source_ids": [f"name:{display}"]}
        return ClusterPage(key=key, name=display, rows=[row], papers=papers), [labels_by_id[p["id"]] for p in papers]


def synthetic_page(papers: int = 1000, seed: int = 6) -> ClusterPage:
    """A dense worst case for timing: many papers, few venues, co-authors drawn from a small pool.

    Half the pool are short common-looking names ("li wu"), whose pairs are scored, and half
    rare ones, which chain; every co-author is on dozens to hundreds of the cluster's papers.
    """
    rng = random.Random(seed)
    syllables = ["li", "wu", "bo", "yu", "xu", "lu", "ma", "he"]
    pool = [f"{rng.choice(syllables)} {rng.choice(syllables)}{i}" for i in range(150)]
    pool += [f"Coauthor{i} Distinctivename{i}" for i in range(150)]
    built: list[Paper] = []
    for number in range(papers):
        names = ["Wei Wang", *rng.sample(pool, rng.randint(0, 8))]
        refs = [{"name": n, "row": OWN_ROW if n == "Wei Wang" else -1, "key": parse_name(n).key} for n in names]
        built.append(
            {
                "id": number,
                "title": "",
                "year": rng.randint(1990, 2020),
                "venue": f"V{rng.randint(1, 20)}",
                "authors": refs,
            }  # type: ignore[typeddict-item]
        )
    row = {"id": OWN_ROW, "name": "Wei Wang", "suffix": "", "orcid": "", "source_ids": ["name:Wei Wang"]}
    return ClusterPage(key="wei wang", name="Wei Wang", rows=[row], papers=built)


def time_synthetic(papers: int = 1000, repeats: int = 5) -> dict[str, Any]:
    page = synthetic_page(papers)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        groups = identity_groups(page)
        times.append(time.perf_counter() - started)
    return {
        "papers": papers,
        "groups": len(groups),
        "ms_median": round(1000 * statistics.median(times), 2),
        "ms_max": round(1000 * max(times), 2),
    }


def acl_truth(author: AuthorInput) -> str | None:
    return author.source_id if author.source_id.startswith("acl:") else None


def dblp_truth(author: AuthorInput) -> str | None:
    return parse_name(author.name).suffix or None


def read_papers(format_name: str, path: Path, limit: int | None) -> Iterator[PaperInput]:
    """Papers of a corpus through the app's importer for its format."""
    from tui.importers import IMPORTERS
    from tui.importers.base import ImportReport, Source

    importer = IMPORTERS.get(format_name)
    if importer is None:
        raise SystemExit(f"error: no importer for format {format_name!r} yet (have: {', '.join(IMPORTERS)})")
    report = ImportReport()
    count = 0
    with Source(path) as source:
        for item in importer.read(source, report, {}):
            if isinstance(item, PaperInput) and item.authors:
                yield item
                count += 1
                if limit is not None and count >= limit:
                    return


def split_of(key: str) -> str:
    """A fixed half of the clusters ("dev") for tuning, the other ("test") for checking: by a hash of the key."""
    return "dev" if hashlib.sha1(key.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def evaluate(
    corpus: ClusterCorpus,
    use_name_sizes: bool = False,
    use_library: bool = False,
    by_split: dict[str, Score] | None = None,
) -> tuple[Score, Score]:
    """Group every labelled cluster with the app's code and score it against the truth.

    Returns the score over all labelled clusters and over the ambiguous ones only (two or more
    true identities among the scored papers), where merging people is possible at all. With
    ``use_library``, ``identity_groups`` also gets the corpus-wide lookups the app reads from its
    index (``tui.library_evidence``): name sizes, co-authors' co-authors and title-word rarity. ``by_split``
    (if given) gets the score of each half of the clusters, "dev" and "test" (see ``split_of``).
    """
    score, ambiguous = Score(), Score()
    options: dict[str, Any] = {}
    if use_name_sizes:
        options["name_sizes"] = corpus.name_size
    if use_library:
        options["name_sizes"] = corpus.name_size
        options["coauthor_neighbours"] = corpus.coauthor_neighbours
        options["title_word_share"] = corpus.title_word_share
    # The corpus is millions of long-lived objects; freezing them keeps the garbage collector's
    # full passes over them out of the timings, as they would be in the app's much smaller heap.
    gc.collect()
    gc.freeze()
    for key in sorted(corpus.labelled_keys):
        page, labels = corpus.page(key)
        if use_library:  # the app's lookups are read from its index beforehand and cached; so here
            for paper in page.papers:
                for ref in paper["authors"]:
                    corpus.coauthor_neighbours(ref["key"])
        started = time.perf_counter()
        groups = identity_groups(page, **options)
        elapsed = time.perf_counter() - started
        part = by_split.setdefault(split_of(key), Score()) if by_split is not None else None
        for target in (score, part) if part else (score,):
            target.seconds.append((elapsed, len(page.papers), key))
            target.input_papers += len(page.papers)
        group_of = {paper_id: number for number, g in enumerate(groups) for paper_id in g["paper_ids"]}
        scored = [(group_of[p["id"]], label) for p, label in zip(page.papers, labels, strict=True) if label]
        if scored:
            predicted, truth = [g for g, _ in scored], [t for _, t in scored]
            score.add(predicted, truth)
            if part:
                part.add(predicted, truth)
            if len(set(truth)) > 1:
                ambiguous.add(predicted, truth)
    gc.unfreeze()
    return score, ambiguous


def likely_training_pairs(
    clusters: Iterable[tuple[ClusterPage, Sequence[str | None]]],
    name_sizes: NameSizes,
    coauthor_neighbours: CoauthorNeighbours,
    title_word_share: TitleWordShare,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of groups left before the last stage, for fitting ``LIKELY_MODEL``.

    Returns the features (one column per name of ``LIKELY_MODEL``, in its order), the label of each
    pair (the share of its scored papers' cross pairs that are truly one person) and its weight (the
    square root of that number of cross pairs: a pair of big groups counts more, not quadratically).
    Only pairs with scored papers on both sides are used; clusters over ``LIKELY_CLUSTER_PAPERS``
    papers are skipped, as the stage skips them.
    """
    names = list(LIKELY_MODEL)
    rows: list[list[float]] = []
    labels: list[float] = []
    weights: list[float] = []
    for page, truth in clusters:
        if len(page.papers) > LIKELY_CLUSTER_PAPERS:
            continue
        members, features = likely_pair_features(page, name_sizes, coauthor_neighbours, title_word_share)
        counts = [Counter(truth[i] for i in positions if truth[i]) for positions in members]
        for a, left in enumerate(counts):
            for b in range(a + 1, len(counts)):
                right = counts[b]
                pairs = sum(left.values()) * sum(right.values())
                if pairs:
                    labels.append(sum(n * right[t] for t, n in left.items()) / pairs)
                    weights.append(pairs**0.5)
                    rows.append([float(features[name][a, b]) for name in names])
    return np.array(rows).reshape(-1, len(names)), np.array(labels), np.array(weights)


def fit_logistic(features: np.ndarray, labels: np.ndarray, weights: np.ndarray, ridge: float = 1e-3) -> np.ndarray:
    """Weighted logistic regression on soft labels (Newton's method, a small ridge for stability)."""
    weights = weights / weights.mean()
    beta = np.zeros(features.shape[1])
    for _step in range(60):
        predicted = 1.0 / (1.0 + np.exp(-features @ beta))
        gradient = features.T @ (weights * (predicted - labels)) + ridge * beta
        hessian = (features * (weights * predicted * (1 - predicted))[:, None]).T @ features
        beta -= np.linalg.solve(hessian + ridge * np.eye(len(beta)), gradient)
    return beta


def fit_likely(corpus: ClusterCorpus, split: str = "dev") -> dict[str, float]:
    """Refit ``LIKELY_MODEL`` on one half of a corpus's labelled clusters (tuning uses DBLP dev only)."""
    clusters = (corpus.page(key) for key in sorted(corpus.labelled_keys) if split_of(key) == split)
    features, labels, weights = likely_training_pairs(
        clusters, corpus.name_size, corpus.coauthor_neighbours, corpus.title_word_share
    )
    beta = fit_logistic(features, labels, weights)
    return {name: round(float(value), 3) for name, value in zip(LIKELY_MODEL, beta, strict=True)}


def read_corpus(papers: Iterable[PaperInput], truth_of: Callable[[AuthorInput], str | None]) -> ClusterCorpus:
    corpus = ClusterCorpus(truth_of)
    for paper in papers:
        corpus.add(paper)
    return corpus


# The configurations evaluated: what the grouping is given besides the cluster page.
CONFIGS = {
    "page_only": "the cluster page alone (the app's default: identity_groups(page))",
    "library": "page + library evidence: name sizes, co-authors' co-authors, title-word rarity (tui.library_evidence)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.bench identities", description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["acl", "dblp", "all"], default="all")
    parser.add_argument("--acl", type=Path, default=CORPORA["acl"][1], help="ACL Anthology tar.xz or XML")
    parser.add_argument("--dblp", type=Path, default=CORPORA["dblp"][1], help="DBLP BibTeX (.bib/.bib.xz)")
    parser.add_argument("--limit", type=int, default=None, help="read only the first N papers of each corpus")
    parser.add_argument(
        "--name-sizes",
        action="store_true",
        help="also evaluate with corpus-wide name counts passed as name_sizes (the app guesses from name shapes)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--fit-likely",
        action="store_true",
        help="refit the last stage's model (LIKELY_MODEL) on the dev half of --corpus (dblp) and print it",
    )
    args = parser.parse_args(argv)
    if args.fit_likely:
        name = "dblp" if args.corpus == "all" else args.corpus
        truth_of = {"acl": acl_truth, "dblp": dblp_truth}[name]
        corpus = read_corpus(
            read_papers(CORPORA[name][0], {"acl": args.acl, "dblp": args.dblp}[name], args.limit), truth_of
        )
        print(json.dumps(fit_likely(corpus), indent=2))
        return 0
    truths = {"acl": acl_truth, "dblp": dblp_truth}
    paths = {"acl": args.acl, "dblp": args.dblp}
    results: dict[str, Any] = {"configs": CONFIGS}
    for name in ["acl", "dblp"] if args.corpus == "all" else [args.corpus]:
        if not paths[name].exists():
            print(f"error: {paths[name]} not found", file=sys.stderr)
            return 2
        started = time.perf_counter()
        corpus = read_corpus(read_papers(CORPORA[name][0], paths[name], args.limit), truths[name])
        results[name] = {"seconds_reading": round(time.perf_counter() - started, 1)}
        for config in CONFIGS:
            by_split: dict[str, Score] = {}
            overall, ambiguous = evaluate(corpus, use_library=config == "library", by_split=by_split)
            results[name][config] = _result(overall, ambiguous, by_split)
        if args.name_sizes:
            results[name]["page_with_name_sizes"] = _result(*evaluate(corpus, use_name_sizes=True), {})
        results[name]["seconds_total"] = round(time.perf_counter() - started, 1)
    results["synthetic_1000"] = time_synthetic()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name in truths:
            for config, result in results.get(name, {}).items():
                if isinstance(result, dict):
                    print(_summary(f"{name} [{config}]", result))
        print(f"synthetic dense cluster: {results['synthetic_1000']}")
    return 0


def _result(score: Score, ambiguous: Score, by_split: dict[str, Score]) -> dict[str, Any]:
    skip = {"ms_p50", "ms_p95", "ms_max", "largest", "input_papers"}
    result = score.as_dict() | {"ambiguous_only": {k: v for k, v in ambiguous.as_dict().items() if k not in skip}}
    for part in sorted(by_split):
        result[part] = {k: v for k, v in by_split[part].as_dict().items() if k not in skip | {"ambiguous_clusters"}}
    return result


def _summary(name: str, result: dict[str, Any]) -> str:
    # Cluster names come from the corpus: untrusted text, stripped of control codes before printing.
    largest = ", ".join(f"{safe_line(x['cluster'])} {x['papers']}p {x['ms']} ms" for x in result["largest"])
    lines = [
        f"{name}: P={result['precision']:.4f} R={result['recall']:.4f} F1={result['f1']:.4f} "
        f"clusters={result['clusters']} (ambiguous {result['ambiguous_clusters']}) "
        f"scored papers={result['scored_papers']} input papers={result['input_papers']}"
    ]
    for part in ("dev", "test", "ambiguous_only"):
        if part in result:
            x = result[part]
            lines.append(
                f"  {part}: P={x['precision']:.4f} R={x['recall']:.4f} F1={x['f1']:.4f} "
                f"clusters={x['clusters']} scored papers={x['scored_papers']}"
            )
    lines.append(
        f"  per cluster ms: p50={result['ms_p50']} p95={result['ms_p95']} max={result['ms_max']}; largest: {largest}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
