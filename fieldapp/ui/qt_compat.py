"""Work-arounds for bugs of the PySide6 release we ship with.

``emit(signal, *args)``: PySide6 6.12.0's ``SignalInstance.emit()`` returns ``True`` without
taking a reference to it, so every ``signal.emit(...)`` made from Python lowers the reference
count of ``True`` by one. On Python 3.11 (where ``True`` is not immortal) a few thousand emits
later the interpreter aborts with "bool_dealloc: deallocating True or False" (seen in the test
suite at exit, and it would hit a long session too). :func:`emit` gives the reference back,
but only when the running PySide6 has the bug (checked once), so a fixed release needs no change.
Always emit through it from Python code.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    fired = Signal()


def _emit_leaks_true() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
    leaked = sys.getrefcount(True) < before - 4
    if leaked:
        for _ in range(8):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    probe.deleteLater()
    return leaked


_LEAKS = _emit_leaks_true()


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)`` without PySide6 6.12's reference-count bug (module docstring)."""
    result = signal.emit(*args)
    if _LEAKS and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


def emit_leaks_true() -> bool:
    """Whether this PySide6 has the bug (for the test that guards the work-around)."""
    return _LEAKS
