"""The bundled demo store against the seed page it was built from."""

import json
import re

from tests.conftest import REPO, need_shared, run_cli


def test_demo_cluster_has_nine_papers_and_two_rows(demo):
    page = demo.cluster("wenkai yang")
    assert page.name == "Wenkai Yang"
    assert page.paper_count == 9
    assert len(page.rows) == 2
    years = [p["year"] for p in page.papers]
    assert years == sorted(years, reverse=True)


def test_thyroid_paper_is_the_second_row_alone(demo):
    page = demo.cluster("Wenkai Yang")
    first, second = page.rows
    assert (first["papers"], second["papers"]) == (8, 1)
    thyroid = next(p for p in page.papers if "thyroid" in p["title"])
    assert thyroid["year"] == 2021
    own_rows = {ref["row"] for p in page.papers for ref in p["authors"] if ref["key"] == "wenkai yang"}
    assert own_rows == {first["id"], second["id"]}
    thyroid_row = next(ref["row"] for ref in thyroid["authors"] if ref["key"] == "wenkai yang")
    assert thyroid_row == second["id"]


def test_suffixed_names_are_rows_of_the_plain_cluster(demo):
    page = demo.cluster("Yankai Lin")
    assert sorted(r.get("suffix", "") for r in page.rows) == ["", "0001"]


def test_demo_matches_the_seed_page_exactly():
    seed = need_shared("seed", "arrow-author-cluster-wenkai-yang.txt").read_text(encoding="utf-8")
    result = run_cli("cluster", "wenkai yang", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["papers"], data["author_rows"]) == (9, 2)
    blocks = re.split(
        r"\n(?=\S[^\n]* (?:Conference|Journal) \d{4} [^\n]+\n\n)", seed.split("Possible papers\n\n9\n\n", 1)[1]
    )
    assert len(blocks) == 9
    for block, paper in zip(blocks, data["paper_list"], strict=True):
        header, title, rest = block.strip().split("\n\n", 2)
        bullets, _, abstract = rest.partition("\n\n")
        assert header == f"{paper['venue']} {paper['venue_kind']} {paper['year']} {paper['type']}"
        assert title == paper["title"]
        assert [b.strip().lstrip("• ") for b in bullets.splitlines()] == [a["name"] for a in paper["authors"]]
        assert abstract.strip() == paper["abstract"]


def test_build_script_reproduces_the_committed_demo(tmp_path, demo):
    seed = need_shared("seed", "arrow-author-cluster-wenkai-yang.txt")
    import importlib.util

    from tui.paths import StoreLocation
    from tui.service import Library

    spec = importlib.util.spec_from_file_location("build_demo", REPO / "scripts" / "build_demo_store.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(seed, tmp_path / "data")
    rebuilt = Library.open(StoreLocation(tmp_path / "data", True, "option"))
    assert rebuilt.cluster("wenkai yang").as_dict() == demo.cluster("wenkai yang").as_dict()
    assert rebuilt.stats()["papers"] == demo.stats()["papers"] == 9
