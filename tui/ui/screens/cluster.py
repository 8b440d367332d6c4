"""A cluster page: the name grouping, its papers (filterable, sortable), author rows, identity hints, chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from tui.models import ClusterPage, Paper
from tui.textsafe import safe_line
from tui.ui.filters import SORTS, PaperFilter, apply
from tui.ui.messages import Location, open_paper
from tui.ui.render import group_label, identities_text, paper_years, rows_text, year_chart, year_span
from tui.ui.screens.filter import FilterScreen
from tui.ui.widgets.paper_list import PaperList
from tui.ui.widgets.vim import VimScroll

if TYPE_CHECKING:
    from tui.ui.app import ArrowApp

STACK_BELOW_WIDTH = 110
NOTE = "This page groups case-insensitive exact name matches and is not an identity profile."


class ClusterScreen(Screen[None]):
    """Papers on the left (one virtual list, however many papers), author rows and hints on the right."""

    BINDINGS = [
        Binding("f", "filter", "Filter"),
        Binding("s", "cycle_sort", "Sort"),
        Binding("r", "reverse", "Reverse", show=False),
        Binding("x", "clear_filter", "Clear filter", show=False),
        Binding("i", "toggle_info", "Info pane", show=False),
        Binding("o", "open_link", "Open"),
        Binding("y", "copy_link", "Copy URL", show=False),
        Binding("Y", "copy_bibtex", "Copy BibTeX", show=False),
        Binding("e", "export", "Export", show=False),
    ]
    app: ArrowApp

    paper_filter: reactive[PaperFilter] = reactive(PaperFilter, init=False)
    """Which papers are shown."""
    sort_by: reactive[str] = reactive("year", init=False)
    """One of ``SORTS``."""
    descending: reactive[bool] = reactive(True, init=False)
    """Newest (or Z) first."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.location = Location("cluster", key)
        self.key = key
        self.page: ClusterPage | None = None
        self.shown: list[Paper] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Loading the cluster {self.key}…"), id="cluster-head")
        with Horizontal(id="cluster-body"):
            yield PaperList(id="papers")
            with VimScroll(id="info"):
                yield Static(Text("Identity hints", style="bold underline"), classes="section first")
                yield Static(Text("Comparing co-authors…", style="dim"), id="identities")
                yield Static(Text("Author rows", style="bold underline"), classes="section")
                yield Static(id="rows")
                yield Static(Text("Papers per year", style="bold underline"), classes="section")
                yield Static(id="chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#papers").focus()
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        """Side by side when there is room, else the info pane under the papers."""
        self.query_one("#cluster-body").set_class(event.size.width < STACK_BELOW_WIDTH, "stacked")

    @work(thread=True, exclusive=True, group="cluster", exit_on_error=False)
    def load(self) -> ClusterPage:
        library = self.app.library
        assert library is not None
        return library.cluster(self.key)

    @work(thread=True, exclusive=True, group="identities", exit_on_error=False)
    def find_identities(self, page: ClusterPage) -> list[dict[str, Any]]:
        """Identity hints come second: the papers are on screen while co-authors are compared."""
        library = self.app.library
        assert library is not None
        return library.identities(page)

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if event.state == WorkerState.ERROR:
            message = Text(safe_line(str(event.worker.error)), style="bold")
            self.query_one("#cluster-head" if group == "cluster" else "#identities", Static).update(message)
        elif event.state == WorkerState.SUCCESS and group == "cluster":
            self.show_page(event.worker.result)
        elif event.state == WorkerState.SUCCESS and group == "identities":
            self.show_identities(event.worker.result)

    def show_page(self, page: ClusterPage) -> None:
        self.page = page
        self.query_one("#rows", Static).update(rows_text(page.rows))
        self.query_one("#chart", Static).update(year_chart(page.papers))
        self.refresh_papers()
        self.find_identities(page)

    def show_identities(self, groups: list[dict[str, Any]]) -> None:
        markers: dict[int, tuple[str, bool]] = {}
        if len(groups) > 1:
            for index, group in enumerate(groups):
                for paper_id in group["paper_ids"]:
                    markers[paper_id] = (group_label(index), group["papers"] == 1)
        self.query_one("#papers", PaperList).set_groups(markers)
        self.query_one("#identities", Static).update(identities_text(groups))

    def refresh_papers(self) -> None:
        """Apply the filter and the sort, then refill the list (keeping the highlighted paper)."""
        if self.page is None:
            return
        papers_list = self.query_one("#papers", PaperList)
        current = self.highlighted_paper()
        self.shown = apply(self.page.papers, self.paper_filter, self.sort_by, self.descending)
        cursor = 0
        if current is not None:
            cursor = next((i for i, p in enumerate(self.shown) if p["id"] == current["id"]), 0)
        empty = "No papers match the filter (x clears it)." if self.paper_filter.active else "No papers."
        papers_list.set_papers(self.shown, cursor, empty)
        self.query_one("#cluster-head", Static).update(self._head())

    def _head(self) -> Text:
        assert self.page is not None
        page = self.page
        first, last = paper_years(page.papers)
        head = Text()
        head.append(Text(page.name or page.key, style="bold"))
        head.append("  author name cluster\n", style="dim")
        head.append("Possible papers associated with this exact author name. ")
        head.append(NOTE + "\n", style="italic")
        head.append(
            f"{page.paper_count} paper{'s' * (page.paper_count != 1)} · {len(page.rows)} author row"
            f"{'s' * (len(page.rows) != 1)} · {year_span(first, last)}"
        )
        arrow = "↓" if self.descending else "↑"
        head.append(f" · sort {self.sort_by} {arrow} · filter {self.paper_filter.describe()}", style="dim")
        if self.paper_filter.active:
            head.append(f" · showing {len(self.shown)}", style="bold")
        return head

    def watch_paper_filter(self) -> None:
        self.refresh_papers()

    def watch_sort_by(self) -> None:
        self.refresh_papers()

    def watch_descending(self) -> None:
        self.refresh_papers()

    def highlighted_paper(self) -> Paper | None:
        papers_list = self.query_one("#papers", PaperList)
        return papers_list.papers[papers_list.cursor] if papers_list.papers else None

    @on(PaperList.Selected, "#papers")
    def _open(self, event: PaperList.Selected) -> None:
        self.post_message(open_paper(self.shown[event.index]["id"]))

    def action_filter(self) -> None:
        def set_filter(result: PaperFilter | None) -> None:
            if result is not None:
                self.paper_filter = result

        self.app.push_screen(FilterScreen(self.paper_filter), set_filter)

    def action_clear_filter(self) -> None:
        self.paper_filter = PaperFilter()

    def action_cycle_sort(self) -> None:
        following = SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)]
        self.descending = following == "year"  # newest first; titles and venues A to Z
        self.sort_by = following

    def action_reverse(self) -> None:
        self.descending = not self.descending

    def action_toggle_info(self) -> None:
        info = self.query_one("#info")
        info.display = not info.display

    def action_open_link(self) -> None:
        self.app.open_paper_link(self.highlighted_paper())

    def action_copy_link(self) -> None:
        self.app.copy_paper_link(self.highlighted_paper())

    def action_copy_bibtex(self) -> None:
        self.app.copy_bibtex(self.highlighted_paper())

    def action_export(self) -> None:
        name = self.page.name if self.page else self.key
        self.app.export_papers(list(self.shown), f"{name} ({len(self.shown)} papers)", name)
