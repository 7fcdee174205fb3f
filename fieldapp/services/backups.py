"""Backups for the screens and the command line (fieldapp.storage.backup does the work).

The app backs up at start-up once a day and before every import; migrations back up before
they run; commune staff back up now and restore from Settings (``fieldapp backup`` and
``fieldapp restore`` on the command line). A restore is an audit event in the restored
database.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.services.access import STAFF, AccessDenied
from fieldapp.storage import backup as bk
from fieldapp.storage.backup import BackupError, BackupInfo
from fieldapp.storage.store import Store

if TYPE_CHECKING:
    from fieldapp.services.workspace import Workspace

__all__ = ["BackupError", "BackupInfo", "Backups", "DAILY"]
DAILY = timedelta(hours=24)


class Backups:
    def __init__(self, workspace: "Workspace"):
        self.workspace = workspace
        self.store = workspace.store

    @property
    def folder(self) -> Path:
        return bk.backups_dir(self._path())

    def _path(self) -> Path:
        if self.workspace.path is None:
            raise UserError(_("An in-memory database has no backups."))
        return Path(self.workspace.path)

    def list(self) -> list[BackupInfo]:
        self.workspace.access.require_signed_in()
        return bk.list_backups(self._path())

    def back_up(self, reason: str = "manual", out: Path | None = None) -> Path:
        """A verified, encrypted copy now (into the backups folder, or ``out``). A backup
        made by hand is commune staff's (the automatic ones are taken whoever signed in)."""
        if reason == "manual":
            self.workspace.access.require_staff()
        path = self.store.backup(reason, out=out)
        if reason == "manual":
            self.workspace.audit.record("backup", detail={"file": path.name})
        return path

    def daily_if_due(self, now: datetime | None = None) -> Path | None:
        """Back up if the newest backup is a day old or more (at start-up)."""
        self.workspace.access.require_signed_in()
        now = now or datetime.now(timezone.utc)
        newest = self.list()
        if newest and now - newest[0].taken_at < DAILY:
            return None
        return self.store.backup("daily")

    def restore(self, backup: Path) -> Path | None:
        """Replace the database by ``backup`` (commune staff), a backup of this database only.
        Every other connection to the database must be closed or idle; the caller reopens its
        workspace afterwards. Returns the copy of the database taken before."""
        self.workspace.access.require_staff()
        path = self._path()
        identity = bk.read_identity(self.store)
        key = self.store.key
        session = self.workspace.session
        self.workspace.close()
        return restore_file(path, Path(backup), key, expected=identity,
                            user_id=session.user_id if session else None)


def restore_file(db_path: Path, backup: Path, key: bytes | None, *,
                 expected: bk.DatabaseIdentity | None = None,
                 user_id: str | None = None) -> Path | None:
    """Replace the database at ``db_path`` by ``backup``, a backup of that database
    (``expected``: its identity, read from the file when not given; a database that cannot be
    read, at start-up, accepts any backup its key opens), and note the restore in the audit
    log as ``user_id``. Returns the copy of the database taken before."""
    db_path, backup = Path(db_path), Path(backup)
    before = bk.restore(db_path, key, backup, expected=expected)
    restored = Store.open(db_path, key=key)
    try:
        if user_id is not None:
            restored.user_id = user_id
        restored.audit.record("restore", user_id=restored.user_id,
                              detail={"file": backup.name})
    finally:
        restored.close()
    return before


def restore_damaged(db_path: Path, backup: Path, key: bytes | None,
                    user: dict[str, str] | None) -> Path | None:
    """Restore a database its sign-in found damaged (fieldapp.services.auth.DamagedDatabase
    gives ``key``, which the PIN unlocked, and ``user``, who signed in, from the keyring):
    commune staff's, as for any restore."""
    user = user or {}
    if user.get("role") != STAFF:
        raise AccessDenied(_("Only commune staff can do this."))
    return restore_file(db_path, backup, key, user_id=user.get("user_id"))


def good_backups(db_path: Path, key: bytes | None) -> list[BackupInfo]:
    """Backups of the database that pass the integrity check, newest first."""
    good = []
    for info in bk.list_backups(Path(db_path)):
        try:
            bk.check_backup(info.path, key)
        except UserError:
            continue
        good.append(info)
    return good
