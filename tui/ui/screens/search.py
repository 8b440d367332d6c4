"""The start screen: a search bar, author-name clusters and title matches as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.models import ClusterHit, TitleHit
from tui.textsafe import safe_line
from tui.ui.messages import open_cluster, open_paper
from tui.ui.render import hit_prompt, title_prompt
from tui.ui.widgets.search_input import SearchInput
from tui.ui.widgets.vim import VimOptionList

if TYPE_CHECKING:
    from tui.ui.app import ArrowApp


class SearchScreen(Screen[None]):
    """Search bar on top; results below in two sections, author names then titles."""

    BINDINGS = [
        Binding("escape", "clear", "Clear search", show=False),
        Binding("down", "to_results", "Results", show=False),
        # Priority, and not consumed by SearchInput: otherwise the search bar would take "?" as text.
        Binding("question_mark", "app.help", "Help", show=False, priority=True),
    ]
    app: ArrowApp

    def __init__(self) -> None:
        super().__init__()
        self._serial = 0  # increases with every query; an answer for an older one is dropped

    def compose(self) -> ComposeResult:
        yield Static(Text("arrow-tui · papers grouped by author name"), id="search-title")
        yield SearchInput(
            placeholder="Search author names or title words…  (/ comes back here)", id="search", compact=True
        )
        yield Static(Text("Loading the store…"), id="search-status")
        yield VimOptionList(id="results")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()

    def library_ready(self) -> None:
        """Called by the app once the store is open: say what is in it, then search."""
        stats = self.app.stats or {}
        label = f"arrow-tui · {stats.get('papers', 0)} papers · {stats.get('clusters', 0)} author names"
        self.query_one("#search-title", Static).update(Text(label))
        self.run_search(self.query_one("#search", Input).value)

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @on(Input.Submitted, "#search")
    def _query_submitted(self) -> None:
        """Enter in the search bar opens the highlighted (else the first) result."""
        results = self.query_one("#results", VimOptionList)
        if results.option_count:
            if results.highlighted is None:
                results.action_first()
            results.action_select()

    def action_to_results(self) -> None:
        results = self.query_one("#results", VimOptionList)
        if results.option_count:
            results.focus()
            if results.highlighted is None:
                results.action_first()

    def run_search(self, query: str) -> None:
        self._serial += 1
        if self.app.library is None:
            return
        if not query.strip():
            self._show(query, [], [], self._serial)
            return
        self._search(query, self._serial)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: str, serial: int) -> None:
        library = self.app.library
        assert library is not None
        hits, titles = library.search_as_you_type(query)  # the same call the benchmark times
        self.app.call_from_thread(self._show, query, hits, titles, serial)

    def _show(self, query: str, hits: list[ClusterHit], titles: list[TitleHit], serial: int) -> None:
        if serial != self._serial:
            return  # the query changed while this search ran: its answer is stale
        options: list[Option | None] = []
        if hits:
            options.append(Option(Text(f"Author names ({len(hits)})", style="bold underline"), disabled=True))
            options.extend(Option(hit_prompt(h), id=f"c:{h.key}") for h in hits)
        if titles:
            options.append(Option(Text(f"Titles ({len(titles)})", style="bold underline"), disabled=True))
            options.extend(Option(title_prompt(t), id=f"p:{t.paper_id}") for t in titles)
        results = self.query_one("#results", VimOptionList)
        results.set_options(options)
        self.query_one("#search-status", Static).update(self._status(query, hits, titles))

    def _status(self, query: str, hits: list[ClusterHit], titles: list[TitleHit]) -> Text:
        stats = self.app.stats or {}
        if not stats.get("papers"):
            return Text("The store is empty. Import papers with: arrow-tui import FILE", style="bold")
        if not query.strip():
            return Text("Type an author name or title words. Enter opens the first result; ↓ the list.", style="dim")
        if not hits and not titles:
            return Text.assemble("No author name or title matches ", (query.strip(), "bold"), ".")
        library = self.app.library
        assert library is not None  # only searches, which need the library, reach here with a query
        names = _count(hits, library.KEYSTROKE_CLUSTER_LIMIT, "author name")
        return Text(f"{names} · {_count(titles, library.KEYSTROKE_TITLE_LIMIT, 'title')} · Enter opens", style="dim")

    @on(OptionList.OptionSelected, "#results")
    def _open(self, event: OptionList.OptionSelected) -> None:
        kind, _, target = (event.option.id or "").partition(":")
        if kind == "c":
            self.post_message(open_cluster(target))
        elif kind == "p":
            self.post_message(open_paper(int(target)))

    def action_clear(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.focus()

    def show_error(self, message: str) -> None:
        self.query_one("#search-status", Static).update(Text(safe_line(message), style="bold"))

    def focus_search(self) -> None:
        self.query_one("#search", Input).focus()


def _count(found: list[Any], limit: int, noun: str) -> str:
    """ "3 titles", or "the best 50 author names" when the list was cut at its limit."""
    plural = noun + "s" * (len(found) != 1)
    return f"the best {limit} {plural}" if len(found) >= limit else f"{len(found)} {plural}"
