"""Killing the process during an import leaves the database as it was before the import, or as
it is after it: never half-way (one transaction), and always passing the integrity check.

The default suite kills 8 imports; ``pytest -m longrun tests/services/test_sync_kill.py`` kills
100 (FIELDAPP_KILLS overrides the count).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
import time

import pytest

from fieldapp.services.setup import SetupRequest, run_setup
from fieldapp.services.sync import exchange, identity
from fieldapp.storage import backup as bk
from fieldapp.storage import db as dbmod
from fieldapp.storage.store import Store
from sync_world import join_member, new_commune

IMPORT = """
import sys
from pathlib import Path
from fieldapp.storage.store import Store
from fieldapp.services.sync.exchange import import_packages
store = Store.open(Path(sys.argv[1]))
print("ready", flush=True)
report, = import_packages(store, [Path(sys.argv[2])])  # a backup first, then the import
print(report.status, flush=True)
"""


def digest(path) -> str:
    store = Store.open(path)
    try:
        assert dbmod.integrity_problems(store.conn) == []
        h = hashlib.sha256()
        for line in store.dump():
            h.update(line.encode())
        h.update(str(store.log.count()).encode())
        return h.hexdigest()
    finally:
        store.close()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kill")
    commune = new_commune(folder / "commune.db", ["Bản Khuông", "Bản Nà"])
    member = join_member(commune, folder, "Laptop 1", file="member")
    village = member.villages.list()[0]["id"]
    rng = random.Random(5)
    with member.transaction():
        households = member.households.add_many(
            {"village_id": village, "head_name": f"Hộ số {i}",
             "properties": {"signal": rng.choice(["4g", "weak"]), "fibre": "no"}}
            for i in range(3000))
        member.persons.add_many({"household_id": h, "full_name": f"Người {i}",
                                 "birth_year": 1950 + i % 60} for i, h in enumerate(
                                     households * 3))
    package = exchange.export_package(member, folder / "p.fieldsync").path
    commune.close()
    member.close()
    before = digest(folder / "commune.db")
    after_copy = folder / "after.db"
    shutil.copy(folder / "commune.db", after_copy)
    # The import as the killed children run it, to learn how long it takes: kills are spread
    # over that time and a little after, so some land after the commit.
    started = time.monotonic()
    child = subprocess.run([sys.executable, "-c", IMPORT, str(after_copy), str(package)],
                           capture_output=True, text=True, check=True)
    duration = time.monotonic() - started
    assert child.stdout.split() == ["ready", "applied"]
    return folder, package, before, digest(after_copy), duration


def _kills(default: int) -> int:
    return int(os.environ.get("FIELDAPP_KILLS", default))


def run_kills(prepared, count: int) -> dict[str, int]:
    folder, package, before, after, duration = prepared
    rng = random.Random(17)
    outcomes = {"before": 0, "after": 0}
    for n in range(count):
        target = folder / f"victim{n}.db"
        shutil.copy(folder / "commune.db", target)
        child = subprocess.Popen([sys.executable, "-c", IMPORT, str(target), str(package)],
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, duration * 1.1))
        child.kill()
        child.wait()
        state = digest(target)  # opens the database: the next start
        assert state in (before, after), f"kill {n} left a half-imported database"
        outcomes["before" if state == before else "after"] += 1
        # The backup taken before the import is complete and verified; a .part it left was
        # removed when the database was opened again.
        assert not [p.name for p in bk.backups_dir(target).glob(f"*{bk.PART}*")], n
        for made in bk.list_backups(target):
            assert bk.check_backup(made.path, None), f"kill {n} left a damaged backup"
            outcomes["backups"] = outcomes.get("backups", 0) + 1
        shutil.rmtree(bk.backups_dir(target), ignore_errors=True)
        for suffix in ("", "-wal", "-shm"):
            (folder / f"victim{n}.db{suffix}").unlink(missing_ok=True)
    return outcomes


def test_killed_imports_leave_before_or_after(prepared):
    outcomes = run_kills(prepared, _kills(8))
    assert outcomes["before"] + outcomes["after"] == _kills(8)


@pytest.mark.longrun
def test_a_hundred_killed_imports(prepared):
    outcomes = run_kills(prepared, _kills(100))
    print(f"100 kills: {outcomes['before']} left the state before, {outcomes['after']} after, "
          f"{outcomes.get('backups', 0)} complete backups")
