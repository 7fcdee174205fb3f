"""The one helper for work that must not freeze the window.

``run_in_background(fn, on_success, on_failure, progress=..., cancellable=...)`` runs
``fn(progress, cancelled)`` on a worker thread (the same callbacks the services accept: call
``progress(done, total)`` and check ``cancelled()``), then calls ``on_success(result)`` or
``on_failure(exc)`` on the UI thread. When ``progress`` is a label, a progress dialog appears if
the work is still running after :data:`PROGRESS_DELAY_MS`, with a Cancel button when
``cancellable``. The dialog says the real steps done, "1.200 of 5.000" by default, or in the
words of ``steps(done, total)`` ("file 2 of 5"), or of the text the work passes as a third
argument (``progress(done, total, "page 3")``, for work in stages), and, once the work has run a
few seconds, about how long is left.

Tests switch to synchronous mode (:func:`set_synchronous` or the :func:`synchronous` context
manager): the work then runs at once in the calling thread and the callbacks are called before
``run_in_background`` returns, so tests need no waiting.

Do not touch the Store's connection from ``fn``: SQLite connections belong to the thread that
opened them. Background work opens its own connection (or receives plain data).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6 import QtCore
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _

if TYPE_CHECKING:
    from PySide6.QtWidgets import QProgressDialog

log = logging.getLogger(__name__)

PROGRESS_DELAY_MS = 600
ESTIMATE_AFTER = 3.0
"""Seconds of work before the time left is estimated (the first moments say little)."""

Progress = Callable[..., None]
"""``progress(done, total)``, or ``progress(done, total, text)`` saying what the steps are."""
Steps = Callable[[int, int], str]
Cancelled = Callable[[], bool]
Work = Callable[[Progress, Cancelled], Any]

_synchronous = False
_running: set["Task"] = set()


def set_synchronous(value: bool) -> None:
    """Run every task at once in the calling thread (tests)."""
    global _synchronous
    _synchronous = value


@contextmanager
def synchronous() -> Iterator[None]:
    previous = _synchronous
    set_synchronous(True)
    try:
        yield
    finally:
        set_synchronous(previous)


class TaskCancelled(Exception):
    """Raised by work that noticed ``cancelled()``; reported to nobody as an error."""


def error_message(exc: BaseException) -> str:
    """What to tell the user about a failure: a UserError's own message, else a generic line."""
    if isinstance(exc, UserError):
        return str(exc)
    from fieldapp import host

    from fieldapp.errors import file_error

    explained = host.disk_full(exc) or file_error(exc)
    if explained is not None:
        return str(explained)
    return _("Something went wrong: {error}").format(error=exc)


def show_failure(parent: QWidget | None, exc: BaseException) -> None:
    """Default failure handler: log it (with a traceback for bugs) and tell the user."""
    if isinstance(exc, UserError):
        log.info("task refused: %s", exc)
    else:
        log.error("background task failed", exc_info=exc)
    from fieldapp.ui import widgets  # not needed to start the app

    widgets.show_message(parent, "warning", _("fieldapp"), error_message(exc))


def time_left(seconds: float) -> str:
    """"about 40 seconds left", "about 3 minutes left" (rounded as people say it)."""
    from fieldapp.i18n.catalog import ngettext

    if seconds < 60:
        count = max(5, int(round(seconds / 5.0)) * 5)
        return ngettext("about {count} second left", "about {count} seconds left",
                        count).format(count=count)
    count = int(round(seconds / 60.0))
    return ngettext("about {count} minute left", "about {count} minutes left",
                    count).format(count=count)


def count_steps(done: int, total: int) -> str:
    """The default words for the steps: "1.200 of 5.000"."""
    from fieldapp.ui.formatting import fmt_int

    return _("{done} of {total}").format(done=fmt_int(done), total=fmt_int(total))


class _Signals(QObject):
    progressed = Signal(int, int, object)
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, task: "Task"):
        super().__init__()
        self.task = task

    def run(self) -> None:  # worker thread
        task = self.task
        try:
            result = task.fn(task._report_progress, task.is_cancelled)
        except BaseException as exc:  # noqa: BLE001 - handed to the UI thread, logged there
            outcome, value = task.signals.failed, exc
        else:
            outcome, value = task.signals.succeeded, result
        try:
            outcome.emit(value)
        except RuntimeError:  # the application is shutting down and the receiver is gone
            log.warning("background task finished after its window was closed")


