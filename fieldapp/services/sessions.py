"""Support sessions: the quick log, the list, follow-ups due.

A session (DOMAIN.md §2) is a day a team spent helping people of a village: who of the team
was there, what they did (activity codes of the support session form), each person helped and
what they achieved (outcome codes of the same form), and when to come back. A person met for
the first time is added to the registry in the same transaction (a member of a household or
the head of a new one). Everything is checked before anything is written: a refusal names the
field (FieldError / FieldErrors).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.services.audit import tombstone_audited
from fieldapp.services.validation import FieldError, Problems, clean_text, parse_date
from fieldapp.services.workflow_codes import (
    NO_OUTCOME, OTHER_OUTCOME, WorkflowCodes, WorkflowService)

SESSION_NAMESPACE = uuid.UUID("2f0c8e51-7b0e-4c55-9d1e-5f3a7c2b9e64")
MAX_DURATION = 600
MAX_NOTES = 1000
EARLIEST = dt.date(2000, 1, 1)
FOLLOW_UP_HORIZON = 7
"""Home lists the follow-ups due within this many days (and those overdue)."""


def helped_id(session_id: str, person_id: str | None, household_id: str | None) -> str:
    """The id of a person (or a household) helped in a session: the same on every laptop, so
    two laptops that edit one session never add the same person twice."""
    return str(uuid.uuid5(SESSION_NAMESPACE, f"{session_id}/{person_id or household_id}"))


@dataclass
class Helped:
    """Someone helped: a person of the registry (``person_id``), a household as a whole
    (``household_id`` only), or a new person (``new_person``: full_name, sex, birth_year,
    and ``household_id`` to join a household, else the head of a new one)."""

    person_id: str | None = None
    household_id: str | None = None
    outcomes: tuple[str, ...] = ()
    outcome_other: str = ""
    new_person: dict[str, Any] | None = None


@dataclass
class SessionRequest:
    date: dt.date | str | None
    village_id: str | None
    members: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    helped: tuple[Helped, ...] = ()
    follow_up_date: dt.date | str | None = None
    duration_min: int | str | None = None
    notes: str = ""
    team_id: str | None = None
    follow_up_of: str | None = None
    session_id: str | None = None
    """Set to correct a session logged before."""
    extra: dict[str, Any] = field(default_factory=dict)


class Sessions(WorkflowService):

    # -- checking -------------------------------------------------------------------------------
    def check(self, request: SessionRequest) -> dict[str, Any]:
        """The session's values, or FieldError/FieldErrors naming what is wrong."""
        codes = self._codes()
        problems = Problems()
        today = self._today()
        day = parse_date(request.date, "date", problems)
        if day is not None:
            if day > today:
                problems.add("date", _("The session date cannot be in the future."))
            elif day < EARLIEST:
                problems.add("date", _("The session date is too far in the past."))
        village = self.store.villages.get(request.village_id) if request.village_id else None
        if village is None or village["deleted"]:
            problems.add("village_id", _("Choose the village."))
        members = tuple(dict.fromkeys(m for m in request.members if m))
        if not members:
            problems.add("members", _("Tick the team members who were there."))
        for member in members:
            user = self.store.users.get(member)
            if user is None or user["deleted"]:
                problems.add("members", _("A team member ticked is no longer registered."))
        activities = tuple(dict.fromkeys(a for a in request.activities if a))
        if not activities:
            problems.add("activities", _("Tick at least one activity."))
        if any(codes.activity(a) is None for a in activities):
            problems.add("activities", _("An activity is not one of the form's activities."))
        follow_up = parse_date(request.follow_up_date, "follow_up_date", problems,
                               required=False)
        if follow_up is not None and day is not None and follow_up < day:
            problems.add("follow_up_date",
                         _("The follow-up date cannot be before the session date."))
        duration = None
        if request.duration_min not in (None, ""):
            try:
                duration = int(str(request.duration_min).strip())
            except ValueError:
                duration = -1
            if not 1 <= duration <= MAX_DURATION:
                problems.add("duration_min", _("The duration must be 1 to {most} minutes.")
                             .format(most=MAX_DURATION))
        notes = (request.notes or "").strip()
        if len(notes) > MAX_NOTES:
            problems.add("notes", _("At most {count} characters.").format(count=MAX_NOTES))
        self._check_helped(request.helped, codes, problems)
        problems.raise_any()
        team_id = request.team_id or self._team_of(members, request.village_id)
        return {"date": day.isoformat(), "village_id": request.village_id,
                "members": " ".join(members), "activities": " ".join(activities),
                "duration_min": duration,
                "follow_up_date": follow_up.isoformat() if follow_up else None,
                "follow_up_of": request.follow_up_of, "notes": notes or None,
                "team_id": team_id}

    def _check_helped(self, helped: Sequence[Helped], codes: WorkflowCodes,
                      problems: Problems) -> None:
        seen: set[str] = set()
        for item in helped:
            key = item.person_id or item.household_id or ""
            if item.new_person is not None:
                check = Problems()
                self.registry._person_values(
                    {k: v for k, v in item.new_person.items() if k != "household_id"}, check)
                if "full_name" not in item.new_person:
                    check.add("full_name", _("Enter the full name, with Vietnamese "
                                             "diacritics."))
                for message in check.errors.values():
                    problems.add("new_person", message)
                target = item.new_person.get("household_id")
                if target:
                    household = self.store.households.get(target)
                    if household is None or household["deleted"]:
                        problems.add("new_person", _("The household chosen for the new "
                                                     "person was removed from the registry."))
            elif item.person_id:
                person = self.store.persons.get(item.person_id)
                household = (self.store.households.get(person["household_id"])
                             if person else None)
                if person is None or person["deleted"] or household is None \
                        or household["deleted"]:
                    problems.add("helped", _("{name} was removed from the registry and "
                                             "cannot be added to a session.").format(
                        name=person["full_name"] if person else _("A person")))
            elif item.household_id:
                household = self.store.households.get(item.household_id)
                if household is None or household["deleted"]:
                    problems.add("helped", _("A household ticked was removed from the "
                                             "registry."))
            else:
                problems.add("helped", _("Choose who was helped."))
            if key and key in seen:
                problems.add("helped", _("Someone is listed twice."))
            seen.add(key)
            outcomes = list(dict.fromkeys(item.outcomes))
            if any(codes.outcome(o) is None for o in outcomes):
                problems.add("outcomes", _("An outcome is not one of the form's outcomes."))
            if NO_OUTCOME in outcomes and len(outcomes) > 1:
                problems.add("outcomes", _("“No outcome yet” cannot be combined with other "
                                           "outcomes."))
            other = clean_text(item.outcome_other)
            if OTHER_OUTCOME in outcomes and not other:
                problems.add("outcomes", _("Say what the other outcome was."))
            if len(other) > 200:
                problems.add("outcomes", _("At most {count} characters.").format(count=200))

    def _team_of(self, members: Sequence[str], village_id: str | None) -> str | None:
        """The team the members present belong to (of the village first)."""
        teams: dict[str, dict[str, Any]] = {}
        for member in members:
            for team in self.store.teams.of_user(member):
                teams.setdefault(team["id"], team)
        if not teams:
            return None
        ranked = sorted(teams.values(), key=lambda t: (t.get("village_id") != village_id,
                                                       t.get("name_sort") or ""))
        return ranked[0]["id"]

    # -- writing --------------------------------------------------------------------------------
    def log(self, request: SessionRequest) -> str:
        """Record (or correct) a session with everyone helped; returns the session id."""
        values = self.check(request)
        user_id = self.store.meta("current_user_id")
        with self.store.transaction():
            if request.session_id:
                session = self.store.sessions.get(request.session_id)
                if session is None or session["deleted"]:
                    raise UserError(_("This session no longer exists."))
                session_id = request.session_id
                self.store.sessions.update(session_id, values)
            else:
                session_id = self.store.sessions.add({**values, "user_id": user_id})
            kept: set[str] = set()
            for item in request.helped:
                person_id, household_id = item.person_id, item.household_id
                if item.new_person is not None:
                    details = dict(item.new_person)
                    target = details.pop("household_id", None)
                    person_id, household_id = self.registry.new_person(
                        request.village_id, details, household_id=target)
                elif person_id:
                    household_id = self.store.persons.get(person_id)["household_id"]
                record = helped_id(session_id, person_id, household_id)
                kept.add(record)
                row = {"session_id": session_id, "person_id": person_id,
                       "household_id": household_id,
                       "outcomes": " ".join(dict.fromkeys(item.outcomes)) or None,
                       "outcome_other": clean_text(item.outcome_other) or None}
                existing = self.store.session_persons.get(record)
                if existing is None:
                    self.store.session_persons.add({"id": record, **row})
                else:
                    if existing["deleted"]:
                        self.store.session_persons.restore(record)
                    self.store.session_persons.update(record, row)
            for row in self.store.session_persons.of_session(session_id):
                if row["id"] not in kept:
                    self.store.session_persons.tombstone(row["id"], "removed from the session")
        return session_id

    def remove(self, session_id: str, reason: str) -> None:
        reason = clean_text(reason)
        if not reason:
            raise FieldError("reason", _("Say why the session is removed."))
        tombstone_audited(self.store, "sessions", session_id, reason)

    def follow_up_done(self, session_id: str, day: dt.date | None = None) -> None:
        """Mark a session's follow-up done (without logging a session for it)."""
        session = self.store.sessions.get(session_id)
        if session is None or session["deleted"]:
            raise UserError(_("This session no longer exists."))
        self.store.sessions.update(session_id, {
            "follow_up_done": (day or self._today()).isoformat()})

    # -- reading --------------------------------------------------------------------------------
    @staticmethod
    def filters(*, village_id: str | None = None, activity: str | None = None,
                member_id: str | None = None, team_id: str | None = None,
                date_from: str | None = None, date_to: str | None = None) -> dict[str, Any]:
        return {k: v for k, v in {"village_id": village_id, "activity": activity,
                                  "member_id": member_id, "team_id": team_id,
                                  "date_from": date_from, "date_to": date_to}.items() if v}

    def count(self, filters: dict[str, Any]) -> int:
        return self.store.sessions.count(filters)

    def page(self, filters: dict[str, Any], offset: int, limit: int) -> list[dict[str, Any]]:
        return self.store.sessions.page(filters, offset, limit)

    def session(self, session_id: str) -> dict[str, Any] | None:
        """A session with everyone helped (``helped``) and the members' names (``members``)."""
        row = self.store.sessions.detail(session_id)
        if row is None:
            return None
        row["helped"] = self.store.session_persons.of_session(session_id)
        users = {u["id"]: u["name"] for u in self.store.users.list()}
        row["member_names"] = [users.get(m, "?") for m in (row["members"] or "").split()]
        return row

    def due(self, *, horizon: int = FOLLOW_UP_HORIZON,
            household_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Follow-ups not done whose date is within ``horizon`` days or past, soonest first;
        each with the names of the persons helped (``names``)."""
        until = (self._today() + dt.timedelta(days=horizon)).isoformat()
        rows = self.store.sessions.follow_ups(until, household_ids=household_ids)
        for row in rows:
            helped = self.store.session_persons.of_session(row["id"])
            row["names"] = [h["full_name"] or h["head_name"] or "" for h in helped]
            row["helped"] = helped
        return rows

    def request_from(self, session_id: str) -> SessionRequest:
        """A session as a request (to correct it, or as the start of its follow-up)."""
        row = self.session(session_id)
        if row is None:
            raise UserError(_("This session no longer exists."))
        helped = tuple(Helped(h["person_id"], h["household_id"],
                              tuple((h["outcomes"] or "").split()), h["outcome_other"] or "")
                       for h in row["helped"])
        return SessionRequest(row["date"], row["village_id"], tuple((row["members"] or "")
                                                                   .split()),
                              tuple((row["activities"] or "").split()), helped,
                              row["follow_up_date"], row["duration_min"], row["notes"] or "",
                              row["team_id"], row["follow_up_of"], session_id)
