"""ChangeLog.groups_after (what a warehouse publish reads) holds the same changes as
ChangeLog.since, grouped by record and stamp, whatever the rows' layout (first values packed
as {field: value} or as [fid, path, value], plain rows with what they replaced), for any
batch size."""

from __future__ import annotations

import pytest

from fieldapp.services.demo import create_demo
from fieldapp.storage.store import Store


def _from_since(log) -> dict[tuple, tuple]:
    out: dict[tuple, tuple] = {}
    for _seq, change in log.since(0):
        key = (change.table, change.record, change.stamp.hlc, change.stamp.device)
        fields, prev, merges = out.setdefault(key, ({}, {}, {}))
        fields[change.field] = change.value
        if change.prev is not None:
            prev[change.field] = (change.prev.hlc, change.prev.device)
        if change.merges:
            merges[change.field] = [(m.hlc, m.device) for m in change.merges]
    return out


def _from_groups(log, limit: int) -> dict[tuple, tuple]:
    out: dict[tuple, tuple] = {}
    seq = 0
    while True:
        groups, seq = log.groups_after(seq, limit)
        if not groups:
            return out
        for g in groups:
            key = (g.table, g.record, g.hlc, g.device)
            assert key not in out, "a group split between two batches"
            out[key] = (g.fields, g.prev, g.merges)


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    path = tmp_path_factory.mktemp("publishing") / "demo.db"
    create_demo(path, households=12, seed=5)
    store = Store.open(path)
    ids = [r[0] for r in store.conn.execute(
        "select id from households where deleted = 0 order by id limit 3")]
    for n, rid in enumerate(ids):
        store.households.update(rid, {"head_name": f"Nông Văn Sửa {n}"})
    yield store
    store.close()


@pytest.mark.parametrize("limit", [1, 7, 10_000])
def test_groups_after_holds_what_since_holds(edited, limit):
    expected = _from_since(edited.log)
    assert any(prev for _f, prev, _m in expected.values())  # edits replaced something
    assert _from_groups(edited.log, limit) == expected
