"""Property: random histories of a commune with three member laptops and its province.

Members add, edit, survey and delete households and add their members; commune staff merge
duplicates, erase households and persons, move households between villages, retire members,
move members to another village, and make a member commune staff or a member again; packages
are lost, delivered twice and out of order. Each laptop's clock is one shared fake clock that
moves on at every step, so which change was stamped after which is known.

After everyone has synced twice (every member sends, retired ones too; the commune imports
them together, sends the province everything and returns each working member its package):

- every working member laptop holds exactly the commune's records within its scope, and the
  province holds all of the commune's;
- no value written by someone allowed to write it, and not erased since, is missing from the
  commune's history; what was not allowed is nowhere;
- every erasure reached every laptop;
- every database equals a replay of its change log, and ``fieldapp check`` finds nothing.

The normal suite runs a short profile; ``-m longrun`` runs 300 histories.
"""

from __future__ import annotations

import itertools
import shutil
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.services import health
from fieldapp.services.privacy import Privacy
from fieldapp.services.sync import exchange, province, review
from fieldapp.services.team import Team
from fieldapp.services.workspace import Workspace
from fieldapp.storage.replay import replay_differences
from fieldapp.storage.store import Store
from sync_world import in_scope, join_member, new_commune

MEMBERS = 3
FILES = ["commune.db", "province.db"] + [f"m{n}.db" for n in range(MEMBERS)]
NAMES = st.sampled_from(["Lý Văn A", "Hoàng Thị Bé", "Đặng Văn Ân", "Nông Thị Mai"])
PHONES = st.sampled_from(["0912000001", "0912000002", "0987654321", None])
MEMBER = st.integers(0, MEMBERS - 1)
PICK = st.integers(0, 50)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("template")
    commune = new_commune(folder / "commune.db", ["Bản Khuông", "Bản Nà"])
    villages = [v["id"] for v in commune.villages.list()]
    users = [commune.users.add_user(f"Thành viên {n}", "member",
                                    village_id=villages[0 if n < 2 else 1])
             for n in range(MEMBERS)]
    for n, user in enumerate(users):
        join_member(commune, folder, f"L{n}", user, file=f"m{n}").close()
    office = new_commune(folder / "province.db", ["(văn phòng tỉnh)"], "Tỉnh Lạng Sơn")
    request = province.write_request(commune, folder / "request.json")
    _name, hub = province.register_request(office, request, folder / "hub.json")
    province.join_province(commune, hub)
    commune.close()
    office.close()
    return folder, villages, users


class Clock:
    """One fake wall clock for every laptop of a history, a second further at each step."""

    def __init__(self) -> None:
        self.now = time.time() + 60

    def __call__(self) -> float:
        return self.now

    def tick(self) -> None:
        self.now += 1


steps = st.lists(st.one_of(
    st.tuples(st.just("add"), MEMBER, NAMES, st.integers(0, 1)),
    st.tuples(st.just("edit"), MEMBER, PICK, PHONES, NAMES),
    st.tuples(st.just("person"), MEMBER, PICK, NAMES),
    st.tuples(st.just("survey"), MEMBER, PICK, NAMES),
    st.tuples(st.just("delete"), MEMBER, PICK),
    st.tuples(st.just("merge"), PICK, PICK),
    st.tuples(st.just("erase"), PICK, st.booleans()),
    st.tuples(st.just("move"), PICK),
    st.tuples(st.just("retire"), MEMBER),
    st.tuples(st.just("relocate"), MEMBER),
    st.tuples(st.just("promote"), MEMBER),
    st.tuples(st.just("send"), MEMBER),
    st.tuples(st.just("return"), MEMBER),
    st.tuples(st.just("upward"),),
    st.tuples(st.just("deliver"), PICK, st.booleans()),
), min_size=1, max_size=30)


