"""Teams (Tổ công nghệ số cộng đồng): teams of the commune and of its villages, their members
and roles, and what each team did (DOMAIN.md §2).

A member is a user of the app (team_members.csv of the forms lists them); a member added here
who does not use the app yet is a user without a PIN. The activity figures follow the spirit
of Yên Bái's team-activity indicators: sessions held and people helped per month, households
reached (and the share of the village's households), sessions by activity, outcomes reached.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import N_, _
from fieldapp.services.audit import tombstone_audited
from fieldapp.services.validation import FieldError, Problems, clean_text
from fieldapp.storage.store import Store

TEAM_NAMESPACE = uuid.UUID("5c7e2a91-0d4b-4f3e-8b6a-2d9c1e7f4a05")
TEAM_ROLES = {"leader": N_("Team leader"), "deputy": N_("Deputy leader"),
              "member": N_("Member")}
AFFILIATIONS = {
    "commune_committee": N_("Commune People's Committee"),
    "mass_organisation": N_("Association or mass organisation"),
    "youth_union": N_("Youth Union"),
    "teacher": N_("Teacher"),
    "village_official": N_("Village official"),
    "police": N_("Commune police"),
    "it_staff": N_("IT or telecom staff"),
    "volunteer": N_("Volunteer"),
}
LEVELS = {"commune": N_("Commune team"), "village": N_("Village team")}


@dataclass
class TeamActivity:
    """What a team (or every team) did in a period."""

    months: list[dict[str, Any]]
    """Per month (yyyy-mm): sessions, persons, households."""
    sessions: int = 0
    persons: int = 0
    households: int = 0
    village_households: int = 0
    """Live households of the team's village (0 for a commune team)."""
    by_activity: dict[str, int] = field(default_factory=dict)
    """Sessions per activity code."""
    by_outcome: dict[str, int] = field(default_factory=dict)
    """Persons helped per outcome code."""
    outcomes_by_activity: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per activity code, the outcomes reached in its sessions (persons per outcome code)."""

    @property
    def reach(self) -> float | None:
        """Share of the village's households reached, for a village team."""
        return self.households / self.village_households if self.village_households else None


