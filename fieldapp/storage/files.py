"""The database file itself: errors met opening it, who may read it, what it holds.

Kept below :mod:`fieldapp.storage.db` (which opens and migrates a database) and
:mod:`fieldapp.storage.backup` (which copies one), so that both use these without importing
each other.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from fieldapp import host
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.storage import engine
from fieldapp.storage.engine import sqlite
from fieldapp.storage.versions import MIGRATION_SET

PRIVATE = host.PRIVATE
"""Permissions of the database, its journal files and backups: this account only."""


class StorageError(UserError):
    """The database file cannot be used; the message says why in the user's language."""


class DatabaseLocked(StorageError):
    """Another program holds the database."""


class DiskFull(StorageError):
    """The disk (or the account's quota) holding the database has no space left."""


class DatabaseDamaged(StorageError):
    """The file is an SQLite database but its pages or schema are damaged."""


class WrongKey(StorageError):
    """An encrypted database opened without its key, or with another database's key."""


def make_private(path: Path) -> None:
    """Make a file readable and writable by this account only (mode 0600; an ACL on Windows)."""
    host.make_private(path)


def _describe(path: Path, exc: Exception, *, encrypted: bool) -> StorageError:
    """The right message for an SQLite error met while opening ``path``."""
    text = str(exc).lower()
    if "disk is full" in text or getattr(exc, "errno", None) == errno.ENOSPC \
            or ("disk i/o" in text and _no_space(path)):
        return DiskFull(_("The disk holding {path} is full: free some space on it, then try "
                          "again. Nothing was changed.").format(path=path))
    if "locked" in text or "busy" in text:
        return DatabaseLocked(_("{path} is in use by another program; close it and try "
                                "again.").format(path=path))
    if "readonly" in text or "read-only" in text or _read_only(path):
        # SQLite writes beside a database (its -shm and -wal files) even to read it
        return StorageError(_("{path} is read-only (the file or its folder): copy it to a "
                              "folder you can write in, then open the copy.").format(path=path))
    if "unable to open" in text or "disk i/o" in text:
        return StorageError(_("Cannot open the database {path}: the file or its folder cannot "
                              "be read or written ({error}).").format(path=path, error=exc))
    if encrypted and "not a database" in text:
        return WrongKey(_("{path} is encrypted and this key does not open it.").format(
            path=path))
    return DatabaseDamaged(_("{path} is damaged or is not a fieldapp database ({error}).")
                           .format(path=path, error=exc))


def _read_only(path: Path) -> bool:
    """Whether the existing file ``path`` or its folder cannot be written by this account."""
    folder = Path(path).parent if str(Path(path).parent) else Path(".")
    return Path(path).is_file() and not (os.access(path, os.W_OK)
                                         and os.access(folder, os.W_OK | os.X_OK))


def _no_space(path: Path) -> bool:
    """Whether the disk holding ``path`` is (all but) full: SQLite reports a failure to grow
    its shared-memory file as a plain I/O error."""
    import shutil

    try:
        return shutil.disk_usage(Path(path).parent).free < 1 << 20
    except OSError:
        return False


def _applied_names(path: Path, key: bytes | None = None) -> list[str]:
    """Migration names recorded in an existing file, read without writing anything."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = engine.connect(uri, key, uri=True, timeout=1.0)
    except sqlite.Error as exc:
        raise _describe(path, exc, encrypted=key is not None) from exc
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
        ours = [r[0] for r in conn.execute(
            "select name from _sqlite_migrations where migration_set = ? order by rowid",
            [MIGRATION_SET])] if "_sqlite_migrations" in tables else []
        if not ours and tables:
            # Another program's database (perhaps also migrated with sqlite-utils): refused.
            raise StorageError(_("{path} is an SQLite file but not a fieldapp database.")
                               .format(path=path))
        return ours
    except (sqlite.DatabaseError, UnicodeDecodeError) as exc:  # damaged pages: text too
        raise _describe(path, exc, encrypted=key is not None) from exc
    finally:
        conn.close()
