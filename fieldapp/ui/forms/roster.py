"""Roster widgets of the form view: the bar above a repeat row's pages, and the "add" page.

:class:`RosterBar` shows the row's title ("2. Hoàng Văn Sơn, 34") with "Add" and "Remove this
entry…"; removing asks first, in an inline bar (no modal dialog: keyboard-friendly and never
hidden behind the window). :class:`AddRowPage` follows a roster's rows: the rows entered so far,
each a button that opens it, and "Add". Both only report what was pressed; the view acts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from fieldapp.core.forms.labels import Text
from fieldapp.i18n.catalog import _
from fieldapp.ui.fonts import scaled
from fieldapp.ui.forms.chrome import title_label
from fieldapp.ui.forms.editors import ERROR_COLOUR, text_html


class RosterBar(QFrame):
    """The current repeat row: its title, and adding or removing rows when the person may."""

    add_clicked = Signal()
    remove_clicked = Signal()
    """"Remove this entry…" was pressed: the view asks with :meth:`ask_remove`."""
    remove_confirmed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("row_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = title_label(self, 1.25, "row_title")
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("add_row")
        self.add_button.clicked.connect(self.add_clicked)
        self.remove_button = QPushButton(self)
        self.remove_button.setObjectName("remove_row")
        self.remove_button.clicked.connect(self.remove_clicked)
        top.addWidget(self.title, 1)
        top.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.confirm_bar = QFrame(self)
        self.confirm_bar.setObjectName("confirm_remove_bar")
        confirm_layout = QHBoxLayout(self.confirm_bar)
        confirm_layout.setContentsMargins(0, 0, 0, 0)
        self.confirm_label = QLabel(self.confirm_bar)
        self.confirm_label.setWordWrap(True)
        self.confirm_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.confirm_button = QPushButton(self.confirm_bar)
        self.confirm_button.setObjectName("confirm_remove")
        self.confirm_button.clicked.connect(self._on_confirm)
        self.cancel_button = QPushButton(self.confirm_bar)
        self.cancel_button.setObjectName("cancel_remove")
        self.cancel_button.clicked.connect(self.hide_confirm)
        confirm_layout.addWidget(self.confirm_label, 1)
        confirm_layout.addWidget(self.confirm_button)
        confirm_layout.addWidget(self.cancel_button)
        layout.addWidget(self.confirm_bar)
        self.confirm_bar.setVisible(False)
        for button in (self.add_button, self.remove_button, self.confirm_button,
                       self.cancel_button):
            button.setAutoDefault(True)  # Enter on a focused button presses it
        self.retranslate()

    def retranslate(self) -> None:
        self.cancel_button.setText(_("&Keep"))
        self.confirm_button.setText(_("&Remove"))

    def show_row(self, title: Text, name: Text, user_rows: bool) -> None:
        """Title the bar with the row's ``title``; ``name`` names the roster's rows."""
        self.title.setText(text_html(title))
        self.title.setToolTip(title.note)
        self.add_button.setText(_("Add: {name}").format(name=name.primary))
        self.remove_button.setText(_("Remove this entry…"))
        self.add_button.setVisible(user_rows)
        self.remove_button.setVisible(user_rows)

    def ask_remove(self, title: str) -> None:
        """Ask whether to remove the row ``title``, the focus on "Keep"."""
        self.confirm_label.setText(
            _("Remove “{title}” and all of its answers?").format(title=title))
        self.confirm_bar.setVisible(True)
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def hide_confirm(self) -> None:
        self.confirm_bar.setVisible(False)

    def _on_confirm(self) -> None:
        self.hide_confirm()
        self.remove_confirmed.emit()


class AddRowPage(QFrame):
    """The page after a roster's rows: ``rows`` [(row path, title)] entered so far, each
    opening its row, and "add another" (``heading`` titles the page, ``name`` the rows)."""

    open_row = Signal(str)
    """The path of the row whose button was pressed."""
    add_clicked = Signal()

    def __init__(self, heading: Text, name: Text, rows: list[tuple[str, Text]],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("add_row_page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = title_label(self, 1.25)
        title.setText(text_html(heading))
        layout.addWidget(title)
        summary = QLabel(self)
        summary.setObjectName("rows_summary")
        summary.setWordWrap(True)
        summary.setText(_("Entered so far: {count}").format(count=len(rows)) if rows
                        else _("Nothing entered yet."))
        layout.addWidget(summary)
        self.row_buttons: list[QPushButton] = []
        for row_path, row_title in rows:
            button = QPushButton(row_title.plain, self)
            button.setObjectName(f"open_row:{row_path}")
            button.setToolTip(_("Open this entry"))
            button.setStyleSheet("text-align: left; padding: 4px 8px;")
            button.setAutoDefault(True)
            button.clicked.connect(lambda _c=False, rp=row_path: self.open_row.emit(rp))
            layout.addWidget(button)
            self.row_buttons.append(button)
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("add_row_here")
        self.add_button.setText(_("&Add: {name}").format(name=name.primary))
        self.add_button.setAutoDefault(True)
        self.add_button.setFont(scaled(QApplication.font(), 1.1, bold=True))
        self.add_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.add_button.clicked.connect(self.add_clicked)
        layout.addWidget(self.add_button)
        done = QLabel(self)
        done.setWordWrap(True)
        done.setStyleSheet("color: #555;")
        done.setText(_("When everyone is entered, press Next."))
        layout.addWidget(done)
