"""``fieldapp --screenshot DIR``: one PNG per main screen at 1366x768, grabbed from the window as
shown: offscreen, or on the platform QT_QPA_PLATFORM names (see fieldapp.ui.app._qt_app)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


from fieldapp.i18n import catalog
from fieldapp.services.workspace import Workspace
from fieldapp.ui.app import build_app_window, demo_path, prepare_app
from fieldapp.ui.main_window import WINDOW_SIZE


def _settle(window=None) -> None:
    """Let Qt lay out and paint, and wait for the background reads (fieldapp.ui.tour)."""
    from fieldapp.ui.tour import settle

    settle(window)


def _grab_dialog(dialog, path: Path) -> Path:
    """Show a dialog, save its picture, close it without acting."""
    dialog.show()
    _settle()
    dialog.grab().save(str(path))
    dialog.done(0)
    dialog.deleteLater()
    return path


def save_screenshots(workspace: Workspace, folder: Path) -> list[Path]:
    """Save ``setup.png`` (a database not set up yet) or ``signin.png``, and ``<screen>.png``
    per screen.

    Nothing is written to the database: the setup dialog is rendered, not submitted.
    """
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    if not workspace.is_set_up and not workspace.is_demo:
        from fieldapp.ui.setup_dialog import SetupDialog

        saved.append(_grab_dialog(SetupDialog(workspace, demo_path=demo_path(workspace.path)),
                                  folder / "setup.png"))
    else:
        from fieldapp.services import auth
        from fieldapp.ui.signin_dialog import SignInDialog

        saved.append(_grab_dialog(SignInDialog(workspace.path,
                                               auth.sign_in_info(workspace.path)),
                                  folder / "signin.png"))

    window = build_app_window(workspace)
    window.resize(WINDOW_SIZE)
    window.show()
    _settle()
    try:
        for key in window.screen_keys():
            window.show_screen(key)
            _settle(window)
            path = folder / f"{key}.png"
            window.grab().save(str(path))
            saved.append(path)
    finally:
        window.close()
        window.deleteLater()
        _settle()
    return saved


def take_screenshots(db_path: Path, folder: Path,
                     on_screenshots: Callable[[list[Path]], None] | None = None) -> int:
    """``fieldapp --db PATH --screenshot DIR``: every main screen into ``folder``, then hand
    the files to ``on_screenshots``. An encrypted database signs in with FIELDAPP_USER and
    FIELDAPP_PIN (name or id); a plain one is shown without a session (every screen), unless
    those are set too."""
    from fieldapp.errors import UserError
    from fieldapp.i18n.catalog import _
    from fieldapp.services import auth
    from fieldapp.services.access import Session

    if auth.is_encrypted(db_path):
        wanted, pin = os.environ.get("FIELDAPP_USER", ""), os.environ.get("FIELDAPP_PIN", "")
        users = auth.sign_in_info(db_path).users
        match = [u for u in users if wanted in (u["user_id"], u["name"])]
        if not match or not pin:
            raise UserError(_("This database is encrypted: set FIELDAPP_USER and FIELDAPP_PIN "
                              "to take its screenshots."))
        workspace = auth.sign_in(db_path, match[0]["user_id"], pin)
    else:
        workspace = Workspace.open(db_path)
        wanted = os.environ.get("FIELDAPP_USER")
        user = next((u for u in workspace.store.users.list()
                     if wanted in (u["id"], u["name"])), None) if wanted else None
        if user:
            workspace.begin_session(Session.of_user(user))
    try:
        catalog.set_language(workspace.setting("language") or catalog.DEFAULT_LANGUAGE)
        prepare_app(workspace, screenshot=True)
        files = save_screenshots(workspace, folder)
        if on_screenshots is not None:
            on_screenshots(files)
        return 0
    finally:
        workspace.close()
