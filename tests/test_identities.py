"""Identity hints inside a name cluster: the seed cluster, synthetic cases, the B-cubed metric, real data."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import build_store, need_shared, paper, run_cli
from tui.bench.identities import (
    ClusterCorpus,
    Score,
    acl_truth,
    bcubed,
    dblp_truth,
    evaluate,
    f1,
    fit_logistic,
    likely_training_pairs,
    read_papers,
    split_of,
)
from tui.identities import (
    LIKELY_MODEL,
    TWO_HOP_MAX_PAPERS,
    coauthor_components,
    cosine_matrix,
    group_positions,
    identity_groups,
    likely_pair_features,
    venue_key,
)
from tui.library_evidence import library_evidence
from tui.models import AuthorInput, ClusterPage, Paper, PaperInput
from tui.names import parse_name
from tui.service import Library

REQUIRED_KEYS = {"paper_ids", "papers", "years", "top_venues", "top_coauthors", "evidence"}


def make_page(name: str, papers: list[dict[str, Any]], rows: list[dict[str, Any]] | None = None) -> ClusterPage:
    """A cluster page from short paper specs: authors as "Name" or ("Name", row id); optional title."""
    key = parse_name(name).key
    built: list[Paper] = []
    for number, spec in enumerate(papers):
        refs = []
        for author in spec["authors"]:
            written, row = author if isinstance(author, tuple) else (author, -1)
            refs.append({"name": written, "row": row, "key": parse_name(written).key})
        built.append(
            {
                "id": number,
                "title": spec.get("title", f"paper {number}"),
                "year": spec.get("year"),
                "venue": spec.get("venue", ""),
                "authors": refs,
            }
        )  # type: ignore[typeddict-item]
    return ClusterPage(key=key, name=name, rows=rows or [], papers=built)


def groups_of(page: ClusterPage, **options: Any) -> list[set[int]]:
    return sorted(({page.papers[i]["id"] for i in g} for g in group_positions(page, **options)), key=min)


# -- the seed cluster -------------------------------------------------------------------------


def test_seed_cluster_splits_the_thyroid_paper_from_the_other_eight(demo: Library) -> None:
    page = demo.cluster("wenkai yang")
    groups = identity_groups(page)
    assert [g["papers"] for g in groups] == [8, 1]
    alone = next(p for p in page.papers if p["id"] == groups[1]["paper_ids"][0])
    assert alone["year"] == 2021 and "thyroid" in alone["title"].lower()
    assert groups[1]["years"] == [2021, 2021]
    assert groups[0]["years"] == [2022, 2025]
    assert "Yankai Lin" in groups[0]["top_coauthors"] and "Xu Sun" in groups[0]["top_coauthors"]
    for group in groups:
        assert group.keys() >= REQUIRED_KEYS
    assert "no co-author" in groups[1]["evidence"]
    json.dumps(groups)  # the CLI prints it as JSON


def test_seed_cluster_splits_the_same_way_without_its_author_rows(demo: Library) -> None:
    """The demo store's two rows came from co-author groups; the split must not depend on them."""
    page = demo.cluster("wenkai yang")
    blind = ClusterPage(key=page.key, name=page.name, rows=[], papers=page.papers)
    assert [g["papers"] for g in identity_groups(blind)] == [8, 1]


def test_seed_cluster_splits_the_same_way_with_library_evidence(demo: Library) -> None:
    """What the app ships: the groups computed with the demo library's own lookups."""
    page = demo.cluster("wenkai yang")
    groups = demo.identities(page)
    assert [g["papers"] for g in groups] == [8, 1]
    alone = next(p for p in page.papers if p["id"] == groups[1]["paper_ids"][0])
    assert "thyroid" in alone["title"].lower()


def test_cli_cluster_json_carries_the_identities() -> None:
    result = run_cli("cluster", "Wenkai Yang", "--json")
    assert result.returncode == 0, result.stderr
    identities = json.loads(result.stdout)["identities"]
    assert sorted(g["papers"] for g in identities) == [1, 8]


