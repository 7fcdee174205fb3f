"""Editors that choose from a list: radio buttons, check boxes, a drop-down list, and the
acknowledge check box.

Choice texts use a separate word-wrapped label beside an empty button, because Qt buttons do not
wrap long text and the layout must reflow with large fonts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.core.forms.labels import Text
from fieldapp.i18n.catalog import _
from fieldapp.ui.forms.editors.base import FieldEditor, text_html


class _ClickLabel(QLabel):
    """The text of a choice: clicking it acts on its button, as a native button label would."""

    def __init__(self, button: QAbstractButton, parent: QWidget | None = None):
        super().__init__(parent)
        self._button = button
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self._button.isEnabled():
            self._button.setFocus(Qt.FocusReason.MouseFocusReason)
            self._button.click()
        super().mouseReleaseEvent(event)


class _ChoiceRow(QWidget):
    """An empty radio/check button with a word-wrapped label beside it."""

    def __init__(self, button: QAbstractButton, parent: QWidget | None = None):
        super().__init__(parent)
        self.button = button
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        self.text = _ClickLabel(button, self)
        layout.addWidget(self.text, 1)
        from fieldapp.ui.forms.prompts import speaker_button

        self.speaker = speaker_button(self, f"speaker:{button.objectName()}")
        layout.addWidget(self.speaker, 0, Qt.AlignmentFlag.AlignTop)
        self.shown = Text("")

    def set_text(self, text: Text) -> None:
        self.shown = text
        self.text.setText(text_html(text))
        self.text.setToolTip(text.note)
        self.button.setAccessibleName(text.plain)


class _ChoicesEditor(FieldEditor):
    """Common part of radio buttons and check boxes."""

    multiple = False

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.rows: dict[str, _ChoiceRow] = {}
        self.order: list[str] = []
        self.box = QVBoxLayout()
        self.box.setSpacing(2)
        self.input_area.addLayout(self.box)
        self.group = QButtonGroup(self)
        self.group.setExclusive(not self.multiple)
        self.group.buttonClicked.connect(self._on_clicked)
        self._value = ""

    def set_choices(self, choices: list[tuple[str, Text]]) -> None:
        codes = [code for code, _text in choices]
        if codes != self.order:
            for row in self.rows.values():
                self.group.removeButton(row.button)
                self.box.removeWidget(row)
                row.hide()
                row.deleteLater()
            self.rows = {}
            for code, _text in choices:
                button = QCheckBox(self) if self.multiple else QRadioButton(self)
                button.setObjectName(f"choice:{self.path}:{code}")
                row = _ChoiceRow(button, self)
                row.speaker.clicked.connect(
                    lambda _c=False, r=row: self.prompt_requested.emit(r.shown.prompt))
                self.group.addButton(button)
                self.box.addWidget(row)
                if self._key_filter is not None:
                    button.installEventFilter(self._key_filter)
                self.rows[code] = row
            self.order = codes
            self._loading = True
            try:
                self._show_value(self._value)
            finally:
                self._loading = False
        for code, text in choices:
            self.rows[code].set_text(text)

    def _selected(self) -> list[str]:
        return [code for code in self.order if self.rows[code].button.isChecked()]

    def _on_clicked(self, _button: QAbstractButton) -> None:
        codes = self._selected()
        self._value = " ".join(codes)
        self._emit(self._value or None)

    def _show_value(self, value: str) -> None:
        self._value = value
        chosen = set(value.split())
        if not self.multiple:
            # An exclusive group cannot uncheck its last button; lift it while clearing.
            self.group.setExclusive(False)
        for code, row in self.rows.items():
            row.button.setChecked(code in chosen)
        if not self.multiple:
            self.group.setExclusive(True)

    def focus_chain(self) -> list[QWidget]:
        return [self.rows[c].button for c in self.order]

    def focus_first(self) -> None:
        buttons = self.focus_chain()
        checked = [b for b in buttons if b.isChecked()]
        target = (checked or buttons or [None])[0]
        if target is not None:
            target.setFocus(Qt.FocusReason.TabFocusReason)

    def show_prompts(self, keys: dict[str, str], status) -> None:
        from fieldapp.ui.forms.prompts import show_speaker

        super().show_prompts(keys, status)
        for row in self.rows.values():
            show_speaker(row.speaker, row.shown.prompt, keys, status)


class RadioEditor(_ChoicesEditor):
    """select_one as radio buttons, with a small button to clear the answer."""

    multiple = False

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.clear = QToolButton(self)
        self.clear.setObjectName(f"clear:{path}")
        self.clear.setText(_("Clear answer"))
        self.clear.setAutoRaise(True)
        self.clear.clicked.connect(self._on_clear)
        self.input_area.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignLeft)
        self.clear.setVisible(False)

    def _on_clear(self) -> None:
        self._show_value("")
        self._emit(None)
        self.focus_first()

    def _on_clicked(self, button: QAbstractButton) -> None:
        super()._on_clicked(button)
        self.clear.setVisible(bool(self._value))

    def _show_value(self, value: str) -> None:
        super()._show_value(value)
        if hasattr(self, "clear"):
            self.clear.setVisible(bool(value))

    def focus_chain(self) -> list[QWidget]:
        return super().focus_chain() + [self.clear]


class CheckboxesEditor(_ChoicesEditor):
    """select_multiple as check boxes."""

    multiple = True


class ComboEditor(FieldEditor):
    """select_one with appearance minimal: a drop-down list with an empty first entry."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.combo = QComboBox(self)
        self.combo.setObjectName(f"input:{path}")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(20)
        self.combo.currentIndexChanged.connect(self._on_index)
        self.input_area.addWidget(self.combo)
        self._value = ""

    def set_choices(self, choices: list[tuple[str, Text]]) -> None:
        self._loading = True
        try:
            self.combo.clear()
            self.combo.addItem(_("— not answered —"), "")
            for code, text in choices:
                # The parent pack's text says so here too ("Tày — no Nùng text yet").
                note = f" ({text.note})" if text.inherited and text.note else ""
                self.combo.addItem(text.primary + note + (f" — {text.secondary}"
                                                          if text.secondary else ""), code)
            self._show_value(self._value)
        finally:
            self._loading = False

    def _on_index(self, index: int) -> None:
        code = self.combo.itemData(index) or ""
        self._value = code
        self._emit(code or None)

    def _show_value(self, value: str) -> None:
        self._value = value
        index = self.combo.findData(value) if value else 0
        self.combo.setCurrentIndex(max(index, 0))

    def focus_chain(self) -> list[QWidget]:
        return [self.combo]


class AcknowledgeEditor(FieldEditor):
    """acknowledge: one check box; checked stores "OK" as ODK does."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.check = QCheckBox(self)
        self.check.setObjectName(f"input:{path}")
        self.row = _ChoiceRow(self.check, self)
        self.row.set_text(Text(_("Confirmed")))
        self.check.toggled.connect(lambda on: self._emit("OK" if on else None))
        self.input_area.addWidget(self.row)

    def _show_value(self, value: str) -> None:
        self.check.setChecked(bool(value))

    def focus_chain(self) -> list[QWidget]:
        return [self.check]
