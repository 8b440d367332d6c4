"""Errors in setting up a server (its arguments, files and port): one clear line and exit 2."""

from tui.errors import ArrowError


class ServeSetupError(ArrowError):
    """A server cannot start: a missing or unreadable key file, a port in use, a bad option."""
