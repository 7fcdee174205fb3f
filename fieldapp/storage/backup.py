"""Backups of the database file: SQLite's backup API, verified, private, rotated, restorable.

- A backup is a consistent copy made with SQLite's online backup API while the app runs,
  encrypted like the database (same key; a plain database gives a plain backup). It is
  written as ``<name>.part``, checked with ``pragma integrity_check``, made private (0600)
  and only then renamed: a backup killed half-way leaves a ``.part``, never a damaged
  ``.bak`` (nor a half file under the name asked for with ``out``). While it writes, the
  backup holds a lock on a marker in the backups folder naming its ``.part``; the next
  opening of the database (:func:`clear_stale_parts`) removes every ``.part`` whose writer
  is gone, wherever it was written, and leaves those of a backup still running alone.
- Backups live beside the database in ``<database file>.backups/``, named
  ``<UTC time>-<reason>.bak`` (reasons: ``daily``, ``import``, ``migration``, ``manual``,
  ``restore`` — the copy taken before a restore replaced the database).
- Rotation (:func:`thin`): the newest backups are kept, then one a day for a week, one a week
  for five weeks and one a month for a year; the rest is deleted. So an erasure reaches every
  backup within a year (erasure removes the data from every backup made after it).
- Restore (:func:`restore`) checks the backup first (integrity, a backup of this database:
  the same device identity, :class:`DatabaseIdentity`), copies the current database aside, then writes the backup into the database through
  the backup API (so open connections see the restored pages, WAL included).
"""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fieldapp.i18n.catalog import _
from fieldapp.storage import engine
from fieldapp.storage.files import (
    PRIVATE, StorageError, WrongKey, _applied_names, _describe, make_private)
from fieldapp.storage.engine import sqlite
from fieldapp.storage.versions import MIGRATIONS

SUFFIX = ".bak"
PART = ".part"
WRITING = ".writing"
"""A marker in the backups folder: a backup is writing the ``.part`` it names (and holds a
lock on the marker while it does)."""
REASONS = ("daily", "import", "migration", "manual", "restore", "erasure")
KEEP_NEWEST = 5
KEEP_DAYS = 7
KEEP_WEEKS = 5
KEEP_MONTHS = 12
_NAME = re.compile(r"^(\d{8}T\d{6})(\d{6})?Z-([a-z_0-9]+)\.bak$")


