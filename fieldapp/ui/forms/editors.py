"""One editor widget per form field: label, hint, input, inline error.

Editors know nothing of the form engine: the view gives them texts and choices, and they emit
``edited(path, value)`` with the raw value typed or picked (the view NFC-normalises it before it
reaches the engine). Values follow the engine's conventions: strings, space-separated codes for
select_multiple, ``YYYY-MM-DD`` for dates, ``None`` to clear.

Choice texts and check boxes use a separate word-wrapped label beside an empty button, because
Qt buttons do not wrap long text and the layout must reflow with large fonts.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeyEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QButtonGroup,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from fieldapp.core.forms.labels import FALLBACK_MARK, UNREVIEWED_MARK, Text
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import fold
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


class FieldEditor(QWidget):
    """Base editor: label with required mark, hint, the input (subclass), inline error."""

    edited = Signal(str, object)
    """(path, value) when the user changed the answer; value is str or None."""

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
        layout.addWidget(self.label)
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


_DATE_RE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")


def parse_date(text: str) -> dt.date | None:
    """A day/month/year date as typed in Vietnam (d/M/yyyy, also with . or -), else None."""
    match = _DATE_RE.match(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def format_date(value: str) -> str:
    """Engine date ``YYYY-MM-DD`` as dd/MM/yyyy (the value unchanged when it is not a date)."""
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


class DateEditor(FieldEditor):
    """A date typed as dd/mm/yyyy, with a calendar button; may stay empty."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        row = QHBoxLayout()
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"input:{path}")
        self.edit.setPlaceholderText(_("dd/mm/yyyy"))
        self.edit.setMaximumWidth(self.edit.fontMetrics().horizontalAdvance("00/00/00000") * 2)
        self.edit.textEdited.connect(self._on_text)
        self.button = QToolButton(self)
        self.button.setObjectName(f"calendar:{path}")
        self.button.setText(_("Calendar…"))
        self.button.setToolTip(_("Pick the date on a calendar"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        # The calendar is built when first opened: most date questions are typed or left at
        # their default, and a calendar per question would cost time on every page.
        self.calendar: QCalendarWidget | None = None
        menu = QMenu(self.button)
        menu.aboutToShow.connect(self._ensure_calendar)
        self.button.setMenu(menu)
        self._menu = menu
        row.addWidget(self.edit)
        row.addWidget(self.button)
        row.addStretch(1)
        self.input_area.addLayout(row)

    def _on_text(self, text: str) -> None:
        if not text.strip():
            self._set_local_error("")
            self._emit(None)
            return
        date = parse_date(text)
        if date is None:
            self._set_local_error(_("Enter the date as day/month/year, for example 23/11/2026."))
            self._emit(None)
        else:
            self._set_local_error("")
            self._emit(date.isoformat())

    def _ensure_calendar(self) -> QCalendarWidget:
        if self.calendar is None:
            calendar = QCalendarWidget(self._menu)
            calendar.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
            calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            date = parse_date(self.edit.text())
            if date is not None:
                calendar.setSelectedDate(QDate(date.year, date.month, date.day))
            calendar.clicked.connect(self._on_calendar)
            calendar.activated.connect(self._on_calendar)
            action = QWidgetAction(self._menu)
            action.setDefaultWidget(calendar)
            self._menu.addAction(action)
            self.calendar = calendar
        return self.calendar

    def _on_calendar(self, qdate: QDate) -> None:
        date = dt.date(qdate.year(), qdate.month(), qdate.day())
        self.edit.setText(date.strftime("%d/%m/%Y"))
        self._menu.close()
        self._set_local_error("")
        self._emit(date.isoformat())
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_value(self, value: str) -> None:
        if self._local_error and not value:
            return  # keep the half-typed text the user is correcting
        if parse_date(self.edit.text()) is not None and \
                parse_date(self.edit.text()).isoformat() == value:
            return
        self.edit.setText(format_date(value) if value else "")
        if value and self.calendar is not None:
            try:
                d = dt.date.fromisoformat(value)
                self.calendar.setSelectedDate(QDate(d.year, d.month, d.day))
            except ValueError:
                pass

    def focus_chain(self) -> list[QWidget]:
        return [self.edit, self.button]


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

    def set_text(self, text: Text) -> None:
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
                self.combo.addItem(text.primary + (f" — {text.secondary}" if text.secondary else ""),
                                   code)
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


class _SearchLine(QLineEdit):
    """The search box of a long list: Enter picks the only match instead of leaving the page;
    Down moves into the list."""

    picked = Signal()
    down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.picked.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class SearchListEditor(FieldEditor):
    """A long registry list (villages, households, persons, team members) with a search box.

    Filtering is accent-insensitive (fold): "nguyen" finds Nguyễn, "dang" finds Đặng. For
    select_multiple the items are check boxes; hidden items keep their state.
    """

    VISIBLE_ROWS = 8

    def __init__(self, path: str, field_type: str, multiple: bool,
                 parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.multiple = multiple
        self.search = _SearchLine(self)
        self.search.setObjectName(f"search:{path}")
        self.search.setPlaceholderText(_("Type to search…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.picked.connect(self._pick_single_match)
        self.search.down.connect(self._into_list)
        self.list = QListWidget(self)
        self.list.setObjectName(f"input:{path}")
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setMinimumHeight(self.list.fontMetrics().lineSpacing() * self.VISIBLE_ROWS)
        self.count = QLabel(self)
        self.count.setStyleSheet("color: #555;")
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #555;")
        if multiple:
            self.list.itemChanged.connect(self._on_item_changed)
        else:
            self.list.currentItemChanged.connect(self._on_current)
            self.list.itemClicked.connect(lambda item: self._on_current(item, None))
        self.input_area.addWidget(self.search)
        self.input_area.addWidget(self.list)
        self.input_area.addWidget(self.count)
        self.input_area.addWidget(self.empty)
        self._codes: list[str] = []
        self._folded: list[str] = []
        self._value = ""

    def set_choices(self, choices: list[tuple[str, Text]]) -> None:
        codes = [c for c, _t in choices]
        self._loading = True
        try:
            if codes != self._codes:
                self.list.clear()
                for code, text in choices:
                    item = QListWidgetItem(text.plain)
                    item.setData(Qt.ItemDataRole.UserRole, code)
                    if self.multiple:
                        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                        item.setCheckState(Qt.CheckState.Unchecked)
                    self.list.addItem(item)
                self._codes = codes
                self._show_value(self._value)
            else:
                for i, (_code, text) in enumerate(choices):
                    self.list.item(i).setText(text.plain)
            self._folded = [fold(t.plain) for _c, t in choices]
            self._filter(self.search.text())
        finally:
            self._loading = False
        self.empty.setText(_("No entries to choose from yet.") if not codes else "")
        self.empty.setVisible(not codes)

    def _filter(self, query: str) -> None:
        words = fold(query).split()
        shown = 0
        for i, key in enumerate(self._folded):
            hide = bool(words) and not all(w in key for w in words)
            self.list.item(i).setHidden(hide)
            shown += not hide
        if words:
            self.count.setText(_("{shown} of {total} shown").format(shown=shown,
                                                                    total=len(self._folded)))
        else:
            self.count.setText("")
        self.count.setVisible(bool(words))

    def _visible_items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())
                if not self.list.item(i).isHidden()]

    def _pick_single_match(self) -> None:
        visible = self._visible_items()
        if len(visible) == 1:
            item = visible[0]
            if self.multiple:
                item.setCheckState(Qt.CheckState.Checked)
            else:
                self.list.setCurrentItem(item)
                self._on_current(item, None)
        elif visible:
            self._into_list()

    def _into_list(self) -> None:
        visible = self._visible_items()
        if visible:
            self.list.setFocus(Qt.FocusReason.TabFocusReason)
            if self.list.currentItem() is None or self.list.currentItem().isHidden():
                if self.multiple:
                    self.list.setCurrentItem(visible[0])
                else:
                    # moving the current row selects in single mode: only when the user acts
                    self.list.setCurrentItem(visible[0])

    def _on_current(self, item: QListWidgetItem | None, _previous) -> None:
        if self._loading or item is None:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        if code != self._value:
            self._value = code
            self._emit(code)

    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        if self._loading:
            return
        codes = [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                 for i in range(self.list.count())
                 if self.list.item(i).checkState() == Qt.CheckState.Checked]
        self._value = " ".join(codes)
        self._emit(self._value or None)

    def _show_value(self, value: str) -> None:
        self._value = value
        chosen = set(value.split()) if self.multiple else {value}
        was_loading, self._loading = self._loading, True
        try:
            if self.multiple:
                for i in range(self.list.count()):
                    item = self.list.item(i)
                    state = (Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in chosen
                             else Qt.CheckState.Unchecked)
                    if item.checkState() != state:
                        item.setCheckState(state)
            else:
                self.list.setCurrentItem(None)
                self.list.clearSelection()
                for i in range(self.list.count()):
                    item = self.list.item(i)
                    if value and item.data(Qt.ItemDataRole.UserRole) == value:
                        self.list.setCurrentItem(item)
                        break
        finally:
            self._loading = was_loading

    def focus_chain(self) -> list[QWidget]:
        return [self.search, self.list]

    def enter_widgets(self) -> list[QWidget]:
        return [self.list]


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


def make_editor(path: str, field_type: str, appearance: frozenset[str], from_file: bool,
                parent: QWidget | None = None) -> FieldEditor | None:
    """The editor for a field, or None for fields that are not shown (calculate, hidden)."""
    if field_type in ("calculate", "hidden"):
        return None
    if field_type == "note":
        return NoteEditor(path, field_type, parent)
    if field_type == "text":
        return TextEditor(path, field_type, "multiline" in appearance, parent)
    if field_type in ("integer", "decimal"):
        return NumberEditor(path, field_type, parent)
    if field_type == "date":
        return DateEditor(path, field_type, parent)
    if field_type == "select_one":
        if from_file:
            return SearchListEditor(path, field_type, False, parent)
        if "minimal" in appearance:
            return ComboEditor(path, field_type, parent)
        return RadioEditor(path, field_type, parent)
    if field_type == "select_multiple":
        if from_file:
            return SearchListEditor(path, field_type, True, parent)
        return CheckboxesEditor(path, field_type, parent)
    if field_type == "acknowledge":
        return AcknowledgeEditor(path, field_type, parent)
    return TextEditor(path, field_type, False, parent)


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
