"""Lists and scroll areas that also answer to vim keys (j/k, g/G, ctrl+d/ctrl+u)."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList

VIM_LIST_BINDINGS = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
    Binding("g", "first", "First", show=False),
    Binding("G", "last", "Last", show=False),
    Binding("ctrl+d", "page_down", "Page down", show=False),
    Binding("ctrl+u", "page_up", "Page up", show=False),
]

VIM_SCROLL_BINDINGS = [
    Binding("j", "scroll_down", "Scroll down", show=False),
    Binding("k", "scroll_up", "Scroll up", show=False),
    Binding("g", "scroll_home", "Top", show=False),
    Binding("G", "scroll_end", "Bottom", show=False),
    Binding("ctrl+d", "page_down", "Page down", show=False),
    Binding("ctrl+u", "page_up", "Page up", show=False),
]


class VimOptionList(OptionList):
    """An OptionList (one widget for the whole list, rows rendered lazily) with vim keys."""

    BINDINGS = VIM_LIST_BINDINGS


class VimScroll(VerticalScroll, can_focus=True):
    """A focusable scroll area with vim keys."""

    BINDINGS = VIM_SCROLL_BINDINGS
