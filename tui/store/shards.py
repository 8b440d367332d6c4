"""TinyDB JSON shard files: read with TinyDB's file format, written in bulk and atomically.

A shard is an ordinary TinyDB database file (``{"papers": {"17": {...}}}``): TinyDB opens it as
is. Writing goes through ``OrjsonStorage`` so a whole shard is serialised in one call and replaced
atomically, instead of TinyDB's one-document-per-write rewrite of the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from tui.errors import StoreError
from tui.store.atomic import atomic_write_bytes


def parse_json_file(path: Path, what: str) -> Any:
    """Parse a store file, turning every way it can be broken into one StoreError naming it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StoreError(f"{path}: {what} is missing") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read {what}: {exc.strerror}") from None
    if not raw.strip():
        raise StoreError(f"{path}: {what} is empty (truncated write?)")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreError(f"{path}: {what} is not valid JSON ({exc.msg}; truncated or corrupt?)") from None


class OrjsonStorage(Storage):
    """TinyDB storage: same file format as JSONStorage, orjson speed, atomic replace on write."""

    def __init__(self, path: str | Path, access_mode: str = "r+") -> None:
        self.path = Path(path)
        self.read_only = access_mode == "r"

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self.path.exists():
            return None
        data = parse_json_file(self.path, "shard")
        if not isinstance(data, dict):
            raise StoreError(f"{self.path}: not a TinyDB file (top level is not an object)")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: store is read-only")
        atomic_write_bytes(self.path, orjson.dumps(data), sync=False)

    def close(self) -> None:
        pass


def read_shard(path: Path, table: str) -> dict[int, dict[str, Any]]:
    """All documents of one shard, by id."""
    data = OrjsonStorage(path, "r").read()
    if data is None:
        raise StoreError(f"{path}: shard is missing")
    docs = data.get(table)
    if not isinstance(docs, dict):
        raise StoreError(f"{path}: not an arrow-tui shard (no '{table}' table)")
    try:
        return {int(doc_id): doc for doc_id, doc in docs.items()}
    except ValueError:
        raise StoreError(f"{path}: not an arrow-tui shard (non-numeric document ids)") from None


def shard_head(table: str) -> bytes:
    """The bytes a shard file starts with; its documents follow, then ``}}``."""
    return b'{"%s":{' % table.encode()


def document_keys(doc_ids: list[int]) -> list[bytes]:
    """Each document's key in a shard file, as it precedes the document's record (with the comma that
    separates it from the previous record)."""
    return [b'"%d":' % doc_ids[0], *[b',"%d":' % doc_id for doc_id in doc_ids[1:]]] if doc_ids else []


def shard_file_pieces(table: str, keys: list[bytes], records: list[bytes]) -> list[bytes]:
    """A whole shard file as pieces to write one after another: each of ``document_keys`` followed by its
    serialised record, in order."""
    pieces = [shard_head(table), *[b""] * (2 * len(records)), b"}}"]
    pieces[1:-1:2], pieces[2:-1:2] = keys, records
    return pieces


def write_shard(path: Path, table: str, records: list[tuple[int, bytes]]) -> None:
    """Write one shard of already serialised documents in a single atomic replace (fsynced later, per generation)."""
    ordered = sorted(records)
    pieces = shard_file_pieces(table, document_keys([doc_id for doc_id, _ in ordered]), [r for _, r in ordered])
    atomic_write_bytes(path, pieces, sync=False)
