"""Run a callback when fieldapp's main window has painted its first frame.

For child processes that measure or inspect start-up (tests/benchmarks/bench_startup.py,
tests/ui/test_progressive_start.py). The hook wraps ``MainWindow.paintEvent`` when
``fieldapp.ui.main_window`` is first imported, so fieldapp still imports its modules in the
same order as a real start (most of them before PySide6), and no application-wide event filter
makes PySide6 wrap every event's object.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable

MODULE = "fieldapp.ui.main_window"


def on_first_paint(callback: Callable[[object], None], *, module: str = MODULE,
                   cls: str = "MainWindow") -> None:
    """Call ``callback(window)`` once, at the end of the first paintEvent of ``cls`` (the
    main window; ``module="fieldapp.ui.signin_dialog", cls="SignInDialog"`` for the sign-in)."""

    class Hook(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != module:
                return None
            sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            exec_module = spec.loader.exec_module

            def exec_and_wrap(loaded):
                exec_module(loaded)
                original = getattr(loaded, cls).paintEvent
                called = []

                def paintEvent(window, event):
                    original(window, event)
                    if not called:
                        called.append(True)
                        callback(window)

                setattr(getattr(loaded, cls), "paintEvent", paintEvent)

            spec.loader.exec_module = exec_and_wrap
            return spec

    sys.meta_path.insert(0, Hook())
