"""The editor of a long list (a registry list: villages, households, persons, team members; a
long list shipped with the form): a search box above the list, accent-insensitive.

The list shows a page of the matches at a time and reads the next page when scrolled to its
end, so a commune's or a province's persons cost what a page costs. A registry list is read
through the form engine's :class:`~fieldapp.core.forms.choices.RegistryChoices` (answered by
the database's indexes, with the question's choice_filter); a list shipped with the form is
searched in memory. What is chosen stays chosen (and shown under the list) whatever is typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QWidget

from fieldapp.core.forms.labels import Text
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import fold, nfc
from fieldapp.ui.forms.editors.base import FieldEditor

PAGE = 100


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


class StaticSource:
    """Choices held in memory (a list shipped with the form): searched by folded words."""

    def __init__(self, choices: Sequence[tuple[str, Text]]):
        self.items = [(code, text.plain) for code, text in choices]
        self._folded = [fold(label) for _code, label in self.items]
        self.key: Any = tuple(self.items)

    def page(self, text: str, offset: int, limit: int) -> list[tuple[str, str]]:
        words = fold(text).split()
        found = [item for item, key in zip(self.items, self._folded)
                 if not words or all(w in key for w in words)]
        return found[offset:offset + limit]

    def labels(self, codes: Sequence[str]) -> dict[str, str]:
        wanted = set(codes)
        return {code: label for code, label in self.items if code in wanted}

    def total(self) -> int:
        return len(self.items)


class RegistrySource:
    """A registry list a page at a time (fieldapp.core.forms.choices.RegistryChoices)."""

    def __init__(self, choices, label_of):
        self.choices = choices
        self._label_of = label_of
        if choices.indexed:
            self.key: Any = (choices.csv_name, choices.where)
        else:  # filtered row by row: the list itself says whether it changed
            self.key = tuple(c.name for c in choices.page("", 0, 10 ** 9))

    def page(self, text: str, offset: int, limit: int) -> list[tuple[str, str]]:
        return [(c.name, self._label_of(c)) for c in self.choices.page(text, offset, limit)]

    def labels(self, codes: Sequence[str]) -> dict[str, str]:
        return {name: self._label_of(c) for name, c in self.choices.find(codes).items()}

    def total(self) -> int | None:
        return None


class SearchListEditor(FieldEditor):
    """A long list with a search box. For select_multiple the items are check boxes; what is
    ticked stays ticked when the search changes."""

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
        self.list.verticalScrollBar().valueChanged.connect(self._on_scroll)
        self.count = QLabel(self)
        self.count.setStyleSheet("color: #555;")
        self.chosen = QLabel(self)
        self.chosen.setObjectName(f"chosen:{path}")
        self.chosen.setWordWrap(True)
        self.chosen.setVisible(False)
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
        self.input_area.addWidget(self.chosen)
        self.input_area.addWidget(self.empty)
        self._source: StaticSource | RegistrySource | None = None
        self._text = ""
        self._more = False
        self._value = ""
        self._labels: dict[str, str] = {}

    # -- what to offer -------------------------------------------------------------------------
    def set_choices(self, choices: list[tuple[str, Text]]) -> None:
        """Offer ``[(code, text)]`` held in memory."""
        self.set_source(StaticSource(choices))

    def set_source(self, source: StaticSource | RegistrySource) -> None:
        """Offer the choices of ``source``; the list is read again only when they changed."""
        if self._source is not None and self._source.key == source.key:
            self._source = source
            return
        self._source = source
        self._reload()

    def _reload(self) -> None:
        self._loading = True
        try:
            self.list.clear()
            self._more = False
            self._append_page()
        finally:
            self._loading = False
        total = self._source.total() if self._source is not None else 0
        nothing = total == 0 and not self._text
        self.empty.setText(_("No entries to choose from yet.") if nothing else "")
        self.empty.setVisible(nothing)
        self._show_count()
        self._show_value(self._value)

    def _append_page(self) -> None:
        if self._source is None:
            return
        offset = self.list.count()
        rows = self._source.page(self._text, offset, PAGE)
        self._more = len(rows) == PAGE
        chosen = self._chosen()
        was_loading, self._loading = self._loading, True
        try:
            for code, label in rows:
                item = QListWidgetItem(label)
                item.setData(Qt.ItemDataRole.UserRole, code)
                if self.multiple:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked if code in chosen
                                       else Qt.CheckState.Unchecked)
                self.list.addItem(item)
                self._labels[code] = label
        finally:
            self._loading = was_loading

    def _on_scroll(self, value: int) -> None:
        if self._more and value >= self.list.verticalScrollBar().maximum() - 2:
            self._append_page()
            self._show_count()

    def _filter(self, query: str) -> None:
        self._text = nfc(query).strip()
        self._reload()

    def _show_count(self) -> None:
        shown = self.list.count()
        if self._text:
            text = (_("The first {shown} matches; type more to narrow the list.").format(
                shown=shown) if self._more else _("{shown} found").format(shown=shown))
        else:
            text = _("Scroll for more, or type to search.") if self._more else ""
        self.count.setText(text)
        self.count.setVisible(bool(text))

    # -- choosing ------------------------------------------------------------------------------
    def _chosen(self) -> list[str]:
        return self._value.split() if self.multiple else ([self._value] if self._value else [])

    def _visible_items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

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
            if self.list.currentItem() is None:
                self.list.setCurrentItem(visible[0])

    def _on_current(self, item: QListWidgetItem | None, _previous) -> None:
        if self._loading or item is None:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        if code != self._value:
            self._value = code
            self._show_chosen()
            self._emit(code)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._loading:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        chosen = self._chosen()
        if item.checkState() == Qt.CheckState.Checked and code not in chosen:
            chosen.append(code)
        elif item.checkState() != Qt.CheckState.Checked and code in chosen:
            chosen.remove(code)
        self._value = " ".join(chosen)
        self._show_chosen()
        self._emit(self._value or None)

    def _show_value(self, value: str) -> None:
        self._value = value or ""
        chosen = set(self._chosen())
        was_loading, self._loading = self._loading, True
        try:
            if self.multiple:
                for item in self._visible_items():
                    state = (Qt.CheckState.Checked
                             if item.data(Qt.ItemDataRole.UserRole) in chosen
                             else Qt.CheckState.Unchecked)
                    if item.checkState() != state:
                        item.setCheckState(state)
            else:
                self.list.setCurrentItem(None)
                self.list.clearSelection()
                for item in self._visible_items():
                    if value and item.data(Qt.ItemDataRole.UserRole) == value:
                        self.list.setCurrentItem(item)
                        break
        finally:
            self._loading = was_loading
        self._show_chosen()

    def _show_chosen(self) -> None:
        """Under the list: what is chosen (also what the search no longer shows)."""
        codes = self._chosen()
        if not codes:
            self.chosen.setVisible(False)
            return
        missing = [c for c in codes if c not in self._labels]
        if missing and self._source is not None:
            self._labels.update(self._source.labels(missing))
        names = [self._labels.get(c, c) for c in codes]
        self.chosen.setText(_("Chosen: {names}").format(names="; ".join(names)))
        self.chosen.setVisible(True)

    def focus_chain(self) -> list[QWidget]:
        return [self.search, self.list]

    def enter_widgets(self) -> list[QWidget]:
        return [self.list]
