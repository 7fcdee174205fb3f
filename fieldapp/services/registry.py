"""The household registry outside a survey: lists, corrections, moves, removals and returns.

Households and persons are created by the household survey (its entity declarations) and can
be added, corrected, moved to another village, tombstoned with a reason and restored here;
every edit goes through the repositories, so it is a change in the log and travels by sync.
Input is checked before anything is written; a refusal names the field (FieldError).

Lists (the household list, choosing persons) are plans and pages (fieldapp.storage.lookup):
:meth:`Registry.plan` runs where it may take a moment (the background reader) and the pages
are read where they are shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from fieldapp.core import codes
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import N_, _
from fieldapp.i18n.text import fold
from fieldapp.services.audit import tombstone_audited
from fieldapp.services.validation import FieldError, Problems, birth_year, clean_text
from fieldapp.storage.lookup import Plan
from fieldapp.storage.registry import HouseholdFilter
from fieldapp.storage.store import Store

PHONE = re.compile(r"^0[0-9]{9}$")
"""A Vietnamese mobile number as the household survey takes it (10 digits from 0)."""
LOOKS_ALIKE = 0.8
"""How alike (1 - normalised edit distance, accents folded) a head's name must be to be
offered as the same family when a new household is started."""

# Why a household or a person leaves the registry (stored as the tombstone's reason; the
# household survey stores "moved away" and "died" the same way). Other text is kept as typed.
HOUSEHOLD_REASONS = {
    "moved away": N_("The whole household moved away"),
    "household dissolved": N_("The household no longer exists"),
    "duplicate": N_("Registered twice (a duplicate)"),
    "entered by mistake": N_("Entered by mistake"),
}
PERSON_REASONS = {
    "moved away": N_("Moved away"),
    "died": N_("Died"),
    "duplicate": N_("Registered twice (a duplicate)"),
    "entered by mistake": N_("Entered by mistake"),
}


def reason_label(reason: str | None) -> str:
    """A tombstone's reason as the user reads it (a known code translated, else as typed)."""
    if not reason:
        return ""
    known = HOUSEHOLD_REASONS.get(reason) or PERSON_REASONS.get(reason) or {
        "removed from the roster": N_("Removed from the survey's roster"),
        "merged": N_("Merged into another household"),
        "no longer an answer": N_("No longer an answer"),
    }.get(reason)
    return _(known) if known else reason


