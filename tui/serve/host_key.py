"""The SSH server's host key: given by the user, or generated once and kept private in the user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import asyncssh
import platformdirs

from tui.serve.errors import ServeSetupError

HOST_KEY_ALGORITHM = "ssh-ed25519"


def default_host_key_path() -> Path:
    return platformdirs.user_data_path("arrow-tui") / "ssh_host_ed25519_key"


def load_host_key(path: Path | None) -> asyncssh.SSHKey:
    """The key at ``path``; without a path, the default key, generated (mode 0600) on first use."""
    if path is None:
        path = default_host_key_path()
        if not path.exists():
            _generate(path)
    elif not path.exists():
        raise ServeSetupError(f"--host-key {path}: no such file")
    try:
        return asyncssh.read_private_key(path)
    except (OSError, asyncssh.KeyImportError) as exc:
        raise ServeSetupError(f"host key {path}: cannot read it as a private key ({exc})") from None


def _generate(path: Path) -> None:
    key = asyncssh.generate_private_key(HOST_KEY_ALGORITHM, comment="arrow-tui host key")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created private from the start: no moment where another user could read it.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another server generated it at the same moment; use theirs
    with os.fdopen(fd, "wb") as out:
        out.write(key.export_private_key())
