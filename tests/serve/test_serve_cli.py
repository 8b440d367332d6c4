"""Bad arguments to `arrow-tui serve ...`: one clear line on stderr, exit code 2, nothing listening."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from tests.conftest import run_cli
from tests.serve.helpers import LOCALHOST, Keys
from tui.cli import main


def fails_with_one_line(*args: str, home) -> str:
    """Run in a real process: what a user sees, exit code included."""
    result = run_cli("serve", *args, env={"XDG_DATA_HOME": str(home / "xdg"), "HOME": str(home)}, timeout=30)
    return one_line(result.returncode, result.stdout, result.stderr)


def fails_in_process(*args: str, home) -> str:
    """The same through click's runner, for errors found before anything starts (no process start-up cost)."""
    result = CliRunner().invoke(main, ["serve", *args], env={"XDG_DATA_HOME": str(home / "xdg"), "HOME": str(home)})
    return one_line(result.exit_code, result.stdout, result.stderr)


def one_line(code: int, stdout: str, stderr: str) -> str:
    assert code == 2, (code, stdout, stderr)
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("arrow-tui: ")
    return lines[0]


def test_missing_authorized_keys_option(tmp_path) -> None:
    line = fails_in_process("ssh", "--port", "0", home=tmp_path)
    assert "--authorized-keys FILE is required" in line


def test_missing_authorized_keys_file(tmp_path) -> None:
    line = fails_in_process("ssh", "--authorized-keys", str(tmp_path / "nope"), home=tmp_path)
    assert f"--authorized-keys {tmp_path / 'nope'}: no such file" in line


def test_authorized_keys_file_that_is_not_keys(tmp_path) -> None:
    garbage = tmp_path / "authorized_keys"
    garbage.write_text("this is not a key\n")
    line = fails_in_process("ssh", "--authorized-keys", str(garbage), home=tmp_path)
    assert f"--authorized-keys {garbage}:" in line


def test_missing_host_key_file(tmp_path, keys: Keys) -> None:
    line = fails_in_process(
        "ssh", "--authorized-keys", str(keys.authorized_keys), "--host-key", str(tmp_path / "nope"), home=tmp_path
    )
    assert "--host-key" in line and "no such file" in line


def test_bad_port_value(tmp_path, keys: Keys) -> None:
    line = fails_in_process("ssh", "--authorized-keys", str(keys.authorized_keys), "--port", "x", home=tmp_path)
    assert "'x' is not a valid integer" in line


def test_missing_store(tmp_path, keys: Keys) -> None:
    missing = tmp_path / "no-store"
    line = fails_with_one_line(
        "ssh", "--authorized-keys", str(keys.authorized_keys), "--store", str(missing), home=tmp_path
    )
    assert "no such store directory" in line
    line = fails_with_one_line("web", "--store", str(missing), home=tmp_path)
    assert "no such store directory" in line


@pytest.mark.parametrize("kind", ["ssh", "web"])
def test_port_in_use(tmp_path, keys: Keys, kind: str) -> None:
    with socket.create_server((LOCALHOST, 0)) as taken:
        port = str(taken.getsockname()[1])
        extra = ["--authorized-keys", str(keys.authorized_keys)] if kind == "ssh" else []
        line = fails_with_one_line(kind, "--port", port, *extra, home=tmp_path)
    assert f"cannot listen on {LOCALHOST}:{port}: Address already in use" in line


def test_authorized_keys_file_without_keys(tmp_path) -> None:
    empty = tmp_path / "authorized_keys"
    empty.write_text("# nobody yet\n\n")
    line = fails_in_process("ssh", "--authorized-keys", str(empty), home=tmp_path)
    assert "no keys in it" in line
