"""A virtual list of papers: renders only the visible lines, so 100,000 papers cost what 10 do.

Each paper takes ``LINES_PER_PAPER`` lines (venue · year · type, title, authors, a gap); the text is
truncated to the width instead of wrapped, so a paper's position never depends on the width and
resizing costs nothing. Textual's OptionList, by contrast, lays out every option on every resize.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.models import Paper
from tui.ui.render import paper_lines

LINES_PER_PAPER = 4


class PaperList(ScrollView, can_focus=True):
    """Papers with a cursor; Enter (or a click on the highlighted paper) posts ``Selected``."""

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("pageup,ctrl+u", "page_up", "Page up", show=False),
        Binding("pagedown,ctrl+d", "page_down", "Page down", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES = {"paper-list--cursor", "paper-list--empty"}
    DEFAULT_CSS = """
    PaperList { overflow-x: hidden; }
    PaperList > .paper-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    PaperList:blur > .paper-list--cursor { background: $block-cursor-blurred-background; }
    PaperList > .paper-list--empty { text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, init=False)
    """Position of the highlighted paper in ``papers``."""

    class Selected(Message):
        def __init__(self, paper_list: PaperList, index: int) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.index = index

        @property
        def control(self) -> PaperList:
            return self.paper_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.papers: list[Paper] = []
        self.groups: dict[int, tuple[str, bool]] = {}  # paper id -> (identity group, stands apart)
        self.empty_message = "No papers."

    def set_papers(self, papers: list[Paper], cursor: int = 0, empty_message: str = "No papers.") -> None:
        self.papers = papers
        self.empty_message = empty_message
        self.virtual_size = Size(0, max(1, len(papers) * LINES_PER_PAPER))
        self.set_reactive(PaperList.cursor, max(0, min(cursor, len(papers) - 1)))
        self.refresh()
        self.call_after_refresh(self._show_cursor)

    def set_groups(self, groups: dict[int, tuple[str, bool]]) -> None:
        self.groups = groups
        self.refresh()

    def item_lines(self, index: int) -> list[Text]:
        paper = self.papers[index]
        return paper_lines(paper, *self.groups.get(paper["id"], (None, False)))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + self.scroll_offset.y
        if not self.papers:
            if line != 0:
                return Strip.blank(width, self.rich_style)
            style = self.get_component_rich_style("paper-list--empty")
            return self._strip(Text(self.empty_message, style=style), width)
        index, part = divmod(line, LINES_PER_PAPER)
        if index >= len(self.papers) or part == LINES_PER_PAPER - 1:
            return Strip.blank(width, self.rich_style)
        # A gutter mark as well as the colour: with NO_COLOR or 16 colours the mark still shows the cursor.
        text = Text.assemble(("▌ " if index == self.cursor else "  "), self.item_lines(index)[part])
        if index == self.cursor:
            text.truncate(width, overflow="ellipsis", pad=True)  # the highlight spans the whole width
            text.stylize(self.get_component_rich_style("paper-list--cursor"))
        return self._strip(text, width)

    def _strip(self, text: Text, width: int) -> Strip:
        text.truncate(width, overflow="ellipsis")
        segments = list(text.render(self.app.console))
        return Strip(Segment.apply_style(segments, self.rich_style), text.cell_len).extend_cell_length(
            width, self.rich_style
        )

    def watch_cursor(self) -> None:
        self.refresh()
        self._show_cursor()

    def _show_cursor(self) -> None:
        if self.papers:
            region = Region(0, self.cursor * LINES_PER_PAPER, max(1, self.size.width), LINES_PER_PAPER - 1)
            self.scroll_to_region(region, animate=False, immediate=True)

    def _move(self, cursor: int) -> None:
        if self.papers:
            self.cursor = max(0, min(cursor, len(self.papers) - 1))

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.papers) - 1)

    def _page(self) -> int:
        return max(1, self.size.height // LINES_PER_PAPER)

    def action_page_up(self) -> None:
        self._move(self.cursor - self._page())

    def action_page_down(self) -> None:
        self._move(self.cursor + self._page())

    def action_select(self) -> None:
        if self.papers:
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        index = (event.y + self.scroll_offset.y) // LINES_PER_PAPER
        if 0 <= index < len(self.papers):
            if index == self.cursor:
                self.action_select()
            self.cursor = index
