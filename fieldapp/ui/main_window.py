"""The main window: navigation down the left, one screen at a time, a status bar.

Screens are registered with :meth:`MainWindow.add_screen` (Home, Households and Settings by
:func:`fieldapp.ui.screens.register_default_screens`; other features add theirs the same way).
A screen is any QWidget; if it has ``retranslate()`` it is called when the language changes,
if it has ``refresh()`` it is called when it is shown and when data changes, and if it has
``confirm_close() -> bool`` it is asked before the window closes (False keeps it open, e.g.
for unsaved answers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent, QIcon
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QMainWindow, QStackedWidget, QStyle, QWidget)

from fieldapp.core import codes
from fieldapp.i18n.catalog import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import code_label

WINDOW_SIZE = QSize(1366, 768)
NAV_WIDTH = 190

WidgetFactory = Callable[[AppContext], QWidget]


@dataclass
class _Screen:
    key: str
    title: Callable[[], str]
    factory: WidgetFactory
    icon: QIcon | QStyle.StandardPixmap | None
    item: QListWidgetItem
    page: QWidget  # a placeholder until the screen is first shown
    widget: QWidget | None = None


class MainWindow(QMainWindow):
    """Navigation list + stacked screens + status bar over one :class:`AppContext`."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self._screens: dict[str, _Screen] = {}
        self.setObjectName("MainWindow")

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(NAV_WIDTH)
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setSpacing(2)
        self.nav.setFrameShape(QListWidget.Shape.NoFrame)
        self.nav.setStyleSheet(
            "#navigation { background: palette(alternate-base); padding-top: 8px;"
            " border-right: 1px solid palette(mid); }"
            "#navigation { outline: 0; }"
            "#navigation::item { padding: 8px 6px; }")
        self.stack = QStackedWidget()
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status_commune = QLabel()
        self.status_user = QLabel()
        self.status_device = QLabel()
        self.status_db = QLabel()
        self.status_db.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status = self.statusBar()
        status.setStyleSheet("QStatusBar::item { border: none; }")
        for i, label in enumerate((self.status_commune, self.status_user, self.status_device)):
            if i:
                status.addWidget(_separator())
            label.setContentsMargins(6, 0, 6, 0)
            status.addWidget(label)
        self.status_db.setContentsMargins(6, 0, 6, 0)
        status.addPermanentWidget(self.status_db)

        self.nav.currentRowChanged.connect(self._on_nav_row)
        context.language_changed.connect(self.retranslate)
        context.data_changed.connect(self._on_data_changed)
        self.resize(WINDOW_SIZE)
        self.retranslate()

    # -- registration -----------------------------------------------------------------------
    def add_screen(self, key: str, title_fn: Callable[[], str], widget_factory: WidgetFactory,
                   icon: QIcon | QStyle.StandardPixmap | None = None,
                   position: int | None = None) -> None:
        """Add a screen to the navigation.

        ``title_fn`` returns the translated title (called again on every language switch, so
        pass e.g. ``lambda: _("Surveys")``). ``widget_factory(context)`` builds the screen the
        first time it is shown. ``icon`` is a QIcon or a QStyle standard pixmap. ``position``
        inserts before that row (default: at the end).
        """
        if key in self._screens:
            raise ValueError(f"screen {key!r} is already registered")
        item = QListWidgetItem(self._icon(icon), title_fn())
        item.setData(Qt.ItemDataRole.UserRole, key)
        row = self.nav.count() if position is None else max(0, min(position, self.nav.count()))
        page = QWidget()
        self.nav.insertItem(row, item)
        self.stack.insertWidget(row, page)
        self._screens[key] = _Screen(key, title_fn, widget_factory, icon, item, page)
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def _icon(self, icon: QIcon | QStyle.StandardPixmap | None) -> QIcon:
        if icon is None:
            return QIcon()
        if isinstance(icon, QIcon):
            return icon
        return self.style().standardIcon(icon)

    def screen_keys(self) -> list[str]:
        """Keys in navigation order."""
        return [self.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.nav.count())]

    def show_screen(self, key: str) -> QWidget:
        """Select a screen (building it if needed) and return its widget."""
        row = self.screen_keys().index(key)
        self.nav.setCurrentRow(row)
        return self.screen(key)

    def screen(self, key: str) -> QWidget:
        """The screen's widget, built now if it has not been shown yet."""
        screen = self._screens[key]
        if screen.widget is None:
            widget = screen.factory(self.context)
            widget.setObjectName(f"screen_{key}")
            index = self.stack.indexOf(screen.page)
            self.stack.insertWidget(index, widget)
            self.stack.removeWidget(screen.page)
            screen.page.deleteLater()
            screen.page = widget
            screen.widget = widget
        return screen.widget

    def current_key(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _on_nav_row(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.ItemDataRole.UserRole)
        widget = self.screen(key)
        self.stack.setCurrentWidget(widget)
        refresh = getattr(widget, "refresh", None)
        if callable(refresh):
            refresh()

    # -- reactions ---------------------------------------------------------------------------
    def _on_data_changed(self) -> None:
        self.update_status()
        current = self.stack.currentWidget()
        refresh = getattr(current, "refresh", None)
        if callable(refresh):
            refresh()

    def retranslate(self, *_args) -> None:
        self.setWindowTitle(self._window_title())
        for screen in self._screens.values():
            screen.item.setText(screen.title())
            retranslate = getattr(screen.widget, "retranslate", None)
            if callable(retranslate):
                retranslate()
        self.update_status()

    def _window_title(self) -> str:
        commune = self.context.commune()
        if commune:
            return _("{commune} – fieldapp").format(commune=commune["name"])
        return _("fieldapp")

    def update_status(self) -> None:
        store = self.context.store
        commune = self.context.commune()
        user = self.context.current_user()
        self.status_commune.setText(
            _("Commune: {commune}").format(commune=commune["name"]) if commune
            else _("No commune set up"))
        self.status_user.setText(
            _("User: {name} ({role})").format(name=user["name"],
                                              role=code_label(codes.ROLES, user["role"]))
            if user else _("No user"))
        self.status_device.setText(_("Device: {device}").format(device=store.device_name))
        self.status_db.setText(_("Database: {path}").format(path=_path_text(store.path)))

    def closeEvent(self, event: QCloseEvent) -> None:
        for screen in self._screens.values():
            confirm = getattr(screen.widget, "confirm_close", None)
            if callable(confirm) and not confirm():
                self.show_screen(screen.key)
                event.ignore()
                return
        self.context.dispose()
        super().closeEvent(event)


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def _path_text(path: Path | None) -> str:
    return str(path) if path else _("(in memory)")
