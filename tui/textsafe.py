"""Make untrusted text from the store safe to put on a terminal.

Titles, names and abstracts come from other people's files: an ESC or OSC sequence in them would
otherwise reach the terminal (clear the screen, overwrite the clipboard). Markup is handled by
rendering through ``rich.text.Text``; this module removes the control characters themselves.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 range (0x80-0x9F, which includes CSI and OSC).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def safe_text(text: str | None) -> str:
    """Remove control characters but keep tabs and newlines (for abstracts)."""
    if not text:
        return ""
    return _CONTROL_RE.sub("", text)


def safe_line(text: str | None) -> str:
    """One line of safe text: controls removed, tabs and newlines become spaces."""
    if not text:
        return ""
    return _LINE_CONTROL_RE.sub(lambda m: " " if m.group() in "\t\n\r" else "", text)
