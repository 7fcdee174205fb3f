"""Property: random edits on several laptops, exchanged in random orders (packages lost, sent
twice, imported late): once every laptop has seen the same packages, all hold identical data,
and no value anyone wrote is missing from the history."""

from __future__ import annotations

import itertools
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.services.sync import exchange
from fieldapp.storage.store import Store
from sync_world import join_member, new_commune

MEMBERS = 3
NAMES = st.sampled_from(["Lý Văn A", "Hoàng Thị Bé", "Đặng Văn Ân", "Nông Thị Mai"])
PHONES = st.sampled_from(["0912000001", "0912000002", "0987654321", None])


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    commune = new_commune(folder / "commune.db")
    village = commune.villages.list()[0]["id"]
    users = [commune.users.add_user(f"Thành viên {n}", "member", village_id=village)
             for n in range(MEMBERS)]
    for n, user in enumerate(users):
        join_member(commune, folder, f"L{n}", user, file=f"m{n}").close()
    commune.close()
    return folder


def _copy(template, folder):
    for name in ["commune.db"] + [f"m{n}.db" for n in range(MEMBERS)]:
        for suffix in ("", "-wal", "-shm"):
            source = template / f"{name}{suffix}"
            if source.exists():
                shutil.copy(source, folder / f"{name}{suffix}")
    return Store.open(folder / "commune.db"), [Store.open(folder / f"m{n}.db")
                                               for n in range(MEMBERS)]


steps = st.lists(st.one_of(
    st.tuples(st.just("add"), st.integers(0, MEMBERS - 1), NAMES),
    st.tuples(st.just("edit"), st.integers(0, MEMBERS - 1), st.integers(0, 20), PHONES, NAMES),
    st.tuples(st.just("person"), st.integers(0, MEMBERS - 1), st.integers(0, 20), NAMES),
    st.tuples(st.just("tombstone"), st.integers(0, MEMBERS - 1), st.integers(0, 20)),
    st.tuples(st.just("send"), st.integers(0, MEMBERS - 1)),
    st.tuples(st.just("return"), st.integers(0, MEMBERS - 1)),
    st.tuples(st.just("deliver"), st.integers(0, 50), st.booleans()),
), min_size=1, max_size=25)


def _run(template, folder, history):
    commune, members = _copy(template, folder)
    written: list[tuple[str, str, object]] = []
    outbox: list[tuple[Store, object]] = []  # (recipient, package path) not delivered yet
    numbers = itertools.count()
    village = commune.villages.list()[0]["id"]

    def households(store):
        return [r["id"] for r in store.query("select id from households order by id")]

    for step in history:
        kind, *args = step
        if kind == "add":
            store = members[args[0]]
            hid = store.households.add_household(village, args[1])
            written.append((hid, "head_name", args[1]))
        elif kind in ("edit", "person", "tombstone"):
            store = members[args[0]]
            ids = households(store)
            if not ids:
                continue
            hid = ids[args[1] % len(ids)]
            row = store.households.get(hid)
            if row["deleted"]:
                continue
            if kind == "edit":
                store.households.update(hid, {"phone": args[2], "head_name": args[3]})
                written += [(hid, "phone", args[2]), (hid, "head_name", args[3])]
            elif kind == "person":
                pid = store.persons.add_person(hid, args[2])
                written.append((pid, "full_name", args[2]))
            else:
                store.households.tombstone(hid, "test")
        elif kind == "send":
            store = members[args[0]]
            path = folder / f"p{next(numbers)}.fieldsync"
            outbox.append((commune, exchange.export_package(store, path).path))
        elif kind == "return":
            path = folder / f"r{next(numbers)}.fieldsync"
            outbox.append((members[args[0]], exchange.export_package(
                commune, path, to=f"L{args[0]}").path))
        elif kind == "deliver" and outbox:
            recipient, path = outbox[args[0] % len(outbox)]
            if not args[1]:  # keep it for a second delivery later (sent twice)
                outbox.remove((recipient, path))
            report = exchange.import_package(recipient, path)
            assert report.ok, report.message

    # Everyone catches up: every member sends (the commune imports the files together: one
    # commit, a savepoint each), the commune returns to each.
    sent = [exchange.export_package(store, folder / f"p{next(numbers)}.fieldsync").path
            for store in members]
    assert all(report.ok for report in exchange.import_packages(commune, sent))
    reference = list(commune.dump())
    for n, store in enumerate(members):
        path = folder / f"r{next(numbers)}.fieldsync"
        report = exchange.import_package(store, exchange.export_package(commune, path,
                                                                        to=f"L{n}").path)
        assert report.ok, report.message
        assert list(store.dump()) == reference
    # Nothing anyone wrote is missing from the commune's history.
    for record, field, value in written:
        if value is not None:
            history = [c.value for c in commune.writer.history(record) if c.field == field]
            assert value in history, (record, field, value)
    for store in [commune, *members]:
        store.close()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=steps)
def test_laptops_that_saw_the_same_packages_hold_the_same_data(template, tmp_path_factory,
                                                              history):
    _run(template, tmp_path_factory.mktemp("run"), history)


@pytest.mark.longrun
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=steps)
def test_many_exchange_histories(template, tmp_path_factory, history):
    _run(template, tmp_path_factory.mktemp("run"), history)
