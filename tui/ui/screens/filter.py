"""A small dialog for the paper filter: year range, venue and type."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.ui.filters import PaperFilter, parse_year


class FilterScreen(ModalScreen[PaperFilter | None]):
    """Enter applies, Escape cancels; empty fields do not filter."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+r", "reset", "Clear fields"),
    ]

    def __init__(self, current: PaperFilter) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Filter papers", style="bold"))
            with Grid(id="filter-grid"):
                yield Label("Year from")
                yield Input(
                    str(self.current.year_from or ""),
                    placeholder="e.g. 2020",
                    id="year-from",
                    type="integer",
                    compact=True,
                )
                yield Label("Year to")
                yield Input(
                    str(self.current.year_to or ""), placeholder="e.g. 2024", id="year-to", type="integer", compact=True
                )
                yield Label("Venue has")
                yield Input(self.current.venue, placeholder="e.g. NeurIPS", id="venue", compact=True)
                yield Label("Type has")
                yield Input(self.current.type, placeholder="e.g. Journal", id="type", compact=True)
            yield Static(Text("Enter applies · Escape cancels · ctrl+r clears the fields", style="dim"), id="hint")

    @staticmethod
    def _year(value: int | None, placeholder: str, field_id: str) -> Input:
        return Input(str(value or ""), placeholder=placeholder, id=field_id, type="integer", compact=True)

    @on(Input.Submitted)
    def _apply(self) -> None:
        try:
            result = PaperFilter(
                year_from=parse_year(self.query_one("#year-from", Input).value),
                year_to=parse_year(self.query_one("#year-to", Input).value),
                venue=self.query_one("#venue", Input).value.strip(),
                type=self.query_one("#type", Input).value.strip(),
            )
        except ValueError as exc:
            self.query_one("#hint", Static).update(Text(str(exc), style="bold"))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_reset(self) -> None:
        for field in self.query(Input):
            field.value = ""
