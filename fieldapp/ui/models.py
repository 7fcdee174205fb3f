"""Thin Qt table models over plain row dicts from the Store.

They hold no SQL and no state beyond the rows: a screen asks the Store for rows and calls
``set_rows``. Headers and code labels are translated when Qt asks for them, so a language switch
only needs :meth:`RowTableModel.retranslate`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from fieldapp.core import codes
from fieldapp.i18n.catalog import _, pgettext
from fieldapp.ui.formatting import code_label, fmt_int

RowRole = Qt.ItemDataRole.UserRole + 1
"""Role returning the whole row dict of an index."""

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One column: a translated header (called at display time) and how to show a row."""

    header: Callable[[], str]
    display: Callable[[dict[str, Any]], Any]
    align_right: bool = False


def _alignment(column: Column) -> Qt.AlignmentFlag:
    flag = Qt.AlignmentFlag
    return (flag.AlignRight if column.align_right else flag.AlignLeft) | flag.AlignVCenter


class RowTableModel(QAbstractTableModel):
    """Rows are dicts; columns say how to display them."""

    columns: Sequence[Column] = ()

    def __init__(self, rows: Sequence[dict[str, Any]] = (), parent=None):
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = list(rows)

    # -- data in ------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def row(self, index: int) -> dict[str, Any]:
        return self._rows[index]

    def retranslate(self) -> None:
        """Headers and labels are translated on demand; tell the views to ask again."""
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, len(self.columns) - 1))
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.rowCount() - 1, len(self.columns) - 1))

    # -- Qt API -------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.header()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.ToolTipRole:  # a value elided in a narrow column
            return _tip(column.display(row))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        if role == RowRole:
            return row
        return None


