"""PtyProcess on its own: output, input, exit status, and a terminate that leaves nothing of the group."""

from __future__ import annotations

import asyncio
import os

from tests.serve.helpers import processes_in_group
from tui.serve.pty_process import PtyProcess


async def until(condition, timeout: float = 10) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_echoes_input_and_reports_exit() -> None:
    output: list[bytes] = []
    exits: list[int | None] = []
    process = PtyProcess(output.append, exits.append)
    await process.start(["sh", "-c", "read line; echo got:$line; exit 3"], dict(os.environ), 80, 24)
    process.write(b"hello\r")
    await until(lambda: exits)
    assert exits == [3]
    assert b"got:hello" in b"".join(output)
    await process.terminate()


async def test_terminate_kills_the_whole_process_group() -> None:
    output: list[bytes] = []
    exits: list[int | None] = []
    process = PtyProcess(output.append, exits.append)
    # A child that started something of its own, which ignores the hang-up: only the group kill ends it.
    script = "trap '' HUP; sleep 300 & echo started; wait"
    await process.start(["sh", "-c", script], dict(os.environ), 80, 24)
    await until(lambda: b"started" in b"".join(output))
    group = process.pid
    assert group is not None
    assert len(processes_in_group(group)) == 2
    await process.terminate()
    await until(lambda: not processes_in_group(group), 5)  # SIGKILL is sure, but takes a moment to land
    assert exits == []  # ended by us: no exit callback
