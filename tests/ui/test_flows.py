"""Pilot tests: every flow of the TUI on the demo store ("Wenkai Yang", 9 papers, 2 author rows)."""

from __future__ import annotations

import threading

from textual.widgets import Input, OptionList

from tests.conftest import SEED_PAGE, need_shared
from tests.ui.helpers import demo_app, option_texts, paper_texts, search, settle, static_text
from tui.service import Library
from tui.ui.screens.cluster import ClusterScreen
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.paper import PaperScreen
from tui.ui.screens.search import SearchScreen
from tui.ui.widgets.paper_list import PaperList


async def test_search_bar_is_focused_and_results_come_as_you_type() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, Input)
        await pilot.press(*"wenkai yang")  # typed key by key
        await settle(pilot)
        results = app.screen.query_one("#results", OptionList)
        texts = option_texts(results)
        assert texts[0].startswith("Author names (1)")
        assert "Wenkai Yang  9 papers · 2 author rows · 2021–2025 · exact" in texts[1]
        assert "1 author name" in static_text(app, "#search-status")


async def test_title_matches_have_their_own_section() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "thyroid")
        texts = option_texts(app.screen.query_one("#results", OptionList))
        titles_at = next(i for i, t in enumerate(texts) if t.startswith("Titles ("))
        assert "benign–malignant thyroid nodule" in texts[titles_at + 1]
        await pilot.press("down")  # into the list
        results = app.screen.query_one("#results", OptionList)
        results.highlighted = titles_at + 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert "thyroid" in static_text(app, "#paper-title")


async def test_a_query_typed_while_the_store_loads_is_answered_once_it_is_ready(monkeypatch) -> None:
    # The real store loads, but only once the test lets it: the query is typed while it is still loading.
    loading_may_finish = threading.Event()
    real_warm = Library.warm

    def warm_when_allowed(library: Library) -> None:
        assert loading_may_finish.wait(timeout=30)
        real_warm(library)

    monkeypatch.setattr(Library, "warm", warm_when_allowed)
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"wenkai yang")
        await pilot.pause()
        # The search bar took every key while the store was loading; nothing was answered yet.
        assert app.library is None
        assert app.screen.query_one("#search", Input).value == "wenkai yang"
        assert static_text(app, "#search-status") == "Loading the store…"
        assert option_texts(app.screen.query_one("#results", OptionList)) == []
        loading_may_finish.set()
        await settle(pilot)
        texts = option_texts(app.screen.query_one("#results", OptionList))
        assert "Wenkai Yang  9 papers · 2 author rows · 2021–2025 · exact" in texts[1]


async def test_stale_results_are_dropped() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "wenkai")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        before = option_texts(screen.query_one("#results", OptionList))
        stale_serial = screen._serial - 1
        screen._show("yankai", [], [], stale_serial)  # an answer that arrives after a newer query
        assert option_texts(screen.query_one("#results", OptionList)) == before
        # typing more replaces the results with those of the final query
        await pilot.press("backspace", *"xyzq")
        await settle(pilot)
        assert "No author name or title matches" in static_text(app, "#search-status")


async def test_cluster_page_matches_the_seed_page() -> None:
    seed = need_shared("seed", SEED_PAGE.name).read_text(encoding="utf-8")
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClusterScreen)
        head = static_text(app, "#cluster-head")
        assert head.startswith("Wenkai Yang")
        assert "Possible papers associated with this exact author name" in head
        assert "is not an identity profile" in head
        assert "9 papers · 2 author rows · 2021–2025" in head
        papers = paper_texts(app)
        assert len(papers) == 9
        years = [int(text.split(" · ")[2]) for text in papers]
        assert years == sorted(years, reverse=True)  # newest first
        for text in papers:  # every title of the seed page, in the order of the seed page
            title = text.splitlines()[1]
            assert title.split(":")[0] in seed
        assert papers[0].splitlines()[0].startswith("NeurIPS · Conference · 2025 · Conference Paper")
        assert "Yiju Guo, Wenkai Yang, Zexu Sun" in papers[0]


async def test_identity_hints_set_the_2021_paper_apart() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        papers = paper_texts(app)
        apart = [text for text in papers if "no shared co-author" in text]
        assert len(apart) == 1 and "thyroid" in apart[0] and "2021" in apart[0]
        assert sum("group A" in text for text in papers) == 8
        hints = static_text(app, "#identities")
        assert "Group A · 8 papers · 2022–2025" in hints
        assert "Group B · 1 paper · 2021 · EAAI" in hints
        rows = static_text(app, "#rows")
        assert rows.count("Wenkai Yang  suffix —  ORCID —") == 2
        assert "8 papers · 2022–2025" in rows and "1 paper · 2021" in rows
        chart = static_text(app, "#chart")
        assert "2024 " in chart and chart.count("█") > 0
        assert chart.splitlines()[0].startswith("2021")


async def test_paper_detail_author_opens_cluster_and_history_goes_back_and_forward() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("G", "enter")  # the oldest paper: 2021, thyroid ultrasound
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        assert "thyroid nodule" in static_text(app, "#paper-title")
        assert static_text(app, "#paper-meta").startswith("EAAI · Journal · 2021 · Journal Article")
        assert "ultrasound" in static_text(app, "#abstract")
        assert "@" in static_text(app, "#bibtex")
        authors = option_texts(app.screen.query_one("#authors", OptionList))
        assert authors[:2] == ["Wenkai Yang", "Yunyun Dong"]
        await pilot.press("j", "enter")  # Yunyun Dong
        await settle(pilot)
        assert isinstance(app.screen, ClusterScreen)
        assert static_text(app, "#cluster-head").startswith("Yunyun Dong")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ClusterScreen) and app.screen.key == "wenkai yang"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, ClusterScreen) and app.screen.key == "yunyun dong"
        await pilot.press("slash")  # back to the search bar from anywhere
        assert isinstance(app.screen, SearchScreen) and isinstance(app.focused, Input)


async def test_vim_keys_and_tab_between_panes() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        papers = app.screen.query_one("#papers", PaperList)
        assert app.focused is papers and papers.cursor == 0
        await pilot.press("j", "j")
        assert papers.cursor == 2
        await pilot.press("k")
        assert papers.cursor == 1
        await pilot.press("G")
        assert papers.cursor == 8
        await pilot.press("g")
        assert papers.cursor == 0
        await pilot.press("ctrl+d")
        assert papers.cursor > 0
        await pilot.press("ctrl+u")
        assert papers.cursor == 0
        await pilot.press("tab")
        info = app.screen.query_one("#info")
        assert app.focused is info
        await pilot.press("j", "G")
        assert info.scroll_y > 0
        await pilot.press("g")
        assert info.scroll_y == 0


async def test_filters_and_sorting() -> None:
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClusterScreen)
        await pilot.press("f")
        await pilot.press(*"2024", "tab", *"2025", "tab", *"neurips", "enter")
        await pilot.pause()
        assert [p["year"] for p in screen.shown] == [2025, 2025, 2024]
        assert "showing 3" in static_text(app, "#cluster-head")
        await pilot.press("x")
        assert len(screen.shown) == 9
        await pilot.press("f", "tab", "tab", "tab", *"journal", "enter")
        await pilot.pause()
        assert {p["type"] for p in screen.shown} == {"Journal Article"} and len(screen.shown) == 3
        await pilot.press("x", "s")  # sort by title, A to Z
        titles = [p["title"].casefold() for p in screen.shown]
        assert titles == sorted(titles)
        await pilot.press("s")  # by venue
        venues = [p["venue"].casefold() for p in screen.shown]
        assert venues == sorted(venues)
        await pilot.press("r")
        assert [p["venue"].casefold() for p in screen.shown] == sorted(venues, reverse=True)
        await pilot.press("f", "0", "enter")  # not a year: the dialog says so and stays open
        await pilot.pause()
        assert "not a year: 0" in static_text(app, "#hint")
        await pilot.press("escape")
        assert app.screen is screen


async def test_help_lists_every_binding_and_palette_has_every_action() -> None:
    from tui.ui.screens.help import binding_sections

    app = demo_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")  # even from the search bar
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = static_text(app, "#help-keys")
        for _title, bindings in binding_sections():
            for binding in bindings:
                assert binding.description in shown
        for key in ("?", "/", "[", "]", "j", "G", "ctrl+d", "tab", "ctrl+p", "o", "y", "Y", "e", "f", "s"):
            assert any(line.startswith(key) or f"/ {key} " in line for line in shown.splitlines()), key
        await pilot.press("escape")
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for binding in [*ClusterScreen.BINDINGS, *type(app).BINDINGS]:
            assert binding.description in titles
        assert "Open the highlighted item" in titles


async def test_command_palette_runs_an_action() -> None:
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClusterScreen) and screen.sort_by == "year"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Sort")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.sort_by == "title"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Open the highlighted")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)  # the palette opened the highlighted paper
