"""An import session: new papers and merges go into a new generation, made live in one rename.

Until ``commit`` renames CURRENT, readers and a crashed or interrupted import see only the old
generation. Unchanged shards are hard-linked, so an import costs what it changes, not the store.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import orjson

from tui.errors import StoreError
from tui.index.build import PaperIndexer, RowClusters, StoredPaper, row_id_bytes, stored_paper, stored_papers
from tui.index.keys import IncomingPaper, incoming, paper_dedupe_keys
from tui.models import Paper, PaperInput
from tui.names import fold, parse_name
from tui.paths import CURRENT_FILE
from tui.store.atomic import atomic_write_bytes
from tui.store.pending import PendingMerges
from tui.store.shards import read_shard, write_shard
from tui.store.store import (
    PAPER_SHARD_SIZE,
    ROW_SHARD_SIZE,
    Store,
    paper_shard_name,
    prune_generations,
    row_shard_name,
)

Outcome = Literal["imported", "merged", "unchanged"]
_new_tuple = tuple.__new__  # builds a NamedTuple without its constructor's checks, once per paper
RECENT_SHARDS_KEPT = 16
PENDING_MERGES_FILE = ".pending-merges"  # in the new generation's directory, gone before it goes live
# Not the title: every paper has one (importers skip those without), and a merge never changes it, so the
# title search can be built before the merges are done.
_FILLABLE = ("venue", "venue_kind", "year", "type", "abstract", "doi", "pages")


# An author of an incoming paper resolved to its row: the reference as JSON (spliced into the paper's
# record; it holds the name as written on the row) and the row id (``row_id_bytes``).
ResolvedAuthor = tuple[bytes, bytes]


def _kept_json(value: Any) -> bytes:
    """``orjson.dumps`` for bytes an import keeps to its end: an exact-size copy.

    orjson writes into a 1 KB buffer and shrinks it in place, which leaves a hole of ~0.9 KB in the C heap
    behind every small result kept: a million kept author rows held ~1 GB instead of ~0.15 GB.
    """
    return b"%b" % orjson.dumps(value)


def _merge_into(existing: Paper, incoming: Paper) -> bool:
    """Fill what the stored paper lacks from a duplicate; True if anything changed."""
    changed = False
    for field in _FILLABLE:
        if not existing.get(field) and incoming.get(field):
            existing[field] = incoming[field]  # type: ignore[literal-required]
            changed = True
    known = {link["url"] for link in existing.get("links", [])}
    for link in incoming.get("links", []):
        if link["url"] not in known:
            existing.setdefault("links", []).append(link)
            known.add(link["url"])
            changed = True
    if not existing.get("authors") and incoming.get("authors"):
        existing["authors"] = incoming["authors"]
        changed = True
    return changed


def _overwrite_tail(path: Path, offset: int, tail: bytes) -> None:
    """Patch a shard this import wrote, from ``offset`` on.

    Not atomic, and need not be: the generation is not live until ``commit`` renames CURRENT, and an
    interrupted import's generation is dropped. Renaming a new copy over the file instead cost ~0.8 ms a
    shard (the old file's pages dropped) on the 886 shards the DBLP dump's duplicates fall into.
    """
    with path.open("r+b") as handle:
        if os.fstat(handle.fileno()).st_nlink != 1:  # shared with another generation: never patch in place
            handle.seek(0)
            atomic_write_bytes(path, handle.read(offset) + tail, sync=False)
            return
        handle.seek(offset)
        handle.write(tail)
        handle.truncate()


class ImportSession:
    """Collects papers for one import; nothing is visible until ``commit``."""

    def __init__(self, store: Store, *, rebuild_index: bool = False) -> None:
        """Open an import; ``rebuild_index`` recomputes everything derived instead of trusting the old index."""
        store.require_writable()
        self.store = store
        self._lock = (store.root / "lock").open("a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise StoreError(f"{store.root}: another import is writing to this store") from None
        prune_generations(store.root, keep=store.generation)
        old = store.manifest
        self.manifest: dict[str, Any] = dict(old)
        number = int(store.generation.split("-")[1]) + 1
        self.generation = f"gen-{number:06d}"
        self.gen_dir = store.root / self.generation
        (self.gen_dir / "papers").mkdir(parents=True)
        (self.gen_dir / "rows").mkdir()
        self.rebuild_index = rebuild_index
        self.dedupe: dict[int, int] = {} if rebuild_index else store.index.dedupe_map()
        self.indexer = PaperIndexer(self.gen_dir / "index")
        # A row this import made is kept serialised until something changes it (``_editable_row``): a
        # third of a dict's memory, and the commit writes it as it is.
        self.rows: list[dict[str, Any] | bytes | None] = [None] * old["next_row_id"]
        for name in old["row_shards"]:
            for row_id, row in read_shard(store.gen_dir / "rows" / name, "rows").items():
                self.rows[row_id] = row
        self.row_names = [row["name"] if row else "" for row in self.rows]  # type: ignore[index]
        self.row_by_key = {sid: r["id"] for r in self.rows if r for sid in r.get("source_ids", [])}  # type: ignore[union-attr]
        self.row_clusters = RowClusters()
        for name in self.row_names:
            self.row_clusters.add(fold(name) if name else "")
        self._dirty_row_shards: set[int] = set()
        self._plain_refs: dict[str, ResolvedAuthor | None] = {}
        # By the number the parsing process gave a name (``NamesSent``): its row, or the name not resolved yet.
        self._numbered_refs: list[ResolvedAuthor | list[str] | None] = []
        # Full shards stay in memory a while: most duplicates in a dump sit close to their original.
        self._filled: deque[int] = deque()
        self._pending_merges = PendingMerges(self.gen_dir / PENDING_MERGES_FILE)
        self._shards: dict[int, dict[int, StoredPaper]] = {}
        self._dirty_shards: set[int] = set()
        self._written_shards: set[int] = set()
        self.next_paper_id: int = old["next_paper_id"]

    # -- rows -----------------------------------------------------------------------------------
    def _resolve_author(self, name: str, source_id: str, orcid: str, *parsed: str) -> ResolvedAuthor | None:
        """The row of an author (``parsed``: display form, suffix and key, when the parser sent them)."""
        if not source_id and not orcid:
            # Most authors of a large import are names seen before: resolve each written form once.
            cached = self._plain_refs.get(name)
            if cached is None:
                cached = self._plain_refs[name] = self._resolve_row(name, source_id, orcid, *parsed)
            return cached
        return self._resolve_row(name, source_id, orcid, *parsed)

    def _resolve_row(self, name: str, source_id: str, orcid: str, *parsed: str) -> ResolvedAuthor | None:
        display, suffix, cluster = parsed or parse_name(name)
        if not display:
            return None
        if display == name:  # most names: one string kept, not the parser's copy too (they arrive apart)
            display = name
        full = f"{display} {suffix}" if suffix else display
        key = source_id or "name:" + full
        row_id = self.row_by_key.get(key)
        if row_id is None:
            row_id = len(self.rows)
            row = {"id": row_id, "name": display, "suffix": suffix, "orcid": orcid, "homepage": "", "source_ids": [key]}
            self.rows.append(_kept_json(row))
            self.row_names.append(display)
            self.row_by_key[key] = row_id
            self.row_clusters.add(cluster)
            self._dirty_row_shards.add(row_id // ROW_SHARD_SIZE)
        elif orcid and not (row := self._editable_row(row_id)).get("orcid"):
            row["orcid"] = orcid
            self._dirty_row_shards.add(row_id // ROW_SHARD_SIZE)
        return _kept_json({"name": full, "row": row_id}), row_id_bytes(row_id)

    def _editable_row(self, row_id: int) -> dict[str, Any]:
        """A row to change in place: one kept as its record is parsed back first."""
        row = self.rows[row_id]
        if row.__class__ is bytes:
            row = self.rows[row_id] = orjson.loads(row)  # type: ignore[arg-type]
        assert isinstance(row, dict)
        return row

    def update_row(self, source_id: str, **fields: str) -> bool:
        """Add details (homepage, ORCID) to an existing author row; False if there is no such row."""
        row_id = self.row_by_key.get(source_id)
        if row_id is None:
            return False
        row = self._editable_row(row_id)
        for name, value in fields.items():
            if value and not row.get(name):
                row[name] = value
                self._dirty_row_shards.add(row_id // ROW_SHARD_SIZE)
        return True

    # -- papers ---------------------------------------------------------------------------------
    def _shard(self, number: int) -> dict[int, StoredPaper]:
        shard = self._shards.get(number)
        if shard is None:
            name = paper_shard_name(number * PAPER_SHARD_SIZE)
            source = self.gen_dir / name if number in self._written_shards else self.store.gen_dir / name
            docs = read_shard(source, "papers") if source.exists() else {}
            shard = self._shards[number] = stored_papers(docs)
        return shard

    def _resolve_authors(self, authors: list[Any]) -> tuple[list[bytes], list[bytes]]:
        """Rows of a paper's authors (``IncomingPaper.authors``: a number stands for a name sent before):
        each author's reference as JSON and its row id (``row_id_bytes``), gathered in one pass."""
        numbered: list[Any] = self._numbered_refs
        refs: list[bytes] = []
        rows: list[bytes] = []
        for author in authors:
            if author.__class__ is int:
                ref = numbered[author]
                if ref.__class__ is list:  # first sent with a duplicate, so not resolved then
                    ref = numbered[author] = self._resolve_author(*ref)
            elif len(author) == 7:
                ref = self._resolve_author(*author[:6])
                self._number_name(author[6], ref)
            else:
                ref = self._resolve_author(*author)
            if ref:
                refs.append(ref[0])
                rows.append(ref[1])
        return refs, rows

    def _number_name(self, number: int, ref: ResolvedAuthor | list[str] | None) -> None:
        """What a name's number stands for: its row, or (until a paper that is no duplicate needs it) the name."""
        numbered = self._numbered_refs
        if number >= len(numbered):
            numbered.extend([None] * (number + 1 - len(numbered)))
        numbered[number] = ref

    def name_numbers_used(self) -> int:
        """Where the numbers of names of the next file's readers start (``NamesSent``)."""
        return len(self._numbered_refs)

    def _remember_numbers(self, authors: list[Any]) -> None:
        """Names a duplicate numbers: later papers refer to them by number, but no row is made for them yet."""
        for author in authors:
            if author.__class__ is tuple and len(author) == 7:
                self._number_name(author[6], list(author[:6]))

    def add(self, paper: PaperInput) -> Outcome:
        """Add a paper, or merge it into the stored duplicate."""
        return self.add_incoming(incoming(paper))

    def add_incoming(self, paper: IncomingPaper) -> Outcome:
        """``add`` for a paper whose keys and fields the parser has computed already."""
        paper_id = self.next_paper_id
        claim = self.dedupe.setdefault
        # Each key is claimed for the new id as it is looked up: one dictionary probe per key, not two.
        for place, key in enumerate(paper.dedupe):
            existing_id = claim(key, paper_id)
            if existing_id != paper_id:
                for claimed in paper.dedupe[:place]:
                    if self.dedupe.get(claimed) == paper_id:
                        del self.dedupe[claimed]
                # The parser sends each word's spelling and each name's number once: a later paper may need them.
                self.indexer.learn_title_words(paper.new_title_words)
                self._remember_numbers(paper.authors)
                return self._merge(existing_id, paper)
        self.next_paper_id += 1
        refs, rows = self._resolve_authors(paper.authors)
        # The record is spliced as bytes: the parser serialised the fields, the refs are serialised once per name.
        record = b'%s,"authors":[%s],"id":%d}' % (paper.fields[:-1], b",".join(refs), paper_id)
        number = paper_id // PAPER_SHARD_SIZE
        self._shard(number)[paper_id] = _new_tuple(
            StoredPaper, (record, paper.year, b"".join(rows), paper.title_hashes, paper.new_title_words)
        )
        self._dirty_shards.add(number)
        if (paper_id + 1) % PAPER_SHARD_SIZE == 0:
            self._filled.append(number)
            if len(self._filled) > RECENT_SHARDS_KEPT:
                self._flush(self._filled.popleft())
        return "imported"

    def _merge(self, existing_id: int, paper: IncomingPaper) -> Outcome:
        number = existing_id // PAPER_SHARD_SIZE
        if number not in self._shards:
            # The stored paper's shard is on disk: merge at commit, when each such shard is read once.
            self._pending_merges.add(number, existing_id, paper)
            return "merged"
        return "merged" if self._merge_now(self._shards[number], existing_id, paper) else "unchanged"

    def _merge_now(self, shard: dict[int, StoredPaper], existing_id: int, paper: IncomingPaper) -> bool:
        stored = shard.get(existing_id)
        if stored is None:
            return False
        existing = orjson.loads(stored.record)
        title = existing.get("title")
        if not self._merge_paper(existing, existing_id, paper):
            return False
        shard[existing_id] = stored_paper(existing, stored if existing.get("title") == title else None)
        self._dirty_shards.add(existing_id // PAPER_SHARD_SIZE)
        return True

    def _merge_paper(self, existing: dict[str, Any], existing_id: int, paper: IncomingPaper) -> bool:
        update = orjson.loads(paper.fields)
        if not existing.get("authors"):
            refs, _ = self._resolve_authors(paper.authors)
            update["authors"] = [orjson.loads(ref) for ref in refs]
        if not _merge_into(existing, update):
            return False
        for key in paper_dedupe_keys(existing, paper.first_author_key):
            self.dedupe.setdefault(key, existing_id)
        return True

    def _apply_pending_merges(self, *, previous_generation: bool) -> None:
        """Duplicates of papers in shards already on disk: one read and one write per shard.

        A shard this import wrote is patched as bytes (only the merged records are parsed and written
        again); a shard of the previous generation is read whole and written into this one.
        ``previous_generation`` picks which of the two kinds of shard to do.
        """
        for number in self._pending_merges.shards():
            if (number not in self._written_shards) != previous_generation:
                continue
            merges = self._pending_merges.pop(number)
            path = self.gen_dir / paper_shard_name(number * PAPER_SHARD_SIZE)
            if number in self._written_shards and self.indexer.can_splice(number):
                data = path.read_bytes()
                changed: dict[int, dict[str, Any]] = {}
                for existing_id, incoming_paper in merges:
                    paper = changed.get(existing_id) or self.indexer.stored_record(number, data, existing_id)
                    if self._merge_paper(paper, existing_id, incoming_paper):
                        changed[existing_id] = paper
                if changed:
                    _overwrite_tail(path, *self.indexer.spliced_shard_tail(number, data, changed))
                continue
            shard = self._shard(number)
            if any([self._merge_now(shard, *merge) for merge in merges]):
                self._flush(number)
            elif previous_generation and not self.rebuild_index:
                # Unchanged: the file is linked as it is, and the papers just read feed the index now
                # instead of being read again with the untouched shards (a rebuild reads them there, as it
                # also takes their dedupe keys).
                self.indexer.add_shard(number, self._shards.pop(number))
            else:
                del self._shards[number]

    def _flush(self, number: int) -> None:
        """Write a full shard now so a large import never holds more than a few shards."""
        pieces = self.indexer.add_shard(number, self._shards.pop(number))
        atomic_write_bytes(self.gen_dir / paper_shard_name(number * PAPER_SHARD_SIZE), pieces, sync=False)
        self._dirty_shards.discard(number)
        self._written_shards.add(number)

    # -- commit ---------------------------------------------------------------------------------
    def commit(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Write everything, build the index, then make the new generation live in one rename."""
        for number in sorted(self._dirty_shards):
            self._flush(number)
        # The shards are on disk now: their writeback starts while the index is built, so the sync that
        # makes the generation durable before it goes live has less left to wait for (0.3 s instead of 0.5-0.6).
        threading.Thread(target=os.sync, daemon=True).start()
        # Shards of the previous generation that take a merge are read and written once, before the
        # untouched ones are linked and indexed.
        self._apply_pending_merges(previous_generation=True)
        paper_shards = sorted(
            {
                *(self.store.manifest["paper_shards"]),
                *(paper_shard_name(n * PAPER_SHARD_SIZE).split("/")[1] for n in self._written_shards),
            }
        )
        self._link_unchanged("papers", paper_shards)
        self._index_unchanged_shards(paper_shards, progress)
        # Every title is in and merges never change one: another core builds the title search meanwhile.
        self.indexer.start_title_search()
        # The name search, the longest part, starts before the merges too: they seldom add a cluster.
        self.indexer.start_name_search(self.row_clusters)
        self._apply_pending_merges(previous_generation=False)
        self._pending_merges.close()
        # Lookups only adding papers needs; a big import's memory goes to the index build instead.
        self._plain_refs.clear()
        self._numbered_refs = []
        self.row_by_key.clear()
        # Each row serialised once, for its shard and for the index's rows blob (kept until both are written).
        row_records = [row if row.__class__ is bytes else _kept_json(row) if row else b"" for row in self.rows]
        row_shards = []
        for number in range((len(self.rows) + ROW_SHARD_SIZE - 1) // ROW_SHARD_SIZE):
            name = row_shard_name(number * ROW_SHARD_SIZE)
            row_shards.append(name.split("/")[1])
            if number in self._dirty_row_shards:
                first = number * ROW_SHARD_SIZE
                chunk = row_records[first : first + ROW_SHARD_SIZE]
                write_shard(self.gen_dir / name, "rows", [(first + i, r) for i, r in enumerate(chunk) if r])
        self._link_unchanged("rows", row_shards)
        new_papers = self.next_paper_id - self.store.manifest["next_paper_id"]
        self.manifest.update(
            {
                "generation": self.generation,
                "papers": self.store.manifest["papers"] + new_papers,
                "author_rows": len(self.rows) - self.rows.count(None),
                "next_paper_id": self.next_paper_id,
                "next_row_id": len(self.rows),
                "paper_shards": paper_shards,
                "row_shards": row_shards,
            }
        )
        self.rows.clear()  # their memory goes to the index build, which empties the dedupe keys too
        self.indexer.build(self.manifest, self.row_names, row_records, self.row_clusters, self.dedupe)
        (self.gen_dir / "manifest.json").write_bytes(orjson.dumps(self.manifest, option=orjson.OPT_INDENT_2))
        os.sync()  # every file of the generation on disk before it becomes reachable
        atomic_write_bytes(self.store.root / CURRENT_FILE, f"{self.generation}\n".encode())
        # The previous generation stays until the next import: open readers may still load from it.
        self._release()

    def _index_unchanged_shards(self, names: list[str], progress: Callable[[int, int], None] | None) -> None:
        """Shards this import did not touch still feed the index (and, when rebuilding, the dedupe keys)."""
        for done, name in enumerate(names, 1):
            number = int(name[1:-5])
            if number not in self.indexer.chunks:
                docs = read_shard(self.gen_dir / "papers" / name, "papers")
                self.indexer.add_shard(number, stored_papers(docs))
                if self.rebuild_index:
                    self._register_dedupe_keys(docs)
            if progress:
                progress(done, len(names))

    def _register_dedupe_keys(self, docs: dict[int, dict[str, Any]]) -> None:
        for paper_id, paper in docs.items():
            authors = paper.get("authors") or []
            first = self.row_names[authors[0]["row"]] if authors else ""
            for key in paper_dedupe_keys(paper, parse_name(first).key if first else ""):
                self.dedupe.setdefault(key, paper_id)

    def _link_unchanged(self, kind: str, names: list[str]) -> None:
        for name in names:
            target = self.gen_dir / kind / name
            if target.exists():
                continue
            source = self.store.gen_dir / kind / name
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)

    def abort(self) -> None:
        """Forget the new generation; the live one was never touched."""
        self.indexer.stop()
        self._pending_merges.close()
        shutil.rmtree(self.gen_dir, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    def __enter__(self) -> ImportSession:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self.abort()
