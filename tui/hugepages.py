"""Bulk work (imports, index rebuilds) on transparent huge pages, by restarting the process with glibc told to.

A large import's tables grow to ~2.8 GB in 4 KB pages: each page's first touch is a page fault (~6.5 us
in a VM) and lookups in dictionaries of millions of entries miss the TLB. glibc 2.35 and later advise the
kernel to back their own mappings with huge pages when the tunable ``glibc.malloc.hugetlb=1`` is set; a
tunable is read only when a process starts, so the command restarts itself with it (docs/performance.md
has the measurements). Where it would change nothing, or the user has set the tunable, nothing happens.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

TUNABLE = "glibc.malloc.hugetlb"
_FIRST_GLIBC_WITH_TUNABLE = (2, 35)
_THP_SETTING = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def glibc_version() -> tuple[int, int] | None:
    """The C library's version if it is glibc ("glibc 2.36" -> (2, 36)), else None."""
    try:
        name, version = (os.confstr("CS_GNU_LIBC_VERSION") or "").split()
        major, minor = version.split(".")[:2]
        return (int(major), int(minor)) if name == "glibc" else None
    except (ValueError, OSError, AttributeError):
        return None


def huge_pages_setting() -> str | None:
    """The kernel's transparent-huge-page mode ("always", "madvise", "never"), or None where there is none."""
    try:
        text = _THP_SETTING.read_text()
    except OSError:
        return None
    start, end = text.find("["), text.find("]")
    return text[start + 1 : end] if 0 <= start < end else None


def environment_with_huge_pages(
    environ: Mapping[str, str], glibc: tuple[int, int] | None, thp_mode: str | None
) -> dict[str, str] | None:
    """The environment to restart with, or None when restarting would change nothing (or undo a choice)."""
    if glibc is None or glibc < _FIRST_GLIBC_WITH_TUNABLE or thp_mode not in ("always", "madvise"):
        return None
    tunables = environ.get("GLIBC_TUNABLES", "")
    if TUNABLE in tunables:  # the user's own setting (=0 to turn it off) stands; also ends the restart
        return None
    return {**environ, "GLIBC_TUNABLES": f"{tunables}:{TUNABLE}=1" if tunables else f"{TUNABLE}=1"}


def restart_with_huge_pages() -> None:
    """Replace this process by the same command with huge pages for malloc, where that makes a difference.

    Call it before any work or output: the process is replaced, not forked.
    """
    if not sys.platform.startswith("linux"):
        return
    environ = environment_with_huge_pages(os.environ, glibc_version(), huge_pages_setting())
    if environ is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], environ)
