"""Build the derived index of a generation from its TinyDB shards.

Everything the UI reads on a keystroke or on opening a page comes from here: flat numpy arrays
(memory-mapped by the reader) and two blobs of JSON records addressed by offset, so opening the
app never parses the shards and no query scans the store.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import struct
import threading
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from itertools import chain
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import orjson

from tui.errors import StoreError
from tui.index import files as F
from tui.index.arrays import run_starts
from tui.index.keys import title_words, word_hashes
from tui.names import is_word_character
from tui.store.atomic import write_pieces
from tui.store.shards import document_keys, shard_file_pieces, shard_head


def _csr(groups: np.ndarray, values: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and values of a compressed sparse row layout; ``values`` already sorted by group."""
    counts = np.bincount(groups, minlength=n_groups) if len(groups) else np.zeros(n_groups, np.int64)
    offsets = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets, values


def _write_row_records(out: Path, records: list[bytes], pr: np.ndarray, posting_years: np.ndarray) -> None:
    """Author rows as serialised for their shards (b"" for an empty slot), to the rows blob; their paper
    counts and year spans as an array, kept apart so no row is copied into a new dict and serialised again.
    """
    lengths = _lengths(records)
    spans = np.zeros((len(records), 2), dtype=np.int64)
    spans[:, 1] = lengths
    np.cumsum(lengths[:-1], out=spans[1:, 0])
    (out / F.ROWS_BLOB).write_bytes(b"".join(records))
    np.save(out / F.ROWS_SPANS, spans)
    stats = np.zeros((len(records), 3), dtype=np.int32)
    if len(pr):
        stats[:, F.ROW_STAT_PAPERS] = np.bincount(pr, minlength=len(records))
    year_span = _group_year_span(pr, posting_years, len(records))
    stats[:, F.ROW_STAT_YEAR_MIN], stats[:, F.ROW_STAT_YEAR_MAX] = year_span
    np.save(out / F.ROW_STATS, stats)


def _code_points(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The text's code points, and its distinct ones ascending (never none: 0 for empty text), by which
    the callers index a table per character.
    """
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return codes, np.flatnonzero(np.bincount(codes)) if len(codes) else np.zeros(1, np.int64)


def _trigram_index(keys: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padded character trigrams of every key, vectorised: codes, offsets, cluster ids.

    A code packs a trigram's three code points (21 bits each). The trigrams are sorted by a dense
    number instead: each distinct character numbered in code point order, so the order is the same,
    and with few distinct characters (folded keys have a few dozen) that number fits 16 bits, which
    numpy's stable sort orders in one radix pass, several times faster than sorting the codes.
    """
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int32)
    codes, chars = _code_points("".join(f"  {k} \x00" for k in keys))  # chars[0] is 0, the separator: dense 0
    n_chars = len(chars)
    dense_type = np.int32 if n_chars**3 < 2**31 else np.int64
    dense_of = np.zeros(int(chars[-1]) + 1, dtype=dense_type)
    dense_of[chars] = np.arange(n_chars, dtype=dense_type)
    dense = dense_of[codes]
    lengths = np.fromiter((len(k) + 4 for k in keys), dtype=np.int64, count=len(keys))
    owner = np.repeat(np.arange(len(keys), dtype=np.int32), lengths)
    valid = (dense[:-2] != 0) & (dense[1:-1] != 0) & (dense[2:] != 0)
    tri = ((dense[:-2] * n_chars + dense[1:-1]) * n_chars + dense[2:])[valid]
    tri_owner = owner[:-2][valid]
    # Owners are already ascending, so a stable sort on the trigram alone orders (trigram, owner).
    order = np.argsort(tri.astype(np.uint16) if n_chars**3 <= 1 << 16 else tri, kind="stable")
    tri, tri_owner = tri[order], tri_owner[order]
    keep = run_starts(tri, tri_owner)
    tri, tri_owner = tri[keep], tri_owner[keep]
    starts = np.flatnonzero(run_starts(tri))
    first, rest = np.divmod(tri[starts].astype(np.int64), n_chars * n_chars)
    second, third = np.divmod(rest, n_chars)
    points = chars.astype(np.uint64)
    unique_codes = (points[first] << np.uint64(42)) | (points[second] << np.uint64(21)) | points[third]
    offsets = np.append(starts, len(tri)).astype(np.int64)
    return unique_codes, offsets, tri_owner.astype(np.int32)


