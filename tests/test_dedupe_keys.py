"""The import's dedupe key table behaves like the dict it replaces (``setdefault`` semantics)."""

from __future__ import annotations

import numpy as np

from tui.index.dedupe import DedupeKeys

EMPTY = np.iinfo(np.int64).min


def _model_check(table: DedupeKeys, model: dict[int, int], probes: np.ndarray) -> None:
    expected = [model.get(int(k), -1) for k in probes]
    assert table.lookup(probes).tolist() == expected
    assert [table.get(int(k)) for k in probes[:200]] == [model.get(int(k)) for k in probes[:200]]
    keys, ids = table.arrays()
    assert dict(zip(keys.tolist(), ids.tolist(), strict=True)) == model
    assert len(table) == len(model)


def test_batches_of_keys_behave_like_setdefault_on_a_dict() -> None:
    rng = np.random.default_rng(7)
    # Few distinct low bits (many collisions in the table), repeats within and across batches, the sentinel value.
    pool = np.concatenate([rng.integers(-(2**63), 2**63 - 1, 3000, dtype=np.int64), [EMPTY, 0, -1]])
    pool = np.concatenate([pool, pool[:500] + (1 << 40)])
    table, model = DedupeKeys(), {}
    next_id = 0
    for _ in range(60):
        batch = rng.choice(pool, size=int(rng.integers(1, 400)))
        ids = np.arange(next_id, next_id + len(batch), dtype=np.int32)
        next_id += len(batch)
        table.add_first(batch, ids)
        for key, paper in zip(batch.tolist(), ids.tolist(), strict=True):
            model.setdefault(key, paper)
        _model_check(table, model, rng.choice(np.concatenate([pool, [12345, EMPTY + 1]]), size=500))
    table.setdefault(987654321, 5)
    table.setdefault(int(pool[0]), 99_999)
    model.setdefault(987654321, 5)
    model.setdefault(int(pool[0]), 99_999)
    _model_check(table, model, np.array([987654321, pool[0], 42], dtype=np.int64))


def test_the_table_grows_and_reloads_from_its_arrays() -> None:
    rng = np.random.default_rng(11)
    keys = np.unique(rng.integers(-(2**63), 2**63 - 1, 200_000, dtype=np.int64))
    ids = np.arange(len(keys), dtype=np.int32)
    table = DedupeKeys()
    for start in range(0, len(keys), 7_000):
        table.add_absent(keys[start : start + 7_000], ids[start : start + 7_000])
    assert len(table) == len(keys)
    assert table.lookup(keys).tolist() == ids.tolist()
    reloaded = DedupeKeys(*table.arrays())
    assert reloaded.lookup(keys[::-1]).tolist() == ids[::-1].tolist()
    absent = np.setdiff1d(np.arange(-50, 50, dtype=np.int64), keys)
    assert reloaded.lookup(absent).tolist() == [-1] * len(absent)
