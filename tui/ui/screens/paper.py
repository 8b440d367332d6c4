"""Paper detail: title, venue, year, type, selectable authors, abstract, DOI and links, BibTeX."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from tui.exporters import bibtex_entry
from tui.models import Paper
from tui.textsafe import safe_line, safe_text
from tui.ui.links import paper_links
from tui.ui.messages import Location, open_cluster
from tui.ui.render import abstract_text, paper_meta
from tui.ui.widgets.vim import VimOptionList, VimScroll

if TYPE_CHECKING:
    from tui.ui.app import ArrowApp


class PaperScreen(Screen[None]):
    """Authors are a list (Enter opens an author's cluster); everything else scrolls below it."""

    BINDINGS = [
        Binding("o", "open_link", "Open"),
        Binding("y", "copy_link", "Copy URL", show=False),
        Binding("Y", "copy_bibtex", "Copy BibTeX", show=False),
        Binding("e", "export", "Export"),
    ]
    app: ArrowApp

    def __init__(self, paper_id: int) -> None:
        super().__init__()
        self.location = Location("paper", paper_id)
        self.paper_id = paper_id
        self.paper: Paper | None = None
        self.author_keys: list[str] = []  # cluster key of each author, in list order

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading the paper…"), id="paper-title")
        yield Static(id="paper-meta")
        yield Static(Text("Authors · Enter opens the author's name cluster", style="dim"), classes="section")
        yield VimOptionList(id="authors")
        with VimScroll(id="paper-body"):
            yield Static(Text("Abstract", style="bold underline"), classes="section")
            yield Static(id="abstract")
            yield Static(Text("DOI and links", style="bold underline"), classes="section")
            yield Static(id="links")
            yield Static(Text("BibTeX", style="bold underline"), classes="section")
            yield Static(id="bibtex")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#authors").focus()
        self.load()

    @work(thread=True, exclusive=True, group="paper", exit_on_error=False)
    def load(self) -> tuple[Paper, str | None]:
        library = self.app.library
        assert library is not None
        paper = library.paper(self.paper_id)
        return paper, bibtex_entry(paper)

    @on(Worker.StateChanged)
    def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "paper":
            return
        if event.state == WorkerState.ERROR:
            self.query_one("#paper-title", Static).update(Text(str(event.worker.error), style="bold"))
        elif event.state == WorkerState.SUCCESS:
            self.show_paper(*event.worker.result)

    def show_paper(self, paper: Paper, bibtex: str | None) -> None:
        self.paper = paper
        self.query_one("#paper-title", Static).update(Text(safe_line(paper.get("title")) or "(untitled)", style="bold"))
        self.query_one("#paper-meta", Static).update(Text(paper_meta(paper), style="dim"))
        authors = self.query_one("#authors", VimOptionList)
        refs = paper.get("authors", []) or []
        self.author_keys = [ref.get("key", "") for ref in refs]
        if refs:
            authors.set_options(Option(Text(safe_line(ref.get("name")) or "(no name)")) for ref in refs)
            authors.highlighted = 0
        else:
            authors.set_options([Option(Text("No authors listed.", style="italic"), disabled=True)])
        self.query_one("#abstract", Static).update(abstract_text(paper))
        self.query_one("#links", Static).update(self._links_text(paper))
        bib = Text(safe_text(bibtex)) if bibtex else Text("BibTeX is not available for this paper.", style="dim")
        self.query_one("#bibtex", Static).update(bib)

    @staticmethod
    def _links_text(paper: Paper) -> Text:
        links = paper_links(paper)
        if not links:
            return Text("No DOI or links in the store.", style="dim")
        text = Text()
        for kind, url in links:
            text.append(f"{kind:5} ", style="dim")
            text.append(url + "\n")
        text.append("o opens the first link (over SSH: copied and shown as a terminal link) · y copies it", style="dim")
        return text

    @on(OptionList.OptionSelected, "#authors")
    def _open_author(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self.author_keys) and self.author_keys[event.option_index]:
            self.post_message(open_cluster(self.author_keys[event.option_index]))

    def action_open_link(self) -> None:
        self.app.open_paper_link(self.paper)

    def action_copy_link(self) -> None:
        self.app.copy_paper_link(self.paper)

    def action_copy_bibtex(self) -> None:
        self.app.copy_bibtex(self.paper)

    def action_export(self) -> None:
        if self.paper is not None:
            title = safe_line(self.paper.get("title"))[:40] or "paper"
            self.app.export_papers([self.paper], f"“{title}”", f"paper-{self.paper_id}")
