"""A row of widgets that wraps onto the next line when the window is narrow (Qt's flow layout
example): filter lists and rows of buttons stay whole at 1280x720 and at 125% scaling instead
of pushing the screen wider than the window."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping to a new line when the next one does not fit. A widget
    added with ``stretch`` > 0 grows to fill what is left of its line (a search box)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 8):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: dict[int, int] = {}
        self.setSpacing(spacing)
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802 - Qt API
        super().addWidget(widget)
        if stretch:
            self._stretch[id(self._items[-1])] = stretch

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt API
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt API
        if 0 <= index < len(self._items):
            item = self._items.pop(index)
            self._stretch.pop(id(item), None)
            return item
        return None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt API
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        return self._place(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt API
        super().setGeometry(rect)
        self._place(rect, apply=True)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        width = sum(i.sizeHint().width() for i in self._shown()) \
            + self.spacing() * max(0, len(self._shown()) - 1)
        height = max((i.sizeHint().height() for i in self._shown()), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt API
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if i.widget() is None or not i.widget().isHidden()]

    def _place(self, rect: QRect, *, apply: bool) -> int:
        """Lay the items out in ``rect``; return the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        space = self.spacing()
        lines: list[list[QLayoutItem]] = [[]]
        used = 0
        for item in self._shown():
            width = item.sizeHint().width()
            if lines[-1] and used + space + width > area.width():
                lines.append([])
                used = 0
            used += (space if lines[-1] else 0) + width
            lines[-1].append(item)
        y = area.y()
        for line in lines:
            if not line:
                continue
            height = max(i.sizeHint().height() for i in line)
            widths = [min(i.sizeHint().width(), area.width()) for i in line]
            left = area.width() - sum(widths) - space * (len(line) - 1)
            stretches = [self._stretch.get(id(i), 0) for i in line]
            if left > 0 and any(stretches):
                total = sum(stretches)
                widths = [w + left * s // total for w, s in zip(widths, stretches)]
            x = area.x()
            for item, width in zip(line, widths):
                if apply:
                    policy = item.widget().sizePolicy() if item.widget() else None
                    tall = height if policy is None or policy.verticalPolicy() \
                        != QSizePolicy.Policy.Fixed else item.sizeHint().height()
                    item.setGeometry(QRect(QPoint(x, y + (height - tall) // 2),
                                           QSize(width, tall)))
                x += width + space
            y += height + space
        return y - space - area.y() + margins.top() + margins.bottom() if y > area.y() else 0
