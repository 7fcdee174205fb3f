"""The grids of a class, filled with the keyboard alone: attendance (learners by dates) and
progress (learners by skills, levels of the training form's scale).

Arrow keys move; in the progress grid 0-3 set a level (0 not started … 3 alone, the form's
scale in order) or its label's first letter, in the attendance grid the first letter of an
attendance label (or 1-3); Space steps to the next value, Delete clears; after a value the
cursor moves down to the next learner. Each change is written at once (one transaction), and
a refusal is shown under the grid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QTableView

from fieldapp.i18n.text import fold
from fieldapp.ui.fit import SIDEWAYS

LEVEL_COLOURS = ("#eeeeee", "#fde7c9", "#fff3a8", "#c8e6c9")
ATTENDANCE_COLOURS = {"present": "#c8e6c9", "late": "#fff3a8", "absent": "#f5c6c6"}


class GridModel(QAbstractTableModel):
    """Learners (rows) by ``columns`` (dates or skills); ``values[(enrolment, column)]``."""

    def __init__(self, codes: Sequence[Any], colours: Callable[[str, int], str | None],
                 parent=None):
        super().__init__(parent)
        self.codes = list(codes)
        self._colours = colours
        self.learners: list[dict[str, Any]] = []
        self.columns: list[str] = []
        self.headers: list[str] = []
        self.tips: list[str] = []
        self.values: dict[tuple[str, str], str] = {}

    def set_grid(self, learners: list[dict[str, Any]], columns: list[str],
                 headers: list[str], values: dict[tuple[str, str], str],
                 tips: list[str] | None = None) -> None:
        self.beginResetModel()
        self.learners = list(learners)
        self.columns = list(columns)
        self.headers = list(headers)
        self.tips = list(tips or headers)
        self.values = dict(values)
        self.endResetModel()

    def code_at(self, row: int, column: int) -> str | None:
        return self.values.get((self.learners[row]["id"], self.columns[column]))

    def set_code(self, row: int, column: int, code: str | None) -> None:
        key = (self.learners[row]["id"], self.columns[column])
        if code:
            self.values[key] = code
        else:
            self.values.pop(key, None)
        index = self.index(row, column)
        self.dataChanged.emit(index, index)

    def _code(self, code: str | None):
        return next((c for c in self.codes if c.code == code), None)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.learners)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.headers[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tips[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.learners):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.learners[section].get("learner_name") or ""
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        code = self.code_at(index.row(), index.column())
        found = self._code(code)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return found.label() if found else (code or "")
        if role == Qt.ItemDataRole.BackgroundRole and code:
            colour = self._colours(code, self.codes.index(found) if found else -1)
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None


class GridView(QTableView):
    """A grid edited with the keyboard; ``chosen(row, column, code or None)`` asks to store
    a value (the screen writes it and calls ``model.set_code`` when it is stored)."""

    chosen = Signal(int, int, object)

    def __init__(self, model: GridModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.grid = model
        self.setProperty(SIDEWAYS, True)  # many dates or skills: a grid scrolls sideways
        self.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        # Each column as wide as its values (level labels are a few words), within reason.
        self.horizontalHeader().setSectionResizeMode(
            self.horizontalHeader().ResizeMode.ResizeToContents)
        self.horizontalHeader().setMinimumSectionSize(self.fontMetrics().horizontalAdvance(
            "00/00/0000") + 12)
        self.horizontalHeader().setHighlightSections(True)
        self.verticalHeader().setHighlightSections(True)

    def _code_for_key(self, event: QKeyEvent) -> tuple[bool, str | None]:
        """(handled, code) for a key: a digit, a first letter, Space, Delete."""
        codes = self.grid.codes
        index = self.currentIndex()
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            return True, None
        if key == Qt.Key.Key_Space and index.isValid():
            current = self.grid.code_at(index.row(), index.column())
            names = [c.code for c in codes]
            position = names.index(current) + 1 if current in names else 0
            return True, names[position % len(names)]
        text = event.text()
        if not text and (Qt.Key.Key_0 <= key <= Qt.Key.Key_9 or Qt.Key.Key_A <= key <= Qt.Key.Key_Z):
            text = chr(int(key)).lower()  # a key event without its text (some test drivers)
        if text.isdigit():
            number = int(text)
            offset = 0 if self.grid.codes and self._zero_based() else 1
            if 0 <= number - offset < len(codes):
                return True, codes[number - offset].code
            return True, text
        if text and text.isalpha():
            letter = fold(text)[:1]
            # The label shown first, then the form's other languages (Vietnamese letters work
            # in an English interface, as people learn them from the paper sheet).
            for labels in ([c.label() for c in codes],
                           *([c.labels.get(lang, "") for c in codes]
                             for lang in ("vi", "en"))):
                for code, label in zip(codes, labels):
                    if label and fold(label)[:1] == letter:
                        return True, code.code
        return False, None

    def _zero_based(self) -> bool:
        return bool(getattr(self.grid, "zero_based", False))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        index = self.currentIndex()
        if index.isValid():
            handled, code = self._code_for_key(event)
            if handled:
                self.chosen.emit(index.row(), index.column(), code)
                if code is not None and index.row() + 1 < self.grid.rowCount():
                    self.setCurrentIndex(self.grid.index(index.row() + 1, index.column()))
                event.accept()
                return
        super().keyPressEvent(event)
