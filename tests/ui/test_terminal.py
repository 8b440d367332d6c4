"""The real thing in a real terminal: `python -m tui` in tmux at 80x24 on the demo store."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")


class Tmux:
    """A private tmux server (its own socket) running one window."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True, timeout=10
        ).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", "arrow", *(["-l"] if literal else []), *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "arrow")

    def wait_for(self, *texts: str, timeout: float = 60.0) -> str:
        """Poll the pane until every text is on it (no fixed sleeps)."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{texts!r} not on the screen after {timeout} s:\n{screen}")


@pytest.fixture
def tmux(isolated_home: Path) -> Iterator[Tmux]:
    server = Tmux(f"arrow-test-{uuid.uuid4().hex[:8]}")
    env = {
        "HOME": os.environ["HOME"],
        "XDG_DATA_HOME": os.environ["XDG_DATA_HOME"],
        "PATH": os.environ.get("PATH", ""),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    command = shlex.join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), sys.executable, "-m", "tui"])
    server.run("-f", "/dev/null", "new-session", "-d", "-s", "arrow", "-x", "80", "-y", "24", "-c", str(REPO), command)
    try:
        yield server
    finally:
        subprocess.run(["tmux", "-L", server.socket, "kill-server"], capture_output=True, timeout=10)


def test_search_cluster_paper_coauthor_and_back_in_tmux(tmux: Tmux) -> None:
    tmux.wait_for("9 papers · 34 author names")  # the demo store is open
    tmux.keys("wenkai yang", literal=True)
    screen = tmux.wait_for("Wenkai Yang  9 papers · 2 author rows · 2021–2025 · exact")
    assert "wenkai yang" in screen

    tmux.keys("Enter")
    screen = tmux.wait_for("Possible papers associated with this exact author name", "not an identity profile")
    assert screen.splitlines()[0].strip().startswith("Wenkai Yang")
    assert "9 papers · 2 author rows · 2021–2025" in screen
    assert "NeurIPS · Conference · 2025 · Conference Paper" in screen  # newest first

    tmux.keys("G")
    screen = tmux.wait_for("no shared co-author")
    assert "EAAI · Journal · 2021 · Journal Article" in screen
    tmux.keys("Enter")
    screen = tmux.wait_for("Integrate domain knowledge", "Authors · Enter opens")
    assert "EAAI · Journal · 2021 · Journal Article" in screen
    assert "Yunyun Dong" in screen and "Abstract" in screen

    tmux.keys("j", "Enter")  # the first co-author, Yunyun Dong
    screen = tmux.wait_for("Yunyun Dong  author name cluster")
    assert "Integrate domain knowledge" in screen  # the co-author's cluster lists the same paper

    tmux.keys("Escape")
    screen = tmux.wait_for("Authors · Enter opens")
    assert "Integrate domain knowledge" in screen and "Yunyun Dong  author name cluster" not in screen

    tmux.keys("Escape")
    tmux.wait_for("Wenkai Yang  author name cluster")
