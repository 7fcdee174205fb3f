"""Backups killed half-way leave nothing behind once the database opens again, and a restore
takes only a backup of the same database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fieldapp.services.setup import SetupRequest, run_setup
from fieldapp.storage import backup as bk
from fieldapp.storage.store import Store

# A backup whose copying stops half-way (a file of a few bytes written as the .part), then
# waits to be killed: where a real kill lands is a matter of luck, this one is not.
STALLED = """
import sys, time
from pathlib import Path
from fieldapp.storage import backup as bk
def stalled(conn, target, key):
    Path(str(target) + bk.PART).write_bytes(b"half a backup")
    print("ready", flush=True)
    time.sleep(120)
bk.copy_database = stalled
out = Path(sys.argv[2]) if len(sys.argv) > 2 else None
bk.backup_database(Path(sys.argv[1]), None, "manual", out=out)
"""


def _commune(path: Path, name: str = "Xã Tân Thành") -> Path:
    store = Store.open(path)
    run_setup(store, SetupRequest(name, "Lạng Sơn", ["Bản Khuông"], "Hoàng Thị Mai",
                                  "commune_staff", "246813"))
    store.close()
    return path


def _stalled_backup(db: Path, out: Path | None = None) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", STALLED, str(db),
                              *([str(out)] if out else [])], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    return child


@pytest.mark.parametrize("into", ["folder", "out"])
def test_a_killed_backup_leaves_no_part_after_the_next_start(tmp_path, into):
    db = _commune(tmp_path / "commune.db")
    out = tmp_path / "stick" / "copy.bak" if into == "out" else None
    if out is not None:
        out.parent.mkdir()
    child = _stalled_backup(db, out)
    try:
        part = (out.with_name(out.name + bk.PART) if out else
                next(bk.backups_dir(db).glob(f"*{bk.PART}")))
        Store.open(db).close()  # opened while the backup still runs: its .part is left alone
        assert part.exists()
    finally:
        child.kill()
        child.wait()
    assert part.exists()  # what the kill left
    Store.open(db).close()  # the next start
    assert not part.exists()
    assert [p.name for p in bk.backups_dir(db).iterdir()] == []  # no marker either
    assert bk.list_backups(db) == [] and (out is None or not out.exists())


def test_a_backup_of_another_database_is_refused_and_an_earlier_one_of_this_is_taken(tmp_path):
    db = _commune(tmp_path / "commune.db")
    other = _commune(tmp_path / "other.db", "Xã Khác")
    earlier = bk.backup_database(db, None, "manual")
    foreign = bk.backup_database(other, None, "manual")
    with pytest.raises(bk.BackupError, match="another database.*Xã Khác.*Xã Tân Thành"):
        bk.restore(db, None, foreign)
    assert bk.identity_of(db, None).commune_name == "Xã Tân Thành"  # unchanged
    assert bk.restore(db, None, earlier) is not None
    # A copy of the file is the same database: its backups restore into the copy too.
    twin = tmp_path / "twin.db"
    twin.write_bytes(db.read_bytes())
    assert bk.restore(twin, None, earlier) is not None
