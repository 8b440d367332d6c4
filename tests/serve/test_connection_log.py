"""The per-connection log line: its fields, and no control characters from the client."""

from __future__ import annotations

import re

from tui.serve.connection_log import ConnectionRecord


def test_line_has_time_peer_key_duration_outcome() -> None:
    record = ConnectionRecord(peer="127.0.0.1:40000", user="alice", fingerprint="SHA256:abc")
    record.note("authenticated")
    record.note("session")
    record.note("session")  # the same outcome twice is said once
    line = record.line()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ peer=127\.0\.0\.1:40000 user=alice key=SHA256:abc "
        r"duration=\d+\.\ds outcome=authenticated; session",
        line,
    )


def test_refused_keys_and_hostile_user_name() -> None:
    record = ConnectionRecord(peer="127.0.0.1:1", user="x\x1b]52;c;AAAA\x07\x9by\n")
    record.refused_keys += ["SHA256:one", "SHA256:one", "SHA256:two"]
    record.note("authentication refused")
    line = record.line()
    assert "key=refused SHA256:one,SHA256:two " in line
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", line)
