"""Parse in a child process while the parent writes: an import uses both cores.

The child runs an importer over one file and sends batches of papers as plain tuples (cheap to
marshal), each already serialised and keyed, through a pipe; the parent feeds them to the store. The
child's report (records read, skips) comes back at the end, and a format error in the child is raised in the parent.
If the parent dies, the child's next send fails and it exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import marshal
import multiprocessing
import os
import pickle
import queue
import signal
import struct
import threading
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from tui.errors import ArrowError, ImportFormatError
from tui.importers.base import MAX_PROBLEMS_KEPT, PART_END, Importer, ImportReport, Source
from tui.index.keys import IncomingPaper, NamesSent, incoming
from tui.models import PaperInput, RowUpdate
from tui.store.atomic import write_pieces

BATCH = 2000
# Below this size a second reader process costs more than it saves.
SPLIT_FROM_BYTES = 8 << 20
MAX_READERS = 2
READER_NICENESS = 5
# Messages a reader may have written but not yet had taken (each a run of entries, about 1 MB): enough
# that the readers and the writer rarely wait for one another.
OUTBOX_DEPTH = 8
Item = IncomingPaper | RowUpdate
_MARSHALLED, _PICKLED = b"m", b"p"  # the first byte of a message: how the rest is encoded
# Marshal's format 2, without the back-references of 3 and 4: those look every object that is referred to
# elsewhere (a name's number, a title word) up in a table, and took 60% of the time (3.1 -> 1.3 us a paper).
_MARSHAL_FORMAT = 2
_LENGTH = struct.Struct("<Q")  # before each message on a pipe: its length
# A message (a batch) is about 1 MB: with a pipe that holds one, its writer and reader take turns once
# per message instead of at every 64 KB (the default).
PIPE_BYTES = 1 << 20


def _pipe(context: Any) -> tuple[Connection, Connection]:
    """A one-way pipe (receiving end, sending end) holding ``PIPE_BYTES`` where the system allows."""
    receiver, sender = context.Pipe(duplex=False)
    with contextlib.suppress(OSError, AttributeError):  # Linux only, and limited by /proc/sys/fs/pipe-max-size
        fcntl.fcntl(receiver.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    return receiver, sender


def _send_message(pipe: Connection, data: bytes) -> None:
    write_pieces(pipe.fileno(), [_LENGTH.pack(len(data)), data])


class _Inbox:
    """The messages of one pipe, each read into the same buffer.

    ``Connection.recv_bytes`` reads every message into fresh memory, which the kernel zeroes a page at a
    time before the data is copied in: about 1 s of the writer's time per gigabyte received.
    """

    def __init__(self, pipe: Connection) -> None:
        self._file = os.fdopen(pipe.fileno(), "rb", buffering=0, closefd=False)
        self._length = bytearray(_LENGTH.size)
        self._buffer = bytearray(PIPE_BYTES)

    def receive(self) -> memoryview:
        """The next message, valid until the next call; ``EOFError`` once the other end is closed."""
        self._fill(memoryview(self._length))
        (size,) = _LENGTH.unpack(self._length)
        if size > len(self._buffer):
            self._buffer = bytearray(size)
        message = memoryview(self._buffer)[:size]
        self._fill(message)
        return message

    def _fill(self, view: memoryview) -> None:
        done = 0
        while done < len(view):
            count = self._file.readinto(view[done:])
            if not count:
                raise EOFError
            done += count


def _pack(item: PaperInput | RowUpdate, names: NamesSent, words_sent: set[str]) -> tuple[Any, ...]:
    """A paper as plain tuples (cheap to marshal), serialised and keyed here, off the writer's core."""
    if isinstance(item, RowUpdate):
        return ("row", item.source_id, item.orcid, item.homepage)
    return tuple(incoming(item, names, words_sent))


def _unpack(packed: tuple[Any, ...]) -> Item:
    if packed[0] == "row":
        return RowUpdate(*packed[1:])
    return tuple.__new__(IncomingPaper, packed)  # once per paper: without the NamedTuple constructor's checks


