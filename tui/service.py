"""The small API that the CLI and the TUI both call: open, search, pages, stats, import."""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.errors import ImportFormatError, NotFound, StoreError
from tui.models import ClusterHit, ClusterPage, Paper, RowUpdate, TitleHit
from tui.names import parse_name
from tui.paths import CURRENT_FILE, StoreLocation
from tui.search import search_clusters, search_titles
from tui.store import Store
from tui.store.gcpause import gc_paused
from tui.store.writer import ImportSession, Outcome

if TYPE_CHECKING:
    from tui.importers import ImportReport

ProgressCallback = Callable[[str, int, int, int], None]  # (stage, done, total, records)


class Library:
    """A store opened for browsing. Every method is safe to call from a worker thread."""

    # What one keystroke asks for. Bounded lists: the UI never holds one entry per name in the store.
    KEYSTROKE_CLUSTER_LIMIT = 50
    KEYSTROKE_TITLE_LIMIT = 20
    MIN_TITLE_QUERY = 3

    def __init__(self, store: Store) -> None:
        self.store = store
        self._evidence: tuple[object, dict[str, Any]] | None = None

    @classmethod
    def open(cls, location: StoreLocation) -> Library:
        return cls(Store(location.path, read_only=location.read_only))

    @property
    def index(self):  # noqa: ANN201 - the Index type lives in the core, imported lazily
        return self.store.index

    def warm(self) -> None:
        """Load the search structures (done in the background before the first keystroke)."""
        self.index.warm()
        # Millions of loaded strings and lists that live as long as the app: a full collection would walk
        # them all (tens of ms, at any keystroke or page), so the collector leaves what exists now alone.
        gc.freeze()

    def search(self, query: str, limit: int = 20) -> list[ClusterHit]:
        return search_clusters(self.index, query, limit)

    def search_titles(self, query: str, limit: int = 20) -> list[TitleHit]:
        return search_titles(self.index, query, limit)

    def search_as_you_type(self, query: str) -> tuple[list[ClusterHit], list[TitleHit]]:
        """What one keystroke in the search bar asks for: names, and titles once a word is typed."""
        hits = self.search(query, self.KEYSTROKE_CLUSTER_LIMIT)
        wants_titles = len(query.strip()) >= self.MIN_TITLE_QUERY
        titles = self.search_titles(query, self.KEYSTROKE_TITLE_LIMIT) if wants_titles else []
        return hits, titles

    def cluster(self, name: str) -> ClusterPage:
        """The cluster page for a name (any spelling of it) or a cluster key."""
        key = parse_name(name).key
        cluster = self.index.find_cluster(key)
        if cluster is None:
            raise NotFound(f"no author-name cluster {name!r} in {self.store.root}")
        _key, display, *_ = self.index.cluster_summary(cluster)
        rows = self.index.rows(self.index.cluster_row_ids(cluster))
        papers = self.index.papers(self.index.cluster_paper_ids(cluster))
        self._add_author_keys(papers)
        return ClusterPage(key=key, name=display, rows=rows, papers=papers)  # type: ignore[arg-type]

    def identities(self, page: ClusterPage) -> list[dict[str, Any]]:
        """Probable identities inside a cluster, with library-wide evidence (see docs/identities.md)."""
        from tui.identities import identity_groups
        from tui.library_evidence import library_evidence

        index = self.index
        # One set of lookups per index: their caches last from one cluster page to the next.
        if self._evidence is None or self._evidence[0] is not index:
            self._evidence = (index, library_evidence(index))
        return identity_groups(page, **self._evidence[1])

    def paper(self, paper_id: int) -> Paper:
        found = self.index.paper(paper_id)
        if found is None:
            raise NotFound(f"no paper with id {paper_id}")
        self._add_author_keys([found])
        return found  # type: ignore[return-value]

    def _add_author_keys(self, papers: list[dict[str, Any]]) -> None:
        """Give each author reference the cluster key it links to (from the index, not by re-parsing)."""
        refs = [ref for paper in papers for ref in paper.get("authors", [])]
        for ref, key in zip(refs, self.index.row_cluster_keys([ref["row"] for ref in refs]), strict=True):
            ref["key"] = key

    def stats(self) -> dict[str, Any]:
        meta = self.index.meta
        return {
            "store": str(self.store.root),
            "read_only": self.store.read_only,
            "papers": meta["papers"],
            "author_rows": meta["author_rows"],
            "clusters": meta["clusters"],
            "bytes_on_disk": self.store.size_on_disk(),
        }


def open_for_import(location: StoreLocation) -> Store:
    if location.read_only and location.origin == "demo":
        raise StoreError(f"{location.path}: the bundled demo store is read-only; pass --store DIR")
    if location.read_only:
        raise StoreError(f"{location.path}: the store is read-only for this session (ARROW_TUI_READ_ONLY)")
    if not (location.path / CURRENT_FILE).exists():
        if location.path.exists() and any(location.path.iterdir()):
            raise StoreError(f"{location.path}: exists, is not empty and is not an arrow-tui store")
        return Store.create(location.path)
    return Store(location.path)


def import_files(
    location: StoreLocation,
    paths: Sequence[Path],
    fmt: str = "auto",
    progress: ProgressCallback | None = None,
    **options: Any,
) -> ImportReport:
    """Import files into the store as one transaction: all of them become visible, or none."""
    from tui.importers import IMPORTERS, ImportReport, detect_format
    from tui.importers.pipeline import ParallelReader

    store = open_for_import(location)
    importers = []
    for path in paths:
        if not path.is_file():
            raise ImportFormatError(f"{path}: no such file")
        importers.append(detect_format(path) if fmt == "auto" else IMPORTERS[fmt])
    report = ImportReport()
    updates: list[RowUpdate] = []
    with gc_paused(), ImportSession(store) as session:
        for path, importer in zip(paths, importers, strict=True):
            # The readers number the names they send after those of the files before (``NamesSent``).
            reader = ParallelReader(importer, path, {**options, "names_from": session.name_numbers_used()}, report)
            for count, item in enumerate(reader):
                if isinstance(item, RowUpdate):
                    updates.append(item)
                    continue
                _count(session.add_incoming(item), report)
                if progress and count % 2048 == 0:
                    progress(f"reading {path.name}", reader.bytes_read, reader.size, count)
            if progress:
                progress(f"reading {path.name}", reader.size, reader.size, report.read)
        for update in updates:
            session.update_row(update.source_id, orcid=update.orcid, homepage=update.homepage)
        session.commit(lambda done, total: progress("indexing", done, total, 0) if progress else None)
    return report


def _count(outcome: Outcome, report: ImportReport) -> None:
    if outcome == "imported":
        report.imported += 1
    elif outcome == "merged":
        report.merged += 1
    else:
        report.unchanged += 1


def reindex(location: StoreLocation) -> None:
    """Rebuild the derived index from the shards, as a new generation like any import."""
    store = Store(location.path, read_only=location.read_only)
    with gc_paused(), ImportSession(store, rebuild_index=True) as session:
        session.commit()
