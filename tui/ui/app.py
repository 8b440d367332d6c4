"""The Textual app: built by ``make_app`` for the CLI and for tests alike."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Input, OptionList
from textual.widgets.option_list import Option

from tui.models import ClusterHit
from tui.paths import StoreLocation
from tui.service import Library
from tui.textsafe import safe_line


class ArrowApp(App[None]):
    TITLE = "arrow-tui"
    BINDINGS = [("slash", "focus_search", "Search"), ("q", "quit", "Quit")]

    def __init__(self, location: StoreLocation) -> None:
        super().__init__()
        self.location = location
        self.library: Library | None = None
        self._query_serial = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Search author names…", id="search")
        yield OptionList(id="clusters")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()
        self.load_library()

    @work(thread=True, exclusive=True, group="load")
    def load_library(self) -> None:
        library = Library.open(self.location)
        library.warm()
        self.call_from_thread(self._library_ready, library)

    def _library_ready(self, library: Library) -> None:
        self.library = library
        self.run_search(self.query_one("#search", Input).value)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        if self.library is None:
            return
        self._query_serial += 1
        self._search(query, self._query_serial)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str, serial: int) -> None:
        assert self.library is not None
        hits = self.library.search(query, 50) if query.strip() else []
        self.call_from_thread(self._show_hits, hits, serial)

    def _show_hits(self, hits: list[ClusterHit], serial: int) -> None:
        if serial != self._query_serial:
            return  # a newer query is on its way; this answer is stale
        options = self.query_one("#clusters", OptionList)
        options.clear_options()
        options.add_options(
            Option(Text(f"{safe_line(h.name)}  {h.papers} papers · {h.author_rows} rows · {h.tier}"), id=h.key)
            for h in hits
        )

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()


def make_app(location: StoreLocation) -> ArrowApp:
    return ArrowApp(location)


def run_app(location: StoreLocation) -> None:
    make_app(location).run()
