"""Progress for long commands: a bar with rate and ETA on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Callback = Callable[[str, int, int], None]
PLAIN_INTERVAL_S = 5.0


@contextmanager
def progress_printer() -> Iterator[Callback]:
    """Yield a ``(stage, done, total)`` callback that shows progress on stderr."""
    console = Console(stderr=True)
    if not console.is_terminal:
        last = [0.0]
        finished: set[str] = set()

        def plain(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            complete = done >= total
            if complete and stage in finished:
                return  # a stage is reported complete once, however often it is told so
            if now - last[0] >= PLAIN_INTERVAL_S or complete:
                last[0] = now
                if complete:
                    finished.add(stage)
                pct = 100 * done / total if total else 100
                print(f"{stage}: {pct:5.1f}% ({done}/{total})", file=sys.stderr, flush=True)

        yield plain
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def fancy(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield fancy
