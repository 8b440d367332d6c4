"""Build the derived index of a generation from its TinyDB shards.

Everything the UI reads on a keystroke or on opening a page comes from here: flat numpy arrays
(memory-mapped by the reader) and two blobs of JSON records addressed by offset, so opening the
app never parses the shards and no query scans the store.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from tui.index import files as F
from tui.index.keys import dedupe_keys, title_words
from tui.names import fold, tokens
from tui.store.shards import read_shard

ProgressCallback = Callable[[int, int], None]


def _iter_shards(gen_dir: Path, kind: str, table: str, shard_names: list[str]) -> Iterator[dict[int, dict[str, Any]]]:
    for name in shard_names:
        yield read_shard(gen_dir / kind / name, table)


def _csr(groups: np.ndarray, values: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and values of a compressed sparse row layout; ``values`` already sorted by group."""
    counts = np.bincount(groups, minlength=n_groups) if len(groups) else np.zeros(n_groups, np.int64)
    offsets = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets, values


def _write_blob(path: Path, records: list[bytes]) -> np.ndarray:
    offsets = np.zeros(len(records) + 1, dtype=np.int64)
    if records:
        np.cumsum(np.fromiter((len(r) for r in records), dtype=np.int64, count=len(records)), out=offsets[1:])
    path.write_bytes(b"".join(records))
    return offsets


