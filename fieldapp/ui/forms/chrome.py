"""The fixed parts of the form view around the page: section bar, message banner and footer.

Also :func:`title_label`, the bold rich-text title the view's parts share.

:class:`SectionBar` holds the section jump list, the progress bar and the page counter;
:class:`Banner` one message line (error, ok or info); :class:`FormFooter` the Back, Next, Save
draft, "Go to the first problem" and Finalize buttons, with shortcuts that stay the same
whatever the interface language. They show what the view tells them and report presses; the
view decides.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication, QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget)

from fieldapp.i18n.catalog import _
from fieldapp.ui.fonts import scaled
from fieldapp.ui.forms.editors import ERROR_COLOUR

_BANNER_COLOURS = {"error": (ERROR_COLOUR, "#fdecea"), "ok": ("#1b5e20", "#e8f5e9"),
                   "info": ("#0d47a1", "#e3f2fd")}


def title_label(parent: QWidget, factor: float, name: str = "") -> QLabel:
    """A word-wrapped rich-text title in bold, ``factor`` times the application font."""
    label = QLabel(parent)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setFont(scaled(QApplication.font(), factor, bold=True))
    return label


class SectionBar(QWidget):
    """Jump to a section; how much is answered; which page of how many."""

    section_chosen = Signal(str)
    """The name of the section picked from the list."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.combo = QComboBox(self)
        self.combo.setObjectName("section_combo")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(18)
        self.combo.activated.connect(lambda i: self.section_chosen.emit(self.combo.itemData(i)))
        self.label.setBuddy(self.combo)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("form_progress")
        self.progress.setRange(0, 100)
        self.page_label = QLabel(self)
        self.page_label.setObjectName("page_label")
        layout.addWidget(self.label)
        layout.addWidget(self.combo, 2)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.page_label)

    def retranslate(self) -> None:
        self.label.setText(_("&Section:"))
        # Qt's %p% stays out of the msgid (babel would take "% a" for a Python format).
        self.progress.setFormat(_("{percent} answered").format(percent="%p%"))

    def show_position(self, sections: list[tuple[str, str]], current: str | None,
                      position: tuple[int, int] | None, answered: float) -> None:
        """``sections`` [(name, title)], the ``current`` section's name, its ``position``
        (number from 1, count of the form's sections; None on the review page) and the
        fraction ``answered``."""
        self.progress.setValue(round(answered * 100))
        if position is None:
            self.page_label.setText(_("Review"))
        else:
            self.page_label.setText(_("Section {current} of {total}").format(
                current=position[0], total=position[1]))
        titles = [title for _name, title in sections]
        if [self.combo.itemText(i) for i in range(self.combo.count())] != titles:
            self.combo.blockSignals(True)
            self.combo.clear()
            for name, title in sections:
                self.combo.addItem(title, name)
            self.combo.blockSignals(False)
        if current is not None:
            at = self.combo.findData(current)
            if at >= 0 and at != self.combo.currentIndex():
                self.combo.blockSignals(True)
                self.combo.setCurrentIndex(at)
                self.combo.blockSignals(False)


class Banner(QLabel):
    """One message under the page: "error", "ok" or "info" (its ``kind`` property)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("form_banner")
        self.setWordWrap(True)
        self.setVisible(False)

    def show_message(self, text: str, kind: str) -> None:
        fg, bg = _BANNER_COLOURS.get(kind, _BANNER_COLOURS["info"])
        self.setStyleSheet(f"color: {fg}; background: {bg}; padding: 6px; border-radius: 4px;")
        self.setText(text)
        self.setProperty("kind", kind)
        self.setVisible(True)

    def clear_message(self) -> None:
        self.setVisible(False)
        self.setText("")


class FormFooter(QWidget):
    """Back and Next on the left; Save draft, "Go to the first problem" and Finalize on the
    right. The view connects the buttons' ``clicked`` to what they do."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.back_button = self._button("back")
        self.next_button = self._button("next")
        self.save_button = self._button("save_draft")
        self.problems_button = self._button("first_problem")
        self.finalize_button = self._button("finalize")
        layout.addWidget(self.back_button)
        layout.addWidget(self.next_button)
        layout.addStretch(1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.problems_button)
        layout.addWidget(self.finalize_button)

    def _button(self, name: str) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setAutoDefault(True)  # Enter on a focused button presses it
        return button

    def retranslate(self) -> None:
        self.back_button.setText(_("Back"))
        self.back_button.setToolTip(_("Previous page (Alt+B)"))
        self.next_button.setText(_("Next"))
        self.next_button.setToolTip(_("Next page (Alt+N or Enter)"))
        self.save_button.setText(_("Save draft"))
        self.save_button.setToolTip(_("Save what has been entered so far (Ctrl+S)"))
        self.problems_button.setText(_("&Go to the first problem"))
        self.finalize_button.setText(_("&Finalize"))
        self.finalize_button.setToolTip(_("Possible when every required answer is given and valid"))


def page_shortcuts(widget: QWidget, *, save: Callable[[], object], next_page: Callable[[], object],
                   previous_page: Callable[[], object]) -> list[QShortcut]:
    """Fixed shortcuts on ``widget`` and its children (the same whatever the interface
    language, unlike mnemonics): Alt+N / Alt+Right / Ctrl+PgDown next, Alt+B / Alt+Left /
    Ctrl+PgUp back, Ctrl+S save."""
    A, C = Qt.Modifier.ALT, Qt.Modifier.CTRL
    bindings = [
        (QKeySequence(QKeySequence.StandardKey.Save), save),
        (QKeySequence(A | Qt.Key.Key_N), next_page),
        (QKeySequence(A | Qt.Key.Key_Right), next_page),
        (QKeySequence(C | Qt.Key.Key_PageDown), next_page),
        (QKeySequence(A | Qt.Key.Key_B), previous_page),
        (QKeySequence(A | Qt.Key.Key_Left), previous_page),
        (QKeySequence(C | Qt.Key.Key_PageUp), previous_page),
    ]
    shortcuts = []
    for sequence, slot in bindings:
        shortcut = QShortcut(sequence, widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        shortcuts.append(shortcut)
    return shortcuts
