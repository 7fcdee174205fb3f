"""Sync end to end: three member laptops, one commune imported in two orders, return packages.

The scenario of the issue: the members survey overlapping households (two of them the same
family), edit one household (different fields on two laptops, the same field on two laptops),
and add members to one household's survey on two laptops. The commune imports the three
packages in two different orders into two copies of its database: identical dumps, exactly the
expected conflict and duplicate waiting, both new members present. The return packages then
bring every member laptop to the commune's data.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil

import pytest

from fieldapp import paths
from fieldapp.core import demo_data as dd
from fieldapp.services.demo_surveys import fill_household_survey
from fieldapp.services.forms import FormCatalog
from fieldapp.services.surveys import SurveyService
from fieldapp.services.sync import exchange, identity, review
from fieldapp.storage.store import Store
from sync_world import join_member, new_commune

TODAY = dt.date(2026, 11, 23)


def service(store: Store) -> SurveyService:
    return SurveyService(store, FormCatalog([paths.forms_dir()]), today=lambda: TODAY)


def dump(store: Store) -> list[str]:
    return list(store.dump())


def imported(store: Store, path) -> exchange.ImportReport:
    report = exchange.import_package(store, path)
    assert report.status == "applied", report.message
    return report


def family(seed: int) -> list[dd.Member]:
    return dd.household_members(random.Random(seed), "tay", "tay")


def survey(store: Store, members: list[dd.Member], seed: int) -> str:
    svc = service(store)
    village = store.villages.list()[0]["id"]
    form, instance = fill_household_survey(svc, random.Random(seed), village, members)
    return svc.save(None, form, instance, finalize=True)


def add_member(store: Store, submission_id: str, name: str, year: int, complete) -> None:
    svc = service(store)
    form, instance, _status = svc.open(submission_id)
    row = instance.add_repeat_row("members")
    instance.set_value(f"members[{row}]/member_name", name)
    instance.set_value(f"members[{row}]/sex", "female")
    instance.set_value(f"members[{row}]/birth_year", str(year))
    instance.set_value(f"members[{row}]/relation", "child")
    complete(instance)
    svc.save(submission_id, form, instance, finalize=True)


@pytest.fixture
def world(tmp_path, complete_form):
    commune = new_commune(tmp_path / "commune.db")
    village = commune.villages.list()[0]["id"]
    users = [commune.users.add_user(name, "member", village_id=village)
             for name in ("Nông Văn Một", "Lý Thị Hai", "Triệu Văn Ba")]
    identity.create_hub(commune)
    members = [join_member(commune, tmp_path, f"Laptop {n}", user, file=f"m{n}")
               for n, user in enumerate(users, start=1)]
    return tmp_path, commune, members


def test_three_laptops_two_import_orders_one_result(world, complete_form):
    folder, commune, (m1, m2, m3) = world

    # A household surveyed on laptop 1 reaches laptop 2 through the commune.
    shared_sid = survey(m1, family(7), seed=7)
    shared_household = m1.submissions.get(shared_sid)["household_id"]
    first = exchange.export_package(m1, folder / "p0.fieldsync")
    imported(commune, first.path)
    back = exchange.export_package(commune, folder / "r0.fieldsync", to="Laptop 2")
    imported(m2, back.path)
    assert m2.households.get(shared_household) is not None

    # Laptops 1 and 3 survey the same family: a probable duplicate.
    survey(m1, family(11), seed=11)
    survey(m3, family(11), seed=12)
    # Both add a member to the same survey's roster.
    add_member(m1, shared_sid, "Hoàng Thị Một", 2019, complete_form)
    add_member(m2, shared_sid, "Hoàng Thị Hai", 2021, complete_form)
    # Different fields of one household on two laptops, and the same field on two laptops.
    m1.households.update(shared_household, {"phone": "0912000001"})
    m2.households.update(shared_household, {"poor_status": "near_poor",
                                            "phone": "0912000002"})

    packages = [exchange.export_package(m, folder / f"p{n}.fieldsync").path
                for n, m in enumerate((m1, m2, m3), start=1)]
    for copy in ("commune2.db", "commune3.db"):
        shutil.copy(folder / "commune.db", folder / copy)
        for extra in ("-wal", "-shm"):
            if (folder / f"commune.db{extra}").exists():
                shutil.copy(folder / f"commune.db{extra}", folder / f"{copy}{extra}")
    other = Store.open(folder / "commune2.db")
    for path in packages:
        imported(commune, path)
    for path in reversed(packages):
        imported(other, path)
    # The three chosen together (one commit, each file a savepoint), in a third order.
    grouped = Store.open(folder / "commune3.db")
    reports = exchange.import_packages(grouped, [packages[1], packages[2], packages[0]])
    assert [r.status for r in reports] == ["applied"] * 3

    assert dump(commune) == dump(other) == dump(grouped)
    for store in (commune, other):
        conflicts = review.conflicts(store)
        assert [(c.table, c.record, c.field) for c in conflicts] == [
            ("households", shared_household, "phone")]
        assert sorted(v.value for v in conflicts[0].values) == ["0912000001", "0912000002"]
        household = store.households.get(shared_household)
        assert household["poor_status"] == "near_poor"  # the other field merged
        duplicates = review.probable_duplicates(store)
        assert len(duplicates) == 1
        roster = json.loads(store.submissions.get(shared_sid)["answers"])["members"]
        names = [r["member_name"] for r in roster]
        assert "Hoàng Thị Một" in names and "Hoàng Thị Hai" in names
        people = [p["full_name"] for p in store.persons.of_household(shared_household)]
        assert "Hoàng Thị Một" in people and "Hoàng Thị Hai" in people

    # Return packages bring every member laptop to the commune's data.
    for number, member in enumerate((m1, m2, m3), start=1):
        back = exchange.export_package(commune, folder / f"r{number}.fieldsync",
                                       to=f"Laptop {number}")
        imported(member, back.path)
        assert dump(member) == dump(commune)
    # And nothing is left to send once acknowledged but the audit log's events of the
    # exchanges themselves (each export and import is one, carried to the commune).
    again = exchange.export_package(m1, folder / "p9.fieldsync")
    imported(commune, again.path)
    assert set(exchange.export_package(m1, folder / "p10.fieldsync").counts) <= {
        "audit_events"}


def test_importing_a_package_twice_changes_nothing(world):
    folder, commune, (m1, _m2, _m3) = world
    survey(m1, family(3), seed=3)
    package = exchange.export_package(m1, folder / "p.fieldsync").path
    imported(commune, package)
    before = dump(commune)
    again = exchange.import_package(commune, package)
    assert again.status == "already" and dump(commune) == before


def test_an_attached_photo_travels_with_its_survey(world):
    folder, commune, (m1, _m2, _m3) = world
    sid = survey(m1, family(5), seed=5)
    photo = bytes(range(256)) * 300  # 75 KB
    m1.attachments.add_file(sid, "nha.jpg", "image/jpeg", photo)
    imported(commune, exchange.export_package(m1, folder / "photo.fieldsync").path)
    assert commune.attachments.content(sid, "nha.jpg") == photo


def test_a_session_and_a_class_grid_from_two_laptops_reach_the_commune(world):
    """Laptop 1 logs a support session (with a person met for the first time); laptop 2
    creates a class, enrols learners and fills attendance and the progress grid. Both arrive
    at the commune through packages, and the commune's return package brings each laptop the
    other's work: every database ends the same."""
    from fieldapp.services.sessions import Helped, SessionRequest, Sessions
    from fieldapp.services.training import ClassRequest, Training
    from fieldapp.services.workflow_codes import shipped_codes

    folder, commune, (m1, m2, m3) = world
    today = lambda: TODAY  # noqa: E731
    survey(m1, family(21), seed=21)
    survey(m2, family(22), seed=22)
    village = m1.villages.list()[0]["id"]

    sessions = Sessions(m1, shipped_codes, today=today)
    helped = [p["id"] for p in m1.persons.of_household(
        m1.query("select id from households limit 1")[0]["id"])][:2]
    session_id = sessions.log(SessionRequest(
        TODAY, village, (m1.meta("current_user_id"),), ("cccd_eid_enrolment",),
        (Helped(helped[0], outcomes=("vneid_level2_activated",)),
         Helped(helped[1], outcomes=("cccd_eid_registered",)),
         Helped(new_person={"full_name": "Lò Thị Mới", "birth_year": 1990, "sex": "female"},
                outcomes=("none",))),
        follow_up_date=TODAY + dt.timedelta(days=7)))

    training = Training(m2, shipped_codes, today=today)
    class_id = training.save_class(ClassRequest(
        "Bình dân học vụ số – đợt 1", TODAY - dt.timedelta(days=1), TODAY, ("s1", "s3"),
        "citizen", village_id=village))
    learners = [training.enrol(class_id, person_id=p["id"])
                for p in m2.query("select id from persons order by name_sort")]
    for day in (TODAY - dt.timedelta(days=1), TODAY):
        training.set_attendance(class_id, day, {e: "present" for e in learners})
    training.set_levels(class_id, {(e, s): "with_help" for e in learners for s in ("s1", "s3")})

    for number, member in enumerate((m1, m2), start=1):
        imported(commune, exchange.export_package(member, folder / f"w{number}.fieldsync").path)
    assert commune.sessions.get(session_id) is not None
    assert len(commune.session_persons.of_session(session_id)) == 3
    assert "Lò Thị Mới" in [p["full_name"] for p in commune.query("select * from persons")]
    sheet = Training(commune, shipped_codes, today=today).sheet(class_id)
    assert len(sheet.learners) == len(learners) and len(sheet.dates) == 2
    assert set(sheet.levels.values()) == {"with_help"} and len(sheet.levels) == 2 * len(learners)

    # The commune's return packages bring the session to laptop 2 and the class to laptop 1.
    for number, member in enumerate((m1, m2, m3), start=1):
        back = exchange.export_package(commune, folder / f"wr{number}.fieldsync",
                                       to=f"Laptop {number}")
        imported(member, back.path)
        assert dump(member) == dump(commune)
    assert m2.sessions.get(session_id) is not None
    assert Training(m1, shipped_codes, today=today).sheet(class_id).levels == sheet.levels


def test_a_member_added_on_a_laptop_to_a_household_merged_at_the_commune_shows_on_the_survivor(
        world):
    """Merged at the commune, the absorbed household still lives on the laptop that made it:
    a person added there later arrives (a record of its own, created whole) on the survivor."""
    folder, commune, (one, two, _three) = world
    village = commune.villages.list()[0]["id"]
    kept = one.households.add_household(village, "Hoàng Văn Sơn")
    gone = two.households.add_household(village, "Hoàng Văn Sơn")
    for laptop in (one, two):
        package = exchange.export_package(laptop, folder / f"{laptop.device_id}.fieldsync")
        imported(commune, package.path)
    review.merge_households(commune, kept, gone)
    late = two.persons.add_person(gone, "Hoàng Thị Nụ", birth_year=2001)
    imported(commune, exchange.export_package(two, folder / "late.fieldsync").path)
    assert commune.persons.get(late)["household_id"] == kept
    assert [p["full_name"] for p in commune.persons.of_household(kept)] == ["Hoàng Thị Nụ"]
