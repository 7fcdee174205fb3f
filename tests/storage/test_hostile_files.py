"""What a hostile-input probe found about database files, each closed (issue 14, item 8)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import threading

import pytest

from fieldapp import cli
from fieldapp.storage import db as dbmod
from fieldapp.storage.store import Store


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def foreign_sqlite_utils_database(path) -> None:
    """Another program's database, migrated with sqlite-utils (its own migration set)."""
    conn = sqlite3.connect(path)
    conn.execute("create table _sqlite_migrations (id integer primary key, migration_set text, "
                 "name text, applied_at text)")
    conn.execute("insert into _sqlite_migrations (migration_set, name, applied_at) values "
                 "('their_app', 'm001_notes', '2026-01-01')")
    conn.execute("create table notes (id integer primary key, body text)")
    conn.execute("insert into notes (body) values ('theirs')")
    conn.commit()
    conn.close()


def test_a_foreign_sqlite_utils_database_is_refused_untouched(tmp_path, capsys):
    path = tmp_path / "notes.db"
    foreign_sqlite_utils_database(path)
    before = digest(path)
    with pytest.raises(dbmod.StorageError, match="not a fieldapp database"):
        Store.open(path)
    assert cli.main(["check", "--db", str(path)]) == 2
    assert "không phải cơ sở dữ liệu" in capsys.readouterr().err  # the CLI speaks Vietnamese
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]  # no backup, no WAL


def test_check_writes_nothing(setup_store, tmp_path):
    path = setup_store.path
    setup_store.conn.execute("pragma wal_checkpoint(truncate)")
    setup_store.close()
    before = digest(path)
    assert cli.main(["check", "--db", str(path)]) == 0
    assert digest(path) == before


def test_a_damaged_database_is_named_damaged_at_once(setup_store, capsys, tmp_path):
    path = setup_store.path
    setup_store.conn.execute("pragma wal_checkpoint(truncate)")
    setup_store.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page
    path.write_bytes(bytes(data))
    with pytest.raises(dbmod.DatabaseDamaged):
        Store.open(path)
    assert cli.main(["--db", str(path), "--screenshot", str(tmp_path / "shots")]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and err.count("\n") == 1
    assert not (tmp_path / "shots").exists()


def test_damaged_pages_fail_the_quick_check(setup_store):
    path = setup_store.path
    for i in range(300):
        setup_store.households.add_household(setup_store.villages.list()[0]["id"], f"Hộ {i}")
    setup_store.conn.execute("pragma wal_checkpoint(truncate)")
    setup_store.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 4 + 200, len(data), 4096 * 3):
        data[offset:offset + 300] = os.urandom(300)
    path.write_bytes(bytes(data))
    try:
        store = Store.open(path)
    except dbmod.DatabaseDamaged:
        return
    assert store.quick_check() != []
    store.close()


HOLD = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("pragma journal_mode = delete")
conn.execute("begin exclusive")
print("locked", flush=True)
sys.stdin.readline()
"""


def test_a_locked_database_is_called_in_use_not_damaged(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "locked.db"
    Store.open(path).close()
    # Another program (another process: locks are per process) holds the file.
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(dbmod.StorageError) as caught:
            Store.open(path)
        assert isinstance(caught.value, dbmod.DatabaseLocked), caught.value
        assert "another program" in str(caught.value)
    finally:
        holder.communicate("\n", timeout=10)


def test_unreadable_folder_messages_do_not_say_damaged():
    error = dbmod._describe(__import__("pathlib").Path("x.db"),
                            Exception("unable to open database file"), encrypted=False)
    assert not isinstance(error, dbmod.DatabaseDamaged) and "cannot be read or written" in str(
        error)
    error = dbmod._describe(__import__("pathlib").Path("x.db"),
                            Exception("attempt to write a readonly database"), encrypted=False)
    assert not isinstance(error, dbmod.DatabaseDamaged)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    pipe = tmp_path / "pipe.db"
    os.mkfifo(pipe)
    outcome = []

    def attempt():
        try:
            Store.open(pipe)
        except dbmod.StorageError as exc:
            outcome.append(str(exc))

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10)
    assert outcome and "not a regular file" in outcome[0]
    assert cli.main(["check", "--db", str(pipe)]) == 2


def test_demo_size_is_bounded(tmp_path, capsys):
    assert cli.main(["demo", "--db", str(tmp_path / "d.db"),
                     "--households", "1000000000000"]) == 2
    assert "nhiều nhất" in capsys.readouterr().err
    assert not (tmp_path / "d.db").exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_new_databases_and_journals_are_private(tmp_path):
    os.umask(0o022)
    store = Store.open(tmp_path / "new.db")
    store.households  # noqa: B018
    store.set_meta("x", "1")
    for name in ("new.db", "new.db-wal", "new.db-shm"):
        path = tmp_path / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    store.close()
    old = tmp_path / "old.db"
    Store.open(old).close()
    old.chmod(0o644)
    Store.open(old).close()  # an existing 0644 file is made private when opened
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
