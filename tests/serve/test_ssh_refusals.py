"""Everything but a TUI session with an authorised key is refused, each with a message the user can read."""

from __future__ import annotations

import socket
import subprocess
import threading
import time

from tests.serve.conftest import SshServer
from tests.serve.helpers import LOCALHOST, child_pids, free_port, ssh_command, wait_until


def run_client(command: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=20)


def test_unknown_key_is_refused(ssh_server: SshServer) -> None:
    result = run_client([*ssh_command(ssh_server.port, ssh_server.keys.unknown), LOCALHOST, "true"])
    assert result.returncode == 255
    assert "Permission denied (publickey)" in result.stderr
    line = ssh_server.process.wait_for_log("outcome=authentication refused")
    assert "key=refused SHA256:" in line


def test_password_is_refused(ssh_server: SshServer) -> None:
    result = run_client(
        [
            *ssh_command(ssh_server.port, ssh_server.keys.authorized),
            "-o",
            "PreferredAuthentications=password,keyboard-interactive",
            "-o",
            "NumberOfPasswordPrompts=1",
            LOCALHOST,
            "true",
        ]
    )
    assert result.returncode == 255
    # The server offers public keys only, so the client has no password or keyboard-interactive method to try.
    assert "Permission denied (publickey)" in result.stderr


def test_command_is_refused(ssh_server: SshServer) -> None:
    result = run_client([*ssh_command(ssh_server.port, ssh_server.keys.authorized), LOCALHOST, "ls"])
    assert result.returncode == 1
    assert result.stdout == ""
    assert "this server runs no commands" in result.stderr
    assert not child_pids(ssh_server.pid)


def test_session_without_terminal_is_refused(ssh_server: SshServer) -> None:
    result = run_client([*ssh_command(ssh_server.port, ssh_server.keys.authorized, "-T"), LOCALHOST])
    assert result.returncode == 1
    assert "only opens the paper browser in a terminal" in result.stderr


def test_sftp_and_scp_are_refused(ssh_server: SshServer, tmp_path) -> None:
    sftp = run_client([*ssh_command(ssh_server.port, ssh_server.keys.authorized, program="sftp"), LOCALHOST], "ls\n")
    assert sftp.returncode != 0
    assert "the sftp subsystem is not available on this server" in sftp.stderr
    target = tmp_path / "copied"
    for legacy in ([], ["-O"]):  # scp over the SFTP protocol, and the old scp protocol (a remote command)
        scp = run_client(
            [
                *ssh_command(ssh_server.port, ssh_server.keys.authorized, *legacy, program="scp"),
                f"{LOCALHOST}:/etc/hostname",
                str(target),
            ]
        )
        assert scp.returncode != 0
        assert "not available on this server" in scp.stderr or "this server runs no commands" in scp.stderr
        assert not target.exists()


def test_local_port_forwarding_is_refused(ssh_server: SshServer) -> None:
    # A service the forward would reach if the server allowed it; it counts the connections it gets.
    reached: list[bytes] = []
    service = socket.create_server((LOCALHOST, 0))
    service.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = service.accept()
            except TimeoutError:
                continue
            reached.append(b"connected")
            conn.close()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    local_port = free_port()
    forward = f"{local_port}:{LOCALHOST}:{service.getsockname()[1]}"
    client = subprocess.Popen(
        [*ssh_command(ssh_server.port, ssh_server.keys.authorized, "-N", "-L", forward, log_level="INFO"), LOCALHOST],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: _accepts(local_port), 10, "the client's forwarding listener")
        with socket.create_connection((LOCALHOST, local_port), timeout=5) as tunnel:
            tunnel.settimeout(5)
            assert tunnel.recv(100) == b""  # the client closes the tunnel: the server refused the channel
        time.sleep(0.3)
    finally:
        client.terminate()
        _, stderr = client.communicate(timeout=10)
        stop.set()
        acceptor.join(5)
        service.close()
    assert reached == []
    assert "administratively prohibited: port forwarding is not available on this server" in stderr
    assert "refused port forwarding" in ssh_server.process.log()


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((LOCALHOST, port), timeout=1) as probe:
            probe.settimeout(5)
            probe.recv(1)
            return True
    except OSError:
        return False


def test_log_line_keeps_control_characters_out(ssh_server: SshServer) -> None:
    # The user name is the client's to choose; an escape sequence in it must not reach the operator's terminal.
    # (asyncssh already refuses such a name during authentication; the log line must still come, clean.)
    before = ssh_server.process.log().count("outcome=not authenticated")
    result = run_client(
        [*ssh_command(ssh_server.port, ssh_server.keys.unknown, "-l", "evil\x1b[2Jname"), LOCALHOST, "true"]
    )
    assert result.returncode == 255
    wait_until(lambda: ssh_server.process.log().count("outcome=not authenticated") > before, 10, "the log line")
    assert "\x1b" not in ssh_server.process.log()
