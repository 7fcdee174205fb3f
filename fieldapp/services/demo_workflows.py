"""The demo commune's field work: teams, a year of support sessions with the people helped and
their outcomes, training classes with learners, attendance and progress.

Written through the repositories (so through the change log, like any record), after the
households, from the registry as it is in the database (whatever made the households); ids and
draws come from the seeded generators, so the same seed gives the same records.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from typing import Any

from fieldapp.core import demo_data as dd
from fieldapp.core import demo_work as dw
from fieldapp.services.sessions import helped_id
from fieldapp.services.teams import TEAM_NAMESPACE
from fieldapp.services.training import _stable
from fieldapp.storage.store import Store


def _uuid(ids: random.Random) -> str:
    return str(uuid.UUID(int=ids.getrandbits(128), version=4))


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def add_field_work(store: Store, rng: random.Random, ids: random.Random,
                   stop: Callable[[], None] = lambda: None) -> dict[str, int]:
    """Teams, sessions and classes for the demo commune in ``store``; returns counts."""
    villages = store.villages.list()
    users = store.users.list()
    members_of = {v["id"]: [u for u in users if u["village_id"] == v["id"]
                            and u["role"] == "member"] for v in villages}
    staff = [u for u in users if u["role"] == "commune_staff"]
    trainers = [u for u in users if u["role"] == "trainer"]
    people: dict[str, list[dict[str, Any]]] = {}
    for row in store.persons.live_with_village():
        people.setdefault(row["village_id"], []).append(row)
    with store.transaction():
        teams = _teams(store, rng, ids, villages, members_of, staff)
    stop()
    sessions, helped = _sessions(store, rng, ids, villages, teams, members_of, people, staff)
    stop()
    with store.transaction():
        classes, learners = _classes(store, rng, ids, villages, people, users, trainers)
    return {"teams": len(teams), "sessions": sessions, "helped": helped, "classes": classes,
            "learners": learners}


def _teams(store: Store, rng: random.Random, ids: random.Random, villages, members_of,
           staff) -> dict[str, str]:
    """{village id or "": team id}: one team per village and the commune's team."""
    commune_id = store.meta("commune_id")
    teams: dict[str, str] = {}
    rows, memberships = [], []

    def member(team_id: str, user: dict[str, Any], role: str, affiliations) -> None:
        memberships.append({"id": str(uuid.uuid5(TEAM_NAMESPACE, f"{team_id}/{user['id']}")),
                            "team_id": team_id, "user_id": user["id"], "role": role,
                            "affiliation": rng.choice(affiliations),
                            "joined_on": "2024-0{}-15".format(rng.randint(3, 9))})

    commune = store.communes.get(commune_id) if commune_id else None
    team_id = _uuid(ids)
    teams[""] = team_id
    rows.append({"id": team_id, "commune_id": commune_id, "village_id": None,
                 "level": "commune", "name": "Tổ công nghệ số cộng đồng "
                 + (commune["name"].replace(" (demo)", "") if commune else "xã")})
    leaders = [m[0] for m in members_of.values() if m]
    for i, user in enumerate(staff + leaders[:3]):
        member(team_id, user, "leader" if i == 0 else "deputy" if i == 1 else "member",
               dw.COMMUNE_TEAM_AFFILIATIONS)
    for village in villages:
        team_id = _uuid(ids)
        teams[village["id"]] = team_id
        rows.append({"id": team_id, "commune_id": commune_id, "village_id": village["id"],
                     "level": "village", "name": f"Tổ CNSCĐ {village['name']}"})
        for i, user in enumerate(members_of[village["id"]]):
            member(team_id, user, "leader" if i == 0 else "deputy" if i == 1 else "member",
                   dw.TEAM_AFFILIATIONS)
    store.teams.add_many(rows)
    store.team_members.add_many(memberships)
    return teams