class History:
    """The laptops of one history and what the commune knows to be true as it runs."""

    def __init__(self, template, folder):
        source, self.villages, self.users = template
        for name in FILES:
            for suffix in ("", "-wal", "-shm"):
                if (source / f"{name}{suffix}").exists():
                    shutil.copy(source / f"{name}{suffix}", folder / f"{name}{suffix}")
        self.folder = folder
        self.clock = Clock()
        self.commune = Store.open(folder / "commune.db", wall=self.clock)
        self.province = Store.open(folder / "province.db", wall=self.clock)
        self.members = [Store.open(folder / f"m{n}.db", wall=self.clock)
                        for n in range(MEMBERS)]
        self.staff = Workspace(self.commune, None)
        self.numbers = itertools.count()
        self.outbox: list[tuple[Store, object]] = []
        self.written: list[tuple[str, str, object]] = []
        # The truth, as the commune knows it when each step happens.
        self.role = ["member"] * MEMBERS
        self.village = [self.villages[0 if n < 2 else 1] for n in range(MEMBERS)]
        self.retired = [False] * MEMBERS
        self.households: dict[str, str] = {}  # accepted household -> its village now

    def close(self) -> None:
        for store in (self.commune, self.province, *self.members):
            store.close()

    def path(self) -> object:
        return self.folder / f"p{next(self.numbers)}.fieldsync"

    def allowed(self, n: int, village: str | None) -> bool:
        """Whether member ``n`` may write a record of ``village`` now, as the commune knows."""
        if self.retired[n] or village is None:
            return False
        return self.role[n] == "commune_staff" or self.village[n] == village

    def live(self, store: Store, pick: int) -> str | None:
        ids = [r["id"] for r in store.query(
            "select id from households where deleted = 0 order by id")]
        return ids[pick % len(ids)] if ids else None

    # -- a member's work ----------------------------------------------------------------------
    def member_step(self, kind: str, n: int, *args) -> None:
        store = self.members[n]
        if kind == "add":
            me = store.users.get(self.users[n])
            village = me["village_id"] if me["role"] == "member" else self.villages[args[1]]
            hid = store.households.add_household(village, args[0])
            if self.allowed(n, village):
                self.households[hid] = village
                self.written.append((hid, "head_name", args[0]))
            return
        hid = self.live(store, args[0])
        if hid is None:
            return
        ok = hid in self.households and self.allowed(n, self.households[hid])
        if kind == "edit":
            store.households.update(hid, {"phone": args[1], "head_name": args[2]})
            if ok:
                self.written += [(hid, "phone", args[1]), (hid, "head_name", args[2])]
        elif kind == "person":
            pid = store.persons.add_person(hid, args[1])
            if ok:
                self.written.append((pid, "full_name", args[1]))
        elif kind == "survey":
            sid = store.submissions.add({"form_id": "household_survey", "form_version": "1",
                                         "status": "final", "household_id": hid,
                                         "answers": {"head_name": args[1]}})
            if ok:
                self.written.append((sid, "answers/head_name", args[1]))
        elif kind == "delete":
            store.households.tombstone(hid, "test")

    # -- the commune's staff ------------------------------------------------------------------
    def staff_step(self, kind: str, *args) -> None:
        commune = self.commune
        if kind == "merge":
            first = self.live(commune, args[0])
            second = self.live(commune, args[1])
            if first and second and first != second and \
                    commune.households.get(first)["village_id"] == \
                    commune.households.get(second)["village_id"]:
                review.merge_households(commune, first, second)
        elif kind == "erase":
            hid = self.live(commune, args[0])
            if hid is None:
                return
            persons = commune.persons.of_household(hid)
            if args[1] and persons:
                Privacy(self.staff).erase("persons", persons[0]["id"], "yêu cầu")
            else:
                Privacy(self.staff).erase("households", hid, "yêu cầu")
        elif kind == "move":
            hid = self.live(commune, args[0])
            if hid is not None:
                row = commune.households.get(hid)
                village = next(v for v in self.villages if v != row["village_id"])
                commune.households.update(hid, {"village_id": village})
                self.households[hid] = village
        elif kind == "retire":
            n = args[0]
            if not self.retired[n] and sum(not r for r in self.retired) > 1:
                Team(self.staff).retire(self.users[n])
                self.retired[n] = True
        elif kind == "relocate":
            n = args[0]
            if not self.retired[n]:
                village = next(v for v in self.villages if v != self.village[n])
                Team(self.staff).change_role(self.users[n], self.role[n], village)
                self.village[n] = village
        elif kind == "promote":
            n = args[0]
            if not self.retired[n]:
                role = "member" if self.role[n] == "commune_staff" else "commune_staff"
                Team(self.staff).change_role(self.users[n], role, self.village[n])
                self.role[n] = role

    # -- packages -------------------------------------------------------------------------------
    def send(self, n: int) -> None:
        path = exchange.export_package(self.members[n], self.path()).path
        self.outbox.append((self.commune, path))

    def give_back(self, n: int) -> None:
        if self.retired[n]:
            return
        path = exchange.export_package(self.commune, self.path(), to=f"L{n}").path
        self.outbox.append((self.members[n], path))

    def upward(self) -> None:
        path = exchange.export_package(self.commune, self.path(), to="province").path
        self.outbox.append((self.province, path))

    def deliver(self, pick: int, again: bool) -> None:
        if not self.outbox:
            return
        recipient, path = self.outbox[pick % len(self.outbox)]
        if not again:  # kept for a second delivery later otherwise (sent twice)
            self.outbox.remove((recipient, path))
        report = exchange.import_package(recipient, path)
        assert report.ok, report.message

    def catch_up(self) -> None:
        sent = [exchange.export_package(store, self.path()).path for store in self.members]
        reports = exchange.import_packages(self.commune, sent)
        assert all(report.ok for report in reports), [r.message for r in reports]
        self.upward()
        self.deliver(len(self.outbox) - 1, False)
        for n in range(MEMBERS):
            self.give_back(n)
            if not self.retired[n]:
                self.deliver(len(self.outbox) - 1, False)

    # -- what must hold ------------------------------------------------------------------------
    def check(self) -> None:
        reference = list(self.commune.dump())
        for n, member in enumerate(self.members):
            if self.retired[n]:
                continue
            expected = reference if self.role[n] == "commune_staff" else \
                in_scope(self.commune, reference, self.village[n])
            assert list(member.dump()) == expected, f"laptop {n}"
        assert set(reference) <= set(self.province.dump())
        for record, field, value in self.written:
            if value is None or self.commune.erasures.is_erased(record):
                continue
            history = [c.value for c in self.commune.writer.history(record)
                       if c.field == field]
            assert value in history, (record, field, value)
        working = [self.province] + [m for n, m in enumerate(self.members)
                                     if not self.retired[n]]
        for erasure in self.commune.erasures.list():
            for store in working:
                assert store.erasures.is_erased(erasure["target_id"])
                assert store.log.rec(erasure["target_id"]) is None
        for store in (self.commune, self.province, *self.members):
            assert replay_differences(store.path) == [], store.path
            assert health.check_database(store.path).problems == [], store.path


def _run(template, folder, history_steps):
    history = History(template, folder)
    try:
        for step in history_steps:
            history.clock.tick()
            kind, *args = step
            if kind in ("add", "edit", "person", "survey", "delete"):
                history.member_step(kind, *args)
            elif kind in ("merge", "erase", "move", "retire", "relocate", "promote"):
                history.staff_step(kind, *args)
            elif kind == "send":
                history.send(args[0])
            elif kind == "return":
                history.give_back(args[0])
            elif kind == "upward":
                history.upward()
            else:
                history.deliver(*args)
        for _round in range(2):
            history.clock.tick()
            history.catch_up()
        history.check()
    finally:
        history.close()


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(history=steps)
def test_laptops_that_synced_twice_hold_their_scope_of_the_communes_records(
        template, tmp_path_factory, history):
    _run(template, tmp_path_factory.mktemp("run"), history)


@pytest.mark.longrun
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(history=steps)
def test_many_commune_histories(template, tmp_path_factory, history):
    _run(template, tmp_path_factory.mktemp("run"), history)
