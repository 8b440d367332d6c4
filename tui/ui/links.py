"""Links of a paper, and how to hand one to the user: a local browser, or terminal sequences over SSH.

Over SSH the app runs on the server, so ``webbrowser`` (and ``App.open_url``) would start a browser
there. Instead the URL is copied with OSC 52 (the user's terminal sets its clipboard) and shown
as an OSC 8 hyperlink, which the user's terminal can open.
"""

from __future__ import annotations

import base64
import sys
import webbrowser
from collections.abc import Mapping

from tui.models import Paper
from tui.textsafe import safe_line

# Which link to open first: the landing page (DOI, then the paper's own page), then files.
_KIND_ORDER = ("doi", "url", "site", "html", "pdf", "code")


def doi_url(doi: str) -> str:
    doi = safe_line(doi).strip()
    if doi.lower().startswith(("http://", "https://")):
        return doi
    return f"https://doi.org/{doi}"


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(kind, url) pairs, best first, without duplicates and without non-web schemes."""
    found: list[tuple[str, str]] = []
    if paper.get("doi"):
        found.append(("doi", doi_url(paper["doi"])))
    for link in paper.get("links", []) or []:
        url = safe_line(link.get("url", "")).strip()
        if url.lower().startswith(("http://", "https://")):
            found.append((safe_line(link.get("kind", "")) or "url", url))
    rank = {kind: i for i, kind in enumerate(_KIND_ORDER)}
    found.sort(key=lambda pair: rank.get(pair[0], len(rank)))
    unique: dict[str, str] = {}
    for kind, url in found:
        unique.setdefault(url, kind)
    return [(kind, url) for url, kind in unique.items()]


def best_link(paper: Paper) -> str | None:
    links = paper_links(paper)
    return links[0][1] if links else None


def is_remote(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """True when a browser must not be started here: over SSH, or on Linux without a display."""
    if environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"):
        return True
    has_display = bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
    return platform.startswith("linux") and not has_display


def served_in_browser(environ: Mapping[str, str]) -> bool:
    """textual-serve runs the app with the web driver: its ``open_url`` opens the user's browser tab."""
    return "web_driver" in environ.get("TEXTUAL_DRIVER", "")


def osc52(text: str, *, tmux: bool) -> str:
    """The clipboard sequence; inside tmux wrapped in a DCS passthrough so it reaches the outer terminal."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    sequence = f"\x1b]52;c;{payload}\x07"
    if tmux:
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def open_in_local_browser(url: str) -> bool:
    """Blocking: run it in a thread (a console browser would otherwise hold the event loop)."""
    return webbrowser.open(url, new=2)
