"""The main window: navigation down the left, one screen at a time, a status bar.

Screens are registered with :meth:`MainWindow.add_screen` (Home, Households and Settings by
:func:`fieldapp.ui.screens.register_default_screens`; other features add theirs the same way).
A screen is any QWidget; if it has ``retranslate()`` it is called when the language changes,
if it has ``refresh()`` it is called when it is shown and when data changes, and if it has
``confirm_close() -> bool`` it is asked before the window closes (False keeps it open, e.g.
for unsaved answers).

Start-up paints the shell first. With ``progressive=True`` (what ``fieldapp.ui.app.run`` uses) the
window's first frame holds the navigation titles, the window title and the status bar; the first
screen, the navigation icons and the rest are set up right after that frame is painted. The shell
deliberately touches neither PySide6's ``Qt`` namespace nor ``QStyle``: creating their Python enums
costs ~20-30 ms on Python 3.11, more than the rest of the window (tests/benchmarks/bench_startup.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6 import QtCore, QtWidgets
from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QCloseEvent, QPaintEvent
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QMainWindow, QScrollArea, QWidget)

from fieldapp.core import codes
from fieldapp.i18n.catalog import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import code_label
from fieldapp.ui.guard import ScreenProblem, forget_failed_imports
from fieldapp.ui.widgets import CurrentStack, ElidedLabel

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

log = logging.getLogger(__name__)

WINDOW_SIZE = QSize(1366, 768)
FRAME = QSize(16, 48)
"""Room a window's frame and title bar take, about, on the desktops the app runs on."""
NAV_WIDTH = 190
MIN_WINDOW_SIZE = QSize(960, 540)
"""The smallest the window can be dragged to (less where the screen has no room): below it the
screens were cut to a corner of their title, their lists and buttons out of sight."""

WidgetFactory = Callable[[AppContext], QWidget]
IconSpec = Any
"""A QIcon, a QStyle standard pixmap, or its name ("SP_DirHomeIcon"), or None. A name is looked
up only when the icon is set, so QStyle's enums are not created before the first frame (nor
QIcon's: neither is imported by this module until then)."""


@dataclass
class _Screen:
    key: str
    title: Callable[[], str]
    factory: WidgetFactory
    icon: IconSpec
    item: QListWidgetItem
    page: QWidget  # a placeholder until the screen is first shown
    widget: QWidget | None = None


class NavigationList(QListWidget):
    """The list of screens: at least :data:`NAV_WIDTH` wide, wider when a title needs it (a
    long translation, large text), so every screen's name is read whole."""

    def fit_width(self) -> None:
        self.doItemsLayout()
        widest = self.sizeHintForColumn(0) if self.count() else 0
        # the items' spacing on both sides, the frame and the 1 px border of the stylesheet
        chrome = 2 * self.spacing() + 2 * self.frameWidth() + 1
        self.setFixedWidth(max(NAV_WIDTH, widest + chrome))

    def changeEvent(self, event: QtCore.QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:  # Settings' larger text, QApplication
            self.fit_width()


class MainWindow(QMainWindow):
    """Navigation list + stacked screens + status bar over one :class:`AppContext`."""

    def __init__(self, context: AppContext, parent: QWidget | None = None, *,
                 progressive: bool = False):
        super().__init__(parent)
        self.context = context
        self._screens: dict[str, _Screen] = {}
        self._keys: list[str] = []  # in navigation order
        # Progressive start: the first screen and the icons wait for the first painted frame.
        self._started = not progressive
        self._start_scheduled = False
        self.setObjectName("MainWindow")

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = NavigationList()
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
        self.stack = CurrentStack()
        # A screen taller or wider than a small window (1280x720 at 125%) scrolls as a whole
        # instead of pushing the window past the screen's edge; lists inside scroll themselves.
        self.scroll = QScrollArea()
        self.scroll.setObjectName("screen_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.stack)
        layout.addWidget(self.nav)
        layout.addWidget(self.scroll, 1)
        self.setCentralWidget(central)

        self.status_commune = QLabel()
        self.status_user = QLabel()
        self.status_device = QLabel()
        self.status_db = ElidedLabel()  # a long path is cut in its middle, whole in its tooltip
        status = self.statusBar()
        status.setStyleSheet("QStatusBar::item { border: none; }")
        for i, label in enumerate((self.status_commune, self.status_user, self.status_device)):
            if i:
                status.addWidget(_separator())
            label.setContentsMargins(6, 0, 6, 0)
            status.addWidget(label)
        self.status_db.setContentsMargins(6, 0, 6, 0)
        status.addPermanentWidget(self.status_db, 1)  # the room left, elided only when short

        self.session_bar = None  # built after the first frame (its actions need Qt's enums)
        self.nav.currentRowChanged.connect(self._on_nav_row)
        context.language_changed.connect(self.retranslate)
        context.data_changed.connect(self._on_data_changed)
        self.resize(WINDOW_SIZE)
        self.setMinimumSize(self._minimum_size())
        self.retranslate()
        if self._started:
            self._finish_shell()

    def _minimum_size(self) -> QSize:
        screen = QWidget.screen(self)
        if screen is None:
            return MIN_WINDOW_SIZE
        return MIN_WINDOW_SIZE.boundedTo(screen.availableGeometry().size() - FRAME)

    def show_fitting(self) -> None:
        """Show the window at :data:`WINDOW_SIZE`, or maximized on a screen that has no room
        for that and its frame (1366x768 with a taskbar, 1280x720, either at 125%)."""
        screen = QWidget.screen(self)
        available = screen.availableGeometry().size() if screen is not None else WINDOW_SIZE
        if available.width() < WINDOW_SIZE.width() + FRAME.width() \
                or available.height() < WINDOW_SIZE.height() + FRAME.height():
            self.showMaximized()
        else:
            self.resize(WINDOW_SIZE)
            self.show()

    def _build_session_bar(self) -> None:
        """The bar with who is signed in, Lock (Ctrl+L) and Sign out, for leaving the desk
        and for handing the laptop to another member without closing the app. Its icons
        wait for the first frame (QStyle)."""
        from PySide6.QtGui import QAction, QKeySequence
        from PySide6.QtWidgets import QSizePolicy, QToolBar

        bar = QToolBar()
        bar.setObjectName("session_bar")
        bar.setMovable(False)
        bar.setFloatable(False)
        self.session_name = QLabel()
        self.session_name.setObjectName("session_name")
        self.session_name.setContentsMargins(8, 0, 8, 0)
        bar.addWidget(self.session_name)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        self.lock_action = QAction(self)
        self.lock_action.setObjectName("lock_action")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(lambda: self.lock(manual=True))
        self.sign_out_action = QAction(self)
        self.sign_out_action.setObjectName("sign_out_action")
        self.sign_out_action.triggered.connect(lambda: self.sign_out())
        bar.addAction(self.lock_action)
        bar.addAction(self.sign_out_action)
        self.addAction(self.lock_action)  # Ctrl+L works wherever the focus is
        signed_in = self.context.workspace.session is not None
        bar.setVisible(signed_in)
        self.lock_action.setEnabled(signed_in)
        self.sign_out_action.setEnabled(signed_in)
        self.session_bar = bar
        self.addToolBar(bar)
        bar.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.setIconSize(QSize(18, 18))
        self.lock_action.setIcon(self._icon("SP_DialogResetButton"))
        self.sign_out_action.setIcon(self._icon("SP_DialogCloseButton"))
        self._retranslate_session_bar()

    def _retranslate_session_bar(self) -> None:
        if self.session_bar is None:
            return
        self.session_name.setText(self.status_user.text()
                                  if self.context.current_user() else "")
        self.lock_action.setText(_("Lock"))
        self.lock_action.setToolTip(_("Lock fieldapp when you leave the desk: your PIN "
                                      "unlocks it (Ctrl+L)"))
        self.sign_out_action.setText(_("Sign out"))
        self.sign_out_action.setToolTip(_("Sign out so that another team member can sign "
                                          "in, without closing fieldapp"))

    def _finish_shell(self) -> None:
        """What the first frame can do without: the parts that need the ``Qt`` namespace."""
        self.status_db.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_db.setAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                    | QtCore.Qt.AlignmentFlag.AlignVCenter)
        if self.session_bar is None:
            self._build_session_bar()

    @property
    def started(self) -> bool:
        """True once the first screen is built (at once unless the window is progressive)."""
        return self._started

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._started and not self._start_scheduled:
            # After the first frame is on screen, not from show(): on X11 the frame is painted
            # only when the server exposes the window, which may come after a zero timer.
            self._start_scheduled = True
            QTimer.singleShot(0, self.finish_start)

    def finish_start(self) -> None:
        """Build the first screen and set the icons (progressive start; idempotent)."""
        if self._started:
            return
        self._started = True
        if self.nav.currentRow() >= 0:
            self._on_nav_row(self.nav.currentRow())
        elif self.nav.count():
            self.nav.setCurrentRow(0)
        self._finish_shell()
        for screen in self._screens.values():
            screen.item.setIcon(self._icon(screen.icon))

    # -- registration -----------------------------------------------------------------------
    def add_screen(self, key: str, title_fn: Callable[[], str], widget_factory: WidgetFactory,
                   icon: IconSpec = None, position: int | None = None) -> None:
        """Add a screen to the navigation.

        ``title_fn`` returns the translated title (called again on every language switch, so
        pass e.g. ``lambda: _("Surveys")``). ``widget_factory(context)`` builds the screen the
        first time it is shown. ``icon`` is a QIcon or a QStyle standard pixmap's name. ``position``
        inserts before that row (default: at the end).
        """
        if key in self._screens:
            raise ValueError(f"screen {key!r} is already registered")
        item = QListWidgetItem(title_fn())
        # Before the first frame a blank icon of the same size holds the text where it will be.
        item.setIcon(self._icon(icon) if self._started else self._blank_icon())
        row = self.nav.count() if position is None else max(0, min(position, self.nav.count()))
        page = QWidget()
        self._keys.insert(row, key)
        self.nav.insertItem(row, item)
        self.stack.insertWidget(row, page)
        self._screens[key] = _Screen(key, title_fn, widget_factory, icon, item, page)
        self.nav.fit_width()
        if self.nav.currentRow() < 0:
            if self._started:
                self.nav.setCurrentRow(0)
            else:  # highlighted in the first frame; finish_start() builds the screen
                self.nav.blockSignals(True)
                self.nav.setCurrentRow(0)
                self.nav.blockSignals(False)

    def _blank_icon(self) -> QIcon:
        from PySide6.QtGui import QColor, QIcon, QPixmap

        pixmap = QPixmap(self.nav.iconSize())
        pixmap.fill(QColor(0, 0, 0, 0))
        return QIcon(pixmap)

    def _icon(self, icon: IconSpec) -> QIcon:
        from PySide6.QtGui import QIcon

        if icon is None:
            return QIcon()
        if isinstance(icon, QIcon):
            return icon
        if isinstance(icon, str):
            icon = getattr(QtWidgets.QStyle.StandardPixmap, icon)
        return self.style().standardIcon(icon)

    def screen_keys(self) -> list[str]:
        """Keys in navigation order."""
        return list(self._keys)

    def show_screen(self, key: str) -> QWidget:
        """Select a screen (building it if needed) and return its widget."""
        self.finish_start()
        row = self._keys.index(key)
        self.nav.setCurrentRow(row)
        return self.screen(key)

    def screen(self, key: str) -> QWidget:
        """The screen's widget, built now if it has not been shown yet. A screen that cannot
        be built (its files changed under the app, a bug) is replaced by a page saying why,
        with Try again (fieldapp.ui.guard), never an error out of a click."""
        screen = self._screens[key]
        if screen.widget is None:
            try:
                widget = screen.factory(self.context)
            except Exception as exc:  # noqa: BLE001 - shown on the page and logged
                log.error("the %s screen could not be built", key, exc_info=exc)
                if isinstance(screen.page, ScreenProblem):
                    screen.page.exc = exc
                    screen.page.retranslate()
                    return screen.page
                widget = ScreenProblem(exc, lambda k=key: self.retry_screen(k))
            widget.setObjectName(f"screen_{key}")
            index = self.stack.indexOf(screen.page)
            self.stack.insertWidget(index, widget)
            self.stack.removeWidget(screen.page)
            screen.page.deleteLater()
            screen.page = widget
            if not isinstance(widget, ScreenProblem):
                screen.widget = widget
        return screen.widget or screen.page

    def retry_screen(self, key: str) -> QWidget:
        """Build a screen again after it failed (its files may be whole again)."""
        forget_failed_imports()
        widget = self.screen(key)
        if self.current_key() == key:
            self.stack.setCurrentWidget(widget)
            refresh = getattr(widget, "refresh", None)
            if callable(refresh):
                refresh()
        return widget

    def current_key(self) -> str | None:
        row = self.nav.currentRow()
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def _on_nav_row(self, row: int) -> None:
        if row < 0:
            return
        if not self._started:
            # The list selects its first row itself when it takes the focus on show(), before
            # the first frame: finish_start() shows the current row then.
            return
        key = self._keys[row]
        widget = self.screen(key)
        self.stack.setCurrentWidget(widget)
        refresh = getattr(widget, "refresh", None)
        if callable(refresh):
            refresh()

    # -- reactions ---------------------------------------------------------------------------
    def _on_data_changed(self, changed=None) -> None:
        """Refresh the screen on show when what changed (fieldapp.core.changed) touches the
        kinds of records it shows (its ``shows``; a screen that does not say refreshes)."""
        self.update_status()
        current = self.stack.currentWidget()
        refresh = getattr(current, "refresh", None)
        shows = getattr(current, "shows", None)
        if shows is not None and changed is not None and not changed.touches(*shows):
            return
        if callable(refresh):
            refresh()

    def retranslate(self, *_args) -> None:
        self.setWindowTitle(self._window_title())
        for screen in self._screens.values():
            screen.item.setText(screen.title())
            retranslate = getattr(screen.widget or screen.page, "retranslate", None)
            if callable(retranslate):
                retranslate()
        self.nav.fit_width()
        self.update_status()

    def _window_title(self) -> str:
        commune = self.context.commune()
        if commune:
            return _("{commune} – fieldapp").format(commune=commune["name"])
        return _("fieldapp")

    def update_status(self) -> None:
        workspace = self.context.workspace
        commune = self.context.commune()
        user = self.context.current_user()
        self.status_commune.setText(
            _("Commune: {commune}").format(commune=commune["name"]) if commune
            else _("No commune set up"))
        self.status_user.setText(
            _("User: {name} ({role})").format(name=user["name"],
                                              role=code_label(codes.ROLES, user["role"]))
            if user else _("No user"))
        self.status_device.setText(_("Device: {device}").format(device=workspace.device_name))
        self._retranslate_session_bar()
        self.status_db.setText(_("Database: {path}").format(path=_path_text(workspace.path)))

    # -- locking ---------------------------------------------------------------------------
    locked = False
    signed_out = False
    """True when the member signed out (fieldapp.ui.app returns to the sign-in)."""

    def start_idle_lock(self) -> None:
        """Lock after the idle time chosen in Settings (only for a signed-in workspace)."""
        from fieldapp.ui.idle import IdleLock

        if self.context.workspace.session is None:
            return
        self.idle_lock = IdleLock(self, self.context.workspace.setting("idle_lock_minutes"))

    def lock(self, *, manual: bool = False) -> None:
        """Hide the content until the signed-in member types their PIN again (after idle
        time, or at once with ``manual``: the Lock button, Ctrl+L)."""
        from fieldapp.ui.signin_dialog import LockDialog

        if self.locked or self.context.workspace.session is None:
            return
        self.locked = True
        central = self.centralWidget()
        central.setVisible(False)
        if self.session_bar is not None:
            self.session_bar.setEnabled(False)
        try:
            dialog = LockDialog(self.context.workspace, self, manual=manual)
            dialog.exec()
        finally:
            self.locked = False
            if self.session_bar is not None:
                self.session_bar.setEnabled(True)
        if dialog.signed_out:
            # Unsaved answers are asked about (the content stays hidden); whoever cancels
            # finds the app locked again, not open without the PIN.
            if not self.sign_out():
                QTimer.singleShot(0, lambda: self.lock(manual=manual))
            return
        central.setVisible(True)

    def sign_out(self, *, ask: bool = True) -> bool:
        """Close this member's window and go back to the sign-in, where another member (or
        the same) signs in; the app stays open (fieldapp.ui.app.run). A form with unsaved
        answers is asked about first, as when closing; False when the member stays."""
        if ask and not self._screens_may_close():
            return False
        self.signed_out = True
        self._closing_confirmed = True
        self.close()
        return True

    def _screens_may_close(self) -> bool:
        for screen in self._screens.values():
            confirm = getattr(screen.widget, "confirm_close", None)
            if callable(confirm) and not confirm():
                self.show_screen(screen.key)
                return False
        return True

    _closing_confirmed = False

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing_confirmed and not self._screens_may_close():
            self.signed_out = False
            event.ignore()
            return
        idle = getattr(self, "idle_lock", None)
        if idle is not None:
            idle.stop()
        self.context.dispose()
        super().closeEvent(event)


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def _path_text(path: Path | None) -> str:
    return str(path) if path else _("(in memory)")
