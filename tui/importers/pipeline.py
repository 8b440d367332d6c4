"""Parse in a child process while the parent writes: an import uses both cores.

The child runs an importer over one file and sends batches of papers as plain tuples (cheap to
pickle) through a pipe; the parent rebuilds them and feeds the store. The child's report (records
read, skips) comes back at the end, and a format error in the child is raised in the parent.
If the parent dies, the child's next send fails and it exits.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from tui.errors import ArrowError, ImportFormatError
from tui.importers.base import MAX_PROBLEMS_KEPT, Importer, ImportReport, Source
from tui.index.keys import PreparedKeys, prepare
from tui.models import AuthorInput, PaperInput, RowUpdate

BATCH = 2000
_PAPER_FIELDS = (
    "title",
    "venue",
    "venue_kind",
    "year",
    "type",
    "abstract",
    "doi",
    "links",
    "pages",
    "source",
    "source_key",
)


Item = tuple[PaperInput | RowUpdate, PreparedKeys | None]


def _pack(item: PaperInput | RowUpdate) -> tuple[Any, ...]:
    """A paper as plain tuples, with its keys computed here, in the child, off the writer's core."""
    if isinstance(item, RowUpdate):
        return ("row", item.source_id, item.orcid, item.homepage)
    return (
        [(a.name, a.source_id, a.orcid) for a in item.authors],
        tuple(prepare(item)),
        *(getattr(item, field) for field in _PAPER_FIELDS),
    )


def _unpack(packed: tuple[Any, ...]) -> Item:
    if packed[0] == "row":
        return RowUpdate(*packed[1:]), None
    authors = [AuthorInput(name, source_id, orcid) for name, source_id, orcid in packed[0]]
    paper = PaperInput(authors=authors, **dict(zip(_PAPER_FIELDS, packed[2:], strict=True)))
    return paper, PreparedKeys(*packed[1])


def _close_inherited_descriptors(keep: int) -> None:
    """Drop every descriptor the fork copied but the reader does not need.

    Above all the store lock (a copy would keep the store locked after the parent is killed) and
    the pipe's read end (a copy would make a send to a dead parent block instead of failing).
    """
    limit = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096
    os.closerange(3, keep)
    os.closerange(keep + 1, min(limit, 65536))


def _produce(importer: Importer, path: Path, options: dict[str, Any], pipe: Connection) -> None:
    # Ctrl-C reaches the whole process group: the parent aborts the import and ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _close_inherited_descriptors(keep=pipe.fileno())
    report = ImportReport()
    try:
        with Source(path) as source:
            batch: list[tuple[Any, ...]] = []
            for item in importer.read(source, report, options):
                batch.append(_pack(item))
                if len(batch) >= BATCH:
                    pipe.send_bytes(pickle.dumps(("batch", batch, source.bytes_read), protocol=5))
                    batch = []
            pipe.send_bytes(pickle.dumps(("batch", batch, source.size), protocol=5))
        pipe.send_bytes(pickle.dumps(("done", report, source.size), protocol=5))
    except ArrowError as exc:
        pipe.send_bytes(pickle.dumps(("error", str(exc), 0), protocol=5))
    except BrokenPipeError:
        pass  # the parent is gone (interrupted or killed): nothing left to do
    except Exception:  # a bug in an importer: the parent shows it instead of hanging
        pipe.send_bytes(pickle.dumps(("crash", traceback.format_exc(), 0), protocol=5))
    finally:
        pipe.close()


class ParallelReader:
    """Iterate an importer's items (with their prepared keys) from a child process.

    ``bytes_read`` follows the file on disk, for progress.
    """

    def __init__(self, importer: Importer, path: Path, options: dict[str, Any], report: ImportReport) -> None:
        self.importer, self.path, self.options, self.report = importer, path, options, report
        self.size = path.stat().st_size
        self.bytes_read = 0

    def __iter__(self) -> Iterator[Item]:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_produce, args=(self.importer, self.path, self.options, sender), daemon=True)
        child.start()
        sender.close()
        try:
            while True:
                try:
                    kind, payload, self.bytes_read = pickle.loads(receiver.recv_bytes())
                except EOFError:
                    raise ImportFormatError(f"{self.path}: the reader process stopped unexpectedly") from None
                if kind == "batch":
                    yield from map(_unpack, payload)
                elif kind == "done":
                    self._merge_report(payload)
                    return
                elif kind == "error":
                    raise ImportFormatError(payload)
                else:
                    raise RuntimeError(f"importer crashed reading {self.path}:\n{payload}")
        finally:
            receiver.close()
            if child.is_alive():
                child.kill()
            child.join()

    def _merge_report(self, child: ImportReport) -> None:
        self.report.read += child.read
        self.report.skipped.update(child.skipped)
        room = max(0, MAX_PROBLEMS_KEPT - len(self.report.problems))
        self.report.problems.extend(child.problems[:room])
