"""A first publish loads in bulk (fieldapp.warehouse.bulk): stopped between two kinds, or
between two batches of the log, it goes on from there when run again, writing nothing twice;
the indexes it dropped are back at the end; an erasure made before the first publish reaches
the warehouse as ids only; a change made while it runs comes with its ordinary batches."""

from __future__ import annotations

import itertools

import pytest

from fieldapp.services import warehouse as service
from fieldapp.services.workspace import Workspace
from fieldapp.warehouse import schema
from fieldapp.warehouse.connect import connect
from fieldapp.warehouse.publish import PublishCancelled
from fieldapp.warehouse.schema import q
from province_world import consolidate, send

SEEDS = (61, 62)
HOUSEHOLDS = 10


def _stop_after(calls: int):
    """A ``cancelled`` that says stop at its ``calls``-th question (asked before every kind
    and every batch)."""
    count = itertools.count(1)
    return lambda: next(count) >= calls


def _duplicates(conn) -> int:
    found = conn.execute("select count(*) from (select 1 from fieldapp.history group by "
                         "record_id, hlc, device having count(*) > 1) d").fetchone()[0]
    for kind in schema.kinds():
        found += conn.execute(f"select count(*) - count(distinct id) from {q(kind.table)}"
                              ).fetchone()[0]
    return found + conn.execute(f"select count(*) - count(distinct id) from {q('records')}"
                                ).fetchone()[0]


def _missing_indexes(conn) -> set[str]:
    have = {r[0] for r in conn.execute("select indexname from pg_indexes where "
                                       "schemaname = 'fieldapp'")}
    return {name for name, _t, _w in schema.deferred(schema.PROVINCE)} - have


@pytest.mark.parametrize("stop_at", [3, len(schema.kinds()) + 3])
def test_a_stopped_first_publish_goes_on_where_it_stopped(tmp_path, warehouse, demo_commune,
                                                          stop_at):
    office, communes = consolidate(tmp_path, [demo_commune(HOUSEHOLDS, s) for s in SEEDS])
    publisher = service.WarehouseService(office)
    with pytest.raises(PublishCancelled):
        publisher.publish(warehouse, batch=300, cancelled=_stop_after(stop_at))
    with connect(warehouse) as conn:
        seq = conn.execute("select seq from fieldapp.sources").fetchone()[0]
        rows = conn.execute(f"select count(*) from {q('records')}").fetchone()[0]
        assert rows > 0 and _missing_indexes(conn)  # some kinds in, the indexes after
        assert (seq > 0) == (stop_at > len(schema.kinds()))  # in the log's batches or not
    done = publisher.publish(warehouse, batch=300)
    assert done.resumed
    result = publisher.check(warehouse)
    assert result.equal, result.differences
    with connect(warehouse) as conn:
        assert _duplicates(conn) == 0
        assert not _missing_indexes(conn)
        assert conn.execute("select count(*) from fieldapp.meta where key like 'bulk:%'"
                            ).fetchone()[0] == 0
        assert conn.execute("select seq from fieldapp.sources").fetchone()[0] == \
            office.log.last_seq()
        for table in ("survey_cases", "survey_period_cases", "indicators_by_commune"):
            assert conn.execute(f"select count(*) from {q(table)}").fetchone()[0] > 0, table
    # Nothing new: nothing sent, and an edit goes in an ordinary batch.
    assert publisher.publish(warehouse).batches == 0
    person = communes[0].scalar("select id from persons where deleted = 0 order by id")
    communes[0].persons.update(person, {"birth_year": 1950})
    send(communes[0], office, tmp_path, "edit")
    again = publisher.publish(warehouse)
    assert again.batches == 1 and not again.resumed
    assert publisher.check(warehouse).equal
    with connect(warehouse) as conn:
        assert conn.execute(f"select birth_year from {q('persons')} where id = %s",
                            [person]).fetchone()[0] == 1950
    for store in (office, *communes):
        store.close()


def test_an_erasure_before_the_first_publish_arrives_as_ids(tmp_path, warehouse, demo_commune):
    office, communes = consolidate(tmp_path, [demo_commune(HOUSEHOLDS, s) for s in SEEDS])
    commune = communes[1]
    erased = commune.scalar("select id from households where deleted = 0 order by id")
    persons = [r[0] for r in commune.conn.execute(
        "select id from persons where household_id = ?", [erased])]
    Workspace(commune).privacy.erase("households", erased, "yêu cầu của hộ")
    send(commune, office, tmp_path, "erasure")
    publisher = service.WarehouseService(office)
    publisher.publish(warehouse, batch=500)
    assert publisher.check(warehouse).equal
    gone = [erased, *persons]
    with connect(warehouse) as conn:
        assert conn.execute(f"select count(*) from {q('erased')} where rid = %s",
                            [erased]).fetchone()[0] == 1
        for table in ("households", "persons", "history", "records"):
            column = "record_id" if table == "history" else "id"
            assert conn.execute(f"select count(*) from {q(table)} where {column} = any(%s)",
                                [gone]).fetchone()[0] == 0, table
        assert _duplicates(conn) == 0
    for store in (office, *communes):
        store.close()


def test_a_first_publish_tells_its_progress_and_stops_inside_a_kind(tmp_path, warehouse,
                                                                    demo_commune, monkeypatch):
    """One scale over rows and log, never going back; a stop asked in the middle of a kind's
    rows rolls that kind back, and the next publish writes it once."""
    from fieldapp.warehouse import bulk

    monkeypatch.setattr(bulk, "_EVERY", 7)
    office, communes = consolidate(tmp_path, [demo_commune(HOUSEHOLDS, s) for s in SEEDS])
    publisher = service.WarehouseService(office)
    told: list[tuple[int, int]] = []
    with pytest.raises(PublishCancelled):
        publisher.publish(warehouse, batch=300, progress=lambda d, t: told.append((d, t)),
                          cancelled=lambda: len(told) >= 3)
    assert len(told) == 3 and told[0][0] < told[-1][0] < told[-1][1]
    with connect(warehouse) as conn:
        assert conn.execute("select seq from fieldapp.sources").fetchone()[0] == 0
    told.clear()
    done = publisher.publish(warehouse, batch=300,
                             progress=lambda d, t: told.append((d, t)))
    assert done.resumed and told
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(told))
    assert told[-1][0] == told[-1][1]
    assert publisher.check(warehouse).equal
    with connect(warehouse) as conn:
        assert _duplicates(conn) == 0 and not _missing_indexes(conn)
    for store in (office, *communes):
        store.close()
