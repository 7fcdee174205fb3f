"""The teams' field activity as reports read it: teams, support sessions, training classes.

Reports (the commune summary's sessions, team and training sections, the trainer progress
sheets, the citizen handout) read field activity only through :class:`ActivitySource`.
Today the only source is :class:`FormActivity`, which reads the finalized submissions of the
shipped ``support_session`` and ``training_progress`` forms, with a team being the members of
one village (users with that village). When teams, support sessions and training classes
become record types of their own (issue 10), write a source over those tables and return it
from :func:`activity_source`: that one function is where the reports are repointed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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
    """Outcome codes, one per person and outcome."""
    person_outcomes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    duration_min: int | None = None


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


class ActivitySource(Protocol):
    """Where reports read field activity (see the module's docstring)."""

    def teams(self) -> list[Team]: ...

    def sessions(self, start: dt.date | None = None, end: dt.date | None = None,
                 village_id: str | None = None) -> Iterator[SupportSession]: ...

    def classes(self) -> list[TrainingClass]: ...

    def assessments(self, class_id: str | None = None) -> Iterator[Assessment]: ...


def activity_source(store: Store) -> ActivitySource:
    """The field activity of this database. Repoint here when issue 10's session, team and
    class tables land (return a source reading them)."""
    return FormActivity(store)


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
            yield SupportSession(row["id"], day, village, team, members,
                                 _codes(answers.get("activities")),
                                 len(_codes(answers.get("households_helped"))), tuple(persons),
                                 tuple(outcomes), by_person, duration)

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
