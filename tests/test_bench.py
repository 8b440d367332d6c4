"""The benchmark's own code path, run end to end on the demo store (figures are not asserted)."""

import json
import os
import shutil

from tui.bench.measure import percentile
from tui.bench.queries import QUERIES
from tui.bench.run import importer_steps, main
from tui.paths import demo_store_path


def test_percentile_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95), percentile(values, 100)) == (50.0, 95.0, 100.0)
    assert percentile([], 50) == 0.0


def test_benchmark_runs_on_the_demo_store(tmp_path, capsys):
    store = tmp_path / "store"
    shutil.copytree(demo_store_path(), store)
    out = tmp_path / "bench.json"
    assert main(["--store", str(store), "--skip-import", "--json", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["store_stats"]["papers"] == 9
    assert results["search"]["n"] == sum(len(q) for q in QUERIES)  # one timing per keystroke
    assert results["search"]["queries"] >= 30
    assert 0 < results["startup"]["ready_s"] <= results["startup"]["answered_s"]
    assert results["baseline_tinydb"]["documents"] == 9
    assert all(r["tiers_sorted"] for r in results["ranking"])
    assert results["open"]["cluster_page"]["papers_max"] == 9
    table = capsys.readouterr().out
    assert "keystroke p95" in table and "startup: search bar accepts input" in table


def test_the_benchmark_says_which_importer_steps_the_import_ran():
    steps = importer_steps()
    assert steps in ("compiled", "python")
    if os.environ.get("ARROW_TUI_REQUIRE_COMPILED"):  # CI builds them: a figure from the fallback would say so
        assert steps == "compiled"
