"""Lists that fit their width: no sideways scrolling, long values elided with a tooltip.

:class:`ColumnFit` sizes a table's columns to the width it is given, whenever the table is
resized or its rows or headers change: each column gets what its header and its values ask
for (measured on the rows in view, or from sample values a virtual list gives); room left
over goes to the ``stretch`` column; when the width is short the wider columns give way first,
down to their header's width, then every column shrinks alike. A value that no longer fits
is drawn elided ("Nguyễn Thị Phư…") and the model shows it whole in its tooltip
(fieldapp.ui.models). Every table made by ``widgets.table_view()`` has one.

:func:`tip_items` gives the items of a QListWidget their own text as tooltip, elided on
the right, without a sideways scroll bar.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QHeaderView, QListWidget, QTableView

AUTO_TIP = Qt.ItemDataRole.UserRole + 77
"""Marks a list item's tooltip as its own text (replaced when the text changes)."""
PADDING = 12
"""Room beside a value in its cell (margins, a little air), in pixels."""
FLOOR = 36
"""No column is squeezed below this, however short the width."""


class ColumnFit(QObject):
    """Keeps ``view``'s columns inside its width (see the module docstring)."""

    def __init__(self, view: QTableView, *, stretch: int | None = None,
                 samples: dict[int, str] | None = None):
        super().__init__(view)
        self.view = view
        self.stretch = stretch
        """The column that takes the room left over (default: the widest)."""
        self.samples: dict[int, str] = dict(samples or {})
        """Typical values of a virtual list's columns (its rows are never all read)."""
        self.keep: set[int] = set()
        """Columns that give way last (names): they shrink only when nothing else can."""
        self.fixed: set[int] = set()
        """Columns whose width the screen sets itself (the fitter leaves them alone)."""
        self._timer = QTimer(self)  # a child: it goes with the view
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fit)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.viewport().installEventFilter(self)
        header.sectionCountChanged.connect(lambda *_a: self.later())
        self._model = None
        self._watch_model()

    def _watch_model(self) -> None:
        model = self.view.model()
        if model is None or model is self._model:
            return
        self._model = model
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted,
                       model.rowsRemoved, model.headerDataChanged):
            signal.connect(lambda *_a: self.later())
        self.later()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.later()
        return False

    def later(self) -> None:
        """Fit once control returns to the event loop (several changes, one fit)."""
        self._timer.start()

    def set_samples(self, samples: dict[int, str]) -> None:
        self.samples = dict(samples)
        self.fit()

    def wanted(self) -> list[int]:
        """Each column's width for its header and values, in pixels."""
        view = self.view
        model = view.model()
        metrics = view.fontMetrics()
        header = view.horizontalHeader()
        head_metrics = header.fontMetrics()
        widths = []
        for column in range(model.columnCount()):
            title = model.headerData(column, Qt.Orientation.Horizontal,
                                     Qt.ItemDataRole.DisplayRole)
            width = max((head_metrics.horizontalAdvance(line)
                         for line in str(title or "").split("\n")), default=0)
            sample = self.samples.get(column)
            if sample is not None:
                width = max(width, metrics.horizontalAdvance(sample))
            width = max(width, view.sizeHintForColumn(column) - PADDING // 2)
            widths.append(width + PADDING)
        return widths

    def _stretch_column(self, widths: dict[int, int]) -> int:
        """The column that takes the room left over: the one asked for, else the widest
        column of words (numbers, right-aligned, keep their width)."""
        if self.stretch in widths:
            return self.stretch
        model = self.view.model()
        words = [c for c in widths if not _right_aligned(model, c)] or list(widths)
        return max(words, key=widths.get)

    def header_widths(self) -> list[int]:
        model = self.view.model()
        metrics = self.view.horizontalHeader().fontMetrics()
        return [min(metrics.horizontalAdvance(str(model.headerData(
            c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")) + PADDING, 160)
            for c in range(model.columnCount())]

    def fit(self) -> None:
        self._watch_model()
        view = self.view
        model = view.model()
        if model is None or not model.columnCount():
            return
        header = view.horizontalHeader()
        columns = [c for c in range(model.columnCount())
                   if not view.isColumnHidden(c) and c not in self.fixed]
        if not columns:
            return
        room = view.viewport().width() - sum(header.sectionSize(c) for c in self.fixed
                                             if not view.isColumnHidden(c))
        if room <= 0:
            return
        wanted = self.wanted()
        floors = self.header_widths()
        widths = {c: wanted[c] for c in columns}
        total = sum(widths.values())
        if total <= room:
            widths[self._stretch_column(widths)] += room - total
        else:
            widths = _shrink(widths, {c: wanted[c] if c in self.keep else min(floors[c], wanted[c])
                                      for c in columns}, room, self.keep)
        for column in columns:
            if header.sectionResizeMode(column) != QHeaderView.ResizeMode.Interactive:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            if header.sectionSize(column) != widths[column]:
                header.resizeSection(column, widths[column])


def _right_aligned(model, column: int) -> bool:
    flags = model.headerData(column, Qt.Orientation.Horizontal,
                             Qt.ItemDataRole.TextAlignmentRole)
    try:
        return bool(Qt.AlignmentFlag(int(flags)) & Qt.AlignmentFlag.AlignRight)
    except (TypeError, ValueError):
        return False


def _shrink(widths: dict[int, int], floors: dict[int, int], room: int,
            keep: set[int] = frozenset()) -> dict[int, int]:
    """Make ``widths`` add up to ``room``: the widest columns give way first, down to a
    common width (short columns stay whole), never below their floor; the columns in
    ``keep`` only when the others are at their floors; then every column alike, down to
    FLOOR."""
    def capped(level: int, columns) -> dict[int, int]:
        return {c: (max(floors[c], min(widths[c], level)) if c in columns else widths[c])
                for c in widths}

    for columns in ([c for c in widths if c not in keep], list(widths)):
        if sum(capped(0, columns).values()) <= room:
            low, high = 0, max(widths.values())
            while low < high:  # the widest level that fits
                middle = (low + high + 1) // 2
                if sum(capped(middle, columns).values()) <= room:
                    low = middle
                else:
                    high = middle - 1
            out = capped(low, columns)
            break
        widths = capped(0, columns)
    else:
        scale = room / max(1, sum(widths.values()))
        out = {c: max(FLOOR, int(w * scale)) for c, w in widths.items()}
    # Rounding: the pixels left over go to the widest column, the ones too many come off it.
    widest = max(out, key=out.get)
    out[widest] = max(FLOOR, out[widest] + room - sum(out.values()))
    return out


def tip_items(view: QListWidget) -> None:
    """Items elided on the right, each with its own text as tooltip; no sideways scroll."""
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    model = view.model()

    def tip(*_args) -> None:
        for row in range(view.count()):
            item = view.item(row)
            if item is None or not item.text() or item.toolTip() == item.text():
                continue
            if not item.toolTip() or item.data(AUTO_TIP):
                item.setData(AUTO_TIP, True)
                item.setToolTip(item.text())

    model.rowsInserted.connect(tip)
    model.dataChanged.connect(tip)
    tip()
