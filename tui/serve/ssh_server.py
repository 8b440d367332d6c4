"""`arrow-tui serve ssh`: an asyncssh server that gives each authorised client its own TUI process in a pty.

Public-key authentication only; no shell, commands, forwarding or file transfer; a bounded number of sessions;
idle connections closed; one log line per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

from tui.serve.child import child_environment
from tui.serve.connection_log import ConnectionRecord, log_to_stderr
from tui.serve.errors import ServeSetupError, listen_error
from tui.serve.host_key import load_host_key
from tui.serve.ssh_session import TuiSession

logger = logging.getLogger("arrow-tui.serve.ssh")  # the same logger as the connection lines

LOGIN_TIMEOUT_SECONDS = 30
DISCONNECT_GRACE_SECONDS = 5.0
FORWARDING_REFUSED = "port forwarding is not available on this server"
# Variables that describe the terminal the server was started from, not the client's: a child must not see them.
SERVER_TERMINAL_VARIABLES = (
    "COLORTERM",
    "COLUMNS",
    "LINES",
    "TERM_PROGRAM",
    "TERM_PROGRAM_VERSION",
    "TMUX",
    "TMUX_PANE",
    "STY",
    "DISPLAY",
    "WINDOWID",
    "SSH_AUTH_SOCK",
    "SSH_CLIENT",
    "SSH_CONNECTION",
    "SSH_TTY",
    "ARROW_TUI_STORE",
)


@dataclass(frozen=True)
class SshServeConfig:
    host: str
    port: int
    authorized_keys: Path
    host_key: Path | None
    store: Path
    max_sessions: int
    idle_timeout: float


@dataclass
class ServerState:
    """What all connections share: the configuration, the session count and the tasks still running."""

    config: SshServeConfig
    authorized: asyncssh.SSHAuthorizedKeys
    sessions: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    connections: set[ArrowSSHServer] = field(default_factory=set)

    def claim_session(self) -> bool:
        if self.sessions >= self.config.max_sessions:
            return False
        self.sessions += 1
        return True

    def release_session(self) -> None:
        self.sessions -= 1

    def track(self, task: asyncio.Task[None]) -> None:
        """Keep a reference until the task is done, so that shutdown can wait for children to be reaped."""
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def child_argv(self) -> list[str]:
        return [sys.executable, "-m", "tui.serve.child", "--store", str(self.config.store)]

    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SERVER_TERMINAL_VARIABLES}
        env.setdefault("LANG", "C.UTF-8")
        return child_environment(env)


class ArrowSSHServer(asyncssh.SSHServer):
    """One client connection: authentication, forwarding refusals, idle timer and its log line."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.record = ConnectionRecord(peer="?")
        self._conn: asyncssh.SSHServerConnection | None = None
        self._sessions: set[TuiSession] = set()
        self._idle_timer: asyncio.TimerHandle | None = None
        self._accepted_key = ""  # allowed by the file; authenticated only once the client has signed with it

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        host, port = conn.get_extra_info("peername")[:2]
        self.record.peer = f"{host}:{port}"
        self.state.connections.add(self)
        self.touch()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.record.fingerprint:
            tried = self.record.refused_keys or self._accepted_key
            self.record.note("authentication refused" if tried else "not authenticated")
        elif exc is not None and not self.record.outcomes[1:]:
            self.record.note(f"connection lost ({exc})")
        for session in list(self._sessions):
            session.close("client disconnected")
        self._cancel_idle_timer()
        self.state.connections.discard(self)
        self._conn = None
        self.record.log()

    # -- authentication: public keys from the authorized-keys file, nothing else ------------------------------
    def begin_auth(self, username: str) -> bool:
        self.record.user = username
        return True

    def password_auth_supported(self) -> bool:
        return False

    def kbdint_auth_supported(self) -> bool:
        return False

    def host_based_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        assert self._conn is not None
        host, _port = self._conn.get_extra_info("peername")[:2]
        allowed = self.state.authorized.validate(key, host, host) is not None
        if allowed:
            self._accepted_key = key.get_fingerprint()
        else:
            self.record.refused_keys.append(key.get_fingerprint())
        return allowed

    def validate_ca_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return False  # certificates are not part of this server's model: plain keys in the file only

    def auth_completed(self) -> None:
        self.record.fingerprint = self._accepted_key
        self.record.note("authenticated")

    # -- sessions and refusals ----------------------------------------------------------------------------------
    def session_requested(self) -> TuiSession:
        session = TuiSession(self)
        self._sessions.add(session)
        return session

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int) -> bool:
        self.record.note("refused port forwarding")
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, FORWARDING_REFUSED)

    def unix_connection_requested(self, dest_path: str) -> bool:
        self.record.note("refused port forwarding")
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, FORWARDING_REFUSED)

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self.record.note("refused remote forwarding")
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        self.record.note("refused remote forwarding")
        return False

    # -- idle timeout ------------------------------------------------------------------------------------------
    def touch(self) -> None:
        """Input from the client: restart the idle clock."""
        self._cancel_idle_timer()
        timeout = self.state.config.idle_timeout
        if timeout > 0:
            self._idle_timer = asyncio.get_running_loop().call_later(timeout, self._idle_expired)

    def _cancel_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None

    def _idle_expired(self) -> None:
        message = f"arrow-tui: closed after {self.state.config.idle_timeout:g} s without input"
        self.shut_down("idle timeout", message)

    def shut_down(self, outcome: str, message: str) -> None:
        """End every session with a message, then the connection."""
        self.record.note(outcome)
        sessions = [session for session in self._sessions if session.is_open]
        for session in sessions:
            session.close(outcome, message)
        reason = message.removeprefix("arrow-tui: ")
        if sessions:
            # The sessions' messages and exit statuses go first; the client then leaves by itself.
            asyncio.get_running_loop().call_later(DISCONNECT_GRACE_SECONDS, self.disconnect, reason)
        else:
            self.disconnect(reason)

    def disconnect(self, reason: str) -> None:
        """Close the connection now; the client shows the reason ("Received disconnect ...: <reason>")."""
        if self._conn is not None:
            self._conn.disconnect(asyncssh.DISC_BY_APPLICATION, reason)

    def ssh_connection_value(self) -> str:
        """SSH_CONNECTION as OpenSSH sets it: client address and port, server address and port."""
        assert self._conn is not None
        client_host, client_port = self._conn.get_extra_info("peername")[:2]
        server_host, server_port = self._conn.get_extra_info("sockname")[:2]
        return f"{client_host} {client_port} {server_host} {server_port}"


