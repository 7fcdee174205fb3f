"""Sync by file at commune scale: import time and memory against sqlite-utils, package size.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_sync.py [--members 50] [--households 400] [--encrypted]
    .venv/bin/pytest tests/benchmarks/bench_sync.py -s

Targets (issue "Sync by file"): importing 50 member packages holding 20,000 households, 80,000
persons and 100,000 submissions at most 3x the time sqlite-utils ``insert_all`` needs to write
the same rows into an empty database (measured in the same run); importing them a second time
at most 0.1x of that; peak memory at most 300 MB; an incremental package of 50 new household
surveys at most 150 KB.

The member laptops are made quickly: one household survey and one support session are filled
in through the forms engine, and each household of the benchmark copies them with its own
names, row keys and ids (written through the change log like any save). The laptops take turns
(100 households each), so that their records' times and ids interleave as in a commune whose
members work the same weeks. Each member holds 400
households with 4 persons each, one household survey per household and 4 support sessions
per household (100,000 submissions over 50 members).
"""

from __future__ import annotations

import copy
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SURNAMES = ["Hoàng", "Nông", "Lý", "Triệu", "Đặng", "Lương", "Hà", "Vi", "Lục", "Bế"]
GIVEN = ["Văn Sơn", "Thị Lan", "Văn Minh", "Thị Hoa", "Văn Tùng", "Thị Mai", "Văn An",
         "Thị Hà", "Văn Bình", "Thị Thu", "Văn Đức", "Thị Yến"]


def _templates(store):
    """One filled household survey and one support session (answers), through the engine."""
    import datetime as dt

    from fieldapp.core import demo_data as dd
    from fieldapp.services.demo_surveys import complete_instance, fill_household_survey
    from fieldapp.services.surveys import SurveyService

    service = SurveyService(store, today=lambda: dt.date(2026, 11, 20))
    village = store.villages.list()[0]["id"]
    rng = random.Random(1)
    members = dd.household_members(rng, "tay", "tay")
    while len(members) != 4:
        members = dd.household_members(rng, "tay", "tay")
    form, survey = fill_household_survey(service, rng, village, members)
    session_form, session = service.new_instance("support_session")
    complete_instance(session, random.Random(2))
    return (form.form_id, form.version, survey.answers,
            session_form.form_id, session_form.version, session.answers)


