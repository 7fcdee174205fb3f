"""The review before finalizing: what is still unanswered or refused, each with a way to it.

:class:`ReviewPage` is shown in place of a page after the form's last page (and when Finalize
is pressed while something is missing). It lists the items of
:meth:`fieldapp.core.forms.navigator.PageNavigator.review_items` in three groups: required
questions without an answer (finalizing waits for them), answers the form refuses, and
optional questions left blank; each row has a "Go to" button that emits :attr:`jump` with the
question's path. The view decides what jumping does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from fieldapp.core.forms.navigator import ReviewItem
from fieldapp.i18n.catalog import _
from fieldapp.ui.forms.editors import ERROR_COLOUR, Text, text_html


class ReviewPage(QWidget):
    """``items`` with the text to show for each (question label, with the row it is in)."""

    jump = Signal(str)
    """The path of the question to go to."""

    def __init__(self, items: list[tuple[ReviewItem, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("review_page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        missing = [(i, t) for i, t in items if i.kind == "missing"]
        invalid = [(i, t) for i, t in items if i.kind == "invalid"]
        optional = [(i, t) for i, t in items if i.kind == "optional"]
        self.summary = QLabel(self)
        self.summary.setObjectName("review_summary")
        self.summary.setWordWrap(True)
        if missing or invalid:
            self.summary.setText(_("Before finalizing, answer or correct the questions below. "
                                   "“Go to” opens the page of each."))
        else:
            self.summary.setText(_("Every required question is answered. Look through the "
                                   "questions left blank, then finalize."))
        layout.addWidget(self.summary)
        for kind, title, rows in (
                ("missing", _("Required, not yet answered"), missing),
                ("invalid", _("Answers to correct"), invalid),
                ("optional", _("Left blank (not required)"), optional)):
            if rows:
                layout.addWidget(self._group(kind, title, rows))

    def _group(self, kind: str, title: str, rows: list[tuple[ReviewItem, str]]) -> QWidget:
        box = QWidget(self)
        box.setObjectName(f"review_{kind}")
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 4, 0, 4)
        heading = QLabel(f"{title} ({len(rows)})", box)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        grid.addWidget(heading, 0, 0, 1, 2)
        for number, (item, text) in enumerate(rows, start=1):
            label = QLabel(text, box)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            if kind != "optional":
                label.setStyleSheet(f"color: {ERROR_COLOUR};")
            if item.message and kind == "invalid":  # "an answer is required" goes unsaid
                label.setText(f"{text}\n{item.message}")
            button = QPushButton(_("Go to"), box)
            button.setObjectName(f"review_go:{item.path}")
            button.setAutoDefault(True)
            button.clicked.connect(lambda _checked=False, path=item.path: self.jump.emit(path))
            self.buttons[item.path] = button
            grid.addWidget(label, number, 0)
            grid.addWidget(button, number, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        return box

    def focusable(self) -> list[QWidget]:
        return list(self.buttons.values())


class ReviewMixin:
    """The form view's review (a mixin of :class:`fieldapp.ui.forms.view.FormView`, which
    owns the widgets used here): show it, and jump from it to a question."""

    def show_review(self) -> None:
        """Show, in place of a page, what is unanswered or refused, each with "Go to"."""
        self._pages_changed()
        self.row_bar.hide_confirm()
        self._clear_page()
        self.reviewing = True
        self._shown_key = None
        items = [(item, self._review_text(item.path)) for item in self.nav.review_items()]
        self.review_page = ReviewPage(items, self.page)
        self.review_page.jump.connect(self.go_to_path)
        self.fields_box.addWidget(self.review_page)
        self.review_page.show()
        self._page_widgets.append(self.review_page)
        self.page_title.setText(text_html(Text(_("Review before finalizing"))))
        self.page_title.setVisible(True)
        self.row_bar.setVisible(False)
        self._update_header()
        self._update_tab_order()
        self.scroll.verticalScrollBar().setValue(0)
        first = self.review_page.focusable()
        (first[0] if first else self.finalize_button if self.finalize_button.isEnabled()
         else self.save_button).setFocus(Qt.FocusReason.TabFocusReason)
        self._hide_banner()

    def _review_text(self, path: str) -> str:
        """The question's label as shown (pack text first), after its row's title."""
        text = self.labels.label(path).primary or path
        row = path.rsplit("/", 1)[0] if "/" in path else ""
        title = self.nav.row_title(row) if row else ""
        return f"{title}: {text}" if title else text

    def go_to_path(self, path: str) -> bool:
        """Open the page of the question at ``path``, show its message and focus it."""
        self._pages_changed()
        index = self.nav.index_of_path(path)
        if index is None:
            return False
        self._hide_banner()
        self._show_page(index)
        errors = dict(self.page_errors())
        self.page_editors.set_errors(errors, self.labels, [p for p in self.editors if p == path])
        if path in self.editors:
            self.editors[path].focus_first()
            self.scroll.ensureWidgetVisible(self.editors[path])
        return True