# -- synthetic clusters -------------------------------------------------------------------------


def test_shared_orcid_links_papers_with_nothing_else_in_common() -> None:
    rows = [
        {"id": 1, "name": "Ana Prolix", "suffix": "", "orcid": "0000-0001", "source_ids": ["openreview:~Ana1"]},
        {"id": 2, "name": "Ana Prolix", "suffix": "", "orcid": "0000-0001", "source_ids": ["name:Ana Prolix"]},
        {"id": 3, "name": "Ana Prolix", "suffix": "", "orcid": "", "source_ids": ["name:Ana Prolix"]},
    ]
    page = make_page(
        "Ana Prolix",
        [
            {"authors": [("Ana Prolix", 1), "Bo Quill"], "venue": "KDD", "year": 2010},
            {"authors": [("Ana Prolix", 2), "Cy Ranter"], "venue": "CHI", "year": 2020},
            {"authors": [("Ana Prolix", 3), "Di Sorrel"], "venue": "SODA", "year": 2015},
        ],
        rows,
    )
    assert groups_of(page) == [{0, 1}, {2}]
    linked = identity_groups(page)[0]
    assert linked["explicit_ids"] == ["openreview:~Ana1", "orcid:0000-0001"]
    assert "orcid:0000-0001" in linked["evidence"]


def test_two_identities_from_one_source_are_never_merged_even_with_shared_coauthors() -> None:
    rows = [
        {"id": 1, "name": "Yang Liu", "suffix": "0003", "orcid": "", "source_ids": ["name:Yang Liu 0003"]},
        {"id": 2, "name": "Yang Liu", "suffix": "0004", "orcid": "", "source_ids": ["name:Yang Liu 0004"]},
    ]
    shared = ["Quentin Rarename", "Ulla Uncommon"]
    page = make_page(
        "Yang Liu",
        [
            {"authors": [("Yang Liu 0003", 1), *shared], "venue": "ACL", "year": 2015},
            {"authors": [("Yang Liu 0004", 2), *shared], "venue": "ACL", "year": 2015},
            {"authors": [("Yang Liu 0003", 1), "Zed Other"], "venue": "IJCAI", "year": 2012},
        ],
        rows,
    )
    assert groups_of(page) == [{0, 2}, {1}]


def test_a_prolific_common_coauthor_does_not_merge_two_people() -> None:
    """Two people called "Yang Liu" each wrote with a (different) "Wei Wang": a huge name cluster."""
    first = [
        {"authors": ["Yang Liu", "Wei Wang", "Annika Vestergaard"], "venue": "ICDE", "year": y} for y in (2010, 2011)
    ]
    second = [
        {"authors": ["Yang Liu", "Wei Wang", "Rodrigo Albuquerque"], "venue": "CVPR", "year": y} for y in (2012, 2013)
    ]
    page = make_page("Yang Liu", first + second)
    sizes = {"wei wang": 5000, "annika vestergaard": 3, "rodrigo albuquerque": 4}
    assert groups_of(page, name_sizes=sizes.get) == [{0, 1}, {2, 3}]
    # Without the library's counts, the name's shape says "Wei Wang" is common: same answer.
    assert groups_of(page) == [{0, 1}, {2, 3}]
    explained = identity_groups(page, sizes.get)
    assert explained[0]["coauthors_shared_with_other_groups"] == ["Wei Wang"]
    assert "too little to merge" in explained[0]["evidence"]


def test_a_rare_coauthor_links_two_papers_on_its_own() -> None:
    page = make_page(
        "Yang Liu",
        [
            {"authors": ["Yang Liu", "Annika Vestergaard"], "venue": "ICDE", "year": 2010},
            {"authors": ["Yang Liu", "Annika Vestergaard"], "venue": "CVPR", "year": 2016},
            {"authors": ["Yang Liu", "Rodrigo Albuquerque"], "venue": "SOSP", "year": 2012},
        ],
    )
    assert groups_of(page) == [{0, 1}, {2}]
    assert identity_groups(page)[0]["links"] == {"coauthor": 1}


