"""One SSH session channel: the TUI in a pty when the client asks for a terminal, a clear refusal otherwise."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

import asyncssh

from tui.serve.pty_process import PtyProcess

if TYPE_CHECKING:
    from tui.serve.ssh_server import ArrowSSHServer

DEFAULT_TERM = "xterm-256color"
# Undo what a killed TUI leaves on the client's terminal: mouse reporting, bracketed paste, alternate
# screen, hidden cursor. Sent before the closing message of a session the server ends.
RESTORE_TERMINAL = b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l\x1b[?1049l\x1b[?25h\x1b[0m\r\n"
NO_COMMANDS = (
    "arrow-tui: this server runs no commands (no shell, no exec, no scp); "
    "connect without a command to open the paper browser"
)
NO_SUBSYSTEMS = "arrow-tui: the {name} subsystem is not available on this server (no file transfer)"
NEEDS_TERMINAL = "arrow-tui: this server only opens the paper browser in a terminal; connect with a terminal (ssh -t)"
MAX_PENDING_INPUT = 64 * 1024
BUSY = "arrow-tui: the server is busy ({limit} sessions open, the limit); try again later"


def clean_term(term_type: str) -> str:
    """The client's TERM if it looks like a terminal name, else a sensible default."""
    return term_type if re.fullmatch(r"[A-Za-z0-9._+-]{1,64}", term_type) else DEFAULT_TERM


class TuiSession(asyncssh.SSHServerSession[bytes]):
    """Relays between an SSH channel and a TUI child process in a pty."""

    def __init__(self, connection: ArrowSSHServer) -> None:
        self._connection = connection
        self._channel: asyncssh.SSHServerChannel[bytes] | None = None
        self._term = ""
        self._size = (80, 24)
        self._request: tuple[str, str] = ("shell", "")
        self._process: PtyProcess | None = None
        self._closing = False
        self._input_paused = False

    # -- requests from the client ------------------------------------------------------------------------------
    def connection_made(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:  # type: ignore[override]
        self._channel = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes: object) -> bool:
        self._term = clean_term(term_type)
        self._size = (term_size[0] or 80, term_size[1] or 24)
        return True

    def shell_requested(self) -> bool:
        self._request = ("shell", "")
        return True

    def exec_requested(self, command: str) -> bool:
        # Accepted only so that the refusal can say why; session_started then ends the channel.
        self._request = ("exec", command)
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self._request = ("subsystem", subsystem)
        return True

    def session_started(self) -> None:
        kind, detail = self._request
        if kind == "exec":
            self._refuse(NO_COMMANDS, "refused command")
        elif kind == "subsystem":
            self._refuse(NO_SUBSYSTEMS.format(name=detail[:40] or "requested"), f"refused subsystem {detail[:40]}")
        elif not self._term:
            self._refuse(NEEDS_TERMINAL, "refused shell without terminal")
        elif not self._connection.state.claim_session():
            self._refuse(BUSY.format(limit=self._connection.state.config.max_sessions), "refused: busy")
        else:
            self._connection.state.track(asyncio.get_running_loop().create_task(self._start_tui()))

    def data_received(self, data: bytes, datatype: asyncssh.DataType) -> None:
        self._connection.touch()
        if self._process is not None:
            self._process.write(data)
            if self._process.pending_input > MAX_PENDING_INPUT and self._channel is not None:
                self._channel.pause_reading()  # the TUI is not reading: stop taking more from the client
                self._input_paused = True

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self._connection.touch()
        self._size = (width or 80, height or 24)
        if self._process is not None:
            self._process.resize(*self._size)

    def eof_received(self) -> bool:
        self.close("client sent end of input")
        return False

    def break_received(self, msec: int) -> bool:
        return False

    def pause_writing(self) -> None:
        if self._process is not None:
            self._process.pause_output()

    def resume_writing(self) -> None:
        if self._process is not None:
            self._process.resume_output()

    def connection_lost(self, exc: Exception | None) -> None:
        self._channel = None  # closed: nothing more can be sent on it
        self.close("client disconnected" if exc is None else f"connection lost ({exc})")

    # -- the TUI process --------------------------------------------------------------------------------------
    async def _start_tui(self) -> None:
        state = self._connection.state
        if self._closing:  # the client left before the process was started
            state.release_session()
            return
        process = PtyProcess(self._child_output, self._child_exited, self._input_drained)
        try:
            await process.start(state.child_argv(), self._child_env(), *self._size)
        except OSError as exc:
            state.release_session()
            self._refuse(f"arrow-tui: could not start the browser ({exc.strerror})", f"error: spawn failed: {exc}")
            return
        self._process = process
        self._connection.record.note("session")
        if self._closing:  # the client left while the process was starting
            await self._end_process()

    def _child_env(self) -> dict[str, str]:
        env = self._connection.state.base_env()
        env["TERM"] = self._term
        env["SSH_CONNECTION"] = self._connection.ssh_connection_value()
        client_env = self._channel.get_environment() if self._channel is not None else {}
        client_colorterm = str(client_env.get("COLORTERM", ""))
        if client_colorterm in {"truecolor", "24bit"}:
            env["COLORTERM"] = client_colorterm
        return env

    def _open_channel(self) -> asyncssh.SSHServerChannel[bytes] | None:
        """The channel, unless it is closed or closing (then nothing more can be sent)."""
        if self._channel is None or self._channel.is_closing():
            return None
        return self._channel

    def _child_output(self, data: bytes) -> None:
        channel = self._open_channel()
        if channel is not None and not self._closing:
            channel.write(data)

    def _input_drained(self) -> None:
        if self._input_paused and self._channel is not None:
            self._input_paused = False
            self._channel.resume_reading()

    def _child_exited(self, returncode: int | None) -> None:
        if self._closing:
            return
        self._connection.record.note(f"session ended (exit {returncode})")
        self._closing = True
        channel = self._open_channel()
        if channel is not None:
            channel.exit(returncode if returncode is not None and returncode >= 0 else 1)
        self._connection.state.track(asyncio.get_running_loop().create_task(self._end_process()))

    async def _end_process(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            try:
                await process.terminate()
            finally:
                self._connection.state.release_session()

    @property
    def is_open(self) -> bool:
        return not self._closing

    # -- ending ----------------------------------------------------------------------------------------------
    def _refuse(self, message: str, outcome: str) -> None:
        self._connection.record.note(outcome)
        self._closing = True
        channel = self._open_channel()
        if channel is not None:
            channel.write_stderr((message + "\r\n" if self._term else message + "\n").encode())
            channel.exit(1)

    def close(self, outcome: str, message: str = "") -> None:
        """End the session from the server's side (idle timeout, shutdown) or after the client went away."""
        if self._closing:
            return
        self._closing = True
        self._connection.record.note(outcome)
        channel = self._open_channel()
        if channel is not None:
            if message:
                channel.write(RESTORE_TERMINAL + message.encode() + b"\r\n")
            channel.exit(0)
        self._connection.state.track(asyncio.get_running_loop().create_task(self._end_process()))