def _close_inherited_descriptors(keep: set[int]) -> None:
    """Drop every descriptor the fork copied but the reader does not need.

    Above all the store lock (a copy would keep the store locked after the parent is killed) and
    the pipe's read end (a copy would make a send to a dead parent block instead of failing).
    """
    limit = os.sysconf("SC_OPEN_MAX") if hasattr(os, "sysconf") else 4096
    low = 3
    for descriptor in sorted(keep):
        os.closerange(low, descriptor)
        low = descriptor + 1
    os.closerange(low, min(limit, 65536))


class _Outbox:
    """Messages to the parent, written by a thread of their own.

    Writing a batch waits until the writer takes it (a pipe holds about one), and the writer
    takes the runs in file order. Written from this thread, a reader goes on with its next run (and the
    process splitting the file goes on handing runs to the others) meanwhile. ``OUTBOX_DEPTH`` messages at most wait.
    """

    def __init__(self, pipe: Connection, depth: int = OUTBOX_DEPTH) -> None:
        self.pipe = pipe
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self.failed: BrokenPipeError | None = None
        self.thread = threading.Thread(target=self._write, daemon=True)
        self.thread.start()

    def send(self, kind: str, payload: Any, bytes_read: int) -> None:
        """One message: (kind, payload, how far into the file on disk the reader is).

        A batch is plain tuples of strings, bytes and ints, which marshal writes and reads about twice as
        fast as pickle; the rest (a report, an error) is pickled.
        """
        message = (kind, payload, bytes_read)
        if kind == "batch":
            self.send_bytes(_MARSHALLED + marshal.dumps(message, _MARSHAL_FORMAT))
        else:
            self.send_bytes(_PICKLED + pickle.dumps(message))

    def send_bytes(self, data: bytes) -> None:
        """A message already encoded; raises ``BrokenPipeError`` once the other end is gone."""
        if self.failed is not None:
            raise self.failed
        self.queue.put(data)

    def close(self) -> None:
        """Wait until every message is written (or the parent is gone)."""
        self.queue.put(None)
        self.thread.join()

    def _write(self) -> None:
        while (data := self.queue.get()) is not None:
            if self.failed is None:
                try:
                    _send_message(self.pipe, data)
                except OSError as exc:  # the parent is gone: keep taking messages so no send blocks
                    self.failed = BrokenPipeError(str(exc))


def _decode(data: memoryview) -> tuple[str, Any, int]:
    body = data[1:]
    return marshal.loads(body) if data[:1] == _MARSHALLED else pickle.loads(body)


def _forwarder(outboxes: list[_Outbox]) -> Callable[[int, Any], None]:
    """``options["forward"]`` of the part that splits the file: hands part n (n >= 1) what it needs.

    Through a thread, like the batches to the parent: the splitting part goes on while a follower is
    still busy with its previous run, instead of waiting at every run for the two to line up.
    """

    def forward(part: int, run: Any) -> None:
        outboxes[part - 1].send_bytes(marshal.dumps(("run", run), _MARSHAL_FORMAT))

    return forward


def _forwarded_runs(leader: Connection, path: Path) -> Iterator[Any]:
    """``options["runs"]`` of a part that does not read the file: the runs the splitting part hands on."""
    inbox = _Inbox(leader)
    while True:
        try:
            message = marshal.loads(inbox.receive())
        except EOFError:
            raise ImportFormatError(f"{path}: the process splitting the file stopped unexpectedly") from None
        if message[0] == "end":
            return
        if message[0] == "error":
            raise ImportFormatError(message[1])
        yield message[1]


def _tell_followers(outboxes: list[_Outbox], message: tuple[str, ...]) -> None:
    for outbox in outboxes:
        with contextlib.suppress(OSError):  # that process is gone already
            outbox.send_bytes(marshal.dumps(message, _MARSHAL_FORMAT))


