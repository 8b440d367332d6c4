"""Errors the CLI and TUI turn into one clear line; anything else is a bug."""


class ArrowError(Exception):
    """Base for errors that are the user's input or data, not a bug: shown as one line."""


class StoreError(ArrowError):
    """The store is missing, corrupt, foreign or read-only."""


class ImportFormatError(ArrowError):
    """A whole input file is unreadable or not in the expected format."""


class NotFound(ArrowError):
    """An unknown cluster or paper."""
