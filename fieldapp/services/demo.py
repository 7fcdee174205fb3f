"""The synthetic demo commune: a new database file filled with a plausible Lạng Sơn commune.

Same ``seed`` and ``households`` give the same file content, ids and timestamps included: every
id comes from the seeded generator and the store runs on a deterministic clock that starts at
:data:`~fieldapp.core.demo_data.DEMO_EPOCH` and advances one millisecond per reading. The
device id is derived from the seed too, so two demo files of the same seed are identical row
for row, change log included. Every record is written through the change log, like any edit.

Every demo team member's PIN is ``246813`` (:data:`~fieldapp.core.demo_data.DEMO_PIN`).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from fieldapp.core import demo_data as dd
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.services.auth import hash_pin
from fieldapp.storage import db as dbmod
from fieldapp.storage.store import Store


class DemoCancelled(UserError):
    """The user cancelled creating the demo; the partial file has been removed."""


class _SteppingClock:
    """Wall clock for the demo store: DEMO_EPOCH, then +1 ms on every reading."""

    def __init__(self, start: float = dd.DEMO_EPOCH):
        self._start_ms = int(start * 1000)
        self._calls = 0

    def __call__(self) -> float:
        self._calls += 1
        # +0.5 ms keeps int(value * 1000) exact despite float rounding.
        return (self._start_ms + self._calls + 0.5) / 1000


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _remove(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                      path.with_name(path.name + "-journal")):
        candidate.unlink(missing_ok=True)


MAX_HOUSEHOLDS = 500_000
"""A province's worth; beyond it the demo's memory and time grow for no use."""

def create_demo(path: Path, *, households: int = 1000, seed: int = 1, key: bytes | None = None,
                progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> dict:
    """Create a new demo database at ``path`` and return a summary.

    The summary is ``{"commune", "villages", "households", "persons", "path"}``. Refuses an
    existing file (UserError). ``progress(done, total)`` is called about every 1% of households;
    when ``cancelled()`` turns true the partial file is deleted and DemoCancelled is raised.
    All team members' PINs are "246813".
    """
    path = Path(path)
    if households < 1:
        raise UserError(_("The demo needs at least one household."))
    if households > MAX_HOUSEHOLDS:
        raise UserError(_("The demo holds at most {limit} households.").format(
            limit=MAX_HOUSEHOLDS))
    if path.exists():
        raise UserError(_("{path} already exists; choose a new file for the demo.").format(
            path=path))
    report = progress or (lambda done, total: None)
    stop = cancelled or (lambda: False)
    rng = random.Random(f"fieldapp-demo:{seed}")
    ids = random.Random(f"fieldapp-demo-ids:{seed}")
    database = store = None
    try:
        database = dbmod.connect(path, key=key)  # key: encrypted (benchmarks)
        store = Store(database, path, wall=_SteppingClock(), key=key)
        store.set_device(_uuid(ids), "demo")  # seeded, so the same seed gives the same file
        summary = _fill(store, rng, ids, households, report, stop)
    except BaseException:
        if database is not None:
            database.close()
        _remove(path)
        raise
    store.close()
    summary["path"] = path
    return summary


def _check(stop: Callable[[], bool]) -> None:
    if stop():
        raise DemoCancelled(_("Creating the demo commune was cancelled."))


def _fill(store: Store, rng: random.Random, ids: random.Random, total: int,
          report: Callable[[int, int], None], stop: Callable[[], bool]) -> dict:
    _check(stop)
    report(0, total)
    pin_hash = hash_pin(dd.DEMO_PIN)  # argon2 is slow: hash once, share between members
    commune_name = rng.choice(dd.COMMUNE_NAMES)
    templates = dd.pick_villages(rng)
    sizes = dd.split_households(rng, templates, total)
    persons_total = 0
    with store.transaction():
        commune_id = store.communes.add_many([{
            "id": _uuid(ids), "name": commune_name, "province": dd.PROVINCE,
            "legacy_names": dd.COMMUNE_LEGACY[commune_name]}])[0]
        villages = []
        for position, template in enumerate(templates):
            village_id = store.villages.add_many([{
                "id": _uuid(ids), "commune_id": commune_id, "name": template.name,
                "kind": template.kind, "remote": int(template.remote),
                "legacy_names": list(template.legacy_names), "position": position}])[0]
            villages.append((village_id, template))
        current_user = _add_users(store, rng, ids, villages, pin_hash)
        store.set_meta("commune_id", commune_id)
        store.set_meta("current_user_id", current_user)
        store.settings.set("language", "vi")

    step = max(1, total // 100)
    done = 0
    batch_h, batch_p = [], []
    for (village_id, template), count in zip(villages, sizes):
        for _i in range(count):
            household, people = _household(rng, ids, village_id, template)
            batch_h.append(household)
            batch_p.extend(people)
            done += 1
            if done % step == 0 or done == total:
                _check(stop)
                with store.transaction():
                    # Members first: each household's search document is then written once.
                    store.persons.add_many(batch_p)
                    store.households.add_many(batch_h)
                persons_total += len(batch_p)
                batch_h, batch_p = [], []
                report(done, total)
    # Marked last: each batch is its own transaction, so a file cut off half-way (power loss)
    # is neither set up nor a demo and the app offers setup instead.
    with store.transaction():
        store.set_meta("is_demo", "1")
        store.set_meta("setup_done", "1")
    return {"commune": commune_name, "villages": len(villages), "households": total,
            "persons": persons_total}


def _add_users(store: Store, rng: random.Random, ids: random.Random,
               villages: list[tuple[str, dd.VillageTemplate]], pin_hash: str) -> str:
    """One team per village (3-6 members), commune staff and trainers; returns a staff id."""
    rows = []

    def person(profile: str) -> str:
        eth = dd.draw_ethnicity(rng, profile)
        sex = "male" if rng.random() < 0.5 else "female"
        born = dd.DEMO_YEAR - rng.randint(22, 55)
        return dd.full_name(rng, dd.draw_surname(rng, eth), eth, sex, born)

    def add(name: str, role: str, village_id: str | None) -> str:
        row = {"id": _uuid(ids), "name": name, "role": role, "village_id": village_id,
               "pin_hash": pin_hash, "language": "vi"}
        rows.append(row)
        return row["id"]

    staff = [add(person("kinh" if i == 0 else "tay"), "commune_staff", None)
             for i in range(dd.COMMUNE_STAFF)]
    for _i in range(rng.randint(*dd.TRAINERS)):
        add(person("tay"), "trainer", None)
    for village_id, template in villages:
        for _i in range(rng.randint(*dd.TEAM_SIZE)):
            add(person(template.profile), "member", village_id)
    store.users.add_many(rows)
    return staff[0]


def _household(rng: random.Random, ids: random.Random, village_id: str,
               template: dd.VillageTemplate) -> tuple[dict, list[dict]]:
    ethnicity = dd.draw_ethnicity(rng, template.profile)
    members = dd.household_members(rng, ethnicity, template.profile)
    remote = template.remote
    household_id = _uuid(ids)
    people = []
    traits = []
    for m in members:
        age = dd.DEMO_YEAR - m.birth_year
        props = dd.person_properties(rng, age, remote, m.ethnicity)
        traits.append((age, props))
        people.append({"id": _uuid(ids), "household_id": household_id, "full_name": m.name,
                       "sex": m.sex, "birth_year": m.birth_year, "ethnicity": m.ethnicity,
                       "relation": m.relation, "properties": props})
    poor = dd.draw_poor_status(rng, remote, ethnicity)
    head_props = traits[0][1]
    phone = (dd.draw_phone(rng) if head_props["smartphone"] == "own"
             and rng.random() < dd.RATES["phone_given"] else None)
    verified = None
    if rng.random() < 0.7:
        verified = (date(dd.DEMO_YEAR, 3, 1) - timedelta(days=rng.randint(1, 365))).isoformat()
    household = {"id": household_id, "village_id": village_id, "head_name": members[0].name,
                 "ethnicity": ethnicity, "poor_status": poor, "phone": phone,
                 "properties": dd.household_properties(rng, remote, ethnicity, poor, traits),
                 "last_verified": verified}
    return household, people
