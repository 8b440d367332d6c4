"""What every importer shares: opening (compressed) inputs, counting bytes, reporting skips."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from tui.errors import ImportFormatError
from tui.models import PaperInput, RowUpdate

MAX_PROBLEMS_KEPT = 50
# A splittable importer reading one part of a file (``options["part"] = (part, parts)``) parses the
# records of every parts-th run of this many entries, and says where each of its runs ends.
PART_ENTRIES = 2000


class PartEnd:
    """Yielded by a splittable importer after each run of entries it owns."""


PART_END = PartEnd()


class CountingReader(io.RawIOBase):
    """Wraps the raw file so progress can be told in bytes of the file on disk."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.count += n or 0
        return n or 0


@dataclass
class ImportReport:
    """What happened to the records of one import: counts, and the first problems found."""

    read: int = 0
    imported: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def skip(self, where: str, reason: str) -> None:
        self.skipped[reason] += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(f"{where}: {reason}")

    def as_dict(self) -> dict[str, object]:
        return {
            "read": self.read,
            "imported": self.imported,
            "merged": self.merged + self.unchanged,
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": dict(self.skipped),
            "problems": self.problems,
        }


class Source:
    """One input file: a decompressed byte stream plus how far into the file on disk it has got."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.size = path.stat().st_size
            handle = path.open("rb")
        except OSError as exc:
            raise ImportFormatError(f"{path}: cannot read ({exc.strerror})") from None
        magic = handle.read(6)
        handle.seek(0)
        self._counter = CountingReader(handle)
        buffered = io.BufferedReader(self._counter, 1 << 20)
        self.stream: BinaryIO
        if magic.startswith(b"\x1f\x8b"):
            self.stream = gzip.GzipFile(fileobj=buffered)  # type: ignore[assignment]
        elif magic.startswith(b"\xfd7zXZ"):
            self.stream = lzma.LZMAFile(buffered)  # type: ignore[assignment]
        elif magic.startswith(b"BZh"):
            self.stream = bz2.BZ2File(buffered)  # type: ignore[assignment]
        else:
            self.stream = buffered  # type: ignore[assignment]

    @property
    def bytes_read(self) -> int:
        return self._counter.count

    def head(self, n: int = 4096) -> bytes:
        """The first decompressed bytes, for format detection (the stream is reopened after)."""
        with Source(self.path) as probe:
            try:
                return probe.stream.read(n)
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise ImportFormatError(f"{self.path}: cannot decompress ({exc})") from None

    def text_lines(self) -> Iterator[str]:
        """Decoded lines (UTF-8, undecodable bytes replaced), truncation reported as a format error."""
        wrapper = io.TextIOWrapper(self.stream, encoding="utf-8", errors="replace", newline=None)
        try:
            yield from wrapper
        except (OSError, EOFError, lzma.LZMAError) as exc:
            raise ImportFormatError(f"{self.path}: file is truncated or corrupt ({exc})") from None

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class Importer(Protocol):
    """An import format: recognises its files and yields papers, reporting bad records.

    An importer with ``splittable = True`` can read one part of a file in each of several processes
    (see ``PART_ENTRIES``); the others are read whole by one process. With ``forwards_runs = True`` as
    well, only part 0 reads the file: it calls ``options["forward"](part, run)`` to hand each other part
    what that part needs, and the others read those runs from ``options["runs"]`` instead of the file.
    """

    name: str

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(
        self, source: Source, report: ImportReport, options: dict[str, Any]
    ) -> Iterator[PaperInput | RowUpdate | PartEnd]: ...
