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


def _eta(elapsed: float, done: int, total: int) -> str:
    """ ", ETA 1m05s" from the pace so far, once there is a pace to go by."""
    if done <= 0 or done >= total or elapsed < 1:
        return ""
    remaining = int(elapsed * (total - done) / done)
    return f", ETA {remaining // 60}m{remaining % 60:02d}s"


@contextmanager
def progress_printer() -> Iterator[Callback]:
    """Yield a ``(stage, done, total)`` callback that shows progress on stderr."""
    console = Console(stderr=True)
    if not console.is_terminal:
        last = [0.0]
        finished: set[str] = set()
        started: dict[str, float] = {}

        def plain(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            started.setdefault(stage, now)
            complete = done >= total
            if complete and stage in finished:
                return  # a stage is reported complete once, however often it is told so
            if now - last[0] >= PLAIN_INTERVAL_S or complete:
                last[0] = now
                if complete:
                    finished.add(stage)
                pct = 100 * done / total if total else 100
                print(
                    f"{stage}: {pct:5.1f}% ({done}/{total}){_eta(now - started[stage], done, total)}",
                    file=sys.stderr,
                    flush=True,
                )

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
