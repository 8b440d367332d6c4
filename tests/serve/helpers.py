"""Real servers and real clients on 127.0.0.1: the arrow-tui server process, OpenSSH clients, tmux screens."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOCALHOST = "127.0.0.1"


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCALHOST, 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.1) -> object:
    """Poll ``condition`` until it returns something true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Keys:
    authorized: Path  # private key whose public half is in authorized_keys
    unknown: Path  # private key that is not
    authorized_keys: Path

    def fingerprint(self) -> str:
        out = subprocess.run(
            ["ssh-keygen", "-l", "-f", f"{self.authorized}.pub"], capture_output=True, text=True, check=True
        )
        return out.stdout.split()[1]


def make_keys(directory: Path) -> Keys:
    need_tool("ssh-keygen")
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("client", "stranger"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(directory / name)], check=True
        )
    authorized_keys = directory / "authorized_keys"
    authorized_keys.write_text((directory / "client.pub").read_text())
    return Keys(directory / "client", directory / "stranger", authorized_keys)


class ServerProcess:
    """`python -m tui serve ...` as a child of the test, its log in a file, always stopped by ``stop``."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str]) -> None:
        self.log_path = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui", "serve", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 15) -> str:
        def found() -> str:
            if self.process.poll() is not None:
                pytest.fail(f"server exited ({self.process.returncode}): {self.log()}")
            return text in self.log() and self.log()

        return str(wait_until(found, timeout, f"{text!r} in the server log"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._log_file.close()


def server_env(home: Path) -> dict[str, str]:
    """The server's environment: its own data directory (host key) and no store from the caller."""
    env = {k: v for k, v in os.environ.items() if k not in {"ARROW_TUI_STORE", "TMUX", "TMUX_PANE"}}
    env["XDG_DATA_HOME"] = str(home / "xdg-data")
    env["HOME"] = str(home)
    return env


def ssh_command(port: int, key: Path, *extra: str, program: str = "ssh", log_level: str = "ERROR") -> list[str]:
    """An OpenSSH client command that talks to the test server only, never asks a question, uses one key."""
    port_flag = "-P" if program in {"sftp", "scp"} else "-p"
    return [
        need_tool(program),
        "-F",
        "/dev/null",
        "-i",
        str(key),
        port_flag,
        str(port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "BatchMode=yes",
        "-o",
        f"LogLevel={log_level}",
        *extra,
    ]


# -- the server's resources, from /proc ------------------------------------------------------------------------
def child_pids(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return children


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a TCP socket listening on ``port`` (from /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            local, _remote, state = line.split()[1:4]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:  # IPv4, little-endian hex
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    found.add(address)
    return found


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def processes_in_group(pgid: int) -> list[int]:
    """Living processes in a process group (a killed one that init has yet to reap is not counted)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Fields after the command name (which is in parentheses): state, ppid, pgrp, ...
            state, _ppid, group = stat.rsplit(")", 1)[1].split()[:3]
            if int(group) == pgid and state not in {"Z", "X"}:
                found.append(int(entry.name))
    return found


# -- terminals: tmux gives each client a real screen to read -----------------------------------------------------
class Tmux:
    """A private tmux server; each window runs one client command at a fixed size."""

    def __init__(self) -> None:
        need_tool("tmux")
        # A short path: unix socket names are limited to about 100 bytes.
        self._dir = Path(tempfile.mkdtemp(prefix="arrow-tmux-"))
        self.socket = self._dir / "sock"
        self._windows = 0

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=10,
        )

    def open(self, command: list[str], width: int = 100, height: int = 30) -> str:
        """Start ``command`` in a new tmux session; returns its target. The pane stays after the command ends."""
        name = f"c{self._windows}"
        self._windows += 1
        shell = shlex.join(command) + "; echo CLIENT-EXITED $?; sleep 600"
        # One session per client, each with its own size (new windows in a manual-size session crash tmux 3.3a).
        self.run("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height), shell)
        return name

    def accept_clipboard(self) -> None:
        """Let applications set tmux's paste buffer with OSC 52, as a user's terminal sets its clipboard."""
        self.run("set-option", "-s", "set-clipboard", "on")

    def clipboard(self) -> str:
        return self.run("show-buffer", check=False).stdout

    def screen(self, target: str) -> str:
        return self.run("capture-pane", "-p", "-t", target).stdout

    def type(self, target: str, text: str) -> None:
        self.run("send-keys", "-t", target, "-l", text)

    def resize(self, target: str, width: int, height: int) -> None:
        self.run("resize-window", "-t", target, "-x", str(width), "-y", str(height))

    def pane_pid(self, target: str) -> int:
        return int(self.run("display-message", "-p", "-t", target, "#{pane_pid}").stdout)

    def wait_for(self, target: str, text: str, timeout: float = 20) -> str:
        last = [""]

        def shown() -> str:
            last[0] = self.screen(target)
            return text in last[0] and last[0]

        try:
            return str(wait_until(shown, timeout, f"{text!r} on {target}"))
        except pytest.fail.Exception as exc:
            raise AssertionError(f"{exc}; the screen was:\n{last[0]}") from None

    def wait_for_app(self, target: str, timeout: float = 20) -> str:
        """The TUI has drawn its first screen: something is on it and it has stopped changing."""
        last = [""]

        def settled() -> str:
            now = self.screen(target)
            stable = now.strip() and now == last[0]
            last[0] = now
            return stable and now

        return str(wait_until(settled, timeout, f"the TUI's first screen on {target}", interval=0.3))

    def kill(self, target: str) -> None:
        """Close the client's terminal: the client gets SIGHUP."""
        self.run("kill-session", "-t", target, check=False)

    def close(self) -> None:
        self.run("kill-server", check=False)
        shutil.rmtree(self._dir, ignore_errors=True)