def _trigram_index(keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padded character trigrams of every key, vectorised: codes, offsets, cluster ids."""
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int32)
    padded = "".join(f"  {k} \x00" for k in keys)
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(k) + 4 for k in keys), dtype=np.int64, count=len(keys))
    owner = np.repeat(np.arange(len(keys), dtype=np.int32), lengths)
    tri = (codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:]
    valid = (codes[2:] != 0) & (codes[1:-1] != 0) & (codes[:-2] != 0)
    tri, tri_owner = tri[valid], owner[:-2][valid]
    order = np.lexsort((tri_owner, tri))
    tri, tri_owner = tri[order], tri_owner[order]
    keep = np.ones(len(tri), dtype=bool)
    keep[1:] = (tri[1:] != tri[:-1]) | (tri_owner[1:] != tri_owner[:-1])
    tri, tri_owner = tri[keep], tri_owner[keep]
    unique_codes, starts = np.unique(tri, return_index=True)
    offsets = np.append(starts, len(tri)).astype(np.int64)
    return unique_codes, offsets, tri_owner.astype(np.int32)


def _token_index(words_per_owner: list[list[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Sorted vocabulary and, per word, the sorted owners (clusters or papers) containing it."""
    vocab: dict[str, int] = {}
    word_ids = array("i")
    owners = array("i")
    for owner, words in enumerate(words_per_owner):
        for word in words:
            word_id = vocab.setdefault(word, len(vocab))
            word_ids.append(word_id)
            owners.append(owner)
    return _sorted_postings(vocab, word_ids, owners)


def _sorted_postings(vocab: dict[str, int], word_ids: array, owners: array) -> tuple[list[str], np.ndarray, np.ndarray]:
    sorted_words = sorted(vocab)
    rank = np.empty(len(vocab), dtype=np.int32)
    rank[np.fromiter((vocab[w] for w in sorted_words), dtype=np.int32, count=len(vocab))] = np.arange(
        len(vocab), dtype=np.int32
    )
    word_rank = rank[np.frombuffer(word_ids, dtype=np.int32)] if len(word_ids) else np.zeros(0, np.int32)
    owner_arr = np.frombuffer(owners, dtype=np.int32) if len(owners) else np.zeros(0, np.int32)
    order = np.lexsort((owner_arr, word_rank))
    offsets, values = _csr(word_rank[order], owner_arr[order].astype(np.int32), len(sorted_words))
    return sorted_words, offsets, values


def _write_lines(path: Path, lines: list[str]) -> None:
    # Newlines inside a line would shift every later record; keys and names never contain them.
    path.write_text("\n".join(line.replace("\n", " ") for line in lines), encoding="utf-8")


def build_index(gen_dir: Path, manifest: dict[str, Any], progress: ProgressCallback | None = None) -> None:
    """Build ``gen_dir/index`` from the generation's shards and manifest."""
    out = gen_dir / "index"
    out.mkdir(exist_ok=True)
    n_rows = manifest["next_row_id"]
    n_papers = manifest["next_paper_id"]

    rows: list[dict[str, Any] | None] = [None] * n_rows
    for shard in _iter_shards(gen_dir, "rows", "rows", manifest["row_shards"]):
        for row_id, row in shard.items():
            rows[row_id] = row
    row_keys = [fold(row["name"]) if row else "" for row in rows]
    cluster_keys = sorted({k for k in row_keys if k})
    cluster_of_key = {k: i for i, k in enumerate(cluster_keys)}
    row_cluster = np.fromiter((cluster_of_key.get(k, -1) for k in row_keys), dtype=np.int32, count=n_rows)

    paper_records: list[bytes] = [b""] * n_papers
    paper_years = np.zeros(n_papers, dtype=np.int16)
    post_cluster, post_paper, post_row = array("i"), array("i"), array("i")
    title_vocab: dict[str, int] = {}
    title_word_ids, title_owner = array("i"), array("i")
    dedupe: dict[str, int] = {}
    done = 0
    for shard in _iter_shards(gen_dir, "papers", "papers", manifest["paper_shards"]):
        for paper_id, paper in shard.items():
            paper_records[paper_id] = orjson.dumps(paper)
            paper_years[paper_id] = paper.get("year") or 0
            authors = paper.get("authors") or []
            for ref in authors:
                row_id = ref["row"]
                post_cluster.append(int(row_cluster[row_id]))
                post_paper.append(paper_id)
                post_row.append(row_id)
            for word in title_words(paper.get("title", "")):
                title_word_ids.append(title_vocab.setdefault(word, len(title_vocab)))
                title_owner.append(paper_id)
            first_key = row_keys[authors[0]["row"]] if authors else ""
            for key in dedupe_keys(paper, first_key):
                dedupe.setdefault(key, paper_id)
        done += len(shard)
        if progress:
            progress(done, n_papers)

    papers_offsets = _write_blob(out / F.PAPERS_BLOB, paper_records)
    del paper_records
    np.save(out / F.PAPERS_OFFSETS, papers_offsets)
    np.save(out / F.PAPER_YEARS, paper_years)

    n_clusters = len(cluster_keys)
    pc = np.frombuffer(post_cluster, dtype=np.int32) if post_cluster else np.zeros(0, np.int32)
    pp = np.frombuffer(post_paper, dtype=np.int32) if post_paper else np.zeros(0, np.int32)
    pr = np.frombuffer(post_row, dtype=np.int32) if post_row else np.zeros(0, np.int32)
    row_papers = np.bincount(pr, minlength=n_rows) if len(pr) else np.zeros(n_rows, np.int64)
    row_year_min, row_year_max = _group_year_span(pr, paper_years[pp], n_rows)

    # Cluster -> papers, newest first (ties in import order); a paper listing two rows of one cluster counts once.
    order = np.lexsort((pp, -paper_years[pp].astype(np.int64), pc))
    pc_sorted, pp_sorted = pc[order], pp[order]
    keep = np.ones(len(pc_sorted), dtype=bool)
    keep[1:] = (pc_sorted[1:] != pc_sorted[:-1]) | (pp_sorted[1:] != pp_sorted[:-1])
    pc_sorted, pp_sorted = pc_sorted[keep], pp_sorted[keep]
    cluster_paper_off, cluster_paper_ids = _csr(pc_sorted, pp_sorted.astype(np.int32), n_clusters)
    year_min, year_max = _group_year_span(pc_sorted, paper_years[pp_sorted], n_clusters)

    valid_rows = np.nonzero(row_cluster >= 0)[0].astype(np.int32)
    row_order = valid_rows[np.lexsort((-row_papers[valid_rows], row_cluster[valid_rows]))]
    cluster_row_off, cluster_row_ids = _csr(row_cluster[row_order], row_order, n_clusters)

    stats = np.zeros((n_clusters, 5), dtype=np.int32)
    stats[:, F.STAT_PAPERS] = np.diff(cluster_paper_off)
    stats[:, F.STAT_ROWS] = np.diff(cluster_row_off)
    stats[:, F.STAT_YEAR_MIN] = year_min
    stats[:, F.STAT_YEAR_MAX] = year_max
    name_tokens = [tokens(k) for k in cluster_keys]
    stats[:, F.STAT_KEY_CHARS] = np.fromiter((sum(map(len, t)) for t in name_tokens), dtype=np.int32, count=n_clusters)

    # The display name of a cluster is the written form of its row with the most papers.
    names = [
        rows[int(cluster_row_ids[cluster_row_off[i]])]["name"] if stats[i, F.STAT_ROWS] else k
        for i, k in enumerate(cluster_keys)
    ]

    row_records = []
    for row_id, row in enumerate(rows):
        if row is None:
            row_records.append(b"")
            continue
        extra = {
            "papers": int(row_papers[row_id]),
            "year_min": int(row_year_min[row_id]) or None,
            "year_max": int(row_year_max[row_id]) or None,
        }
        row_records.append(orjson.dumps({**row, **extra}))
    np.save(out / F.ROWS_OFFSETS, _write_blob(out / F.ROWS_BLOB, row_records))

    _write_lines(out / F.CLUSTER_KEYS, cluster_keys)
    _write_lines(out / F.CLUSTER_NAMES, names)
    np.save(out / F.CLUSTER_STATS, stats)
    np.save(out / F.CLUSTER_PAPER_OFFSETS, cluster_paper_off)
    np.save(out / F.CLUSTER_PAPER_IDS, cluster_paper_ids)
    np.save(out / F.CLUSTER_ROW_OFFSETS, cluster_row_off)
    np.save(out / F.CLUSTER_ROW_IDS, cluster_row_ids.astype(np.int32))
    np.save(out / F.ROW_CLUSTER, row_cluster)

    vocab, tok_off, tok_clusters = _token_index(name_tokens)
    _write_lines(out / F.NAME_TOKENS, vocab)
    np.save(out / F.NAME_TOKEN_OFFSETS, tok_off)
    np.save(out / F.NAME_TOKEN_CLUSTERS, tok_clusters)

    tri_codes, tri_off, tri_clusters = _trigram_index(cluster_keys)
    np.save(out / F.TRIGRAM_CODES, tri_codes)
    np.save(out / F.TRIGRAM_OFFSETS, tri_off)
    np.save(out / F.TRIGRAM_CLUSTERS, tri_clusters)

    words, word_off, word_papers = _sorted_postings(title_vocab, title_word_ids, title_owner)
    _write_lines(out / F.TITLE_WORDS, words)
    np.save(out / F.TITLE_WORD_OFFSETS, word_off)
    np.save(out / F.TITLE_WORD_PAPERS, word_papers)

    (out / F.DEDUPE).write_bytes(orjson.dumps(dedupe))
    meta = {
        "version": F.INDEX_VERSION,
        "papers": int(manifest["papers"]),
        "author_rows": int(manifest["author_rows"]),
        "clusters": n_clusters,
    }
    (out / F.META).write_bytes(orjson.dumps(meta))


def _group_year_span(groups: np.ndarray, years: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest known year per group (0 where no year is known)."""
    year_min = np.full(n_groups, np.iinfo(np.int32).max, dtype=np.int32)
    year_max = np.zeros(n_groups, dtype=np.int32)
    known = years > 0
    np.minimum.at(year_min, groups[known], years[known].astype(np.int32))
    np.maximum.at(year_max, groups[known], years[known].astype(np.int32))
    year_min[year_min == np.iinfo(np.int32).max] = 0
    return year_min, year_max
