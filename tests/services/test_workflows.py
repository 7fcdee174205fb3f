"""Services of the field workflows: the registry outside a survey, sessions, training, teams,
Home's work, and the checks that refuse bad input with the field named and nothing written."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from fieldapp.core import demo_data as dd
from fieldapp.services.demo_surveys import fill_household_survey
from fieldapp.services.household_page import household_page
from fieldapp.services.registry import Registry
from fieldapp.services.sessions import Helped, SessionRequest, Sessions
from fieldapp.services.surveys import NEW_HOUSEHOLD, ProbableDuplicate, SurveyService
from fieldapp.services.teams import Teams
from fieldapp.services.today import today_work
from fieldapp.services.training import ClassRequest, Training
from fieldapp.services.validation import FieldError, FieldErrors
from fieldapp.services.workflow_codes import shipped_codes

TODAY = dt.date(2026, 11, 23)


def today():
    return TODAY


def _fill_households():
    """tests/ui/conftest.py's households (loaded under its own name: two conftest modules)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "ui" / "conftest.py"
    spec = importlib.util.spec_from_file_location("ui_households_fixture", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fill_households


@pytest.fixture
def world(setup_store):
    """The three-village commune with a few households (as the UI tests use)."""
    ids = _fill_households()(setup_store)
    return setup_store, ids


def changes(store) -> int:
    return store.log.count()


# -- the registry ---------------------------------------------------------------------------------

def test_add_a_household_with_its_head_and_correct_them(world):
    store, _ids = world
    registry = Registry(store, today=today)
    village = store.villages.list()[1]["id"]
    household = registry.add_household(village, {"full_name": "Lò  Văn   Tám", "sex": "male",
                                                 "birth_year": 1980},
                                       {"ethnicity": "tay", "phone": "0912 345 678"})
    row = registry.household(household)
    assert (row["head_name"], row["phone"], row["ethnicity"]) == ("Lò Văn Tám", "0912345678",
                                                                   "tay")
    head = registry.members(household)[0]
    assert (head["relation"], head["ethnicity"]) == ("head", "tay")
    # The head's name is the household's: corrected once, both change.
    registry.update_person(head["id"], {"full_name": "Lò Văn Tâm"})
    assert registry.household(household)["head_name"] == "Lò Văn Tâm"
    registry.move_household(household, store.villages.list()[2]["id"])
    assert registry.household(household)["village_id"] == store.villages.list()[2]["id"]
    fields = {c.field for c in store.households.history(household)}
    assert {"village_id", "head_name", "phone"} <= fields


@pytest.mark.parametrize("values, field", [
    ({"full_name": "X"}, "full_name"),
    ({"full_name": "Lò Văn Tám", "birth_year": 1850}, "birth_year"),
    ({"full_name": "Lò Văn Tám", "birth_year": 2999}, "birth_year"),
    ({"full_name": "Lò Văn Tám", "birth_year": "năm"}, "birth_year"),
    ({"full_name": "Lò Văn Tám", "sex": "other"}, "sex"),
])
def test_bad_person_values_name_the_field_and_write_nothing(world, values, field):
    store, ids = world
    registry = Registry(store, today=today)
    before = changes(store)
    with pytest.raises(FieldError) as refused:
        registry.add_person(ids["Nông Thị Mai"], {**values, "relation": "child"})
    assert refused.value.field == field
    assert changes(store) == before


def test_several_bad_values_are_reported_together(world):
    store, _ids = world
    registry = Registry(store, today=today)
    with pytest.raises(FieldErrors) as refused:
        registry.add_household("", {"full_name": ""}, {"phone": "12345"})
    assert set(refused.value.errors) == {"village_id", "full_name", "phone"}


def test_tombstone_with_a_reason_and_restore(world):
    store, ids = world
    registry = Registry(store, today=today)
    household = ids["Triệu Thị Yến"]
    with pytest.raises(FieldError) as refused:
        registry.tombstone_household(household, "  ")
    assert refused.value.field == "reason"
    registry.tombstone_household(household, "moved away")
    assert store.households.get(household)["deleted_reason"] == "moved away"
    plan = registry.plan("", registry.filter(status="deleted"))
    assert [r["head_name"] for r in registry.page(plan, 0, 10)] == ["Triệu Thị Yến"]
    assert registry.plan("trieu", registry.filter()).total == 0
    with pytest.raises(Exception):
        registry.add_person(household, {"full_name": "Triệu Văn Một"})
    registry.restore_household(household)
    assert registry.plan("trieu", registry.filter()).total == 1
    # The head cannot leave while others live in the household.
    members = registry.members(ids["Đặng Văn Hùng"])
    with pytest.raises(FieldError):
        registry.tombstone_person(members[0]["id"], "died")
    registry.tombstone_person(members[2]["id"], "moved away")
    assert [p["full_name"] for p in registry.members(ids["Đặng Văn Hùng"])] == [
        "Đặng Văn Hùng", "Đặng Thị Lan"]
    registry.restore_person(members[2]["id"])
    assert len(registry.members(ids["Đặng Văn Hùng"])) == 3


def test_similar_households_are_alike_heads_of_the_same_village(world):
    store, _ids = world
    registry = Registry(store, today=today)
    villages = sorted(store.villages.list(), key=lambda v: v["position"])
    alike = registry.similar_households(villages[0]["id"], "dang van hung")
    assert [h["head_name"] for h in alike] == ["Đặng Văn Hùng"]
    assert registry.similar_households(villages[1]["id"], "Đặng Văn Hùng") == []
    assert registry.similar_households(villages[0]["id"], "Đặng Văn Phong") == []


# -- finalizing a survey never creates a silent duplicate -------------------------------------------

def test_finalizing_a_new_household_like_a_registered_one_asks_first(world, complete_form):
    store, ids = world
    service = SurveyService(store, today=today)
    village = sorted(store.villages.list(), key=lambda v: v["position"])[0]["id"]
    members = [dd.Member("head", "male", 1970, "dao", "Đặng", "Đặng Văn Hùng"),
               dd.Member("spouse", "female", 1982, "dao", "Đặng", "Đặng Thị Lan"),
               dd.Member("child", "male", 2012, "dao", "Đặng", "Đặng Văn Sơn")]
    form, instance = fill_household_survey(service, random.Random(3), village, members)
    households = store.scalar("select count(*) from households")
    with pytest.raises(ProbableDuplicate) as asked:
        service.save(None, form, instance, finalize=True)
    assert [c["id"] for c in asked.value.candidates] == [ids["Đặng Văn Hùng"]]
    assert store.scalar("select count(*) from households") == households
    assert store.scalar("select count(*) from submissions") == 0  # nothing half-way
    # "It is this household": its round updates it; Lan is matched, Sơn is new.
    submission = service.save(None, form, instance, finalize=True,
                              household_choice=ids["Đặng Văn Hùng"])
    assert store.scalar("select count(*) from households") == households
    assert store.submissions.get(submission)["household_id"] == ids["Đặng Văn Hùng"]
    names = [p["full_name"] for p in store.persons.of_household(ids["Đặng Văn Hùng"])]
    assert sorted(names) == ["Đặng Thị Lan", "Đặng Văn Hùng", "Đặng Văn Phúc", "Đặng Văn Sơn"]
    # Another family of a like name: created when the user says so.
    form, instance = fill_household_survey(service, random.Random(4), village, members)
    service.save(None, form, instance, finalize=True, household_choice=NEW_HOUSEHOLD)
    assert store.scalar("select count(*) from households") == households + 1


# -- the household page ---------------------------------------------------------------------------

def test_household_page_glance_from_the_latest_answers_and_the_timeline(world, complete_form):
    store, ids = world
    household = ids["Nông Thị Mai"]
    service = SurveyService(store, today=today)
    person = store.persons.of_household(household)[0]
    for own in (False, True):
        form, instance = service.new_instance("household_survey", household_id=household)
        instance.set_value("consent", "yes")
        instance.set_value("members[0]/member_status", "same")
        for name, value in (("absent_who", "nobody"), ("self_who", "1"),
                            ("phone_own_who", "1" if own else "nobody"),
                            ("phone_shared_who", "nobody"), ("vneid_who", "nobody")):
            if instance.is_relevant(name):
                instance.set_value(name, value)
        complete_form(instance)
        service.save(None, form, instance, finalize=True)
    sessions = Sessions(store, shipped_codes)  # dated today, as the rounds are
    sessions.log(SessionRequest(dt.date.today(), store.households.get(household)["village_id"],
                                (store.meta("current_user_id"),), ("device_and_lookup",),
                                (Helped(person["id"], outcomes=("scam_guidance",
                                                                "vneid_level2_activated")),),
                                follow_up_date=dt.date.today() + dt.timedelta(days=3)))
    page = household_page(store, Registry(store, today=today), household)
    glance = page.persons[0]["glance"]
    assert glance["smartphone"] == "yes"  # the newest round decides
    # The latest known status: what a session achieved since the round raises it.
    assert glance["vneid"] == "yes"
    assert [e.kind for e in page.timeline] == ["session", "round", "round"]
    assert page.timeline[0].details["persons"][0]["outcomes"] == ["scam_guidance",
                                                                  "vneid_level2_activated"]
    assert len(page.rounds) == 2 and len(page.follow_ups) == 1
    # Registries without a survey (the demo) answer from the person's properties.
    other = ids["Đặng Văn Hùng"]
    lan = store.persons.of_household(other)[1]
    store.persons.update(lan["id"], {"properties": {"smartphone": "shared", "vneid": "level2"}})
    page = household_page(store, Registry(store, today=today), other)
    glance = next(p["glance"] for p in page.persons if p["id"] == lan["id"])
    assert (glance["smartphone"], glance["vneid"], glance["dvc"]) == ("partly", "yes", None)


# -- sessions ---------------------------------------------------------------------------------------

@pytest.fixture
def sessions(world):
    store, _ids = world
    return Sessions(store, shipped_codes, today=today)


def request_for(store, **changes):
    village = sorted(store.villages.list(), key=lambda v: v["position"])[0]["id"]
    person = store.query("select id from persons where full_name = 'Đặng Thị Lan'")[0]["id"]
    values = dict(date=TODAY, village_id=village, members=(store.meta("current_user_id"),),
                  activities=("cccd_eid_enrolment",),
                  helped=(Helped(person, outcomes=("vneid_level2_activated",)),))
    values.update(changes)
    return SessionRequest(**values)


@pytest.mark.parametrize("changes, field", [
    ({"date": TODAY + dt.timedelta(days=1)}, "date"),
    ({"date": "23/11/2026"}, "date"),
    ({"village_id": None}, "village_id"),
    ({"members": ()}, "members"),
    ({"activities": ()}, "activities"),
    ({"activities": ("knitting",)}, "activities"),
    ({"follow_up_date": TODAY - dt.timedelta(days=1)}, "follow_up_date"),
    ({"duration_min": 0}, "duration_min"),
    ({"helped": (Helped(None, None),)}, "helped"),
    ({"helped": (Helped(new_person={"full_name": "L"}),)}, "new_person"),
])
def test_a_bad_session_names_the_field_and_writes_nothing(world, sessions, changes, field):
    store, _ids = world
    before = changes_count = store.log.count()
    with pytest.raises((FieldError, FieldErrors)) as refused:
        sessions.log(request_for(store, **changes))
    fields = getattr(refused.value, "errors", {getattr(refused.value, "field", ""): ""})
    assert field in fields
    assert store.log.count() == before == changes_count


@pytest.mark.parametrize("outcomes, other", [
    (("none", "vneid_level2_activated"), ""), (("other",), ""), (("flying",), "")])
def test_outcomes_follow_the_forms_rules(world, sessions, outcomes, other):
    store, _ids = world
    person = store.query("select id from persons limit 1")[0]["id"]
    with pytest.raises(FieldError) as refused:
        sessions.log(request_for(store, helped=(Helped(person, outcomes=outcomes,
                                                       outcome_other=other),)))
    assert refused.value.field == "outcomes"


def test_a_tombstoned_person_cannot_be_helped(world, sessions):
    store, _ids = world
    person = store.query("select id from persons where full_name = 'Đặng Văn Phúc'")[0]["id"]
    store.persons.tombstone(person, "moved away")
    with pytest.raises(FieldError) as refused:
        sessions.log(request_for(store, helped=(Helped(person),)))
    assert "Đặng Văn Phúc was removed" in str(refused.value)


def test_log_correct_follow_up_and_list(world, sessions):
    store, _ids = world
    session = sessions.log(request_for(store, follow_up_date=TODAY + dt.timedelta(days=5)))
    assert [s["id"] for s in sessions.due()] == [session]
    # Correcting: a person added, the other's outcome changed; ids are stable.
    request = sessions.request_from(session)
    other = store.query("select id from persons where full_name = 'Trần Văn Bình'")[0]["id"]
    request.helped = (Helped(request.helped[0].person_id, outcomes=("cccd_eid_registered",)),
                      Helped(other, outcomes=("none",)))
    assert sessions.log(request) == session
    helped = {h["full_name"]: h["outcomes"] for h in store.session_persons.of_session(session)}
    assert helped == {"Đặng Thị Lan": "cccd_eid_registered", "Trần Văn Bình": "none"}
    # Its follow-up session makes it done.
    follow = sessions.log(request_for(store, follow_up_of=session,
                                      activities=("dvc_and_signature",)))
    assert sessions.due() == []
    assert sessions.count(sessions.filters(activity="dvc_and_signature")) == 1
    assert sessions.count(sessions.filters(member_id=store.meta("current_user_id"))) == 2
    assert sessions.count(sessions.filters(date_from="2026-12-01")) == 0
    assert [s["id"] for s in sessions.page(sessions.filters(), 0, 10)] == [follow, session]


# -- training ----------------------------------------------------------------------------------------

@pytest.fixture
def training(world):
    store, _ids = world
    return Training(store, shipped_codes, today=today)


def a_class(training, **changes):
    values = dict(name="Lớp S1", start_date=TODAY - dt.timedelta(days=2), end_date=TODAY,
                  skills=("s1", "s3"), learner_type="citizen")
    values.update(changes)
    return training.save_class(ClassRequest(**values))


@pytest.mark.parametrize("changes, field", [
    ({"name": "L"}, "name"), ({"end_date": TODAY - dt.timedelta(days=3)}, "end_date"),
    ({"skills": ()}, "skills"), ({"skills": ("s99",)}, "skills"),
    ({"learner_type": "tourist"}, "learner_type"),
])
def test_a_bad_class_is_refused(world, training, changes, field):
    with pytest.raises((FieldError, FieldErrors)) as refused:
        a_class(training, **changes)
    fields = getattr(refused.value, "errors", {getattr(refused.value, "field", ""): ""})
    assert field in fields


def test_enrol_attend_and_progress_with_the_forms_codes(world, training):
    store, _ids = world
    class_id = a_class(training)
    persons = [r["id"] for r in store.query("select id from persons order by name_sort")]
    learners = [training.enrol(class_id, person_id=p) for p in persons[:3]]
    assert training.enrol(class_id, person_id=persons[0]) == learners[0]  # once only
    new = training.enrol(class_id, new_person={"full_name": "Hà Thị Học", "birth_year": 2001},
                         village_id=store.villages.list()[0]["id"])
    assert len(training.sheet(class_id).learners) == 4 and new not in learners
    training.set_attendance(class_id, TODAY, {learners[0]: "present", learners[1]: "absent"})
    training.set_levels(class_id, {(learners[0], "s1"): "shown"})
    training.set_level(class_id, learners[0], "s1", "alone")  # a later level: history kept
    sheet = training.sheet(class_id)
    assert sheet.dates == [TODAY.isoformat()]
    assert sheet.levels == {(learners[0], "s1"): "alone"}
    record = store.query("select id from progress")[0]["id"]
    assert [c.value for c in store.progress.history(record) if c.field == "level"] == [
        "shown", "alone"]
    history = training.history(person_id=persons[0])
    assert history[0]["levels"] == {"s1": "alone"} and history[0]["days_present"] == 1


@pytest.mark.parametrize("call, field", [
    (lambda t, c, e: t.set_attendance(c, TODAY - dt.timedelta(days=5), {e: "present"}),
     "date"),
    (lambda t, c, e: t.set_attendance(c, TODAY + dt.timedelta(days=1), {e: "present"}),
     "date"),
    (lambda t, c, e: t.set_attendance(c, TODAY, {e: "sleeping"}), "status"),
    (lambda t, c, e: t.set_level(c, e, "s1", "expert"), "level"),
    (lambda t, c, e: t.set_level(c, e, "s12", "shown"), "skill"),
])
def test_bad_attendance_and_levels_are_refused(world, training, call, field):
    store, _ids = world
    class_id = a_class(training, start_date=TODAY - dt.timedelta(days=2),
                       end_date=TODAY + dt.timedelta(days=2))
    person = store.query("select id from persons limit 1")[0]["id"]
    enrolment = training.enrol(class_id, person_id=person)
    before = store.log.count()
    with pytest.raises(FieldError) as refused:
        call(training, class_id, enrolment)
    assert refused.value.field == field
    assert store.log.count() == before


def test_a_tombstoned_person_cannot_be_enrolled_and_members_are_users(world, training):
    store, _ids = world
    class_id = a_class(training)
    person = store.query("select id from persons limit 1")[0]["id"]
    store.persons.tombstone(person, "died")
    with pytest.raises(FieldError) as refused:
        training.enrol(class_id, person_id=person)
    assert refused.value.field == "learner" and "removed from the registry" in str(refused.value)
    members = a_class(training, learner_type="member", skills=("m1", "m2"))
    enrolment = training.enrol(members, user_id=store.meta("current_user_id"))
    assert training.sheet(members).learners[0]["learner_name"] == "Hoàng Thị Mai"
    assert training.history(user_id=store.meta("current_user_id"))[0]["enrolment_id"] == enrolment


def test_a_class_cannot_shrink_around_its_attendance(world, training):
    store, _ids = world
    class_id = a_class(training)
    person = store.query("select id from persons limit 1")[0]["id"]
    training.set_attendance(class_id, TODAY - dt.timedelta(days=2),
                            {training.enrol(class_id, person_id=person): "present"})
    with pytest.raises(FieldError) as refused:
        a_class(training, class_id=class_id, start_date=TODAY - dt.timedelta(days=1))
    assert refused.value.field == "start_date"


# -- teams -------------------------------------------------------------------------------------------

def test_teams_members_and_their_activity(world, sessions):
    store, _ids = world
    teams = Teams(store, today=today)
    village = sorted(store.villages.list(), key=lambda v: v["position"])[0]["id"]
    team = teams.save_team("Tổ CNSCĐ Bản Khuông", village_id=village)
    me = store.meta("current_user_id")
    teams.add_member(team, user_id=me, role="leader", affiliation="village_official")
    newcomer = teams.add_member(team, name="Nông Văn Tư", affiliation="youth_union")
    assert [(m["user_name"], m["role"]) for m in teams.members(team)] == [
        ("Hoàng Thị Mai", "leader"), ("Nông Văn Tư", "member")]
    assert store.users.get(store.team_members.get(newcomer)["user_id"])["pin_hash"] is None
    with pytest.raises(FieldError):
        teams.add_member(team, user_id=me, role="chief")
    sessions.log(request_for(store))  # the team of the member present is the session's
    activity = teams.activity(team)
    assert (activity.sessions, activity.persons, activity.households) == (1, 1, 1)
    assert activity.by_activity == {"cccd_eid_enrolment": 1}
    assert activity.by_outcome == {"vneid_level2_activated": 1}
    assert activity.outcomes_by_activity == {"cccd_eid_enrolment": {"vneid_level2_activated": 1}}
    assert activity.reach == pytest.approx(1 / 2)  # one of the village's two households
    teams.remove_member(newcomer)
    assert [m["user_name"] for m in teams.members(team)] == ["Hoàng Thị Mai"]


# -- Home ---------------------------------------------------------------------------------------------

def test_today_work_counts_what_waits(world, sessions, complete_form):
    store, ids = world
    service = SurveyService(store, today=today)
    form, instance = service.new_instance("household_survey", household_id=ids["Nông Thị Mai"])
    service.save(None, form, instance, finalize=False)  # a draft of a later round
    form, instance = service.new_instance("household_survey",
                                          household_id=ids["Triệu Thị Yến"])
    instance.set_value("consent", "yes")
    if instance.is_relevant("absent_who"):
        instance.set_value("absent_who", "nobody")
    complete_form(instance)
    service.save(None, form, instance, finalize=True)
    sessions.log(request_for(store, follow_up_date=TODAY + dt.timedelta(days=2)))
    work = today_work(store, today=lambda: dt.date.today())
    assert work.draft_count == 1 and work.drafts[0]["head_name"] == "Nông Thị Mai"
    assert work.follow_up_count == 1
    assert (work.households, work.never_surveyed, work.this_round) == (6, 5, 1)
    # The laptop that set the commune up is the commune's, before its sync identity exists.
    assert work.pending is None and not work.joined
    # Home's chart: the survey's estimates of this year, as the commune report computes them
    # (tests/services/test_one_computation.py); one household: no share shown.
    assert [i.key for i in work.indicators][:2] == ["smartphone", "smartphone_access"]
    assert all(not i.shown and i.text in ("–", "—") for i in work.indicators)
    from fieldapp.services.indicators import Period

    assert work.indicators_period == Period.of("year", dt.date.today().year).label()


# -- codes come from the forms -------------------------------------------------------------------------

def test_codes_are_the_shipped_forms(world):
    codes = shipped_codes()
    assert [c.code for c in codes.levels] == ["not_started", "shown", "with_help", "alone"]
    assert [s.code for s in codes.skills] == [f"s{i}" for i in range(1, 13)] + ["m1", "m2"]
    assert [s.code for s in codes.skills if s.members_only] == ["m1", "m2"]
    assert [c.code for c in codes.learner_types] == ["citizen", "member", "official"]
    assert codes.activity("cccd_eid_enrolment").label("vi").startswith("Đưa người dân")
    assert codes.outcome("vneid_level2_activated").label("en") == "VNeID level 2 activated"


def test_demo_field_work_uses_the_forms_codes():
    from fieldapp.core import demo_work as dw

    codes = shipped_codes()
    activities = {c.code for c in codes.activities}
    outcomes = {c.code for c in codes.outcomes}
    assert set(dw.ACTIVITY_OUTCOMES) == activities == set(dw.ACTIVITY_WEIGHTS)
    assert {o for values in dw.ACTIVITY_OUTCOMES.values() for o in values} <= outcomes
    skills = {s.code for s in codes.skills}
    assert all(set(t.skills) <= skills for t in dw.CLASS_TEMPLATES)
    assert {t.learner_type for t in dw.CLASS_TEMPLATES} == {c.code for c in codes.learner_types}
    assert set(dw.ATTENDANCE_WEIGHTS) == {c.code for c in codes.attendance}


def test_demo_commune_holds_teams_sessions_classes_and_progress(tmp_path):
    from fieldapp.services.demo import create_demo
    from fieldapp.storage.store import Store

    summary = create_demo(tmp_path / "demo.db", households=120, seed=5)
    assert summary["teams"] >= 9 and summary["sessions"] > 50 and summary["classes"] >= 5
    store = Store.open(tmp_path / "demo.db")
    try:
        assert store.scalar("select count(*) from progress") > 0
        assert store.scalar("select count(*) from team_members") > 0
        assert store.scalar("select count(*) from sessions where follow_up_date is not null "
                            "and follow_up_done is null") > 0
        # Everything went through the change log.
        for table in ("teams", "sessions", "session_persons", "classes", "enrolments",
                      "attendance", "progress"):
            assert store.scalar(f"select count(*) from sync_records where tbl = '{table}'") \
                == store.scalar(f"select count(*) from {table}")
        rows = [json.loads(line) for line in store.dump()]
        assert any(r["table"] == "sessions" for r in rows)
    finally:
        store.close()
