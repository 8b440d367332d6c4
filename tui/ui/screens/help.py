"""The help screen: every key binding of every screen, generated from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.ui.widgets.vim import VIM_LIST_BINDINGS, VIM_SCROLL_BINDINGS, VimScroll

# Keys that Textual's own widgets provide, listed so the help screen is complete.
BUILT_IN = [
    Binding("up,down", "", "Move in a list / scroll"),
    Binding("home,end", "", "First / last"),
    Binding("pageup,pagedown", "", "Page up / down"),
    Binding("enter", "", "Open the highlighted item"),
    Binding("tab,shift+tab", "", "Next / previous pane"),
    Binding("ctrl+p", "", "Command palette: every action by name"),
]


def binding_sections() -> list[tuple[str, list[BindingType]]]:
    """(section title, bindings) for the whole app; imported lazily to avoid an import cycle."""
    from tui.ui.app import ArrowApp
    from tui.ui.screens.cluster import ClusterScreen
    from tui.ui.screens.export import ExportScreen
    from tui.ui.screens.filter import FilterScreen
    from tui.ui.screens.paper import PaperScreen
    from tui.ui.screens.search import SearchScreen

    return [
        ("Everywhere", [*ArrowApp.BINDINGS, *BUILT_IN]),
        ("Lists", VIM_LIST_BINDINGS),
        ("Scrolling panes", VIM_SCROLL_BINDINGS),
        ("Search", SearchScreen.BINDINGS),
        ("Cluster page", ClusterScreen.BINDINGS),
        ("Paper detail", PaperScreen.BINDINGS),
        ("Filter dialog", FilterScreen.BINDINGS),
        ("Export dialog", ExportScreen.BINDINGS),
    ]


KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "escape": "Esc",
}


def _keys(binding: BindingType) -> tuple[str, str]:
    if isinstance(binding, Binding):
        key, description = binding.key, binding.description
    else:
        key, _action, *rest = binding
        description = rest[0] if rest else ""
    return " / ".join(KEY_NAMES.get(k, k) for k in key.split(",")), description


def help_table(sections: Iterable[tuple[str, list[BindingType]]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column()
    for title, bindings in sections:
        table.add_row(Text(title, style="bold underline"), "")
        for binding in bindings:
            key, description = _keys(binding)
            table.add_row(Text(key, style="bold"), Text(description))
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close help"),
        *VIM_SCROLL_BINDINGS,
    ]

    def compose(self) -> ComposeResult:
        with VimScroll(id="help"):
            yield Static(Text("Keys (Escape closes)", style="bold"))
            yield Static(help_table(binding_sections()), id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