def _produce(
    importer: Importer,
    path: Path,
    options: dict[str, Any],
    pipe: Connection,
    followers: list[Connection],
    leader: Connection | None,
) -> None:
    """Read one part of a file (or all of it) and send its papers to the parent.

    The part that splits the file hands the ``followers`` their runs; a follower gets them from its ``leader``.
    """
    # Ctrl-C reaches the whole process group: the parent aborts the import and ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    links = [*followers, *([leader] if leader is not None else [])]
    _close_inherited_descriptors(keep={pipe.fileno(), *(link.fileno() for link in links)})
    to_followers = [_Outbox(follower) for follower in followers]
    if followers:
        options = {**options, "forward": _forwarder(to_followers)}
    if leader is not None:
        options = {**options, "runs": _forwarded_runs(leader, path)}
    # The writer is the one serial stage: with more processes than cores, it must not wait for a core.
    os.nice(READER_NICENESS)
    report = ImportReport()
    split = "part" in options  # one message per run of entries this part owns, so the parent can keep file order
    outbox = _Outbox(pipe)
    try:
        with Source(path) as source:
            batch: list[tuple[Any, ...]] = []
            names = NamesSent(options.get("names_from", 0), *options.get("part", (0, 1)))
            words_sent: set[str] = set()
            for item in importer.read(source, report, options):
                if item is PART_END or (not split and len(batch) >= BATCH):
                    outbox.send("batch", batch, source.bytes_read)
                    batch = []
                if item is not PART_END:
                    batch.append(_pack(item, names, words_sent))  # type: ignore[arg-type]
            if not split:
                outbox.send("batch", batch, source.size)
        _tell_followers(to_followers, ("end",))
        outbox.send("done", report, source.size)
    except ArrowError as exc:
        _tell_followers(to_followers, ("error", str(exc)))
        outbox.send("error", str(exc), 0)
    except BrokenPipeError:
        pass  # the parent (or a follower) is gone: the import is over
    except Exception:  # a bug in an importer: the parent shows it instead of hanging
        _tell_followers(to_followers, ("error", f"{path}: the process splitting the file failed"))
        outbox.send("crash", traceback.format_exc(), 0)
    finally:
        for follower_outbox in to_followers:
            follower_outbox.close()
        outbox.close()
        for link in [pipe, *links]:
            link.close()


def _close_links(links: list[tuple[Connection, Connection]]) -> None:
    for receiver, sender in links:
        receiver.close()  # closing a closed connection does nothing
        sender.close()


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
        # Part 0 decompresses and splits the file once and hands each other part its runs, when the format can.
        forwarding = self.processes > 1 and getattr(self.importer, "forwards_runs", False)
        runs_links = [_pipe(context) for _ in range(self.processes - 1)] if forwarding else []
        try:
            for part in range(self.processes):
                receiver, sender = _pipe(context)
                options = {**self.options, "part": (part, self.processes)} if self.processes > 1 else self.options
                followers = [link_sender for _, link_sender in runs_links] if part == 0 else []
                leader = runs_links[part - 1][0] if part and runs_links else None
                child = context.Process(
                    target=_produce,
                    args=(self.importer, self.path, options, sender, followers, leader),
                    daemon=True,
                )
                child.start()
                sender.close()
                receivers.append(receiver)
                children.append(child)
            _close_links(runs_links)  # the readers hold them now: a reader's end means EOF for the other
            inboxes = [_Inbox(receiver) for receiver in receivers]
            turn = 0
            while True:
                kind, payload = self._receive(inboxes[turn % len(inboxes)])
                if kind == "batch":
                    yield from map(_unpack, payload)
                    turn += 1
                    continue
                # One part has no more runs, so no part has: the others' next message is their end too.
                for offset in range(len(inboxes)):
                    if offset:
                        kind, payload = self._receive(inboxes[(turn + offset) % len(inboxes)])
                    if kind != "done":
                        raise RuntimeError(f"reader processes of {self.path} out of step ({kind})")
                    self._merge_report(payload)
                return
        finally:
            _close_links(runs_links)
            for receiver in receivers:
                receiver.close()
            for child in children:
                if child.is_alive():
                    child.kill()
                child.join()

    def _receive(self, inbox: _Inbox) -> tuple[str, Any]:
        """The next batch or end of one reader process; its errors raised here."""
        try:
            kind, payload, bytes_read = _decode(inbox.receive())
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
