"""Shared helpers for the UI tests: apps on the demo store or a throwaway one, and waiting for workers."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static
from textual.worker import WorkerCancelled, WorkerFailed

from tui.paths import StoreLocation, demo_store_path
from tui.ui.app import ArrowApp, make_app

HOSTILE_TITLES = [
    "Attention [bold]is[/bold] all [link=https://x.example]you[/link]",
    "Click [@click=app.quit]here[/]",
    "A [/i] b",
    "Clip \x1b]52;c;SEFDS0VE\x07board",
    "Title \x1b]0;PWNED\x07 bar \x1b[2J end",
    "Link \x1b]8;;https://evil.example\x1b\\evil\x1b]8;;\x1b\\ here",
]
HOSTILE_AUTHOR = "Mallory [b]Evil[/b]"


def demo_app(**environ: str) -> ArrowApp:
    """The app on the bundled demo store; ``environ`` replaces the process environment for links."""
    return make_app(StoreLocation(demo_store_path(), True, "demo"), environ=dict(environ))


def store_app(root: Path, **environ: str) -> ArrowApp:
    return make_app(StoreLocation(root, False, "option"), environ=dict(environ))


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and their results land (a finished worker can start another).

    A worker that fails is waited for like the others: the app's workers run with ``exit_on_error=False``
    and the app shows their errors, which is what the tests check. (``wait_for_complete`` raised for a
    failed worker the manager had not yet let go of, so the outcome depended on timing.)
    """
    for _ in range(3):
        outcomes = await asyncio.gather(*(worker.wait() for worker in pilot.app.workers), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, WorkerFailed | WorkerCancelled):
                raise outcome
        await pilot.pause()


async def search(pilot: Pilot[None], query: str) -> None:
    """Put a query in the search bar (as a paste would: one change) and wait for the results."""
    await settle(pilot)
    pilot.app.screen.query_one("#search", Input).insert_text_at_cursor(query)
    await settle(pilot)


def plain(renderable: object, width: int = 200) -> str:
    """What a renderable shows, as plain text."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(renderable)
    return console.export_text().rstrip("\n")


def static_text(app: ArrowApp, selector: str) -> str:
    return plain(app.screen.query_one(selector, Static).content)


def option_texts(option_list: OptionList) -> list[str]:
    return [plain(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


def paper_texts(app: ArrowApp) -> list[str]:
    """Each paper of the cluster page's list as the three lines it shows."""
    from tui.ui.widgets.paper_list import PaperList

    papers = app.screen.query_one("#papers", PaperList)
    return ["\n".join(plain(line) for line in papers.item_lines(i)) for i in range(len(papers.papers))]