def _tip(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class HouseholdsModel(RowTableModel):
    """Rows of ``Store.search_households`` (with ``village_name`` and ``member_count``)."""

    columns = (
        Column(lambda: _("Head of household"), lambda r: r.get("head_name") or ""),
        Column(lambda: _("Village"), lambda r: r.get("village_name") or ""),
        Column(lambda: _("Members"), lambda r: fmt_int(r.get("member_count")), align_right=True),
        Column(lambda: _("Ethnicity"), lambda r: code_label(codes.ETHNICITIES, r.get("ethnicity"))),
        Column(lambda: _("Phone"), lambda r: r.get("phone") or ""),
    )


def birth_year_of(value: Any) -> int | None:
    """A stored year of birth as a year, or None: the column may hold a survey's answer that
    is no number ("khoảng 1960"), or another laptop's number that no year is."""
    try:
        year = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return year if 1 <= year <= 2100 else None


def age_text(birth_year: Any, year: int) -> str:
    """"1985 (41)": birth year and the age reached this year (the stored text when it is no
    year)."""
    if not birth_year:
        return ""
    born = birth_year_of(birth_year)
    if born is None:
        return str(birth_year)
    return _("{birth_year} ({age})").format(birth_year=born, age=year - born)


class PersonsModel(RowTableModel):
    """Rows of ``Store.persons_of``. ``year`` is the current year, for ages."""

    def __init__(self, rows: Sequence[dict[str, Any]] = (), parent=None, *,
                 year: int | None = None):
        super().__init__(rows, parent)
        self.year = year or datetime.date.today().year
        self.columns = (
            Column(lambda: _("Name"), lambda r: r.get("full_name") or ""),
            Column(lambda: _("Sex"), lambda r: code_label(codes.SEXES, r.get("sex"))),
            Column(lambda: _("Born (age)"), lambda r: age_text(r.get("birth_year"), self.year)),
            Column(lambda: _("Relation"),
                   lambda r: code_label(codes.RELATIONS, r.get("relation"))),
            Column(lambda: _("Ethnicity"),
                   lambda r: code_label(codes.ETHNICITIES, r.get("ethnicity"))),
        )


class VillageCountsModel(RowTableModel):
    """Rows of ``Store.counts_by_village``, followed by a bold totals row."""

    columns = (
        Column(lambda: _("Village"), lambda r: r["name"]),
        Column(lambda: _("Households"), lambda r: fmt_int(r["households"]), align_right=True),
        Column(lambda: _("Persons"), lambda r: fmt_int(r["persons"]), align_right=True),
    )

    def totals(self) -> dict[str, int]:
        return {"households": sum(r["households"] for r in self._rows),
                "persons": sum(r["persons"] for r in self._rows)}

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if parent.isValid() or not self._rows:
            return 0
        return len(self._rows) + 1

    def is_total_row(self, row: int) -> bool:
        return bool(self._rows) and row == len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and self.is_total_row(index.row()):
            column = self.columns[index.column()]
            if role == Qt.ItemDataRole.DisplayRole:
                if index.column() == 0:
                    return pgettext("table row", "Total")
                return column.display({"name": "", **self.totals()})
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _alignment(column)
            return None
        return super().data(index, role)


PageFetch = Callable[[int, int], Sequence[dict[str, Any]]]
"""Reads rows ``offset`` .. ``offset + limit`` (a service's page of a plan)."""


class PagedTableModel(QAbstractTableModel):
    """A virtual table: ``total`` rows, read a page at a time when the view shows them.

    The view asks only for the rows it paints, so a list of 50,000 households costs what its
    thirty visible rows cost (bench_workflows.py). ``reset(total, fetch, first)`` starts a new
    result; ``first`` (rows already read with the plan, in the background) saves the first
    read. Pages are read on the UI thread through ``fetch`` (indexed, a few milliseconds) and
    the last :data:`KEPT_PAGES` are kept.
    """

    PAGE = 64
    KEPT_PAGES = 40
    columns: Sequence[Column] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._total = 0
        self._fetch: PageFetch | None = None
        self._pages: dict[int, list[dict[str, Any]]] = {}

    # -- data in ------------------------------------------------------------------------------
    def reset(self, total: int, fetch: PageFetch | None,
              first: Sequence[dict[str, Any]] = ()) -> None:
        self.beginResetModel()
        self._total = max(0, int(total))
        self._fetch = fetch
        self._pages = {}
        if first:
            rows = list(first)
            for start in range(0, len(rows), self.PAGE):
                self._pages[start // self.PAGE] = rows[start:start + self.PAGE]
        self.endResetModel()

    def total(self) -> int:
        return self._total

    def row(self, index: int) -> dict[str, Any] | None:
        """The row at ``index`` (read if it is not in a kept page)."""
        if not 0 <= index < self._total:
            return None
        number, offset = divmod(index, self.PAGE)
        page = self._pages.get(number)
        if page is None:
            page = self._read(number)
        return page[offset] if offset < len(page) else None

    def loaded_rows(self) -> list[dict[str, Any]]:
        """The rows read so far, in order (for tests and small lists)."""
        return [r for n in sorted(self._pages) for r in self._pages[n]]

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The first ``limit`` rows (all of them by default: only for short results)."""
        count = self._total if limit is None else min(limit, self._total)
        return [r for r in (self.row(i) for i in range(count)) if r is not None]

    def find(self, key: str, value: Any, limit: int = 5000) -> int | None:
        """The index of the first row whose ``key`` is ``value`` among the first ``limit``."""
        for i in range(min(limit, self._total)):
            row = self.row(i)
            if row is not None and row.get(key) == value:
                return i
        return None

    def _read(self, number: int) -> list[dict[str, Any]]:
        rows = list(self._fetch(number * self.PAGE, self.PAGE)) if self._fetch else []
        if len(self._pages) >= self.KEPT_PAGES:
            self._pages.pop(next(iter(self._pages)))
        self._pages[number] = rows
        return rows

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(0, len(self.columns) - 1))
        if self._total:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self._total - 1, len(self.columns) - 1))

    # -- Qt API -------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    headerData = RowTableModel.headerData  # the same columns, the same headers

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole,
                        Qt.ItemDataRole.ToolTipRole, RowRole):
            return None
        row = self.row(index.row())
        if row is None:
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _alignment(column)
        if role == RowRole:
            return row
        return self.tooltip(row, index.column())

    def tooltip(self, row: dict[str, Any], column: int) -> Any:
        """The cell's tooltip: its value whole (it may be elided in a narrow column)."""
        return _tip(self.columns[column].display(row))
