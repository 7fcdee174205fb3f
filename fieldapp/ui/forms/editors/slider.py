"""range questions: a slider over the question's start, end and step, with the value shown
beside it (appearance "picker": a spin box instead). Unanswered until the slider is moved."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QSpinBox, QToolButton, QWidget

from fieldapp.core.forms.answer_types import range_bounds
from fieldapp.i18n.catalog import _
from fieldapp.ui.forms.editors.base import FieldEditor


def _text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text or "E" in text else str(int(value))


class RangeEditor(FieldEditor):
    """A number from start to end on a step, picked with a slider (or a spin box)."""

    def __init__(self, path: str, field_type: str, parameters: dict[str, str],
                 picker: bool = False, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        try:
            self.start, self.end, self.step = range_bounds(parameters)
        except (InvalidOperation, ValueError):  # the loader refuses such a form
            self.start, self.end, self.step = Decimal(1), Decimal(10), Decimal(1)
        self.steps = max(1, int(abs(self.end - self.start) / self.step))
        self.sign = 1 if self.end >= self.start else -1
        row = QHBoxLayout()
        if picker:
            self.control = QSpinBox(self)
            self.control.setSpecialValueText(_("— not answered —"))
            self.control.setRange(-1, self.steps)
            self.control.valueChanged.connect(self._on_index)
        else:
            self.control = QSlider(Qt.Orientation.Horizontal, self)
            self.control.setRange(0, self.steps)
            self.control.setTickPosition(QSlider.TickPosition.TicksBelow)
            self.control.setTickInterval(max(1, self.steps // 10))
            self.control.setPageStep(max(1, self.steps // 10))
            self.control.valueChanged.connect(self._on_index)
            self.control.sliderPressed.connect(lambda: self._on_index(self.control.value()))
        self.control.setObjectName(f"input:{path}")
        self.low = QLabel(_text(self.start), self)
        self.high = QLabel(_text(self.end), self)
        self.value_label = QLabel(self)
        self.value_label.setObjectName(f"value:{path}")
        self.value_label.setStyleSheet("font-weight: bold;")
        self.value_label.setMinimumWidth(self.value_label.fontMetrics().horizontalAdvance("0") * 14)
        self.clear = QToolButton(self)
        self.clear.setObjectName(f"clear:{path}")
        self.clear.setText(_("Clear answer"))
        self.clear.setAutoRaise(True)
        self.clear.clicked.connect(self._on_clear)
        if not picker:
            row.addWidget(self.low)
        row.addWidget(self.control, 1 if not picker else 0)
        if not picker:
            row.addWidget(self.high)
        row.addSpacing(24)
        row.addWidget(self.value_label)
        row.addWidget(self.clear)
        if picker:
            row.addStretch(1)
        self.input_area.addLayout(row)
        self.picker = picker
        self._answered = False
        self._show_value("")

    def value_at(self, index: int) -> Decimal:
        return self.start + self.sign * self.step * index

    def _on_index(self, index: int) -> None:
        if self._loading:
            return
        if index < 0:
            self._on_clear()
            return
        self._answered = True
        text = _text(self.value_at(index))
        self.value_label.setText(text)
        self.clear.setVisible(True)
        self._emit(text)

    def _on_clear(self) -> None:
        self._show_value("")
        self._emit(None)

    def _show_value(self, value: str) -> None:
        self._loading, was = True, self._loading
        try:
            index = None
            if value:
                try:
                    index = int(round((Decimal(value) - self.start) / (self.sign * self.step)))
                except (InvalidOperation, ValueError, ZeroDivisionError):
                    index = None
            if index is None or not 0 <= index <= self.steps:
                self.control.setValue(-1 if self.picker else 0)
                self.value_label.setText(_("not answered"))
                self.clear.setVisible(False)
            else:
                self.control.setValue(index)
                self.value_label.setText(_text(self.value_at(index)))
                self.clear.setVisible(True)
        finally:
            self._loading = was

    def focus_chain(self) -> list[QWidget]:
        return [self.control, self.clear]
