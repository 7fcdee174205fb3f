"""Demo surveys: households surveyed through the real household form, as a member would.

Used by ``fieldapp demo --db PATH --join SETUPFILE``: a member laptop of a commune with N
households surveyed through the forms engine (finalized submissions with roster rows, which
create the households and persons through the form's entity declarations), so sync can be tried
without typing. The people come from the demo generator (names, ages, relations, ethnicity);
every other question gets a valid answer drawn at random among its choices, so the form's own
relevance and constraints decide what is asked.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from fieldapp.core import demo_data as dd
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.services.demo import DemoCancelled
from fieldapp.services.surveys import NEW_HOUSEHOLD, SurveyService
from fieldapp.storage.store import Store

HOUSEHOLD_SURVEY = "household_survey"
_MAX_STEPS = 2000


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _hints(members: list[dd.Member], village_id: str) -> tuple[dict[str, str], list[dict]]:
    head = members[0]
    household = {"village": village_id, "head_name": head.name, "hh_ethnicity": head.ethnicity,
                 "consent": "yes"}
    people = [{"member_name": m.name, "sex": m.sex, "birth_year": str(m.birth_year),
               "relation": m.relation, "ethnicity": m.ethnicity} for m in members]
    return household, people


def _pick(instance, path: str, rng: random.Random, hint: str | None) -> str | None:
    field = instance.field_at(path)
    if field.is_select:
        choices = [c.name for c in instance.choices_for(path)]
        if not choices:
            return None
        if hint is not None and hint in choices:
            return hint
        plain = [c for c in choices if "other" not in c] or choices
        if field.type == "select_multiple":
            return " ".join(sorted(rng.sample(plain, k=rng.randint(1, min(2, len(plain))))))
        return rng.choice(plain)
    if hint is not None:
        return hint
    if field.type == "integer":
        return str(rng.randint(1, 5))
    if field.type == "decimal":
        return str(rng.randint(1, 50) / 2)
    if field.type == "date":
        return date(dd.DEMO_YEAR, 11, rng.randint(1, 20)).isoformat()
    if field.type == "acknowledge":
        return "OK"
    if field.type in ("text", "string"):
        return None  # free text stays empty unless the form requires it
    return None


def fill_household_survey(service: SurveyService, rng: random.Random, village_id: str,
                          members: list[dd.Member]):
    """A finalizable household survey of these people (form, instance)."""
    form, instance = service.new_instance(HOUSEHOLD_SURVEY, new_key=lambda: _uuid(rng))
    household, people = _hints(members, village_id)
    for name in ("consent", "village", "head_name", "hh_ethnicity"):
        if name in form.fields and not instance.is_read_only(name):
            try:
                instance.set_value(name, household[name])
            except (KeyError, ValueError):
                pass
    repeat = next((d.repeat.name for d in form.entities if d.repeat is not None), None)
    if repeat:
        for person in people:
            row = instance.add_repeat_row(repeat)
            for name, value in person.items():
                path = f"{repeat}[{row}]/{name}"
                try:
                    instance.set_value(path, value)
                except (KeyError, ValueError):
                    continue
    complete_instance(instance, rng, household)
    return form, instance


def complete_instance(instance, rng: random.Random, hints: dict[str, str] | None = None) -> None:
    """Answer whatever the form still requires, question by question as the form's relevance
    and constraints ask: ``hints`` by question name first, else a valid answer drawn at random
    (UserError when the form cannot be completed that way)."""
    hints = hints or {}
    answered: set[str] = set()
    for _step in range(_MAX_STEPS):
        errors = instance.errors()
        if not errors:
            return
        path, _message = errors[0]
        name = path.rsplit("/", 1)[-1]
        value = _pick(instance, path, rng, None if path in answered else hints.get(name))
        if value is None:
            value = "Không rõ" if instance.field_at(path).type in ("text", "string") else "1"
        answered.add(path)
        instance.set_value(path, value)
    raise UserError(_("The demo could not fill in the household survey."))


def survey_households(store: Store, households: int, seed: int, *,
                      progress: Callable[[int, int], None] = lambda d, t: None,
                      cancelled: Callable[[], bool] = lambda: False) -> dict[str, Any]:
    """Survey ``households`` generated households of this laptop's villages through the form."""
    rng = random.Random(f"fieldapp-demo-join:{seed}")
    service = SurveyService(store, today=lambda: date(dd.DEMO_YEAR, 11, 20))
    user = store.users.get(store.meta("current_user_id") or "")
    villages = store.villages.list()
    if user and user.get("village_id"):
        villages = [v for v in villages if v["id"] == user["village_id"]] or villages
    if not villages:
        raise UserError(_("The commune has no villages to survey."))
    persons = 0
    for done in range(households):
        if cancelled():
            raise DemoCancelled(_("Creating the demo commune was cancelled."))
        village = villages[done % len(villages)]
        profile = "dao" if village.get("remote") else "tay"
        ethnicity = dd.draw_ethnicity(rng, profile)
        members = dd.household_members(rng, ethnicity, profile)
        form, instance = fill_household_survey(service, rng, village["id"], members)
        service.save(None, form, instance, finalize=True, household_choice=NEW_HOUSEHOLD)
        persons += len(members)
        progress(done + 1, households)
    return {"households": households, "persons": persons, "villages": len(villages)}


def create_member_demo(path: Path, setup_file: Path, *, households: int = 20, seed: int = 1,
                       user_id: str | None = None,
                       progress: Callable[[int, int], None] = lambda d, t: None,
                       cancelled: Callable[[], bool] = lambda: False) -> dict[str, Any]:
    """A new database at ``path``: a member laptop of the setup file's commune with
    ``households`` surveyed households, by the team member the setup file names."""
    from fieldapp.services.demo import _remove
    from fieldapp.services.sync.identity import join, read_setup_file

    path = Path(path)
    if path.exists():
        raise UserError(_("{path} already exists; choose a new file for the demo.").format(
            path=path))
    if households < 0:
        raise UserError(_("--households must be at least 1."))
    setup, _members = read_setup_file(setup_file)
    if user_id is None and not setup.get("user_id"):
        # What a laptop with nobody assigned makes is refused by its commune.
        raise UserError(_("{file} names no team member: register the laptop for one first "
                          "(fieldapp setup-file --member NAME).").format(file=Path(setup_file).name))
    store = None
    try:
        store = Store.open(path)
        join(store, setup_file, user_id=user_id)
        store.set_meta("is_demo", "1")
        summary = survey_households(store, households, seed, progress=progress,
                                    cancelled=cancelled)
    except BaseException:
        if store is not None:
            store.close()
        _remove(path)
        raise
    store.close()
    summary.update(path=path, commune=setup.get("commune_name", ""))
    return summary