class BackupError(StorageError):
    """A backup could not be written or read; the database is as it was."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    reason: str
    size: int


def backups_dir(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".backups")


def _stamp(now: datetime) -> str:
    return now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def _parse(path: Path) -> BackupInfo | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    taken = datetime.strptime(match.group(1) + (match.group(2) or "000000"),
                              "%Y%m%dT%H%M%S%f").replace(tzinfo=timezone.utc)
    try:
        size = path.stat().st_size
    except OSError:
        return None
    return BackupInfo(path, taken, match.group(3), size)


def list_backups(db_path: Path) -> list[BackupInfo]:
    """The backups of a database, newest first."""
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    found = [info for p in folder.iterdir() if p.is_file() and (info := _parse(p))]
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def _new_private_file(path: Path) -> None:
    """An empty file only this account can read (SQLite takes a 0-byte file as a new
    database, and keeps the permissions it finds)."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0),
                 PRIVATE)
    os.close(fd)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def copy_database(source: sqlite.Connection, target: Path, key: bytes | None) -> Path:
    """Copy the database behind ``source`` (an open connection, outside a transaction) into
    ``target`` through the backup API, verified; returns ``target``. ``key``: the key to
    encrypt the copy with (the database's own)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + PART)
    _new_private_file(part)
    try:
        dst = engine.connect(part, key)
        try:
            source.backup(dst)
            dst.execute("pragma journal_mode = delete")  # one self-contained file
            problems = [r[0] for r in dst.execute("pragma integrity_check").fetchall()
                        if r[0] != "ok"]
        finally:
            dst.close()
        if problems:
            raise BackupError(_("The backup {path} did not pass the integrity check: "
                                "{problem}").format(path=target, problem=problems[0]))
        make_private(part)
        _fsync(part)
        os.replace(part, target)
        _fsync(target.parent)
    except sqlite.Error as exc:
        part.unlink(missing_ok=True)
        raise BackupError(_("The backup {path} could not be written: {error}").format(
            path=target, error=exc)) from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return target


def backup_database(db_path: Path, key: bytes | None, reason: str, *,
                    conn: sqlite.Connection | None = None, out: Path | None = None,
                    now: datetime | None = None) -> Path:
    """Back up the database at ``db_path`` (through ``conn`` when given, else a connection
    of its own) into its backups folder, or into ``out``; thin the folder afterwards."""
    if reason not in REASONS:
        raise ValueError(f"unknown backup reason {reason!r}")
    db_path = Path(db_path)
    folder = backups_dir(db_path)
    clear_stale_parts(db_path)
    when = now or datetime.now(timezone.utc)
    target = Path(out) if out is not None else folder / f"{_stamp(when)}-{reason}{SUFFIX}"
    own = conn is None
    if own:
        try:
            conn = engine.connect(db_path, key if engine.is_encrypted_file(db_path) else None)
        except sqlite.Error as exc:
            raise _describe(db_path, exc, encrypted=key is not None) from exc
    try:
        if not engine.is_encrypted_file(db_path):
            key = None  # a plain database gives a plain backup
        with _writing(folder, target.with_name(target.name + PART)):
            copy_database(conn, target, key)
    finally:
        if own:
            conn.close()
    if out is None:
        thin(db_path, now=when)
    return target


# -- backups killed half-way ------------------------------------------------------------------

def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on an open file without waiting; False when someone holds it.
    The system releases it when the holder's process ends, however it ends."""
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextmanager
def _writing(folder: Path, part: Path):
    """A locked marker naming ``part`` in ``folder`` while the block writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / f"{uuid.uuid4().hex}{WRITING}"
    fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_RDWR | getattr(os, "O_BINARY", 0),
                 PRIVATE)
    try:
        _try_lock(fd)  # a new file nobody else has opened yet
        os.write(fd, str(part.resolve()).encode("utf-8"))
        yield
    finally:
        os.close(fd)  # the lock goes with it
        marker.unlink(missing_ok=True)


def clear_stale_parts(db_path: Path) -> list[Path]:
    """Remove what backups of this database killed half-way left: every ``.part`` named by a
    marker nobody holds (in the backups folder or wherever ``out`` pointed), and every
    ``.part`` in the backups folder that no running backup writes. Returns what it removed."""
    folder = backups_dir(db_path)
    if not folder.is_dir():
        return []
    removed, busy = [], set()
    for marker in folder.glob(f"*{WRITING}"):
        try:
            fd = os.open(marker, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except OSError:
            continue
        try:
            named = os.read(fd, 4096).decode("utf-8", "replace").strip()
            alive = not _try_lock(fd) or not named  # empty: its writer is starting
        finally:
            os.close(fd)
        part = Path(named) if named else None
        if alive:
            if part is not None:
                busy.add(part)
            continue
        if part is not None and part.name.endswith(PART) and part.is_file():
            part.unlink(missing_ok=True)
            removed.append(part)
        marker.unlink(missing_ok=True)
    for part in folder.glob(f"*{PART}"):
        if part.resolve() not in busy:
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def backup_before_migration(path: Path, key: bytes | None, pending: list[str]) -> Path:
    """The copy taken before migrations run (reason ``migration``)."""
    return backup_database(path, key, "migration")


def thin(db_path: Path, *, now: datetime | None = None) -> list[Path]:
    """Delete the backups rotation no longer keeps (see the module docstring); returns them."""
    backups = list_backups(db_path)
    now = now or datetime.now(timezone.utc)
    keep: set[Path] = {b.path for b in backups[:KEEP_NEWEST]}
    buckets: dict[tuple, Path] = {}
    for b in backups:  # newest first: the first seen in a bucket is kept
        age = now - b.taken_at
        if age <= timedelta(days=KEEP_DAYS):
            bucket = ("day", b.taken_at.date())
        elif age <= timedelta(weeks=KEEP_WEEKS):
            bucket = ("week", *b.taken_at.isocalendar()[:2])
        elif age <= timedelta(days=31 * KEEP_MONTHS):
            bucket = ("month", b.taken_at.year, b.taken_at.month)
        else:
            continue
        buckets.setdefault(bucket, b.path)
    keep.update(buckets.values())
    removed = []
    for b in backups:
        if b.path not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


@dataclass(frozen=True)
class DatabaseIdentity:
    """Which database a file is: the device identity created with it (kept by its backups,
    different for every database, even two of one laptop) and its commune."""

    device: str | None
    commune_id: str | None = None
    commune_name: str | None = None

    def same_database(self, other: "DatabaseIdentity") -> bool:
        if self.device and other.device:
            return self.device == other.device
        return not (self.commune_id and other.commune_id) or self.commune_id == other.commune_id

    def describe(self) -> str:
        return self.commune_name or self.commune_id or (self.device or "?")[:8]


def read_identity(conn) -> DatabaseIdentity:
    """The identity of the open database behind ``conn`` (a connection or a Store)."""
    conn = getattr(conn, "conn", conn)
    meta = dict(conn.execute(
        "select key, value from app_meta where key in ('device_id', 'commune_id')").fetchall())
    name = None
    if meta.get("commune_id"):
        try:
            row = conn.execute("select name from communes where id = ?",
                               [meta["commune_id"]]).fetchone()
            name = row[0] if row else None
        except sqlite.DatabaseError:
            name = None
    return DatabaseIdentity(meta.get("device_id"), meta.get("commune_id"), name)


def device_of(conn: sqlite.Connection) -> str | None:
    return read_identity(conn).device


def identity_of(db_path: Path, key: bytes | None) -> DatabaseIdentity | None:
    """The identity of the database at ``db_path`` read without writing, or None when it
    cannot be read (missing, damaged, not ours)."""
    db_path = Path(db_path)
    if not db_path.is_file():
        return None
    try:
        conn = engine.connect(f"{db_path.resolve().as_uri()}?mode=ro",
                              key if engine.is_encrypted_file(db_path) else None, uri=True)
    except sqlite.Error:
        return None
    try:
        return read_identity(conn)
    except sqlite.Error:
        return None
    finally:
        conn.close()


def check_backup(path: Path, key: bytes | None) -> str | None:
    """Verify a backup file (a fieldapp database this version opens, integrity checked);
    returns its device id. Raises BackupError."""
    return inspect_backup(path, key).device


def inspect_backup(path: Path, key: bytes | None) -> DatabaseIdentity:
    """Verify a backup file (see :func:`check_backup`); returns its identity."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("{path} is not a backup of a fieldapp database.").format(
            path=path.name))
    encrypted = engine.is_encrypted_file(path)
    if encrypted and key is None:
        raise BackupError(_("{path} is not a backup this database can open: it is encrypted "
                            "(sign in to restore it), or it is not a fieldapp backup at all.")
                          .format(path=path.name))
    try:
        applied = _applied_names(path, key if encrypted else None)
    except WrongKey as exc:
        raise BackupError(_("{path} does not open with this database's key: it is a backup of "
                            "another database (or damaged). Nothing was restored.").format(
            path=path.name)) from exc
    except StorageError as exc:
        raise BackupError(_("{path} cannot be restored: {error}").format(
            path=path.name, error=exc)) from exc
    if not applied:
        raise BackupError(_("{path} is not a backup of a fieldapp database.").format(
            path=path.name))
    if any(name not in MIGRATIONS for name in applied):
        raise BackupError(_("{path} was made by a newer version of fieldapp.").format(
            path=path.name))
    try:
        conn = engine.connect(f"{path.resolve().as_uri()}?mode=ro",
                              key if engine.is_encrypted_file(path) else None, uri=True)
    except sqlite.Error as exc:
        raise BackupError(str(_describe(path, exc, encrypted=key is not None))) from exc
    try:
        problems = [r[0] for r in conn.execute("pragma integrity_check").fetchall()
                    if r[0] != "ok"]
        if problems:
            raise BackupError(_("{path} is damaged: {problem}").format(
                path=path.name, problem=problems[0]))
        return read_identity(conn)
    except sqlite.DatabaseError as exc:
        raise BackupError(str(_describe(path, exc, encrypted=key is not None))) from exc
    finally:
        conn.close()