def _sessions(store: Store, rng: random.Random, ids: random.Random, villages, teams,
              members_of, people, staff) -> tuple[int, int]:
    first, last = _day(dw.DEMO_SESSIONS_FROM), _day(dw.DEMO_SESSIONS_TO)
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    sessions, helped = [], []
    commune_members = list(staff)
    for village in villages:
        members = members_of[village["id"]]
        # Sessions help people of 15 and over (what the session form asks about: an
        # identity card, VNeID, payments, scams); a child is never recorded as helped.
        residents = [p for p in people.get(village["id"], [])
                     if p["birth_year"] and dd.DEMO_YEAR - p["birth_year"] >= 15]
        if not members or not residents:
            continue
        scale = min(6, 1 + len(residents) // 400)  # a bigger village, more sessions
        for month in months:
            for _i in range(rng.randint(*dw.SESSIONS_PER_TEAM_MONTH) * scale):
                day = month + dt.timedelta(days=rng.randint(0, 27))
                if day > last:
                    continue
                session_id = _uuid(ids)
                present = rng.sample(members, k=rng.randint(1, min(3, len(members))))
                activities = {_weighted(rng, dw.ACTIVITY_WEIGHTS)
                              for _a in range(rng.randint(1, 2))}
                follow = rng.random() < dw.FOLLOW_UP_SHARE
                follow_date = day + dt.timedelta(days=rng.randint(7, 30)) if follow else None
                # Older follow-ups were done (or given up), some of the last weeks' too; one
                # dated after the demo's last day cannot have been done yet.
                done = follow and (follow_date < last - dt.timedelta(days=21)
                                   or (follow_date <= last
                                       and rng.random() < dw.FOLLOW_UP_DONE_SHARE))
                commune_team = bool(commune_members) and rng.random() < dw.COMMUNE_TEAM_SHARE
                if commune_team:
                    present = rng.sample(commune_members, k=min(2, len(commune_members)))
                sessions.append({
                    "id": session_id, "date": day.isoformat(), "village_id": village["id"],
                    "team_id": teams[""] if commune_team else teams.get(village["id"]),
                    "members": " ".join(sorted(m["id"] for m in present)),
                    "activities": " ".join(sorted(activities)),
                    "duration_min": rng.choice((30, 45, 60, 90, 120)),
                    "follow_up_date": follow_date.isoformat() if follow_date else None,
                    "follow_up_done": follow_date.isoformat() if done else None,
                    "user_id": present[0]["id"]})
                outcomes_pool = sorted({o for a in activities for o in dw.ACTIVITY_OUTCOMES[a]})
                chosen = rng.sample(residents, k=min(len(residents),
                                                     rng.randint(*dw.PEOPLE_PER_SESSION)))
                for person in chosen:
                    whole = "ecommerce_stall" in activities and \
                        rng.random() < dw.HOUSEHOLD_ONLY_SHARE
                    outcomes = sorted(set(rng.sample(outcomes_pool, k=rng.randint(
                        1, min(2, len(outcomes_pool))))))
                    if "none" in outcomes:
                        outcomes = ["none"]
                    person_id = None if whole else person["id"]
                    helped.append({"id": helped_id(session_id, person_id,
                                                   person["household_id"]),
                                   "session_id": session_id, "person_id": person_id,
                                   "household_id": person["household_id"],
                                   "outcomes": " ".join(outcomes)})
        if len(sessions) > 2000:
            with store.transaction():
                store.sessions.add_many(sessions)
                store.session_persons.add_many(_unique(helped))
            sessions, helped = [], []
    with store.transaction():
        store.sessions.add_many(sessions)
        store.session_persons.add_many(_unique(helped))
    return store.sessions.row_count(), store.session_persons.row_count()


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for row in rows:
        if row["id"] not in seen:
            seen.add(row["id"])
            out.append(row)
    return out


def _classes(store: Store, rng: random.Random, ids: random.Random, villages, people, users,
             trainers) -> tuple[int, int]:
    adults = {v: [p for p in rows if p["birth_year"] and p["birth_year"] <= 2008]
              for v, rows in people.items()}
    staff = [u for u in users if u["role"] == "commune_staff"]
    members = [u for u in users if u["role"] == "member"]
    class_rows, enrolments, attendance, progress = [], [], [], []
    citizen_villages = [v for v in villages if len(adults.get(v["id"], [])) >= 8]
    for number, template in enumerate(dw.CLASS_TEMPLATES):
        village = None
        if template.learner_type == "citizen":
            if not citizen_villages:
                continue
            village = citizen_villages[number % len(citizen_villages)]
        class_id = _uuid(ids)
        start = _day(template.start)
        end = start + dt.timedelta(days=template.days - 1)
        name = template.name.format(village=village["name"] if village else "")
        trainer = rng.choice(trainers or staff or users)
        class_rows.append({
            "id": class_id, "name": name, "trainer_id": trainer["id"],
            "place": template.place.format(village=village["name"] if village else ""),
            "village_id": village["id"] if village else None,
            "start_date": start.isoformat(), "end_date": end.isoformat(),
            "skills": " ".join(template.skills), "learner_type": template.learner_type})
        count = rng.randint(*template.learners)
        if template.learner_type == "member":
            chosen = [("user", u["id"]) for u in rng.sample(members, k=min(count, len(members)))]
        elif template.learner_type == "official":
            pool = [p for rows in adults.values() for p in rows]
            chosen = [("person", p["id"]) for p in rng.sample(pool, k=min(count, len(pool)))]
        else:
            pool = adults[village["id"]]
            chosen = [("person", p["id"]) for p in rng.sample(pool, k=min(count, len(pool)))]
        days = [start + dt.timedelta(days=i) for i in range(template.days)]
        for kind, learner in chosen:
            enrolment = _stable(class_id, kind, learner)
            enrolments.append({"id": enrolment, "class_id": class_id,
                               "person_id": learner if kind == "person" else None,
                               "user_id": learner if kind == "user" else None})
            for day in days:
                attendance.append({
                    "id": _stable(enrolment, "date", day.isoformat()), "class_id": class_id,
                    "enrolment_id": enrolment, "date": day.isoformat(),
                    "status": _weighted(rng, dw.ATTENDANCE_WEIGHTS)})
            for skill in template.skills:
                level = rng.choices(("not_started", "shown", "with_help", "alone"),
                                    weights=dw.LEVEL_WEIGHTS)[0]
                progress.append({
                    "id": _stable(enrolment, "skill", skill), "class_id": class_id,
                    "enrolment_id": enrolment, "skill": skill, "level": level,
                    "assessed_on": end.isoformat()})
    store.classes.add_many(class_rows)
    store.enrolments.add_many(enrolments)
    store.attendance.add_many(attendance)
    store.progress.add_many(progress)
    return len(class_rows), len(enrolments)
