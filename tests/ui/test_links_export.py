"""Opening, copying and exporting: over SSH no browser starts, links go to the user's terminal."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from tests.conftest import build_store, paper
from tests.ui.helpers import demo_app, search, settle, static_text, store_app
from tui.ui.links import best_link, is_remote, osc52, paper_links
from tui.ui.screens.cluster import ClusterScreen
from tui.ui.screens.link import LinkScreen
from tui.ui.screens.paper import PaperScreen


def test_best_link_prefers_the_doi_and_drops_other_schemes() -> None:
    record = {
        "doi": "10.1000/xyz",
        "links": [
            {"kind": "pdf", "url": "https://example.org/a.pdf"},
            {"kind": "url", "url": "javascript:alert(1)"},
            {"kind": "url", "url": "https://example.org/a"},
        ],
    }
    assert best_link(record) == "https://doi.org/10.1000/xyz"
    assert [kind for kind, _ in paper_links(record)] == ["doi", "url", "pdf"]
    assert best_link({"title": "no links"}) is None


@pytest.mark.parametrize(
    ("environ", "platform", "remote"),
    [
        ({"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22", "DISPLAY": ":0"}, "linux", True),
        ({"SSH_TTY": "/dev/pts/3", "DISPLAY": ":0"}, "linux", True),
        ({}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({}, "darwin", False),
    ],
)
def test_is_remote(environ: dict[str, str], platform: str, remote: bool) -> None:
    assert is_remote(environ, platform) is remote


def test_osc52_plain_and_wrapped_for_tmux() -> None:
    payload = base64.b64encode(b"https://doi.org/10.1/x").decode()
    assert osc52("https://doi.org/10.1/x", tmux=False) == f"\x1b]52;c;{payload}\x07"
    wrapped = osc52("https://doi.org/10.1/x", tmux=True)
    assert wrapped == f"\x1bPtmux;\x1b\x1b]52;c;{payload}\x07\x1b\\"


def linked_store(root: Path) -> Path:
    build_store(root, [paper("Linked paper", ["Ann Bee", "Cy Dee"], doi="10.1000/linked", venue="JX")])
    return root


async def test_open_over_ssh_copies_and_shows_a_terminal_link(tmp_path: Path) -> None:
    # SSH wins over a display (X forwarding would open the browser on the server's side).
    app = store_app(linked_store(tmp_path / "s"), SSH_CONNECTION="1 2 3 4", DISPLAY=":0")
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "linked paper")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaperScreen)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, LinkScreen)
        assert app.clipboard == "https://doi.org/10.1000/linked"
        link = app.screen.query_one("#link-url").content
        assert link.plain == "https://doi.org/10.1000/linked"
        assert link.style.link == "https://doi.org/10.1000/linked"  # drawn as an OSC 8 hyperlink
        assert any("No browser is started on this host" in n.message for n in app._notifications)
        await pilot.press("escape")
        await pilot.press("y")
        assert app.clipboard == "https://doi.org/10.1000/linked"
        await pilot.press("Y")
        assert app.clipboard.startswith("@") and "10.1000/linked" in app.clipboard
        assert "https://doi.org/10.1000/linked" in static_text(app, "#links")
        assert static_text(app, "#bibtex") == app.clipboard.strip()


async def test_copy_from_the_cluster_page_uses_the_highlighted_paper(tmp_path: Path) -> None:
    app = store_app(linked_store(tmp_path / "s"), SSH_TTY="/dev/pts/1")
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "ann bee")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClusterScreen)
        await pilot.press("y")
        assert app.clipboard == "https://doi.org/10.1000/linked"


async def test_export_the_filtered_cluster_in_each_format(tmp_path: Path) -> None:
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f", *"2025", "enter")  # only the 2025 papers
        await pilot.pause()
        for steps, (fmt, suffix, marker) in enumerate(
            [("bibtex", ".bib", "@"), ("ris", ".ris", "TY  -"), ("csl-json", ".json", '"title"')]
        ):
            await pilot.press("e")
            await pilot.pause()
            path_input = app.screen.query_one("#path", Input)
            assert path_input.value.endswith("wenkai-yang.bib")
            await pilot.press("shift+tab", *["down"] * steps, "enter", "tab")
            assert path_input.value.endswith(suffix)
            assert static_text(app, "#format-chosen") == f"Format: {fmt}"
            target = tmp_path / f"out{suffix}"
            path_input.value = str(target)
            await pilot.press("enter")
            await settle(pilot)
            text = target.read_text(encoding="utf-8")
            assert marker in text
            assert "Learning to Focus" in text and "Decentralized Decoupled" not in text  # the filter applies
            assert isinstance(app.screen, ClusterScreen)


async def test_export_one_paper_and_a_failed_write_is_one_line(tmp_path: Path) -> None:
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        path_input = app.screen.query_one("#path", Input)
        (tmp_path / "taken.bib").mkdir()  # a directory where the file should go: the write fails
        path_input.value = str(tmp_path / "taken.bib")
        await pilot.press("enter")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "taken.bib" in errors[0] and "\n" not in errors[0], errors
        assert app.is_running
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(tmp_path / "one.bib")
        await pilot.press("enter")
        await settle(pilot)
        assert (tmp_path / "one.bib").read_text(encoding="utf-8").count("@") == 1


async def test_with_a_local_display_o_starts_the_browser_without_blocking(tmp_path: Path) -> None:
    """A real browser command that, like a console browser, runs until it exits (GenericBrowser waits)."""
    import webbrowser

    opened = tmp_path / "opened.txt"
    command = ["sh", "-c", f'sleep 2; printf %s "$0" > {opened}', "%s"]
    webbrowser.register("arrow-test-browser", None, webbrowser.GenericBrowser(command), preferred=True)
    app = store_app(linked_store(tmp_path / "s"), DISPLAY=":0")
    async with app.run_test(size=(80, 24)) as pilot:
        await search(pilot, "linked paper")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("o", "j")
        # The key after "o" was handled while the browser still runs: the event loop is not blocked.
        assert app.screen.query_one("#authors", OptionList).highlighted == 1
        assert not opened.exists()
        assert isinstance(app.screen, PaperScreen)  # no link dialog: a browser was started
        await settle(pilot)
        for _ in range(100):
            if opened.exists() and opened.read_text():
                break
            await pilot.pause(0.05)
        assert opened.read_text() == "https://doi.org/10.1000/linked"
        assert app.clipboard != "https://doi.org/10.1000/linked"  # nothing copied: it was opened


async def test_served_export_goes_to_the_users_clipboard_not_a_server_file(tmp_path: Path) -> None:
    app = demo_app(ARROW_TUI_SERVED="1", SSH_CONNECTION="127.0.0.1 50000 127.0.0.1 2222")
    async with app.run_test(size=(100, 30)) as pilot:
        await search(pilot, "wenkai yang")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        target = tmp_path / "on-the-server.bib"
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert not target.exists()
        assert app.clipboard.count("@") == 9 and "Learning to Focus" in app.clipboard
        notes = [n.message for n in app._notifications]
        assert any("no file is written on the server" in m for m in notes), notes


async def test_served_palette_offers_no_screenshot_to_a_server_file() -> None:
    for environ, expected in (({"ARROW_TUI_SERVED": "1"}, False), ({}, True)):
        app = demo_app(**environ)
        async with app.run_test(size=(100, 30)):
            titles = [c.title.lower() for c in app.get_system_commands(app.screen)]
            assert any("screenshot" in t for t in titles) is expected