class Task(QObject):
    """One running piece of work. Keeps itself alive until its callbacks have run."""

    def __init__(self, fn: Work, on_success: Callable[[Any], None] | None,
                 on_failure: Callable[[BaseException], None] | None,
                 progress: str | None, cancellable: bool, parent: QWidget | None,
                 pool: QThreadPool | None = None, steps: Steps | None = None,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.steps = steps or count_steps
        self._clock = clock
        self._started_at = clock()
        self._text: str | None = None
        self.pool = pool
        self.fn = fn
        self.on_success = on_success
        self.on_failure = on_failure
        self.label = progress
        self.cancellable = cancellable
        self.parent_widget = parent
        self.done = False
        self.dialog: QProgressDialog | None = None
        self._cancel = threading.Event()
        self._last = (0, 0)
        self.signals = _Signals()
        # Queued: the signals are emitted from the worker and must run these slots here.
        # (QtCore.Qt is looked up here, not imported at module level: the module is on the
        # start-up path and the Qt namespace's enums cost ~20 ms to create.)
        queued = QtCore.Qt.ConnectionType.QueuedConnection
        self.signals.progressed.connect(self._on_progress, queued)
        self.signals.succeeded.connect(self._on_succeeded, queued)
        self.signals.failed.connect(self._on_failed, queued)

    # -- callbacks handed to the work ---------------------------------------------------------
    def _report_progress(self, done: int, total: int, text: str | None = None) -> None:
        if not _synchronous and shiboken6.isValid(self.signals):
            self.signals.progressed.emit(done, total, text)

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    # -- UI thread ----------------------------------------------------------------------------
    def start(self) -> None:
        if _synchronous:
            try:
                result = self.fn(self._report_progress, self.is_cancelled)
            except BaseException as exc:  # noqa: BLE001 - reported through on_failure
                self._on_failed(exc)
            else:
                self._on_succeeded(result)
            return
        _running.add(self)
        if self.label is not None:
            QTimer.singleShot(PROGRESS_DELAY_MS, self._show_dialog)
        (self.pool or QThreadPool.globalInstance()).start(_Runnable(self))

    def _show_dialog(self) -> None:
        if self.done:
            return
        from PySide6.QtWidgets import QProgressDialog  # not needed to start the app

        dialog = QProgressDialog(self.label, _("Cancel") if self.cancellable else "",
                                 0, 0, self.parent_widget)
        dialog.setWindowTitle(_("Please wait"))
        dialog.setWindowModality(QtCore.Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not self.cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self._on_cancel_clicked)
        dialog.setMinimumWidth(dialog.fontMetrics().horizontalAdvance("M") * 34)
        self.dialog = dialog
        self._update_dialog()
        dialog.show()
        # The time left keeps moving between two reports of a slow step.
        self._ticker = QTimer(self)
        self._ticker.timeout.connect(self._update_dialog)
        self._ticker.start(1000)

    def step_text(self) -> str:
        """What the dialog says under the label: the steps done and the time left."""
        done, total = self._last
        if not total:
            return self._text or ""
        parts = [self._text or self.steps(done, total)]
        elapsed = self._clock() - self._started_at
        fraction = min(1.0, done / total)
        if elapsed >= ESTIMATE_AFTER and 0.01 <= fraction < 1.0:
            parts.append(time_left(elapsed / fraction - elapsed))
        return " · ".join(p for p in parts if p)

    def _update_dialog(self) -> None:
        dialog = self.dialog
        if dialog is None or self._cancel.is_set():
            return
        done, total = self._last
        if total:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        step = self.step_text()
        dialog.setLabelText(f"{self.label}\n{step}" if step else self.label)

    def _on_cancel_clicked(self) -> None:
        self.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText(_("Cancelling…"))

    @Slot(int, int, object)
    def _on_progress(self, done: int, total: int, text: str | None = None) -> None:
        self._last = (done, total)
        self._text = text
        self._update_dialog()

    def _finish(self) -> None:
        self.done = True
        ticker = getattr(self, "_ticker", None)
        if ticker is not None:
            ticker.stop()
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self._on_cancel_clicked)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        _running.discard(self)

    @Slot(object)
    def _on_succeeded(self, result: Any) -> None:
        self._finish()
        if self.on_success is not None:
            self.on_success(result)

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, TaskCancelled):
            log.info("task cancelled by the user")
            return
        if self.on_failure is not None:
            self.on_failure(exc)
        else:
            show_failure(self.parent_widget, exc)


def run_in_background(fn: Work, on_success: Callable[[Any], None] | None = None,
                      on_failure: Callable[[BaseException], None] | None = None, *,
                      progress: str | None = None, cancellable: bool = False,
                      parent: QWidget | None = None, pool: QThreadPool | None = None,
                      steps: Steps | None = None) -> Task:
    """Run ``fn(progress, cancelled)`` off the UI thread; see the module docstring.

    ``pool`` picks the threads (default: Qt's global pool); a one-thread pool serialises work
    that must share one connection (see fieldapp.ui.reader). ``steps(done, total)`` says
    what the work counts, in words ("file 2 of 5").
    """
    task = Task(fn, on_success, on_failure, progress, cancellable, parent, pool, steps)
    task.start()
    return task


def is_synchronous() -> bool:
    return _synchronous


def running_tasks() -> int:
    """How many tasks have not finished yet (tests, quitting)."""
    return len(_running)
