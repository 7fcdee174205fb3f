"""Widgets the workflow screens share: code check boxes from the forms, date fields, messages
beside fields, a searchable virtual list over a plan, glance dots and survey status texts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QCheckBox, QDateEdit, QGridLayout, QHeaderView, QLabel,
                               QLineEdit, QStackedWidget, QVBoxLayout, QWidget)

from fieldapp.core.glance import NO, PARTLY, YES
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc
from fieldapp.ui.formatting import stored_time
from fieldapp.ui.models import PagedTableModel, RowRole
from fieldapp.ui.widgets import EmptyState, MutedLabel, table_view

SEARCH_DELAY_MS = 150
ERROR_STYLE = "color: #b3261e; font-weight: bold;"  # as the form's messages
DATE_FORMAT = "dd/MM/yyyy"
GLANCE_COLOURS = {YES: "#2e7d32", PARTLY: "#f9a825", NO: "#c62828", None: "#c8c8c8"}


# -- texts --------------------------------------------------------------------------------------

def survey_status(row: dict[str, Any], round_start: str) -> str:
    """"Never surveyed", "Draft waiting", "Surveyed 12/03/2026" (this round) or "Last surveyed
    12/03/2025" (an earlier round)."""
    last = row.get("last_final_at")
    if not last:
        return _("Draft waiting") if row.get("drafts") else _("Never surveyed")
    when = stored_time(last, with_time=False)
    if last >= round_start:
        return _("Surveyed {date}").format(date=when)
    return _("Last surveyed {date}").format(date=when)


def glance_text(level: str | None) -> str:
    return {YES: _("Yes"), PARTLY: _("Partly"), NO: _("No")}.get(level or "", _("Not known"))


def dmy(value: str | None) -> str:
    return stored_time(value, with_time=False) if value else ""


_DOTS: dict[str, QIcon] = {}


def glance_icon(level: str | None, size: int = 14) -> QIcon:
    """A coloured dot: green yes, amber partly, red no, grey not known."""
    key = f"{level}:{size}"
    if key not in _DOTS:
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(GLANCE_COLOURS.get(level, GLANCE_COLOURS[None])))
        painter.drawEllipse(1, 1, size - 2, size - 2)
        painter.end()
        _DOTS[key] = QIcon(pixmap)
    return _DOTS[key]


def fit_columns(table, samples: dict[int, str]) -> None:
    """Column widths from the font: each column as wide as its (translated) header or its
    sample value, whichever is wider (a virtual list is never measured row by row), inside
    the table's width (fieldapp.ui.columns)."""
    table.fit.set_samples(samples)


# -- dates --------------------------------------------------------------------------------------

def date_edit(value: dt.date | None = None, parent: QWidget | None = None) -> QDateEdit:
    """A day/month/year field with a calendar."""
    edit = QDateEdit(parent)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setMaximumDate(QDate(2100, 12, 31))
    set_date(edit, value or dt.date.today())
    return edit


def set_date(edit: QDateEdit, value: dt.date | str | None) -> None:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if value is not None:
        edit.setDate(QDate(value.year, value.month, value.day))


def date_of(edit: QDateEdit) -> dt.date:
    q = edit.date()
    return dt.date(q.year(), q.month(), q.day())


# -- messages beside fields -------------------------------------------------------------------

def message_label(name: str, parent: QWidget | None = None) -> QLabel:
    """The label a field's refusal appears in (hidden while there is none)."""
    label = QLabel(parent)
    label.setObjectName(f"error:{name}")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setVisible(False)
    return label


class FieldMessages:
    """Shows a service's refusal beside the field it names (FieldError / FieldErrors); a
    refusal naming no known field goes to ``general``."""

    def __init__(self, labels: dict[str, QLabel], general: QLabel):
        self.labels = labels
        self.general = general

    def clear(self) -> None:
        for label in [*self.labels.values(), self.general]:
            label.clear()
            label.setVisible(False)

    def show(self, error: BaseException) -> None:
        self.clear()
        errors = getattr(error, "errors", None)
        if errors is None and hasattr(error, "field"):
            errors = {error.field: str(error)}
        if errors is None:
            errors = {"": str(error)}
        for field, message in errors.items():
            label = self.labels.get(field, self.general)
            text = label.text()
            label.setText(f"{text}\n{message}" if text else message)
            label.setVisible(True)

    def text(self, field: str) -> str:
        label = self.labels.get(field)
        return label.text() if label is not None and label.isVisible() else ""


def run_write(context, fn: Callable[[Any], Any], messages: FieldMessages | None = None,
              on_done: Callable[[Any], None] | None = None) -> Any:
    """Run a short write on the app's writer and wait for it; a refusal (UserError) is shown
    by ``messages`` (beside its field) and None returned; data_changed follows (the writer
    emits what it changed)."""
    if messages is not None:
        messages.clear()
    try:
        result = context.writer.call(fn)
    except UserError as error:
        if messages is None:
            raise
        messages.show(error)
        return None
    if on_done is not None:
        on_done(result)
    return result if result is not None else True


# -- codes from the forms ---------------------------------------------------------------------

