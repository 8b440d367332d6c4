"""The benchmark: import, startup, search and page-open figures on a real corpus, with baselines.

    python -m tui.bench [--corpus FILE] [--store DIR] [--json OUT] [--skip-import] [--skip-tinydb]

Everything is measured in this run on this machine; nothing is cached between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from tui.bench import baselines
from tui.bench.measure import children_peak_rss_bytes, rss_bytes, summary_ms
from tui.bench.queries import QUERIES
from tui.bench.report import print_table
from tui.bench.startup import measure_startup
from tui.paths import StoreLocation
from tui.service import Library

DEFAULT_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dblp" / "dblp-2016-conf.bib.xz"


def measure_import(corpus: Path, store: Path) -> dict[str, Any]:
    """`arrow-tui import` of the whole corpus in a child process: wall time, records/s, peak RSS."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tui", "import", str(corpus), "--store", str(store), "--json"],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"import failed: {result.stderr.strip()[-500:]}")
    summary = json.loads(result.stdout)
    return {
        "importer_steps": importer_steps(),
        "records": summary["read"],
        "imported": summary["imported"],
        "wall_s": round(wall, 2),
        "records_per_s": round(summary["read"] / wall),
        "peak_rss_bytes": children_peak_rss_bytes(),
    }


def importer_steps() -> str:
    """Whether the import ran the compiled importer steps (``_speedups.c``) or their Python references.

    The import's child process runs this same installation, so it imports what this process imports.
    """
    from tui.importers import bibtex_syntax, records

    compiled = bibtex_syntax.fast_fields is not bibtex_syntax.python_fast_fields
    if compiled != (records.is_clean is not records.python_is_clean):
        return "mixed"
    return "compiled" if compiled else "python"


def measure_search(library: Library) -> dict[str, Any]:
    """Per-keystroke latency: every prefix of every query, as the search bar asks for it."""
    timings = []
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            start = time.perf_counter()
            library.search_as_you_type(query[:end])
            timings.append(time.perf_counter() - start)
    return {"queries": len(QUERIES), **summary_ms(timings)}


def measure_ranking(library: Library) -> list[dict[str, Any]]:
    """The top hits of each full query: shows the tiers are kept (exact before prefix before fuzzy)."""
    order = {"exact": 0, "prefix": 1, "fuzzy": 2}
    rows = []
    for query in QUERIES:
        hits = library.search(query, 5)
        tiers = [order[h.tier] for h in library.search(query, 50)]
        rows.append(
            {
                "query": query,
                "tiers_sorted": tiers == sorted(tiers),
                "top": [f"{h.name} ({h.tier}, {h.papers})" for h in hits[:3]],
            }
        )
    return rows


def measure_open(library: Library, samples: int = 200) -> dict[str, Any]:
    """Cluster pages of the 10 largest clusters (3 times each), and random paper details."""
    index = library.index
    largest = np.argsort(-index.cluster_paper_counts)[:10]
    page_times, sizes = [], []
    for _ in range(3):
        for cluster in largest:
            key = index.cluster_keys[int(cluster)]
            start = time.perf_counter()
            page = library.cluster(key)
            page_times.append(time.perf_counter() - start)
            sizes.append(page.paper_count)
    rng = random.Random(1)
    paper_times = []
    for paper_id in rng.sample(range(len(index.paper_years)), min(samples, len(index.paper_years))):
        start = time.perf_counter()
        library.paper(paper_id)
        paper_times.append(time.perf_counter() - start)
    return {
        "cluster_page": {**summary_ms(page_times), "papers_min": min(sizes), "papers_max": max(sizes)},
        "paper_detail": summary_ms(paper_times),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tui.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--store", type=Path, help="store directory (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="write the results as JSON here")
    parser.add_argument("--skip-import", action="store_true", help="reuse the store at --store as it is")
    parser.add_argument("--skip-tinydb", action="store_true", help="skip the single-file TinyDB baseline")
    args = parser.parse_args(argv)
    if args.skip_import and not args.store:
        parser.error("--skip-import needs --store")
    workdir = Path(tempfile.mkdtemp(prefix="arrow-bench-"))
    store = args.store or workdir / "store"
    results: dict[str, Any] = {"corpus": str(args.corpus), "store": str(store), "machine": {"cpus": os.cpu_count()}}
    try:
        if args.skip_import:
            results["import"] = None
        else:
            if not args.corpus.exists():
                parser.error(f"{args.corpus}: no such corpus")
            if store.exists() and any(store.iterdir()):
                parser.error(f"{store}: not empty; pass --skip-import to benchmark it as it is, or an empty directory")
            results["import"] = measure_import(args.corpus, store)
        library = Library.open(StoreLocation(store, True, "option"))
        results["store_stats"] = library.stats()
        largest = library.index.cluster_keys[int(np.argmax(library.index.cluster_paper_counts))]
        startup = measure_startup(
            store, query=largest, expect=library.index.cluster_names[int(np.argmax(library.index.cluster_paper_counts))]
        )
        results["startup"] = {
            "method": "real terminal: a pty running `python -m tui`, screen rebuilt with pyte",
            "query": largest,
            "ready_s": round(startup.ready_s, 3),
            "answered_s": round(startup.answered_s, 3),
            "rss_bytes": startup.rss_bytes,
        }
        load_start = time.perf_counter()
        library.warm()
        results["index_load_in_process_s"] = round(time.perf_counter() - load_start, 3)
        results["search"] = measure_search(library)
        results["ranking"] = measure_ranking(library)
        results["open"] = measure_open(library)
        results["baseline_fuzzy"] = baselines.brute_force_fuzzy(library.index, QUERIES)
        results["rss_after_queries_bytes"] = rss_bytes()
        if not args.skip_tinydb:
            single = workdir / "single-file-tinydb.json"
            results["baseline_tinydb"] = {
                "papers_written": baselines.write_single_file_tinydb(library.index, single),
                **baselines.open_single_file_tinydb(single),
            }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0
