"""Small widgets shared by the screens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLabel, QStackedLayout, QWidget

from fieldapp.ui.fonts import scaled

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableView


class Heading(QLabel):
    """A bold label ``factor`` times the application font; follows the "large text" setting."""

    def __init__(self, text: str = "", factor: float = 1.5, parent: QWidget | None = None):
        super().__init__(text, parent)
        self._factor = factor
        self.setWordWrap(True)
        self._apply_font()

    def _apply_font(self) -> None:
        self.setFont(scaled(QApplication.font(), self._factor, bold=True))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationFontChange:
            self._apply_font()
        return super().event(event)


class ElidedLabel(QLabel):
    """One line cut with "…" to the width it is given (a path in the status bar), whole in
    its tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self.setMinimumWidth(40)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        self._full = text or ""
        self.setToolTip(self._full)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def sizeHint(self):  # noqa: N802 - Qt API
        hint = super().sizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance(self._full) + 2 * self.margin() + 4)
        return hint

    def minimumSizeHint(self):  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        hint.setWidth(40)
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        # Cut in the middle by hand: QFontMetrics.elidedText() needs Qt's enums, which the
        # window's first frame does without (tests/ui/test_progressive_start.py).
        metrics = self.fontMetrics()
        room = self.contentsRect().width() - 2 * self.margin()
        text = self._full
        if metrics.horizontalAdvance(text) <= room or len(text) < 3:
            super().setText(text)
            return
        low, high = 0, len(text) - 1
        while low < high:  # the most characters kept, half from each end
            keep = (low + high + 1) // 2
            candidate = text[:(keep + 1) // 2] + "…" + text[len(text) - keep // 2:]
            if metrics.horizontalAdvance(candidate) <= room:
                low = keep
            else:
                high = keep - 1
        super().setText(text[:(low + 1) // 2] + "…" + text[len(text) - low // 2:]
                        if low else "…")


class MutedLabel(QLabel):
    """Secondary text (explanations, empty states) in the palette's dimmer colour."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setStyleSheet("color: palette(placeholder-text);")


class EmptyState(QLabel):
    """A centred message shown instead of an empty table, on the table's background."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("empty_state")
        # Qt fetched here, not at import: the sign-in dialog's first frame (the app's first
        # frame) imports this module and does without the ~25 ms of Qt's enums.
        from PySide6.QtCore import Qt

        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMargin(24)
        self.setStyleSheet("#empty_state { color: palette(placeholder-text);"
                           " background: palette(base); border: 1px solid palette(mid); }")


class _CurrentLayout(QStackedLayout):
    """Qt's stacked layout, sized by the page shown rather than by the largest page."""

    def _current(self):
        return self.currentWidget()

    def minimumSize(self):  # noqa: N802 - Qt API
        current = self._current()
        return current.minimumSizeHint().expandedTo(current.minimumSize()) \
            if current is not None else super().minimumSize()

    def sizeHint(self):  # noqa: N802 - Qt API
        current = self._current()
        return current.sizeHint() if current is not None else super().sizeHint()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        current = self._current()
        return current is not None and current.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        # The least height the page needs at this width (its texts wrapped): a box layout's
        # own height for a width adds up its items' preferred heights, so a scroll area
        # holding the stack would scroll a page that fits.
        current = self._current()
        if current is None:
            return -1
        layout = current.layout()
        least = current.minimumSizeHint().expandedTo(current.minimumSize()).height()
        return max(least, layout.minimumHeightForWidth(width)) if layout is not None \
            else current.heightForWidth(width)


class CurrentStack(QWidget):
    """A stack of pages (QStackedWidget's API) as large as the page shown needs: Qt's is as
    large as its largest page, so a small window would scroll every page as far as the
    tallest one needs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = _CurrentLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.currentChanged = self._layout.currentChanged
        self._layout.currentChanged.connect(lambda _index: self._changed())

    def _changed(self) -> None:
        self._layout.invalidate()
        self.updateGeometry()

    def addWidget(self, widget: QWidget) -> int:  # noqa: N802 - QStackedWidget's API
        return self._layout.addWidget(widget)

    def insertWidget(self, index: int, widget: QWidget) -> int:  # noqa: N802
        return self._layout.insertWidget(index, widget)

    def removeWidget(self, widget: QWidget) -> None:  # noqa: N802
        self._layout.removeWidget(widget)

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802
        self._layout.setCurrentWidget(widget)

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802
        self._layout.setCurrentIndex(index)

    def currentWidget(self) -> QWidget | None:  # noqa: N802
        return self._layout.currentWidget()

    def currentIndex(self) -> int:  # noqa: N802
        return self._layout.currentIndex()

    def indexOf(self, widget: QWidget) -> int:  # noqa: N802
        return self._layout.indexOf(widget)

    def widget(self, index: int) -> QWidget | None:
        return self._layout.widget(index)

    def count(self) -> int:
        return self._layout.count()


def scrolling(content: QWidget, *, whole: bool = False):
    """``content`` in a frameless scroll area that follows its width: a dialog's body on a
    screen too short for it (1280x720 at 125%) scrolls instead of running off the screen.
    ``whole``: the area asks for its content's whole size (Qt's asks for at most 24 lines),
    so a dialog opens showing every row when the screen has room for them."""
    from PySide6.QtWidgets import QFrame, QScrollArea

    class WholeArea(QScrollArea):
        def sizeHint(self):  # noqa: N802 - Qt's name
            inner = self.widget()
            return inner.sizeHint() if inner is not None else super().sizeHint()

        def minimumSizeHint(self):  # noqa: N802 - Qt's name
            """As narrow as the rows allow, with room for the scroll bar: it scrolls up and
            down, never sideways."""
            hint = super().minimumSizeHint()
            inner = self.widget()
            if inner is not None:
                hint.setWidth(inner.minimumSizeHint().width()
                              + self.verticalScrollBar().sizeHint().width())
            return hint

        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.LayoutRequest:  # rows added: a new size to ask
                self.updateGeometry()
            return super().eventFilter(watched, event)

    area = WholeArea() if whole else QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    if whole:
        content.installEventFilter(area)
    return area


def resize_within_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width`` x ``height``, or less where the screen is smaller
    (room is left for the frame and the title bar)."""
    screen = QWidget.screen(window) or QApplication.primaryScreen()
    if screen is not None:
        available = screen.availableGeometry()
        width = min(width, available.width() - 16)
        height = min(height, available.height() - 48)
    window.resize(width, height)


def set_placeholder(edit, text: str) -> None:
    """A line edit's placeholder, with the field at least as wide as it (it is the hint of
    what to type: a cut one says little)."""
    edit.setPlaceholderText(text)
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(text) + 24)


