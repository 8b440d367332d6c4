"""The store: TinyDB JSON shards in generation directories, switched atomically."""

from tui.store.store import SCHEMA_VERSION, Store

__all__ = ["SCHEMA_VERSION", "Store"]
