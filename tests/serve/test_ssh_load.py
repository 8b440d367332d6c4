"""Twenty sessions at once all answer; afterwards the server is back to its idle processes, descriptors, memory."""

from __future__ import annotations

import subprocess
import time

from tests.serve.conftest import MAX_SESSIONS, SshServer
from tests.serve.helpers import (
    LOCALHOST,
    Tmux,
    child_pids,
    open_fds,
    processes_in_group,
    rss_kib,
    ssh_command,
    wait_until,
)
from tests.serve.test_ssh_session import open_session

CONCURRENT = 20
# Python's allocator keeps some freed memory: what may remain above the idle level after the sessions end.
MEMORY_TOLERANCE_KIB = 8 * 1024


def search_in(tmux: Tmux, target: str) -> None:
    tmux.type(target, "wenkai yang")


def idle_level(server: SshServer) -> tuple[int, int]:
    wait_until(lambda: not child_pids(server.pid), 20, "no TUI process left")
    time.sleep(0.5)
    return open_fds(server.pid), rss_kib(server.pid)


def test_twenty_concurrent_sessions_all_answer_then_resources_return(ssh_server: SshServer) -> None:
    assert CONCURRENT == MAX_SESSIONS
    # One session first, so that what the server loads once (modules, buffers) is part of its idle level.
    warm_up = Tmux()
    try:
        target = open_session(warm_up, ssh_server)
        search_in(warm_up, target)
        warm_up.wait_for(target, "Wenkai Yang")
    finally:
        warm_up.close()
    idle_fds, idle_rss = idle_level(ssh_server)

    tmux = Tmux()
    try:
        command = [*ssh_command(ssh_server.port, ssh_server.keys.authorized, "-tt"), LOCALHOST]
        targets = [tmux.open(command, 80, 24) for _ in range(CONCURRENT)]
        for target in targets:
            tmux.wait_for_app(target, timeout=60)
        for target in targets:
            search_in(tmux, target)
        for target in targets:
            tmux.wait_for(target, "Wenkai Yang", timeout=30)
        tui_pids = child_pids(ssh_server.pid)
        assert len(tui_pids) == CONCURRENT

        busy = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
        assert busy.returncode == 1
        assert f"the server is busy ({MAX_SESSIONS} sessions open, the limit)" in busy.stderr
        busy_fds, busy_rss = open_fds(ssh_server.pid), rss_kib(ssh_server.pid)
    finally:
        tmux.close()  # every client's terminal goes away at once

    fds, rss = idle_level(ssh_server)
    print(
        f"server fds idle={idle_fds} busy={busy_fds} after={fds}; rss KiB idle={idle_rss} busy={busy_rss} after={rss}"
    )
    assert busy_fds > idle_fds + CONCURRENT  # the measurement sees the sessions...
    assert fds <= idle_fds  # ...and every pty and socket is closed again
    assert rss <= idle_rss + MEMORY_TOLERANCE_KIB
    assert not [pid for group in tui_pids for pid in processes_in_group(group)]  # nothing the TUIs started either
    assert "refused: busy" in ssh_server.process.log()
    # Every slot was given back: a new session is accepted again (it ends at once, its input being empty).
    again = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    assert "busy" not in again.stderr
    assert again.returncode == 0
