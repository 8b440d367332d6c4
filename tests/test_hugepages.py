"""Bulk commands restart themselves with glibc's malloc on huge pages, where that changes something."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tui.hugepages import TUNABLE, environment_with_huge_pages, glibc_version, huge_pages_setting
from tui.index.build import INLINE_BUILD_BELOW

GLIBC = (2, 36)


def test_adds_the_tunable_to_the_environment() -> None:
    environ = environment_with_huge_pages({"HOME": "/h"}, GLIBC, "madvise")
    assert environ == {"HOME": "/h", "GLIBC_TUNABLES": f"{TUNABLE}=1"}


def test_keeps_the_users_other_tunables() -> None:
    environ = environment_with_huge_pages({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}, GLIBC, "always")
    assert environ is not None
    assert environ["GLIBC_TUNABLES"] == f"glibc.malloc.arena_max=2:{TUNABLE}=1"


@pytest.mark.parametrize(
    ("environ", "glibc", "thp_mode"),
    [
        ({"GLIBC_TUNABLES": f"{TUNABLE}=0"}, GLIBC, "madvise"),  # the user turned it off
        ({"GLIBC_TUNABLES": f"{TUNABLE}=1"}, GLIBC, "madvise"),  # already restarted: no second restart
        ({}, (2, 34), "madvise"),  # a glibc without the tunable
        ({}, None, "madvise"),  # not glibc (musl)
        ({}, GLIBC, "never"),  # huge pages turned off in the kernel
        ({}, GLIBC, None),  # no transparent huge pages at all
    ],
)
def test_no_restart_where_it_changes_nothing(
    environ: dict[str, str], glibc: tuple[int, int] | None, thp_mode: str | None
) -> None:
    assert environment_with_huge_pages(environ, glibc, thp_mode) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="restarts only on Linux")
def test_import_restarts_with_the_tunable(tmp_path: Path) -> None:
    """A real `python -m tui import`: every interpreter start logs its command and GLIBC_TUNABLES."""
    hook = tmp_path / "hook"
    hook.mkdir()
    log = tmp_path / "starts.log"
    (hook / "sitecustomize.py").write_text(
        "import os, sys\n"
        f"with open({str(log)!r}, 'a') as log:\n"
        "    log.write(repr((sys.orig_argv[1:4], os.environ.get('GLIBC_TUNABLES'))) + '\\n')\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "GLIBC_TUNABLES"}
    env["PYTHONPATH"] = os.pathsep.join([str(hook), str(REPO)])
    # Enough names and titles that the index build starts its search processes (INLINE_BUILD_BELOW).
    bib = tmp_path / "many.bib"
    surnames = ["".join(chr(97 + (i // 26**k) % 26) for k in range(3)).title() for i in range(INLINE_BUILD_BELOW + 1)]
    bib.write_text(
        "".join(f"@misc{{k{i}, title={{On {name}}}, author={{Ada {name}}}}}\n" for i, name in enumerate(surnames))
    )
    command = [sys.executable, "-m", "tui", "import", str(bib), "--store", str(tmp_path / "s")]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stderr
    starts = [ast.literal_eval(line) for line in log.read_text().splitlines()]
    cli_starts = [tunables for argv, tunables in starts if argv == ["-m", "tui", "import"]]
    expected = environment_with_huge_pages(env, glibc_version(), huge_pages_setting())
    if expected is None:
        assert cli_starts == [None]
    else:
        assert cli_starts == [None, expected["GLIBC_TUNABLES"]]
        # The import's other processes (the index build's) inherit the setting.
        spawned = [tunables for argv, tunables in starts if argv[:1] == ["-B"]]
        assert spawned
        assert set(spawned) == {expected["GLIBC_TUNABLES"]}
