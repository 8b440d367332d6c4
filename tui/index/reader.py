"""Read-only access to a built index: memory-mapped arrays, record blobs, sorted vocabularies."""

from __future__ import annotations

import mmap
import os
from bisect import bisect_left
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from tui.errors import StoreError
from tui.index import files as F
from tui.store.shards import parse_json_file

_ANNOUNCED_FROM = 64  # records read at once from which ``_Blob.get_many`` announces them to the kernel


class _Blob:
    """JSON records in one file, each addressed by its (start, length) span."""

    def __init__(self, path: Path, spans: np.ndarray) -> None:
        self.path = path
        self.spans = np.asarray(spans)  # a plain view: indexing a memmap subclass costs microseconds each
        try:
            size = path.stat().st_size
            with path.open("rb") as handle:
                self._data: bytes | mmap.mmap = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        except OSError as exc:
            raise StoreError(f"{path}: cannot open index file ({exc.strerror}); run `arrow-tui reindex`") from None

    def __len__(self) -> int:
        return len(self.spans)

    def prefetch(self) -> None:
        """Ask the kernel to read the file into the page cache in the background (no memory of ours)."""
        if hasattr(os, "posix_fadvise"):
            with self.path.open("rb") as handle:
                os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_WILLNEED)

    def get_many(self, ids: list[int]) -> list[dict[str, Any] | None]:
        """Several records with one gather of their spans.

        Many records (a large cluster's papers lie all over the blob) are first announced to the kernel,
        so that those not in the page cache are read together instead of one page fault at a time: a
        1,240-paper cluster opened with a cold cache took 0.5 s, and 0.15 s so (1-2 ms more when cached).
        """
        data = self._data
        spans = self.spans[ids].tolist() if ids else []
        if len(spans) >= _ANNOUNCED_FROM and isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_WILLNEED"):
            for start, length in spans:
                first_page = start - start % mmap.PAGESIZE
                data.madvise(mmap.MADV_WILLNEED, first_page, start + length - first_page)
        out: list[dict[str, Any] | None] = []
        for start, length in spans:
            out.append(orjson.loads(data[start : start + length]) if length else None)
        return out

    def get(self, i: int) -> dict[str, Any] | None:
        if not 0 <= i < len(self):
            return None
        start, length = (int(v) for v in self.spans[i])
        if not length:
            return None
        try:
            return orjson.loads(self._data[start : start + length])
        except orjson.JSONDecodeError:
            raise StoreError(f"{self.path}: corrupt record {i}; run `arrow-tui reindex`") from None


