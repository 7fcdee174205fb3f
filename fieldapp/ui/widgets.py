"""Small widgets shared by the screens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

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
