"""Training classes: the class, its learners, attendance per date and the progress grid.

A class (DOMAIN.md §5, "Bình dân học vụ số") teaches some skills of the S1-S12 / M1-M2
checklist to one kind of learner (citizens, team members, commune officials: the learner types
of the training progress form). Learners are persons of the registry (found by name, or added
on the spot) or, for team members, users. Attendance is one record per learner and date, the
level of a skill one record per learner and skill, each with a stable id, so two laptops that
fill the same grid merge cell by cell. Each change of level stays in the record's history.

Refused, with nothing written: a tombstoned person, an attendance date outside the class's
dates (or in the future), a level outside the form's scale, a skill the class does not teach.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.services.audit import tombstone_audited
from fieldapp.services.validation import FieldError, Problems, clean_text, parse_date
from fieldapp.services.workflow_codes import MEMBER_LEARNER, WorkflowService

TRAINING_NAMESPACE = uuid.UUID("8a4f1d7c-3e2b-4b6a-9c0d-1e5f7a9b3c26")
MAX_CLASS_DAYS = 366


def _stable(*parts: str) -> str:
    return str(uuid.uuid5(TRAINING_NAMESPACE, "/".join(parts)))


@dataclass
class ClassRequest:
    name: str
    start_date: dt.date | str | None
    end_date: dt.date | str | None = None
    skills: tuple[str, ...] = ()
    learner_type: str | None = None
    trainer_id: str | None = None
    place: str = ""
    village_id: str | None = None
    notes: str = ""
    class_id: str | None = None


@dataclass
class ClassSheet:
    """A class with everything its screen shows."""

    row: dict[str, Any]
    learners: list[dict[str, Any]]
    dates: list[str]
    """Dates with attendance recorded, in order."""
    attendance: dict[tuple[str, str], str] = field(default_factory=dict)
    """(enrolment id, date) -> attendance code."""
    levels: dict[tuple[str, str], str] = field(default_factory=dict)
    """(enrolment id, skill) -> level code."""

    @property
    def skills(self) -> list[str]:
        return (self.row.get("skills") or "").split()


class Training(WorkflowService):

    # -- classes ------------------------------------------------------------------------------
    def check_class(self, request: ClassRequest) -> dict[str, Any]:
        codes = self._codes()
        problems = Problems()
        name = clean_text(request.name)
        if not 2 <= len(name) <= 100:
            problems.add("name", _("The class name must be 2 to 100 characters long."))
        start = parse_date(request.start_date, "start_date", problems)
        end = parse_date(request.end_date, "end_date", problems, required=False) or start
        if start and end:
            if end < start:
                problems.add("end_date", _("The last day cannot be before the first day."))
            elif (end - start).days > MAX_CLASS_DAYS:
                problems.add("end_date", _("A class lasts at most a year."))
        skills = tuple(dict.fromkeys(s for s in request.skills if s))
        if not skills:
            problems.add("skills", _("Tick the skills the class teaches."))
        if any(codes.skill(s) is None for s in skills):
            problems.add("skills", _("A skill is not one of the checklist's skills."))
        if codes.learner_type(request.learner_type) is None:
            problems.add("learner_type", _("Choose who the learners are."))
        if request.trainer_id:
            trainer = self.store.users.get(request.trainer_id)
            if trainer is None or trainer["deleted"]:
                problems.add("trainer_id", _("The trainer chosen is no longer registered."))
        if request.village_id:
            village = self.store.villages.get(request.village_id)
            if village is None or village["deleted"]:
                problems.add("village_id", _("Choose the village."))
        if request.class_id and start and end:
            outside = [d for d in self._dates(request.class_id)
                       if not start.isoformat() <= d <= end.isoformat()]
            if outside:
                problems.add("start_date", _("Attendance was recorded on {date}, outside "
                                             "these dates.").format(date=outside[0]))
        problems.raise_any()
        return {"name": name, "start_date": start.isoformat(), "end_date": end.isoformat(),
                "skills": " ".join(skills), "learner_type": request.learner_type,
                "trainer_id": request.trainer_id or None,
                "place": clean_text(request.place) or None,
                "village_id": request.village_id or None,
                "notes": (request.notes or "").strip() or None}

    def save_class(self, request: ClassRequest) -> str:
        values = self.check_class(request)
        if request.class_id:
            self._live_class(request.class_id)
            self.store.classes.update(request.class_id, values)
            return request.class_id
        return self.store.classes.add(values)

    def remove_class(self, class_id: str, reason: str) -> None:
        reason = clean_text(reason)
        if not reason:
            raise FieldError("reason", _("Say why the class is removed."))
        self._live_class(class_id)
        tombstone_audited(self.store, "classes", class_id, reason)

    def classes(self, *, village_id: str | None = None) -> list[dict[str, Any]]:
        """Every class; with ``village_id``, those of that village and of the whole commune
        (a member's list)."""
        rows = self.store.classes.list()
        if village_id is None:
            return rows
        return [r for r in rows if r.get("village_id") in (None, village_id)]

    def _live_class(self, class_id: str) -> dict[str, Any]:
        row = self.store.classes.get(class_id)
        if row is None or row["deleted"]:
            raise UserError(_("This class no longer exists."))
        return row

    def _dates(self, class_id: str) -> list[str]:
        return sorted({a["date"] for a in self.store.attendance.of_class(class_id)})

    def sheet(self, class_id: str) -> ClassSheet | None:
        row = self.store.classes.detail(class_id)
        if row is None:
            return None
        learners = self.store.enrolments.of_class(class_id)
        attendance = {(a["enrolment_id"], a["date"]): a["status"]
                      for a in self.store.attendance.of_class(class_id) if a["status"]}
        levels = {(p["enrolment_id"], p["skill"]): p["level"]
                  for p in self.store.progress.of_class(class_id) if p["level"]}
        dates = sorted({d for _e, d in attendance})
        return ClassSheet(row, learners, dates, attendance, levels)

    # -- learners -----------------------------------------------------------------------------
    def enrol(self, class_id: str, *, person_id: str | None = None,
              user_id: str | None = None, new_person: Mapping[str, Any] | None = None,
              village_id: str | None = None) -> str:
        """Enrol a person of the registry, a team member (``user_id``) or a new person
        (``new_person``: full_name, sex, birth_year, and household_id to join a household,
        else the head of a new household of ``village_id``). Enrolling a learner who is in
        the class already changes nothing. Returns the enrolment id."""
        klass = self._live_class(class_id)
        member_class = klass["learner_type"] == MEMBER_LEARNER
        if new_person is not None:
            if member_class:
                raise FieldError("learner", _("Team members are chosen from the team, not "
                                              "added here."))
            details = dict(new_person)
            household = details.pop("household_id", None)
            village = village_id or klass["village_id"]
            if not household and not village:
                raise FieldError("village_id", _("Choose the village of the new learner."))
            person_id, _household = self.registry.new_person(village, details,
                                                             household_id=household)
        if user_id:
            user = self.store.users.get(user_id)
            if user is None or user["deleted"]:
                raise FieldError("learner", _("This team member is no longer registered."))
            key = ("user", user_id)
        elif person_id:
            person = self.store.persons.get(person_id)
            household = self.store.households.get(person["household_id"]) if person else None
            if person is None or person["deleted"] or household is None \
                    or household["deleted"]:
                raise FieldError("learner", _("{name} was removed from the registry and "
                                              "cannot be enrolled.").format(
                    name=person["full_name"] if person else _("This person")))
            key = ("person", person_id)
        else:
            raise FieldError("learner", _("Choose a learner."))
        record = _stable(class_id, *key)
        existing = self.store.enrolments.get(record)
        values = {"class_id": class_id, "person_id": person_id if not user_id else None,
                  "user_id": user_id}
        if existing is None:
            return self.store.enrolments.add({"id": record, **values})
        if existing["deleted"]:
            self.store.enrolments.restore(record)
        return record

    def unenrol(self, enrolment_id: str) -> None:
        row = self.store.enrolments.get(enrolment_id)
        if row is not None and not row["deleted"]:
            self.store.enrolments.tombstone(enrolment_id, "left the class")

    # -- attendance and levels ----------------------------------------------------------------
    def _learner(self, class_id: str, enrolment_id: str) -> dict[str, Any]:
        row = self.store.enrolments.get(enrolment_id)
        if row is None or row["deleted"] or row["class_id"] != class_id:
            raise FieldError("learner", _("This learner is not in the class."))
        return row

    def check_date(self, class_id: str, day: dt.date | str | None) -> str:
        """An attendance date of the class, or FieldError("date")."""
        klass = self._live_class(class_id)
        problems = Problems()
        parsed = parse_date(day, "date", problems)
        problems.raise_any()
        start, end = klass["start_date"], klass["end_date"] or klass["start_date"]
        text = parsed.isoformat()
        if not start <= text <= end:
            raise FieldError("date", _("The date must be within the class's dates ({first} "
                                       "to {last}).").format(first=_dmy(start), last=_dmy(end)))
        if parsed > self._today():
            raise FieldError("date", _("Attendance cannot be recorded for a future date."))
        return text

    def attendance_range(self, class_id: str) -> tuple[dt.date, dt.date, dt.date]:
        """(first, last, default) for a new attendance date: the class's days up to today;
        by default today, or the last day of a class that is over, or the first day of a
        class that has not begun."""
        klass = self._live_class(class_id)
        first = dt.date.fromisoformat(klass["start_date"])
        last = dt.date.fromisoformat(klass["end_date"] or klass["start_date"])
        last = max(first, min(last, self._today()))
        return first, last, min(max(self._today(), first), last)

    def set_attendance(self, class_id: str, day: dt.date | str,
                       statuses: Mapping[str, str | None]) -> None:
        """Attendance of learners (enrolment id -> attendance code, None to clear) on one
        date of the class, in one transaction."""
        codes = self._codes()
        text = self.check_date(class_id, day)
        for enrolment_id, status in statuses.items():
            self._learner(class_id, enrolment_id)
            if status and not any(c.code == status for c in codes.attendance):
                raise FieldError("status", _("Choose present, late or absent."))
        with self.store.transaction():
            for enrolment_id, status in statuses.items():
                self._put(self.store.attendance, _stable(enrolment_id, "date", text),
                          {"class_id": class_id, "enrolment_id": enrolment_id, "date": text},
                          {"status": status or None})

    def set_levels(self, class_id: str, levels: Mapping[tuple[str, str], str | None]) -> None:
        """Levels ((enrolment id, skill) -> level code, None to clear), in one transaction."""
        codes = self._codes()
        klass = self._live_class(class_id)
        taught = set((klass["skills"] or "").split())
        for (enrolment_id, skill), level in levels.items():
            self._learner(class_id, enrolment_id)
            if skill not in taught:
                raise FieldError("skill", _("The class does not teach this skill."))
            if level and codes.level(level) is None:
                raise FieldError("level", _("“{level}” is not a level of the scale: {scale}.")
                                 .format(level=level, scale=", ".join(
                                     c.label() for c in codes.levels)))
        today = self._today().isoformat()
        with self.store.transaction():
            for (enrolment_id, skill), level in levels.items():
                self._put(self.store.progress, _stable(enrolment_id, "skill", skill),
                          {"class_id": class_id, "enrolment_id": enrolment_id, "skill": skill},
                          {"level": level or None, "assessed_on": today if level else None})

    def set_level(self, class_id: str, enrolment_id: str, skill: str,
                  level: str | None) -> None:
        self.set_levels(class_id, {(enrolment_id, skill): level})

    @staticmethod
    def _put(repo, record: str, key: dict[str, Any], values: dict[str, Any]) -> None:
        existing = repo.get(record)
        if existing is None:
            if any(v is not None for v in values.values()):
                repo.add({"id": record, **key, **values})
            return
        if existing["deleted"]:
            repo.restore(record)
        repo.update(record, values)

    # -- a learner across classes -------------------------------------------------------------
    def history(self, *, person_id: str | None = None,
                user_id: str | None = None) -> list[dict[str, Any]]:
        """Every class of a learner, the latest first: the class, the days present out of the
        days recorded, and the level reached in each skill (``levels``)."""
        classes = self.store.enrolments.of_learner(person_id=person_id, user_id=user_id)
        ids = [c["enrolment_id"] for c in classes]
        attendance: dict[str, list[str]] = {}
        for row in self.store.attendance.of_enrolments(ids):
            attendance.setdefault(row["enrolment_id"], []).append(row["status"] or "")
        levels: dict[str, dict[str, str]] = {}
        for row in self.store.progress.of_enrolments(ids):
            if row["level"]:
                levels.setdefault(row["enrolment_id"], {})[row["skill"]] = row["level"]
        for row in classes:
            marks = attendance.get(row["enrolment_id"], [])
            row["days_recorded"] = len(marks)
            row["days_present"] = sum(1 for m in marks if m in ("present", "late"))
            row["levels"] = levels.get(row["enrolment_id"], {})
        return classes


def _dmy(iso: str) -> str:
    try:
        return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso
