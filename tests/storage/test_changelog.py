"""The change log: every write lands in it, it keeps every superseded value, it refuses what
breaks its rules, and replaying it into an empty database gives the same tables."""

from __future__ import annotations

import itertools
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.core.changes import Change
from fieldapp.core.clock import MAX_DRIFT_MS, Stamp
from fieldapp.storage.store import Store
from fieldapp.storage.writer import WriteRefused

WALL_MS = 1_772_323_200_000


def frozen_store(path) -> Store:
    return Store.open(path, wall=lambda: WALL_MS / 1000)


def replay(source: Store, path) -> Store:
    target = Store.open(path)
    with target.transaction():
        target.writer.apply(c for _seq, c in source.log.since(0))
    return target


def test_each_write_is_one_entry_per_changed_field(setup_store):
    store = setup_store
    village = store.villages.list()[0]["id"]
    before = store.log.count()
    hid = store.households.add_household(village, "Lý Văn A", properties={"signal": "4g"})
    assert store.log.count() == before + 3  # village_id, head_name, properties.signal
    store.households.update(hid, {"head_name": "Lý Văn B", "phone": None})  # phone unchanged
    assert store.log.count() == before + 4
    history = store.households.history(hid)
    names = [(c.field, c.value) for c in history if c.field == "head_name"]
    assert names == [("head_name", "Lý Văn A"), ("head_name", "Lý Văn B")]
    assert history[-1].prev == history[1].stamp  # it replaced the first name's stamp
    store.households.tombstone(hid, "moved away")
    assert store.households.get(hid)["deleted"] == 1
    assert store.meta("hlc_last") == str(history[-1].stamp) or \
        store.meta("hlc_last") > str(history[-1].stamp)


def test_a_tombstoned_record_is_not_edited_until_restored(setup_store):
    store = setup_store
    hid = store.households.add_household(store.villages.list()[0]["id"], "Lý Văn A")
    store.households.tombstone(hid, "duplicate")
    with pytest.raises(WriteRefused):
        store.households.update(hid, {"head_name": "Lý Văn B"})
    store.households.restore(hid)
    store.households.update(hid, {"head_name": "Lý Văn B"})
    row = store.households.get(hid)
    assert row["deleted"] == 0 and row["deleted_reason"] is None and row["head_name"] == "Lý Văn B"


def _remote(record, field, value, stamp, table="households", prev=None):
    return Change(table, record, field, value, stamp, prev)


@pytest.mark.parametrize("bad, message", [
    (_remote("h9", "head_name", "X", Stamp(WALL_MS, 0, "dev"), table="nope"), "Unknown table"),
    (_remote("h9", "shoe_size", "X", Stamp(WALL_MS, 0, "dev")), "no field"),
    (_remote("h9", "head_name", "X", Stamp(WALL_MS, 0, "dev"),
             prev=Stamp(WALL_MS, 0, "dev")), "not newer"),
    (_remote("h9", "head_name", "X", Stamp(WALL_MS + MAX_DRIFT_MS + 10**6, 0, "dev")),
     "days after this laptop's date"),
])
def test_a_change_breaking_a_rule_is_refused_and_nothing_is_written(tmp_path, bad, message):
    store = frozen_store(tmp_path / "s.db")
    good = _remote("h8", "head_name", "Y", Stamp(WALL_MS - 5, 0, "dev"))
    dump, count, last = list(store.dump()), store.log.count(), store.meta("hlc_last")
    with pytest.raises(Exception, match=message):
        with store.transaction():
            store.writer.apply([good, bad])
    assert list(store.dump()) == dump and store.log.count() == count
    assert store.meta("hlc_last") == last
    store.close()


def test_changes_applied_twice_change_nothing(tmp_path, setup_store):
    hid = setup_store.households.add_household(setup_store.villages.list()[0]["id"], "Lý Văn A")
    setup_store.households.update(hid, {"head_name": "Lý Văn B"})
    target = replay(setup_store, tmp_path / "copy.db")
    count = target.log.count()
    with target.transaction():
        result = target.writer.apply(c for _seq, c in setup_store.log.since(0))
    assert result.added == 0 and result.known == count and target.log.count() == count
    assert list(target.dump()) == list(setup_store.dump())


def test_edits_that_arrive_before_their_record_wait_in_the_log(tmp_path):
    store = Store.open(tmp_path / "s.db")
    created = [_remote("h1", "head_name", "A", Stamp(WALL_MS, 0, "d1")),
               _remote("h1", "village_id", "v1", Stamp(WALL_MS, 0, "d1"))]
    edit = _remote("h1", "head_name", "B", Stamp(WALL_MS + 5, 0, "d2"), prev=created[0].stamp)
    with store.transaction():
        store.writer.apply([edit])
    assert store.households.get("h1") is None
    with store.transaction():
        store.writer.apply(created)
    assert store.households.get("h1")["head_name"] == "B"


def test_rebuilding_from_the_log_gives_the_same_tables(setup_store):
    store = setup_store
    hid = store.households.add_household(store.villages.list()[0]["id"], "Đặng Văn Ân",
                                         properties={"signal": "weak"})
    store.persons.add_person(hid, "Đặng Văn Ân", birth_year=1960, relation="head")
    dump = list(store.dump())
    with store.transaction():
        store.writer.rebuild()
    assert list(store.dump()) == dump
    assert store.households.search("dang")[1] == 1  # the search index follows


# -- the property: random edit histories replay to identical tables -------------------------

NAMES = st.sampled_from(["Lý Văn A", "Hoàng Thị Bé", "Đặng Văn Ân", "Nông Thị Mai", "Triệu Yến"])
VALUES = st.sampled_from(["yes", "no", "own", "shared", None])


@st.composite
def edit_histories(draw):
    return draw(st.lists(st.one_of(
        st.tuples(st.just("add_household"), NAMES, VALUES),
        st.tuples(st.just("edit_household"), st.integers(0, 9), NAMES, VALUES),
        st.tuples(st.just("add_person"), st.integers(0, 9), NAMES, st.integers(1930, 2020)),
        st.tuples(st.just("edit_person"), st.integers(0, 29), st.integers(1930, 2020), VALUES),
        st.tuples(st.just("tombstone"), st.integers(0, 39)),
        st.tuples(st.just("restore"), st.integers(0, 39)),
        st.tuples(st.just("submission"), st.integers(0, 4),
                  st.lists(st.tuples(st.sampled_from(["add", "remove", "swap", "edit"]),
                                     st.integers(0, 5), NAMES), max_size=6)),
    ), min_size=1, max_size=30))


class Model:
    """Drives a store and remembers every value it wrote, to check the history."""

    def __init__(self, store: Store):
        self.store = store
        self.village = store.villages.list()[0]["id"]
        self.households: list[str] = []
        self.persons: list[str] = []
        self.submissions: list[tuple[str, dict]] = []
        self.written: dict[tuple[str, str], list] = {}
        self.keys = (str(uuid.UUID(int=i)) for i in itertools.count(1))

    def note(self, record, values):
        """Remember what was written, and check the record now shows it."""
        from fieldapp.core.kinds import record_type

        table = self.store.log.table_of(record)
        row = getattr(self.store, table).get(record)
        for column, value in values.items():
            if column in ("properties", "answers"):
                assert {k: v for k, v in json.loads(row[column]).items() if v} == \
                    {k: v for k, v in value.items() if v} if column == "answers" else True
            else:
                assert row[column] == value, (column, row[column], value)
        for field, value in record_type(table).fields_of(values).items():
            self.written.setdefault((record, field), []).append(value)

    def alive(self, table, record):
        row = getattr(self.store, table).get(record)
        return row is not None and not row["deleted"]

    def run(self, step):
        kind, *args = step
        s = self.store
        if kind == "add_household":
            name, signal = args
            values = {"village_id": self.village, "head_name": name,
                      "properties": {"signal": signal} if signal else {}}
            hid = s.households.add(values)
            self.households.append(hid)
            self.note(hid, values)
        elif kind == "edit_household" and self.households:
            hid = self.households[args[0] % len(self.households)]
            if self.alive("households", hid):
                values = {"head_name": args[1], "properties": {"fibre": args[2]} if args[2] else {}}
                s.households.update(hid, values)
                self.note(hid, values)
        elif kind == "add_person" and self.households:
            hid = self.households[args[0] % len(self.households)]
            values = {"household_id": hid, "full_name": args[1], "birth_year": args[2]}
            pid = s.persons.add(values)
            self.persons.append(pid)
            self.note(pid, values)
        elif kind == "edit_person" and self.persons:
            pid = self.persons[args[0] % len(self.persons)]
            if self.alive("persons", pid):
                values = {"birth_year": args[1], "properties": {"smartphone": args[2]}}
                s.persons.update(pid, values)
                self.note(pid, values)
        elif kind in ("tombstone", "restore"):
            records = [("households", h) for h in self.households] + \
                      [("persons", p) for p in self.persons]
            if records:
                table, record = records[args[0] % len(records)]
                repo = getattr(s, table)
                if kind == "tombstone" and self.alive(table, record):
                    repo.tombstone(record, "test")
                elif kind == "restore" and not self.alive(table, record):
                    repo.restore(record)
        elif kind == "submission":
            self.edit_submission(*args)

    def edit_submission(self, which, edits):
        if which >= len(self.submissions):
            tree = {"village": self.village, "members": []}
            sid = self.store.submissions.save(None, {
                "form_id": "household_survey", "form_version": "1", "status": "draft",
                "answers": tree})
            self.submissions.append((sid, tree))
            self.note(sid, {"answers": tree})
            which = len(self.submissions) - 1
        sid, tree = self.submissions[which]
        tree = json.loads(json.dumps(tree))
        rows = tree["members"]
        for op, index, name in edits:
            if op == "add":
                rows.append({"@key": next(self.keys), "member_name": name})
            elif rows and op == "remove":
                rows.pop(index % len(rows))
            elif rows and op == "swap":
                i = index % len(rows)
                rows[i], rows[-1] = rows[-1], rows[i]
            elif rows and op == "edit":
                rows[index % len(rows)]["member_name"] = name
        self.store.submissions.save(sid, {"answers": tree})
        self.submissions[which] = (sid, tree)
        self.note(sid, {"answers": tree})
        assert json.loads(self.store.submissions.get(sid)["answers"]).get("members", []) == rows


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=edit_histories())
def test_replaying_the_log_into_an_empty_database_gives_identical_tables(tmp_path_factory,
                                                                        history):
    from fieldapp.services.setup import SetupRequest, run_setup

    folder = tmp_path_factory.mktemp("replay")
    store = frozen_store(folder / "a.db")  # a frozen wall clock: the counter does the work
    run_setup(store, SetupRequest("Xã A", "Lạng Sơn", ["Bản Một"], "Hoàng Thị Mai", "member",
                                  "246813"))
    model = Model(store)
    for step in history:
        model.run(step)
    copy = replay(store, folder / "b.db")
    assert list(copy.dump()) == list(store.dump())
    # No value is ever lost: everything written is in the history.
    for (record, field), values in model.written.items():
        logged = [c.value for c in store.writer.history(record) if c.field == field]
        for value in values:
            if value not in (None, ""):
                assert value in logged, (record, field, value)
    # Stamps strictly increase in the order this device wrote them.
    stamps = [c.stamp for _seq, c in store.log.since(0)]
    grouped = [k for k, _g in itertools.groupby(stamps)]
    assert grouped == sorted(grouped) and len(set(grouped)) == len(grouped)
    copy.close()
    store.close()


