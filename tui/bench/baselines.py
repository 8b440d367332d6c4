"""The baselines the benchmark compares against, measured in the same run.

- A single-file TinyDB store of the same papers, opened with TinyDB's default JSON storage: the
  naive layout this project avoids. Opened in a child process so its peak memory is its own.
- Brute-force ``rapidfuzz.process.extract`` (WRatio) over every cluster name, per query.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson
from rapidfuzz import fuzz, process

from tui.index.reader import Index

_OPEN_TINYDB = """
import resource, sys, time
t = time.perf_counter()
from tinydb import TinyDB
db = TinyDB(sys.argv[1])
n = len(db)
elapsed = time.perf_counter() - t
print(n, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def write_single_file_tinydb(index: Index, path: Path) -> int:
    """All papers of the store in one TinyDB JSON file (table ``_default``), as TinyDB writes it."""
    with path.open("wb") as out:
        out.write(b'{"_default": {')
        count = 0
        for paper_id in index.paper_ids():
            paper = index.paper(paper_id)
            if paper is None:
                continue
            out.write(b'%s"%d": %s' % (b", " if count else b"", paper_id + 1, orjson.dumps(paper)))
            count += 1
        out.write(b"}}")
    return count


def open_single_file_tinydb(path: Path) -> dict[str, float]:
    """Open the file with TinyDB's default storage in a fresh process: seconds and peak RSS."""
    result = subprocess.run([sys.executable, "-c", _OPEN_TINYDB, str(path)], capture_output=True, text=True, check=True)
    documents, seconds, peak = result.stdout.split()
    return {"documents": int(documents), "open_s": float(seconds), "peak_rss_bytes": int(peak)}


def brute_force_fuzzy(index: Index, queries: list[str], limit: int = 20) -> dict[str, float]:
    """Milliseconds per query of a WRatio scan over every cluster name."""
    names = index.cluster_keys
    timings = []
    for query in queries:
        start = time.perf_counter()
        process.extract(query.lower(), names, scorer=fuzz.WRatio, limit=limit)
        timings.append(time.perf_counter() - start)
    return {"queries": len(queries), "names": len(names), "ms_per_query": 1000 * sum(timings) / len(timings)}
