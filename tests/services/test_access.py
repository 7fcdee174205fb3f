"""Roles enforced in the services: a member works on their own village only, a trainer reads
no survey answers, only commune staff administer; sign-in, PIN policy and slowing down."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fieldapp import paths
from fieldapp.core import demo_data as dd
from fieldapp.services import auth
from fieldapp.services.access import AccessDenied, Session
from fieldapp.services.demo_surveys import fill_household_survey
from fieldapp.services.forms import FormCatalog
from fieldapp.services.surveys import SurveyService
from fieldapp.services.workspace import Workspace

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def commune(setup_store):
    """Staff, a member of village 0, a trainer; one surveyed household in each of villages 0
    and 1."""
    store = setup_store
    villages = sorted(store.villages.list(), key=lambda v: v["position"])
    staff = store.users.list()[0]
    store.users.update(staff["id"], {"role": "commune_staff"})
    member = store.users.add_user("Lý Văn Một", "member", village_id=villages[0]["id"],
                                  pin_hash=auth.hash_pin("975318"))
    trainer = store.users.add_user("Triệu Thị Ba", "trainer", pin_hash=auth.hash_pin("864209"))
    svc = SurveyService(store, FormCatalog([paths.forms_dir()]), today=lambda: TODAY)
    surveyed = {}
    for index in (0, 1):
        members = [dd.Member("head", "female", 1970, "tay", "Hà", f"Hà Thị Số {index}")]
        form, instance = fill_household_survey(svc, random.Random(index),
                                               villages[index]["id"], members)
        sid = svc.save(None, form, instance, finalize=True)
        surveyed[index] = (store.submissions.get(sid)["household_id"], sid)
    return store, {"staff": staff["id"], "member": member, "trainer": trainer}, surveyed


def as_user(store, user_id) -> Workspace:
    workspace = Workspace(store, Session.of_user(store.users.get(user_id)))
    workspace.surveys.catalog = FormCatalog([paths.forms_dir()])
    return workspace


def test_a_member_cannot_read_or_change_a_household_of_another_village(commune):
    store, users, surveyed = commune
    own, own_sid = surveyed[0]
    other, other_sid = surveyed[1]
    ws = as_user(store, users["member"])
    assert ws.households.get(own)["id"] == own
    rows, total = ws.households.search("")
    assert {r["id"] for r in rows} == {own} and total == 1
    assert ws.households.search("", village_id=store.households.get(other)["village_id"]) \
        == ([], 0)
    for call in (lambda: ws.households.get(other), lambda: ws.households.members(other),
                 lambda: ws.households.rounds(other),
                 lambda: ws.households.update(other, {"phone": "0912000000"}),
                 lambda: ws.households.delete(other, "x"),
                 lambda: ws.surveys.open(other_sid),
                 lambda: ws.surveys.history(other_sid),
                 lambda: ws.surveys.new_instance("household_survey", household_id=other)):
        with pytest.raises(AccessDenied):
            call()
    assert store.households.get(other)["phone"] != "0912000000"
    assert {s["id"] for s in ws.surveys.submissions()} == {own_sid}
    ws.households.update(own, {"phone": "0912000000"})  # their own village: allowed
    with pytest.raises(AccessDenied):  # nor move a household into another village
        ws.households.update(own, {"village_id": store.households.get(other)["village_id"]})


def test_a_trainer_cannot_read_survey_answers(commune):
    store, users, surveyed = commune
    ws = as_user(store, users["trainer"])
    household, sid = surveyed[0]
    for call in (lambda: ws.surveys.open(sid), lambda: ws.surveys.history(sid),
                 lambda: ws.surveys.rounds(household),
                 lambda: ws.surveys.submissions("household_survey"),
                 lambda: ws.surveys.new_instance("household_survey"),
                 lambda: ws.households.search(""), lambda: ws.households.get(household)):
        with pytest.raises(AccessDenied):
            call()
    assert ws.surveys.submissions() == []  # none of the household surveys is listed
    form, _instance = ws.surveys.new_instance("training_progress")  # their own form
    assert form.form_id == "training_progress"


def test_only_commune_staff_administer(commune):
    store, users, surveyed = commune
    member = as_user(store, users["member"])
    for call in (lambda: member.audit.entries(), lambda: member.team.add("X", "member", None,
                                                                        "135792"),
                 lambda: member.team.retire(users["trainer"]),
                 lambda: member.team.reset_pin(users["trainer"], "135792"),
                 lambda: member.privacy.erase("households", surveyed[0][0], "x"),
                 lambda: member.backups.restore(store.path)):
        with pytest.raises(AccessDenied):
            call()
    staff = as_user(store, users["staff"])
    new = staff.team.add("Nông Thị Bốn", "member", store.villages.list()[0]["id"], "135792")
    staff.team.change_role(new, "trainer", None)
    staff.team.reset_pin(new, "246975")
    staff.team.retire(new)
    actions = [e.action for e in staff.audit.entries()]
    assert actions[:4] == ["user_retired", "pin_reset", "role_changed", "user_added"]
    with pytest.raises(Exception, match="at least one commune-staff"):
        staff.team.retire(users["staff"])


def test_pin_policy():
    for bad in ("1234", "12345", "111111", "123456", "987654", "12ab56", "1234567890123", ""):
        assert auth.pin_problem(bad), bad
    for good in ("246813", "975318", "120594", "100000000001"):
        assert auth.pin_problem(good) is None, good


def test_sign_in_slows_down_after_wrong_pins(commune):
    store, users, _surveyed = commune
    path = store.path
    store.close()
    now = [1000.0]
    for _ in range(auth.FREE_TRIES - 1):
        with pytest.raises(auth.WrongPin):
            auth.sign_in(path, users["member"], "000001", clock=lambda: now[0])
    with pytest.raises(auth.WrongPin, match="wait 30 seconds"):
        auth.sign_in(path, users["member"], "000001", clock=lambda: now[0])
    with pytest.raises(auth.SignInDelayed):  # even the right PIN waits
        auth.sign_in(path, users["member"], "975318", clock=lambda: now[0] + 10)
    now[0] += 31
    with pytest.raises(auth.WrongPin, match="wait 60 seconds"):
        auth.sign_in(path, users["member"], "000001", clock=lambda: now[0])
    now[0] += 61
    workspace = auth.sign_in(path, users["member"], "975318", clock=lambda: now[0])
    assert workspace.session.role == "member"
    event = workspace.store.audit.list()[0]
    assert event["action"] == "sign_in" and event["detail"] == {"wrong_pins_before": 4}
    workspace.close()
    workspace = auth.sign_in(path, users["member"], "975318", clock=lambda: now[0])
    assert workspace.store.audit.list()[0]["detail"] == {}  # the count started again
    workspace.close()


def test_the_field_workflows_keep_a_member_to_their_village(commune):
    """The registry outside a survey, the household page and the session log narrow a
    member's lists to their village and refuse another village's households and persons."""
    from fieldapp.services.sessions import Helped, SessionRequest

    store, users, surveyed = commune
    own, _sid = surveyed[0]
    other, _sid = surveyed[1]
    other_village = store.households.get(other)["village_id"]
    own_village = store.households.get(own)["village_id"]
    ws = as_user(store, users["member"])
    registry = ws.registry
    plan = registry.plan("", registry.filter())
    assert {r["id"] for r in registry.page(plan, 0, 50)} == {own}
    plan = registry.plan("", registry.filter(village_id=None))
    assert {r["id"] for r in registry.page(plan, 0, 50)} == {own}
    with pytest.raises(AccessDenied):
        registry.filter(village_id=other_village)
    assert registry.household(own)["id"] == own
    stranger = store.persons.of_household(other)[0]["id"]
    for call in (lambda: registry.household(other), lambda: registry.members(other),
                 lambda: registry.update_household(other, {"phone": "0912345678"}),
                 lambda: registry.tombstone_household(other, "test"),
                 lambda: registry.move_household(own, other_village),
                 lambda: registry.add_household(other_village, {"full_name": "Lò Văn Mới"}),
                 lambda: registry.person(stranger),
                 lambda: registry.update_person(stranger, {"birth_year": 1990}),
                 lambda: ws.household_page(other)):
        with pytest.raises(AccessDenied):
            call()
    assert store.households.get(other)["deleted"] == 0 and store.households.get(own)[
        "village_id"] == own_village
    person_plan = registry.person_plan("")
    assert {p["household_id"] for p in registry.person_page(person_plan, 0, 50)} == {own}
    assert ws.household_page(own).household["id"] == own

    sessions = ws.sessions
    request = SessionRequest(TODAY, other_village, (users["member"],), ("device_and_lookup",),
                             (Helped(stranger, outcomes=("none",)),))
    with pytest.raises(AccessDenied):
        sessions.log(request)
    assert store.scalar("select count(*) from sessions") == 0
    staff = as_user(store, users["staff"])
    logged = staff.sessions.log(request)
    with pytest.raises(AccessDenied):
        sessions.remove(logged, "not mine")
    assert sessions.count(sessions.filters()) == 0
    assert staff.sessions.count(staff.sessions.filters()) == 1
    # a trainer keeps away from the registry's households and the sessions, and a member
    # from the team rosters
    trainer = as_user(store, users["trainer"])
    with pytest.raises(AccessDenied):
        trainer.registry.household(own)
    with pytest.raises(AccessDenied):
        trainer.sessions.count(trainer.sessions.filters())
    with pytest.raises(AccessDenied):
        ws.teams.save_team("Tổ mới")


def test_a_trainer_is_offered_the_training_forms_only(commune):
    store, users, _surveyed = commune
    offered = {i.form_id for i in as_user(store, users["trainer"]).surveys.forms()}
    assert offered == {"training_progress"}
    assert {"household_survey", "support_session", "training_progress"} <= {
        i.form_id for i in as_user(store, users["member"]).surveys.forms()}


def test_removals_outside_a_survey_are_in_the_audit_log(commune):
    from fieldapp.services.sessions import Helped, SessionRequest

    store, users, surveyed = commune
    own, _sid = surveyed[0]
    ws = as_user(store, users["staff"])
    village = store.households.get(own)["village_id"]
    person = store.persons.of_household(own)[0]["id"]
    session = ws.sessions.log(SessionRequest(TODAY, village, (users["staff"],),
                                             ("device_and_lookup",),
                                             (Helped(person, outcomes=("none",)),)))
    ws.sessions.remove(session, "logged twice")
    ws.registry.tombstone_household(own, "moved away")
    deletions = {(e["object_table"], e["object_id"])
                 for e in store.audit.list(action="deletion")}
    assert {("sessions", session), ("households", own)} <= deletions


def test_home_shows_a_member_the_work_of_their_own_village(commune):
    from fieldapp.services.sessions import Helped, SessionRequest

    store, users, surveyed = commune
    staff = as_user(store, users["staff"])
    for index in (0, 1):
        household = surveyed[index][0]
        village = store.households.get(household)["village_id"]
        person = store.persons.of_household(household)[0]["id"]
        staff.sessions.log(SessionRequest(
            TODAY, village, (users["staff"],), ("device_and_lookup",),
            (Helped(person, outcomes=("none",)),), follow_up_date=TODAY))
    staff.surveys.catalog = FormCatalog([paths.forms_dir()])
    svc = SurveyService(store, FormCatalog([paths.forms_dir()]), today=lambda: TODAY)
    form, instance = svc.new_instance("household_survey", household_id=surveyed[1][0])
    svc.save(None, form, instance, finalize=False)  # a draft in the other village

    everything = staff.today_work(with_indicators=False)
    assert len(everything.villages) >= 2 and everything.follow_up_count == 2
    assert everything.draft_count == 1
    mine = as_user(store, users["member"]).today_work(with_indicators=False)
    own_village = store.households.get(surveyed[0][0])["village_id"]
    assert [v["id"] for v in mine.villages] == [own_village]
    assert [f["village_id"] for f in mine.follow_ups] == [own_village]
    assert mine.draft_count == 0 and mine.drafts == []
    trainer = as_user(store, users["trainer"]).today_work(with_indicators=False)
    assert trainer.follow_ups == [] and trainer.draft_count == 0


# Every removal of the services, checked for role and village in the service itself (the
# screens hide what a member may not remove; these calls go around them). Each entry: what
# staff make first, the removal, and whether the record is still there. sync.retire_device
# has its row in tests/services/test_role_matrix.py.
def _other_village_records(store, users, surveyed):
    from fieldapp.services.sessions import Helped, SessionRequest
    from fieldapp.services.training import ClassRequest

    staff = as_user(store, users["staff"])
    other = surveyed[1][0]
    village = store.households.get(other)["village_id"]
    person = store.persons.of_household(other)[0]["id"]
    session = staff.sessions.log(SessionRequest(TODAY, village, (users["staff"],),
                                                ("device_and_lookup",),
                                                (Helped(person, outcomes=("none",)),)))
    klass = staff.training.save_class(ClassRequest("Lớp bản khác", TODAY, TODAY,
                                                   skills=("s1",), learner_type="citizen",
                                                   village_id=village))
    commune_class = staff.training.save_class(ClassRequest("Lớp của xã", TODAY, TODAY,
                                                           skills=("s1",),
                                                           learner_type="citizen"))
    enrolment = staff.training.enrol(klass, person_id=person)
    team = staff.teams.save_team("Tổ bản khác", village_id=village)
    membership = staff.teams.add_member(team, user_id=users["staff"])
    return {"household": other, "person": person, "session": session, "class": klass,
            "commune_class": commune_class, "enrolment": enrolment, "team": team,
            "membership": membership, "user": users["trainer"]}


def _gone(table):
    """Tombstoned, or erased outright."""
    def gone(store, record):
        row = getattr(store, table).get(record)
        return row is None or row["deleted"] == 1
    return gone


REMOVALS = {
    "households.delete": ("household", lambda ws, r: ws.households.delete(r, "x"),
                          _gone("households")),
    "registry.tombstone_household": ("household",
                                     lambda ws, r: ws.registry.tombstone_household(r, "x"),
                                     _gone("households")),
    "registry.tombstone_person": ("person", lambda ws, r: ws.registry.tombstone_person(r, "x"),
                                  _gone("persons")),
    "sessions.remove": ("session", lambda ws, r: ws.sessions.remove(r, "x"),
                        _gone("sessions")),
    "training.remove_class": ("class", lambda ws, r: ws.training.remove_class(r, "x"),
                              _gone("classes")),
    "training.remove_class (the commune's)": (
        "commune_class", lambda ws, r: ws.training.remove_class(r, "x"), _gone("classes")),
    "training.unenrol": ("enrolment", lambda ws, r: ws.training.unenrol(r),
                         _gone("enrolments")),
    "teams.remove_team": ("team", lambda ws, r: ws.teams.remove_team(r, "x"), _gone("teams")),
    "teams.remove_member": ("membership", lambda ws, r: ws.teams.remove_member(r),
                            lambda store, r: store.team_members.get(r)["left_on"]
                            is not None),
    "privacy.erase": ("household", lambda ws, r: ws.privacy.erase("households", r, "x"),
                      _gone("households")),
    "team.retire": ("user", lambda ws, r: ws.team.retire(r), _gone("users")),
}
TRAINER_MAY = {"training.remove_class", "training.remove_class (the commune's)",
               "training.unenrol"}


@pytest.mark.parametrize("entry", sorted(REMOVALS))
def test_every_removal_checks_role_and_village_in_the_service(commune, entry):
    """A member of another village and (but for classes) a trainer are refused, with the
    record left as it was; commune staff remove it."""
    store, users, surveyed = commune
    records = _other_village_records(store, users, surveyed)
    key, remove, gone = REMOVALS[entry]
    record = records[key]
    refused = ["member"] + ([] if entry in TRAINER_MAY else ["trainer"])
    for role in refused:
        with pytest.raises(AccessDenied):
            remove(as_user(store, users[role]), record)
        assert not gone(store, record), role
    remover = "trainer" if entry in TRAINER_MAY else "staff"
    remove(as_user(store, users[remover]), record)
    assert gone(store, record)


def test_a_member_removes_and_changes_the_classes_of_their_village_only(commune):
    from fieldapp.services.training import ClassRequest

    store, users, surveyed = commune
    records = _other_village_records(store, users, surveyed)
    own_village = store.households.get(surveyed[0][0])["village_id"]
    member = as_user(store, users["member"])
    listed = {r["id"] for r in member.training.classes()}
    assert records["commune_class"] in listed and records["class"] not in listed
    with pytest.raises(AccessDenied):  # nor take it into their own village
        member.training.save_class(ClassRequest("Lớp của tôi", TODAY, TODAY, skills=("s1",),
                                                learner_type="citizen", village_id=own_village,
                                                class_id=records["class"]))
    for call in (lambda: member.training.sheet(records["class"]),
                 lambda: member.training.set_attendance(records["class"], TODAY,
                                                        {records["enrolment"]: "present"}),
                 lambda: member.training.enrol(records["commune_class"], village_id=store
                                               .households.get(surveyed[1][0])["village_id"],
                                               new_person={"full_name": "Lò Văn Lạ"})):
        with pytest.raises(AccessDenied):
            call()
    assert store.classes.get(records["class"])["name"] == "Lớp bản khác"
    own = member.training.save_class(ClassRequest("Lớp của bản", TODAY, TODAY, skills=("s1",),
                                                  learner_type="citizen",
                                                  village_id=own_village))
    member.training.remove_class(own, "entered twice")
    assert store.classes.get(own)["deleted"] == 1



def test_homes_chart_of_a_member_counts_their_village_only(make_demo, open_store, tmp_path):
    """Home's indicator chart: a member's figures are their village's (the commune report's
    computation scoped to it), not the commune's."""
    import shutil

    from fieldapp.services.today import indicators

    path = tmp_path / "demo.db"
    shutil.copy(make_demo(60, 12), path)  # the shared demo stays as it was
    store = open_store(path)
    village = sorted(store.villages.list(), key=lambda v: v["position"])[0]["id"]
    member = store.users.add_user("Lý Văn Một", "member", village_id=village)
    mine = as_user(store, member).today_work().indicators
    everyone = Workspace(store).today_work().indicators
    expected, _period = indicators(store, dt.date.today(), village)
    assert [(c.key, c.n, c.denominator) for c in mine] \
        == [(c.key, c.n, c.denominator) for c in expected]
    assert any(c.denominator for c in mine)
    assert sum(c.denominator for c in mine) < sum(c.denominator for c in everyone)
