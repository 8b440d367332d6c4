"""`arrow-tui serve web` serves its page on 127.0.0.1, and a websocket session runs the TUI."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator

import pytest

from tests.serve.helpers import (
    LOCALHOST,
    ServerProcess,
    child_pids,
    free_port,
    listening_addresses,
    server_env,
    wait_until,
)
from tui.paths import demo_store_path


@pytest.fixture
def web_server(tmp_path) -> Iterator[tuple[ServerProcess, int]]:
    port = free_port()
    server = ServerProcess(
        ["web", "--port", str(port), "--store", str(demo_store_path())], tmp_path / "web.log", server_env(tmp_path)
    )
    try:
        wait_until(lambda: _get(f"http://{LOCALHOST}:{port}/"), 20, "the web server to answer")
        yield server, port
    finally:
        server.stop()


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return ""


def test_page_is_served_on_localhost(web_server: tuple[ServerProcess, int]) -> None:
    _server, port = web_server
    page = _get(f"http://{LOCALHOST}:{port}/")
    assert "<div>arrow-tui</div>" in page  # textual-serve shows the title it was given
    assert f"ws://{LOCALHOST}:{port}/ws" in page  # where the page connects for its terminal session
    assert listening_addresses(port) == {LOCALHOST}  # localhost only, by default


def test_websocket_session_runs_the_tui(web_server: tuple[ServerProcess, int]) -> None:
    aiohttp = pytest.importorskip("aiohttp")
    server, port = web_server

    async def session() -> str:
        seen = b""
        async with aiohttp.ClientSession() as client, client.ws_connect(f"ws://{LOCALHOST}:{port}/ws") as ws:
            await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
            typed = False
            async with asyncio.timeout(30):
                while b"Wenkai Yang" not in seen:
                    message = await ws.receive()
                    if message.type == aiohttp.WSMsgType.BINARY:
                        seen += message.data
                    elif message.type != aiohttp.WSMsgType.TEXT:
                        break
                    if not typed and b"arrow-tui" in seen:
                        await ws.send_str(json.dumps(["stdin", "wenkai yang"]))
                        typed = True
        return seen.decode(errors="replace")

    output = asyncio.run(session())
    assert "Wenkai Yang" in output
    wait_until(lambda: not child_pids(server.pid), 15, "the browser session's process to end")
