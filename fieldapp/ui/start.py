"""From start-up to a signed-in workspace: first-run setup, sign-in, a damaged database.

- A new database: the first-run dialog (a new commune, joining a commune with its setup
  file, or the demo). A new commune's database is then encrypted under its staff member's
  PIN and the recovery code shown once; a joined laptop's under its member's PIN, with the
  key also sealed to the commune.
- A database set up: the sign-in dialog (the demo commune too: its PINs are printed there).
- A database of an earlier fieldapp (plain): the sign-in checks the PIN against its hash;
  commune staff then choose a PIN of 6+ digits and the database is encrypted.
- Start-up runs SQLite's quick check; a damaged database (or one that does not open) is
  offered its newest backup that passes the integrity check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox

from fieldapp.core import demo_pin
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.services import auth
from fieldapp.services.workspace import Workspace

log = logging.getLogger(__name__)


def message_box(parent, icon, title: str, text: str, buttons=None, default=None):
    """A plain-text message box (fieldapp.ui.widgets.show_message) with a QMessageBox icon."""
    from fieldapp.ui import widgets

    kinds = {QMessageBox.Icon.Information: "information", QMessageBox.Icon.Warning: "warning",
             QMessageBox.Icon.Critical: "critical", QMessageBox.Icon.Question: "question"}
    return widgets.show_message(parent, kinds[icon], title, text, buttons, default)


def offer_restore(db_path: Path, key: bytes | None, problem: str) -> bool:
    """Offer the newest backup that passes the integrity check; True when restored."""
    from fieldapp.services.backups import good_backups, restore_file

    for info in good_backups(db_path, key)[:1]:
        answer = message_box(
            None, QMessageBox.Icon.Warning, _("The database is damaged"),
            _("{problem}\n\nRestore the last good backup, made {when}? The damaged file is "
              "kept beside it.").format(problem=problem, when=info.taken_at.astimezone()
                                        .strftime("%d/%m/%Y %H:%M")),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        damaged = db_path.with_name(db_path.name + ".damaged")
        try:
            damaged.write_bytes(db_path.read_bytes())
            restore_file(db_path, info.path, key)
        except (OSError, UserError) as exc:
            message_box(None, QMessageBox.Icon.Critical, _("Restore failed"), str(exc))
            return False
        return True
    message_box(None, QMessageBox.Icon.Critical, _("The database is damaged"),
                _("{problem}\n\nThere is no good backup to restore.").format(problem=problem))
    return False


def _checked(workspace: Workspace) -> Workspace | None:
    """The workspace if its quick check passes; otherwise offers a backup (None: restored,
    open again; or refused)."""
    problems = workspace.store.quick_check()
    if not problems:
        return workspace
    path, key = workspace.path, workspace.store.key
    workspace.close()
    raise _Damaged(problems[0], path, key)


class _Damaged(Exception):
    def __init__(self, problem: str, path: Path, key: bytes | None):
        super().__init__(problem)
        self.problem, self.path, self.key = problem, path, key


def signed_in_workspace(db_path: Path, *,
                        demo_path: Path | Callable[[], Path | None] | None = None
                        ) -> Workspace | None:
    """Set up, sign in, check; None when the user quits."""
    from fieldapp.services.recent import remember_opened

    for _attempt in range(3):  # a restore, then again
        try:
            workspace = _sign_in(Path(db_path), demo_path)
            if workspace is None:
                return None
            remember_opened(workspace.path)
            return _checked(workspace)
        except _Damaged as damaged:
            if not offer_restore(damaged.path, damaged.key, damaged.problem):
                return None
    return None


def _sign_in(db_path: Path, demo_path: Path | Callable[[], Path | None] | None
             ) -> Workspace | None:
    if auth.is_encrypted(db_path):
        return _sign_in_dialog(db_path, auth.sign_in_info(db_path))
    try:
        workspace = Workspace.open(db_path)
    except UserError as exc:
        if db_path.is_file() and "damaged" in type(exc).__name__.lower():
            raise _Damaged(str(exc), db_path, None) from exc
        raise
    if not workspace.is_set_up and not workspace.is_demo:
        return _first_run(workspace, demo_path)
    demo = workspace.is_demo
    try:
        info = auth.sign_in_info(db_path, workspace)
    finally:
        workspace.close()
    hint = (_("Demo commune: every PIN is {pin}.").format(pin=demo_pin.DEMO_PIN)
            if demo else None)
    signed = _sign_in_dialog(db_path, info, demo_hint=hint)
    if signed is None or demo or not auth.ENCRYPTION_AVAILABLE or not signed.session.is_staff:
        return signed
    return _encrypt_legacy(signed)


def _sign_in_dialog(db_path: Path, info: auth.SignInInfo, *, demo_hint: str | None = None
                    ) -> Workspace | None:
    """The sign-in dialog; or, for scripts and kiosks, FIELDAPP_USER (name or id) and
    FIELDAPP_PIN from the environment."""
    import os

    wanted, pin = os.environ.get("FIELDAPP_USER"), os.environ.get("FIELDAPP_PIN")
    if wanted and pin:
        match = [u for u in info.users if wanted in (u["user_id"], u["name"])]
        if match:
            return auth.sign_in(db_path, match[0]["user_id"], pin)
    from fieldapp.ui.signin_dialog import SignInDialog

    dialog = SignInDialog(db_path, info, demo_hint=demo_hint)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    if dialog.damaged is not None:
        raise _Damaged(str(dialog.damaged), db_path, dialog.damaged.key)
    return dialog.workspace


def _first_run(workspace: Workspace, demo_path: Path | Callable[[], Path | None] | None
               ) -> Workspace | None:
    from fieldapp.ui.setup_dialog import SetupDialog

    db_path = workspace.path
    if callable(demo_path):  # worked out only for a first run (it reads the data folder)
        demo_path = demo_path()
    dialog = SetupDialog(workspace, demo_path=demo_path)
    if dialog.exec() != SetupDialog.DialogCode.Accepted:
        workspace.close()
        return None
    workspace.close()
    if dialog.demo_db is not None:
        return _sign_in(Path(dialog.demo_db), None)
    if dialog.joined:
        return _protect_joined(db_path, dialog.user_id, dialog.join_pin)
    pin = dialog.request().pin
    return _protect_new(db_path, dialog.user_id, pin)


def _user(db_path: Path, user_id: str) -> dict:
    workspace = Workspace.open(db_path)
    try:
        return workspace.store.users.get(user_id)
    finally:
        workspace.close()


def _protect_new(db_path: Path, user_id: str, pin: str) -> Workspace:
    from fieldapp.ui.signin_dialog import RecoveryCodeDialog

    code = auth.protect(db_path, _user(db_path, user_id), pin)
    if code:
        RecoveryCodeDialog(code).exec()
    return auth.sign_in(db_path, user_id, pin)


def _protect_joined(db_path: Path, user_id: str, pin: str) -> Workspace:
    workspace = Workspace.open(db_path)
    try:
        user = workspace.store.users.get(user_id)
        if not auth.ENCRYPTION_AVAILABLE:
            auth.set_pin(workspace, user, pin)
        commune_key = auth.commune_key(workspace)
    finally:
        workspace.close()
    auth.protect(db_path, user, pin, recovery=False, commune_public_key=commune_key)
    return auth.sign_in(db_path, user_id, pin)


def _encrypt_legacy(workspace: Workspace) -> Workspace:
    """A plain database of an earlier fieldapp, signed in by commune staff: encrypt it."""
    from fieldapp.ui.signin_dialog import NewPinDialog, RecoveryCodeDialog

    dialog = NewPinDialog(title=_("Protect the commune's data"), intro=_(
        "This database is not encrypted yet. Choose a PIN of 6 to 12 digits: the data will "
        "open only with it. Other team members get a new PIN from you afterwards (Team)."))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return workspace
    db_path, session = workspace.path, workspace.session
    user = workspace.store.users.get(session.user_id)
    workspace.close()
    code = auth.protect(db_path, user, dialog.pin())
    if code:
        RecoveryCodeDialog(code).exec()
    return auth.sign_in(db_path, session.user_id, dialog.pin())