class Teams:
    def __init__(self, store: Store, *, today: Callable[[], dt.date] = dt.date.today):
        self.store = store
        self._today = today

    # -- teams --------------------------------------------------------------------------------
    def teams(self) -> list[dict[str, Any]]:
        return self.store.teams.list()

    def team(self, team_id: str) -> dict[str, Any] | None:
        return next((t for t in self.store.teams.list(with_deleted=True)
                     if t["id"] == team_id), None)

    def save_team(self, name: str, *, village_id: str | None = None, notes: str = "",
                  team_id: str | None = None) -> str:
        problems = Problems()
        name = clean_text(name)
        if not 2 <= len(name) <= 100:
            problems.add("name", _("The team's name must be 2 to 100 characters long."))
        if village_id:
            village = self.store.villages.get(village_id)
            if village is None or village["deleted"]:
                problems.add("village_id", _("Choose the village."))
        problems.raise_any()
        values = {"name": name, "village_id": village_id or None,
                  "level": "village" if village_id else "commune",
                  "commune_id": self.store.meta("commune_id"),
                  "notes": (notes or "").strip() or None}
        if team_id:
            self._live(team_id)
            self.store.teams.update(team_id, values)
            return team_id
        return self.store.teams.add(values)

    def remove_team(self, team_id: str, reason: str) -> None:
        reason = clean_text(reason)
        if not reason:
            raise FieldError("reason", _("Say why the team is removed."))
        self._live(team_id)
        tombstone_audited(self.store, "teams", team_id, reason)

    def _live(self, team_id: str) -> dict[str, Any]:
        row = self.store.teams.get(team_id)
        if row is None or row["deleted"]:
            raise UserError(_("This team no longer exists."))
        return row

    # -- members ------------------------------------------------------------------------------
    def members(self, team_id: str) -> list[dict[str, Any]]:
        return self.store.team_members.of_team(team_id)

    def add_member(self, team_id: str, *, user_id: str | None = None, name: str = "",
                   role: str = "member", affiliation: str | None = None,
                   village_id: str | None = None) -> str:
        """Add a user to a team (or a new person, ``name``, as a user without a PIN)."""
        team = self._live(team_id)
        problems = Problems()
        if role not in TEAM_ROLES:
            problems.add("role", _("Choose a role in the team."))
        if affiliation and affiliation not in AFFILIATIONS:
            problems.add("affiliation", _("Choose where the member comes from."))
        if user_id:
            user = self.store.users.get(user_id)
            if user is None or user["deleted"]:
                problems.add("user_id", _("This user is no longer registered."))
        else:
            name = clean_text(name)
            if len(name) < 2:
                problems.add("name", _("Enter the full name, with Vietnamese diacritics."))
        problems.raise_any()
        with self.store.transaction():
            if not user_id:
                user_id = self.store.users.add_user(
                    name, "member", village_id=village_id or team["village_id"])
            record = str(uuid.uuid5(TEAM_NAMESPACE, f"{team_id}/{user_id}"))
            values = {"team_id": team_id, "user_id": user_id, "role": role,
                      "affiliation": affiliation or None,
                      "joined_on": self._today().isoformat(), "left_on": None}
            existing = self.store.team_members.get(record)
            if existing is None:
                self.store.team_members.add({"id": record, **values})
            else:
                if existing["deleted"]:
                    self.store.team_members.restore(record)
                if existing["left_on"] is None and not existing["deleted"]:
                    values.pop("joined_on")
                self.store.team_members.update(record, values)
        return record

    def update_member(self, membership_id: str, *, role: str | None = None,
                      affiliation: str | None = None) -> None:
        problems = Problems()
        if role is not None and role not in TEAM_ROLES:
            problems.add("role", _("Choose a role in the team."))
        if affiliation and affiliation not in AFFILIATIONS:
            problems.add("affiliation", _("Choose where the member comes from."))
        problems.raise_any()
        values: dict[str, Any] = {}
        if role is not None:
            values["role"] = role
        if affiliation is not None:
            values["affiliation"] = affiliation or None
        self.store.team_members.update(membership_id, values)

    def remove_member(self, membership_id: str) -> None:
        """The member leaves the team (the membership keeps its dates)."""
        self.store.team_members.update(membership_id,
                                       {"left_on": self._today().isoformat()})

    def teams_of(self, user_id: str) -> list[dict[str, Any]]:
        return self.store.teams.of_user(user_id)

    # -- activity -----------------------------------------------------------------------------
    def activity(self, team_id: str | None = None, *,
                 months: int | None = None) -> TeamActivity:
        """What a team (None: every team) did: in the last ``months`` months, or ever."""
        filters: dict[str, Any] = {}
        if months:
            today = self._today()
            first = dt.date(today.year, today.month, 1)
            for _i in range(months - 1):
                first = (first - dt.timedelta(days=1)).replace(day=1)
            filters = {"date_from": first.isoformat(), "date_to": today.isoformat()}
        if team_id:
            filters["team_id"] = team_id
        per_month = self.store.sessions.figures(filters)
        activity = TeamActivity(per_month)
        totals = self.store.sessions.totals(filters)
        activity.sessions, activity.persons = totals["sessions"], totals["persons"]
        activity.households = totals["households"]
        by_activity: Counter[str] = Counter()
        by_outcome: Counter[str] = Counter()
        seen: set[str] = set()
        crossed: dict[str, Counter[str]] = {}
        for row in self.store.sessions.activity_rows(filters):
            codes = (row["activities"] or "").split()
            if row["id"] not in seen:
                seen.add(row["id"])
                by_activity.update(codes)
            outcomes = (row["outcomes"] or "").split()
            by_outcome.update(outcomes)
            for code in codes:
                crossed.setdefault(code, Counter()).update(outcomes)
        activity.by_activity = dict(by_activity)
        activity.by_outcome = dict(by_outcome)
        activity.outcomes_by_activity = {a: dict(c) for a, c in crossed.items()}
        if team_id:
            team = self.store.teams.get(team_id)
            if team and team["village_id"]:
                activity.village_households = self.store.households.count_in_village(
                    team["village_id"])
        return activity
