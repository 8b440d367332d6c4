"""The dedupe keys of an import: key hash -> paper id, as a hash table in two numpy arrays.

An import looks up three keys per paper among millions. A dict of Python ints costs ~100 bytes a key
and a cache miss or two per step; here a batch of papers' keys is looked up, and the keys of the new
ones added, a few numpy steps per batch (linear probing; the hashes are uniform, so their low bits
are the slot). Single keys can still be looked up and added, for the rare papers that need it.
"""

from __future__ import annotations

import numpy as np

_EMPTY = np.iinfo(np.int64).min  # marks a free slot; a key hash equal to it is kept apart
_FIRST_CAPACITY = 1 << 16


class DedupeKeys:
    """Key hashes (int64) mapped to paper ids; a key once added keeps its first paper (like ``dict.setdefault``)."""

    def __init__(self, keys: np.ndarray | None = None, ids: np.ndarray | None = None) -> None:
        """A table holding ``keys`` (distinct) with their ``ids``, or an empty one."""
        self.clear()
        if keys is not None and ids is not None and len(keys):
            self.add_absent(np.asarray(keys, dtype=np.int64), np.asarray(ids, dtype=np.int32))

    def __len__(self) -> int:
        return self._count + (self._empty_key_id is not None)

    # -- single keys ----------------------------------------------------------------------------
    def get(self, key: int) -> int | None:
        if key == _EMPTY:
            return self._empty_key_id
        keys, mask = self._keys, len(self._keys) - 1
        slot = key & mask
        while True:
            found = int(keys[slot])
            if found == key:
                return int(self._ids[slot])
            if found == _EMPTY:
                return None
            slot = (slot + 1) & mask

    def setdefault(self, key: int, paper_id: int) -> None:
        if self.get(key) is None:
            self.add_absent(np.array([key], dtype=np.int64), np.array([paper_id], dtype=np.int32))

    # -- many keys at once ----------------------------------------------------------------------
    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """The paper of each key, -1 where it has none."""
        result = np.full(len(keys), -1, dtype=np.int64)
        table, mask = self._keys, len(self._keys) - 1
        pending = np.flatnonzero(keys != _EMPTY)
        slots = keys[pending] & mask
        while len(pending):
            found = table[slots]
            hit = found == keys[pending]
            result[pending[hit]] = self._ids[slots[hit]]
            going_on = ~hit & (found != _EMPTY)
            pending, slots = pending[going_on], (slots[going_on] + 1) & mask
        if self._empty_key_id is not None:
            result[keys == _EMPTY] = self._empty_key_id
        return result

    def add_absent(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """Add keys that are distinct and not in the table yet."""
        special = keys == _EMPTY
        if special.any():
            self._empty_key_id = int(ids[np.flatnonzero(special)[0]])
            keys, ids = keys[~special], ids[~special]
        if 2 * (self._count + len(keys)) > len(self._keys):
            self._grow(self._count + len(keys))
        self._place(keys, ids)
        self._count += len(keys)

    def add_first(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """``setdefault`` of each (key, id) in order: a key already there, or earlier in ``keys``, keeps its paper."""
        new = np.flatnonzero(self.lookup(keys) < 0)
        _, first = np.unique(keys[new], return_index=True)
        chosen = np.sort(new[first])
        self.add_absent(keys[chosen], ids[chosen])

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Every key and its paper, in no particular order."""
        used = np.flatnonzero(self._keys != _EMPTY)
        keys, ids = self._keys[used], self._ids[used]
        if self._empty_key_id is not None:
            keys, ids = np.append(keys, _EMPTY), np.append(ids, np.int32(self._empty_key_id))
        return keys, ids

    def clear(self) -> None:
        """Drop every key (and the memory they took)."""
        self._keys = np.full(_FIRST_CAPACITY, _EMPTY, dtype=np.int64)
        self._ids = np.zeros(_FIRST_CAPACITY, dtype=np.int32)
        self._count = 0
        self._empty_key_id: int | None = None  # the paper of the one key hash that equals ``_EMPTY``, if any

    def _grow(self, count: int) -> None:
        capacity = len(self._keys)
        while 2 * count > capacity:
            capacity *= 2
        used = np.flatnonzero(self._keys != _EMPTY)
        keys, ids = self._keys[used], self._ids[used]
        self._keys = np.full(capacity, _EMPTY, dtype=np.int64)
        self._ids = np.zeros(capacity, dtype=np.int32)
        self._place(keys, ids)

    def _place(self, keys: np.ndarray, ids: np.ndarray) -> None:
        """Linear probing for all keys at once: of the keys reaching a free slot together, the first takes it."""
        table, mask = self._keys, len(self._keys) - 1
        pending = np.arange(len(keys))
        slots = keys & mask
        while len(pending):
            free = np.flatnonzero(table[slots] == _EMPTY)
            taken_slots, first = np.unique(slots[free], return_index=True)
            winners = pending[free[first]]
            table[taken_slots] = keys[winners]
            self._ids[taken_slots] = ids[winners]
            placed = np.zeros(len(pending), dtype=bool)
            placed[free[first]] = True
            pending, slots = pending[~placed], (slots[~placed] + 1) & mask
