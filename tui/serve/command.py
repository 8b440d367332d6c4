"""`arrow-tui serve ...` commands."""

from __future__ import annotations

import click


@click.group()
def serve() -> None:
    """Serve the TUI over SSH or to a browser."""
