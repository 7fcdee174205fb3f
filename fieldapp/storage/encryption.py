"""Encrypting a plain database file in place (SQLCipher's ``sqlcipher_export``).

A new commune's database is created plain by the first-run dialog and encrypted as soon as
its first user has a PIN; a database of an earlier fieldapp is encrypted the first time its
commune staff sign in. The export writes every table into a new encrypted file beside it,
checks it, and replaces the plain file. (Pages of the plain file may stay readable in the
disk's free space until overwritten: README, "Sign-in and encryption".)
"""

from __future__ import annotations

import os
from pathlib import Path

from fieldapp.i18n.catalog import _
from fieldapp.storage import engine
from fieldapp.storage.backup import _fsync, _new_private_file
from fieldapp.storage.files import StorageError, make_private
from fieldapp.storage.engine import sqlite


def encrypt_in_place(path: Path, key: bytes) -> None:
    """Encrypt the plain database at ``path`` with ``key``. Every connection to it must be
    closed. Leaves the plain file as it was if anything fails."""
    path = Path(path)
    if not engine.ENCRYPTION_AVAILABLE:
        raise engine.EncryptionUnavailable("SQLCipher (sqlcipher3) is not installed")
    if engine.is_encrypted_file(path):
        raise StorageError(_("{path} is encrypted already.").format(path=path))
    target = path.with_name(path.name + ".encrypting")
    _new_private_file(target)
    try:
        conn = engine.connect(path)
        try:
            conn.execute("pragma wal_checkpoint(truncate)")
            expected = conn.execute("select count(*) from sqlite_master").fetchone()[0]
            engine.attach_encrypted(conn, target, "encrypted", key)
            conn.execute("select sqlcipher_export('encrypted')")
            conn.execute("detach database encrypted")
        finally:
            conn.close()
        check = engine.connect(target, key)
        try:
            check.execute("pragma journal_mode = wal")
            ok = check.execute("pragma integrity_check").fetchone()[0] == "ok"
            copied = check.execute("select count(*) from sqlite_master").fetchone()[0]
        finally:
            check.close()
        if not ok or copied != expected:
            raise StorageError(_("Encrypting {path} failed: the encrypted copy does not match; "
                                 "the database was left as it was.").format(path=path))
        make_private(target)
        _fsync(target)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(target, path)
        _fsync(path.parent)
    except sqlite.Error as exc:
        raise StorageError(_("Encrypting {path} failed ({error}); the database was left as it "
                             "was.").format(path=path, error=exc)) from exc
    finally:
        target.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
