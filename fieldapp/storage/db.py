"""Opening the local database safely: refuse what is not ours, back up before migrating.

A file that is not SQLite, a folder that cannot be written or a database written by a newer
fieldapp is refused with :class:`StorageError` before anything is written, so the file stays
byte-for-byte as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from fieldapp.errors import os_reason
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import collate
from fieldapp.storage import engine
from fieldapp.storage.engine import SQLITE_HEADER, sqlite  # noqa: F401 - SQLITE_HEADER re-exported
from fieldapp.storage.files import (  # noqa: F401 - re-exported: callers import them from here
    PRIVATE, DatabaseDamaged, DatabaseLocked, DiskFull, StorageError, WrongKey, _applied_names,
    _describe, _no_space, make_private)
from fieldapp.storage.versions import MIGRATION_SET, MIGRATIONS


def inspect_file(path: Path, key: bytes | None = None) -> list[str]:
    """Check that ``path`` can be opened by this version; return the applied migration names.

    Raises StorageError for a non-SQLite file, a foreign SQLite database (also one migrated
    with sqlite-utils by another program), a newer schema, a damaged or locked file, an
    encrypted file without its key, something that is not a regular file (a named pipe would
    block), or an unwritable location. Writes nothing.
    """
    path = Path(path)
    if path.is_dir():
        raise StorageError(_("{path} is a folder, not a database file.").format(path=path))
    folder = path.parent if str(path.parent) else Path(".")
    if not path.exists():
        if not folder.exists():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(_("Cannot create the folder {folder}: {error}").format(
                    folder=folder, error=os_reason(exc))) from exc
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StorageError(_("Cannot write in the folder {folder}.").format(folder=folder))
        return []
    if not path.is_file():  # a named pipe, a device: reading it could block for ever
        raise StorageError(_("{path} is not a regular file.").format(path=path))
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(_("Cannot read {path}: {error}").format(
            path=path, error=os_reason(exc))) from exc
    if path.stat().st_size == 0:
        raise StorageError(_("{path} is an empty file, not a fieldapp database.")
                           .format(path=path))
    if header != SQLITE_HEADER and key is None:
        raise StorageError(_("{path} is not a fieldapp database (not an SQLite file), or it "
                             "is encrypted and needs a sign-in.").format(path=path))
    if header == SQLITE_HEADER:
        key = None  # a plain database (the demo, or one from before encryption)
    applied = _applied_names(path, key)
    unknown = [name for name in applied if name not in MIGRATIONS]
    if unknown:
        raise StorageError(_("{path} was made by a newer version of fieldapp; "
                             "update fieldapp to open it.").format(path=path))
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(_("Cannot write to {path}: the file or its folder is read-only.")
                           .format(path=path))
    return applied


def connect(path: Path | str, *, migrate: bool = True, key: bytes | None = None,
            readonly: bool = False) -> sqlite.Connection:
    """Open (creating if needed) and migrate the database at ``path``.

    ``key``: the database key (32 bytes) of an encrypted database; a plain database opens
    without it (a key given for a plain file is not used). ``readonly``: open without writing
    anything (not even the journal mode), as ``fieldapp check`` does.

    Returns the connection; :class:`fieldapp.storage.store.Store` wraps it in a sqlite-utils
    Database when it first writes. sqlite-utils is imported here only to run migrations.
    """
    path = Path(path)
    new = not path.exists()
    if readonly and new:
        raise StorageError(_("{path} does not exist.").format(path=path))
    applied = inspect_file(path, key)
    if not new and not readonly:
        from fieldapp.storage.backup import clear_stale_parts

        clear_stale_parts(path)  # what a backup killed half-way left
    if not new and not engine.is_encrypted_file(path):
        key = None
    pending = [m for m in MIGRATIONS if m not in applied]
    if applied and pending and migrate and not readonly:
        from fieldapp.storage.backup import backup_before_migration

        backup = backup_before_migration(path, key, pending)
    else:
        backup = None
    try:
        if readonly:
            conn = engine.connect(f"{path.resolve().as_uri()}?mode=ro", key, uri=True,
                                  check_same_thread=False)
        else:
            conn = engine.connect(path, key, check_same_thread=False)
    except sqlite.Error as exc:
        raise _describe(path, exc, encrypted=key is not None) from exc
    conn.create_collation("vi", collate)
    try:
        if readonly:
            conn.execute("select count(*) from sqlite_master").fetchone()
            return conn
        conn.execute("pragma journal_mode = wal")
        conn.execute("pragma foreign_keys = on")
        conn.execute("pragma synchronous = normal")
        # 16 MB of page cache (the default is 2 MB): imports and demos write indexes of random
        # ids (UUIDs), whose pages are then found in memory instead of read again.
        conn.execute("pragma cache_size = -16000")
        make_private(path)
        if migrate and pending:
            from sqlite_utils import Database

            from fieldapp.storage.schema import migrations

            migrations.apply(Database(conn, execute_plugins=False))
    except sqlite.Error as exc:
        conn.close()
        if new:
            _remove_new(path)
        described = _describe(path, exc, encrypted=False)
        if isinstance(described, DiskFull):
            raise described from exc
        raise StorageError(_("Cannot write to the database {path}: {error}").format(
            path=path, error=exc)) from exc
    except Exception as exc:  # a migration step failed: it was rolled back
        conn.close()
        if new:
            _remove_new(path)
            raise
        raise StorageError(_("Updating the database {path} to this version of fieldapp failed "
                             "({error}); it was left as it was. A copy taken before is {backup}.")
                           .format(path=path, error=exc, backup=backup or "-")) from exc
    return conn


def _remove_new(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def quick_check(conn) -> list[str]:
    """SQLite's quick integrity check (pages and schema, not index contents): empty when
    healthy. Fast enough for every start (tests/benchmarks/bench_backup.py)."""
    conn = getattr(conn, "conn", conn)
    try:
        return [r[0] for r in conn.execute("pragma quick_check").fetchall() if r[0] != "ok"]
    except sqlite.DatabaseError as exc:
        return [str(exc)]


COUNTED = ("villages", "users", "households", "persons", "submissions")


def live_counts(conn) -> dict[str, int]:
    """Live (not tombstoned) records of the main tables (``fieldapp check``, Home)."""
    conn = getattr(conn, "conn", conn)
    return {table: conn.execute(f"select count(*) from {table} where deleted = 0").fetchone()[0]
            for table in COUNTED}


def pending_migrations(conn) -> list[str]:
    """Migrations not yet applied to an open database (a connection or sqlite-utils Database)."""
    conn = getattr(conn, "conn", conn)
    applied = {r[0] for r in conn.execute(
        "select name from _sqlite_migrations where migration_set = ?", [MIGRATION_SET])}
    return [m for m in MIGRATIONS if m not in applied]


def _references() -> tuple[tuple[str, str, str], ...]:
    """References between synced records (fieldapp.core.kinds). They are not foreign-key
    constraints: sync delivers records in any order, so a reference may wait for its record's
    package; check lists them."""
    from fieldapp.core.kinds import references

    return references()


def integrity_problems(db) -> list[str]:
    """SQLite integrity check, foreign keys and dangling references; empty when healthy."""
    try:
        problems = [r[0] for r in db.execute("pragma integrity_check").fetchall()
                    if r[0] != "ok"]
    except sqlite.DatabaseError as exc:
        return [str(exc)]
    for table, rowid, parent, _fk in db.execute("pragma foreign_key_check").fetchall():
        problems.append(f"{table} row {rowid}: missing {parent}")
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    for table, column, parent in _references():
        if table not in tables or parent not in tables:
            continue
        for (record,) in db.execute(
                f"select id from [{table}] t where t.[{column}] is not null and not exists "
                f"(select 1 from [{parent}] p where p.id = t.[{column}]) limit 20"):
            problems.append(_("{table} {id}: {column} refers to a missing record").format(
                table=table, id=record, column=column))
    return problems