def test_stamps_keep_increasing_after_observing_a_laptop_whose_clock_runs_ahead(tmp_path):
    store = frozen_store(tmp_path / "s.db")
    ahead = Stamp(WALL_MS + MAX_DRIFT_MS // 2, 9_999, "fast-laptop")
    with store.transaction():
        store.writer.apply([_remote("h1", "head_name", "A", ahead),
                            _remote("h1", "village_id", "v", ahead)])
    for i in range(3):
        store.households.update("h1", {"head_name": f"B{i}"})
    local = [c.stamp for c in store.households.history("h1") if c.stamp.device == store.device_id]
    assert local[0] > ahead and local == sorted(local)
    # Persisted: a new connection continues after it.
    store.close()
    again = frozen_store(tmp_path / "s.db")
    again.households.update("h1", {"head_name": "C"})
    assert again.households.history("h1")[-1].stamp > local[-1]
    again.close()


def test_an_attachment_travels_through_the_log_as_bytes(tmp_path, setup_store):
    content = bytes(range(256)) * 10
    sid = setup_store.submissions.save(None, {"form_id": "f", "form_version": "1",
                                              "status": "draft", "answers": {"photo": "a.jpg"}})
    aid = setup_store.writer.insert("attachments", {
        "submission_id": sid, "filename": "a.jpg", "media_type": "image/jpeg",
        "size": len(content), "sha256": "x", "content": content})
    assert bytes(setup_store.query("select content from attachments where id = ?",
                                   [aid])[0]["content"]) == content
    copy = replay(setup_store, tmp_path / "copy.db")
    assert list(copy.dump()) == list(setup_store.dump())
    copy.close()


@pytest.mark.parametrize("fields, kind", [
    ({"head_name": "Lý Văn A", "village_id": "v-1", "properties.n": 2.5}, "fields"),
    ({"head_name": "Lý Văn A", "properties.big": 2 ** 70 + 1}, "packed"),  # beyond orjson
    ({"head_name": "Lý Văn A", "properties.x": float("inf")}, "packed"),  # orjson: null
    ({"head_name": "Lý Văn A", "photo": b"\x00\x01"}, "own rows"),
])
def test_first_values_read_back_as_written_whatever_they_hold(setup_store, fields, kind):
    """A record's first values are one {field: value} row, or [fid, path, value] rows for
    values the fast encoder cannot write exactly; either reads back value for value."""
    from fieldapp.storage.changelog import FIELDS

    store = setup_store
    log = store.log
    stamp = Stamp(WALL_MS, 0, store.device_id)
    before = log.count()
    with store.transaction():
        rec = log.new_recs("households", ["h-first"])[0]
        rows = log.first_value_rows(rec, stamp, fields)
        log.append_rows(rows)
    assert (rows[0][1] == FIELDS) == (kind == "fields")
    changes = log.changes_of(rec, "households", "h-first")
    assert {c.field: c.value for c in changes} == fields
    assert all(c.stamp == stamp and c.prev is None for c in changes)
    assert log.count() == before + len(fields)
    simple, others = log.first_values([(rec, "h-first")])
    assert simple == {"h-first": (stamp, fields)} and others == []