class Index:
    """The derived index of one generation. Cheap to open; each structure loads on first use."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        meta = parse_json_file(directory / F.META, "index metadata")
        if not isinstance(meta, dict) or meta.get("version") != F.INDEX_VERSION:
            raise StoreError(f"{directory / F.META}: index version mismatch; run `arrow-tui reindex`")
        self.meta = meta

    def _array(self, name: str) -> np.ndarray:
        path = self.dir / name
        try:
            return np.load(path, mmap_mode="r")
        except FileNotFoundError:
            raise StoreError(f"{path}: index file is missing; run `arrow-tui reindex`") from None
        except ValueError as exc:
            raise StoreError(f"{path}: index file is corrupt ({exc}); run `arrow-tui reindex`") from None

    def _lines(self, name: str) -> list[str]:
        path = self.dir / name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"{path}: cannot read index file ({exc})") from None
        return text.split("\n") if text else []

    # -- clusters -------------------------------------------------------------------------------
    @cached_property
    def cluster_keys(self) -> list[str]:
        return self._lines(F.CLUSTER_KEYS)

    @cached_property
    def cluster_names(self) -> list[str]:
        return self._lines(F.CLUSTER_NAMES)

    @cached_property
    def cluster_stats(self) -> np.ndarray:
        return np.ascontiguousarray(self._array(F.CLUSTER_STATS))

    @cached_property
    def cluster_paper_counts(self) -> np.ndarray:
        return np.ascontiguousarray(self.cluster_stats[:, F.STAT_PAPERS])

    @cached_property
    def cluster_key_chars(self) -> np.ndarray:
        return np.ascontiguousarray(self.cluster_stats[:, F.STAT_KEY_CHARS])

    def row_cluster_keys(self, row_ids: list[int]) -> list[str]:
        """The cluster key of each author row, in one gather."""
        keys = self.cluster_keys
        return [keys[c] if c >= 0 else "" for c in self.row_cluster[row_ids].tolist()]

    @cached_property
    def _cluster_papers(self) -> tuple[np.ndarray, np.ndarray]:
        return self._array(F.CLUSTER_PAPER_OFFSETS), self._array(F.CLUSTER_PAPER_IDS)

    @cached_property
    def _cluster_rows(self) -> tuple[np.ndarray, np.ndarray]:
        return self._array(F.CLUSTER_ROW_OFFSETS), self._array(F.CLUSTER_ROW_IDS)

    @cached_property
    def row_cluster(self) -> np.ndarray:
        return self._array(F.ROW_CLUSTER)

    def cluster_count(self) -> int:
        return int(self.meta["clusters"])

    def find_cluster(self, key: str) -> int | None:
        keys = self.cluster_keys
        i = bisect_left(keys, key)
        return i if i < len(keys) and keys[i] == key else None

    def cluster_paper_ids(self, cluster: int) -> list[int]:
        """Paper ids of a cluster, newest first."""
        offsets, ids = self._cluster_papers
        return ids[offsets[cluster] : offsets[cluster + 1]].tolist()

    def cluster_row_ids(self, cluster: int) -> list[int]:
        """Author-row ids of a cluster, most papers first."""
        offsets, ids = self._cluster_rows
        return ids[offsets[cluster] : offsets[cluster + 1]].tolist()

    def cluster_summary(self, cluster: int) -> tuple[str, str, int, int, int | None, int | None]:
        papers, rows, year_min, year_max, _chars = (int(v) for v in self.cluster_stats[cluster])
        return self.cluster_keys[cluster], self.cluster_names[cluster], papers, rows, year_min or None, year_max or None

    # -- records --------------------------------------------------------------------------------
    @cached_property
    def _papers(self) -> _Blob:
        return _Blob(self.dir / F.PAPERS_BLOB, self._array(F.PAPERS_SPANS))

    @cached_property
    def _rows(self) -> _Blob:
        return _Blob(self.dir / F.ROWS_BLOB, self._array(F.ROWS_SPANS))

    @cached_property
    def paper_years(self) -> np.ndarray:
        return self._array(F.PAPER_YEARS)

    def paper(self, paper_id: int) -> dict[str, Any] | None:
        return self._papers.get(paper_id)

    def papers(self, paper_ids: list[int]) -> list[dict[str, Any]]:
        return [p for p in self._papers.get_many(paper_ids) if p is not None]

    @cached_property
    def _row_stats(self) -> np.ndarray:
        return self._array(F.ROW_STATS)

    def rows(self, row_ids: list[int]) -> list[dict[str, Any]]:
        """Author rows with their paper counts and year spans."""
        records = self._rows.get_many(row_ids)
        stats = self._row_stats[row_ids].tolist() if row_ids else []
        found = []
        for row, (papers, year_min, year_max) in zip(records, stats, strict=True):
            if row is not None:
                row.update(papers=papers, year_min=year_min or None, year_max=year_max or None)
                found.append(row)
        return found

    @cached_property
    def _paper_rows(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self._array(F.PAPER_ROW_OFFSETS)), self._array(F.PAPER_ROW_IDS)

    def paper_row_ids(self, paper_ids: list[int]) -> np.ndarray:
        """The author rows of several papers, concatenated, in one gather (no paper record is read)."""
        offsets, row_ids = self._paper_rows
        ids = np.asarray(paper_ids, dtype=np.int64)
        starts, ends = offsets[ids], offsets[ids + 1]
        counts = ends - starts
        if not counts.sum():
            return np.zeros(0, np.int32)
        # Positions start..end-1 of every paper: a running index shifted at each paper's start.
        shift = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        return np.asarray(row_ids[np.arange(int(counts.sum())) + shift])

    def paper_ids(self) -> range:
        return range(len(self._papers))

    # -- search structures ----------------------------------------------------------------------
    @cached_property
    def name_tokens(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        return self._lines(F.NAME_TOKENS), self._array(F.NAME_TOKEN_OFFSETS), self._array(F.NAME_TOKEN_CLUSTERS)

    @cached_property
    def trigrams(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.ascontiguousarray(self._array(F.TRIGRAM_CODES)),
            self._array(F.TRIGRAM_OFFSETS),
            self._array(F.TRIGRAM_CLUSTERS),
        )

    @cached_property
    def title_words(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        return self._lines(F.TITLE_WORDS), self._array(F.TITLE_WORD_OFFSETS), self._array(F.TITLE_WORD_PAPERS)

    def dedupe_map(self) -> dict[int, int]:
        """Key hashes under which existing papers are recognised on import (loaded only by imports)."""
        keys, ids = self._array(F.DEDUPE_KEYS), self._array(F.DEDUPE_IDS)
        return dict(zip(keys.tolist(), ids.tolist(), strict=True))

    def warm(self) -> None:
        """Load everything a first keystroke needs, so that keystroke does not pay for it."""
        _ = self.cluster_keys, self.cluster_names, self.cluster_stats, self.cluster_paper_counts
        _ = self.cluster_key_chars, self.row_cluster
        self._papers.prefetch()
        self._rows.prefetch()
        _ = self.name_tokens, self.trigrams, self.title_words
