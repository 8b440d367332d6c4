"""Parse in a child process while the parent writes: an import uses both cores.

The child runs an importer over one file and sends batches of papers as plain tuples (cheap to
marshal), each already serialised and keyed, through a pipe; the parent feeds them to the store. The
child's report (records read, skips) comes back at the end, and a format error in the child is raised in the parent.
If the parent dies, the child's next send fails and it exits.
"""

from __future__ import annotations

import marshal
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
from tui.importers.base import MAX_PROBLEMS_KEPT, PART_END, Importer, ImportReport, Source
from tui.index.keys import IncomingPaper, incoming
from tui.models import PaperInput, RowUpdate
from tui.names import ParsedName

BATCH = 2000
# Below this size a second reader process costs more than it saves.
SPLIT_FROM_BYTES = 8 << 20
MAX_READERS = 2
READER_NICENESS = 5
Item = IncomingPaper | RowUpdate
_MARSHALLED, _PICKLED = b"m", b"p"  # the first byte of a message: how the rest is encoded


def _pack(item: PaperInput | RowUpdate, names: dict[str, ParsedName], words_sent: set[str]) -> tuple[Any, ...]:
    """A paper as plain tuples (cheap to marshal), serialised and keyed here, off the writer's core."""
    if isinstance(item, RowUpdate):
        return ("row", item.source_id, item.orcid, item.homepage)
    return tuple(incoming(item, names, words_sent))


def _unpack(packed: tuple[Any, ...]) -> Item:
    if packed[0] == "row":
        return RowUpdate(*packed[1:])
    return IncomingPaper._make(packed)


def _close_inherited_descriptors(keep: int) -> None:
    """Drop every descriptor the fork copied but the reader does not need.

    Above all the store lock (a copy would keep the store locked after the parent is killed) and
    the pipe's read end (a copy would make a send to a dead parent block instead of failing).
    """
    limit = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096
    os.closerange(3, keep)
    os.closerange(keep + 1, min(limit, 65536))


def _send(pipe: Connection, kind: str, payload: Any, bytes_read: int) -> None:
    """One message to the parent: (kind, payload, how far into the file on disk the reader is).

    A batch is plain tuples of strings, bytes and ints, which marshal writes and reads about twice as
    fast as pickle; the rest (a report, an error) is pickled.
    """
    message = (kind, payload, bytes_read)
    pipe.send_bytes(_MARSHALLED + marshal.dumps(message) if kind == "batch" else _PICKLED + pickle.dumps(message))


def _decode(data: bytes) -> tuple[str, Any, int]:
    body = memoryview(data)[1:]
    return marshal.loads(body) if data[:1] == _MARSHALLED else pickle.loads(body)


def _produce(importer: Importer, path: Path, options: dict[str, Any], pipe: Connection) -> None:
    # Ctrl-C reaches the whole process group: the parent aborts the import and ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _close_inherited_descriptors(keep=pipe.fileno())
    # The writer is the one serial stage: with more processes than cores, it must not wait for a core.
    os.nice(READER_NICENESS)
    report = ImportReport()
    split = "part" in options  # one message per run of entries this part owns, so the parent can keep file order
    try:
        with Source(path) as source:
            batch: list[tuple[Any, ...]] = []
            names: dict[str, ParsedName] = {}  # parsed by this process, and sent to the writer once
            words_sent: set[str] = set()
            for item in importer.read(source, report, options):
                if item is PART_END or (not split and len(batch) >= BATCH):
                    _send(pipe, "batch", batch, source.bytes_read)
                    batch = []
                if item is not PART_END:
                    batch.append(_pack(item, names, words_sent))  # type: ignore[arg-type]
            if not split:
                _send(pipe, "batch", batch, source.size)
        _send(pipe, "done", report, source.size)
    except ArrowError as exc:
        _send(pipe, "error", str(exc), 0)
    except BrokenPipeError:
        pass  # the parent is gone (interrupted or killed): nothing left to do
    except Exception:  # a bug in an importer: the parent shows it instead of hanging
        _send(pipe, "crash", traceback.format_exc(), 0)
    finally:
        pipe.close()


def reader_processes(importer: Importer, size: int) -> int:
    """How many processes parse a file: a large file of a splittable format gets one per core."""
    if not getattr(importer, "splittable", False) or size < SPLIT_FROM_BYTES:
        return 1
    return max(1, min(MAX_READERS, len(os.sched_getaffinity(0))))


class ParallelReader:
    """Iterate an importer's items (papers as ``IncomingPaper``) from child processes, in file order.

    A large file of a splittable format is parsed by several children, each owning every n-th run of
    ``PART_ENTRIES`` entries; the runs are taken from them in turn. ``bytes_read`` follows the file on
    disk, for progress.
    """

    def __init__(self, importer: Importer, path: Path, options: dict[str, Any], report: ImportReport) -> None:
        self.importer, self.path, self.options, self.report = importer, path, options, report
        self.size = path.stat().st_size
        self.bytes_read = 0
        self.processes = reader_processes(importer, self.size)

    def __iter__(self) -> Iterator[Item]:
        context = multiprocessing.get_context("fork")
        receivers, children = [], []
        try:
            for part in range(self.processes):
                receiver, sender = context.Pipe(duplex=False)
                options = {**self.options, "part": (part, self.processes)} if self.processes > 1 else self.options
                child = context.Process(target=_produce, args=(self.importer, self.path, options, sender), daemon=True)
                child.start()
                sender.close()
                receivers.append(receiver)
                children.append(child)
            turn = 0
            while True:
                kind, payload = self._receive(receivers[turn % len(receivers)])
                if kind == "batch":
                    yield from map(_unpack, payload)
                    turn += 1
                    continue
                # One part has no more runs, so no part has: the others' next message is their end too.
                for offset in range(len(receivers)):
                    if offset:
                        kind, payload = self._receive(receivers[(turn + offset) % len(receivers)])
                    if kind != "done":
                        raise RuntimeError(f"reader processes of {self.path} out of step ({kind})")
                    self._merge_report(payload)
                return
        finally:
            for receiver in receivers:
                receiver.close()
            for child in children:
                if child.is_alive():
                    child.kill()
                child.join()

    def _receive(self, receiver: Connection) -> tuple[str, Any]:
        """The next batch or end of one reader process; its errors raised here."""
        try:
            kind, payload, bytes_read = _decode(receiver.recv_bytes())
        except EOFError:
            raise ImportFormatError(f"{self.path}: the reader process stopped unexpectedly") from None
        self.bytes_read = max(self.bytes_read, bytes_read)
        if kind == "error":
            raise ImportFormatError(payload)
        if kind == "crash":
            raise RuntimeError(f"importer crashed reading {self.path}:\n{payload}")
        return kind, payload

    def _merge_report(self, child: ImportReport) -> None:
        self.report.read += child.read
        self.report.skipped.update(child.skipped)
        room = max(0, MAX_PROBLEMS_KEPT - len(self.report.problems))
        self.report.problems.extend(child.problems[:room])