def _key_word_index(keys: list[str]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The words of each key (``key_tokens``), found for all keys at once: sorted vocabulary, per word the
    sorted keys containing it (offsets, key numbers), and each key's letter count (its words' lengths).

    A word is a run of word characters (``is_word_character``), told apart per distinct character,
    so the only step per word in Python is slicing it out of the joined keys.
    """
    joined = "\x00".join(keys)  # "\x00" is no word character: no word spans two keys
    codes, chars = _code_points(joined)
    is_word = np.zeros(int(chars[-1]) + 1, dtype=bool)
    is_word[chars] = [is_word_character(chr(c)) for c in chars.tolist()]
    flags = np.concatenate(([False], is_word[codes], [False]))
    edges = np.flatnonzero(flags[1:] != flags[:-1])
    starts, ends = edges[0::2], edges[1::2]
    key_ends = np.cumsum(_lengths(keys) + 1)
    owners = np.searchsorted(key_ends, starts, side="right").astype(np.int32)
    key_chars = np.bincount(owners, weights=ends - starts, minlength=len(keys)).astype(np.int32)
    sorted_words, word_rank = _ranked_words(joined, codes, chars[is_word[chars]], starts, ends)
    offsets, word_keys = _postings(word_rank, owners, len(sorted_words))
    return sorted_words, offsets, word_keys, key_chars


def _ranked_words(
    joined: str, codes: np.ndarray, word_chars: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """The distinct words (``joined[start:end]``) sorted, and each word's place among them.

    Slicing out and hashing every word in Python took most of the name search's build (2.5M words in the
    DBLP dump's cluster keys). Instead a word of up to ``per_number`` characters is packed into one int64,
    its characters numbered 1, 2, ... (``word_chars``, ascending), so equal words pack equal and numpy
    finds the distinct ones; only those, and the longer words (2% there), are sliced out.
    """
    if not len(starts):
        return [], np.zeros(0, dtype=np.int32)
    bits = len(word_chars).bit_length()
    per_number = 63 // bits
    dense = np.zeros(int(codes.max()) + 1, dtype=np.int64)
    dense[word_chars] = np.arange(1, len(word_chars) + 1)
    lengths = ends - starts
    short = np.flatnonzero(lengths <= per_number)
    short_starts, short_lengths = starts[short], lengths[short]
    packed = np.zeros(len(short), dtype=np.int64)
    for i in range(per_number):
        digits = dense[codes[np.minimum(short_starts + i, len(codes) - 1)]]
        digits[short_lengths <= i] = 0
        packed = (packed << bits) | digits
    _, first, same_as = np.unique(packed, return_index=True, return_inverse=True)
    short_words = [
        joined[start:end]
        for start, end in zip(short_starts[first].tolist(), (short_starts + short_lengths)[first].tolist(), strict=True)
    ]
    long = np.flatnonzero(lengths > per_number)
    long_words = [joined[start:end] for start, end in zip(starts[long].tolist(), ends[long].tolist(), strict=True)]
    sorted_words = sorted({*short_words, *long_words})
    place = {word: number for number, word in enumerate(sorted_words)}
    rank = np.empty(len(starts), dtype=np.int32)
    rank[short] = np.fromiter(map(place.__getitem__, short_words), np.int32, count=len(short_words))[same_as]
    rank[long] = np.fromiter(map(place.__getitem__, long_words), np.int32, count=len(long_words))
    return sorted_words, rank


def _sorted_postings(
    vocab: dict[str, int], word_ids: array | np.ndarray, owners: array | np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray]:
    sorted_words = sorted(vocab)
    rank = np.empty(len(vocab), dtype=np.int32)
    rank[np.fromiter((vocab[w] for w in sorted_words), dtype=np.int32, count=len(vocab))] = np.arange(
        len(vocab), dtype=np.int32
    )
    offsets, values = _postings(rank[np.asarray(word_ids, dtype=np.int32)], owners, len(sorted_words))
    return sorted_words, offsets, values


def _postings(word_rank: np.ndarray, owners: array | np.ndarray, n_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Per word (by rank), the distinct owners it occurs in, ascending: offsets and values."""
    if not len(word_rank):
        return np.zeros(n_words + 1, np.int64), np.zeros(0, np.int32)
    # (word, owner) pairs as one uint64 each: sorting a flat array is several times faster than a lexsort.
    pairs = word_rank.astype(np.uint64) << np.uint64(32)
    pairs |= np.asarray(owners, dtype=np.int32).astype(np.uint64)
    pairs.sort()
    pairs = pairs[run_starts(pairs)]  # a word twice in one owner (a title, a name) is one posting
    word_rank = (pairs >> np.uint64(32)).astype(np.int32)
    values = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int32)
    del pairs
    return _csr(word_rank, values, n_words)


