"""m006: a database written before the change log migrates without losing anything."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlite_utils import Database

from fieldapp.storage import db as dbmod
from fieldapp.storage.schema import migrations
from fieldapp.storage.store import Store

DEV = "11111111-1111-4111-8111-111111111111"


def _sync(rev_ms, created_ms=None, device=DEV):
    iso = lambda ms: __import__("fieldapp.core.clock", fromlist=["iso_from_ms"]).iso_from_ms(ms)
    return {"device_id": device, "created_at": iso(created_ms or rev_ms),
            "updated_at": iso(rev_ms), "rev": f"{rev_ms:013d}-0000-{device}", "deleted": 0}


def old_database(path):
    """A database as fieldapp wrote it before m006: rows, submission versions, packs in users."""
    conn = sqlite3.connect(path)
    db = Database(conn)
    migrations.apply(db, stop_before="m006_change_log")
    db["app_meta"].insert_all([{"key": "device_id", "value": DEV},
                               {"key": "hlc_last", "value": f"{1_700_000_900_000:013d}-0000-{DEV}"},
                               {"key": "current_user_id", "value": "u1"}])
    db["communes"].insert({"id": "c1", "name": "Xã A", "name_key": "xa a", "province": "LS",
                           "legacy_names": "[]", **_sync(1_700_000_000_000)})
    db["villages"].insert({"id": "v1", "commune_id": "c1", "name": "Bản Khuông",
                           "name_key": "ban khuong", "name_sort": "x", "kind": "ban",
                           "legacy_names": "[]", "remote": 1, "position": 0,
                           **_sync(1_700_000_000_001)})
    db["users"].insert({"id": "u1", "name": "Hoàng Thị Mai", "name_key": "hoang thi mai",
                        "name_sort": "x", "role": "member", "village_id": "v1", "pin_hash": None,
                        "language": "vi", "pack": "tyz", "pack_mode": "pack_only",
                        **_sync(1_700_000_000_002)})
    db["households"].insert({"id": "h1", "village_id": "v1", "head_name": "Lý Văn Páo",
                             "head_name_key": "ly van pao", "head_sort": "x", "ethnicity": "dao",
                             "poor_status": "poor", "phone": None,
                             "properties": json.dumps({"signal": "weak", "fibre": "no"}),
                             "last_verified": None,
                             **_sync(1_700_000_500_000, created_ms=1_700_000_100_000)})
    db["persons"].insert({"id": "p1", "household_id": "h1", "full_name": "Lý Văn Páo",
                          "name_key": "ly van pao", "name_sort": "x", "sex": "male",
                          "birth_year": 1970, "ethnicity": "dao", "relation": "head",
                          "properties": "{}", **_sync(1_700_000_100_001)})
    db["persons"].insert({"id": "p2", "household_id": "h1", "full_name": "Lý Thị Mây",
                          "name_key": "ly thi may", "name_sort": "x", "sex": "female",
                          "birth_year": 1975, "ethnicity": "dao", "relation": "spouse",
                          "properties": "{}", **_sync(1_700_000_600_000, 1_700_000_100_002),
                          "deleted_reason": "moved away"})
    conn.execute("update persons set deleted = 1 where id = 'p2'")
    versions = [
        (1_700_000_200_000, "draft", {"village": "v1", "members": [{"member_name": "Lý Văn Páo"}]}),
        (1_700_000_300_000, "final", {"village": "v1", "members": [
            {"member_name": "Lý Văn Páo"}, {"member_name": "Lý Thị Mây"}]}),
    ]
    for rev, status, answers in versions:
        db["submission_history"].insert({"submission_id": "s1", "rev": f"{rev:013d}-0000-{DEV}",
                                         "status": status, "answers": json.dumps(answers),
                                         "saved_at": "x", "user_id": "u1"})
    db["submissions"].insert({"id": "s1", "form_id": "household_survey", "form_version": "3",
                              "status": "final", "household_id": "h1", "village_id": "v1",
                              "user_id": "u1", "answers": json.dumps(versions[-1][2]),
                              "finalized_at": "2023-11-14T22:13:20+00:00",
                              "entities": json.dumps({"households": ["h1"],
                                                      "persons": {"0": "p1", "1": "p2"}}),
                              **_sync(1_700_000_300_000, created_ms=1_700_000_200_000)})
    conn.commit()
    conn.close()


def test_an_old_database_migrates_with_its_values_history_and_preferences(tmp_path):
    path = tmp_path / "old.db"
    old_database(path)
    store = Store.open(path)
    assert list((tmp_path / "old.db.backups").glob("*-migration.bak"))  # backup first
    household = store.households.get("h1")
    assert household["head_name"] == "Lý Văn Páo" and household["head_name_key"] == "ly van pao"
    assert json.loads(household["properties"]) == {"signal": "weak", "fibre": "no"}
    assert household["created_at"].startswith("2023-11-14T22:15:00")  # kept, not the last edit
    assert household["device_id"] == DEV
    assert store.persons.get("p2")["deleted"] == 1
    assert store.persons.get("p2")["deleted_reason"] == "moved away"
    # Every saved version of the submission is in the history, rows with keys now.
    history = store.submissions.history("s1")
    assert [h["status"] for h in history] == ["draft", "final"]
    first, last = (json.loads(h["answers"]) for h in history)
    assert len(first["members"]) == 1 and len(last["members"]) == 2
    assert first["members"][0]["@key"] == last["members"][0]["@key"]
    # The pack choice moved to this laptop's settings, out of the synced user.
    assert store.settings.get("form_pack", "u1") == "tyz"
    assert store.settings.get("form_pack_mode", "u1") == "pack_only"
    assert "pack" not in store.users.get("u1")
    # No foreign keys between synced tables any more; the check still finds nothing wrong.
    assert dbmod.integrity_problems(store.conn) == []
    dump = list(store.dump())
    with store.transaction():
        store.writer.rebuild()
    assert list(store.dump()) == dump  # tables and log agree
    store.close()


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    import fieldapp.storage.migrate_log as migrate_log

    path = tmp_path / "old.db"
    old_database(path)
    before = sqlite3.connect(path).execute("select * from households").fetchall()

    def boom(db):
        db.execute("update households set head_name = 'half-way'")
        raise RuntimeError("power cut")

    monkeypatch.setattr(migrate_log, "seed_change_log", boom)
    with pytest.raises(dbmod.StorageError, match="left as it was"):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("select * from households").fetchall() == before
    names = [r[0] for r in conn.execute("select name from _sqlite_migrations")]
    assert "m006_change_log" not in names
