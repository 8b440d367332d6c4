"""Startup measured in a real terminal: a pty running `python -m tui`, its screen rebuilt by pyte.

Measured from just before the process is spawned to (1) the first screen on which the search bar
is drawn with its placeholder, i.e. accepts typing, and (2) the first screen that shows the answer
to a query typed at that moment, while the index may still be loading.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import pyte

from tui.bench.measure import rss_bytes

COLUMNS, LINES = 100, 30
SEARCH_PLACEHOLDER = "Search author names"


@dataclass
class StartupResult:
    ready_s: float
    answered_s: float
    rss_bytes: int
    screen: str


def _screen_text(screen: pyte.Screen) -> str:
    return "\n".join(screen.display)


def measure_startup(store: Path, query: str, expect: str, timeout: float = 60.0) -> StartupResult:
    """Start the TUI on ``store``, type ``query`` once it is ready, wait until ``expect`` shows."""
    screen = pyte.Screen(COLUMNS, LINES)
    stream = pyte.ByteStream(screen)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child: become the app
        os.execvpe(sys.executable, [sys.executable, "-m", "tui", "--store", str(store)], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    ready = answered = 0.0
    rss = 0
    try:
        while time.perf_counter() - start < timeout:
            readable, _, _ = select.select([fd], [], [], 0.05)
            if readable:
                try:
                    data = os.read(fd, 1 << 16)
                except OSError:
                    break
                stream.feed(data)
                # Terminal queries (cursor position, colours) would go unanswered by pyte: that is fine.
            text = _screen_text(screen)
            if not ready and SEARCH_PLACEHOLDER in text:
                ready = time.perf_counter() - start
                os.write(fd, query.encode())
            elif ready and any(expect in line and "author row" in line for line in screen.display):
                answered = time.perf_counter() - start
                rss = rss_bytes(pid)
                break
        else:
            raise TimeoutError(f"startup did not finish in {timeout}s; screen:\n{_screen_text(screen)}")
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    return StartupResult(ready, answered, rss, _screen_text(screen))