def test_papers_without_coauthors_group_only_by_venue_and_a_single_paper_stands_alone() -> None:
    page = make_page(
        "Hildegard Quasimodo",
        [
            {"authors": ["Hildegard Quasimodo"], "venue": "STOC", "year": 2001},
            {"authors": ["Hildegard Quasimodo"], "venue": "STOC", "year": 2003},
            {"authors": ["Hildegard Quasimodo"], "venue": "Nature", "year": 2019},
            {"authors": ["Hildegard Quasimodo"], "venue": "", "year": None},
        ],
    )
    groups = identity_groups(page)
    assert [g["papers"] for g in groups] == [2, 1, 1]
    assert groups[0]["links"] == {"venue": 1} and groups[0]["top_venues"] == ["STOC"]
    assert groups[2]["years"] is None and groups[2]["top_coauthors"] == []


def test_a_cluster_of_one_paper_and_an_empty_cluster() -> None:
    one = make_page("Solo Author", [{"authors": ["Solo Author"], "venue": "X", "year": 2020}])
    assert [g["evidence"] for g in identity_groups(one)] == ["the only group in this cluster"]
    assert identity_groups(make_page("Nobody", [])) == []


def test_coauthor_components_still_groups_by_any_shared_coauthor() -> None:
    """The Arrow-page importer assigns author rows with it."""
    assert coauthor_components([{"a"}, {"b"}, {"a", "c"}, set()]) == [[0, 2], [1], [3]]


def test_volumes_of_one_proceedings_are_one_venue() -> None:
    assert venue_key("ISNN (2)") == venue_key("ISNN (1)") == venue_key("isnn")
    assert venue_key("DEXA Workshops") != venue_key("DEXA")


# -- library evidence ------------------------------------------------------------------------------


def two_hop_page() -> ClusterPage:
    """Three papers sharing neither co-authors, venues nor title words."""
    return make_page(
        "Quinn Obscura",
        [
            {"authors": ["Quinn Obscura", "Alma Firstcircle", "Bruno Firstcircle"], "venue": "KDD", "year": 2010},
            {"authors": ["Quinn Obscura", "Carla Secondring", "Dario Secondring"], "venue": "ICDE", "year": 2012},
            {"authors": ["Quinn Obscura", "Elena Elsewhere"], "venue": "SODA", "year": 2011},
        ],
    )


def test_coauthors_who_wrote_together_elsewhere_link_two_papers() -> None:
    """Two-hop: each co-author of paper 0 has written with a co-author of paper 1 in the library."""
    circles = {
        "alma firstcircle": {"carla secondring", "someone else"},
        "carla secondring": {"alma firstcircle"},
        "bruno firstcircle": {"dario secondring"},
        "dario secondring": {"bruno firstcircle"},
    }
    page = two_hop_page()
    assert groups_of(page) == [{0}, {1}, {2}]
    linked = groups_of(page, coauthor_neighbours=lambda key: circles.get(key, set()))
    assert linked == [{0, 1}, {2}]
    # A hub (the lookup says None: too many papers to be worth reading) adds nothing.
    assert groups_of(page, coauthor_neighbours=lambda key: None) == [{0}, {1}, {2}]


def test_rare_title_words_link_papers_and_common_ones_do_not() -> None:
    titles = [
        "Shear-wave elastography of thyroid nodules",
        "Thyroid elastography with deep features",
        "Learning with deep features for ranking",
    ]
    page = make_page(
        "Quinn Obscura",
        [
            {"authors": ["Quinn Obscura", f"Coauthor{i} Distinct{i}"], "venue": f"V{i}", "year": 2010, "title": t}
            for i, t in enumerate(titles)
        ],
    )
    rare = {"thyroid": 1e-5, "elastography": 1e-5}
    assert groups_of(page) == [{0}, {1}, {2}]
    # "deep" and "features" are on 5% of the library's titles: not evidence.
    assert groups_of(page, title_word_share=lambda word: rare.get(word, 0.05)) == [{0, 1}, {2}]


