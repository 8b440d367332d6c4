"""Pause the cyclic garbage collector during bulk work.

Imports and index builds create millions of small containers with no reference cycles; with the
collector on, each generation-2 pass walks the whole heap and parsing slows down several times.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