def read_authorized_keys(path: Path) -> asyncssh.SSHAuthorizedKeys:
    """The keys allowed to connect; a missing, malformed or empty file is the user's mistake, said in one line."""
    if not path.is_file():
        raise ServeSetupError(f"--authorized-keys {path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
        if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
            raise ServeSetupError(f"--authorized-keys {path}: no keys in it, so nobody could connect")
        return asyncssh.import_authorized_keys(text)
    except (OSError, UnicodeDecodeError, ValueError, asyncssh.KeyImportError) as exc:
        raise ServeSetupError(f"--authorized-keys {path}: {exc}") from None


async def start_ssh_server(config: SshServeConfig) -> tuple[asyncssh.SSHAcceptor, ServerState]:
    """Listen; raises ServeSetupError for the user's mistakes (keys, port in use)."""
    state = ServerState(config, read_authorized_keys(config.authorized_keys))
    host_key = load_host_key(config.host_key)
    try:
        acceptor = await asyncssh.create_server(
            lambda: ArrowSSHServer(state),
            config.host,
            config.port,
            server_host_keys=[host_key],
            encoding=None,
            line_editor=False,
            agent_forwarding=False,
            x11_forwarding=False,
            allow_scp=False,
            sftp_factory=None,
            login_timeout=LOGIN_TIMEOUT_SECONDS,
            reuse_address=True,
        )
    except OSError as exc:
        raise listen_error(config.host, config.port, exc) from None
    return acceptor, state


def _address(sockname: tuple[str, int] | tuple[str, int, int, int]) -> str:
    host, port = sockname[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def serve_ssh(config: SshServeConfig) -> None:
    """Run until SIGINT, SIGTERM or SIGHUP, then end every session and reap every child before returning."""
    acceptor, state = await start_ssh_server(config)
    log_to_stderr()
    # Every socket: a name like "localhost" can mean two addresses (and, with --port 0, two ports).
    addresses = ", ".join(_address(sock.getsockname()) for sock in acceptor.sockets)
    logger.info(
        "serving SSH on %s (store %s, at most %d sessions, idle timeout %gs)",
        addresses,
        config.store,
        config.max_sessions,
        config.idle_timeout,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        acceptor.close()
        for connection in list(state.connections):
            connection.shut_down("server stopped", "arrow-tui: the server is shutting down")
        while state.tasks:
            await asyncio.gather(*list(state.tasks), return_exceptions=True)
        for connection in list(state.connections):
            connection.disconnect("the server is shutting down")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(acceptor.wait_closed(), 5)
        logger.info("stopped")
