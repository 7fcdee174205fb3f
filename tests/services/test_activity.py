"""Field activity as reports read it (services/activity.py): the records of the Sessions,
Training and Teams screens, and the shipped session and training forms filled in the Surveys
screen, each recomputed here from the stored rows."""

from __future__ import annotations

import datetime as dt

import pytest
from readback import rows

from fieldapp.services.activity import (
    CombinedActivity, FormActivity, RecordActivity, activity_source, class_id_of)
from fieldapp.services.surveys import SurveyService
from fieldapp.storage.store import Store


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(50, 14)


def test_sessions_teams_and_classes_come_from_the_records(demo):
    store = Store.open(demo)
    try:
        source = activity_source(store)
        assert isinstance(source, CombinedActivity)
        sessions = list(source.sessions())
        assert len(sessions) == rows(demo, "select count(*) n from sessions "
                                           "where deleted = 0")[0]["n"]
        helped = rows(demo, "select count(*) n from session_persons p join sessions s "
                            "on s.id = p.session_id where p.deleted = 0 and s.deleted = 0 "
                            "and p.person_id is not null")[0]["n"]
        assert sum(len(s.persons_helped) for s in sessions) == helped
        teams = {t.id: t for t in source.teams()}
        assert set(teams) == {r["id"] for r in rows(demo, "select id from teams "
                                                          "where deleted = 0")}
        assert all(t.name for t in teams.values())
        assert all(s.team_id in teams for s in sessions if s.team_id)
        june = list(source.sessions(dt.date(2026, 6, 1), dt.date(2026, 6, 30)))
        assert june and all(s.date.month == 6 for s in june)
        assert len(june) == rows(demo, "select count(*) n from sessions where deleted = 0 "
                                       "and date between '2026-06-01' and '2026-06-30'")[0]["n"]

        classes = source.classes()
        assert {c.name for c in classes} == {r["name"] for r in rows(
            demo, "select name from classes where deleted = 0")}
        one = next(c for c in classes if c.learners)
        assert len(one.learners) == rows(demo, "select count(*) n from enrolments where "
                                               "class_id = ? and deleted = 0", [one.id])[0]["n"]
        mine = list(source.assessments(one.id))
        marks = rows(demo, "select count(*) n from attendance where class_id = ? "
                           "and deleted = 0 and status is not null", [one.id])[0]["n"]
        assert sum(1 for a in mine if a.attendance) == marks
        levels = rows(demo, "select count(*) n from progress where class_id = ? "
                            "and deleted = 0 and level is not null", [one.id])[0]["n"]
        assert sum(len(a.levels) for a in mine) == levels
        assert [a.date for a in mine] == sorted(a.date for a in mine)
    finally:
        store.close()


def _fill(service: SurveyService, form_id: str, answers: dict, complete) -> str:
    form, instance = service.new_instance(form_id)
    for path, value in answers.items():
        instance.set_value(path, value)
    complete(instance)
    return service.save(None, form, instance, finalize=True)


def test_a_session_and_a_class_filled_as_forms_count_too(demo, tmp_path, complete_form):
    copy = tmp_path / "copy.db"
    copy.write_bytes(demo.read_bytes())
    store = Store.open(copy)
    try:
        service = SurveyService(store)
        village = store.villages.list()[0]["id"]
        before = list(activity_source(store).sessions())
        _fill(service, "support_session", {"session_date": "2026-06-15",
                                           "village": village, "follow_up": "no",
                                           "duration_min": "60"}, complete_form)
        _fill(service, "training_progress", {"class_name": "Lớp học thử",
                                             "training_date": "2026-06-16"}, complete_form)
        forms = FormActivity(store)
        [session] = list(forms.sessions())
        assert session.date == dt.date(2026, 6, 15) and session.village_id == village
        combined = activity_source(store)
        after = list(combined.sessions())
        assert len(after) == len(before) + 1
        # The form's session counts for the village's recorded team.
        team = {t.village_id: t.id for t in RecordActivity(store).teams()}
        assert [s.team_id for s in after if s.id == session.id] == [team.get(village)]
        assert "Lớp học thử" in {c.name for c in combined.classes()}
        assert [a.class_id for a in combined.assessments(class_id_of("Lớp học thử"))] \
            == [class_id_of("Lớp học thử")]
    finally:
        store.close()
