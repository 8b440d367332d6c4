"""Connections without input are closed after --idle-timeout; input keeps them open."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.serve.conftest import SshServer, start_ssh_server
from tests.serve.helpers import LOCALHOST, Keys, Tmux, child_pids, ssh_command, wait_until

IDLE_SECONDS = 2


@pytest.fixture(scope="module")
def impatient_server(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Iterator[SshServer]:
    server = start_ssh_server(tmp_path_factory.mktemp("impatient"), keys, "--idle-timeout", str(IDLE_SECONDS))
    yield server
    server.process.stop()


def test_idle_session_is_closed_and_typing_keeps_it_open(impatient_server: SshServer, tmux: Tmux) -> None:
    # Typing starts at once: the idle clock runs from the connection, not from the TUI's first frame.
    target = tmux.open([*ssh_command(impatient_server.port, impatient_server.keys.authorized, "-tt"), LOCALHOST])
    for _ in range(6):  # 3 s of typing, longer than the timeout, one key every half second
        tmux.type(target, "w")
        time.sleep(0.5)
    assert "CLIENT-EXITED" not in tmux.screen(target)
    screen = tmux.wait_for(target, "CLIENT-EXITED", timeout=IDLE_SECONDS + 10)
    assert f"arrow-tui: closed after {IDLE_SECONDS} s without input" in screen
    wait_until(lambda: not child_pids(impatient_server.pid), 10, "the idle session's TUI to end")
    assert "outcome=authenticated; session; idle timeout" in impatient_server.process.log()


def test_idle_connection_without_session_is_closed(impatient_server: SshServer) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [*ssh_command(impatient_server.port, impatient_server.keys.authorized, "-N", log_level="INFO"), LOCALHOST],
        capture_output=True,
        text=True,
        timeout=IDLE_SECONDS + 15,
    )
    assert time.monotonic() - started >= IDLE_SECONDS
    assert result.returncode == 255
    assert f"closed after {IDLE_SECONDS} s without input" in result.stderr