def _write_lines(path: Path, lines: list[str]) -> None:
    text = "\n".join(lines)
    if text.count("\n") > len(lines) - 1:  # a newline inside a line would shift every later one
        text = "\n".join(line.replace("\n", " ") for line in lines)
    path.write_text(text, encoding="utf-8")


_SHARD_HEAD = shard_head("papers")
_PR_SET_PDEATHSIG = 1  # prctl option: a signal for this process when its parent ends
_KEY_CHARS = "key_chars.partial.npy"  # handed from the process building the name search to the one writing stats
# What the title search is built from, handed to its process as files (quicker than through its pipe).
_TITLE_INPUTS = (
    "title_words.partial.txt",
    "word_hashes.partial.npy",
    # The title postings, (word hash, paper) in two raw columns, written as shards are handed over: on the
    # 1.6M-paper dump they are ~190 MB the importing process need not hold.
    "posting_hashes.partial.bin",
    "owners.partial.bin",
)


class StoredPaper(NamedTuple):
    """A paper as its shard stores it (JSON bytes), with what the index takes from it."""

    record: bytes
    year: int
    rows: bytes  # its authors' row ids as native int32s (``row_id_bytes``), in order
    title_hashes: bytes  # ``word_hashes`` of the title's search words
    new_title_words: list[str] | tuple[()]  # any of them the index may not have seen yet


def stored_paper(paper: dict[str, Any], same_title: StoredPaper | None = None) -> StoredPaper:
    """A stored paper from its fields; ``same_title``: its previous version, whose title words still hold."""
    if same_title is None:
        words: list[str] | tuple[()] = title_words(paper.get("title", ""))
        hashes = word_hashes(words)  # type: ignore[arg-type]
    else:
        words, hashes = same_title.new_title_words, same_title.title_hashes
    rows = array("i", [ref["row"] for ref in paper.get("authors") or ()]).tobytes()
    return StoredPaper(orjson.dumps(paper), paper.get("year") or 0, rows, hashes, words)


def row_id_bytes(row_id: int) -> bytes:
    """A row id as ``StoredPaper.rows`` holds it: a paper's are joined, not packed per paper, and the bytes
    are made once per row. Packing ints per shard read each int object again, a cache miss apiece."""
    return _ROW_ID.pack(row_id)


_ROW_ID = struct.Struct("i")


def stored_papers(docs: dict[int, dict[str, Any]]) -> dict[int, StoredPaper]:
    """A shard's papers as read from its file, ready to hand to ``PaperIndexer.add_shard``."""
    return {paper_id: stored_paper(doc) for paper_id, doc in docs.items()}


def _lengths(items: list[Any]) -> np.ndarray:
    return np.fromiter(map(len, items), dtype=np.int64, count=len(items))


def _pairs(starts: np.ndarray, lengths: np.ndarray) -> bytes:
    """(start, length) pairs as the int64 bytes of an array("q")."""
    return np.column_stack((starts, lengths)).astype(np.int64).tobytes()


class _ShardChunk:
    """Index inputs of one shard's papers, computed once when the shard is written."""

    __slots__ = ("file_spans", "ids", "post_paper", "post_row", "spans", "years")

    def __init__(self) -> None:
        self.ids, self.years = array("i"), array("h")
        self.spans = array("q")  # (start, length) in the papers blob, per paper
        self.file_spans = array("q")  # (start, length) of each record inside the shard file
        self.post_paper, self.post_row = array("i"), array("i")

    def place(self, paper_id: int) -> int:
        """Where a paper of this shard is in the columns (its ids are in order)."""
        i = bisect_left(self.ids, paper_id)
        if i == len(self.ids) or self.ids[i] != paper_id:
            raise ValueError(f"paper {paper_id} is not in this shard")
        return i


