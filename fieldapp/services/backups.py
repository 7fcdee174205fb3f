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
        return bk.list_backups(self._path())

    def back_up(self, reason: str = "manual", out: Path | None = None) -> Path:
        """A verified, encrypted copy now (into the backups folder, or ``out``)."""
        path = self.store.backup(reason, out=out)
        if reason == "manual":
            self.workspace.audit.record("backup", detail={"file": path.name})
        return path

    def daily_if_due(self, now: datetime | None = None) -> Path | None:
        """Back up if the newest backup is a day old or more (at start-up)."""
        now = now or datetime.now(timezone.utc)
        newest = self.list()
        if newest and now - newest[0].taken_at < DAILY:
            return None
        return self.store.backup("daily")

    def restore(self, backup: Path) -> Path | None:
        """Replace the database by ``backup`` (commune staff). Every other connection to the
        database must be closed or idle; the caller reopens its workspace afterwards. Returns
        the copy of the database taken before."""
        self.workspace.access.require_staff()
        path = self._path()
        device = self.store.device_id
        key = self.store.key
        session = self.workspace.session
        self.workspace.close()
        before = bk.restore(path, key, Path(backup), expected_device=device)
        restored = Store.open(path, key=key)
        try:
            if session is not None:
                restored.user_id = session.user_id
            restored.audit.record("restore", user_id=restored.user_id,
                                  detail={"file": Path(backup).name})
        finally:
            restored.close()
        return before


def restore_file(db_path: Path, backup: Path, key: bytes | None) -> Path | None:
    """``fieldapp restore``: the same checks, for a database that may not open at all."""
    return bk.restore(Path(db_path), key, Path(backup))


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
