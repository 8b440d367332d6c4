"""The benchmark's one table: our figures, the baselines beside them, ratios and the targets."""

from __future__ import annotations

from typing import Any

GB = 1024**3


def _row(
    metric: str, ours: float | None, unit: str, baseline: float | None = None, target: str = "", ok: bool | None = None
) -> tuple[str, ...]:
    def fmt(v: float | None) -> str:
        return "-" if v is None else f"{v:,.2f} {unit}".strip()

    ratio = f"{baseline / ours:,.1f}x" if baseline and ours else ""
    verdict = "" if ok is None else ("PASS" if ok else "MISS")
    return metric, fmt(ours), fmt(baseline), ratio, target, verdict


def rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    out = []
    imp = results.get("import")
    if imp:
        out.append(_row("import records/s", imp["records_per_s"], "", None, ">= 30,000", imp["records_per_s"] >= 30000))
        out.append(_row("import wall", imp["wall_s"], "s", None, "< 60 s", imp["wall_s"] < 60))
        out.append(
            _row("import peak RSS", imp["peak_rss_bytes"] / GB, "GB", None, "<= 3 GB", imp["peak_rss_bytes"] <= 3 * GB)
        )
    tiny = results.get("baseline_tinydb")
    start = results["startup"]
    out.append(
        _row(
            "startup: search bar accepts input",
            start["ready_s"],
            "s",
            tiny and tiny["open_s"],
            "<= 1.0 s",
            start["ready_s"] <= 1.0,
        )
    )
    out.append(
        _row(
            "startup: first query answered",
            start["answered_s"],
            "s",
            tiny and tiny["open_s"],
            "<= 2.0 s",
            start["answered_s"] <= 2.0,
        )
    )
    out.append(
        _row(
            "startup RSS (index loaded)",
            start["rss_bytes"] / GB,
            "GB",
            tiny and tiny["peak_rss_bytes"] / GB,
            "<= 1.2 GB",
            start["rss_bytes"] <= 1.2 * GB,
        )
    )
    search = results["search"]
    fuzzy = results["baseline_fuzzy"]["ms_per_query"]
    out.append(_row("keystroke p50", search["p50_ms"], "ms", fuzzy))
    out.append(_row("keystroke p95", search["p95_ms"], "ms", fuzzy, "<= 50 ms", search["p95_ms"] <= 50))
    out.append(_row("keystroke max", search["max_ms"], "ms", fuzzy, "<= 150 ms", search["max_ms"] <= 150))
    tiers = all(r["tiers_sorted"] for r in results["ranking"])
    out.append(
        ("tiers exact>prefix>fuzzy kept", "yes" if tiers else "NO", "", "", "all queries", "PASS" if tiers else "MISS")
    )
    page = results["open"]["cluster_page"]
    out.append(_row(f"cluster page p50 ({page['papers_min']}-{page['papers_max']} papers)", page["p50_ms"], "ms"))
    out.append(_row("cluster page p95", page["p95_ms"], "ms", None, "<= 50 ms", page["p95_ms"] <= 50))
    detail = results["open"]["paper_detail"]
    out.append(_row("paper detail p50", detail["p50_ms"], "ms"))
    out.append(_row("paper detail p95", detail["p95_ms"], "ms", None, "<= 20 ms", detail["p95_ms"] <= 20))
    return out


def print_table(results: dict[str, Any]) -> None:
    header = ("metric", "arrow-tui", "baseline", "ratio", "target", "")
    table = [header, *rows(results)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    stats = results["store_stats"]
    print(
        f"\nstore: {stats['papers']:,} papers, {stats['author_rows']:,} author rows, {stats['clusters']:,} clusters, "
        f"{stats['bytes_on_disk'] / GB:.2f} GB on disk"
    )
    print(
        "baselines: keystroke rows compare with a brute-force rapidfuzz WRatio scan of all "
        f"{results['baseline_fuzzy']['names']:,} names per query; startup rows with opening a single-file TinyDB "
        "store of the same papers (default JSON storage)."
    )
    print(f"startup measured in a {results['startup']['method']}.")
    if results.get("import"):
        print(f"import ran the {results['import']['importer_steps']} importer steps (tui/importers/_speedups.c).")
