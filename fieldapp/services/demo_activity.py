"""The demo commune's support sessions and training classes, through the shipped forms.

Each village's team logs its support sessions with the support_session form (the households
and people helped, what was done, what each person achieved), and trainers record a class's
progress with the training_progress form, one submission per learner and class day. Like the
survey rounds (fieldapp.services.demo_rounds), every submission is what the forms engine keeps
and validates from the answers offered. What a person achieved in a session shows in their
answers at the next survey round (fieldapp.core.demo_answers.apply_outcome).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fieldapp.core import demo_answers as da
from fieldapp.core import demo_data as dd
from fieldapp.core.forms import Form, FormInstance
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.services.demo_rounds import (
    Household, ListRegistry, Person, Writes, stamp, uuid_from)

SESSIONS_FROM = dt.date(dd.DEMO_YEAR, 3, 2)
SESSIONS_TO = dt.date(dd.DEMO_YEAR, 11, 20)
ACTIVITIES = {"device_and_lookup": 20, "cccd_eid_enrolment": 18, "cds_app_and_epayment": 18,
              "dvc_and_signature": 14, "ecommerce_stall": 6, "promote_platforms": 10,
              "loudspeaker_radio": 6, "family_tutoring": 8}
OUTCOMES = {
    "device_and_lookup": ("scam_guidance", "bill_paid_online"),
    "cccd_eid_enrolment": ("cccd_eid_registered", "vneid_level2_activated"),
    "cds_app_and_epayment": ("cds_xu_lang_installed", "bank_app_installed", "ewallet_opened"),
    "dvc_and_signature": ("dvc_submitted", "digital_signature_issued"),
    "ecommerce_stall": ("shop_listed",),
    "promote_platforms": ("ehealth_record_viewed", "scam_guidance"),
    "loudspeaker_radio": (),
    "family_tutoring": ("scam_guidance",),
}
# An outcome a person already has is not achieved again (the survey answer it changes).
_ALREADY = {name: effect for name, effect in da.OUTCOME_EFFECTS.items()}
SKILLS = ("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12")
MEMBER_SKILLS = ("m1", "m2")
LEVELS = ("not_started", "shown", "with_help", "alone")


def _check(instance: FormInstance, what: str) -> dict[str, Any]:
    errors = instance.errors()
    if errors:
        raise UserError(_("The demo made a {what} the form refuses: {problem}").format(
            what=what, problem=f"{errors[0][0]}: {errors[0][1]}"))
    return instance.answers


def _outcomes(rng: random.Random, activities: list[str], person: Person, year: int
              ) -> list[str]:
    possible = []
    for activity in activities:
        for outcome in OUTCOMES[activity]:
            effect = _ALREADY.get(outcome, {})
            if outcome in possible or any(person.truth.get(k) == v for k, v in effect.items()):
                continue
            if outcome == "vneid_level2_activated" and person.age(year) < 14:
                continue
            possible.append(outcome)
    if not possible or rng.random() < 0.12:
        return ["none"]
    return rng.sample(possible, k=min(len(possible), rng.randint(1, 2)))


class SessionMaker:
    def __init__(self, form: Form, villages: dict[str, str], team: dict[str, list[str]],
                 names: dict[str, str], ids: random.Random):
        self.form = form
        self.villages = villages
        self.team = team
        self.names = names  # user id -> name
        self.ids = ids

    def village_sessions(self, rng: random.Random, village_id: str,
                         households: list[Household], out: Writes) -> None:
        """A village team's sessions from March to November of the demo year."""
        team = self.team.get(village_id) or []
        alive = [h for h in households if h.id and any(p.present and p.id for p in h.persons)]
        if not team or not alive:
            return
        per_month = max(1, min(10, round(len(households) / 120)))
        day = SESSIONS_FROM
        while day <= SESSIONS_TO:
            month_end = min(SESSIONS_TO, (day.replace(day=28) + dt.timedelta(days=4))
                            .replace(day=1) - dt.timedelta(days=1))
            for _i in range(max(1, per_month + rng.randint(-1, 1))):
                when = day + dt.timedelta(days=rng.randint(0, (month_end - day).days))
                self._session(rng, village_id, team, alive, when, out)
            day = month_end + dt.timedelta(days=1)

    def _session(self, rng: random.Random, village_id: str, team: list[str],
                 households: list[Household], day: dt.date, out: Writes) -> None:
        activities = sorted(rng.sample(list(ACTIVITIES), k=rng.randint(1, 3)),
                            key=list(ACTIVITIES).index)
        chosen = rng.sample(households, k=min(len(households), rng.randint(2, 6)))
        present = sorted(rng.sample(team, k=min(len(team), rng.randint(2, 4))))
        helped_rows, persons_rows, household_rows = [], [], []
        for household in chosen:
            household_rows.append({"name": household.id, "label": household.persons[0]
                                   .member.name, "village": village_id})
            adults = [p for p in household.persons
                      if p.present and p.id and p.age(dd.DEMO_YEAR) >= 12]
            for person in rng.sample(adults, k=min(len(adults), rng.randint(1, 2))):
                outcomes = _outcomes(rng, activities, person, dd.DEMO_YEAR) \
                    if any(OUTCOMES[a] for a in activities) else ["none"]
                for outcome in outcomes:
                    if household.second_visit is None or day < household.second_visit:
                        da.apply_outcome(person.truth, outcome)
                helped_rows.append({"@key": uuid_from(self.ids), "person": person.id,
                                    "outcomes": " ".join(outcomes)})
                persons_rows.append({"name": person.id, "label": person.member.name,
                                     "household": household.id, "village": village_id})
        follow = rng.random() < 0.3
        answers: dict[str, Any] = {
            "session_date": day.isoformat(), "village": village_id,
            "team_present": " ".join(present),
            "households_helped": " ".join(h.id for h in chosen),
            "activities": " ".join(activities), "persons_helped": helped_rows,
            "follow_up": "yes" if follow else "no",
            "duration_min": str(rng.choice((30, 45, 60, 90, 120, 150, 180)))}
        if follow:
            answers["follow_up_date"] = (day + dt.timedelta(days=rng.randint(7, 30))).isoformat()
        registry = ListRegistry(
            villages=[{"name": village_id, "label": self.villages[village_id]}],
            team_members=[{"name": u, "label": self.names.get(u, u), "village": village_id}
                          for u in team],
            households=household_rows, persons=persons_rows)
        instance = FormInstance(self.form, answers, today=day, registry=registry,
                                new_key=lambda: uuid_from(self.ids))
        final = _check(instance, _("support session"))
        out.submissions.append({
            "id": uuid_from(self.ids), "form_id": self.form.form_id,
            "form_version": self.form.version, "status": "final", "answers": final,
            "user_id": present[0], "village_id": village_id,
            "finalized_at": stamp(self.ids, day)})


