"""The export dialog: a format and a file name; the app writes the file in a worker."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static

from tui.exporters import EXPORT_FORMATS


@dataclass(frozen=True)
class ExportRequest:
    fmt: str
    path: Path


def default_file_name(stem: str, fmt: str) -> str:
    """A file name from a cluster name or paper: letters, digits and dashes only."""
    slug = re.sub(r"[^0-9A-Za-z]+", "-", stem).strip("-").lower() or "papers"
    return f"{slug[:60]}{EXPORT_FORMATS[fmt].extension}"


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Choose BibTeX, RIS or CSL-JSON and a file; Enter in the file field exports."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, what: str, stem: str, directory: Path) -> None:
        super().__init__()
        self.what = what
        self.stem = stem
        self.directory = directory

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text.assemble(("Export ", "bold"), self.what))
            yield Static(Text("Format: bibtex", style="dim"), id="format-chosen")
            with RadioSet(id="format", compact=True):
                for index, fmt in enumerate(EXPORT_FORMATS):
                    yield RadioButton(fmt, value=index == 0, name=fmt)
            yield Static(Text("File", style="dim"))
            yield Input(str(self.directory / default_file_name(self.stem, "bibtex")), id="path", compact=True)
            yield Static(
                Text("Tab/↑↓ choose a format · Enter in the file field exports · Escape cancels", style="dim"),
                id="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @property
    def fmt(self) -> str:
        pressed = self.query_one("#format", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "bibtex"

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        # Said in words too: with NO_COLOR the radio buttons look alike.
        self.query_one("#format-chosen", Static).update(Text(f"Format: {self.fmt}", style="dim"))
        path_input = self.query_one("#path", Input)
        path = Path(path_input.value or default_file_name(self.stem, self.fmt))
        path_input.value = str(path.with_suffix(EXPORT_FORMATS[self.fmt].extension))

    @on(Input.Submitted, "#path")
    def _submit(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        if not value:
            self.query_one("#hint", Static).update(Text("Name a file to write.", style="bold"))
            return
        self.dismiss(ExportRequest(self.fmt, Path(value).expanduser()))

    def action_cancel(self) -> None:
        self.dismiss(None)
