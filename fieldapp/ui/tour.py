"""A tour of every screen and dialog, for pictures and for checks of what a user sees.

:func:`tour` opens the app's window over a workspace at a given size and calls
``visit(name, window_or_dialog)`` at every stop: each screen, the pages inside screens (a
household's page, a class's tabs, each page of each form, in Vietnamese and with a label
pack, the quick log, each Sync tab, each kind of report and a report's preview) and every
dialog (sign-in, lock, PINs, recovery, setup, household and person, survey start and
duplicates, class, team, member, device, backups, retention, progress). Nothing is saved: the
dialogs are shown and closed unanswered, the forms closed unsaved.

Run it from the command line to save the pictures and check the fit (fieldapp.ui.fit)::

    python -m fieldapp.ui.tour DB OUT [--size 1366x768] [--user NAME] [--check]

With QT_SCALE_FACTOR=1.25 in the environment the window is laid out at 1/1.25 of the size, as
Qt does on a screen at 125%.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

Visit = Callable[[str, QWidget], None]
SETTLE_SECONDS = 20


def settle(window=None) -> None:
    """Let Qt lay out and paint, and wait for the background reads that fill the screens."""
    from fieldapp.ui import tasks

    deadline = time.monotonic() + SETTLE_SECONDS
    for _ in range(3):
        QApplication.processEvents()
    while window is not None and time.monotonic() < deadline and (
            window.context.reader.pending() or tasks.running_tasks()):
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(10):  # layout requests travel up one level of widgets per round
        QApplication.processEvents()


def logical_size(width: int, height: int) -> QSize:
    """A screen of ``width`` x ``height`` pixels in the logical pixels widgets are laid out
    in (QT_SCALE_FACTOR=1.25 leaves 1093x614 of a 1366x768 screen)."""
    scale = float(os.environ.get("QT_SCALE_FACTOR") or 1)
    return QSize(int(width / scale), int(height / scale))


def _dialog(visit: Visit, name: str, dialog: QWidget | None) -> None:
    if dialog is None:
        return
    dialog.show()
    settle()
    visit(name, dialog)
    if isinstance(dialog, QDialog):
        dialog.done(0)
    else:
        dialog.close()
    dialog.deleteLater()
    settle()


def _modal(visit: Visit, name: str, trigger: Callable[[], object]) -> None:
    """Visit the modal dialog ``trigger`` opens with exec(), then close it unanswered."""
    seen = []

    def capture() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, capture)
            return
        settle()
        visit(name, modal)
        seen.append(modal)
        modal.close() if not isinstance(modal, QDialog) else modal.reject()

    QTimer.singleShot(0, capture)
    trigger()
    settle()


def tour(workspace, visit: Visit, *, size: QSize | None = None) -> None:
    """Open the window over ``workspace`` and visit every screen and dialog. The window takes
    the size it takes on this screen, or ``size``."""
    from fieldapp.ui.app import build_app_window

    window = build_app_window(workspace)
    if size is not None:  # the window with its frame as large as the screen
        window.resize(size)
        window.show()
        settle()
        frame = window.frameGeometry().size() - window.geometry().size()
        window.resize(size - frame)
    else:
        window.show_fitting()
    settle(window)
    try:
        for key in window.screen_keys():
            screen = window.show_screen(key)
            settle(window)
            visit(key, window)
            if type(screen).__name__ == "ScreenProblem":
                raise RuntimeError(f"the {key} screen could not be built") from screen.exc
            stops = _STOPS.get(key)
            if stops is not None:
                stops(window, screen, visit)
                window.show_screen(key)
                settle(window)
        _sign_in_dialogs(window, visit)
        _progress_dialog(window, visit)
    finally:
        window.close()
        window.deleteLater()
        settle()


# -- the stops inside each screen -------------------------------------------------------------

def _households(window, screen, visit: Visit) -> None:
    if screen.model.rowCount():
        screen.table.selectRow(0)
        settle(window)
        visit("households_selected", window)
        household = screen.model.row(0)
        _dialog(visit, "household_edit", screen.edit_household(household["id"], show=False))
        _dialog(visit, "household_move", screen.move_household(household["id"], show=False))
        _dialog(visit, "household_remove", screen.remove_household(household["id"],
                                                                   show=False))
        _dialog(visit, "person_add", screen.add_person(household["id"], show=False))
    _dialog(visit, "household_add", screen.add_household(show=False))
    start = screen.start_new_survey(show=False)
    _dialog(visit, "survey_start", start)
    if screen.model.rowCount():
        row = screen.model.row(0)
        start = screen.start_new_survey(show=False)
        from fieldapp.ui.screens.registry_dialogs import select

        select(start.village, row.get("village_id"))
        start.head.setText(row.get("head_name") or "")
        start.show()
        start.check()
        _dialog(visit, "survey_start_alike", start)


def _surveys(window, screen, visit: Visit) -> None:
    from fieldapp.i18n.resolution import DisplayMode

    for form_id in list(getattr(screen, "new_buttons", {})):
        view = screen.start(form_id)
        if view is None:
            continue
        settle(window)
        # Every page in Vietnamese; the first page with each label pack.
        for pack in [None, *view.pack_languages]:
            if pack is not None:
                view.pack_bar.chosen.emit(pack, DisplayMode.BILINGUAL)
            for index in range(len(view.pages) if pack is None else 1):
                view.go_to_page(index)
                settle(window)
                visit(f"surveys_{form_id}_{pack or 'vi'}_page{index + 1}", window)
        view.modified = False
        screen.close_form()
        settle(window)
    if screen.model.rowCount():
        screen.table.selectRow(0)
        settle(window)
        visit("surveys_selected", window)


def _sessions(window, screen, visit: Visit) -> None:
    screen.log_session()
    settle(window)
    visit("sessions_log", window)
    _dialog(visit, "sessions_new_person", screen.log.new_person(show=False))
    screen.show_list()
    settle(window)
    _dialog(visit, "sessions_remove", screen.remove_selected(show=False))


def _training(window, screen, visit: Visit) -> None:
    from fieldapp.services.workflow_codes import MEMBER_LEARNER

    _dialog(visit, "training_new_class", screen.new_class(show=False))
    if not screen.model.rowCount():
        return
    _dialog(visit, "training_remove", screen.remove_selected(show=False))
    rows = screen.model.rows()
    # A class of citizens (the registry finder) and, when there is one, a class of members.
    members = [r for r in rows if r.get("learner_type") == MEMBER_LEARNER]
    for name, row in (("training_class", rows[0]),
                      *((("training_member_class", members[0]),) if members else ())):
        page = screen.open_class(row["id"])
        settle(window)
        for tab in range(page.tabs.count()):
            page.tabs.setCurrentIndex(tab)
            settle(window)
            visit(f"{name}_tab{tab + 1}", window)
        page.tabs.setCurrentIndex(0)
    _dialog(visit, "training_edit_class", screen.edit_class(screen.page.class_id, show=False))
    _dialog(visit, "training_new_learner", screen.page.add_new_learner(show=False))
    screen.show_list()


def _teams(window, screen, visit: Visit) -> None:
    _dialog(visit, "teams_new", screen.new_team(show=False))
    _dialog(visit, "teams_edit", screen.edit_team(show=False))
    _dialog(visit, "teams_add_member", screen.add_member(show=False))
    _dialog(visit, "teams_remove", screen.remove_team(show=False))


def _reports(window, screen, visit: Visit) -> None:
    kinds = [screen.kind.itemData(i) for i in range(screen.kind.count())]
    for kind in kinds:
        screen.kind.setCurrentIndex(screen.kind.findData(kind))
        settle(window)
        visit(f"reports_{kind}", window)
    screen.kind.setCurrentIndex(screen.kind.findData("commune"))
    screen.generate()
    settle(window)
    visit("reports_preview", window)


def _sync(window, screen, visit: Visit) -> None:
    from fieldapp.ui.screens.sync_devices import RegisterDialog

    for index in range(screen.tabs.count()):
        screen.tabs.setCurrentIndex(index)
        settle(window)
        visit(f"sync_tab{index + 1}", window)
    screen.tabs.setCurrentIndex(0)
    _dialog(visit, "sync_register_device",
            RegisterDialog(window.context.workspace.users(), window))


def _team(window, screen, visit: Visit) -> None:
    from fieldapp.ui.screens.team import MemberDialog
    from fieldapp.ui.signin_dialog import NewPinDialog

    villages = window.context.workspace.villages()
    _dialog(visit, "team_add_member", MemberDialog(villages, window))
    if screen.model.rowCount():
        member = screen.model.row(0)
        _dialog(visit, "team_edit_member", MemberDialog(villages, window, member=member))
    _dialog(visit, "team_reset_pin", NewPinDialog(window, title=screen.windowTitle() or None))


def _settings(window, screen, visit: Visit) -> None:
    from fieldapp.ui.screens.safety_box import RestoreDialog

    _dialog(visit, "settings_restore", RestoreDialog(window.context, window))
    retention = getattr(screen.safety_box, "retention", None)
    if retention is not None:
        _dialog(visit, "settings_retention", retention.review(show=False))


_STOPS = {"households": _households, "surveys": _surveys, "sessions": _sessions,
          "training": _training, "teams": _teams, "reports": _reports, "sync": _sync,
          "team": _team, "settings": _settings}


# -- dialogs outside the screens ----------------------------------------------------------------

def _sign_in_dialogs(window, visit: Visit) -> None:
    from fieldapp.services import auth
    from fieldapp.ui.signin_dialog import (NewPinDialog, RecoveryCodeDialog, RecoveryDialog,
                                           SignInDialog)

    workspace = window.context.workspace
    if workspace.path is not None:
        info = auth.sign_in_info(workspace.path, workspace)
        _dialog(visit, "signin", SignInDialog(workspace.path, info,
                                              demo_hint="Demo" if workspace.is_demo else None))
        _dialog(visit, "recovery", RecoveryDialog(workspace.path, info))
    _dialog(visit, "recovery_code", RecoveryCodeDialog("ABCD-EFGH-JKLM-NPQR-STUV-WXYZ"))
    _dialog(visit, "new_pin", NewPinDialog())
    if workspace.session is not None:
        from fieldapp.ui.signin_dialog import LockDialog

        _dialog(visit, "lock", LockDialog(workspace, window))
        _dialog(visit, "lock_manual", LockDialog(workspace, window, manual=True))  # Ctrl+L


def _progress_dialog(window, visit: Visit) -> None:
    from fieldapp.i18n.catalog import _
    from fieldapp.ui.tasks import Task

    task = Task(lambda progress, cancelled: None, None, None, _("Making the report…"), True,
                window)
    task._started_at -= 30  # as if it had run for half a minute
    task._show_dialog()
    task._on_progress(120, 400)
    _dialog(visit, "progress", task.dialog)
    task.dialog = None


def setup_tour(visit: Visit, folder: Path) -> None:
    """The first-run dialog, over a new database in ``folder``."""
    from fieldapp.services.workspace import Workspace
    from fieldapp.ui.setup_dialog import SetupDialog

    workspace = Workspace.open(folder / "new.db")
    try:
        dialog = SetupDialog(workspace)
        _dialog(visit, "setup", dialog)
        dialog = SetupDialog(workspace)
        dialog.show()
        dialog.submit()  # with every field empty: the problems are listed
        _dialog(visit, "setup_problems", dialog)
    finally:
        workspace.close()


# -- command line ---------------------------------------------------------------------------------

def _open(db: Path, user: str | None):
    from fieldapp.services import auth
    from fieldapp.services.access import Session
    from fieldapp.services.workspace import Workspace

    if auth.is_encrypted(db):
        users = auth.sign_in_info(db).users
        match = [u for u in users if user in (u["user_id"], u["name"])]
        return auth.sign_in(db, match[0]["user_id"], os.environ["FIELDAPP_PIN"])
    workspace = Workspace.open(db)
    people = workspace.store.users.list()
    chosen = next((u for u in people if user in (u["id"], u["name"])), None) if user else \
        next((u for u in people if u["role"] == "commune_staff"), None)
    if chosen is not None:
        workspace.begin_session(Session.of_user(chosen))
    return workspace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fieldapp.ui.tour")
    parser.add_argument("db", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--user")
    parser.add_argument("--check", action="store_true",
                        help="list every text that does not fit; exit 1 if any")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.lower().split("x"))
    screen_file = _offscreen_screen(width, height)
    from fieldapp.i18n import catalog
    from fieldapp.ui.app import prepare_app
    from fieldapp.ui.fit import cut_texts

    workspace = _open(args.db, args.user)
    catalog.set_language(workspace.setting("language") or catalog.DEFAULT_LANGUAGE)
    prepare_app(workspace, screenshot=True)
    args.out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    def visit(name: str, widget: QWidget) -> None:
        widget.grab().save(str(args.out / f"{name}.png"))
        if args.check:
            problems.extend(f"{name}: {cut}" for cut in cut_texts(widget))

    try:
        tour(workspace, visit)
    finally:
        workspace.close()
        screen_file.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        setup_tour(visit, Path(folder))
    for line in problems:
        print(line)
    print(f"{len(list(args.out.glob('*.png')))} pictures in {args.out}; "
          f"{len(problems)} texts cut", file=sys.stderr)
    return 1 if problems else 0


def _offscreen_screen(width: int, height: int) -> Path:
    """Qt's offscreen platform with one screen of ``width`` x ``height`` pixels (a JSON
    file Qt reads when the application starts; QT_SCALE_FACTOR scales it as on a real
    screen)."""
    import json

    handle, name = tempfile.mkstemp(suffix=".json", prefix="fieldapp-screen-")
    with os.fdopen(handle, "w") as f:
        json.dump({"screens": [{"name": "tour", "x": 0, "y": 0, "width": width,
                                "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                                "dpr": 1}]}, f)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={name}"
    return Path(name)


if __name__ == "__main__":
    sys.exit(main())
