"""Shared fixtures: the demo store, throwaway stores built from papers, and the real data beside the repo."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from tui.models import AuthorInput, PaperInput
from tui.paths import StoreLocation, demo_store_path
from tui.service import Library, open_for_import
from tui.store.writer import ImportSession

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ARROW_SHARED", REPO.parent / "shared"))
SEED_PAGE = SHARED / "seed" / "arrow-author-cluster-wenkai-yang.txt"


def need_shared(*parts: str) -> Path:
    """A file from ../shared, or skip the test with the reason."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (../shared is not beside the repository)")
    return path


def paper(title: str, authors: Iterable[str], year: int | None = 2020, **fields: object) -> PaperInput:
    return PaperInput(title=title, authors=[AuthorInput(a) for a in authors], year=year, **fields)  # type: ignore[arg-type]


def build_store(root: Path, papers: Iterable[PaperInput]) -> Library:
    location = StoreLocation(root, False, "option")
    store = open_for_import(location)
    with ImportSession(store) as session:
        for p in papers:
            session.add(p)
        session.commit()
    return Library.open(location)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], capture_output=True, text=True, env=full_env, timeout=timeout, cwd=REPO
    )


@pytest.fixture
def demo() -> Library:
    return Library.open(StoreLocation(demo_store_path(), True, "demo"))


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user store and no ARROW_TUI_STORE: the demo is what opens."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ARROW_TUI_STORE", raising=False)
    return tmp_path