def no_library(key: str) -> frozenset[str]:
    return frozenset()


def rare_words(word: str) -> float:
    return 1e-5


def test_lone_papers_of_a_rare_name_are_likely_one_person_with_library_evidence() -> None:
    """The last stage's base score: papers without co-authors, in a small cluster of a rare name."""
    page = make_page(
        "Hildegard Quasimodo",
        [
            {"authors": ["Hildegard Quasimodo"], "venue": "STOC", "year": 2001, "title": "Lattice sieving"},
            {"authors": ["Hildegard Quasimodo"], "venue": "Nature", "year": 2019, "title": "Coral bleaching"},
        ],
    )
    assert groups_of(page) == [{0}, {1}]
    groups = identity_groups(page, coauthor_neighbours=no_library, title_word_share=rare_words)
    assert [g["papers"] for g in groups] == [2] and groups[0]["links"] == {"likely": 1}
    assert "weighed together" in groups[0]["evidence"]


def test_papers_with_coauthors_need_shared_circles_to_be_likely_one_person() -> None:
    """Co-authors who never wrote together but share their own co-authors (three hops) link two papers."""
    page = make_page(
        "Quinn Obscura",
        [
            {"authors": ["Quinn Obscura", "Alma Firstcircle"], "venue": "KDD", "year": 2010, "title": "Graph cuts"},
            {"authors": ["Quinn Obscura", "Carla Secondring"], "venue": "SODA", "year": 2012, "title": "Tree codes"},
        ],
    )
    lonely = groups_of(page, coauthor_neighbours=no_library, title_word_share=rare_words)
    assert lonely == [{0}, {1}]
    lab = frozenset({"quinn obscura", "pia labmate", "ole labmate", "eva labmate"})
    circles = {"alma firstcircle": lab, "carla secondring": lab}
    shared = groups_of(page, coauthor_neighbours=lambda key: circles.get(key, frozenset()), title_word_share=rare_words)
    assert shared == [{0, 1}]


def test_the_likely_features_are_the_models_and_a_refit_recovers_known_weights() -> None:
    page = make_page(
        "Quinn Obscura",
        [
            {"authors": ["Quinn Obscura", f"Coauthor{i} Distinct{i}"], "venue": f"V{i}", "year": 2010, "title": t}
            for i, t in enumerate(["Graph cuts", "Tree codes", "Lattice sieving"])
        ],
    )
    members, features = likely_pair_features(page, None, no_library, rare_words)
    assert sorted(sorted(m) for m in members) == [[0], [1], [2]]
    assert set(features) == set(LIKELY_MODEL)
    assert all(matrix.shape == (3, 3) for matrix in features.values())
    pairs, labels, weights = likely_training_pairs([(page, ["a", "a", "b"])], None, no_library, rare_words)
    assert pairs.shape == (3, len(LIKELY_MODEL)) and sorted(labels.tolist()) == [0.0, 0.0, 1.0]
    assert weights.tolist() == [1.0, 1.0, 1.0]
    # Soft labels drawn from a known logistic model: the fit finds its weights again.
    rng = np.random.default_rng(6)
    x = np.column_stack([np.ones(4000), rng.normal(size=4000)])
    truth = np.array([0.5, -2.0])
    y = 1 / (1 + np.exp(-x @ truth))
    assert fit_logistic(x, y, np.ones(4000)) == pytest.approx(truth, abs=0.02)