def table_view(parent: QWidget | None = None) -> QTableView:
    """A read-only, row-selecting table with the look every screen uses."""
    from PySide6.QtWidgets import QTableView  # here: the sign-in's first frame has no table

    view = QTableView(parent)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setHighlightSections(False)
    from fieldapp.ui.columns import ColumnFit

    view.fit = ColumnFit(view)  # columns inside the width, long values elided with a tooltip
    return view


def show_message(parent, kind: str, title: str, text: str, buttons=None, default=None):
    """A message box (``kind``: information, warning, critical, question) whose text is shown
    as plain text, never as rich text: messages quote files, packs and database contents,
    which must not be able to render HTML or links. Returns the button clicked."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    icons = {"information": QMessageBox.Icon.Information, "warning": QMessageBox.Icon.Warning,
             "critical": QMessageBox.Icon.Critical, "question": QMessageBox.Icon.Question}
    if buttons is None:
        buttons = (QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                   if kind == "question" else QMessageBox.StandardButton.Ok)
    box = QMessageBox(icons[kind], title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if default is not None:
        box.setDefaultButton(default)
    return box.exec()


def ok_cancel(dialog: QWidget, on_ok: Callable[[], Any], ok_text: str | None = None):
    """OK and Cancel with the interface's own words (Qt's are not in our catalogs): OK calls
    ``on_ok`` (which accepts the dialog when all is well), Cancel rejects it."""
    from PySide6.QtWidgets import QDialogButtonBox

    from fieldapp.i18n.catalog import _

    button = QDialogButtonBox.StandardButton
    buttons = QDialogButtonBox(button.Ok | button.Cancel)
    buttons.button(button.Ok).setText(ok_text or _("OK"))
    buttons.button(button.Cancel).setText(_("Cancel"))
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons


NAME_LENGTH = 22
"""Characters a list of names (people, villages) is sized for, whatever its longest entry."""


def names_combo(name: str, length: int = NAME_LENGTH):
    """A drop-down list of names that come from the data (team members, villages): sized for
    ``length`` characters instead of its longest entry, so one name of 60 characters or a
    village named "Thôn Khuổi Nhùng Phja Bjoóc Trên" cannot push a dialog wider than the
    screen and squeeze its labels; the chosen name is whole in the tooltip (the list that
    opens is as wide as its longest entry: Qt's popup widens to its contents). The popup
    view is left alone: the sign-in's first frame must not build it."""
    from PySide6.QtWidgets import QComboBox

    combo = QComboBox()
    combo.setObjectName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(length)
    combo.currentTextChanged.connect(combo.setToolTip)
    return combo


def prefer_width(window: QWidget, width: int) -> None:
    """Open ``window`` at least ``width`` px wide (within the screen) and as tall as its
    wrapped text needs at that width, without making the width its minimum: a widget with a minimum size of its own is no longer held by its layout's (Qt's
    SetDefaultConstraint), so at large text or with long names its rows were squeezed over
    each other instead of the window growing."""
    from PySide6.QtCore import QObject

    class _OnShow(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Show:
                watched.removeEventFilter(self)
                resize_within_screen(watched, max(width, watched.width()), watched.height())
                _grow(watched)  # wrapped text at this width may need more lines
            return False

    window.installEventFilter(_OnShow(window))


def grow_to_fit(window: QWidget) -> None:
    """After rows were shown in an open window: make it as tall as its content needs at its
    width (within the screen). Qt grows a window to its layout's minimum size, which counts a
    word-wrapped label as one line, so a longer message was drawn over the rows beneath.
    Measured once the event loop has shown the widgets just added (Qt shows them later)."""
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, window, lambda: _grow(window))


def _grow(window: QWidget) -> None:
    from PySide6.QtWidgets import QScrollArea

    layout = window.layout()
    if layout is None:
        return
    for area in window.findChildren(QScrollArea):
        area.updateGeometry()  # rows added since the layout last asked its size
    layout.activate()
    height = layout.totalHeightForWidth(window.width()) if layout.hasHeightForWidth() \
        else layout.totalSizeHint().height()
    if height > window.height():
        resize_within_screen(window, window.width(), height)
