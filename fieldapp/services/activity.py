"""The teams' field activity as reports read it: teams, support sessions, training classes.

Reports (the commune summary's sessions, team and training sections, the trainer progress
sheets, the citizen handout) read field activity only through :class:`ActivitySource`.
:func:`activity_source` gives both kinds of record a commune may hold: the teams, sessions and
classes of the Teams, Sessions and Training screens (:class:`RecordActivity`), and the
finalized submissions of the shipped ``support_session`` and ``training_progress`` forms filled
in the Surveys screen (:class:`FormActivity`). The two never describe the same session: the
quick screens write records, the generic form screen writes submissions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from fieldapp.i18n.text import fold, nfc
from fieldapp.storage.store import Store

SESSION_FORM = "support_session"
PROGRESS_FORM = "training_progress"
CITIZEN_SKILLS = ("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12")
MEMBER_SKILLS = ("m1", "m2")
LEVELS = ("not_started", "shown", "with_help", "alone")


@dataclass(frozen=True)
class Team:
    id: str
    village_id: str | None
    members: tuple[str, ...]
    """User ids."""
    name: str = ""
    """The team's own name; empty for the team a form's village implies."""


@dataclass(frozen=True)
class SupportSession:
    id: str
    date: dt.date
    village_id: str
    team_id: str | None
    members: tuple[str, ...]
    activities: tuple[str, ...]
    households_helped: int
    persons_helped: tuple[str, ...]
    """Person ids, one per person helped."""
    outcomes: tuple[str, ...]
    """Outcome codes, one per entry (a person, or a household helped as a whole) and
    outcome."""
    person_outcomes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    duration_min: int | None = None
    household_entries: int = 0
    """Entries for a household as a whole, with no person named."""


@dataclass(frozen=True)
class Assessment:
    """One learner on one class day: attendance and the level reached in each skill so far."""

    class_id: str
    date: dt.date
    learner_id: str
    learner_kind: str
    """"citizen" (a person of the registry) or "member" (a team member, a user)."""
    attendance: str
    levels: dict[str, str]
    trainer_id: str | None = None
    village_id: str | None = None


@dataclass
class TrainingClass:
    id: str
    name: str
    trainer_id: str | None
    village_id: str | None
    days: list[dt.date] = field(default_factory=list)
    learners: dict[str, str] = field(default_factory=dict)
    """learner id -> kind ("citizen" or "member"), in the order first seen."""


@dataclass
class SessionCounts:
    """Support sessions summed for a report: sessions per (month, team, activities) with the
    last date per team, entries per (month, team, outcomes, person or whole household)."""

    sessions: dict[tuple[tuple[int, int], str, tuple[str, ...]], int] = field(
        default_factory=dict)
    last: dict[str, dt.date] = field(default_factory=dict)
    entries: dict[tuple[tuple[int, int], str, tuple[str, ...], bool], int] = field(
        default_factory=dict)

    def add_session(self, month: tuple[int, int], team: str, activities: tuple[str, ...],
                    day: dt.date, count: int = 1) -> None:
        key = (month, team, activities)
        self.sessions[key] = self.sessions.get(key, 0) + count
        if team not in self.last or day > self.last[team]:
            self.last[team] = day

    def add_entries(self, month: tuple[int, int], team: str, outcomes: tuple[str, ...],
                    person: bool, count: int = 1) -> None:
        key = (month, team, outcomes, person)
        self.entries[key] = self.entries.get(key, 0) + count


class ActivitySource(Protocol):
    """Where reports read field activity (see the module's docstring)."""

    def teams(self) -> list[Team]: ...

    def sessions(self, start: dt.date | None = None, end: dt.date | None = None,
                 village_id: str | None = None) -> Iterator[SupportSession]: ...

    def classes(self) -> list[TrainingClass]: ...

    def assessments(self, class_id: str | None = None) -> Iterator[Assessment]: ...

    def session_counts(self, start: dt.date | None = None, end: dt.date | None = None,
                       village_id: str | None = None) -> SessionCounts: ...


def _count_sessions(counts: SessionCounts, sessions: Iterator[SupportSession]) -> SessionCounts:
    """Sessions read one by one (a form's), summed as SessionCounts."""
    for session in sessions:
        month = (session.date.year, session.date.month)
        team = session.team_id or ""
        counts.add_session(month, team, session.activities, session.date)
        for outcomes in session.person_outcomes.values():
            counts.add_entries(month, team, outcomes, True)
        rest = list(session.outcomes)
        for outcomes in session.person_outcomes.values():
            for code in outcomes:
                rest.remove(code)
        for _entry in range(session.household_entries):
            counts.add_entries(month, team, tuple(rest), False)
            rest = []
    return counts


def activity_source(store: Store) -> ActivitySource:
    """The field activity of this database: its records and its finalized forms."""
    return CombinedActivity(RecordActivity(store), FormActivity(store))


def class_id_of(name: str) -> str:
    """A short stable id for a class named in a training form (the name is all it has)."""
    return hashlib.sha1(fold(name).encode("utf-8")).hexdigest()[:8]


def _date(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def _codes(value: object) -> tuple[str, ...]:
    return tuple(str(value).split()) if isinstance(value, str) else ()


class FormActivity:
    """Field activity from the shipped forms' submissions (see the module's docstring)."""

    def __init__(self, store: Store):
        self.store = store
        self._classes: list[TrainingClass] | None = None

    def teams(self) -> list[Team]:
        by_village: dict[str, list[str]] = {}
        for user in self.store.users.list():
            if user["role"] == "member" and user.get("village_id"):
                by_village.setdefault(user["village_id"], []).append(user["id"])
        return [Team(f"village:{v}", v, tuple(members)) for v, members in by_village.items()]

    def sessions(self, start: dt.date | None = None, end: dt.date | None = None,
                 village_id: str | None = None) -> Iterator[SupportSession]:
        team_of = {m: t.id for t in self.teams() for m in t.members}
        for row in self.store.submissions.final_answers(SESSION_FORM):
            answers = json.loads(row["answers"])
            day = _date(answers.get("session_date")) or _date(row["finalized_at"])
            village = answers.get("village") or row["village_id"] or ""
            if day is None or (start and day < start) or (end and day > end) \
                    or (village_id and village != village_id):
                continue
            members = _codes(answers.get("team_present"))
            teams = [team_of[m] for m in members if m in team_of]
            team = max(sorted(set(teams)), key=teams.count) if teams else \
                (f"village:{village}" if village else None)
            persons, outcomes, by_person = [], [], {}
            for helped in answers.get("persons_helped") or []:
                if isinstance(helped, dict) and helped.get("person"):
                    persons.append(helped["person"])
                    codes = _codes(helped.get("outcomes"))
                    outcomes.extend(codes)
                    by_person[helped["person"]] = by_person.get(helped["person"], ()) + codes
            try:
                duration = int(answers.get("duration_min") or "")
            except ValueError:
                duration = None
            households = _codes(answers.get("households_helped"))
            yield SupportSession(row["id"], day, village, team, members,
                                 _codes(answers.get("activities")), len(households),
                                 tuple(persons), tuple(outcomes), by_person, duration,
                                 len(households))

    def session_counts(self, start: dt.date | None = None, end: dt.date | None = None,
                       village_id: str | None = None) -> SessionCounts:
        return _count_sessions(SessionCounts(), self.sessions(start, end, village_id))

    def _progress_rows(self) -> Iterator[tuple[str, dict, dict]]:
        for row in self.store.submissions.final_answers(PROGRESS_FORM):
            answers = json.loads(row["answers"])
            name = nfc(str(answers.get("class_name") or "")).strip()
            if name:
                yield name, answers, row

    def classes(self) -> list[TrainingClass]:
        if self._classes is None:
            found: dict[str, TrainingClass] = {}
            for name, answers, row in self._progress_rows():
                cid = class_id_of(name)
                cls = found.get(cid)
                if cls is None:
                    cls = found[cid] = TrainingClass(cid, name, answers.get("trainer") or None,
                                                     answers.get("village") or row["village_id"])
                day = _date(answers.get("training_date"))
                if day and day not in cls.days:
                    cls.days.append(day)
                kind = answers.get("learner_type") or "citizen"
                learner = answers.get("learner" if kind == "citizen" else "learner_member")
                if learner and learner not in cls.learners:
                    cls.learners[learner] = kind
            for cls in found.values():
                cls.days.sort()
            self._classes = sorted(found.values(), key=lambda c: (c.days[:1], fold(c.name)))
        return self._classes

    def assessments(self, class_id: str | None = None) -> Iterator[Assessment]:
        for name, answers, row in self._progress_rows():
            cid = class_id_of(name)
            if class_id and cid != class_id:
                continue
            kind = answers.get("learner_type") or "citizen"
            learner = answers.get("learner" if kind == "citizen" else "learner_member")
            day = _date(answers.get("training_date")) or _date(row["finalized_at"])
            if not learner or day is None:
                continue
            levels = {s: answers[s] for s in CITIZEN_SKILLS + MEMBER_SKILLS
                      if answers.get(s) in LEVELS}
            yield Assessment(cid, day, learner, kind, answers.get("attendance") or "",
                             levels, answers.get("trainer") or None,
                             answers.get("village") or row["village_id"])


class RecordActivity:
    """Field activity from the records of the Teams, Sessions and Training screens."""

    def __init__(self, store: Store):
        self.store = store

    def teams(self) -> list[Team]:
        return [Team(t["id"], t["village_id"],
                     tuple(m["user_id"] for m in self.store.team_members.of_team(t["id"])),
                     t["name"] or "")
                for t in self.store.teams.list()]

    def sessions(self, start: dt.date | None = None, end: dt.date | None = None,
                 village_id: str | None = None) -> Iterator[SupportSession]:
        filters = {"village_id": village_id, "date_from": start and start.isoformat(),
                   "date_to": end and end.isoformat()}
        rows = self.store.sessions.with_persons(filters)
        for _session_id, group in itertools.groupby(rows, key=lambda r: r["id"]):
            group = list(group)
            first = group[0]
            day = _date(first["date"])
            if day is None:
                continue
            persons, outcomes, by_person, households = [], [], {}, set()
            household_entries = 0
            for row in group:
                codes = _codes(row["outcomes"])
                if row["person_id"]:
                    persons.append(row["person_id"])
                    by_person[row["person_id"]] = by_person.get(row["person_id"], ()) + codes
                elif row["household_id"]:
                    household_entries += 1  # the household helped as a whole
                else:
                    continue
                outcomes.extend(codes)
                if row["household_id"]:
                    households.add(row["household_id"])
            yield SupportSession(first["id"], day, first["village_id"] or "", first["team_id"],
                                 _codes(first["members"]), _codes(first["activities"]),
                                 len(households), tuple(persons), tuple(outcomes), by_person,
                                 first["duration_min"], household_entries)

    def session_counts(self, start: dt.date | None = None, end: dt.date | None = None,
                       village_id: str | None = None) -> SessionCounts:
        """Summed in the database (a commune's year of sessions is not read one by one)."""
        filters = {"village_id": village_id, "date_from": start and start.isoformat(),
                   "date_to": end and end.isoformat()}
        sessions, entries = self.store.sessions.report_counts(filters)
        counts = SessionCounts()
        for month, team, activities, n, last in sessions:
            day = _date(last)
            if day is None:
                continue
            counts.add_session((int(month[:4]), int(month[5:7])), team, _codes(activities),
                               day, n)
        for month, team, outcomes, person, n in entries:
            counts.add_entries((int(month[:4]), int(month[5:7])), team, _codes(outcomes),
                               bool(person), n)
        return counts

    def _learners(self, class_id: str) -> dict[str, tuple[str, str]]:
        """enrolment id -> (learner id, kind) of a class's live enrolments."""
        return {e["id"]: ((e["user_id"], "member") if e["user_id"] and not e["person_id"]
                          else (e["person_id"], "citizen"))
                for e in self.store.enrolments.of_class(class_id)
                if e["person_id"] or e["user_id"]}

    def classes(self) -> list[TrainingClass]:
        found = []
        for row in self.store.classes.list():
            cls = TrainingClass(row["id"], row["name"], row["trainer_id"], row["village_id"])
            cls.days = sorted({d for a in self.store.attendance.of_class(row["id"])
                               if a["status"] and (d := _date(a["date"]))})
            cls.learners = dict(self._learners(row["id"]).values())
            found.append(cls)
        return sorted(found, key=lambda c: (c.days[:1], fold(c.name)))

    def assessments(self, class_id: str | None = None) -> Iterator[Assessment]:
        """One per learner and day with an attendance mark or a level assessed that day; a
        level is the one the grid holds now, dated the day it was last set."""
        for row in self.store.classes.list():
            if class_id and row["id"] != class_id:
                continue
            learners = self._learners(row["id"])
            days: dict[tuple[dt.date, str], list] = {}
            for a in self.store.attendance.of_class(row["id"]):
                day = _date(a["date"])
                if a["status"] and day and a["enrolment_id"] in learners:
                    days.setdefault((day, a["enrolment_id"]), [a["status"], {}])[0] = a["status"]
            for p in self.store.progress.of_class(row["id"]):
                day = _date(p["assessed_on"]) or _date(row["start_date"])
                if p["level"] in LEVELS and day and p["enrolment_id"] in learners:
                    days.setdefault((day, p["enrolment_id"]), ["", {}])[1][p["skill"]] = p["level"]
            for (day, enrolment), (attendance, levels) in sorted(days.items()):
                learner, kind = learners[enrolment]
                yield Assessment(row["id"], day, learner, kind, attendance, levels,
                                 row["trainer_id"], row["village_id"])


class CombinedActivity:
    """Records and forms together. Teams are the recorded ones where a commune has any (a
    form's session then counts for its village's team), else each village's members."""

    def __init__(self, records: RecordActivity, forms: FormActivity):
        self.records = records
        self.forms = forms

    def teams(self) -> list[Team]:
        return self.records.teams() or self.forms.teams()

    def sessions(self, start: dt.date | None = None, end: dt.date | None = None,
                 village_id: str | None = None) -> Iterator[SupportSession]:
        yield from self.records.sessions(start, end, village_id)
        recorded = {t.village_id: t.id for t in self.records.teams() if t.village_id}
        for session in self.forms.sessions(start, end, village_id):
            if recorded and session.village_id in recorded:
                session = dataclasses.replace(session, team_id=recorded[session.village_id])
            yield session

    def session_counts(self, start: dt.date | None = None, end: dt.date | None = None,
                       village_id: str | None = None) -> SessionCounts:
        counts = self.records.session_counts(start, end, village_id)
        recorded = {t.village_id: t.id for t in self.records.teams() if t.village_id}
        forms = (dataclasses.replace(s, team_id=recorded[s.village_id])
                 if recorded and s.village_id in recorded else s
                 for s in self.forms.sessions(start, end, village_id))
        return _count_sessions(counts, forms)

    def classes(self) -> list[TrainingClass]:
        return self.records.classes() + self.forms.classes()

    def assessments(self, class_id: str | None = None) -> Iterator[Assessment]:
        yield from self.records.assessments(class_id)
        yield from self.forms.assessments(class_id)