def test_the_cosine_matrix_matches_a_direct_computation_sparse_or_dense() -> None:
    rng = np.random.default_rng(6)
    for dimensions in (5, 5000):  # widely shared dimensions (dense product) or few shared (paired entries)
        vectors = [
            {f"d{d}": float(rng.integers(1, 4)) for d in rng.choice(dimensions, size=4, replace=False)}
            for _ in range(40)
        ]
        vectors.append({})
        cosines = cosine_matrix(vectors)
        for a in range(len(vectors)):
            for b in range(a + 1, len(vectors)):
                dot = sum(value * vectors[b].get(key, 0.0) for key, value in vectors[a].items())
                lengths = math.prod(math.sqrt(sum(v * v for v in vectors[i].values())) or 1.0 for i in (a, b))
                assert cosines[a, b] == pytest.approx(dot / lengths) == pytest.approx(cosines[b, a])


def test_library_evidence_reads_a_built_store(tmp_path: Path) -> None:
    library = build_store(
        tmp_path / "store",
        [
            paper("Shear-wave elastography", ["Quinn Obscura", "Alma Firstcircle"], venue="KDD"),
            paper("Graph mining at scale", ["Alma Firstcircle", "Carla Secondring"], venue="ICDE"),
            paper("Streams", ["Carla Secondring", "Quinn Obscura"], venue="SODA"),
        ],
    )
    evidence = library_evidence(library.index)
    assert set(evidence) == {"name_sizes", "coauthor_neighbours", "title_word_share"}
    assert evidence["name_sizes"]("alma firstcircle") == 2 and evidence["name_sizes"]("nobody here") is None
    assert set(evidence["coauthor_neighbours"]("alma firstcircle")) == {"quinn obscura", "carla secondring"}
    assert not evidence["coauthor_neighbours"]("nobody here")
    assert evidence["title_word_share"]("elastography") == pytest.approx(1 / 3)
    assert evidence["title_word_share"]("unseen") == 0.0
    groups = identity_groups(library.cluster("Quinn Obscura"), **evidence)
    assert sum(g["papers"] for g in groups) == 2


def test_the_coauthor_lookup_skips_prolific_names(tmp_path: Path) -> None:
    papers = [paper(f"paper {i}", ["Hub Prolific", f"Person{i} Someone"]) for i in range(TWO_HOP_MAX_PAPERS + 1)]
    library = build_store(tmp_path / "store", papers)
    neighbours = library_evidence(library.index)["coauthor_neighbours"]
    assert neighbours("hub prolific") is None
    assert set(neighbours("person1 someone")) == {"hub prolific"}


# -- the B-cubed metric -------------------------------------------------------------------------


def test_bcubed_perfect_and_all_merged() -> None:
    assert bcubed(["x", "x", "y"], ["A", "A", "B"]) == (3.0, 3.0, 3)
    precision, recall, items = bcubed([1, 1, 1, 1], ["A", "A", "B", "B"])
    assert (precision / items, recall / items) == (0.5, 1.0)


def test_bcubed_hand_computed_example() -> None:
    # Truth: A = {0, 1, 2}, B = {3, 4}. Predicted: p = {0, 1}, q = {2, 3, 4}.
    # Precision per item: 0 -> 2/2, 1 -> 2/2, 2 -> 1/3, 3 -> 2/3, 4 -> 2/3; mean = 11/15.
    # Recall per item:    0 -> 2/3, 1 -> 2/3, 2 -> 1/3, 3 -> 2/2, 4 -> 2/2; mean = 11/15.
    precision, recall, items = bcubed(["p", "p", "q", "q", "q"], ["A", "A", "A", "B", "B"])
    assert items == 5
    assert precision / items == pytest.approx(11 / 15)
    assert recall / items == pytest.approx(11 / 15)
    assert f1(11 / 15, 11 / 15) == pytest.approx(11 / 15)


