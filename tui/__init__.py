"""arrow-tui: a keyboard-driven terminal browser for research papers grouped by author name."""

__version__ = "0.1.0"
