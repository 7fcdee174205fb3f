"""Erasure in the storage layer: the tables, the change log (packed first values included),
the search index and the file's bytes lose the erased data; an erasure received before or
after the data it erases has the same effect; replaying the log gives the same tables."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fieldapp import paths
from fieldapp.core import demo_data as dd
from fieldapp.services.demo_surveys import fill_household_survey
from fieldapp.services.forms import FormCatalog
from fieldapp.services.surveys import SurveyService
from fieldapp.storage.store import Store
from fieldapp.storage.writer import WriteRefused
from test_search_documents import documents, expected

TODAY = dt.date(2026, 11, 23)
NAME = "Hà Thị Xuyến"
MEMBER = "Hà Văn Quýnh"


def surveyed_household(store: Store) -> tuple[str, str, list[str]]:
    """A household surveyed through the household form: (submission, household, persons)."""
    svc = SurveyService(store, FormCatalog([paths.forms_dir()]), today=lambda: TODAY)
    village = store.villages.list()[0]["id"]
    members = [dd.Member("head", "female", 1975, "tay", "Hà", NAME),
               dd.Member("child", "male", 2001, "tay", "Hà", MEMBER)]
    form, instance = fill_household_survey(svc, random.Random(3), village, members)
    sid = svc.save(None, form, instance, finalize=True)
    row = store.submissions.get(sid)
    hid = row["household_id"]
    persons = [p["id"] for p in store.persons.of_household(hid)]
    return sid, hid, persons


def file_bytes(store: Store) -> bytes:
    data = store.path.read_bytes()
    wal = store.path.with_name(store.path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def traces(store: Store, *names: str) -> list[str]:
    from fieldapp.i18n.text import fold

    data = file_bytes(store)
    found = []
    for name in names:
        last = name.split()[-1]  # FTS5 indexes each folded word on its own
        for form in (name, fold(name), last, fold(last)):
            if form.encode("utf-8") in data:
                found.append(form)
    return found


def test_a_household_erasure_leaves_no_trace(setup_store):
    store = setup_store
    keep = store.households.add_household(store.villages.list()[1]["id"], "Nông Văn Còn")
    store.persons.add_person(keep, "Nông Văn Còn")
    sid, hid, persons = surveyed_household(store)
    assert traces(store, NAME, MEMBER)  # the name is in the file before
    store.erasures.erase("households", hid, reason="request of the family", user_id=None)
    for table, rid in [("households", hid), ("submissions", sid),
                       *(("persons", p) for p in persons)]:
        assert store.query(f"select * from {table} where id = ?", [rid]) == []
        assert store.log.rec(rid) is None
        assert store.erasures.is_erased(rid)
    assert not any(NAME in line or MEMBER in line for line in store.dump())
    assert all(c.record not in {hid, sid, *persons} for _s, c in store.log.since(0))
    assert traces(store, NAME, MEMBER) == []
    # The search index still finds the others (VACUUM renumbered rowids; it was rebuilt).
    rows, total = store.households.search("nong van c")
    assert total == 1 and rows[0]["id"] == keep
    assert store.households.search("xuyen")[1] == 0
    assert store.meta("scrub_pending") is None
    # Both search indexes were written again from the tables after VACUUM.
    assert documents(store) == expected(store) and documents(store)[0]


def test_an_erased_record_is_never_written_again(setup_store):
    store = setup_store
    hid = store.households.add_household(store.villages.list()[0]["id"], NAME)
    store.erasures.erase("households", hid, reason="", user_id=None)
    with pytest.raises(WriteRefused):
        store.households.add({"id": hid, "village_id": "v", "head_name": NAME})
    with pytest.raises(WriteRefused):
        store.households.update(hid, {"head_name": "x"})


def test_erasure_and_data_in_either_order(setup_store, tmp_path):
    source = setup_store
    sid, hid, persons = surveyed_household(source)
    store_changes = [c for _s, c in source.log.since(0)]
    source.erasures.erase("households", hid, reason="", user_id=None)
    erasure = [c for _s, c in source.log.since(0) if c.table == "erasures"]
    data = [c for c in store_changes if c.table != "erasures"]
    dumps = []
    for name, order in (("data_first", data + erasure), ("erasure_first", erasure + data)):
        target = Store.open(tmp_path / f"{name}.db")
        with target.transaction():
            target.writer.apply(order[:len(order) // 2])
        with target.transaction():
            target.writer.apply(order[len(order) // 2:])
        # and once more: idempotent
        with target.transaction():
            target.writer.apply(order)
        assert target.query("select id from households where id = ?", [hid]) == []
        assert target.query("select id from persons where household_id = ?", [hid]) == []
        assert traces(target, NAME, MEMBER) == []
        dumps.append(list(target.dump()))
        target.close()
    assert dumps[0] == dumps[1] == list(source.dump())


def test_a_person_erasure_removes_their_roster_answers(setup_store):
    store = setup_store
    sid, hid, persons = surveyed_household(store)
    member = next(p for p in store.persons.of_household(hid) if p["full_name"] == MEMBER)
    store.erasures.erase("persons", member["id"], reason="", user_id=None)
    assert store.persons.get(member["id"]) is None
    answers = store.submissions.get(sid)["answers"]
    assert MEMBER not in answers and NAME in answers
    assert MEMBER not in str(store.submissions.history(sid))  # every saved version
    assert all(MEMBER not in str(c.value) for _s, c in store.log.since(0))
    assert traces(store, MEMBER) == []
    # replaying the log gives the same tables
    replay = Store.open(store.path.with_name("replay.db"))
    with replay.transaction():
        replay.writer.apply(c for _s, c in store.log.since(0))
    assert list(replay.dump()) == list(store.dump())
    replay.close()


def test_audit_and_erasure_records_are_append_only(setup_store):
    store = setup_store
    event = store.audit.record("sign_in", user_id=None)
    with pytest.raises(PermissionError):
        store.audit.update(event, {"action": "x"})
    with pytest.raises(WriteRefused):
        with store.transaction():
            store.writer.update("audit_events", event, {"action": "x"})


def test_erasure_reaches_the_sessions_and_classes_of_the_erased(setup_store):
    """Who was helped in a session, who learned in a class (with attendance and levels): an
    erased household's or person's records there go too; the session and class stay."""
    from fieldapp.services.sessions import Helped, SessionRequest, Sessions
    from fieldapp.services.training import ClassRequest, Training
    from fieldapp.services.workflow_codes import shipped_codes

    store = setup_store
    _sid, hid, persons = surveyed_household(store)
    other = store.households.add_household(store.villages.list()[1]["id"], "Nông Văn Còn")
    stays = store.persons.add({"household_id": other, "full_name": "Nông Văn Còn",
                               "birth_year": 1980})
    village = store.villages.list()[0]["id"]
    sessions = Sessions(store, shipped_codes, today=lambda: TODAY)
    session = sessions.log(SessionRequest(
        TODAY, village, (store.users.list()[0]["id"],), ("cccd_eid_enrolment",),
        tuple(Helped(p, outcomes=("vneid_level2_activated",)) for p in (*persons, stays))))
    training = Training(store, shipped_codes, today=lambda: TODAY)
    cls = training.save_class(ClassRequest("Lớp thử", TODAY, TODAY, ("s1",), "citizen",
                                           village_id=village))
    enrolled = [training.enrol(cls, person_id=p) for p in (*persons, stays)]
    training.set_attendance(cls, TODAY, {e: "present" for e in enrolled})
    training.set_levels(cls, {(e, "s1"): "alone" for e in enrolled})
    erased_person = persons[1]
    store.erasures.erase("persons", erased_person, reason="asked", user_id=None)
    assert store.scalar("select count(*) from session_persons where person_id = ?",
                        [erased_person]) == 0
    assert store.scalar("select count(*) from enrolments where person_id = ?",
                        [erased_person]) == 0
    assert store.scalar("select count(*) from attendance") == len(enrolled) - 1
    store.erasures.erase("households", hid, reason="asked", user_id=None)
    assert [r["person_id"] for r in store.session_persons.of_session(session)] == [stays]
    assert [e["person_id"] for e in store.enrolments.of_class(cls)] == [stays]
    assert store.scalar("select count(*) from progress") == 1
    assert store.scalar("select count(*) from attendance") == 1
    assert store.sessions.get(session) is not None and store.classes.get(cls) is not None
    assert traces(store, NAME, MEMBER) == []
