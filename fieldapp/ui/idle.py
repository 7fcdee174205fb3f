"""Locking the app after idle time: no key press or click for the chosen minutes (Settings)
hides the window's content behind the lock dialog until the same member types their PIN."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

CHECK_MS = 15_000
_INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel,
          QEvent.Type.MouseMove, QEvent.Type.TouchBegin}


class IdleLock(QObject):
    """Watches the application's input; calls ``window.lock()`` after ``minutes`` idle."""

    def __init__(self, window, minutes: int, clock=time.monotonic):
        super().__init__(window)
        self.window = window
        self.minutes = minutes
        self._clock = clock
        self.last_input = clock()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(CHECK_MS)
        QApplication.instance().installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.minutes = minutes
        self.last_input = self._clock()

    def eventFilter(self, _obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() in _INPUT:
            self.last_input = self._clock()
        return False

    def check(self) -> None:
        if self.minutes and not getattr(self.window, "locked", False) \
                and self._clock() - self.last_input >= self.minutes * 60:
            self.window.lock()
            self.last_input = self._clock()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
