"""The base of every editor: label with required mark, hint, the input, inline message.

Also the rich text a :class:`~fieldapp.core.forms.labels.Text` is shown as (:func:`text_html`,
with the label-pack marks) and :class:`EnterFilter`, which turns Enter into "next question".
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from fieldapp.core.forms.labels import FALLBACK_MARK, UNREVIEWED_MARK, Text
from fieldapp.i18n.catalog import _
from fieldapp.ui.fonts import scaled

ERROR_COLOUR = "#b3261e"


def text_html(text: Text, *, bold: bool = False, required: bool = False,
              secondary_scale: int = 90) -> str:
    """Rich text for a :class:`Text` (escaped: form texts are data, never markup)."""
    main = html.escape(text.primary, quote=False).replace("\n", "<br>")
    if bold:
        main = f"<b>{main}</b>"
    if required:
        main += f' <span style="color:{ERROR_COLOUR}"><b>*</b></span>'
    marks = []
    if text.fell_back:
        marks.append(f' <span style="color:#7a5c00">{FALLBACK_MARK}</span>')
    if text.unreviewed:
        marks.append(f'<span style="color:#888"><sup>{UNREVIEWED_MARK}</sup></span>')
    if marks:
        main += "".join(marks)
    if text.inherited and text.note:  # "Tày — no Nùng text yet", said where the text is
        main += (f'<br><span style="color:#7a5c00; font-size:80%">'
                 f'{html.escape(text.note, quote=False)}</span>')
    if text.secondary:
        sec = html.escape(text.secondary, quote=False).replace("\n", "<br>")
        main += f'<br><span style="color:#444; font-size:{secondary_scale}%">{sec}</span>'
    return main


def _label(parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


class FieldEditor(QWidget):
    """Base editor: label with required mark, hint, the input (subclass), inline error."""

    edited = Signal(str, object)
    """(path, value) when the user changed the answer; value is str or None."""
    prompt_requested = Signal(str)
    """The key of a text whose recording the person asked to hear (a speaker button)."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = path
        self.field_type = field_type
        self.setObjectName(f"field:{path}")
        self._loading = False
        self._local_error = ""
        self._engine_error = Text("")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(4)
        self.label = _label(self)
        self.label.setObjectName(f"label:{path}")
        self.label.setFont(scaled(QApplication.font(), 1.15))
        self.hint = _label(self)
        self.hint.setObjectName(f"hint:{path}")
        self.hint.setStyleSheet("color: #555;")
        self.hint.setFont(scaled(QApplication.font(), 0.92))
        self.input_area = QVBoxLayout()
        self.input_area.setSpacing(4)
        self.error = QLabel(self)
        self.error.setObjectName(f"error:{path}")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.RichText)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.error.setVisible(False)
        from fieldapp.ui.forms.prompts import speaker_button

        self.speaker = speaker_button(self, f"speaker:{path}")
        self.speaker.clicked.connect(lambda: self.prompt_requested.emit(self._label_text.prompt))
        label_row = QHBoxLayout()
        label_row.setSpacing(4)
        label_row.addWidget(self.label, 1)
        label_row.addWidget(self.speaker, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(label_row)
        layout.addWidget(self.hint)
        layout.addLayout(self.input_area)
        layout.addWidget(self.error)
        self._label_text = Text("")
        self._key_filter: QObject | None = None

    def install_key_filter(self, key_filter: QObject) -> None:
        """Watch the keys of the input widgets (Enter = next page), also those made later."""
        self._key_filter = key_filter
        for widget in self.enter_widgets():
            widget.installEventFilter(key_filter)

    def enter_widgets(self) -> list[QWidget]:
        """Widgets on which Enter means "next page" (not multi-line text, not search boxes)."""
        return self.focus_chain()

    # -- texts ------------------------------------------------------------------------------
    def set_texts(self, label: Text, hint: Text, required: bool) -> None:
        self._label_text = label
        self.label.setText(text_html(label, bold=True, required=required))
        self.label.setVisible(bool(label.primary))
        self.label.setToolTip(label.note)
        self.hint.setText(text_html(hint) if hint.primary else "")
        self.hint.setVisible(bool(hint.primary))
        name = label.plain + (" " + _("(required)") if required else "")
        for widget in self.focus_chain():
            widget.setAccessibleName(name)
            if hint.primary:
                widget.setAccessibleDescription(hint.plain)

    def set_choices(self, choices: list[tuple[str, Text]]) -> None:
        """Offer ``[(code, text)]`` (selects only)."""

    def show_prompts(self, keys: dict[str, str], status) -> None:
        """Show the speaker beside the texts that have a recording (``keys``, see
        fieldapp.ui.forms.prompts)."""
        from fieldapp.ui.forms.prompts import show_speaker

        show_speaker(self.speaker, self._label_text.prompt, keys, status)

    @property
    def prompt_key(self) -> str:
        """The key of the question's own text (its recording is what F5 plays)."""
        return self._label_text.prompt

    # -- value ------------------------------------------------------------------------------
    def load(self, value: str) -> None:
        """Show ``value`` from the engine without emitting ``edited``."""
        self._loading = True
        try:
            self._show_value(value or "")
        finally:
            self._loading = False

    def _show_value(self, value: str) -> None:
        raise NotImplementedError

    def _emit(self, value: str | None) -> None:
        if not self._loading:
            self.edited.emit(self.path, value)

    def set_read_only(self, read_only: bool) -> None:
        for widget in self.focus_chain():
            widget.setEnabled(not read_only)

    # -- errors -----------------------------------------------------------------------------
    def set_error(self, message: str | Text) -> None:
        """Show the engine's message for this field ('' clears it); a :class:`Text` may carry
        the label pack's version above the Vietnamese."""
        self._engine_error = message if isinstance(message, Text) else Text(message or "")
        self._update_error()

    def local_error(self) -> str:
        """A problem the engine cannot see (text that is not a date yet)."""
        return self._local_error

    def _set_local_error(self, message: str) -> None:
        self._local_error = message
        self._update_error()

    def _update_error(self) -> None:
        message = Text(self._local_error) if self._local_error else self._engine_error
        self.error.setText(text_html(message) if message.primary else "")
        self.error.setVisible(bool(message.primary))
        self.setProperty("hasError", bool(message.primary))

    def error_text(self) -> str:
        """The message shown, as plain text ('' when none)."""
        return self._local_error or self._engine_error.plain

    def has_error(self) -> bool:
        return bool(self._local_error or self._engine_error.primary)

    # -- focus ------------------------------------------------------------------------------
    def focus_chain(self) -> list[QWidget]:
        """Widgets that take keyboard focus, in tab order."""
        return []

    def focus_first(self) -> None:
        chain = [w for w in self.focus_chain() if w.isEnabled()]
        if chain:
            chain[0].setFocus(Qt.FocusReason.TabFocusReason)


class NoteEditor(FieldEditor):
    """A note: its label only."""

    def _show_value(self, value: str) -> None:
        pass

    def set_texts(self, label: Text, hint: Text, required: bool) -> None:
        super().set_texts(label, hint, False)
        self.label.setText(text_html(label))


class EnterFilter(QObject):
    """Turns Enter in a one-line field or on a choice button into ``callback(widget)``: the
    form view moves to the next question, or to the next page from the page's last one."""

    def __init__(self, callback, parent: QObject | None = None):
        super().__init__(parent)
        self._callback = callback

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                    event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier):
                self._callback(obj)
                return True
        return False
