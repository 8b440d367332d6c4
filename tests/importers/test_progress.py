"""Plain progress lines (output not a terminal): a finished stage is reported once, with no ETA."""

from __future__ import annotations

import pytest

from tui.progress import _eta, progress_printer


def test_eta_from_the_pace_so_far() -> None:
    assert _eta(10.0, 25, 100) == ", ETA 0m30s"
    assert _eta(0.5, 25, 100) == ""  # too early to tell
    assert _eta(90.0, 100, 100) == ""


def test_plain_lines_report_completion_once(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_printer() as progress:
        progress("reading x.bib", 10, 100)
        for _ in range(5):
            progress("reading x.bib", 100, 100)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["reading x.bib:  10.0% (10/100)", "reading x.bib: 100.0% (100/100)"]


def test_plain_lines_give_records_per_second(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_printer() as progress:
        progress("reading x.bib", 100, 100, 5000)
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("reading x.bib: 100.0% (100/100), ") and line.endswith(" records/s")
    assert int(line.split(", ")[1].split()[0].replace(",", "")) > 0


def test_terminal_bar_shows_the_record_rate() -> None:
    import io

    from rich.console import Console

    import tui.progress as progress_module

    buffer = io.StringIO()
    original = progress_module.Console
    progress_module.Console = lambda stderr=True: Console(file=buffer, force_terminal=True, width=120)  # type: ignore[assignment]
    try:
        with progress_printer() as progress:
            progress("reading x.bib", 50, 100, 1000)
    finally:
        progress_module.Console = original
    assert "rec/s" in buffer.getvalue() and "reading x.bib" in buffer.getvalue()
