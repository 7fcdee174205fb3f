"""The background-task helper: synchronous for tests, threaded with a delayed progress dialog."""

import threading

import pytest
from PySide6.QtWidgets import QPushButton

from fieldapp.errors import UserError
from fieldapp.ui import tasks


def test_synchronous_mode_runs_at_once_with_progress_and_success(qapp):
    seen, results = [], []

    def work(progress, cancelled):
        for i in range(3):
            assert not cancelled()
            progress(i + 1, 3)
            seen.append(i)
        return "done"

    task = tasks.run_in_background(work, results.append, progress="Working…")
    assert results == ["done"] and seen == [0, 1, 2]
    assert task.dialog is None  # nothing to show for work that has finished
    assert tasks.running_tasks() == 0


def test_synchronous_failure_goes_to_on_failure(qapp):
    failures = []

    def work(progress, cancelled):
        raise UserError("The file is not a package.")

    tasks.run_in_background(work, lambda r: pytest.fail("no success"), failures.append)
    assert [str(f) for f in failures] == ["The file is not a package."]


def test_cancelled_work_reports_neither_success_nor_failure(qapp):
    called = []

    def work(progress, cancelled):
        raise tasks.TaskCancelled()

    tasks.run_in_background(work, called.append, called.append)
    assert called == []


def test_error_message_hides_nothing_from_the_user():
    assert tasks.error_message(UserError("Bad PIN.")) == "Bad PIN."
    assert tasks.error_message(ValueError("boom")) == "Something went wrong: boom"


def test_threaded_mode_runs_off_the_ui_thread_and_calls_back_on_it(qapp, qtbot):
    ui_thread = threading.get_ident()
    where, results = {}, []

    def work(progress, cancelled):
        where["work"] = threading.get_ident()
        progress(1, 2)
        return 42

    def on_success(result):
        where["callback"] = threading.get_ident()
        results.append(result)

    tasks.set_synchronous(False)
    try:
        tasks.run_in_background(work, on_success)
        qtbot.waitUntil(lambda: results == [42])
    finally:
        tasks.set_synchronous(True)
    assert where["work"] != ui_thread
    assert where["callback"] == ui_thread
    assert tasks.running_tasks() == 0


def test_threaded_cancel_stops_the_work_and_closes_the_dialog(qapp, qtbot):
    started, release = threading.Event(), threading.Event()
    outcome = []

    def work(progress, cancelled):
        started.set()
        release.wait(10)
        if cancelled():
            raise tasks.TaskCancelled()
        return "finished"

    tasks.set_synchronous(False)
    try:
        task = tasks.run_in_background(work, outcome.append, outcome.append,
                                       progress="Creating the demo commune…", cancellable=True)
        assert started.wait(10)
        task._show_dialog()  # what the 600 ms timer does for slow work
        assert task.dialog is not None and task.dialog.isVisible()
        task.dialog.findChild(QPushButton).click()  # the user presses Cancel
        assert task.is_cancelled()
        release.set()
        qtbot.waitUntil(lambda: task.done)
    finally:
        tasks.set_synchronous(True)
    assert outcome == []
    assert task.dialog is None
