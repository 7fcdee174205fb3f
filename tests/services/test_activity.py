"""Field activity as reports read it (services/activity.py): today from the shipped session and
training forms' submissions, through the one function to repoint when issue 10's tables land."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from readback import rows

from fieldapp.services.activity import FormActivity, activity_source, class_id_of
from fieldapp.storage.store import Store


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(50, 14)


def test_sessions_teams_and_classes_come_from_the_forms(demo):
    store = Store.open(demo)
    try:
        source = activity_source(store)
        assert isinstance(source, FormActivity)
        stored = [json.loads(r["answers"]) for r in rows(
            demo, "select answers from submissions where form_id = 'support_session'")]
        sessions = list(source.sessions())
        assert len(sessions) == len(stored)
        assert sum(len(s.persons_helped) for s in sessions) == sum(
            len(a["persons_helped"]) for a in stored)
        teams = {t.id: t for t in source.teams()}
        assert all(s.team_id in teams for s in sessions)
        june = list(source.sessions(dt.date(2026, 6, 1), dt.date(2026, 6, 30)))
        assert june and all(s.date.month == 6 for s in june)
        classes = source.classes()
        records = [json.loads(r["answers"]) for r in rows(
            demo, "select answers from submissions where form_id = 'training_progress'")]
        assert {c.name for c in classes} == {r["class_name"] for r in records}
        one = classes[0]
        assert one.id == class_id_of(one.name)
        mine = [a for a in source.assessments(one.id)]
        assert len(mine) == sum(r["class_name"] == one.name for r in records)
        assert all(a.levels == {} for a in mine if a.attendance == "absent")
    finally:
        store.close()
