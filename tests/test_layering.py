"""The core never imports Textual: the CLI and any other front end can use it without the UI."""

import subprocess
import sys

from tests.conftest import REPO

CORE_MODULES = [
    "tui.names",
    "tui.models",
    "tui.store",
    "tui.store.writer",
    "tui.index.build",
    "tui.index.reader",
    "tui.search",
    "tui.importers",
    "tui.identities",
    "tui.service",
    "tui.cli",
]


def test_core_modules_do_not_import_textual():
    code = (
        f"import sys\nfor m in {CORE_MODULES!r}: __import__(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\nprint(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"
