"""Errors in setting up a server (its arguments, files and port): one clear line and exit 2."""

import os

from tui.errors import ArrowError


class ServeSetupError(ArrowError):
    """A server cannot start: a missing or unreadable key file, a port in use, a bad option."""


def listen_error(host: str, port: int, exc: OSError) -> ServeSetupError:
    """ "cannot listen on HOST:PORT: Address already in use", whichever layer raised the error."""
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    return ServeSetupError(f"cannot listen on {host}:{port}: {reason}")
