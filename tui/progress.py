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

# (stage, done, total, records): bytes of the file on disk drive the bar and ETA; records give the rate.
Callback = Callable[[str, int, int, int], None]
PLAIN_INTERVAL_S = 5.0


def _eta(elapsed: float, done: int, total: int) -> str:
    """ ", ETA 1m05s" from the pace so far, once there is a pace to go by."""
    if done <= 0 or done >= total or elapsed < 1:
        return ""
    remaining = int(elapsed * (total - done) / done)
    return f", ETA {remaining // 60}m{remaining % 60:02d}s"


@contextmanager
def progress_printer() -> Iterator[Callback]:
    """Yield a ``(stage, done, total, records)`` callback that shows progress on stderr."""
    console = Console(stderr=True)
    if not console.is_terminal:
        last = [0.0]
        finished: set[str] = set()
        started: dict[str, float] = {}

        def plain(stage: str, done: int, total: int, records: int = 0) -> None:
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
                rate = f", {records / max(now - started[stage], 1e-3):,.0f} records/s" if records else ""
                print(
                    f"{stage}: {pct:5.1f}% ({done}/{total}){rate}{_eta(now - started[stage], done, total)}",
                    file=sys.stderr,
                    flush=True,
                )

        yield plain
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        started: dict[str, float] = {}

        def fancy(stage: str, done: int, total: int, records: int = 0) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total, rate="")
                started[stage] = time.monotonic()
            elapsed = max(time.monotonic() - started[stage], 1e-3)
            rate = f"{records / elapsed:,.0f} rec/s" if records else ""
            bar.update(tasks[stage], completed=done, total=total, rate=rate)

        yield fancy
