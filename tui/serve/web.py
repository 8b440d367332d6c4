"""`arrow-tui serve web`: textual-serve runs one TUI process per browser tab (websocket)."""

from __future__ import annotations

import os
import shlex
import socket
import sys
from pathlib import Path

from tui.serve.child import child_environment
from tui.serve.errors import ServeSetupError, listen_error


def check_port_free(host: str, port: int) -> None:
    """Fail with one line before textual-serve prints its banner and then a traceback."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ServeSetupError(f"--host {host}: {exc.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise listen_error(host, port, exc) from None


def app_command(store: Path) -> str:
    """The shell command textual-serve starts for each browser tab.

    ``exec``: the shell textual-serve starts becomes the app, so what textual-serve signals is the app itself.
    """
    return "exec " + shlex.join([sys.executable, "-m", "tui", "--store", str(store)])


def serve_web(host: str, port: int, store: Path) -> None:
    check_port_free(host, port)
    from textual_serve.server import Server

    # textual-serve starts each tab's process with this process's environment.
    os.environ.update(child_environment(dict(os.environ)))
    server = Server(app_command(store), host=host, port=port, title="arrow-tui")
    try:
        server.serve()
    except OSError as exc:
        raise listen_error(host, port, exc) from None