def _rekey(tree, rng):
    tree = copy.deepcopy(tree)
    for value in tree.values():
        if isinstance(value, list):
            for row in value:
                row["@key"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return tree


def fill_member(store, households: int, seed: int, templates, *, start: int = 0) -> None:
    """``households`` households of 4 persons, a survey each and 4 support sessions each
    (``start``: how many this laptop holds already, for the names' random stream)."""
    from fieldapp.core import demo_data as dd
    from fieldapp.core.clock import new_id

    hs_form, hs_version, survey, ss_form, ss_version, session = templates
    rng = random.Random(seed * 1_000_003 + start)
    user = store.meta("current_user_id")
    village = store.users.get(user)["village_id"]
    for first in range(0, households, 100):
        rows_h, rows_p, rows_s = [], [], []
        for _ in range(min(100, households - first)):
            hid = new_id()  # as the app names a household it creates
            people = dd.household_members(rng, "tay", "tay")[:4]
            names = [m.name for m in people] + [
                f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}" for _ in range(4 - len(people))]
            rows_h.append({"id": hid, "village_id": village, "head_name": names[0],
                           "ethnicity": "tay", "poor_status": "neither",
                           "properties": {"grid_power": "yes", "mobile_signal": "4g",
                                          "fibre": rng.choice(["yes", "no"])}})
            for i, name in enumerate(names):
                rows_p.append({"household_id": hid, "full_name": name, "sex": "female",
                               "birth_year": 1950 + rng.randrange(70), "ethnicity": "tay",
                               "relation": "head" if i == 0 else "child",
                               "properties": {"smartphone": rng.choice(["own", "none"])}})
            answers = _rekey(survey, rng)
            for row, name in zip(answers.get("members", []), names):
                row["member_name"] = name
            rows_s.append({"form_id": hs_form, "form_version": hs_version, "status": "final",
                           "household_id": hid, "village_id": village, "user_id": user,
                           "answers": answers})
            for _ in range(4):
                rows_s.append({"form_id": ss_form, "form_version": ss_version,
                               "status": "final", "village_id": village, "user_id": user,
                               "answers": _rekey(session, rng)})
        with store.transaction():
            store.households.add_many(rows_h)
            store.persons.add_many(rows_p)
            store.submissions.add_many(rows_s)


def build(folder: Path, members: int, households: int) -> list[Path]:
    from fieldapp.services.setup import SetupRequest, run_setup
    from fieldapp.services.sync import exchange, identity
    from fieldapp.storage.store import Store

    commune = Store.open(folder / "commune.db")
    run_setup(commune, SetupRequest("Xã Tân Thành", "Lạng Sơn",
                                    [f"Thôn {n + 1}" for n in range(members)],
                                    "Hoàng Thị Mai", "commune_staff", "246810"))
    villages = commune.villages.list()
    templates = _templates(commune)
    laptops = []
    for n in range(members):
        user = commune.users.add_user(f"Thành viên {n}", "member",
                                      village_id=villages[n]["id"])
        registration = identity.register_device(commune, f"L{n}", user)
        setup = identity.write_setup_file(commune, registration, folder / f"m{n}.setup")
        member = Store.open(folder / f"m{n}.db")
        identity.join(member, setup)
        laptops.append(member)
    # The members survey in the same weeks: each laptop in turn records 100 households, so
    # their records' creation times (and ids, which begin with it) interleave as in a commune.
    for start in range(0, households, 100):
        for n, member in enumerate(laptops):
            fill_member(member, min(100, households - start), n, templates, start=start)
    packages = []
    for n, member in enumerate(laptops):
        packages.append(exchange.export_package(member, folder / f"p{n}.fieldsync").path)
        member.close()
    commune.close()
    return packages


def baseline(folder: Path, members: int) -> float:
    """sqlite-utils insert_all of the same rows (households, persons, submissions) into an
    empty database."""
    import sqlite3

    from sqlite_utils import Database

    rows: dict[str, list[dict]] = {"households": [], "persons": [], "submissions": []}
    for n in range(members):
        source = sqlite3.connect(folder / f"m{n}.db")
        source.row_factory = sqlite3.Row
        for table in rows:
            rows[table] += [dict(r) for r in source.execute(f"select * from {table}")]
        source.close()
    target = Database(folder / "baseline.db")
    start = time.perf_counter()
    for table, items in rows.items():
        target[table].insert_all(items, pk="id", batch_size=1000)
    return time.perf_counter() - start


IMPORT = """
import json, os, sys, time
from pathlib import Path
from fieldapp.storage.store import Store
from fieldapp.services.sync.exchange import import_packages
key = bytes.fromhex(os.environ["BENCH_KEY"]) if os.environ.get("BENCH_KEY") else None
store = Store.open(Path(sys.argv[1]), key=key)
files = [Path(p) for p in sys.argv[2:]]
start = time.perf_counter()
reports = import_packages(store, files)
seconds = time.perf_counter() - start
store.close()
# The peak resident memory of this process since it started (VmHWM: ru_maxrss would also
# count the benchmark's own memory, inherited through fork before exec).
peak = next(int(line.split()[1]) for line in open("/proc/self/status")
            if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "statuses": sorted({r.status for r in reports}),
                  "rss_mib": peak / 1024}))
"""


def run_import(db: Path, packages: list[Path], key: bytes | None = None) -> dict:
    import os

    env = {**os.environ, "BENCH_KEY": key.hex() if key else ""}
    out = subprocess.run([sys.executable, "-c", IMPORT, str(db), *map(str, packages)],
                         check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.splitlines()[-1])


def package_of_50_surveys(folder: Path) -> int:
    from fieldapp.services.demo_surveys import survey_households
    from fieldapp.services.sync import exchange
    from fieldapp.storage.store import Store

    member = Store.open(folder / "m0.db")
    start = member.log.last_seq()
    # What the commune has acknowledged so far: everything this laptop had exported.
    hub = member.query("select device from sync_peers where kind = 'hub'")[0]["device"]
    member.conn.execute("update sync_peers set our_acked = ? where device = ?", [start, hub])
    member.conn.commit()
    survey_households(member, 50, seed=99)
    size = exchange.export_package(member, folder / "fifty.fieldsync").size
    member.close()
    return size


def report(members: int = 50, households: int = 400, *, encrypted: bool = False) -> dict:
    """The figures; ``encrypted``: the commune's database encrypted (SQLCipher), as the app
    keeps it once its first user has a PIN (the yardstick stays sqlite-utils on a plain file)."""
    import shutil

    from fieldapp.storage.encryption import encrypt_in_place
    from fieldapp.storage.keyring import new_database_key

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        packages = build(folder, members, households)
        built = time.perf_counter() - start
        total = sum(p.stat().st_size for p in packages)
        print(f"{members} member laptops x {households} households built in {built:.0f} s; "
              f"packages {total / 2**20:.1f} MiB in all", flush=True)
        base = baseline(folder, members)
        print(f"sqlite-utils insert_all of the same rows: {base:.1f} s", flush=True)
        shutil.copy(folder / "commune.db", folder / "import.db")
        key = new_database_key() if encrypted else None
        if key:
            encrypt_in_place(folder / "import.db", key)
        first = run_import(folder / "import.db", packages, key)
        print(f"import of {members} packages: {first['seconds']:.1f} s = "
              f"{first['seconds'] / base:.2f}x (target <= 3x), peak RSS "
              f"{first['rss_mib']:.0f} MiB (target <= 300), {first['statuses']}"
              f"{' (encrypted database)' if key else ''}", flush=True)
        again = run_import(folder / "import.db", packages, key)
        print(f"the same files again: {again['seconds']:.2f} s = "
              f"{again['seconds'] / base:.3f}x (target <= 0.1x), {again['statuses']}",
              flush=True)
        size = package_of_50_surveys(folder)
        print(f"incremental package of 50 new household surveys: {size / 1024:.0f} KB "
              f"(target <= 150 KB)", flush=True)
        return {"baseline": base, "import": first, "again": again, "fifty_kb": size / 1024}


@pytest.mark.benchmark
def test_sync_figures():
    report(members=5, households=100)


if __name__ == "__main__":
    args = sys.argv[1:]
    members = int(args[args.index("--members") + 1]) if "--members" in args else 50
    households = int(args[args.index("--households") + 1]) if "--households" in args else 400
    report(members, households, encrypted="--encrypted" in args)