class _WrapLabel(QLabel):
    """A check box's label that wraps long texts (the forms' labels are sentences) and
    toggles its box when clicked."""

    def __init__(self, box: QCheckBox, parent: QWidget | None = None):
        super().__init__(parent)
        self.box = box
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # A grid does not ask a wrapped label for its height at the width it gets: take
        # the lines it needs there, or the second line is cut at a narrow width.
        super().resizeEvent(event)
        # Measured with the font, not heightForWidth(): QLabel's answer includes its own
        # minimum height, so a minimum set at a narrow width would never come down again.
        margins = self.contentsMargins()
        width = self.width() - margins.left() - margins.right() - 2 * self.margin()
        if width <= 0:
            return
        rect = self.fontMetrics().boundingRect(0, 0, width, 100_000,
                                               int(Qt.TextFlag.TextWordWrap), self.text())
        needed = rect.height() + margins.top() + margins.bottom() + 2 * self.margin()
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.box.isEnabled():
            self.box.toggle()
        event.accept()


class CodeChecks(QWidget):
    """A check box per code (labels from the form, wrapped), in ``columns`` columns."""

    changed = Signal()

    def __init__(self, name: str, columns: int = 2, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self._columns = columns
        self.boxes: dict[str, QCheckBox] = {}
        self.labels: dict[str, QLabel] = {}
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(3)

    def set_codes(self, codes: Sequence[Any], label: Callable[[Any], str] | None = None) -> None:
        chosen = self.checked()
        for widget in [*self.boxes.values(), *self.labels.values()]:
            self._grid.removeWidget(widget)
            widget.deleteLater()
        self.boxes, self.labels = {}, {}
        per_column = max(1, -(-len(codes) // self._columns))
        for i, code in enumerate(codes):
            text = label(code) if label else code.label()
            box = QCheckBox(self)
            box.setObjectName(f"{self.objectName()}:{code.code}")
            box.setAccessibleName(text)
            box.setChecked(code.code in chosen)
            box.toggled.connect(lambda _on: self.changed.emit())
            caption = _WrapLabel(box, self)
            caption.setText(text)
            row, column = i % per_column, (i // per_column) * 2
            self._grid.addWidget(box, row, column, Qt.AlignmentFlag.AlignTop)
            self._grid.addWidget(caption, row, column + 1, Qt.AlignmentFlag.AlignTop)
            self._grid.setColumnStretch(column + 1, 1)
            self.boxes[code.code] = box
            self.labels[code.code] = caption

    def checked(self) -> tuple[str, ...]:
        return tuple(c for c, box in self.boxes.items() if box.isChecked())

    def set_checked(self, codes: Sequence[str]) -> None:
        wanted = set(codes)
        for code, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(code in wanted)
            box.blockSignals(False)
        self.changed.emit()

    def relabel(self, codes: Sequence[Any]) -> None:
        for code in codes:
            if code.code in self.labels:
                self.labels[code.code].setText(code.label())
                self.boxes[code.code].setAccessibleName(code.label())


# -- a searchable virtual list over a plan ----------------------------------------------------

class PlanList(QWidget):
    """A search box over a virtual table whose rows come from a plan.

    ``plan(workspace, text)`` runs on the background reader (under ``key``: the latest
    request wins) and returns (plan, first rows); ``page(workspace, plan, offset, limit)``
    reads further pages on the UI thread as the view scrolls. ``picked(row)`` is emitted on
    Enter or a double click.
    """

    picked = Signal(dict)
    shown = Signal()
    FIRST = 64

    def __init__(self, context, key: str, model: PagedTableModel,
                 plan: Callable[[Any, str], Any], page: Callable[[Any, Any, int, int], Any],
                 parent: QWidget | None = None, *, search_name: str = "search"):
        super().__init__(parent)
        self.context = context
        self._key = key
        self._plan_fn = plan
        self._page_fn = page
        self.plan = None
        self._shown_text: str | None = None
        self.search = QLineEdit(self)
        self.search.setObjectName(search_name)
        self.search.setClearButtonEnabled(True)
        self.model = model
        self.table = table_view(self)
        self.table.setObjectName(f"{search_name}_results")
        self.table.setModel(model)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 10)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self._on_activated)
        self.table.activated.connect(self._on_activated)
        self.empty = EmptyState(self)
        self.results = QStackedWidget(self)
        self.results.addWidget(self.table)
        self.results.addWidget(self.empty)
        self.count = MutedLabel(parent=self)
        self.count.setObjectName(f"{search_name}_count")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self._pick_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.count)
        self.empty_text = ""

    def text(self) -> str:
        return nfc(self.search.text()).strip()

    def run(self) -> None:
        """Compute the plan of what is typed now (in the background) and show its rows."""
        self._timer.stop()
        text = self.text()
        plan_fn, page_fn, first = self._plan_fn, self._page_fn, self.FIRST

        def read(ws):
            plan = plan_fn(ws, text)
            return plan, list(page_fn(ws, plan, 0, first))

        self.context.reader.request(self._key, read, lambda result: self._show(text, result))

    def _show(self, text: str, result) -> None:
        plan, first = result
        self.plan = plan
        self._shown_text = text
        workspace = self.context.workspace
        page_fn = self._page_fn
        self.model.reset(plan.total, lambda offset, limit: page_fn(workspace, plan, offset,
                                                                   limit), first)
        self.results.setCurrentWidget(self.table if plan.total else self.empty)
        self.empty.setText(self.empty_text)
        if plan.total and self.table.currentIndex().row() < 0:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.shown.emit()

    def stop(self) -> None:
        self._timer.stop()

    def current(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        return index.data(RowRole) if index.isValid() else None

    def _pick_current(self) -> None:
        if self._timer.isActive():
            self.run()
        row = self.current()
        if row is not None:
            self.picked.emit(row)

    def _on_activated(self, index: QModelIndex) -> None:
        row = index.data(RowRole) if index.isValid() else None
        if row is not None:
            self.picked.emit(row)