def test_bcubed_all_split_and_pooled_over_clusters() -> None:
    score = Score()
    score.add(["a", "b", "c"], ["A", "A", "A"])  # precision 1, recall 1/3 for each item
    score.add(["a"], ["A"])  # a lone paper: 1 and 1
    assert score.items == 4 and score.clusters == 2
    assert score.precision == pytest.approx(1.0)
    assert score.recall == pytest.approx((3 * (1 / 3) + 1) / 4)
    with pytest.raises(ValueError):
        bcubed(["a"], ["A", "B"])


def test_the_evaluation_hides_the_truth_from_the_grouping() -> None:
    corpus = ClusterCorpus(dblp_truth)
    corpus.add(PaperInput("t1", [AuthorInput("Yang Liu 0003"), AuthorInput("Annika Rarename")], venue="A", year=2001))
    corpus.add(PaperInput("t2", [AuthorInput("Yang Liu 0004"), AuthorInput("Annika Rarename")], venue="B", year=2002))
    corpus.add(PaperInput("t3", [AuthorInput("Yang Liu"), AuthorInput("Bob Other")], venue="C", year=2003))
    page, labels = corpus.page("yang liu")
    assert sorted(label or "" for label in labels) == ["", "0003", "0004"]
    assert all(not row["suffix"] and not row["orcid"] for row in page.rows)
    assert {ref["name"] for p in page.papers for ref in p["authors"]} == {"Yang Liu", "Annika Rarename", "Bob Other"}
    overall, ambiguous = evaluate(corpus)
    # "Annika Rarename" links the two suffixed papers: the grouping cannot see the suffixes, so it merges them.
    assert overall.items == 2 and overall.precision == pytest.approx(0.5) and ambiguous.clusters == 1


def test_the_split_is_fixed_and_halves_the_clusters() -> None:
    keys = [f"name {i}" for i in range(2000)]
    parts = [split_of(k) for k in keys]
    assert parts == [split_of(k) for k in keys]
    assert set(parts) == {"dev", "test"} and 900 < parts.count("dev") < 1100


def test_the_evaluation_reports_each_half_and_the_library_configuration() -> None:
    corpus = ClusterCorpus(dblp_truth)
    for i in range(40):
        corpus.add(PaperInput(f"t{i}", [AuthorInput(f"Name{i} Person 0001"), AuthorInput(f"Helper{i} Person")]))
        corpus.add(PaperInput(f"u{i}", [AuthorInput(f"Name{i} Person 0001"), AuthorInput(f"Helper{i} Person")]))
    assert corpus.coauthor_neighbours("helper3 person") == frozenset({"name3 person"})
    assert corpus.title_word_share("t3") == pytest.approx(1 / 80)
    for use_library in (False, True):
        by_split: dict[str, Score] = {}
        overall, _ambiguous = evaluate(corpus, use_library=use_library, by_split=by_split)
        assert set(by_split) == {"dev", "test"}
        assert by_split["dev"].items + by_split["test"].items == overall.items == 80
        assert overall.precision == overall.recall == 1.0


# -- real data ------------------------------------------------------------------------------------


def test_real_acl_names_with_anthology_ids() -> None:
    path = need_shared("data", "acl-anthology", "acl-anthology-2021-06.tar.xz")
    corpus = ClusterCorpus(acl_truth)
    for item in read_papers("acl", path, limit=20000):
        corpus.add(item)
    overall, _ambiguous = evaluate(corpus)
    assert overall.clusters > 100
    assert overall.precision >= 0.95
    assert overall.recall >= 0.6


def test_real_dblp_suffixed_names() -> None:
    path = need_shared("data", "dblp", "dblp-2016-conf.bib.xz")
    corpus = ClusterCorpus(dblp_truth)
    for item in read_papers("bibtex", path, limit=40000):
        corpus.add(item)
    overall, _ambiguous = evaluate(corpus)
    assert overall.clusters > 20
    assert overall.precision >= 0.9
    with_library, _ambiguous = evaluate(corpus, use_library=True)
    assert with_library.precision >= 0.9
    assert with_library.recall >= overall.recall