class PaperIndexer:
    """Collects what the index needs from each paper shard, then builds the index in one go.

    The writer hands over every shard as it writes it (``add_shard``), so building the index
    never re-reads or re-serialises papers the import already holds.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        # Records go to the blob as shards arrive, so no import holds all papers in memory. A shard
        # handed over twice (merged into after it was written) is appended again; its new spans win.
        self._blob = (out / F.PAPERS_BLOB).open("wb", buffering=0)
        postings, owners = (out / name for name in _TITLE_INPUTS[2:])
        self._posting_hashes, self._posting_owners = postings.open("wb", buffering=0), owners.open("wb", buffering=0)
        self._blob_size = 0
        self.seen_title_words: set[str] = set()  # every title word handed over, spelled out
        self.chunks: dict[int, _ShardChunk] = {}
        self._title_search: SearchBuild | None = None
        self._name_search: SearchBuild | None = None
        self._clusters: tuple[list[str], np.ndarray] | None = None  # sorted cluster keys, each row's cluster

    def add_shard(self, number: int, papers: dict[int, StoredPaper]) -> list[bytes]:
        """Record the shard's index inputs; return the shard's TinyDB JSON file as pieces (``shard_file_pieces``).

        Runs once per 1,024 papers of an import, so the per-paper work is done a column at a time.
        """
        ids = sorted(papers)
        columns = zip(*map(papers.__getitem__, ids), strict=True) if ids else [()] * len(StoredPaper._fields)
        records, years, rows, hashes, new_words = columns
        keys = document_keys(ids)
        lengths = _lengths(records)
        # Each record sits after its key (which starts with the comma after the previous record).
        ends_in_file = len(_SHARD_HEAD) + np.cumsum(_lengths(keys) + lengths)
        ends_in_blob = self._blob_size + np.cumsum(lengths)
        id_array = np.array(ids, dtype=np.int32)
        chunk = _ShardChunk()
        chunk.ids.frombytes(id_array.tobytes())
        chunk.years.extend(years)
        chunk.file_spans.frombytes(_pairs(ends_in_file - lengths, lengths))
        chunk.spans.frombytes(_pairs(ends_in_blob - lengths, lengths))
        chunk.post_row.frombytes(b"".join(rows))
        chunk.post_paper.frombytes(np.repeat(id_array, _lengths(rows) // _ROW_ID.size).tobytes())
        # A shard handed over again (after a merge) repeats its postings, or comes after the title search
        # has taken them: merges never change a title, and the title search counts a word once per paper.
        if not self._posting_hashes.closed:
            # Joined first: a thousand small pieces cost writev more than the copy does.
            write_pieces(self._posting_hashes.fileno(), [b"".join(hashes)])
            write_pieces(self._posting_owners.fileno(), [np.repeat(id_array, _lengths(hashes) // 8).tobytes()])
        self.learn_title_words(chain.from_iterable(new_words))
        write_pieces(self._blob.fileno(), records)
        self._blob_size = int(ends_in_blob[-1]) if ids else self._blob_size
        self.chunks[number] = chunk
        return shard_file_pieces("papers", keys, records)

    def learn_title_words(self, words: Iterable[str]) -> None:
        """Spellings of title words, which papers carry only as hashes (each word is sent once)."""
        self.seen_title_words.update(words)

    def can_splice(self, number: int) -> bool:
        """Whether this import wrote the shard, so its records' places in the file are known."""
        return number in self.chunks

    def stored_record(self, number: int, data: bytes, paper_id: int) -> dict[str, Any]:
        """One paper out of the bytes of a shard this import wrote, without parsing the rest."""
        chunk = self.chunks[number]
        i = chunk.place(paper_id)
        start, length = chunk.file_spans[2 * i], chunk.file_spans[2 * i + 1]
        return orjson.loads(data[start : start + length])

    def spliced_shard_tail(self, number: int, data: bytes, changed: dict[int, dict[str, Any]]) -> tuple[int, bytes]:
        """Where the shard's bytes first change once the ``changed`` papers' records replace theirs, and the
        bytes from there to the end; the changed papers' index data updated.

        Merges fill empty fields and links, titles stay: only those records, their years and (for a paper
        that had no authors) their postings change. The records before the first change keep their bytes.
        """
        chunk = self.chunks[number]
        places = sorted(map(chunk.place, changed))
        file_spans = np.frombuffer(chunk.file_spans, dtype=np.int64).reshape(-1, 2)
        first = cursor = int(file_spans[places[0], 0])
        pieces, records, growth = [], [], np.zeros(len(file_spans), dtype=np.int64)
        with_postings = set(chunk.post_paper)
        for i in places:
            paper_id = chunk.ids[i]
            paper = changed[paper_id]
            start, length = (int(value) for value in file_spans[i])
            record = orjson.dumps(paper)
            pieces += [data[cursor:start], record]
            cursor = start + length
            growth[i] = len(record) - length
            records.append(record)
            chunk.years[i] = paper.get("year") or 0
            if paper_id not in with_postings:
                row_ids = [ref["row"] for ref in paper.get("authors") or ()]
                chunk.post_row.extend(row_ids)
                chunk.post_paper.extend([paper_id] * len(row_ids))
        pieces.append(data[cursor:])
        # Each record moves by what the changed records before it grew; a changed one takes its new length.
        file_spans[:, 0] += np.cumsum(growth) - growth
        file_spans[places, 1] += growth[places]
        blob_spans = np.frombuffer(chunk.spans, dtype=np.int64).reshape(-1, 2)
        lengths = [len(record) for record in records]
        blob_spans[places, 0] = self._blob_size + np.cumsum(lengths) - lengths
        blob_spans[places, 1] = lengths
        write_pieces(self._blob.fileno(), records)
        self._blob_size += sum(lengths)
        return first, b"".join(pieces)

    def _concat(self, field: str, dtype: type) -> np.ndarray:
        arrays = [np.frombuffer(getattr(self.chunks[n], field), dtype=dtype) for n in sorted(self.chunks)]
        arrays = [a for a in arrays if len(a)]
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)

    def build(
        self,
        manifest: dict[str, Any],
        row_names: list[str],
        row_records: list[bytes],
        row_clusters: RowClusters,
        dedupe: dict[int, int],
    ) -> None:
        """Write the index from the collected shards, the author rows and the dedupe key hashes.

        ``row_names``: each row's name as written ("" for an empty slot). Consumes its inputs: the row
        lists and ``dedupe`` are emptied, and the collected shards dropped,
        as soon as each is written, so a large import's peak memory is not all of them at once.
        """
        self._blob.close()
        out = self.out
        np.save(out / F.DEDUPE_KEYS, np.fromiter(dedupe.keys(), dtype=np.int64, count=len(dedupe)))
        np.save(out / F.DEDUPE_IDS, np.fromiter(dedupe.values(), dtype=np.int32, count=len(dedupe)))
        dedupe.clear()
        paper_years, pp, pr = self._paper_arrays(manifest["next_paper_id"])
        if self._clusters is not None and len(row_clusters.ids) != len(self._clusters[0]):
            # A merge after the name search started brought an author of a new cluster (rare): start again.
            assert self._name_search is not None
            _stop_child(self._name_search)
            self._name_search = None
        searches = [self.start_name_search(row_clusters), self.start_title_search()]
        try:
            assert self._clusters is not None
            cluster_keys, place = self._clusters
            self._clusters = None
            row_cluster = row_clusters.row_places(place)
            n_clusters = len(cluster_keys)
            _write_paper_rows(out, pp, pr, len(paper_years))
            posting_years = paper_years[pp]
            _write_row_records(out, row_records, pr, posting_years)
            row_records.clear()
            n_rows = len(row_names)
            row_papers = np.bincount(pr, minlength=n_rows) if len(pr) else np.zeros(n_rows, np.int64)
            cluster_paper_off, cluster_paper_ids, year_min, year_max = _cluster_papers(
                row_cluster[pr] if len(pr) else np.zeros(0, np.int32), pp, posting_years, n_clusters
            )
            del pp, pr, posting_years
            valid_rows = np.nonzero(row_cluster >= 0)[0].astype(np.int32)
            row_order = valid_rows[np.lexsort((-row_papers[valid_rows], row_cluster[valid_rows]))]
            cluster_row_off, cluster_row_ids = _csr(row_cluster[row_order], row_order, n_clusters)

            stats = np.zeros((n_clusters, 5), dtype=np.int32)
            stats[:, F.STAT_PAPERS] = np.diff(cluster_paper_off)
            stats[:, F.STAT_ROWS] = np.diff(cluster_row_off)
            stats[:, F.STAT_YEAR_MIN] = year_min
            stats[:, F.STAT_YEAR_MAX] = year_max
            # The display name of a cluster is the written form of its row with the most papers.
            first_rows = cluster_row_ids[cluster_row_off[:-1]].tolist() if n_clusters else []
            names = [
                row_names[r] if n else k
                for r, n, k in zip(first_rows, stats[:, F.STAT_ROWS].tolist(), cluster_keys, strict=True)
            ]
            row_names.clear()
            _write_lines(out / F.CLUSTER_NAMES, names)
            del names
            np.save(out / F.CLUSTER_PAPER_OFFSETS, cluster_paper_off)
            np.save(out / F.CLUSTER_PAPER_IDS, cluster_paper_ids)
            np.save(out / F.CLUSTER_ROW_OFFSETS, cluster_row_off)
            np.save(out / F.CLUSTER_ROW_IDS, cluster_row_ids.astype(np.int32))
            np.save(out / F.ROW_CLUSTER, row_cluster)

            del cluster_keys
            for child in searches:
                _join_child(child, out)
            stats[:, F.STAT_KEY_CHARS] = np.load(out / _KEY_CHARS)
            (out / _KEY_CHARS).unlink()
        finally:
            for child in searches:
                _stop_child(child)
        np.save(out / F.CLUSTER_STATS, stats)
        meta = {
            "version": F.INDEX_VERSION,
            "papers": int(manifest["papers"]),
            "author_rows": int(manifest["author_rows"]),
            "clusters": n_clusters,
        }
        (out / F.META).write_bytes(orjson.dumps(meta))

    def start_name_search(self, row_clusters: RowClusters) -> SearchBuild:
        """Sort the cluster keys and build the name search from them in another process (in this one when
        there are few: ``INLINE_BUILD_BELOW``).

        The longest part of a commit: started before the merges of the commit (a merge adds a cluster
        rarely, and ``build`` then starts it again), so it runs while the writer still merges and writes rows;
        ``build`` waits for it.
        """
        if self._name_search is None:
            self._clusters = row_clusters.sorted()
            _write_lines(self.out / F.CLUSTER_KEYS, self._clusters[0])  # also what the name search is built from
            inline = len(self._clusters[0]) < INLINE_BUILD_BELOW
            self._name_search = _start_in_child(_write_name_search, self.out, inline=inline)
        return self._name_search

    def start_title_search(self) -> SearchBuild:
        """Build the title search in another process (in this one when small) from the title words collected so far.

        Started as soon as every shard is in (titles do not change on merges), so it runs while the
        writer still writes author rows; ``build`` waits for it.
        """
        if self._title_search is None:
            words = list(self.seen_title_words)
            self.seen_title_words = set()
            # Hashed here: the child is spawned, with its own hash seed.
            word_hashes = np.fromiter(map(hash, words), dtype=np.int64, count=len(words))
            words_file, hashes_file = (self.out / name for name in _TITLE_INPUTS[:2])
            _write_lines(words_file, words)
            np.save(hashes_file, word_hashes)
            postings = self._posting_hashes.tell() // 8
            self._posting_hashes.close()
            self._posting_owners.close()
            self._title_search = _start_in_child(
                _write_title_search, self.out, inline=postings < INLINE_BUILD_BELOW, niceness=TITLE_SEARCH_NICENESS
            )
        return self._title_search

    def stop(self) -> None:
        """An aborted import: no process of ours goes on writing into the dropped generation."""
        for child in (self._name_search, self._title_search):
            if child is not None:
                _stop_child(child)

    def _paper_arrays(self, n_papers: int) -> tuple[np.ndarray, ...]:
        """Years and spans written; postings returned; the per-shard chunks dropped."""
        ids = self._concat("ids", np.int32)
        paper_years = np.zeros(n_papers, dtype=np.int16)
        paper_years[ids] = self._concat("years", np.int16)
        spans = np.zeros((n_papers, 2), dtype=np.int64)
        spans[ids] = self._concat("spans", np.int64).reshape(-1, 2)
        np.save(self.out / F.PAPERS_SPANS, spans)
        np.save(self.out / F.PAPER_YEARS, paper_years)
        arrays = (
            paper_years,
            self._concat("post_paper", np.int32),
            self._concat("post_row", np.int32),
        )
        self.chunks.clear()
        return arrays


