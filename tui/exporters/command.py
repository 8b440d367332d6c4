"""`arrow-tui export ...`."""

from __future__ import annotations

import click


@click.command()
def export() -> None:
    """Export a cluster's papers or one paper to BibTeX, RIS or CSL-JSON."""
