"""Serving the TUI to a team: over SSH (asyncssh) and to a browser (textual-serve)."""
