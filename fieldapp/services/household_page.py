"""One household's page: its people with their latest answers at a glance, a timeline of its
survey rounds and of the sessions and classes its people took part in, and follow-ups due.

Everything is read in a handful of indexed queries (bench_workflows.py: a household of ten
persons and five rounds); labels of codes are the screen's business.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.glance import person_glance, roster_rows
from fieldapp.core.records import ROW_KEY
from fieldapp.storage.registry import HOUSEHOLD_SURVEY
from fieldapp.storage.store import Store

FOLLOW_UP_ANY = "9999-12-31"


@dataclass
class TimelineEvent:
    date: str
    """ISO date (or time) the event happened."""
    kind: str
    """"round" (a finalized household survey), "draft", "session" or "training"."""
    ref: str
    """The submission, session or class id."""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class HouseholdPage:
    household: dict[str, Any]
    persons: list[dict[str, Any]]
    """Live members (head first), each with ``glance``: {indicator: yes/partly/no/None}."""
    removed: list[dict[str, Any]]
    """Tombstoned members, with their reason."""
    rounds: list[dict[str, Any]]
    """Finalized household survey rounds, newest first."""
    drafts: list[dict[str, Any]]
    timeline: list[TimelineEvent]
    follow_ups: list[dict[str, Any]]


def _answers(row: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(row.get("answers") or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _rows_by_person(rounds: list[dict[str, Any]], store: Store) -> dict[str, list[dict]]:
    """{person id: roster rows of that person}, newest round first."""
    out: dict[str, list[dict]] = {}
    for submission in rounds:
        answers = submission["_answers"]
        persons = store.submissions.entities(submission).get("persons", {})
        for row in roster_rows(answers):
            person_id = persons.get(str(row.get(ROW_KEY))) or row.get("existing_person")
            if person_id:
                out.setdefault(person_id, []).append(row)
    return out


def household_page(store: Store, registry, household_id: str, *,
                   today: dt.date | None = None) -> HouseholdPage | None:
    """The page of ``household_id`` (None if there is no such household)."""
    household = registry.household(household_id)
    if household is None:
        return None
    everyone = registry.members(household_id, with_deleted=True)
    persons = [p for p in everyone if not p["deleted"]]
    removed = [p for p in everyone if p["deleted"]]
    submissions = store.submissions.of_household(household_id, HOUSEHOLD_SURVEY)
    rounds, drafts = [], []
    for row in submissions:
        row["_answers"] = _answers(row)
        row["interview_result"] = row["_answers"].get("interview_result")
        (rounds if row["status"] == "final" else drafts).append(row)
    by_person = _rows_by_person(rounds, store)
    helped = store.sessions.of_households([household_id])
    latest = (rounds[0]["finalized_at"] or "")[:10] if rounds else ""
    since: dict[str, set[str]] = {}
    for row in helped:  # outcomes reached after the latest round: newer than any answer
        if row.get("person_id") and (row.get("date") or "") >= latest:
            since.setdefault(row["person_id"], set()).update((row.get("outcomes") or "").split())
    for person in persons:
        try:
            properties = json.loads(person.get("properties") or "{}")
        except ValueError:
            properties = {}
        person["glance"] = person_glance(by_person.get(person["id"], []), properties,
                                         since.get(person["id"], ()))
    timeline: list[TimelineEvent] = []
    for row in rounds:
        timeline.append(TimelineEvent(
            (row["finalized_at"] or row["updated_at"] or "")[:10], "round", row["id"],
            {"result": row["interview_result"], "user_name": row["user_name"]}))
    for row in drafts:
        timeline.append(TimelineEvent((row["updated_at"] or "")[:10], "draft", row["id"],
                                      {"user_name": row["user_name"]}))
    sessions: dict[str, TimelineEvent] = {}
    for row in helped:
        event = sessions.get(row["session_id"])
        if event is None:
            event = sessions[row["session_id"]] = TimelineEvent(
                row["date"], "session", row["session_id"],
                {"activities": (row["activities"] or "").split(), "persons": []})
            timeline.append(event)
        event.details["persons"].append(
            {"name": row["full_name"] or "", "outcomes": (row["outcomes"] or "").split(),
             "outcome_other": row["outcome_other"]})
    classes: dict[str, TimelineEvent] = {}
    names = {p["id"]: p["full_name"] for p in everyone}
    for row in store.enrolments.of_persons([p["id"] for p in everyone]):
        event = classes.get(row["class_id"])
        if event is None:
            event = classes[row["class_id"]] = TimelineEvent(
                row["start_date"], "training", row["class_id"],
                {"name": row["name"], "end_date": row["end_date"],
                 "skills": (row["skills"] or "").split(), "learners": []})
            timeline.append(event)
        event.details["learners"].append(names.get(row["person_id"], ""))
    timeline.sort(key=lambda e: (e.date or "", e.kind), reverse=True)
    for row in rounds + drafts:
        row.pop("_answers", None)
        row.pop("answers", None)
    follow_ups = store.sessions.follow_ups(FOLLOW_UP_ANY, household_ids=[household_id])
    return HouseholdPage(household, persons, removed, rounds, drafts, timeline, follow_ups)
