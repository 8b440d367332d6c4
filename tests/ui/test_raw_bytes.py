"""Hostile text in a real pty: record every byte the app writes and look for injected sequences.

The store holds titles and names with Rich markup, an OSC 52 clipboard write, an OSC 0 title
change, a screen clear and an OSC 8 hyperlink. The app must show them as text: the literal
characters reach the terminal, the control characters never do.
"""

from __future__ import annotations

import base64
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, build_store, paper
from tests.ui.helpers import HOSTILE_AUTHOR, HOSTILE_TITLES
from tui.textsafe import safe_line

COLUMNS, ROWS = 160, 40


class PtyApp:
    """``python -m tui --store DIR`` on the slave side of a pty; everything it writes is kept."""

    def __init__(self, store: Path, home: Path, **extra_env: str) -> None:
        env = {
            **extra_env,
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "xdg"),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
        }
        pid, fd = pty.fork()
        if pid == 0:  # the child: set the terminal size, then become the app
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
            os.chdir(REPO)
            os.execve(sys.executable, [sys.executable, "-m", "tui", "--store", str(store)], env)
        self.pid, self.fd = pid, fd
        self.output = bytearray()
        self.typed_at = 0  # where the output was when a key was last typed
        self.status: int | None = None  # the wait status once the child has exited

    def read_until(self, marker: bytes, timeout: float = 60.0) -> None:
        """Read until ``marker`` is written after the last key typed."""
        deadline = time.monotonic() + timeout
        while marker not in self.output[self.typed_at :]:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{marker!r} not written after {timeout} s; last bytes: {bytes(self.output[-400:])!r}"
                )
            self._read(0.1)

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the child closed the terminal
            return False
        self.output += chunk
        return bool(chunk)

    def type(self, data: bytes) -> None:
        self.typed_at = len(self.output)
        os.write(self.fd, data)

    def alive(self) -> bool:
        if self.status is not None:
            return False
        done, status = os.waitpid(self.pid, os.WNOHANG)
        if done:
            self.status = status
        return not done

    def quit(self, timeout: float = 30.0) -> int:
        """Press q (again every 2 s: a dialog may take the first one) until the app exits."""
        deadline = time.monotonic() + timeout
        next_press = 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_press:
                self.type(b"q")
                next_press = time.monotonic() + 2.0
            self._read(0.1)
            if not self.alive():
                while self._read(0.05):
                    pass
                assert self.status is not None
                return self.status
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError("the app did not quit")


@pytest.fixture
def hostile_store(tmp_path: Path) -> Path:
    papers = [
        paper(title, [HOSTILE_AUTHOR, "Bob Builder"], year=2010 + i, abstract=f"Abstract of {title}")
        for i, title in enumerate(HOSTILE_TITLES)
    ]
    build_store(tmp_path / "store", papers)
    return tmp_path / "store"


def test_no_sequence_from_the_data_reaches_the_terminal(hostile_store: Path, tmp_path: Path) -> None:
    app = PtyApp(hostile_store, tmp_path / "home")
    try:
        app.read_until(b"author names")
        app.type(b"mallory")
        app.read_until(b"Mallory [b]Evil[/b]")
        app.type(b"\r")  # open the cluster: every hostile title is listed
        app.read_until(b"Possible papers associated")
        app.read_until(b"Click [@click=app.quit]here[/]")
        app.type(b"\r")  # open the newest paper (the OSC 8 one): title, authors, abstract
        app.read_until(b"Abstract of")
        app.type(b"\x1b")  # back
        app.read_until(b"Possible papers associated")
        app.type(b"G\r")  # open the oldest paper (markup in the title)
        app.read_until(b"Abstract of Attention")
        assert app.alive(), "a title's [@click=app.quit] must not quit the app"
        status = app.quit()
    finally:
        if app.alive():
            os.kill(app.pid, signal.SIGKILL)
    output = bytes(app.output)
    assert os.waitstatus_to_exitcode(status) == 0

    # The literal text is on the terminal, control characters removed.
    for literal in [
        "Attention [bold]is[/bold] all [link=https://x.example]you[/link]",
        "Click [@click=app.quit]here[/]",
        "A [/i] b",
        "Mallory [b]Evil[/b]",
        safe_line(HOSTILE_TITLES[3]),  # "Clip ]52;c;SEFDS0VEboard"
        safe_line(HOSTILE_TITLES[4]),
    ]:
        assert literal.encode() in output, literal

    # Nothing from the data arrives as a sequence.
    assert b"\x1b]52;" not in output  # no clipboard write at all (nothing was copied)
    assert b"\x1b]8;" not in output  # no hyperlink at all (none was asked for)
    assert b"\x1b]0;PWNED" not in output and b"PWNED\x07" not in output
    assert b"\x1b]8;;https://evil.example" not in output and b"\x1b]8;id" not in output
    assert b"\x1b[2J end" not in output
    # The only OSC the app writes by itself is Textual's pointer shape (OSC 22); nothing else may appear.
    oscs = re.findall(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?", output)
    assert all(re.fullmatch(rb"\x1b\]22;[a-z-]+\x07", osc) for osc in oscs), {o for o in oscs if b"]22;" not in o}
    assert b"\x07" not in re.sub(rb"\x1b\]22;[a-z-]+\x07", b"", output)  # no BEL from the data either


def test_over_ssh_in_tmux_o_writes_osc52_plain_and_wrapped_and_an_osc8_link(tmp_path: Path) -> None:
    build_store(tmp_path / "store", [paper("Linked paper", ["Ann Bee"], doi="10.1000/linked")])
    app = PtyApp(tmp_path / "store", tmp_path / "home", SSH_CONNECTION="10.0.0.1 5000 10.0.0.2 22", TMUX="/tmp/t,1,0")
    url = b"https://doi.org/10.1000/linked"
    payload = base64.b64encode(url)
    try:
        app.read_until(b"author names")
        app.type(b"linked paper")
        app.read_until(b"Linked paper")
        app.type(b"\r")
        app.read_until(b"Authors")
        app.type(b"o")
        app.read_until(b"Open this link on your own computer")
        status = app.quit()
    finally:
        if app.alive():
            os.kill(app.pid, signal.SIGKILL)
    output = bytes(app.output)
    assert b"\x1b]52;c;" + payload + b"\x07" in output  # plain: tmux takes it with set-clipboard on
    assert b"\x1bPtmux;\x1b\x1b]52;c;" + payload + b"\x07\x1b\\" in output  # passthrough to the outer terminal
    assert re.search(rb"\x1b\]8;id=[^;]*;" + re.escape(url) + rb"\x1b\\", output)  # the OSC 8 hyperlink
    assert os.waitstatus_to_exitcode(status) == 0