def _start_level(rng: random.Random, skill: str, person: Person | None) -> int:
    truth = person.truth if person else {}
    known = {"s1": truth.get("smartphone") == "own", "s2": truth.get("internet_use") == "yes",
             "s3": truth.get("id_status") == "level2", "s4": truth.get("cds_installed") == "yes",
             "s5": truth.get("dvc_use") == "alone", "s6": truth.get("digital_signature") == "yes",
             "s7": truth.get("epayment") == "yes", "s10": truth.get("scam_awareness") == "yes"}
    if known.get(skill):
        return 3 if rng.random() < 0.6 else 2
    return 1 if rng.random() < 0.25 else 0


class ClassMaker:
    def __init__(self, form: Form, villages: dict[str, str], names: dict[str, str],
                 ids: random.Random):
        self.form = form
        self.villages = villages
        self.names = names
        self.ids = ids

    def citizen_class(self, rng: random.Random, village_id: str, number: int, trainer: str,
                      households: list[Household], out: Writes) -> None:
        """A "Bình dân học vụ số" class of the village: 8-15 learners, 4-6 class days."""
        people = [p for h in households for p in h.persons
                  if p.present and p.id and 15 <= p.age(dd.DEMO_YEAR) < 75]
        if not people:
            return
        learners = rng.sample(people, k=min(len(people), rng.randint(8, 15)))
        # Class names are data (answers), in Vietnamese whatever the interface language.
        name = f"Bình dân học vụ số – {self.villages[village_id]} – đợt {number}"
        rows = [(p.id, p.member.name, p) for p in learners]
        self._class(rng, name, village_id, trainer, "citizen", rows, SKILLS, out)

    def member_class(self, rng: random.Random, village_id: str, trainer: str,
                     members: list[str], out: Writes) -> None:
        """Training for team members: guiding methods and running a survey, and the skills."""
        name = "Tập huấn thành viên Tổ công nghệ số cộng đồng – đợt 1"
        rows = [(m, self.names.get(m, m), None) for m in members]
        self._class(rng, name, village_id, trainer, "member", rows, SKILLS + MEMBER_SKILLS, out)

    def _class(self, rng: random.Random, name: str, village_id: str, trainer: str, kind: str,
               learners: list[tuple[str, str, Person | None]], skills: tuple[str, ...],
               out: Writes) -> None:
        start = dt.date(dd.DEMO_YEAR, 4, 6) + dt.timedelta(days=7 * rng.randint(0, 24))
        days = [start + dt.timedelta(days=7 * i) for i in range(rng.randint(4, 6))]
        days = [d for d in days if d <= SESSIONS_TO] or [start]
        levels = {lid: {s: _start_level(rng, s, person) for s in skills}
                  for lid, _n, person in learners}
        for day in days:
            focus = rng.sample(skills, k=min(len(skills), rng.randint(2, 4)))
            for lid, learner_name, _person in learners:
                r = rng.random()
                attendance = "present" if r < 0.8 else "late" if r < 0.88 else "absent"
                answers: dict[str, Any] = {
                    "class_name": name, "trainer": trainer, "training_date": day.isoformat(),
                    "village": village_id, "learner_type": kind, "attendance": attendance}
                answers["learner" if kind == "citizen" else "learner_member"] = lid
                if attendance != "absent":
                    for skill in focus:
                        if rng.random() < 0.6:
                            levels[lid][skill] = min(3, levels[lid][skill] + 1)
                    answers.update({s: LEVELS[levels[lid][s]] for s in skills})
                team = [{"name": trainer, "label": self.names.get(trainer, trainer),
                         "village": ""}]
                if kind == "member":
                    team.append({"name": lid, "label": learner_name, "village": village_id})
                registry = ListRegistry(
                    villages=[{"name": village_id, "label": self.villages[village_id]}],
                    persons=[{"name": lid, "label": learner_name, "village": village_id}]
                    if kind == "citizen" else [], team_members=team)
                instance = FormInstance(self.form, answers, today=day, registry=registry,
                                        new_key=lambda: uuid_from(self.ids))
                final = _check(instance, _("training record"))
                out.submissions.append({
                    "id": uuid_from(self.ids), "form_id": self.form.form_id,
                    "form_version": self.form.version, "status": "final", "answers": final,
                    "user_id": trainer, "village_id": village_id,
                    "finalized_at": stamp(self.ids, day)})
