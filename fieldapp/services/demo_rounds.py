"""The demo commune's household survey rounds, through the shipped household form.

Every round is the forms engine's own result. The people and their answers come from the
generator (fieldapp.core.demo_data, fieldapp.core.demo_answers: what each person would answer
to every question); they are offered to a :class:`~fieldapp.core.forms.FormInstance` of the
shipped form, which keeps only what its relevance asks (the rotating modules, the questions for
smartphone users, nothing about a chip ID card for a child), computes its calculations,
validates every answer (a round with an error stops the demo: that would be a bug) and gives
the registry operations that create and update the households and persons, applied as
finalizing a survey applies them (fieldapp.services.surveys.registry_row).

Offering every answer at once and letting the engine drop the ones not asked gives the same
answers as filling the form question by question in page order, because a question's
relevance depends only on questions before it; tests/services/test_demo_rounds.py checks the
two ways agree. It costs one evaluation of the form per round instead of one per answer, which
is what lets the demo survey 50,000 households in minutes.

Round 1 is the campaign of the year before the demo year (every household); round 2, in the
demo year, visits some households again: its roster is the registry's (each person confirmed,
moved away or died; babies born since added), its module is the next one, and some visits find
nobody at home (revisited later) or a refusal.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core import demo_answers as da
from fieldapp.core import demo_data as dd
from fieldapp.core.clock import iso_from_ms
from fieldapp.core.forms import Form, FormInstance
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.services.surveys import LEFT, entity_id_for, registry_row
from fieldapp.storage.submissions import SubmissionRepository

ROUND_1_YEAR = dd.DEMO_YEAR - 1
ROUND_1 = (dt.date(ROUND_1_YEAR, 9, 3), dt.date(ROUND_1_YEAR, 12, 12))
ROUND_2 = (dt.date(dd.DEMO_YEAR, 9, 1), dt.date(dd.DEMO_YEAR, 11, 20))
ICT = dt.timezone(dt.timedelta(hours=7))


def uuid_from(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def draw_day(rng: random.Random, span: tuple[dt.date, dt.date]) -> dt.date:
    return span[0] + dt.timedelta(days=rng.randint(0, (span[1] - span[0]).days))


def stamp(rng: random.Random, day: dt.date) -> str:
    """An ISO UTC time on ``day`` during a working day in Vietnam."""
    local = dt.datetime.combine(day, dt.time(rng.randint(7, 16), rng.randint(0, 59)), ICT)
    return iso_from_ms(int(local.timestamp() * 1000))


class ListRegistry:
    """The registry lists one form instance may choose from (a small view of the commune)."""

    def __init__(self, **rows: list[dict[str, str]]):
        self.rows = {f"{name}.csv": value for name, value in rows.items()}

    def list_rows(self, csv_name: str) -> list[dict[str, str]]:
        return self.rows.get(csv_name, [])


@dataclass
class Person:
    member: dd.Member
    truth: dict[str, str]
    id: str = ""
    present: bool = True

    def age(self, year: int) -> int:
        return year - self.member.birth_year


@dataclass
class Household:
    village_id: str
    remote: bool
    ethnicity: str
    poor: str
    persons: list[Person]
    truth: dict[str, str]
    newborn: list[Person] = field(default_factory=list)
    id: str = ""
    second_visit: dt.date | None = None


@dataclass
class Writes:
    """Records of a batch, in the order they are written."""

    persons: list[dict[str, Any]] = field(default_factory=list)
    households: list[dict[str, Any]] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    tombstones: list[tuple[str, str]] = field(default_factory=list)


def draw_household(rng: random.Random, village_id: str, template: dd.VillageTemplate
                   ) -> Household:
    ethnicity = dd.draw_ethnicity(rng, template.profile)
    members = dd.household_members(rng, ethnicity, template.profile)
    remote = template.remote
    persons = [Person(m, da.person_truth(rng, dd.DEMO_YEAR - m.birth_year, remote, m.ethnicity))
               for m in members]
    poor = dd.draw_poor_status(rng, remote, ethnicity)
    truth = da.household_truth(rng, remote, ethnicity, poor,
                               [(dd.DEMO_YEAR - p.member.birth_year, p.truth) for p in persons])
    # Babies born in the demo year were not there at the first round.
    born_later = [p for p in persons[1:] if p.member.birth_year > ROUND_1_YEAR]
    return Household(village_id, remote, ethnicity, poor,
                     [p for p in persons if p not in born_later], truth, born_later)


class RoundMaker:
    """Turns households into finalized rounds of the household form (see the module's
    docstring)."""

    def __init__(self, form: Form, villages: dict[str, str], team: dict[str, list[str]],
                 ids: random.Random):
        self.form = form
        self.villages = villages  # id -> name
        self.team = team  # village id -> member user ids
        self.ids = ids

    # -- answers ------------------------------------------------------------------------------
    def _row(self, person: Person, first: bool, same_ethnicity: bool,
             existing: str | None = None, status: str = "") -> dict[str, Any]:
        m = person.member
        row: dict[str, Any] = {"@key": uuid_from(self.ids), "member_name": m.name, "sex": m.sex,
                               "birth_year": str(m.birth_year), "relation": m.relation,
                               "ethnicity": m.ethnicity}
        if first and not existing:
            row["same_ethnicity"] = "yes" if same_ethnicity else "no"
        if existing:
            row["existing_person"] = existing
            row["member_status"] = status
        return row

    def registry(self, village_id: str) -> ListRegistry:
        return ListRegistry(villages=[{"name": village_id, "label": self.villages[village_id]}])

    def _instance(self, answers: dict[str, Any], village_id: str, day: dt.date) -> FormInstance:
        instance = FormInstance(self.form, answers, today=day, registry=self.registry(village_id),
                                new_key=lambda: uuid_from(self.ids))
        errors = instance.errors()
        if errors:
            raise UserError(_("The demo made a survey round the form refuses: {problem}").format(
                problem=f"{errors[0][0]}: {errors[0][1]}"))
        return instance

    # -- rounds ---------------------------------------------------------------------------------
    def first_round_answers(self, household: Household) -> dict[str, Any]:
        """Everything the household would answer at the first round (the form keeps what it
        asks)."""
        people = household.persons
        same = all(p.member.ethnicity == people[0].member.ethnicity for p in people)
        everyone = da.roster_answers(self.ids, [(p.age(ROUND_1_YEAR), True, p.truth)
                                                for p in people])
        return {"village": household.village_id, "consent": "yes", "roster_check": "OK",
                "members": [self._row(p, i == 0, same) for i, p in enumerate(people)],
                **da.as_answers(household.truth), **everyone}

    def first_round(self, household: Household, day: dt.date, out: Writes) -> None:
        answers = self.first_round_answers(household)
        self._finalize(household, answers, day, out, keys=list(household.persons))

    def second_round_answers(self, rng: random.Random, household: Household
                             ) -> tuple[dict[str, Any], list[Person]]:
        """A year later: the registry's roster confirmed (or who left), babies added, the
        answers of a year on; and the persons of the rows, in order."""
        rows, keys, people = [], [], []
        year = dd.DEMO_YEAR
        for i, person in enumerate(p for p in household.persons if p.present):
            status = "same"
            if i > 0 and person.age(year) >= 75 and rng.random() < dd.RATES["member_died_old"]:
                status = "died"
            elif i > 0 and 18 <= person.age(year) < 40 \
                    and rng.random() < dd.RATES["member_moved"]:
                status = "moved"
            person.truth = da.a_year_later(rng, person.age(year), person.truth)
            rows.append(self._row(person, False, True, person.id, status))
            keys.append(person)
            if status in LEFT:
                person.present = False
            people.append((person.age(year), person.present, person.truth))
        head_ethnicity = household.persons[0].member.ethnicity
        for person in household.newborn:
            row = self._row(person, False, True)
            # A new row takes the head's group unless the household is mixed.
            row["ethnicity"] = person.member.ethnicity or head_ethnicity
            rows.append(row)
            keys.append(person)
            people.append((person.age(year), True, person.truth))
        household.persons.extend(household.newborn)
        household.newborn = []
        household.truth = da.household_a_year_later(rng, household.truth)
        answers = {"village": household.village_id, "consent": "yes", "roster_check": "OK",
                   "existing_household": household.id, "members": rows,
                   **da.as_answers(household.truth), **da.roster_answers(rng, people)}
        return answers, keys

    def second_round(self, rng: random.Random, household: Household, day: dt.date,
                     out: Writes) -> None:
        contact = da.visit_outcome(rng)
        if contact != "yes":
            self._finalize(household, {"village": household.village_id, "consent": contact,
                                       "existing_household": household.id}, day, out, keys=[])
            if contact != "nobody_home" or rng.random() >= dd.RATES["revisit"]:
                return
            day = min(day + dt.timedelta(days=rng.randint(5, 20)), ROUND_2[1])
        answers, keys = self.second_round_answers(rng, household)
        self._finalize(household, answers, day, out, keys=keys)

    def _finalize(self, household: Household, answers: dict[str, Any], day: dt.date,
                  out: Writes, keys: list[Person]) -> None:
        instance = self._instance(answers, household.village_id, day)
        rng = self.ids
        submission_id = uuid_from(rng)
        when = stamp(rng, day)
        final = instance.answers
        by_key = {row["@key"]: person for row, person in zip(final.get("members", []), keys)}
        persons: dict[str, str] = {}
        household_id = None
        operations = instance.entity_operations()
        for op in operations:
            if op["dataset"] == "households" and op["repeat_path"] is None:
                household_id = op["entity_id"] or entity_id_for(submission_id, "households")
                row = registry_row("households", op["properties"])
                row["last_verified"] = when
                if op["action"] == "create":
                    out.households.append({"id": household_id, **row})
                else:
                    out.updates.append(("households", household_id, row))
        for op in operations:
            if op["dataset"] != "persons":
                continue
            key = op["row_key"]
            person_id = op["entity_id"] or entity_id_for(submission_id, f"persons/{key}")
            props = dict(op["properties"])
            presence = props.pop("presence", "")
            props["household"] = household_id
            row = registry_row("persons", props)
            if op["action"] == "create":
                out.persons.append({"id": person_id, **row})
            elif presence in LEFT:
                out.tombstones.append((person_id, LEFT[presence]))
            persons[key] = person_id
            if key in by_key:
                by_key[key].id = person_id
        if household_id:
            household.id = household_id
        team = self.team.get(household.village_id) or [None]
        entities = {"households": [household_id]} if household_id else {}
        if persons:
            entities["persons"] = dict(sorted(persons.items()))
        out.submissions.append({
            "id": submission_id, "form_id": self.form.form_id,
            "form_version": self.form.version, "status": "final", "answers": final,
            "user_id": self.ids.choice(team), "village_id": household.village_id,
            "household_id": household_id,
            "entities": SubmissionRepository.entities_value(entities), "finalized_at": when})


def write(store, out: Writes) -> None:
    """One batch in one transaction: persons first (each household's search document is then
    written once), households, submissions, then round 2's updates and departures."""
    with store.transaction():
        if out.persons:
            store.persons.add_many(out.persons)
        if out.households:
            store.households.add_many(out.households)
        if out.submissions:
            store.submissions.add_many(out.submissions)
        for table, record_id, values in out.updates:
            store.writer.update(table, record_id, values)
        for person_id, reason in out.tombstones:
            store.writer.tombstone("persons", person_id, reason)
