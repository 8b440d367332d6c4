"""Hostile text, empty stores, missing fields, resizing, big clusters, 16 colours and NO_COLOR."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from tests.conftest import build_store, paper
from tests.ui.helpers import (
    HOSTILE_AUTHOR,
    HOSTILE_TITLES,
    demo_app,
    option_texts,
    paper_texts,
    search,
    settle,
    static_text,
    store_app,
)
from tui.textsafe import safe_line
from tui.ui.screens.cluster import ClusterScreen
from tui.ui.screens.paper import PaperScreen
from tui.ui.widgets.paper_list import PaperList


def hostile_store(root: Path) -> Path:
    papers = [
        paper(title, [HOSTILE_AUTHOR, "Bob [@click=app.quit]Quit[/]"], year=2000 + i, abstract=title + " [/i] abstract")
        for i, title in enumerate(HOSTILE_TITLES)
    ]
    build_store(root, papers)
    return root


async def test_hostile_titles_are_shown_literally_and_trigger_nothing(tmp_path: Path) -> None:
    app = store_app(hostile_store(tmp_path / "store"))
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "mallory")
        results = option_texts(app.screen.query_one("#results", OptionList))
        assert any("Mallory [b]Evil[/b]" in text for text in results)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClusterScreen)
        shown = "\n".join(paper_texts(app))
        for title in HOSTILE_TITLES:
            assert safe_line(title) in shown  # literal, with the control characters removed
        assert "\x1b" not in shown and "\x07" not in shown
        assert "Bob [@click=app.quit]Quit[/]" in shown
        await pilot.press("enter")  # newest first: the OSC 8 title
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert static_text(app, "#paper-title") == safe_line(HOSTILE_TITLES[-1])
        assert "[/i] abstract" in static_text(app, "#abstract")
        await pilot.click("#authors")  # a click on a hostile name is just a click
        await settle(pilot)
        assert app.is_running


async def test_empty_store_says_so(tmp_path: Path) -> None:
    build_store(tmp_path / "empty", [])
    app = store_app(tmp_path / "empty")
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "anyone")
        assert "The store is empty" in static_text(app, "#search-status")
        assert app.screen.query_one("#results", OptionList).option_count == 0


async def test_missing_store_is_one_clear_line(tmp_path: Path) -> None:
    app = store_app(tmp_path / "nowhere")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        status = static_text(app, "#search-status")
        assert status.startswith("Cannot open the store:") and "Traceback" not in status


async def test_no_results_says_so() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "qqqq zzzz")
        assert static_text(app, "#search-status") == "No author name or title matches qqqq zzzz."


async def test_missing_fields_show_clear_states(tmp_path: Path) -> None:
    build_store(tmp_path / "s", [paper("Lonely paper", [], year=None), paper("Sparse", ["Ann Bee"], year=None)])
    app = store_app(tmp_path / "s")
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "lonely")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert static_text(app, "#paper-meta") == "no venue · no year"
        assert option_texts(app.screen.query_one("#authors", OptionList)) == ["No authors listed."]
        assert static_text(app, "#abstract") == "No abstract in the store."
        assert static_text(app, "#links") == "No DOI or links in the store."
        await pilot.press("o")  # no link: a warning, not a crash
        await pilot.press("slash", *"ann bee", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClusterScreen)
        assert "no year" in static_text(app, "#cluster-head")
        assert static_text(app, "#chart") == "No papers with a year."


async def test_resizing_never_crashes_on_any_screen() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "wenkai yang")
        for step in ("search", "enter", "enter"):
            if step == "enter":
                await pilot.press("enter")
                await settle(pilot)
            for size in ((1, 1), (200, 60), (80, 24)):
                await pilot.resize_terminal(*size)
                await pilot.pause()
        assert isinstance(app.screen, PaperScreen)
        await pilot.press("question_mark")
        await pilot.resize_terminal(30, 8)
        await pilot.pause()
        assert app.is_running


async def test_a_cluster_with_thousands_of_papers_is_one_list(tmp_path: Path) -> None:
    papers = [paper(f"Paper {i}", ["Big Author", f"Co Author{i % 40}"], year=1990 + i % 35) for i in range(2000)]
    build_store(tmp_path / "big", papers)
    app = store_app(tmp_path / "big")
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "big author")
        await pilot.press("enter")
        await settle(pilot)
        papers_list = app.screen.query_one("#papers", PaperList)
        assert len(papers_list.papers) == 2000
        assert len(papers_list.children) == 0  # one widget that draws only the visible lines
        await pilot.press("G")
        assert papers_list.cursor == 1999
        assert " 1990 " in paper_texts(app)[1999].splitlines()[0]  # newest first: the oldest year last
        await pilot.press("ctrl+u", "g")
        assert papers_list.cursor == 0


async def test_sixteen_colours_and_no_color(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        assert "Possible papers" in static_text(app, "#cluster-head")
        assert app.no_color


async def test_long_result_lists_are_bounded(tmp_path: Path) -> None:
    names = [f"Ann Smith{chr(97 + i % 26)}{chr(97 + i // 26)}" for i in range(70)]
    build_store(tmp_path / "many", [paper(f"On topic {i}", [name]) for i, name in enumerate(names)])
    app = store_app(tmp_path / "many")
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "ann smith")
        results = app.screen.query_one("#results", OptionList)
        assert results.option_count == 1 + 50  # the section header and the best 50 names
        assert static_text(app, "#search-status").startswith("the best 50 author names")
