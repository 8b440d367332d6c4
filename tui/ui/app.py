"""The Textual app: built by ``make_app`` for the CLI, the SSH server and tests alike.

The app owns the library, navigation (history = the screen stack, plus a forward stack) and the
actions that reach outside the terminal: links, clipboard and export files.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from tui.errors import ArrowError
from tui.exporters import bibtex_entry, write_export
from tui.models import Paper
from tui.paths import ENV_SERVED, StoreLocation
from tui.textsafe import safe_line
from tui.ui.links import best_link, is_remote, open_in_local_browser, osc52, served_in_browser
from tui.ui.messages import Location, Navigate
from tui.ui.screens.cluster import ClusterScreen
from tui.ui.screens.export import ExportRequest, ExportScreen
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.link import LinkScreen
from tui.ui.screens.paper import PaperScreen
from tui.ui.screens.search import SearchScreen

if TYPE_CHECKING:
    from tui.service import Library

HistoryScreen = ClusterScreen | PaperScreen


class ArrowApp(App[None]):
    TITLE = "arrow-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("slash", "focus_search", "Search"),
        Binding("escape", "back", "Back"),
        Binding("left_square_bracket,alt+left", "back", "Back", show=False),
        Binding("right_square_bracket,alt+right", "forward", "Forward", show=False),
        Binding("question_mark,f1", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, location: StoreLocation, environ: dict[str, str] | None = None) -> None:
        super().__init__()
        self.location = location
        self.environ = dict(os.environ if environ is None else environ)
        self.library: Library | None = None
        self.stats: dict[str, Any] | None = None
        self.forward_stack: list[Location] = []
        self.search_screen = SearchScreen()

    def get_default_screen(self) -> Screen[Any]:
        return self.search_screen

    def on_mount(self) -> None:
        self.load_library()

    # Loading and worker errors -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_library(self) -> tuple[Library, dict[str, Any]]:
        # Imported here, off the event loop: numpy, rapidfuzz and the index are not needed for the first frame.
        from tui.service import Library

        library = Library.open(self.location)
        library.warm()
        return library, library.stats()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Every app-level worker ends here: results are applied, errors shown as one line."""
        worker = event.worker
        if event.state == WorkerState.ERROR:
            message = str(worker.error) if isinstance(worker.error, ArrowError | OSError) else repr(worker.error)
            if worker.group == "load":
                self.search_screen.show_error(f"Cannot open the store: {message}")
            else:
                self.notify(safe_line(message), title="Error", severity="error", markup=False)
        elif event.state == WorkerState.SUCCESS:
            if worker.group == "load":
                self.library, self.stats = worker.result
                self.search_screen.library_ready()
            elif worker.group == "export" and worker.result is not None:
                count, path = worker.result
                self.notify(f"Wrote {count} paper{'s' * (count != 1)} to {path}", title="Exported", markup=False)

    # Navigation ------------------------------------------------------------------------------

    def screen_for(self, location: Location) -> HistoryScreen:
        if location.kind == "cluster":
            return ClusterScreen(str(location.target))
        return PaperScreen(int(location.target))

    @on(Navigate)
    def _navigate(self, event: Navigate) -> None:
        self.forward_stack.clear()  # as in a browser: a new page drops the forward history
        self.push_screen(self.screen_for(event.location))

    def action_back(self) -> None:
        if isinstance(self.screen, HistoryScreen):
            self.forward_stack.append(self.screen.location)
            self.pop_screen()

    def action_forward(self) -> None:
        if self.forward_stack:
            self.push_screen(self.screen_for(self.forward_stack.pop()))

    def action_focus_search(self) -> None:
        while isinstance(self.screen, HistoryScreen):
            self.action_back()
        if self.screen is self.search_screen:
            self.search_screen.focus_search()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette lists every action bound on this screen and in the app, with its key."""
        seen: set[str] = set()
        for binding in [*screen.BINDINGS, *self.BINDINGS]:
            if isinstance(binding, Binding) and binding.description not in seen:
                seen.add(binding.description)
                target = screen if binding.action in _screen_actions(screen) else self
                yield SystemCommand(
                    binding.description,
                    f"key: {binding.key.replace(',', ' / ')}",
                    partial(target.run_action, binding.action),
                )
        focused = screen.focused
        if focused is not None and any(_keys_of(b) & {"enter"} for b in focused.BINDINGS):
            yield SystemCommand("Open the highlighted item", "key: enter", partial(focused.run_action, "select"))
        served = self.environ.get(ENV_SERVED) == "1"
        for command in super().get_system_commands(screen):
            # Served to a team, nothing may write files on the server: Textual's screenshot would.
            if not (served and "screenshot" in command.title.lower()):
                yield command

    # Links, clipboard, export ----------------------------------------------------------------

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Never start a browser on a remote host: over SSH the link goes to the user's terminal."""
        url = safe_line(url)
        if served_in_browser(self.environ):
            super().open_url(url, new_tab=new_tab)
        elif is_remote(self.environ):
            self.copy_to_clipboard(url)
            self.push_screen(LinkScreen(url))
            self.notify(
                "No browser is started on this host (SSH or no display): the link is copied to your "
                "clipboard (OSC 52) and shown as a terminal hyperlink.",
                title="Link copied",
                markup=False,
            )
        else:
            self.notify(url, title="Opening in your browser", markup=False)
            self._browse(url)

    @work(thread=True, group="browse", exit_on_error=False)
    def _browse(self, url: str) -> None:
        if not open_in_local_browser(url):
            self.call_from_thread(self.copy_to_clipboard, url)
            self.call_from_thread(self.notify, f"No browser found; copied {url}", markup=False)

    def copy_to_clipboard(self, text: str) -> None:
        """OSC 52; inside tmux also wrapped in passthrough so it reaches the outer terminal."""
        super().copy_to_clipboard(text)
        if self.environ.get("TMUX") and self._driver is not None:
            # The driver is the only writer to the terminal: writing elsewhere could split a frame.
            self._driver.write(osc52(text, tmux=True))

    def open_paper_link(self, paper: Paper | None) -> None:
        url = self._link_or_warn(paper)
        if url:
            self.open_url(url)

    def copy_paper_link(self, paper: Paper | None) -> None:
        url = self._link_or_warn(paper)
        if url:
            self.copy_to_clipboard(url)
            self.notify(f"{url} (copied with OSC 52)", title="URL copied", markup=False)

    def copy_bibtex(self, paper: Paper | None) -> None:
        if paper is None:
            self.notify("No paper is highlighted.", severity="warning", markup=False)
            return
        self.copy_to_clipboard(bibtex_entry(paper))
        self.notify("BibTeX entry copied (OSC 52).", title="BibTeX copied", markup=False)

    def _link_or_warn(self, paper: Paper | None) -> str | None:
        if paper is None:
            self.notify("No paper is highlighted.", severity="warning", markup=False)
            return None
        url = best_link(paper)
        if url is None:
            self.notify("This paper has no DOI or link in the store.", severity="warning", markup=False)
        return url

    def export_papers(self, papers: list[Paper], what: str, stem: str) -> None:
        if not papers:
            self.notify("Nothing to export: no papers are shown.", severity="warning", markup=False)
            return

        def write(request: ExportRequest | None) -> None:
            if request is not None:
                self._export(papers, request)

        self.push_screen(ExportScreen(safe_line(what), stem, Path.cwd()), write)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, papers: list[Paper], request: ExportRequest) -> tuple[int, Path] | None:
        if self.environ.get(ENV_SERVED) == "1":
            self.call_from_thread(self._send_export, papers, request)
            return None
        write_export(papers, request.fmt, request.path)
        return len(papers), request.path

    def _send_export(self, papers: list[Paper], request: ExportRequest) -> None:
        """Served to a team: an export goes to the user (download or clipboard), never to a server file."""
        from tui.exporters import export_papers as render_export

        text = render_export(papers, request.fmt)
        if served_in_browser(self.environ):
            self.deliver_text(io.StringIO(text), save_filename=request.path.name)
            return
        self.copy_to_clipboard(text)
        self.notify(
            f"Copied the export ({request.fmt}) to your clipboard; no file is written on the server.",
            title="Exported",
            markup=False,
        )


def _keys_of(binding: Any) -> set[str]:
    key = binding.key if isinstance(binding, Binding) else binding[0]
    return set(key.split(","))


def _screen_actions(screen: Screen[Any]) -> set[str]:
    return {b.action for b in screen.BINDINGS if isinstance(b, Binding)}


def make_app(location: StoreLocation, environ: dict[str, str] | None = None) -> ArrowApp:
    """The app for a store; ``environ`` (default: this process's) decides how links are opened."""
    return ArrowApp(location, environ)


def run_app(location: StoreLocation) -> None:
    make_app(location).run()
