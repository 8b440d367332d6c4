"""Small measuring helpers: percentiles, resident memory, a child process's peak memory."""

from __future__ import annotations

import math
import os
import resource
import statistics
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = math.ceil(q / 100 * len(ordered))  # nearest rank, 1-based
    return ordered[max(0, min(len(ordered), rank) - 1)]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "max_ms": round(max(ms, default=0.0), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
    }


def rss_bytes(pid: int | None = None) -> int:
    """Current resident set size of a process (this one by default)."""
    status = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def children_peak_rss_bytes() -> int:
    """Largest peak RSS among waited-for child processes (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