class RowClusters:
    """Each author row's cluster key, numbered as the rows arrive (one dictionary step per new row);
    the keys are sorted once, when the index is built.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}  # cluster key -> number in order of arrival
        self.of_row = array("i")  # per row: its key's number, -1 for an empty slot

    def add(self, key: str) -> None:
        """The next row's cluster key ("" for an empty slot)."""
        self.of_row.append(self.ids.setdefault(key, len(self.ids)) if key else -1)

    def sorted(self) -> tuple[list[str], np.ndarray]:
        """Sorted cluster keys, and each key's place among them by its number."""
        keys = list(self.ids)
        order = sorted(range(len(keys)), key=keys.__getitem__)
        place = np.empty(len(keys), dtype=np.int32)
        place[order] = np.arange(len(keys), dtype=np.int32)
        return [keys[i] for i in order], place

    def row_places(self, place: np.ndarray) -> np.ndarray:
        """Each row's cluster as its key's place among the sorted keys (-1 for an empty slot); the numbering
        is dropped (an import's memory peaks after this)."""
        self.ids = {}
        arrived = np.frombuffer(self.of_row, dtype=np.int32) if len(self.of_row) else np.zeros(0, np.int32)
        if not len(place):
            return np.full(len(arrived), -1, dtype=np.int32)
        return np.where(arrived >= 0, place[arrived.clip(0)], -1).astype(np.int32)


