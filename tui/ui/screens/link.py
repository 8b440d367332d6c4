"""Shows a URL as a terminal hyperlink (OSC 8) when no browser may be started here."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class LinkScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q,o", "close", "Close")]

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Open this link on your own computer", style="bold"))
            yield Static(Text(self.url, style=Style(link=self.url, underline=True)), id="link-url")
            yield Static(
                Text(
                    "It is copied to your clipboard (if your terminal allows OSC 52). Most terminals open it "
                    "with ctrl+click or cmd+click. Escape closes.",
                    style="dim",
                )
            )

    def action_close(self) -> None:
        self.dismiss(None)
