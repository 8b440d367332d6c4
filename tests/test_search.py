"""Search tiers and ranking on a store built from real-looking names."""

import pytest

from tests.conftest import build_store, paper


@pytest.fixture
def library(tmp_path):
    papers = [
        paper("A", ["Wenkai Yang", "Xu Sun"], 2024),
        paper("B", ["Wenkai Yang 0002", "Jürgen Schmidhuber"], 2023),
        paper("C", ["Wen Yang", "Jurgen Schmidhuber"], 2020),
        paper("D", ["Wenkai Yangson"], 2019),
        paper("E", ["Kai Wenyang"], 2018),
        paper("F", ["王小明", "Wen Yang"], 2017),
        paper("G", ["Wen Yang"], 2016),
        paper("H", ["W. Yang"], 2015),
    ]
    return build_store(tmp_path / "store", papers)


def tiers(hits):
    return [(h.name, h.tier) for h in hits]


def test_exact_in_any_order_and_case(library):
    for query in ("Wenkai Yang", "yang wenkai", "WENKAI YANG"):
        top = library.search(query)[0]
        assert (top.key, top.tier, top.score) == ("wenkai yang", "exact", 100.0)
        assert top.papers == 2 and top.author_rows == 2


def test_accents_and_suffixes_share_clusters(library):
    top = library.search("Jurgen Schmidhuber")[0]
    assert top.key == "jurgen schmidhuber" and top.papers == 2 and top.tier == "exact"


def test_prefix_words_in_any_order(library):
    hits = library.search("yang wenk")
    assert hits[0].key == "wenkai yang" and hits[0].tier == "prefix"
    hits = library.search("w yang")
    keys = [h.key for h in hits if h.tier != "fuzzy"]
    assert set(keys) >= {"wenkai yang", "wen yang", "w. yang"}
    assert "kai wenyang" not in keys  # "yang" must start a word, not sit inside one


def test_exact_before_prefix_before_fuzzy(library):
    hits = library.search("wen yang")
    order = {"exact": 0, "prefix": 1, "fuzzy": 2}
    ranks = [order[h.tier] for h in hits]
    assert ranks == sorted(ranks)
    assert hits[0].key == "wen yang" and hits[0].tier == "exact"
    assert any(h.tier == "prefix" for h in hits)


def test_within_a_tier_more_papers_first_on_equal_score(library):
    hits = [h for h in library.search("wen") if h.tier == "prefix"]
    same_score = [h for h in hits if h.score == hits[0].score]
    assert [h.papers for h in same_score] == sorted((h.papers for h in same_score), reverse=True)


def test_typos_are_found_fuzzily(library):
    hits = library.search("wenkia yang")
    assert hits[0].key == "wenkai yang" and hits[0].tier == "fuzzy"


def test_cjk_name(library):
    assert library.search("王小明")[0].key == "王小明"
    assert library.search("王小")[0].key == "王小明"


def test_repeated_query_words_need_distinct_name_words(library):
    assert all(h.key != "wen yang" for h in library.search("yang yang") if h.tier != "fuzzy")


def test_no_results_and_empty_query(library):
    assert library.search("") == []
    assert library.search("   ") == []
    assert library.search("zzqqxx") == []


def test_title_words_are_searchable(tmp_path):
    lib = build_store(
        tmp_path / "s",
        [
            paper("Learning to Focus: Causal Attention", ["A B"], 2025),
            paper("Attention is all you need", ["C D"], 2017),
            paper("Unrelated work", ["E F"], 2020),
        ],
    )
    hits = lib.search_titles("attention")
    assert [h.title for h in hits] == ["Learning to Focus: Causal Attention", "Attention is all you need"]
    assert [h.title for h in lib.search_titles("causal atten")] == ["Learning to Focus: Causal Attention"]
    assert lib.search_titles("nothing here") == []
