"""The date editor: typed as day/month/year, as dates are written in Vietnam, or picked on a
calendar built when first opened."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import (
    QCalendarWidget, QHBoxLayout, QLineEdit, QMenu, QToolButton, QWidget, QWidgetAction)

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
