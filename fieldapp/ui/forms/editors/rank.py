"""rank questions: the choices as a list the member puts in order, with Up and Down buttons
(drag and drop works too). The answer is every choice's code, first to last; it is given when
the member moves a choice or confirms the order shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout,
    QWidget)

from fieldapp.core.forms.labels import Text
from fieldapp.i18n.catalog import _
from fieldapp.ui.forms.editors.base import FieldEditor


class RankEditor(FieldEditor):
    """Put the choices in order: first is the most important."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.list = QListWidget(self)
        self.list.setObjectName(f"input:{path}")
        self.list.setWordWrap(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.model().rowsMoved.connect(lambda *_a: self._on_moved())
        self.up = QPushButton(self)
        self.up.setObjectName(f"up:{path}")
        self.up.clicked.connect(lambda: self._move(-1))
        self.down = QPushButton(self)
        self.down.setObjectName(f"down:{path}")
        self.down.clicked.connect(lambda: self._move(1))
        self.confirm = QPushButton(self)
        self.confirm.setObjectName(f"confirm:{path}")
        self.confirm.clicked.connect(self._on_moved)
        self.clear = QPushButton(self)
        self.clear.setObjectName(f"clear:{path}")
        self.clear.clicked.connect(self._on_clear)
        buttons = QVBoxLayout()
        for button in (self.up, self.down, self.confirm, self.clear):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        self.input_area.addLayout(row)
        self.texts: dict[str, Text] = {}
        self.order: list[str] = []
        self._value = ""
        self.retranslate()

    def retranslate(self) -> None:
        self.up.setText(_("Move &up"))
        self.down.setText(_("Move &down"))
        self.confirm.setText(_("Keep this order"))
        self.clear.setText(_("Clear answer"))

    def set_choices(self, choices: list[tuple[str, Text]]) -> None:
        self.texts = dict(choices)
        codes = [code for code, _t in choices]
        if sorted(codes) != sorted(self.order):
            self.order = codes
            self._show_value(self._value)
        else:
            self._fill()

    def _fill(self) -> None:
        current = self.list.currentRow()
        self.list.clear()
        for i, code in enumerate(self.order, start=1):
            text = self.texts.get(code, Text(code))
            item = QListWidgetItem(f"{i}. {text.primary}"
                                   + (f" — {text.secondary}" if text.secondary else ""))
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.list.addItem(item)
        if 0 <= current < self.list.count():
            self.list.setCurrentRow(current)
        rows = min(12, max(3, len(self.order)))
        self.list.setFixedHeight(rows * (self.list.fontMetrics().lineSpacing() + 4) + 8)
        self.confirm.setVisible(not self._value)
        self.clear.setVisible(bool(self._value))

    def _move(self, delta: int) -> None:
        row = self.list.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < len(self.order):
            return
        self.order[row], self.order[target] = self.order[target], self.order[row]
        self._fill()
        self.list.setCurrentRow(target)
        self._answer()

    def _on_moved(self) -> None:
        self.order = [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                      for i in range(self.list.count())]
        self._answer()

    def _answer(self) -> None:
        self._value = " ".join(self.order)
        self._fill()
        self._emit(self._value)

    def _on_clear(self) -> None:
        self._value = ""
        self._fill()
        self._emit(None)

    def _show_value(self, value: str) -> None:
        self._value = value
        ranked = [c for c in value.split() if c in self.texts or not self.texts]
        if ranked:
            self.order = ranked + [c for c in self.order if c not in ranked]
        self._fill()

    def focus_chain(self) -> list[QWidget]:
        return [self.list, self.up, self.down, self.confirm, self.clear]

    def enter_widgets(self) -> list[QWidget]:
        return [self.up, self.down, self.confirm]
