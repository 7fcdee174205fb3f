"""The editor of a long registry list (villages, households, persons, team members): a search
box above the list, accent-insensitive."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QWidget

from fieldapp.core.forms.labels import Text
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import fold
from fieldapp.ui.forms.editors.base import FieldEditor


class _SearchLine(QLineEdit):
    """The search box of a long list: Enter picks the only match instead of leaving the page;
    Down moves into the list."""

    picked = Signal()
    down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.picked.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class SearchListEditor(FieldEditor):
    """A long registry list (villages, households, persons, team members) with a search box.

    Filtering is accent-insensitive (fold): "nguyen" finds Nguyễn, "dang" finds Đặng. For
    select_multiple the items are check boxes; hidden items keep their state.
    """

    VISIBLE_ROWS = 8

    def __init__(self, path: str, field_type: str, multiple: bool,
                 parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.multiple = multiple
        self.search = _SearchLine(self)
        self.search.setObjectName(f"search:{path}")
        self.search.setPlaceholderText(_("Type to search…"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.picked.connect(self._pick_single_match)
        self.search.down.connect(self._into_list)
        self.list = QListWidget(self)
        self.list.setObjectName(f"input:{path}")
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setMinimumHeight(self.list.fontMetrics().lineSpacing() * self.VISIBLE_ROWS)
        self.count = QLabel(self)
        self.count.setStyleSheet("color: #555;")
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: #555;")
        if multiple:
            self.list.itemChanged.connect(self._on_item_changed)
        else:
            self.list.currentItemChanged.connect(self._on_current)
            self.list.itemClicked.connect(lambda item: self._on_current(item, None))
        self.input_area.addWidget(self.search)
        self.input_area.addWidget(self.list)
        self.input_area.addWidget(self.count)
        self.input_area.addWidget(self.empty)
        self._codes: list[str] = []
        self._folded: list[str] = []
        self._value = ""

    def set_choices(self, choices: list[tuple[str, Text]]) -> None:
        codes = [c for c, _t in choices]
        self._loading = True
        try:
            if codes != self._codes:
                self.list.clear()
                for code, text in choices:
                    item = QListWidgetItem(text.plain)
                    item.setData(Qt.ItemDataRole.UserRole, code)
                    if self.multiple:
                        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                        item.setCheckState(Qt.CheckState.Unchecked)
                    self.list.addItem(item)
                self._codes = codes
                self._show_value(self._value)
            else:
                for i, (_code, text) in enumerate(choices):
                    self.list.item(i).setText(text.plain)
            self._folded = [fold(t.plain) for _c, t in choices]
            self._filter(self.search.text())
        finally:
            self._loading = False
        self.empty.setText(_("No entries to choose from yet.") if not codes else "")
        self.empty.setVisible(not codes)

    def _filter(self, query: str) -> None:
        words = fold(query).split()
        shown = 0
        for i, key in enumerate(self._folded):
            hide = bool(words) and not all(w in key for w in words)
            self.list.item(i).setHidden(hide)
            shown += not hide
        if words:
            self.count.setText(_("{shown} of {total} shown").format(shown=shown,
                                                                    total=len(self._folded)))
        else:
            self.count.setText("")
        self.count.setVisible(bool(words))

    def _visible_items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())
                if not self.list.item(i).isHidden()]

    def _pick_single_match(self) -> None:
        visible = self._visible_items()
        if len(visible) == 1:
            item = visible[0]
            if self.multiple:
                item.setCheckState(Qt.CheckState.Checked)
            else:
                self.list.setCurrentItem(item)
                self._on_current(item, None)
        elif visible:
            self._into_list()

    def _into_list(self) -> None:
        visible = self._visible_items()
        if visible:
            self.list.setFocus(Qt.FocusReason.TabFocusReason)
            if self.list.currentItem() is None or self.list.currentItem().isHidden():
                if self.multiple:
                    self.list.setCurrentItem(visible[0])
                else:
                    # moving the current row selects in single mode: only when the user acts
                    self.list.setCurrentItem(visible[0])

    def _on_current(self, item: QListWidgetItem | None, _previous) -> None:
        if self._loading or item is None:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        if code != self._value:
            self._value = code
            self._emit(code)

    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        if self._loading:
            return
        codes = [self.list.item(i).data(Qt.ItemDataRole.UserRole)
                 for i in range(self.list.count())
                 if self.list.item(i).checkState() == Qt.CheckState.Checked]
        self._value = " ".join(codes)
        self._emit(self._value or None)

    def _show_value(self, value: str) -> None:
        self._value = value
        chosen = set(value.split()) if self.multiple else {value}
        was_loading, self._loading = self._loading, True
        try:
            if self.multiple:
                for i in range(self.list.count()):
                    item = self.list.item(i)
                    state = (Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in chosen
                             else Qt.CheckState.Unchecked)
                    if item.checkState() != state:
                        item.setCheckState(state)
            else:
                self.list.setCurrentItem(None)
                self.list.clearSelection()
                for i in range(self.list.count()):
                    item = self.list.item(i)
                    if value and item.data(Qt.ItemDataRole.UserRole) == value:
                        self.list.setCurrentItem(item)
                        break
        finally:
            self._loading = was_loading

    def focus_chain(self) -> list[QWidget]:
        return [self.search, self.list]

    def enter_widgets(self) -> list[QWidget]:
        return [self.list]