def restore(db_path: Path, key: bytes | None, backup: Path, *,
            expected: DatabaseIdentity | None = None) -> Path | None:
    """Replace the database at ``db_path`` by ``backup`` (see the module docstring); returns
    the copy of the database taken before (None when the database was unreadable).
    ``expected``: the database's identity (read from it when not given); a backup of another
    database is refused (an unreadable database accepts any backup its key opens)."""
    db_path, backup = Path(db_path), Path(backup)
    found = inspect_backup(backup, key)
    expected = expected or identity_of(db_path, key)
    if expected is not None and not expected.same_database(found):
        raise BackupError(_("{path} is a backup of another database ({other}), not of this "
                            "one ({this}): nothing was restored.").format(
            path=backup.name, other=found.describe(), this=expected.describe()))
    before = None
    if db_path.is_file():
        try:
            before = backup_database(db_path, key, "restore")
        except StorageError:
            before = None  # the database is damaged: nothing worth keeping
    source = engine.connect(f"{backup.resolve().as_uri()}?mode=ro",
                            key if engine.is_encrypted_file(backup) else None, uri=True)
    try:
        if db_path.is_file() and before is None:
            # A damaged file cannot receive pages through the backup API: start afresh.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        if not db_path.exists():
            _new_private_file(db_path)
        plain = not engine.is_encrypted_file(backup)
        dst = engine.connect(db_path, None if plain else key, timeout=30.0)
        try:
            source.backup(dst)
            dst.execute("pragma journal_mode = wal")
            dst.execute("pragma wal_checkpoint(truncate)")
        finally:
            dst.close()
    except sqlite.Error as exc:
        raise BackupError(_("Restoring {path} failed: {error}").format(
            path=backup.name, error=exc)) from exc
    finally:
        source.close()
    make_private(db_path)
    return before
