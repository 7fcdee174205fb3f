"""Guard against the PySide6 6.12.0 bug that drops a reference to True/None on each emit().

With it, long sessions abort with "Fatal Python error: bool_dealloc" (pyproject pins it out).
"""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    any_value = Signal(object)
    flag = Signal(bool)


def test_emitting_true_and_none_keeps_their_references(qapp):
    emitter = _Emitter()
    seen = []
    emitter.any_value.connect(seen.append)
    emitter.flag.connect(seen.append)
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(50):
        emitter.flag.emit(True)
        emitter.any_value.emit(None)
    seen.clear()
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert after[0] >= before[0] and after[1] >= before[1] - 5
