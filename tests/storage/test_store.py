import hashlib
import sqlite3
import unicodedata

import pytest

from fieldapp.storage import db as dbmod
from fieldapp.storage.store import Store


def test_new_database_uses_wal_foreign_keys_and_has_a_device(store):
    assert store.conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("pragma foreign_keys").fetchone()[0] == 1
    assert len(store.device_id) == 36
    assert dbmod.pending_migrations(store.conn) == []


def test_migration_names_match_the_registered_migrations():
    from fieldapp.storage.schema import known_migrations
    from fieldapp.storage.versions import MIGRATIONS

    assert list(MIGRATIONS) == known_migrations()


def test_opening_and_reading_does_not_import_sqlite_utils(tmp_path):
    """Start-up reads through the plain connection; sqlite-utils loads on the first write."""
    import subprocess
    import sys

    path = tmp_path / "s.db"
    Store.open(path).close()
    code = ("import sys; from fieldapp.storage.store import Store; s = Store.open(sys.argv[1]); "
            "s.meta('language'); s.villages.list(); s.households.search('an'); s.villages.counts(); "
            "print('sqlite_utils' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "False"


def test_device_identity_is_stable(tmp_path):
    s = Store.open(tmp_path / "a.db")
    device = s.device_id
    s.close()
    assert Store.open(tmp_path / "a.db").device_id == device


def test_rows_carry_sync_columns_and_nfc(setup_store):
    village = setup_store.villages.list()[0]
    with setup_store.transaction():
        hid = setup_store.households.add_household(village["id"], unicodedata.normalize("NFD", "Nguyễn Văn Tư"))
    row = setup_store.households.get(hid)
    assert row["head_name"] == "Nguyễn Văn Tư"
    assert row["head_name_key"] == "nguyen van tu"
    assert row["device_id"] == setup_store.device_id
    assert row["created_at"] and row["updated_at"] and row["rev"] and row["deleted"] == 0
    assert setup_store.meta("hlc_last") == row["rev"]


def test_revisions_increase(setup_store):
    village = setup_store.villages.list()[0]
    hid = setup_store.households.add_household(village["id"], "Lý Văn A")
    first = setup_store.households.get(hid)["rev"]
    setup_store.households.update(hid, {"head_name": "Lý Văn B"})
    assert setup_store.households.get(hid)["rev"] > first


def test_tombstone_hides_but_keeps(setup_store):
    village = setup_store.villages.list()[0]
    hid = setup_store.households.add_household(village["id"], "Lý Văn A")
    setup_store.households.tombstone(hid, "duplicate")
    assert setup_store.households.search("")[1] == 0
    assert setup_store.households.get(hid)["deleted_reason"] == "duplicate"


@pytest.fixture
def people(setup_store):
    v1, v2 = setup_store.villages.list()[:2]
    with setup_store.transaction():
        h1 = setup_store.households.add_household(v1["id"], "Đặng Văn Ân")
        setup_store.persons.add_person(h1, "Đặng Văn Ân", relation="head", birth_year=1960)
        setup_store.persons.add_person(h1, "Nguyễn Thị Hoa", relation="spouse", birth_year=1965)
        h2 = setup_store.households.add_household(v2["id"], "Dương Văn Bảo")
        setup_store.persons.add_person(h2, "Dương Văn Bảo", relation="head", birth_year=1980)
        h3 = setup_store.households.add_household(v2["id"], "Hoàng Thị An")
        setup_store.persons.add_person(h3, "Hoàng Thị An", relation="head", birth_year=1990)
    return setup_store, (h1, h2, h3), (v1, v2)


@pytest.mark.parametrize("query", ["dang", "ĐẶNG", "Đặng", unicodedata.normalize("NFD", "Đặng")])
def test_search_dang(people, query):
    store, (h1, _, _), _ = people
    rows, total = store.households.search(query)
    assert total == 1 and rows[0]["id"] == h1


@pytest.mark.parametrize("query", ["nguyen", "Nguyễn", unicodedata.normalize("NFD", "Nguyễn"),
                                   "NGUYỄN"])
def test_search_finds_household_by_member_name(people, query):
    store, (h1, _, _), _ = people
    rows, total = store.households.search(query)
    assert [r["id"] for r in rows] == [h1]


def test_search_by_village_and_sorted_vietnamese(people):
    store, (h1, h2, h3), (v1, v2) = people
    rows, total = store.households.search("", village_id=v2["id"])
    assert total == 2
    # given names: An < Bảo
    assert [r["head_name"] for r in rows] == ["Hoàng Thị An", "Dương Văn Bảo"]
    rows, _ = store.households.search("")
    assert [r["head_name"] for r in rows] == ["Hoàng Thị An", "Đặng Văn Ân", "Dương Văn Bảo"]
    assert rows[1]["member_count"] == 2 and rows[1]["village_name"] == v1["name"]


def test_search_treats_like_wildcards_literally(people):
    store, *_ = people
    assert store.households.search("%")[1] == 0
    assert store.households.search("_")[1] == 0


def test_persons_of_lists_head_first(people):
    store, (h1, _, _), _ = people
    assert [p["relation"] for p in store.persons.of_household(h1)] == ["head", "spouse"]


def test_counts_by_village(people):
    store, _, (v1, v2) = people
    counts = {r["name"]: (r["households"], r["persons"]) for r in store.villages.counts()}
    assert counts[v1["name"]] == (1, 2) and counts[v2["name"]] == (2, 2)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_not_sqlite_is_refused_untouched(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"this is not a database\n" * 10)
    before = _digest(bad)
    with pytest.raises(dbmod.StorageError, match="not"):
        Store.open(bad)
    assert _digest(bad) == before


def test_foreign_sqlite_is_refused_untouched(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    before = _digest(other)
    with pytest.raises(dbmod.StorageError):
        Store.open(other)
    assert _digest(other) == before


def test_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "new.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) "
                 "values ('fieldapp', 'm999_from_the_future', '2030-01-01')")
    conn.commit()
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    before = _digest(path)
    with pytest.raises(dbmod.StorageError, match="newer version"):
        Store.open(path)
    assert _digest(path) == before


def test_unwritable_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        import os
        if os.access(folder, os.W_OK):  # running as root: permissions do not bind
            pytest.skip("root can write anywhere")
        with pytest.raises(dbmod.StorageError):
            Store.open(folder / "x.db")
    finally:
        folder.chmod(0o700)


def test_folder_that_cannot_be_created_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(dbmod.StorageError, match="folder"):
        Store.open(blocker / "sub" / "x.db")
    assert blocker.read_text() == "x"


def test_folder_as_db_is_refused(tmp_path):
    with pytest.raises(dbmod.StorageError, match="folder"):
        Store.open(tmp_path)


def test_backup_is_taken_before_a_pending_migration(tmp_path, monkeypatch):
    from fieldapp.storage import schema

    path = tmp_path / "old.db"
    Store.open(path).close()

    @schema.migrations(name="m999_test_step")
    def step(db):
        db["extra"].create({"id": int}, pk="id")

    monkeypatch.setattr(dbmod, "MIGRATIONS", dbmod.MIGRATIONS + ("m999_test_step",))

    try:
        store = Store.open(path)
        backups = list((tmp_path / "old.db.backups").glob("*-migration.bak"))
        assert len(backups) == 1
        assert store.scalar("select count(*) from sqlite_master where name = 'extra'") == 1
        assert "extra" not in sqlite3.connect(backups[0]).execute(
            "select group_concat(name) from sqlite_master").fetchone()[0]
        store.close()
    finally:
        schema.migrations._migrations = [m for m in schema.migrations._migrations
                                         if m.name != "m999_test_step"]


def test_transaction_is_all_or_nothing(setup_store):
    village = setup_store.villages.list()[0]
    before = setup_store.counts()
    with pytest.raises(RuntimeError):
        with setup_store.transaction():
            hid = setup_store.households.add_household(village["id"], "Lý Văn A")
            setup_store.persons.add_many([{"household_id": hid, "full_name": "Lý Văn A"}])
            raise RuntimeError("power cut")
    assert setup_store.counts() == before


def test_nested_transactions_roll_back_together(setup_store):
    village = setup_store.villages.list()[0]
    with pytest.raises(RuntimeError):
        with setup_store.transaction():
            setup_store.households.add_household(village["id"], "Lý Văn A")
            with setup_store.transaction():
                setup_store.households.add_household(village["id"], "Lý Văn B")
            raise RuntimeError
    assert setup_store.counts()["households"] == 0


def test_search_index_follows_edits_and_tombstones(people):
    store, (h1, h2, h3), _ = people
    spouse = [p for p in store.persons.of_household(h1) if p["relation"] == "spouse"][0]
    store.persons.update(spouse["id"], {"full_name": "Nguyễn Thị Huệ"})
    assert store.households.search("hue")[1] == 1
    assert store.households.search("nguyen thi hoa")[1] == 0
    store.persons.tombstone(spouse["id"], "moved away")
    assert store.households.search("nguyen")[1] == 0
    store.households.tombstone(h2, "duplicate")
    assert store.households.search("duong")[1] == 0
    assert store.households.search("hoang")[1] == 1


def test_search_is_by_word_prefix_in_order(people):
    store, (h1, h2, h3), _ = people
    assert store.households.search("ng th h")[1] == 1          # Nguyễn Thị Hoa
    assert store.households.search("dang van an")[1] == 1
    assert store.households.search("van an")[1] == 1           # Đặng Văn Ân
    assert store.households.search("an van")[1] == 0           # words out of order
    assert store.households.search("uyen")[1] == 0            # not a word start


def test_search_with_village_filter_counts_only_that_village(people):
    store, (h1, h2, h3), (v1, v2) = people
    assert store.households.search("van", village_id=v2["id"]) [1] == 1   # Dương Văn Bảo
    assert store.households.search("van")[1] == 2


def test_a_larger_page_cache_is_given_back(tmp_path):
    store = Store.open(tmp_path / "s.db")
    before = store.conn.execute("pragma cache_size").fetchone()[0]
    with pytest.raises(RuntimeError):
        with store.page_cache(64):
            assert store.conn.execute("pragma cache_size").fetchone()[0] == -64 * 1024
            raise RuntimeError
    assert store.conn.execute("pragma cache_size").fetchone()[0] == before


def test_a_quick_check_that_passed_is_not_run_again(tmp_path, monkeypatch):
    from fieldapp.storage import db as dbmod

    store = Store.open(tmp_path / "s.db")
    runs = []
    real = dbmod.quick_check
    monkeypatch.setattr(dbmod, "quick_check", lambda conn: runs.append(1) or real(conn))
    assert store.quick_check() == [] and store.quick_check() == []
    assert len(runs) == 1
    # A check that found a problem is run again (the next call must see it too).
    monkeypatch.setattr(dbmod, "quick_check", lambda conn: runs.append(1) or ["damaged"])
    other = Store.open(tmp_path / "t.db")
    assert other.quick_check() == ["damaged"] and other.quick_check() == ["damaged"]
    assert len(runs) == 3
