"""Snapshots at 80x24 (the size an SSH session often has): search, cluster page, paper detail, help.

Update after an intended change of look with ``pytest tests/ui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from textual.pilot import Pilot

from tests.ui.helpers import demo_app, search, settle

SIZE = (80, 24)


async def _search(pilot: Pilot[None]) -> None:
    await search(pilot, "wenkai yang")


async def _cluster(pilot: Pilot[None]) -> None:
    await _search(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _paper(pilot: Pilot[None]) -> None:
    await _cluster(pilot)
    await pilot.press("G", "enter")
    await settle(pilot)


async def _cluster_without_info(pilot: Pilot[None]) -> None:
    """The info pane hidden (i): its identity wording belongs to tui.identities and may change."""
    await _cluster(pilot)
    await pilot.press("i")
    await pilot.pause()


async def _help(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


def test_search_results(snap_compare) -> None:
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_search)


def test_cluster_page(snap_compare) -> None:
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_cluster_without_info)


def test_help_screen(snap_compare) -> None:
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_help)


def test_paper_detail(snap_compare) -> None:
    assert snap_compare(demo_app(), terminal_size=SIZE, run_before=_paper)
