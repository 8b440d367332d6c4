"""Duplicates waiting for the commit: incoming papers whose stored original sits in a shard on disk.

The commit reads each such shard once and merges all of its duplicates. Until then they wait in a
temporary file, not in memory: importing a dump into a store that already holds it makes every paper
such a duplicate, and 1.6M of them held in memory took ~2 GB.
"""

from __future__ import annotations

import marshal
import os
from array import array
from pathlib import Path
from typing import BinaryIO

from tui.index.keys import IncomingPaper

_MARSHAL_FORMAT = 2  # as the readers' batches: no back-references to look up
_WRITE_BUFFER = 1 << 20


class PendingMerges:
    """Duplicates by the shard of their original, written to ``path`` (created on the first one)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO | None = None
        self._size = 0
        self._places: dict[int, array[int]] = {}  # shard number -> (offset, length) of each duplicate

    def add(self, number: int, existing_id: int, paper: IncomingPaper) -> None:
        """A duplicate of paper ``existing_id``, stored in shard ``number``."""
        data = marshal.dumps((existing_id, tuple(paper)), _MARSHAL_FORMAT)
        if self._file is None:
            self._file = self.path.open("w+b", buffering=_WRITE_BUFFER)
        self._file.write(data)
        self._places.setdefault(number, array("q")).extend((self._size, len(data)))
        self._size += len(data)

    def shards(self) -> list[int]:
        """Numbers of the shards that have duplicates waiting, in order."""
        return sorted(self._places)

    def pop(self, number: int) -> list[tuple[int, IncomingPaper]]:
        """The duplicates waiting for shard ``number``, in the order they came; they stop waiting."""
        places = self._places.pop(number)
        assert self._file is not None
        self._file.flush()
        descriptor = self._file.fileno()
        merges = []
        starts, lengths = places[0::2], places[1::2]
        first = 0
        while first < len(starts):
            # Duplicates that arrived one after another (a re-imported dump's) are read in one call.
            last = first
            while last + 1 < len(starts) and starts[last + 1] == starts[last] + lengths[last]:
                last += 1
            data = memoryview(os.pread(descriptor, starts[last] + lengths[last] - starts[first], starts[first]))
            offset = 0
            for length in lengths[first : last + 1]:
                existing_id, fields = marshal.loads(data[offset : offset + length])
                merges.append((existing_id, tuple.__new__(IncomingPaper, fields)))
                offset += length
            first = last + 1
        return merges

    def close(self) -> None:
        """Drop the file (whatever still waits is forgotten)."""
        self._places.clear()
        if self._file is not None:
            self._file.close()
            self._file = None
            self.path.unlink(missing_ok=True)
