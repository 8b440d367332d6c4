"""A session's TUI process: ``python -m tui.serve.child --store DIR``.

It runs the ordinary CLI (so it knows nothing of the UI's internals) after taking its pty as controlling
terminal: the kernel then sends it SIGWINCH when the client resizes and SIGHUP when the session hangs up.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import termios
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the directory that holds the ``tui`` package


def child_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` with this ``tui`` package importable, whatever the child's working directory is."""
    paths = [str(PACKAGE_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    return {**env, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}


def take_controlling_terminal() -> None:
    """Make stdin's terminal ours; the parent started us as a session leader (``start_new_session``)."""
    with contextlib.suppress(OSError):
        fcntl.ioctl(sys.stdin.fileno(), termios.TIOCSCTTY, 0)


def main() -> None:
    take_controlling_terminal()
    from tui.cli import main as cli_main

    cli_main(args=sys.argv[1:], prog_name="arrow-tui")


if __name__ == "__main__":
    main()
