"""The Textual user interface: a thin layer over tui.service."""
