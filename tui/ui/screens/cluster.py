"""A cluster page: the name grouping, its papers (filterable, sortable), author rows, identity hints, chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from tui.identities import identity_groups
from tui.models import ClusterPage, Paper
from tui.ui.filters import SORTS, PaperFilter, apply
from tui.ui.messages import Location, open_paper
from tui.ui.render import group_label, identities_text, paper_prompt, paper_years, rows_text, year_chart, year_span
from tui.ui.screens.filter import FilterScreen
from tui.ui.widgets.vim import VimOptionList, VimScroll

if TYPE_CHECKING:
    from tui.ui.app import ArrowApp

NOTE = "This page groups case-insensitive exact name matches and is not an identity profile."


class ClusterScreen(Screen[None]):
    """Papers on the left (one OptionList, however many papers), author rows and hints on the right."""

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
        self._groups: dict[int, tuple[str, bool]] = {}  # paper id -> (group label, stands apart)

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Loading the cluster {self.key}…"), id="cluster-head")
        with Horizontal(id="cluster-body"):
            yield VimOptionList(id="papers")
            with VimScroll(id="info"):
                yield Static(Text("Identity hints", style="bold underline"), classes="section first")
                yield Static(id="identities")
                yield Static(Text("Author rows", style="bold underline"), classes="section")
                yield Static(id="rows")
                yield Static(Text("Papers per year", style="bold underline"), classes="section")
                yield Static(id="chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#papers").focus()
        self.load()

    @work(thread=True, exclusive=True, group="cluster", exit_on_error=False)
    def load(self) -> tuple[ClusterPage, list[dict[str, Any]]]:
        library = self.app.library
        assert library is not None
        page = library.cluster(self.key)
        return page, identity_groups(page)

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "cluster":
            return
        if event.state == WorkerState.ERROR:
            self.query_one("#cluster-head", Static).update(Text(str(event.worker.error), style="bold"))
        elif event.state == WorkerState.SUCCESS:
            self.show_page(*event.worker.result)

    def show_page(self, page: ClusterPage, groups: list[dict[str, Any]]) -> None:
        self.page = page
        if len(groups) > 1:
            for index, group in enumerate(groups):
                for paper_id in group["paper_ids"]:
                    self._groups[paper_id] = (group_label(index), group["papers"] == 1)
        self.query_one("#rows", Static).update(rows_text(page.rows))
        self.query_one("#identities", Static).update(identities_text(groups))
        self.query_one("#chart", Static).update(year_chart(page.papers))
        self.refresh_papers()

    def refresh_papers(self) -> None:
        """Apply the filter and the sort, then refill the list (keeping the highlighted paper)."""
        if self.page is None:
            return
        papers_list = self.query_one("#papers", VimOptionList)
        current = self.highlighted_paper()
        self.shown = apply(self.page.papers, self.paper_filter, self.sort_by, self.descending)
        options: list[Option | None] = []
        for paper in self.shown:
            if options:
                options.append(None)  # a rule between papers
            options.append(Option(self._prompt(paper)))  # no id: a store may repeat one, the index is enough
        if not options:
            empty = "No papers match the filter (x clears it)." if self.paper_filter.active else "No papers."
            options = [Option(Text(empty, style="italic"), disabled=True)]
        papers_list.set_options(options)
        if self.shown:
            ids = [p["id"] for p in self.shown]
            papers_list.highlighted = ids.index(current["id"]) if current and current["id"] in ids else 0
        self.query_one("#cluster-head", Static).update(self._head())

    def _prompt(self, paper: Paper) -> Text:
        group = self._groups.get(paper["id"])
        return paper_prompt(paper, *group) if group else paper_prompt(paper)

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
        index = self.query_one("#papers", VimOptionList).highlighted
        if index is None or not self.shown or index >= len(self.shown):
            return None
        return self.shown[index]

    @on(OptionList.OptionSelected, "#papers")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if self.shown and event.option_index < len(self.shown):
            self.post_message(open_paper(self.shown[event.option_index]["id"]))

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
