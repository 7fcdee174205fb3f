"""The synthetic demo commune: a new database file filled with a plausible Lạng Sơn commune.

Same ``seed`` and ``households`` give the same file content, ids and timestamps included: every
id comes from the seeded generator and the store runs on a deterministic clock that starts at
:data:`~fieldapp.core.demo_data.DEMO_EPOCH` and advances one millisecond per reading. The
device id is derived from the seed too, so two demo files of the same seed are identical row
for row, change log included. Every record is written through the change log, like any edit.

The households are not written as registry rows: they are surveyed through the shipped household
form (fieldapp.services.demo_rounds), whose finalized rounds create and update the households
and persons as on a member's laptop, so the registry holds what the form saves and the
commune's reports read the same answers as they would on real data. The teams, a year of support
sessions and the training classes are then written as the quick screens write them
(fieldapp.services.demo_workflows).

Every demo team member's PIN is ``246813`` (:data:`~fieldapp.core.demo_data.DEMO_PIN`).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
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

    The summary is ``{"commune", "villages", "households", "persons", "submissions",
    "path"}``. Refuses an
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
    from fieldapp.services import demo_rounds

    _check(stop)
    report(0, total)
    pin_hash = hash_pin(dd.DEMO_PIN)  # argon2 is slow: hash once, share between members
    commune_name = rng.choice(dd.COMMUNE_NAMES)
    templates = dd.pick_villages(rng)
    sizes = dd.split_households(rng, templates, total)
    forms = _shipped_forms(store)
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
        users = _add_users(store, rng, ids, villages, pin_hash)
        current_user = next(u["id"] for u in users if u["role"] == "commune_staff")
        store.set_meta("commune_id", commune_id)
        store.set_meta("current_user_id", current_user)
        store.settings.set("language", "vi")

    names = {v: t.name for v, t in villages}
    team = {v: [u["id"] for u in users if u["village_id"] == v] for v, _t in villages}
    rounds = demo_rounds.RoundMaker(forms["household_survey"], names, team, ids)
    step = max(1, total // 100)
    done = 0
    for (village_id, template), count in zip(villages, sizes):
        households = []
        out = demo_rounds.Writes()
        for _i in range(count):
            household = demo_rounds.draw_household(rng, village_id, template)
            again = dd.RATES["second_round_remote" if template.remote else "second_round"]
            if rng.random() < again:
                household.second_visit = demo_rounds.draw_day(rng, demo_rounds.ROUND_2)
            rounds.first_round(household, demo_rounds.draw_day(rng, demo_rounds.ROUND_1), out)
            households.append(household)
            done += 1
            if done % step == 0 or done == total:
                _check(stop)
                demo_rounds.write(store, out)
                out = demo_rounds.Writes()
                report(done, total)
        demo_rounds.write(store, out)
        # The second round of the demo year in this village.
        out = demo_rounds.Writes()
        again = sorted((h for h in households if h.second_visit), key=lambda h: h.second_visit)
        for number, household in enumerate(again, start=1):
            rounds.second_round(rng, household, household.second_visit, out)
            if number % step == 0:  # a batch at a time: memory stays flat at commune scale
                _check(stop)
                demo_rounds.write(store, out)
                out = demo_rounds.Writes()
        _check(stop)
        demo_rounds.write(store, out)
    _check(stop)
    work = _field_work(store, random.Random(rng.random()), ids, lambda: _check(stop))
    _count_indicators(store, stop)
    # Marked last: each batch is its own transaction, so a file cut off half-way (power loss)
    # is neither set up nor a demo and the app offers setup instead.
    with store.transaction():
        store.set_meta("is_demo", "1")
        store.set_meta("setup_done", "1")
    counts = store.counts()
    return {"commune": commune_name, "villages": len(villages), "households": total,
            "persons": counts["persons"], "submissions": counts["submissions"], **work}


def _count_indicators(store: Store, stop: Callable[[], bool]) -> None:
    """Count the commune's indicator sums now, as every save and import marks them, so that
    the demo's first report reads aggregates like every later one instead of counting every
    round first (52 s at 50,000 households)."""
    from fieldapp.services.indicator_cache import ReportCancelled, refresh
    from fieldapp.services.indicators import load_indicators

    try:
        refresh(store, load_indicators(), cancelled=stop)
    except ReportCancelled:
        _check(lambda: True)


def _shipped_forms(store: Store) -> dict:
    """The shipped household form, its workbook kept with the submissions as saving a form
    keeps it."""
    from fieldapp import paths
    from fieldapp.services.forms import load_form_file

    forms = {}
    for form_id in ("household_survey",):
        path = paths.forms_dir() / f"{form_id}.xlsx"
        form = forms[form_id] = load_form_file(path)
        store.submissions.keep_form_version(form.form_id, form.version, path.name,
                                            path.read_bytes())
    return forms


def _field_work(store: Store, rng: random.Random, ids: random.Random,
                stop: Callable[[], None]) -> dict:
    """Teams, a year of support sessions and the training classes (services.demo_workflows)."""
    from fieldapp.services.demo_workflows import add_field_work

    return add_field_work(store, rng, ids, stop)


def _add_users(store: Store, rng: random.Random, ids: random.Random,
               villages: list[tuple[str, dd.VillageTemplate]], pin_hash: str) -> list[dict]:
    """One team per village (3-6 members), commune staff and trainers (the rows added)."""
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

    for i in range(dd.COMMUNE_STAFF):
        add(person("kinh" if i == 0 else "tay"), "commune_staff", None)
    for _i in range(rng.randint(*dd.TRAINERS)):
        add(person("tay"), "trainer", None)
    for village_id, template in villages:
        for _i in range(rng.randint(*dd.TEAM_SIZE)):
            add(person(template.profile), "member", village_id)
    store.users.add_many(rows)
    return rows
