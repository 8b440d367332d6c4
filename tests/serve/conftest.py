"""Fixtures: client keys, one SSH server per test module (on a free port of 127.0.0.1), a private tmux."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.serve.helpers import Keys, ServerProcess, Tmux, make_keys, server_env
from tui.paths import demo_store_path

MAX_SESSIONS = 20


@dataclass
class SshServer:
    process: ServerProcess
    port: int
    keys: Keys
    home: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def start_ssh_server(home: Path, keys: Keys, *options: str, store: Path | None = None) -> SshServer:
    server = ServerProcess(
        [
            "ssh",
            "--port",
            "0",
            "--authorized-keys",
            str(keys.authorized_keys),
            "--store",
            str(store or demo_store_path()),
            *options,
        ],
        home / "server.log",
        server_env(home),
    )
    try:
        log = server.wait_for_log("serving SSH on ")
    except BaseException:
        server.stop()
        raise
    found = re.search(r"serving SSH on 127\.0\.0\.1:(\d+)", log)
    assert found, log
    return SshServer(server, int(found.group(1)), keys, home)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return make_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def ssh_server(tmp_path_factory: pytest.TempPathFactory, keys: Keys) -> Iterator[SshServer]:
    server = start_ssh_server(tmp_path_factory.mktemp("server"), keys, "--max-sessions", str(MAX_SESSIONS))
    yield server
    server.process.stop()


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    terminal = Tmux()
    yield terminal
    terminal.close()
