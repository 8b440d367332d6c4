"""Where the store is: --store, then ARROW_TUI_STORE, then the user's data directory, then the demo."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_STORE = "ARROW_TUI_STORE"
ENV_READ_ONLY = "ARROW_TUI_READ_ONLY"  # set for served sessions: nothing may change the shared store
ENV_SERVED = "ARROW_TUI_SERVED"  # set for served sessions: the app must not write files on the server
CURRENT_FILE = "CURRENT"  # in a store directory: the name of the live generation


@dataclass(frozen=True)
class StoreLocation:
    path: Path
    read_only: bool
    origin: str  # "option", "environment", "user data", "demo"


def demo_store_path() -> Path:
    """The bundled demo store: inside the installed package, or ``data/`` of a source checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "_demo", package_dir.parent / "data"):
        if (candidate / CURRENT_FILE).exists():
            return candidate
    return package_dir / "_demo"


def user_store_path() -> Path:
    return platformdirs.user_data_path("arrow-tui") / "store"


def resolve_store(option: str | None, *, for_writing: bool = False) -> StoreLocation:
    """The store to open; for writing, never the demo (a new store in the user data dir instead)."""
    forced_read_only = os.environ.get(ENV_READ_ONLY) == "1"
    if option:
        return StoreLocation(Path(option).expanduser(), forced_read_only, "option")
    if os.environ.get(ENV_STORE):
        return StoreLocation(Path(os.environ[ENV_STORE]).expanduser(), forced_read_only, "environment")
    user = user_store_path()
    if for_writing or (user / CURRENT_FILE).exists():
        return StoreLocation(user, forced_read_only, "user data")
    return StoreLocation(demo_store_path(), True, "demo")
