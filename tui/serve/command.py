"""`arrow-tui serve ssh` and `arrow-tui serve web`: share one store with a team."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from tui.cli import chosen_store
from tui.paths import resolve_store
from tui.serve.errors import ServeSetupError

store_option = click.option(
    "--store",
    "store_dir",
    metavar="DIR",
    help="Store to serve, read by every session (default: as for arrow-tui itself).",
)


class OneLineErrors(click.Command):
    """Bad arguments end as one line and exit 2 (through the CLI's error handling), not a usage screen."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise ServeSetupError(f"serve {info_name}: {exc.format_message()}") from None


def _served_store(ctx: click.Context, store_dir: str | None) -> Path:
    """The store every session opens, checked now so that a wrong --store fails before listening."""
    from tui.service import Library

    location = resolve_store(chosen_store(ctx, store_dir))
    Library.open(location)  # raises StoreError with one clear line
    return location.path.resolve()


@click.group()
def serve() -> None:
    """Serve the TUI over SSH or to a browser."""


@serve.command(cls=OneLineErrors)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=2222,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--authorized-keys",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="OpenSSH authorized_keys file: the public keys allowed to connect (required).",
)
@click.option(
    "--host-key",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Private host key (default: generated on first run in the user data directory, mode 0600).",
)
@store_option
@click.option(
    "--max-sessions",
    default=10,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Sessions open at once (each is one TUI process); more are refused with a message.",
)
@click.option(
    "--idle-timeout",
    default=900.0,
    show_default=True,
    type=click.FloatRange(0),
    metavar="SECONDS",
    help="Close connections without input for this long (0: never).",
)
@click.pass_context
def ssh(
    ctx: click.Context,
    host: str,
    port: int,
    authorized_keys: Path | None,
    host_key: Path | None,
    store_dir: str | None,
    max_sessions: int,
    idle_timeout: float,
) -> None:
    """Serve the TUI over SSH: each client with an authorised key gets its own session."""
    from tui.serve.ssh_server import SshServeConfig, serve_ssh

    if authorized_keys is None:
        raise ServeSetupError("serve ssh: --authorized-keys FILE is required (the public keys allowed to connect)")
    config = SshServeConfig(
        host=host,
        port=port,
        authorized_keys=authorized_keys,
        host_key=host_key,
        store=_served_store(ctx, store_dir),
        max_sessions=max_sessions,
        idle_timeout=idle_timeout,
    )
    asyncio.run(serve_ssh(config))


@serve.command(cls=OneLineErrors)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@store_option
@click.pass_context
def web(ctx: click.Context, host: str, port: int, store_dir: str | None) -> None:
    """Serve the TUI to web browsers with textual-serve (one process per tab, no authentication)."""
    from tui.serve.web import serve_web

    serve_web(host, port, _served_store(ctx, store_dir))
