"""Start the desktop app: open the database, set the language, first-run setup, main window.

``run(db_path)`` is called by ``fieldapp.cli`` (``--screenshot DIR`` goes to
:func:`fieldapp.ui.screenshots.take_screenshots` instead).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

from fieldapp.i18n import catalog
from fieldapp.services.workspace import Workspace

log = logging.getLogger(__name__)

APP_NAME = "fieldapp"
PREWARM_DELAY_MS = 1000


def _qt_app(screenshot: bool):
    """The process's QApplication, created on first use (tests already have one)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # The platform is read when the QApplication is created. --screenshot renders
        # offscreen unless QT_QPA_PLATFORM names a platform: tests/ui/test_real_display.py
        # takes its pictures from windows shown on an X display (xcb) that way.
        if screenshot and not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        if screenshot and os.environ["QT_QPA_PLATFORM"] == "offscreen":
            _quiet_offscreen_warning()
        # Fusion looks the same on every platform. It is chosen with Qt's own -style option
        # rather than app.setStyle("Fusion"), which returns the QStyle and so makes PySide6
        # create QStyle's Python enums (~5 ms) before the first frame.
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME, "-style", "Fusion"])
        app.setApplicationName(APP_NAME)
    return app


def _quiet_offscreen_warning() -> None:
    """Drop the offscreen platform's "does not support propagateSizeHints()" warning, printed
    once per screen by --screenshot and meaningless to its user; other messages pass."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode, _context, message: str) -> None:
        if "propagateSizeHints" not in message:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def build_main_window(workspace: Workspace, *, progressive: bool = False):
    """The main window with the foundation's screens (Home, Households, Settings) over
    ``workspace``, not shown yet. :func:`build_app_window` adds the feature screens too."""
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.main_window import MainWindow
    from fieldapp.ui.screens import register_default_screens

    context = AppContext(workspace)
    window = MainWindow(context, progressive=progressive)
    register_default_screens(window)
    return window


def build_app_window(workspace: Workspace, *, progressive: bool = False):
    """The window the app shows: the foundation's screens plus the features' (Surveys).

    ``progressive``: paint the shell first and build Home after it (see MainWindow).

    The Surveys screen needs the form engine, whose import (pyxform) takes ~0.35 s: it is
    registered with a factory that imports it when the screen is first shown (run() warms the
    import on a worker thread a moment after the window appears).
    """
    from fieldapp.i18n.catalog import _

    window = build_main_window(workspace, progressive=progressive)
    window.add_screen("surveys", lambda: _("Surveys"), _surveys_screen,
                      "SP_FileDialogContentsView", position=2)
    return window


def _prewarm_surveys() -> None:
    def load():
        import fieldapp.ui.forms.surveys  # noqa: F401 - fills the module cache only

    threading.Thread(target=load, name="prewarm-surveys", daemon=True).start()


def _surveys_screen(context):
    from fieldapp.ui.forms.surveys import SurveysScreen

    return SurveysScreen(context)


def prepare_app(workspace: Workspace, *, screenshot: bool = False):
    """QApplication with the bundled fonts at the saved text size, and Qt's own strings
    (dialog buttons, context menus) from our catalogs."""
    from fieldapp.ui import fonts
    from fieldapp.ui.i18n_qt import install_qt_translator

    app = _qt_app(screenshot)
    install_qt_translator(app)
    fonts.register_fonts()
    fonts.apply_app_font(app, workspace.setting("ui_font_scale"))
    return app


def demo_path(db_path: Path) -> Path | None:
    """Where the setup dialog may create the demo commune: the data folder's demo.db, unless
    that is the database being set up."""
    from fieldapp import paths

    path = paths.demo_db_path()  # the same file as ``fieldapp --demo``
    return None if Path(db_path).resolve() == path.resolve() else path


def run(db_path: Path) -> int:
    """Open ``db_path`` and run the app; return the process exit code.

    Start-up goes through fieldapp.ui.start: first-run setup, sign-in, the quick integrity
    check. Signing out (from the lock) returns to the sign-in. A bad database file raises
    StorageError (a UserError) before any window exists, so the CLI prints one line and
    exits 2. The file opened is remembered, for ``fieldapp check`` without ``--db``.
    """
    from fieldapp.ui.start import signed_in_workspace

    app = _qt_app(False)
    _install_texts(app)
    from fieldapp.ui.guard import install_excepthook

    restore = install_excepthook()  # an error in a click: a message, the app goes on
    try:
        return _sessions(app, Path(db_path), signed_in_workspace)
    finally:
        restore()


def _sessions(app, db_path: Path, signed_in_workspace) -> int:
    """Sign in, run the window; after a sign-out, sign in again (another member)."""
    while True:
        workspace = signed_in_workspace(db_path, demo_path=lambda: demo_path(db_path))
        if workspace is None:
            return 0
        try:
            catalog.set_language(workspace.setting("language") or catalog.DEFAULT_LANGUAGE)
            prepare_app(workspace)
            window = build_app_window(workspace, progressive=True)
            window.show_fitting()
            from PySide6.QtCore import QTimer

            # After the first paint, so none of it competes with start-up: the import of the
            # form engine, the idle lock, the day's backup (on the writer thread).
            QTimer.singleShot(PREWARM_DELAY_MS, _prewarm_surveys)
            QTimer.singleShot(PREWARM_DELAY_MS, lambda w=window: _after_start(w))
            code = app.exec()
        finally:
            workspace.close()
        if not window.signed_out:
            return code


def _after_start(window) -> None:
    window.start_idle_lock()
    window.context.writer.write(lambda ws: ws.backups.daily_if_due(),
                                on_failure=lambda exc: log.error("daily backup failed: %s", exc))


def _install_texts(app) -> None:
    from fieldapp.ui import fonts
    from fieldapp.ui.i18n_qt import install_qt_translator

    install_qt_translator(app)
    fonts.register_fonts()