class Registry:
    """Households and persons: lists, one household's page, and edits outside a survey."""

    def __init__(self, store: Store, *, today: Callable[[], dt.date] = dt.date.today):
        self.store = store
        self._today = today

    # -- lists --------------------------------------------------------------------------------
    def round_start(self) -> str:
        """When the current survey round began: the household survey's modules rotate by
        calendar year, so a round is a year (1 January)."""
        return f"{self._today().year:04d}-01-01"

    def filter(self, *, village_id: str | None = None, status: str | None = None,
               ethnicity: str | None = None, poor: str | None = None) -> HouseholdFilter:
        return HouseholdFilter(village_id=village_id, status=status, ethnicity=ethnicity,
                               poor=poor, round_start=self.round_start())

    def plan(self, text: str, where: HouseholdFilter) -> Plan:
        """The households matching ``text`` (names, word prefixes) and ``where``."""
        return self.store.lists.household_plan(text, where)

    def page(self, plan: Plan, offset: int, limit: int) -> list[dict[str, Any]]:
        return self.store.lists.households(plan, offset, limit)

    def person_plan(self, text: str, *, village_id: str | None = None,
                    household_ids: Sequence[str] | None = None) -> Plan:
        return self.store.lists.person_plan(text, village_id=village_id,
                                            household_ids=household_ids)

    def person_page(self, plan: Plan, offset: int, limit: int) -> list[dict[str, Any]]:
        return self.store.lists.persons(plan, offset, limit)

    def household(self, household_id: str) -> dict[str, Any] | None:
        """One household with its village's name and survey status (tombstoned ones too)."""
        return self.store.households.page_row(household_id)

    def person(self, person_id: str) -> dict[str, Any] | None:
        return self.store.persons.page_row(person_id)

    def members(self, household_id: str, *, with_deleted: bool = False) -> list[dict[str, Any]]:
        """Members, the head first, then by birth year; tombstoned ones last when asked."""
        return self.store.persons.of_household(household_id, with_deleted=with_deleted)

    # -- alike households ---------------------------------------------------------------------
    def similar_households(self, village_id: str, head_name: str, *,
                           exclude: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Live households of ``village_id`` whose head's name looks like ``head_name`` (the
        same given name, the whole name alike, accents ignored), most alike first."""
        from fieldapp.services.sync.review import similarity

        key = fold(head_name)
        words = key.split()
        if not village_id or not words:
            return []
        given = words[-1]
        found = []
        for household_id in self.store.households.with_given_name(village_id, given):
            if household_id in exclude:
                continue
            household = self.household(household_id)
            score = similarity(household["head_name"], head_name, LOOKS_ALIKE)
            if score >= LOOKS_ALIKE:
                household["similarity"] = score
                found.append(household)
        found.sort(key=lambda h: (-h["similarity"], h["head_sort"] or ""))
        return found

    # -- checks -------------------------------------------------------------------------------
    def _village(self, village_id: str | None, problems: Problems) -> None:
        village = self.store.villages.get(village_id) if village_id else None
        if village is None or village["deleted"]:
            problems.add("village_id", _("Choose the village."))

    @staticmethod
    def _name(value: Any, field: str, problems: Problems) -> str:
        name = clean_text(value)
        if len(name) < 2:
            problems.add(field, _("Enter the full name, with Vietnamese diacritics."))
        elif len(name) > 100:
            problems.add(field, _("A name has at most 100 characters."))
        return name

    @staticmethod
    def _code(value: Any, allowed: dict[str, str], field: str, problems: Problems,
              message: str) -> str | None:
        if value in (None, ""):
            return None
        if value not in allowed:
            problems.add(field, message)
            return None
        return value

    def _household_values(self, values: dict[str, Any], problems: Problems) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "village_id" in values:
            self._village(values["village_id"], problems)
            out["village_id"] = values["village_id"]
        if "ethnicity" in values:
            out["ethnicity"] = self._code(values["ethnicity"], codes.ETHNICITIES, "ethnicity",
                                          problems, _("Choose an ethnic group from the list."))
        if "poor_status" in values:
            out["poor_status"] = self._code(values["poor_status"], codes.POOR_STATUS,
                                            "poor_status", problems,
                                            _("Choose poor, near-poor or neither."))
        if "phone" in values:
            phone = re.sub(r"[\s.-]", "", clean_text(values["phone"]))
            if phone and not PHONE.match(phone):
                problems.add("phone", _("The phone number has 10 digits and starts with 0."))
            out["phone"] = phone or None
        unknown = set(values) - {"village_id", "ethnicity", "poor_status", "phone"}
        if unknown:
            raise ValueError(f"not a household field: {sorted(unknown)}")
        return out

    def _person_values(self, values: dict[str, Any], problems: Problems) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if "full_name" in values:
            out["full_name"] = self._name(values["full_name"], "full_name", problems)
        if "sex" in values:
            out["sex"] = self._code(values["sex"], codes.SEXES, "sex", problems,
                                    _("Choose male or female."))
        if "birth_year" in values:
            out["birth_year"] = birth_year(values["birth_year"], "birth_year", problems,
                                           self._today())
        if "relation" in values:
            out["relation"] = self._code(values["relation"], codes.RELATIONS, "relation",
                                         problems, _("Choose the relation to the head."))
        if "ethnicity" in values:
            out["ethnicity"] = self._code(values["ethnicity"], codes.ETHNICITIES, "ethnicity",
                                          problems, _("Choose an ethnic group from the list."))
        unknown = set(values) - {"full_name", "sex", "birth_year", "relation", "ethnicity"}
        if unknown:
            raise ValueError(f"not a person field: {sorted(unknown)}")
        return out

    def check_person(self, values: dict[str, Any]) -> dict[str, Any]:
        """A new person's values as they would be saved, or FieldError(s) (a person to be
        added later in a transaction with other records, e.g. with a session)."""
        problems = Problems()
        clean = self._person_values(dict(values), problems)
        if not values.get("full_name"):
            problems.add("full_name", _("Enter the full name, with Vietnamese diacritics."))
        problems.raise_any()
        return clean

    def _live_household(self, household_id: str) -> dict[str, Any]:
        household = self.store.households.get(household_id)
        if household is None:
            raise UserError(_("This household no longer exists."))
        if household["deleted"]:
            raise UserError(_("This household was removed from the registry; restore it "
                              "first."))
        return household

    # -- households ---------------------------------------------------------------------------
    def add_household(self, village_id: str, head: dict[str, Any],
                      values: dict[str, Any] | None = None) -> str:
        """A new household and its head (``head``: full_name, sex, birth_year, ethnicity);
        ``values``: ethnicity, poor_status, phone. Returns the household's id."""
        problems = Problems()
        self._village(village_id, problems)
        household = self._household_values(dict(values or {}), problems)
        person = self._person_values({**head, "relation": "head"}, problems)
        if "full_name" not in head:
            problems.add("full_name", _("Enter the full name, with Vietnamese diacritics."))
        problems.raise_any()
        household.setdefault("ethnicity", person.get("ethnicity"))
        person.setdefault("ethnicity", household.get("ethnicity"))
        with self.store.transaction():
            household_id = self.store.households.add(
                {"village_id": village_id, "head_name": person["full_name"], **household})
            self.store.persons.add({"household_id": household_id, **person})
        return household_id

    def update_household(self, household_id: str, values: dict[str, Any]) -> bool:
        """Correct a household's ethnicity, poverty status or phone, or move it (village_id).
        The head's name is corrected on the head's own record (:meth:`update_person`)."""
        self._live_household(household_id)
        problems = Problems()
        clean = self._household_values(dict(values), problems)
        problems.raise_any()
        return self.store.households.update(household_id, clean)

    def move_household(self, household_id: str, village_id: str) -> bool:
        return self.update_household(household_id, {"village_id": village_id})

    def tombstone_household(self, household_id: str, reason: str) -> None:
        reason = clean_text(reason)
        if not reason:
            raise FieldError("reason", _("Say why the household leaves the registry."))
        self._live_household(household_id)
        tombstone_audited(self.store, "households", household_id, reason)

    def restore_household(self, household_id: str) -> None:
        household = self.store.households.get(household_id)
        if household is None:
            raise UserError(_("This household no longer exists."))
        if household.get("merged_into"):
            raise UserError(_("This household was merged into another; it lives on there."))
        if household["deleted"]:
            self.store.households.restore(household_id)

    # -- persons ------------------------------------------------------------------------------
    def add_person(self, household_id: str, values: dict[str, Any]) -> str:
        """A new member of a live household; returns the person's id."""
        household = self._live_household(household_id)
        problems = Problems()
        person = self._person_values(dict(values), problems)
        if "full_name" not in values:
            problems.add("full_name", _("Enter the full name, with Vietnamese diacritics."))
        if person.get("relation") == "head" and self._head_of(household_id):
            problems.add("relation", _("The household has a head already; choose another "
                                       "relation or change the head first."))
        problems.raise_any()
        person.setdefault("ethnicity", household.get("ethnicity"))
        with self.store.transaction():
            person_id = self.store.persons.add({"household_id": household_id, **person})
            if person.get("relation") == "head":
                self.store.households.update(household_id, {"head_name": person["full_name"]})
        return person_id

    def _head_of(self, household_id: str, exclude: str | None = None) -> dict[str, Any] | None:
        return next((p for p in self.members(household_id)
                     if p["relation"] == "head" and p["id"] != exclude), None)

    def update_person(self, person_id: str, values: dict[str, Any]) -> bool:
        """Correct a person (name, sex, birth year, relation, ethnicity). The head's name is
        the household's name too, so correcting it corrects both, in one transaction."""
        person = self.store.persons.get(person_id)
        if person is None:
            raise UserError(_("This person no longer exists."))
        if person["deleted"]:
            raise UserError(_("This person was removed from the registry; restore them "
                              "first."))
        self._live_household(person["household_id"])
        problems = Problems()
        clean = self._person_values(dict(values), problems)
        if clean.get("relation") == "head" and person["relation"] != "head" \
                and self._head_of(person["household_id"], exclude=person_id):
            problems.add("relation", _("The household has a head already; choose another "
                                       "relation or change the head first."))
        problems.raise_any()
        with self.store.transaction():
            changed = self.store.persons.update(person_id, clean)
            relation = clean.get("relation", person["relation"])
            if relation == "head" and ("full_name" in clean or person["relation"] != "head"):
                self.store.households.update(
                    person["household_id"],
                    {"head_name": clean.get("full_name", person["full_name"])})
        return changed

    def tombstone_person(self, person_id: str, reason: str) -> None:
        reason = clean_text(reason)
        if not reason:
            raise FieldError("reason", _("Say why the person leaves the registry."))
        person = self.store.persons.get(person_id)
        if person is None or person["deleted"]:
            raise UserError(_("This person was removed from the registry already."))
        if person["relation"] == "head" and len(self.members(person["household_id"])) > 1:
            raise FieldError("reason", _("This is the head of the household: make another "
                                         "member the head first."))
        tombstone_audited(self.store, "persons", person_id, reason)

    def restore_person(self, person_id: str) -> None:
        person = self.store.persons.get(person_id)
        if person is None:
            raise UserError(_("This person no longer exists."))
        self._live_household(person["household_id"])
        if person["deleted"]:
            self.store.persons.restore(person_id)

    def new_person(self, village_id: str, values: dict[str, Any], *,
                   household_id: str | None = None) -> tuple[str, str]:
        """A person met outside a survey (a session, a class): a member of ``household_id``,
        or the head of a new household of ``village_id``. Returns (person id, household id)."""
        if household_id:
            relation = values.get("relation") or "other"
            return self.add_person(household_id, {**values, "relation": relation}), household_id
        head = {k: v for k, v in values.items() if k != "relation"}
        household_id = self.add_household(village_id, head)
        return self.members(household_id)[0]["id"], household_id
