"""A class's attendance and progress grids: the date field opens within the class's dates, a
change over a saved day or skill is asked first, and Ctrl+Z takes the last change back."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from fieldapp.services.training import ClassRequest, Training
from fieldapp.services.workflow_codes import shipped_codes
from fieldapp.ui.screens.training import TrainingScreen

TODAY = dt.date.today()


@pytest.fixture
def page(context, qtbot):
    training = context.workspace.training
    class_id = training.save_class(ClassRequest(
        "Bình dân học vụ số", TODAY - dt.timedelta(days=3), TODAY,
        skills=("s1", "s3"), learner_type="citizen"))
    for person in context.workspace.store.query(
            "select id from persons order by full_name limit 3"):
        training.enrol(class_id, person_id=person["id"])
    screen = TrainingScreen(context)
    qtbot.addWidget(screen)
    screen.show()
    page = screen.open_class(class_id)
    page.add_date(TODAY - dt.timedelta(days=1))
    return page


def _stored(page, table: str, column: str) -> list:
    return [r[column] for r in page.context.workspace.store.query(
        f"select {column} from {table} order by enrolment_id")]


def _type(qtbot, grid, row: int, column: int, key) -> None:
    grid.setCurrentIndex(grid.model().index(row, column))
    qtbot.keyClick(grid, key)


@pytest.mark.parametrize("start, end, default", [
    (-10, -5, -5),  # a class that is over: its last day
    (-2, 3, 0),     # a class going on: today
    (4, 8, 4),      # a class not begun: its first day (attendance waits for it)
])
def test_a_new_attendance_date_opens_within_the_class(commune, start, end, default):
    training = Training(commune, shipped_codes, today=lambda: TODAY)
    class_id = training.save_class(ClassRequest(
        "Lớp", TODAY + dt.timedelta(days=start), TODAY + dt.timedelta(days=end),
        skills=("s1",), learner_type="citizen"))
    first, last, chosen = training.attendance_range(class_id)
    assert first == TODAY + dt.timedelta(days=start)
    assert chosen == TODAY + dt.timedelta(days=default)
    assert first <= chosen <= last <= max(first, TODAY)


def test_the_date_field_keeps_to_the_class(page):
    assert page.new_date.minimumDate().toPython() == TODAY - dt.timedelta(days=3)
    assert page.new_date.maximumDate().toPython() == TODAY
    assert page.new_date.date().toPython() == TODAY


def test_changing_a_saved_day_asks_first(page, qtbot):
    grid = page.attendance_grid
    asked = []
    answer = [False]
    page.confirm_overwrite = lambda g, column: asked.append(column) or answer[0]
    _type(qtbot, grid, 0, 0, Qt.Key.Key_C)  # an empty cell: no question
    assert asked == [] and _stored(page, "attendance", "status") == ["present"]
    _type(qtbot, grid, 0, 0, Qt.Key.Key_V)  # over what was saved: asked, "no" keeps it
    assert asked == [0] and _stored(page, "attendance", "status") == ["present"]
    assert page.attendance.code_at(0, 0) == "present"
    answer[0] = True
    _type(qtbot, grid, 0, 0, Qt.Key.Key_V)
    assert _stored(page, "attendance", "status") == ["absent"]
    _type(qtbot, grid, 0, 0, Qt.Key.Key_D)  # the same day again: asked once is enough
    assert asked == [0, 0] and _stored(page, "attendance", "status") == ["late"]


def test_ctrl_z_takes_back_the_last_grid_changes(page, qtbot):
    page.confirm_overwrite = lambda g, column: True
    grid = page.attendance_grid
    _type(qtbot, grid, 0, 0, Qt.Key.Key_C)
    _type(qtbot, grid, 0, 0, Qt.Key.Key_V)
    assert _stored(page, "attendance", "status") == ["absent"]
    assert page.undo_buttons[0].isEnabled()
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _stored(page, "attendance", "status") == ["present"]
    assert page.attendance.code_at(0, 0) == "present"
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _stored(page, "attendance", "status") == [None]  # back to unmarked
    assert not page.undo_buttons[0].isEnabled() and not page.undo()


def test_ctrl_z_in_the_progress_grid(page, qtbot):
    page.confirm_overwrite = lambda g, column: True
    page.tabs.setCurrentIndex(2)
    grid = page.progress_grid
    _type(qtbot, grid, 1, 1, Qt.Key.Key_2)
    _type(qtbot, grid, 1, 1, Qt.Key.Key_3)
    assert page.progress.code_at(1, 1) == "alone"
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.progress.code_at(1, 1) == "with_help"
    assert "with_help" in _stored(page, "progress", "level")
    page.undo_buttons[1].click()
    assert page.progress.code_at(1, 1) is None
