"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

# How many buffers one ``os.writev`` call takes.
_IOV_MAX = os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 16


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_pieces(fd: int, pieces: Sequence[bytes]) -> None:
    """Write the pieces one after another, as if joined, without joining them.

    A shard is a thousand records: joined, it would be copied twice more (and its fresh memory zeroed by
    the kernel) before the write copied it again. ``os.writev`` hands the kernel the records themselves.
    """
    for first in range(0, len(pieces), _IOV_MAX):
        group = pieces[first : first + _IOV_MAX]
        written = os.writev(fd, group)
        if written < sum(map(len, group)):  # a short write (a signal, a full disk): the rest one by one
            rest = memoryview(b"".join(group))[written:]
            while rest:
                rest = rest[os.write(fd, rest) :]


def atomic_write_bytes(path: Path, data: bytes | Sequence[bytes], *, sync: bool = True) -> None:
    """Write ``data`` (bytes, or pieces written as if joined) to a temporary file beside ``path``, then rename it
    over ``path``."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes files private; store files are as readable as others
            write_pieces(fd, [data] if isinstance(data, bytes) else data)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    if sync:
        fsync_dir(path.parent)
