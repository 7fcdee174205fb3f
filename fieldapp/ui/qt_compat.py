"""Work-arounds for bugs of the PySide6 release we ship with.

``emit(signal, *args)``: PySide6 6.12.0's ``SignalInstance.emit()`` returns ``True`` without
taking a reference to it, so every ``signal.emit(...)`` made from Python lowers the reference
count of ``True`` by one. On Python 3.11 (where ``True`` is not immortal) a few thousand emits
later the interpreter aborts with "bool_dealloc: deallocating True or False" (seen in the test
suite at exit, and it would hit a long session too). :func:`emit` gives the reference back,
but only when the running PySide6 has the bug (checked once), so a fixed release needs no change.
Always emit through it from Python code.

``variant(value)``: likewise, a QVariant that Qt hands to Python as ``None`` (an empty item
data, ``QComboBox.currentData()`` of an item without data, ``QObject.property()`` of an unset
name) comes without a reference to ``None``. Wrap such calls: ``variant(combo.currentData())``.
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


def _variant_leaks_none() -> bool:
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(8):
        probe.property("fieldapp_unset")
    leaked = sys.getrefcount(None) < before - 4
    if leaked:
        for _ in range(8):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    return leaked


_LEAKS = _emit_leaks_true()
_NONE_LEAKS = _variant_leaks_none()


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)`` without PySide6 6.12's reference-count bug (module docstring)."""
    result = signal.emit(*args)
    if _LEAKS and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))


def emit_leaks_true() -> bool:
    """Whether this PySide6 has the bug (for the test that guards the work-around)."""
    return _LEAKS


def variant(value: Any) -> Any:
    """Return ``value`` (from a QVariant-returning Qt call), repairing a borrowed ``None``."""
    if value is None and _NONE_LEAKS:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    return value
