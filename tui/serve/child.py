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

from tui.paths import ENV_READ_ONLY, ENV_SERVED

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the directory that holds the ``tui`` package


def child_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a served session's app: this ``tui`` importable, the store read-only, and the app
    told it is served, so it writes nothing on the server (exports go to the user instead)."""
    paths = [str(PACKAGE_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    return {**env, "PYTHONPATH": os.pathsep.join(dict.fromkeys(paths)), ENV_SERVED: "1", ENV_READ_ONLY: "1"}


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
