"""The Surveys screen in the main window: start a record, finalize it, find it in the list,
reopen and correct it (the earlier version stays in its history), unsaved answers guarded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from fieldapp.services.surveys import SurveyService
from fieldapp.ui.forms.surveys import SurveysScreen, register_surveys_screen
from test_form_driver import FormDriver
from fieldapp.services.workspace import Workspace

TODAY = dt.date(2026, 11, 23)
ABSENT_MEMBER = {"class_name": "Tập huấn phương pháp khảo sát", "village": "Bản Pò Mục",
                 "learner_type": "member", "learner_member": "Hoàng Thị Mai",
                 "attendance": "absent"}


@pytest.fixture
def screen(window, monkeypatch):
    monkeypatch.setattr(
        "fieldapp.ui.forms.surveys.SurveyService",
        lambda store: SurveyService(store, today=lambda: TODAY))
    register_surveys_screen(window)
    widget = window.show_screen("surveys")
    window.activateWindow()
    QApplication.processEvents()
    return widget


def test_surveys_entry_in_navigation(window, screen):
    assert window.screen_keys() == [
        "home", "households", "surveys", "sessions", "training", "teams", "reports", "sync",
        "team", "audit", "translate", "settings"]
    assert window.nav.item(2).text() == "Surveys"
    assert isinstance(screen, SurveysScreen)
    assert set(screen.new_buttons) == {"household_survey", "support_session", "training_progress"}
    assert screen.new_buttons["household_survey"].text() == "Khảo sát kỹ năng số hộ gia đình"
    assert screen.results.currentWidget() is screen.empty


def test_record_finalized_then_corrected_with_history(qtbot, window, screen):
    store = window.context.workspace.store
    qtbot.mouseClick(screen.new_buttons["training_progress"], Qt.MouseButton.LeftButton)
    view = screen.form_view
    assert view is not None and screen.stack.currentWidget() is screen.form_page
    drive = FormDriver(view, qtbot)
    drive.fill_pages(ABSENT_MEMBER, until=lambda v: v.current_page.key == "notes")
    assert view.finalize_button.isEnabled()
    qtbot.mouseClick(view.finalize_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    assert screen.form_view is None

    # The list shows it, with one saved version.
    assert screen.model.rowCount() == 1
    row = screen.model.row(0)
    assert [screen.model.index(0, c).data() for c in (0, 1, 2)] == [
        "Theo dõi tiến độ học kỹ năng số", "Bản Pò Mục", "Finalized"]
    assert screen.history.count() == 1

    # Reopen the finalized record, correct it; it stays finalized, both versions are kept.
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    view = screen.form_view
    assert view is not None
    assert view.status_label.text().startswith("Finalized.")
    while view.section_combo.currentData() != "notes":
        qtbot.keyClick(view.section_combo, Qt.Key.Key_Down)
    FormDriver(view, qtbot).answer("notes", "Vắng vì đi họp thôn.")
    qtbot.keyClick(view.editors["notes"].edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not view.modified
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)

    stored = store.submissions.get(row["id"])
    assert stored["status"] == "final"
    assert json.loads(stored["answers"])["notes"] == "Vắng vì đi họp thôn."
    assert screen.history.count() == 2
    assert [json.loads(h["answers"]).get("notes") for h in screen.service.history(row["id"])] == [
        None, "Vắng vì đi họp thôn."]


def test_closing_with_unsaved_answers_asks(qtbot, screen, monkeypatch):
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save])
    monkeypatch.setattr(screen, "ask_unsaved", lambda: next(answers))
    qtbot.mouseClick(screen.new_buttons["support_session"], Qt.MouseButton.LeftButton)
    view = screen.form_view
    drive = FormDriver(view, qtbot)
    drive.next()
    drive.answer("session_date", "21/11/2026")
    assert view.modified
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    assert screen.form_view is view  # cancelled: still open
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    assert screen.form_view is None  # saved as a draft, then closed
    assert screen.model.rowCount() == 1
    assert screen.model.index(0, 2).data() == "Draft"


def test_label_pack_choice_is_remembered(qtbot, window, screen):
    from fieldapp.i18n.resolution import DisplayMode

    qtbot.mouseClick(screen.new_buttons["support_session"], Qt.MouseButton.LeftButton)
    view = screen.form_view
    assert view.labels.pack_lang is None  # Vietnamese until a pack is chosen
    view.pack_combo.setFocus()
    while view.pack_combo.currentData() != "nut":
        qtbot.keyClick(view.pack_combo, Qt.Key.Key_Down)
    while view.mode_combo.currentData() is not DisplayMode.PACK_ONLY:
        qtbot.keyClick(view.mode_combo, Qt.Key.Key_Down)
    qtbot.mouseClick(view.close_button, Qt.MouseButton.LeftButton)
    # Remembered on this laptop, not in the synced user record.
    assert window.context.workspace.pack_preference().pack == "nut"
    assert "pack" not in window.context.current_user()
    qtbot.mouseClick(screen.new_buttons["training_progress"], Qt.MouseButton.LeftButton)
    assert screen.form_view.labels.pack_lang == "nut"
    assert screen.form_view.labels.mode is DisplayMode.PACK_ONLY
    assert screen.form_view.pack_combo.currentData() == "nut"
