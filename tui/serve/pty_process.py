"""One child process in its own pseudo-terminal, driven from an asyncio loop.

The child is a session leader (``start_new_session``); once it takes the pty as its controlling terminal
(``tui.serve.child`` does, first thing) the kernel delivers SIGWINCH on resize and SIGHUP on hang-up. Ending
the session hangs up, kills the child's whole process group and reaps the child.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import signal
import struct
import termios
from collections.abc import Callable, Sequence

READ_CHUNK = 65536
KILL_GRACE_SECONDS = 2.0


def set_window_size(fd: int, columns: int, rows: int) -> None:
    """Tell the pty its size; the kernel then signals SIGWINCH to the foreground process group."""
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", max(rows, 1), max(columns, 1), 0, 0))


class PtyProcess:
    """A child running in a pty; output goes to ``on_output``, ``on_exit`` is called once when it has ended.

    Reading can be paused (``pause_output``) when the consumer cannot keep up; input that the pty cannot
    take at once is buffered and written when it can.
    """

    def __init__(
        self,
        on_output: Callable[[bytes], None],
        on_exit: Callable[[int | None], None],
        on_input_drained: Callable[[], None] = lambda: None,
    ) -> None:
        self._on_output = on_output
        self._on_exit = on_exit
        self._on_input_drained = on_input_drained
        self._loop = asyncio.get_running_loop()
        self._master = -1
        self._process: asyncio.subprocess.Process | None = None
        self._pending_input = bytearray()
        self._reading = False
        self._ended = False
        self.tty_name = ""

    @property
    def pending_input(self) -> int:
        """Bytes of input the child has not taken yet."""
        return len(self._pending_input)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    async def start(self, argv: Sequence[str], env: dict[str, str], columns: int, rows: int) -> None:
        master, slave = pty.openpty()
        try:
            set_window_size(slave, columns, rows)
            self.tty_name = os.ttyname(slave)
            env = {**env, "SSH_TTY": self.tty_name} if "SSH_CONNECTION" in env else env
            self._process = await asyncio.create_subprocess_exec(
                *argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)  # the child holds its own copy; ours would hide the child's hang-up (EIO) from us
        self._master = master
        os.set_blocking(master, False)
        self.resume_output()
        self._loop.create_task(self._wait())

    def write(self, data: bytes) -> None:
        """Send the client's keystrokes to the child."""
        if self._master < 0 or not data:
            return
        had_pending = bool(self._pending_input)
        self._pending_input += data
        if not had_pending:
            self._flush_input()

    def resize(self, columns: int, rows: int) -> None:
        if self._master >= 0:
            set_window_size(self._master, columns, rows)

    def pause_output(self) -> None:
        if self._reading and self._master >= 0:
            self._loop.remove_reader(self._master)
            self._reading = False

    def resume_output(self) -> None:
        if not self._reading and self._master >= 0:
            self._loop.add_reader(self._master, self._read)
            self._reading = True

    async def terminate(self) -> None:
        """Hang up, then kill the child's whole process group if it lingers, and reap the child."""
        self._ended = True  # ended by us: no on_exit callback
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            self._signal_group(signal.SIGHUP)
            self._signal_group(signal.SIGCONT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(process.wait()), KILL_GRACE_SECONDS)
        # Even after the leader exits, something it started may still be in its group: kill that too.
        self._signal_group(signal.SIGKILL)
        await process.wait()
        self._close_master()

    def _signal_group(self, signum: int) -> None:
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signum)

    def _read(self) -> None:
        try:
            data = os.read(self._master, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:  # EIO: every slave descriptor is closed, the child has gone
            data = b""
        if data:
            self._on_output(data)
        else:
            self.pause_output()

    def _flush_input(self) -> None:
        try:
            written = os.write(self._master, self._pending_input)
        except BlockingIOError:
            written = 0
        except OSError:  # the child has gone; its exit is reported by _wait
            self._pending_input.clear()
            return
        del self._pending_input[:written]
        if self._pending_input:
            self._loop.add_writer(self._master, self._retry_input)
        elif written:
            self._on_input_drained()

    def _retry_input(self) -> None:
        self._loop.remove_writer(self._master)
        self._flush_input()

    async def _wait(self) -> None:
        assert self._process is not None
        returncode = await self._process.wait()
        self._drain_output()
        if not self._ended:
            self._ended = True
            self._on_exit(returncode)

    def _drain_output(self) -> None:
        """What the child wrote just before exiting (its terminal restore) still belongs to the client."""
        while self._master >= 0:
            try:
                data = os.read(self._master, READ_CHUNK)
            except OSError:
                return
            if not data:
                return
            self._on_output(data)

    def _close_master(self) -> None:
        if self._master >= 0:
            self.pause_output()
            self._loop.remove_writer(self._master)
            os.close(self._master)
            self._master = -1
