"""Opening a store directory and reading from its current generation.

Layout (see docs/architecture.md)::

    STORE/CURRENT                 name of the live generation, replaced atomically
    STORE/gen-000004/manifest.json
    STORE/gen-000004/papers/p000000.json   TinyDB shards, PAPER_SHARD_SIZE papers each
    STORE/gen-000004/rows/r000000.json     TinyDB shards of author rows
    STORE/gen-000004/index/                derived index (rebuildable with `arrow-tui reindex`)

An import builds a whole new generation beside the live one (unchanged shards hard-linked) and
only then rewrites CURRENT, so readers never see a half-written store.
"""

from __future__ import annotations

import os
import shutil
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from tui.errors import StoreError
from tui.paths import CURRENT_FILE
from tui.store.atomic import atomic_write_bytes
from tui.store.shards import parse_json_file

if TYPE_CHECKING:
    from tui.index.reader import Index

SCHEMA_VERSION = 1
STORE_FORMAT = "arrow-tui-store"
PAPER_SHARD_SIZE = 1024
ROW_SHARD_SIZE = 4096


def paper_shard_name(paper_id: int) -> str:
    return f"papers/p{paper_id // PAPER_SHARD_SIZE:06d}.json"


def row_shard_name(row_id: int) -> str:
    return f"rows/r{row_id // ROW_SHARD_SIZE:06d}.json"


def empty_manifest(generation: str) -> dict[str, Any]:
    return {
        "format": STORE_FORMAT,
        "schema": SCHEMA_VERSION,
        "generation": generation,
        "papers": 0,
        "author_rows": 0,
        "next_paper_id": 0,
        "next_row_id": 0,
        "paper_shards": [],
        "row_shards": [],
    }


def prune_generations(root: Path, keep: str) -> None:
    """Delete generation directories other than ``keep``: left by interrupted or earlier imports."""
    for entry in root.glob("gen-*"):
        if entry.name != keep:
            shutil.rmtree(entry, ignore_errors=True)


class Store:
    """A store directory opened at its current generation."""

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only
        current = root / CURRENT_FILE
        if not root.is_dir():
            raise StoreError(f"{root}: no such store directory")
        if not current.exists():
            raise StoreError(f"{root}: not an arrow-tui store (no {CURRENT_FILE} file)")
        generation = current.read_text(encoding="utf-8", errors="replace").strip()
        if not generation.startswith("gen-") or "/" in generation:
            raise StoreError(f"{current}: corrupt ({generation[:40]!r} is not a generation name)")
        self.generation = generation
        self.gen_dir = root / generation
        self.manifest = self._read_manifest(self.gen_dir / "manifest.json")

    @staticmethod
    def _read_manifest(path: Path) -> dict[str, Any]:
        manifest = parse_json_file(path, "store manifest")
        if not isinstance(manifest, dict) or manifest.get("format") != STORE_FORMAT:
            raise StoreError(f"{path}: not an arrow-tui store manifest")
        schema = manifest.get("schema")
        if schema != SCHEMA_VERSION:
            raise StoreError(f"{path}: store schema {schema} is not supported (this version reads {SCHEMA_VERSION})")
        return manifest

    @classmethod
    def create(cls, root: Path) -> Store:
        """Make an empty store (with an empty index) at ``root``."""
        from tui.index.build import PaperIndexer, RowClusters

        if (root / CURRENT_FILE).exists():
            return cls(root)
        generation = "gen-000000"
        gen_dir = root / generation
        (gen_dir / "papers").mkdir(parents=True, exist_ok=True)
        (gen_dir / "rows").mkdir(exist_ok=True)
        manifest = empty_manifest(generation)
        PaperIndexer(gen_dir / "index").build(manifest, [], [], RowClusters(), {})
        atomic_write_bytes(gen_dir / "manifest.json", orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        atomic_write_bytes(root / CURRENT_FILE, f"{generation}\n".encode())
        return cls(root)

    @cached_property
    def index(self) -> Index:
        from tui.index.reader import Index

        return Index(self.gen_dir / "index")

    def size_on_disk(self) -> int:
        """Bytes used by the live generation (hard-linked shards counted once per generation)."""
        total = 0
        for dirpath, _dirs, files in os.walk(self.gen_dir):
            for name in files:
                total += (Path(dirpath) / name).stat().st_size
        return total

    def require_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.root}: this store is read-only (the bundled demo); pass --store DIR")
