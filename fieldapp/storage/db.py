"""Opening the local database safely: refuse what is not ours, back up before migrating.

A file that is not SQLite, a folder that cannot be written or a database written by a newer
fieldapp is refused with :class:`StorageError` before anything is written, so the file stays
byte-for-byte as it was.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import collate
from fieldapp.storage.versions import MIGRATION_SET, MIGRATIONS

SQLITE_HEADER = b"SQLite format 3\x00"


class StorageError(UserError):
    """The database file cannot be used; the message says why in the user's language."""


def _applied_names(path: Path) -> list[str]:
    """Migration names recorded in an existing file, read without writing anything."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise StorageError(_("Cannot open the database {path}: {error}").format(
            path=path, error=exc)) from exc
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        if "_sqlite_migrations" not in tables:
            if tables:
                raise StorageError(_("{path} is an SQLite file but not a fieldapp database.")
                                   .format(path=path))
            return []
        rows = conn.execute("select name from _sqlite_migrations where migration_set = ? "
                            "order by rowid", [MIGRATION_SET]).fetchall()
        return [r[0] for r in rows]
    except sqlite3.DatabaseError as exc:
        raise StorageError(_("{path} is damaged or is not a fieldapp database ({error}).")
                           .format(path=path, error=exc)) from exc
    finally:
        conn.close()


def inspect_file(path: Path) -> list[str]:
    """Check that ``path`` can be opened by this version; return the applied migration names.

    Raises StorageError for a non-SQLite file, a foreign SQLite database, a newer schema or an
    unwritable location. Writes nothing.
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
                    folder=folder, error=exc.strerror or exc)) from exc
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StorageError(_("Cannot write in the folder {folder}.").format(folder=folder))
        return []
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(_("Cannot read {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from exc
    if header != SQLITE_HEADER:
        if path.stat().st_size == 0:
            raise StorageError(_("{path} is an empty file, not a fieldapp database.")
                               .format(path=path))
        raise StorageError(_("{path} is not a fieldapp database (not an SQLite file).")
                           .format(path=path))
    applied = _applied_names(path)
    unknown = [name for name in applied if name not in MIGRATIONS]
    if unknown:
        raise StorageError(_("{path} was made by a newer version of fieldapp; "
                             "update fieldapp to open it.").format(path=path))
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(_("Cannot write to {path}: the file or its folder is read-only.")
                           .format(path=path))
    return applied


def backup_before_migration(path: Path, pending: list[str]) -> Path:
    """Copy the database (consistently, through SQLite's backup API) before migrating it."""
    from datetime import datetime, timezone  # only when a migration is about to run

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-{pending[0]}-{stamp}.bak")
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(target))
        with dst:
            src.backup(dst)
        dst.close()
    finally:
        src.close()
    return target


def connect(path: Path | str, *, migrate: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at ``path``.

    Returns the connection; :class:`fieldapp.storage.store.Store` wraps it in a sqlite-utils
    Database when it first writes. sqlite-utils is imported here only to run migrations.
    """
    path = Path(path)
    applied = inspect_file(path)
    pending = [m for m in MIGRATIONS if m not in applied]
    backup = None
    if applied and pending and migrate:
        backup = backup_before_migration(path, pending)
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False)
    except sqlite3.Error as exc:
        raise StorageError(_("Cannot open the database {path}: {error}").format(
            path=path, error=exc)) from exc
    conn.create_collation("vi", collate)
    try:
        conn.execute("pragma journal_mode = wal")
        conn.execute("pragma foreign_keys = on")
        conn.execute("pragma synchronous = normal")
        # 16 MB of page cache (the default is 2 MB): imports and demos write indexes of random
        # ids (UUIDs), whose pages are then found in memory instead of read again.
        conn.execute("pragma cache_size = -16000")
        if migrate and pending:
            from sqlite_utils import Database

            from fieldapp.storage.schema import migrations

            migrations.apply(Database(conn, execute_plugins=False))
    except sqlite3.Error as exc:
        conn.close()
        raise StorageError(_("Cannot write to the database {path}: {error}").format(
            path=path, error=exc)) from exc
    except Exception as exc:  # a migration step failed: it was rolled back
        conn.close()
        raise StorageError(_("Updating the database {path} to this version of fieldapp failed "
                             "({error}); it was left as it was. A copy taken before is {backup}.")
                           .format(path=path, error=exc, backup=backup or "-")) from exc
    return conn


def pending_migrations(conn) -> list[str]:
    """Migrations not yet applied to an open database (a connection or sqlite-utils Database)."""
    conn = getattr(conn, "conn", conn)
    applied = {r[0] for r in conn.execute(
        "select name from _sqlite_migrations where migration_set = ?", [MIGRATION_SET])}
    return [m for m in MIGRATIONS if m not in applied]


# References between synced records. They are not foreign-key constraints: sync delivers
# records in any order, so a reference may wait for its record's package; check lists them.
REFERENCES = (
    ("villages", "commune_id", "communes"),
    ("users", "village_id", "villages"),
    ("households", "village_id", "villages"),
    ("persons", "household_id", "households"),
    ("submissions", "household_id", "households"),
    ("submissions", "village_id", "villages"),
    ("teams", "village_id", "villages"),
    ("team_members", "team_id", "teams"),
    ("team_members", "user_id", "users"),
    ("sessions", "village_id", "villages"),
    ("session_persons", "session_id", "sessions"),
    ("session_persons", "person_id", "persons"),
    ("classes", "trainer_id", "users"),
    ("enrolments", "class_id", "classes"),
    ("enrolments", "person_id", "persons"),
    ("enrolments", "user_id", "users"),
    ("attendance", "enrolment_id", "enrolments"),
    ("progress", "enrolment_id", "enrolments"),
)


def integrity_problems(db) -> list[str]:
    """SQLite integrity check, foreign keys and dangling references; empty when healthy."""
    problems = [r[0] for r in db.execute("pragma integrity_check").fetchall() if r[0] != "ok"]
    for table, rowid, parent, _fk in db.execute("pragma foreign_key_check").fetchall():
        problems.append(f"{table} row {rowid}: missing {parent}")
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    for table, column, parent in REFERENCES:
        if table not in tables or parent not in tables:
            continue
        for (record,) in db.execute(
                f"select id from [{table}] t where t.[{column}] is not null and not exists "
                f"(select 1 from [{parent}] p where p.id = t.[{column}]) limit 20"):
            problems.append(_("{table} {id}: {column} refers to a missing record").format(
                table=table, id=record, column=column))
    return problems
