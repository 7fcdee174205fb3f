"""The sign-in dialog, the lock after idle time, and the staff-only screens."""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt

from fieldapp.services import auth
from fieldapp.services.access import Session
from fieldapp.services.workspace import Workspace
from fieldapp.ui.signin_dialog import LockDialog, NewPinDialog, SignInDialog

PIN = "246813"


def test_signing_in_with_the_pin(commune, qtbot):
    path = commune.path
    user = commune.users.list()[0]
    commune.close()
    dialog = SignInDialog(path, auth.sign_in_info(path))
    qtbot.addWidget(dialog)
    assert dialog.user.currentData() == user["id"]
    dialog.pin.setText("975318")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.workspace is None and dialog.message.text() == "Wrong PIN."
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    dialog.pin.setText(PIN)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == SignInDialog.DialogCode.Accepted
    assert dialog.workspace.session.user_id == user["id"]
    dialog.workspace.close()


def test_the_lock_needs_the_same_pin(commune, qtbot):
    user = commune.users.list()[0]
    workspace = Workspace(commune, Session.of_user(user))
    dialog = LockDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.pin.setText("975318")
    dialog.submit()
    assert dialog.message.text() == "Wrong PIN." and dialog.result() == 0
    dialog.pin.setText(PIN)
    dialog.submit()
    assert dialog.result() == LockDialog.DialogCode.Accepted


def test_a_new_pin_follows_the_policy(qtbot):
    dialog = NewPinDialog()
    qtbot.addWidget(dialog)
    dialog.first.setText("123456")
    dialog.second.setText("123456")
    dialog.submit()
    assert "too easy" in dialog.message.text() and dialog.result() == 0
    dialog.first.setText("975318")
    dialog.submit()
    assert "different" in dialog.message.text()
    dialog.second.setText("975318")
    dialog.submit()
    assert dialog.result() == NewPinDialog.DialogCode.Accepted and dialog.pin() == "975318"


def test_members_see_no_staff_screens(commune, qtbot):
    from fieldapp.ui.app import build_main_window

    village = commune.villages.list()[0]["id"]
    member = commune.users.add_user("Lý Văn Một", "member", village_id=village)
    window = build_main_window(Workspace(commune, Session.of_user(commune.users.get(member))))
    qtbot.addWidget(window)
    assert "team" not in window.screen_keys() and "audit" not in window.screen_keys()
    window.close()


@pytest.mark.parametrize("role", ["member", "trainer"])
def test_every_screen_opens_for_each_role(commune, qtbot, role):
    """What a member or a trainer may not read is not offered; what is offered opens."""
    from fieldapp.ui.app import build_main_window

    village = commune.villages.list()[0]["id"]
    user = commune.users.add_user("Lý Văn Một", role,
                                  village_id=village if role == "member" else None)
    window = build_main_window(Workspace(commune, Session.of_user(commune.users.get(user))))
    qtbot.addWidget(window)
    window.show()
    keys = window.screen_keys()
    if role == "trainer":
        assert "households" not in keys and "sessions" not in keys
        assert "training" in keys
    for key in keys:
        window.show_screen(key)
        qtbot.wait(5)
    window.close()


def test_a_member_reads_the_team_rosters_without_editing_them(commune, qtbot):
    from fieldapp.ui.app import build_main_window

    village = commune.villages.list()[0]["id"]
    member = commune.users.add_user("Lý Văn Một", "member", village_id=village)
    window = build_main_window(Workspace(commune, Session.of_user(commune.users.get(member))))
    qtbot.addWidget(window)
    window.show()
    screen = window.show_screen("teams")
    assert not screen.new_button.isVisibleTo(screen)
    assert not any(b.isVisibleTo(screen) for b in screen.buttons.values())
    window.close()
