"""The OpenSSH client reaches the TUI through `arrow-tui serve ssh`, in a real terminal (tmux)."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import struct
import termios

from tests.conftest import build_store, paper
from tests.serve.conftest import SshServer, start_ssh_server
from tests.serve.helpers import (
    LOCALHOST,
    Keys,
    Tmux,
    child_pids,
    listening_addresses,
    processes_in_group,
    ssh_command,
    wait_until,
)


def open_session(tmux: Tmux, server: SshServer, width: int = 100, height: int = 30) -> str:
    target = tmux.open([*ssh_command(server.port, server.keys.authorized, "-tt"), LOCALHOST], width, height)
    tmux.wait_for_app(target)
    return target


def test_authorized_key_reaches_the_tui_and_searches(ssh_server: SshServer, tmux: Tmux) -> None:
    target = open_session(tmux, ssh_server)
    tmux.type(target, "wenkai yang")
    screen = tmux.wait_for(target, "Wenkai Yang")
    assert "wenkai yang" in screen  # the query as typed, and the cluster found for it

    tui_pids = child_pids(ssh_server.pid)
    assert len(tui_pids) == 1
    environ = dict(
        item.split("=", 1) for item in open(f"/proc/{tui_pids[0]}/environ").read().split("\0") if "=" in item
    )
    assert environ["SSH_CONNECTION"].startswith(f"{LOCALHOST} ")  # the UI's cue for OSC 8 links and OSC 52 copy
    assert environ["SSH_TTY"].startswith("/dev/pts/")
    assert environ["TERM"] == tmux.run("show-options", "-gv", "default-terminal").stdout.strip()  # the client's TERM

    tmux.kill(target)  # the client goes away
    wait_until(lambda: not child_pids(ssh_server.pid), 10, "the session's TUI process to end")
    log = ssh_server.process.wait_for_log(ssh_server.keys.fingerprint())
    line = next(line for line in log.splitlines() if ssh_server.keys.fingerprint() in line and "session" in line)
    assert f"peer={LOCALHOST}:" in line
    assert "duration=" in line
    assert "outcome=authenticated; session; client " in line  # "client disconnected" or "client sent end of input"


def test_listens_on_localhost_only_by_default(ssh_server: SshServer) -> None:
    assert listening_addresses(ssh_server.port) == {LOCALHOST}


def test_host_key_is_generated_private_in_the_user_data_dir(ssh_server: SshServer) -> None:
    key = ssh_server.home / "xdg-data" / "arrow-tui" / "ssh_host_ed25519_key"
    assert key.exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")


def test_resize_reaches_the_tui(ssh_server: SshServer, tmux: Tmux) -> None:
    target = open_session(tmux, ssh_server, width=100, height=30)
    tui_pid = child_pids(ssh_server.pid)[0]
    bottom_before = tmux.screen(target).rstrip("\n").splitlines()[-1].split()[:2]  # the app's last line
    tmux.resize(target, 70, 20)
    tui_terminal = os.readlink(f"/proc/{tui_pid}/fd/0")
    wait_until(lambda: pty_size(tui_terminal) == (70, 20), 10, "the TUI's terminal to be 70x20")
    # The TUI redraws for the new size: its last line is at row 20 now, not cut off with the old rows 21-30.
    wait_until(
        lambda: tmux.screen(target).rstrip("\n").splitlines()[-1].split()[:2] == bottom_before,
        10,
        f"the TUI's last line {bottom_before} at row 20",
    )


def test_abrupt_end_leaves_other_sessions_and_no_process(ssh_server: SshServer, tmux: Tmux) -> None:
    first = open_session(tmux, ssh_server)
    (first_tui,) = child_pids(ssh_server.pid)
    second = open_session(tmux, ssh_server)
    # Told apart by when they appear, not by number: process ids wrap around (at 32,768 on this machine).
    (second_tui,) = set(child_pids(ssh_server.pid)) - {first_tui}
    first_client = next(pid for pid in client_pids(tmux.pane_pid(first)))
    os.kill(first_client, signal.SIGKILL)  # no goodbye from the client: the TCP connection just drops
    wait_until(lambda: first_tui not in child_pids(ssh_server.pid), 30, "the first session's TUI to be reaped")
    assert not processes_in_group(first_tui)  # the whole process group, not just its leader
    tmux.type(second, "wenkai yang")
    tmux.wait_for(second, "Wenkai Yang")
    assert child_pids(ssh_server.pid) == [second_tui]


def test_opening_a_link_over_ssh_copies_it_to_the_client_and_starts_no_browser(
    tmp_path, keys: Keys, tmux: Tmux
) -> None:
    store = tmp_path / "store"
    build_store(store, [paper("A Paper With A Link", ["Ada Lovelace", "Charles Babbage"], doi="10.1234/arrow.test")])
    server = start_ssh_server(tmp_path, keys, store=store)
    try:
        target = open_session(tmux, server)
        tmux.accept_clipboard()
        tmux.type(target, "ada lovelace")
        tmux.wait_for(target, "Ada Lovelace")
        tmux.run("send-keys", "-t", target, "Enter")  # open the cluster
        tmux.wait_for(target, "A Paper With A Link")
        tmux.type(target, "o")  # open the paper's link
        wait_until(lambda: tmux.clipboard() == "https://doi.org/10.1234/arrow.test", 10, "the OSC 52 copy")
        tmux.wait_for(target, "https://doi.org/10.1234/arrow.test")  # and shown, as a terminal hyperlink
        (tui_pid,) = child_pids(server.pid)
        assert child_pids(tui_pid) == []  # no browser started on the server
    finally:
        server.process.stop()


def pty_size(tty_path: str) -> tuple[int, int]:
    fd = os.open(tty_path, os.O_RDONLY | os.O_NOCTTY)
    try:
        rows, columns, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8))
    finally:
        os.close(fd)
    return columns, rows


def client_pids(shell_pid: int) -> list[int]:
    """The ssh client started by a tmux window's shell."""
    children = open(f"/proc/{shell_pid}/task/{shell_pid}/children").read().split()
    return [int(pid) for pid in children if open(f"/proc/{pid}/comm").read().strip() == "ssh"]


def test_stopping_the_server_ends_sessions_and_leaves_no_process(tmp_path, keys: Keys, tmux: Tmux) -> None:
    server = start_ssh_server(tmp_path, keys)
    try:
        target = open_session(tmux, server)
        (tui_pid,) = child_pids(server.pid)
        server.process.process.send_signal(signal.SIGTERM)
        assert server.process.process.wait(15) == 0
    finally:
        server.process.stop()
    assert not processes_in_group(tui_pid)
    screen = tmux.wait_for(target, "CLIENT-EXITED")
    assert "arrow-tui: the server is shutting down" in screen