def _write_paper_rows(out: Path, pp: np.ndarray, pr: np.ndarray, n_papers: int) -> None:
    """Each paper's author rows, in order (a CSR layout): a paper's co-authors without reading its record."""
    if len(pp) and not bool(np.all(pp[1:] >= pp[:-1])):
        order = np.argsort(pp, kind="stable")  # a merge gave authors to a paper after its shard was indexed
        pp, pr = pp[order], pr[order]
    offsets, row_ids = _csr(pp, pr.astype(np.int32), n_papers)
    np.save(out / F.PAPER_ROW_OFFSETS, offsets)
    np.save(out / F.PAPER_ROW_IDS, row_ids)


def _cluster_papers(
    pc: np.ndarray, pp: np.ndarray, posting_years: np.ndarray, n_clusters: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cluster -> papers, newest first (ties in import order), and each cluster's year span.

    ``pc``, ``pp`` and ``posting_years`` are the cluster, paper and paper year of each (paper, row)
    posting. A paper listing two rows of one cluster counts once.
    """
    pc_sorted, years_sorted, pp_sorted = _sorted_triples(pc, (1 << 16) - 1 - posting_years.astype(np.int64), pp)
    keep = run_starts(pc_sorted, pp_sorted)
    pc_sorted, pp_sorted, years_sorted = pc_sorted[keep], pp_sorted[keep], (1 << 16) - 1 - years_sorted[keep]
    offsets, ids = _csr(pc_sorted, pp_sorted.astype(np.int32), n_clusters)
    return offsets, ids, *_group_year_span(pc_sorted, years_sorted, n_clusters)


def _sorted_triples(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-negative int arrays sorted together by (a, b, c).

    Packed into one uint64 key when they fit (21, 16 and 27 bits): one sort of a flat array is several
    times faster than a three-key lexsort.
    """
    fits = not len(a) or (
        min(int(a.min()), int(b.min()), int(c.min())) >= 0
        and int(a.max()) < 1 << 21
        and int(b.max()) < 1 << 16
        and int(c.max()) < 1 << 27
    )
    if not fits:
        order = np.lexsort((c, b, a))
        return a[order], b[order], c[order]
    key = (a.astype(np.uint64) << np.uint64(43)) | (b.astype(np.uint64) << np.uint64(27)) | c.astype(np.uint64)
    key.sort()
    return (
        (key >> np.uint64(43)).astype(np.int64),
        ((key >> np.uint64(27)) & np.uint64(0xFFFF)).astype(np.int64),
        (key & np.uint64((1 << 27) - 1)).astype(np.int64),
    )


SEARCH_BUILD_NICENESS = 5
# The title search takes less time than the name search, which starts after it (once the cluster keys are
# sorted) and ends the commit: the title search yields the core to it.
TITLE_SEARCH_NICENESS = 10
# A search built from fewer inputs (cluster keys, title postings) is built in the importing process:
# starting a process (~0.2 s) costs more than the work.
INLINE_BUILD_BELOW = 5_000


class _BuiltInline:
    """What ``_start_in_child`` returns for work it did itself: a process that has ended well."""

    exitcode = 0

    def join(self) -> None:
        return None

    def is_alive(self) -> bool:
        return False

    def kill(self) -> None:
        return None


SearchBuild = BaseProcess | _BuiltInline


def _start_in_child(
    target: Callable[..., None], *args: Any, inline: bool = False, niceness: int = SEARCH_BUILD_NICENESS
) -> SearchBuild:
    """Run ``target`` in a fresh process, given only ``args`` (or here and now, with ``inline``).

    Spawned rather than forked: a forked child would start with (and count in its resident size) all of
    the import's memory, though it needs a small part of it.
    """
    if inline:
        target(*args)
        return _BuiltInline()
    spawn = multiprocessing.get_context("spawn")
    child = spawn.Process(target=_child_main, args=(os.getpid(), niceness, target, *args), daemon=True)
    child.start()
    return child


def _child_main(parent: int, niceness: int, target: Callable[..., None], *args: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it aborts the import
    _die_with(parent)
    # The importing process is on the commit's critical path until it waits for this one: it goes first.
    os.nice(niceness)
    target(*args)


def _die_with(parent: int) -> None:
    """End this process when the import that started it is killed.

    Left running, it would go on writing into a generation the next import removes and creates again.
    """
    ended_by_kernel = False
    with contextlib.suppress(OSError, AttributeError):  # Linux only
        ended_by_kernel = ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) == 0
    if os.getppid() != parent:  # gone already, before that took effect
        os._exit(1)
    if not ended_by_kernel:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _stop_child(child: SearchBuild) -> None:
    """An import that fails or is interrupted must not leave the child writing into its generation."""
    if child.is_alive():
        child.kill()
    child.join()


def _join_child(child: SearchBuild, out: Path) -> None:
    child.join()
    if child.exitcode != 0:
        raise StoreError(f"{out}: building the search index failed (exit code {child.exitcode})")


def _write_title_search(out: Path) -> None:
    """Title words and their papers, from (word hash, paper) postings and each word's hash.

    Two words with the same 64-bit hash (about one import in 10^7) would share their papers.
    """
    paths = [out / name for name in _TITLE_INPUTS]
    text = paths[0].read_text(encoding="utf-8")
    words = text.split("\n") if text else []
    word_hashes = np.load(paths[1])
    posting_hashes, owners = np.fromfile(paths[2], dtype=np.int64), np.fromfile(paths[3], dtype=np.int32)
    for path in paths:
        path.unlink()
    word_numbers = _numbers_by_hash(word_hashes, posting_hashes)
    if word_numbers is None:
        raise StoreError(f"{out}: a title word reached the index without its spelling")
    vocab = dict(zip(words, range(len(words)), strict=True))
    words, word_off, word_papers = _sorted_postings(vocab, word_numbers, owners)
    _write_lines(out / F.TITLE_WORDS, words)
    np.save(out / F.TITLE_WORD_OFFSETS, word_off)
    np.save(out / F.TITLE_WORD_PAPERS, word_papers)


def _numbers_by_hash(hashes: np.ndarray, wanted: np.ndarray) -> np.ndarray | None:
    """Where each of ``wanted`` is in ``hashes`` (distinct int64 values); None if one is not there.

    A table on the hashes' low bits answers nearly all in one gather, several times faster than a
    binary search per value; the few whose slot another hash took are binary searched.
    """
    n = len(hashes)
    if not len(wanted):
        return np.zeros(0, np.int32)
    if not n:
        return None
    mask = (1 << max(16, (16 * n).bit_length())) - 1
    table = np.full(mask + 1, n, dtype=np.int32)  # n: an empty slot
    table[hashes & mask] = np.arange(n, dtype=np.int32)
    numbers = table[wanted & mask]
    missed = np.append(hashes, 0)[numbers] != wanted
    missed |= numbers == n
    missed = np.flatnonzero(missed)
    if len(missed):
        by_hash = np.argsort(hashes)
        sorted_hashes = hashes[by_hash]
        places = np.minimum(np.searchsorted(sorted_hashes, wanted[missed]), n - 1)
        if not np.array_equal(sorted_hashes[places], wanted[missed]):
            return None
        numbers[missed] = by_hash[places]
    return numbers


def _write_name_search(out: Path) -> None:
    """Word and trigram search structures over the sorted cluster keys; each key's letter count to ``_KEY_CHARS``."""
    text = (out / F.CLUSTER_KEYS).read_text(encoding="utf-8")
    cluster_keys = text.split("\n") if text else []
    vocab, tok_off, tok_clusters, key_chars = _key_word_index(cluster_keys)
    _write_lines(out / F.NAME_TOKENS, vocab)
    np.save(out / F.NAME_TOKEN_OFFSETS, tok_off)
    np.save(out / F.NAME_TOKEN_CLUSTERS, tok_clusters)
    tri_codes, tri_off, tri_clusters = _trigram_index(cluster_keys)
    np.save(out / F.TRIGRAM_CODES, tri_codes)
    np.save(out / F.TRIGRAM_OFFSETS, tri_off)
    np.save(out / F.TRIGRAM_CLUSTERS, tri_clusters)
    np.save(out / _KEY_CHARS, key_chars)


def _group_year_span(groups: np.ndarray, years: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest known year per group (0 where no year is known)."""
    year_min = np.full(n_groups, np.iinfo(np.int32).max, dtype=np.int32)
    year_max = np.zeros(n_groups, dtype=np.int32)
    known = years > 0
    np.minimum.at(year_min, groups[known], years[known].astype(np.int32))
    np.maximum.at(year_max, groups[known], years[known].astype(np.int32))
    year_min[year_min == np.iinfo(np.int32).max] = 0
    return year_min, year_max
