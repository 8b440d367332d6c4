"""One log line per SSH connection: time, peer address, key fingerprint, duration and outcome."""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tui.textsafe import safe_line

logger = logging.getLogger("arrow-tui.serve.ssh")


def log_to_stderr() -> None:
    """The server's log goes to stderr, one plain line per event (each connection line carries its own time)."""
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


@dataclass
class ConnectionRecord:
    """What happened on one connection; ``log`` writes it once, when the connection is gone."""

    peer: str
    started: float = field(default_factory=time.monotonic)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    user: str = ""
    fingerprint: str = ""
    refused_keys: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    logged: bool = False

    def note(self, outcome: str) -> None:
        if outcome not in self.outcomes:
            self.outcomes.append(outcome)

    def line(self) -> str:
        duration = time.monotonic() - self.started
        if self.fingerprint:
            key = self.fingerprint
        elif self.refused_keys:
            key = "refused " + ",".join(dict.fromkeys(self.refused_keys))
        else:
            key = "-"
        outcome = "; ".join(self.outcomes) or "closed before authentication"
        # The user name is the client's choice of text: keep control codes out of the log.
        user = safe_line(self.user)[:64] or "-"
        return (
            f"{self.started_at:%Y-%m-%dT%H:%M:%SZ} peer={self.peer} user={user} key={key} "
            f"duration={duration:.1f}s outcome={outcome}"
        )

    def log(self) -> None:
        if not self.logged:
            self.logged = True
            logger.info(self.line())
