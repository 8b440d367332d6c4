"""The command line on the demo store: output, JSON shape, and one-line errors."""

import json

from tests.conftest import run_cli


def _env(isolated_home):
    return {"XDG_DATA_HOME": str(isolated_home / "xdg"), "HOME": str(isolated_home / "home"), "ARROW_TUI_STORE": ""}


def test_search_json_fields(isolated_home):
    result = run_cli("search", "yang wenkai", "--json", env=_env(isolated_home))
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert hits[0]["name"] == "Wenkai Yang"
    assert {"name", "key", "papers", "author_rows", "tier", "score"} <= set(hits[0])
    assert (hits[0]["papers"], hits[0]["author_rows"], hits[0]["tier"]) == (9, 2, "exact")


def test_search_limit(isolated_home):
    hits = json.loads(run_cli("search", "y", "--limit", "3", "--json", env=_env(isolated_home)).stdout)
    assert len(hits) == 3


def test_cluster_text_and_unknown_cluster(isolated_home):
    result = run_cli("cluster", "Yankai Lin", env=_env(isolated_home))
    assert result.returncode == 0 and "6 papers, 2 author rows" in result.stdout
    result = run_cli("cluster", "Nobody Atall", env=_env(isolated_home))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "no author-name cluster" in result.stderr


def test_stats_json(isolated_home):
    info = json.loads(run_cli("stats", "--json", env=_env(isolated_home)).stdout)
    assert info["papers"] == 9 and info["read_only"] is True and info["bytes_on_disk"] > 0
    # The seed page lists 38 distinct written names (34 once suffixes and case are folded); its own
    # name "Wenkai Yang" is split over two rows, hence 39 rows.
    assert (info["clusters"], info["author_rows"]) == (34, 39)


def test_bad_arguments_are_one_line(isolated_home):
    result = run_cli("search", "x", "--limit", "zero", env=_env(isolated_home))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = run_cli("import", str(isolated_home / "missing.bib"), "--store", str(isolated_home / "s"))
    assert result.returncode == 2 and "no such file" in result.stderr


def test_served_sessions_cannot_change_the_store(isolated_home, tmp_path):
    from tests.conftest import build_store, paper

    build_store(tmp_path / "s", [paper("T", ["A B"], 2001)])
    env = {**_env(isolated_home), "ARROW_TUI_READ_ONLY": "1"}
    result = run_cli("import", str(tmp_path / "x.bib"), "--store", str(tmp_path / "s"), env=env)
    assert result.returncode == 2 and "read-only" in result.stderr
    assert run_cli("search", "a b", "--store", str(tmp_path / "s"), env=env).returncode == 0
