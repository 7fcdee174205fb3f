"""Editors typed into: free text (one line or several) and numbers."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from fieldapp.ui.forms.editors.base import FieldEditor


class TextEditor(FieldEditor):
    """Free text (one line, or several with appearance multiline)."""

    def __init__(self, path: str, field_type: str, multiline: bool = False,
                 parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.multiline = multiline
        if multiline:
            self.edit = QPlainTextEdit(self)
            self.edit.setTabChangesFocus(True)
            lines = 4
            self.edit.setMinimumHeight(self.edit.fontMetrics().lineSpacing() * lines + 12)
            self.edit.textChanged.connect(lambda: self._emit(self.edit.toPlainText() or None))
        else:
            self.edit = QLineEdit(self)
            self.edit.textEdited.connect(lambda t: self._emit(t or None))
        self.edit.setObjectName(f"input:{path}")
        self.input_area.addWidget(self.edit)

    def _show_value(self, value: str) -> None:
        current = self.edit.toPlainText() if self.multiline else self.edit.text()
        if current == value:
            return
        if self.multiline:
            self.edit.setPlainText(value)
        else:
            self.edit.setText(value)

    def focus_chain(self) -> list[QWidget]:
        return [self.edit]

    def enter_widgets(self) -> list[QWidget]:
        return [] if self.multiline else [self.edit]


class NumberEditor(FieldEditor):
    """Integer or decimal typed freely (digits, sign, a decimal comma or point).

    Vietnamese writes a decimal comma; the engine stores a point.
    """

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"input:{path}")
        pattern = r"-?\d{0,15}" if field_type == "integer" else r"-?\d{0,15}([.,]\d{0,10})?"
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.edit))
        self.edit.setInputMethodHints(Qt.InputMethodHint.ImhFormattedNumbersOnly)
        self.edit.setMaximumWidth(self.edit.fontMetrics().horizontalAdvance("0") * 22)
        self.edit.textEdited.connect(self._on_text)
        self.input_area.addWidget(self.edit)

    def _on_text(self, text: str) -> None:
        value = text.strip().replace(",", ".")
        self._emit(value if value not in ("", "-", ".", "-.") else None)

    def _show_value(self, value: str) -> None:
        if self.edit.text().replace(",", ".") != value:
            self.edit.setText(value)

    def focus_chain(self) -> list[QWidget]:
        return [self.edit]
