"""Lock and sign out from the window's bar (and Ctrl+L): the content is hidden until the same
member's PIN, and signing out goes back to the sign-in without closing the app, so another
member signs in (fieldapp.ui.app.run)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from fieldapp.services.access import Session
from fieldapp.services.workspace import Workspace
from fieldapp.ui import app as app_module
from fieldapp.ui.signin_dialog import LockDialog

PIN = "246813"


def _signed_in(store, user):
    return Workspace(store, Session.of_user(user))


def _staff(store, name: str = "Vi Văn Cường"):
    """A commune staff member with the test PIN."""
    from fieldapp.services import auth

    user_id = store.users.add_user(name, "commune_staff")
    user = store.users.get(user_id)
    auth.set_pin(Workspace(store), user, PIN)
    return store.users.get(user_id)


def _window(workspace, qtbot):
    window = app_module.build_app_window(workspace)
    qtbot.addWidget(window)
    window.show()
    return window


def _when_modal(action, *, tries: int = 200):
    """Run ``action(modal)`` on the modal dialog opened next (exec() blocks the test)."""
    def look(left=tries):
        modal = QApplication.activeModalWidget()
        if modal is None and left:
            QTimer.singleShot(10, lambda: look(left - 1))
            return
        action(modal)
    QTimer.singleShot(0, look)


def test_the_bar_names_the_member_and_offers_lock_and_sign_out(commune, qtbot):
    user = _staff(commune)
    window = _window(_signed_in(commune, user), qtbot)
    assert window.session_bar.isVisible()
    assert user["name"] in window.session_name.text()
    assert window.lock_action.shortcut() == QKeySequence("Ctrl+L")
    assert window.lock_action in window.actions()  # works wherever the focus is
    texts = [a.text() for a in window.session_bar.actions() if a.text()]
    assert texts == ["Lock", "Sign out"]


def test_without_a_session_there_is_nothing_to_lock(commune, qtbot):
    window = _window(Workspace(commune), qtbot)
    assert not window.session_bar.isVisibleTo(window)
    assert not window.lock_action.isEnabled()


def test_ctrl_l_hides_everything_until_the_same_pin(commune, qtbot):
    user = _staff(commune)
    window = _window(_signed_in(commune, user), qtbot)
    seen = {}

    def at_the_lock(modal):
        seen["dialog"] = modal
        seen["content_hidden"] = not window.centralWidget().isVisible()
        seen["text"] = modal.findChildren(type(window.session_name))[1].text()
        modal.pin.setText("975318")
        modal.submit()  # a wrong PIN keeps it locked
        seen["still_locked"] = modal.isVisible()
        modal.pin.setText(PIN)
        modal.submit()

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    _when_modal(at_the_lock)
    qtbot.keyClick(window.nav, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(seen["dialog"], LockDialog)
    assert seen["content_hidden"] and seen["still_locked"]
    assert "sign out" in seen["text"]
    assert window.centralWidget().isVisible() and not window.locked
    assert not window.signed_out and window.isVisible()


def test_sign_out_closes_the_window_for_the_next_member(commune, qtbot):
    user = _staff(commune)
    window = _window(_signed_in(commune, user), qtbot)
    window.sign_out_action.trigger()
    assert window.signed_out and not window.isVisible()


def test_signing_out_keeps_unsaved_answers_as_a_draft(commune, qtbot):
    user = _staff(commune)
    window = _window(_signed_in(commune, user), qtbot)
    surveys = window.show_screen("surveys")
    view = surveys.start("support_session")
    view.modified = True
    window.sign_out_action.trigger()
    assert window.signed_out and not window.isVisible()
    drafts = commune.query("select id from submissions where status = 'draft'")
    assert len(drafts) == 1  # found again under "Drafts to finish"


def test_signing_out_asks_when_the_draft_cannot_be_saved(commune, qtbot, monkeypatch):
    user = _staff(commune)
    window = _window(_signed_in(commune, user), qtbot)
    surveys = window.show_screen("surveys")
    view = surveys.start("support_session")
    view.modified = True
    monkeypatch.setattr(view, "save_draft", lambda: False)
    monkeypatch.setattr(type(surveys), "ask_unsaved",
                        lambda self: QMessageBox.StandardButton.Cancel)
    window.sign_out_action.trigger()
    assert not window.signed_out and window.isVisible()  # the member stays, answers kept
    assert surveys.form_view is view
    view.modified = False
    window.close()


def test_signing_out_from_the_lock_with_unsaved_answers_locks_again(commune, qtbot,
                                                                    monkeypatch):
    user = _staff(commune)
    window = _window(_signed_in(commune, user), qtbot)
    surveys = window.show_screen("surveys")
    view = surveys.start("support_session")
    view.modified = True
    monkeypatch.setattr(view, "save_draft", lambda: False)  # a draft that cannot be kept
    monkeypatch.setattr(type(surveys), "ask_unsaved",
                        lambda self: QMessageBox.StandardButton.Cancel)
    locks = []

    def sign_out_at_the_lock(modal):
        locks.append(modal)
        if len(locks) == 1:
            modal._sign_out()
        else:  # locked again: the content was never shown without the PIN
            locks.append(window.centralWidget().isVisible())
            modal.pin.setText(PIN)
            modal.submit()

    _when_modal(sign_out_at_the_lock)
    window.lock(manual=True)
    _when_modal(sign_out_at_the_lock)
    qtbot.waitUntil(lambda: len(locks) >= 3, timeout=5000)
    assert locks[2] is False
    assert not window.signed_out and window.isVisible()
    surveys.form_view.modified = False
    window.close()


def test_switching_member_without_closing_the_app(commune, qtbot, monkeypatch):
    """run(): a member signs out, another signs in, the app goes on in a new window."""
    first, second = _staff(commune), _staff(commune, "Lý Thị Hoa")
    workspaces = [_signed_in(commune, first), _signed_in(commune, second), None]
    windows = []

    def sign_in(_path, **_kwargs):
        return workspaces.pop(0)

    monkeypatch.setattr("fieldapp.ui.start.signed_in_workspace", sign_in)
    monkeypatch.setattr(app_module, "_after_start", lambda window: None)
    monkeypatch.setattr(type(commune), "close", lambda self: None)  # one store for both
    original = app_module.build_app_window

    def build(workspace, **kwargs):
        window = original(workspace, **kwargs)
        windows.append(window)
        # The first member signs out; the second closes the app.
        QTimer.singleShot(200, window.sign_out if len(windows) == 1 else window.close)
        return window

    monkeypatch.setattr(app_module, "build_app_window", build)
    assert app_module.run(commune.path) == 0
    assert len(windows) == 2 and workspaces == [None]  # closing the second ended the app
    assert windows[0].signed_out and not windows[1].signed_out
    assert windows[0].context.workspace.session.user_id == first["id"]
    assert windows[1].context.workspace.session.user_id == second["id"]
