"""Dates and times: a date typed as day/month/year, as dates are written in Vietnam, or picked
on a calendar built when first opened; a time typed as hours:minutes; a date and a time."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QCalendarWidget, QHBoxLayout, QLabel, QLineEdit, QMenu, QToolButton, QWidget,
    QWidgetAction)

from fieldapp.i18n.catalog import _
from fieldapp.ui.forms.editors.base import FieldEditor


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


def emit_typed(editor: FieldEditor, text: str, parse, value_of, message: str) -> None:
    """Answer from text typed into ``editor``: cleared when empty, ``message`` beside the
    question (and no answer) while it does not parse, else ``value_of(parse(text))``."""
    if not text.strip():
        editor._set_local_error("")
        editor._emit(None)
        return
    parsed = parse(text)
    if parsed is None:
        editor._set_local_error(message)
        editor._emit(None)
    else:
        editor._set_local_error("")
        editor._emit(value_of(parsed))


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
        emit_typed(self, text, parse_date, dt.date.isoformat,
                   _("Enter the date as day/month/year, for example 23/11/2026."))

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


_TIME_RE = re.compile(r"^\s*(\d{1,2})[:.hH](\d{2})(?:[:.](\d{2}))?\s*$")


def parse_time(text: str) -> dt.time | None:
    """A time typed as H:MM (also 14h30, 14.30, with seconds), else None."""
    match = _TIME_RE.match(text)
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def local_offset() -> dt.timedelta:
    """This laptop's UTC offset now (+07:00 in Vietnam)."""
    return dt.datetime.now().astimezone().utcoffset() or dt.timedelta(0)


def time_value(value: dt.time) -> str:
    """A time as ODK stores it: HH:MM:SS.sss with the laptop's UTC offset."""
    from fieldapp.core.forms.answer_types import time_text

    return time_text(value, local_offset())


def format_time(value: str) -> str:
    """A stored time (or date-time) as HH:MM for the screen."""
    match = re.search(r"(\d{2}):(\d{2})", value)
    return f"{match[1]}:{match[2]}" if match else value


class TimeEditor(FieldEditor):
    """A time of day typed as hours:minutes (24-hour clock)."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        row = QHBoxLayout()
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"input:{path}")
        self.edit.setPlaceholderText(_("hh:mm"))
        self.edit.setMaximumWidth(self.edit.fontMetrics().horizontalAdvance("00:00:000") * 2)
        self.edit.textEdited.connect(self._on_text)
        self.now_button = QToolButton(self)
        self.now_button.setObjectName(f"now:{path}")
        self.now_button.setText(_("Now"))
        self.now_button.setToolTip(_("Fill in the time of this laptop's clock"))
        self.now_button.clicked.connect(self._on_now)
        row.addWidget(self.edit)
        row.addWidget(self.now_button)
        row.addStretch(1)
        self.input_area.addLayout(row)

    def _on_text(self, text: str) -> None:
        emit_typed(self, text, parse_time, time_value,
                   _("Enter the time as hours:minutes, for example 14:30."))

    def _on_now(self) -> None:
        now = dt.datetime.now().time().replace(microsecond=0)
        self.edit.setText(now.strftime("%H:%M"))
        self._set_local_error("")
        self._emit(time_value(now))

    def _show_value(self, value: str) -> None:
        if self._local_error and not value:
            return
        if value and parse_time(self.edit.text()) is not None and \
                format_time(value) == parse_time(self.edit.text()).strftime("%H:%M"):
            return
        self.edit.setText(format_time(value) if value else "")

    def focus_chain(self) -> list[QWidget]:
        return [self.edit, self.now_button]


class DateTimeEditor(FieldEditor):
    """A date (day/month/year) and a time (hours:minutes), stored as one ISO date-time with
    the laptop's UTC offset, as ODK stores dateTime answers."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        row = QHBoxLayout()
        self.date_edit = QLineEdit(self)
        self.date_edit.setObjectName(f"input:{path}")
        self.date_edit.setPlaceholderText(_("dd/mm/yyyy"))
        width = self.date_edit.fontMetrics().horizontalAdvance("00/00/00000") * 2
        self.date_edit.setMaximumWidth(width)
        self.time_edit = QLineEdit(self)
        self.time_edit.setObjectName(f"time:{path}")
        self.time_edit.setPlaceholderText(_("hh:mm"))
        self.time_edit.setMaximumWidth(width * 2 // 3)
        self.at_label = QLabel(_("at"), self)
        for edit in (self.date_edit, self.time_edit):
            edit.textEdited.connect(self._on_text)
        row.addWidget(self.date_edit)
        row.addWidget(self.at_label)
        row.addWidget(self.time_edit)
        row.addStretch(1)
        self.input_area.addLayout(row)

    def _on_text(self, _text: str = "") -> None:
        date_text, time_text = self.date_edit.text(), self.time_edit.text()
        if not date_text.strip() and not time_text.strip():
            self._set_local_error("")
            self._emit(None)
            return
        date, time = parse_date(date_text), parse_time(time_text)
        if date is None or time is None:
            self._set_local_error(_("Enter the date as day/month/year and the time as "
                                    "hours:minutes, for example 23/11/2026 and 14:30."))
            self._emit(None)
            return
        self._set_local_error("")
        self._emit(f"{date.isoformat()}T{time_value(time)}")

    def _show_value(self, value: str) -> None:
        if self._local_error and not value:
            return
        if not value:
            self.date_edit.setText("")
            self.time_edit.setText("")
            return
        date_part, _sep, time_part = value.partition("T")
        shown = format_date(date_part)
        if parse_date(self.date_edit.text()) is None or \
                parse_date(self.date_edit.text()).isoformat() != date_part:
            self.date_edit.setText(shown)
        if parse_time(self.time_edit.text()) is None or \
                parse_time(self.time_edit.text()).strftime("%H:%M") != format_time(time_part):
            self.time_edit.setText(format_time(time_part))

    def focus_chain(self) -> list[QWidget]:
        return [self.date_edit, self.time_edit]
