"""Sync, "Conflicts" and "Duplicates": what waits for a person after packages were imported."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (QButtonGroup, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QRadioButton, QSplitter, QVBoxLayout, QWidget)

from fieldapp.core import codes
from fieldapp.i18n.catalog import _
from fieldapp.ui import tasks
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import code_label, fmt_int, stored_time
from fieldapp.ui.labels import property_label
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.widgets import EmptyState, MutedLabel, table_view

_FIELDS = {
    "head_name": lambda: _("Head of household"), "full_name": lambda: _("Name"),
    "phone": lambda: _("Phone"), "poor_status": lambda: _("Poverty status"),
    "ethnicity": lambda: _("Ethnicity"), "village_id": lambda: _("Village"),
    "birth_year": lambda: _("Year of birth"), "sex": lambda: _("Sex"),
    "relation": lambda: _("Relation"), "deleted": lambda: _("Deleted or kept"),
    "name": lambda: _("Name"), "role": lambda: _("Role"),
}


def field_label(field: str) -> str:
    if field in _FIELDS:
        return _FIELDS[field]()
    if field.startswith("properties."):
        return property_label(field.split(".", 1)[1])
    if field.startswith("answers/"):
        question = field.rsplit("/", 1)[-1].split("@", 1)[0]
        return _("Answer “{question}”").format(question=question)
    return field


def value_text(field: str, value: Any) -> str:
    if value is None or value == "":
        return _("(empty)")
    if field == "deleted":
        return _("Deleted") if value in (1, "1") else _("Kept")
    if field == "poor_status":
        return code_label(codes.POOR_STATUS, value)
    if field == "ethnicity":
        return code_label(codes.ETHNICITIES, value)
    return str(value)


class ConflictModel(RowTableModel):
    columns = (
        Column(lambda: _("Record"), lambda r: r["conflict"].label),
        Column(lambda: _("Field"), lambda r: field_label(r["conflict"].field)),
        Column(lambda: _("Values"), lambda r: " / ".join(
            value_text(r["conflict"].field, v.value) for v in r["conflict"].values)),
    )


class ConflictsTab(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.hint = MutedLabel()
        self.model = ConflictModel(parent=self)
        self.table = table_view()
        self.table.setObjectName("conflicts")
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(self._show)
        self.empty = EmptyState()
        self.detail = QGroupBox()
        self.choices = QVBoxLayout()
        self.group = QButtonGroup(self)
        self.keep = QPushButton()
        self.keep.setObjectName("keep_value")
        self.keep.clicked.connect(self.keep_chosen)
        detail = QVBoxLayout(self.detail)
        detail.addLayout(self.choices)
        detail.addWidget(self.keep)
        detail.addStretch(1)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)
        layout.addWidget(self.empty, 1)
        self.retranslate()

    def refresh(self) -> None:
        self.context.reader.request("sync_conflicts", lambda ws: ws.sync.conflicts(),
                                    self._loaded)

    def _loaded(self, conflicts: list) -> None:
        self.model.set_rows([{"conflict": c} for c in conflicts])
        has = bool(conflicts)
        self.table.parentWidget().setVisible(has)
        self.empty.setVisible(not has)
        if has:
            self.table.selectRow(0)
        else:
            self._show_none()

    def _show_none(self) -> None:
        while self.choices.count():
            item = self.choices.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.keep.setEnabled(False)

    def _show(self, current, _previous=None) -> None:
        self._show_none()
        row = current.data(RowRole) if current.isValid() else None
        if row is None:
            return
        conflict = row["conflict"]
        self.detail.setTitle(_("{field} of {record}").format(
            field=field_label(conflict.field), record=conflict.label))
        for number, value in enumerate(conflict.values):
            text = _("{value} — from {device}, {when}").format(
                value=value_text(conflict.field, value.value), device=value.device_name,
                when=stored_time(value.when))
            if value.winner:
                text += " " + _("(shown now)")
            button = QRadioButton(text)
            button.setObjectName(f"conflict_value_{number}")
            button.setProperty("stamp", value.stamp)
            button.setChecked(value.winner)
            self.group.addButton(button)
            self.choices.addWidget(button)
        self.keep.setEnabled(True)

    def current(self):
        index = self.table.currentIndex()
        row = index.data(RowRole) if index.isValid() else None
        return row["conflict"] if row else None

    def keep_chosen(self) -> None:
        conflict = self.current()
        button = self.group.checkedButton()
        if conflict is None or button is None:
            return
        stamp = button.property("stamp")
        self.context.writer.write(lambda ws: ws.sync.resolve(conflict, stamp),
                                  lambda _r: self._done(), lambda e: tasks.show_failure(self, e))

    def _done(self) -> None:
        self.refresh()

    def retranslate(self) -> None:
        self.hint.setText(_("Two laptops changed the same value without seeing each other's "
                            "change. The newest value is shown meanwhile; choose the right one. "
                            "Your choice is sent to every laptop."))
        self.empty.setText(_("No conflicts: every value agrees."))
        self.detail.setTitle(_("Values"))
        self.keep.setText(_("Keep the chosen value"))
        self.model.retranslate()
        self.refresh()


class DuplicateModel(RowTableModel):
    columns = (
        Column(lambda: _("Household"), lambda r: r["pair"].first["head_name"]),
        Column(lambda: _("Household"), lambda r: r["pair"].second["head_name"]),
        Column(lambda: _("Members in both"), lambda r: fmt_int(r["pair"].shared_members),
               align_right=True),
    )


class DuplicatesTab(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.hint = MutedLabel()
        self.model = DuplicateModel(parent=self)
        self.table = table_view()
        self.table.setObjectName("duplicates")
        self.table.setModel(self.model)
        self.table.selectionModel().currentRowChanged.connect(self._show)
        self.empty = EmptyState()
        self.sides = QGridLayout()
        self.left, self.right = QLabel(), QLabel()
        for label in (self.left, self.right):
            label.setWordWrap(True)
            label.setTextFormat(label.textFormat().PlainText)
            label.setAlignment(label.alignment().AlignTop | label.alignment().AlignLeft)
        self.sides.addWidget(self.left, 0, 0)
        self.sides.addWidget(self.right, 0, 1)
        self.keep_left = QPushButton()
        self.keep_left.setObjectName("merge_keep_first")
        self.keep_left.clicked.connect(lambda: self.merge(first_survives=True))
        self.keep_right = QPushButton()
        self.keep_right.setObjectName("merge_keep_second")
        self.keep_right.clicked.connect(lambda: self.merge(first_survives=False))
        self.both = QPushButton()
        self.both.setObjectName("keep_both")
        self.both.clicked.connect(self.keep_both)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_left)
        buttons.addWidget(self.keep_right)
        buttons.addWidget(self.both)
        self.detail = QGroupBox()
        detail = QVBoxLayout(self.detail)
        detail.addLayout(self.sides)
        detail.addLayout(buttons)
        detail.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail, 1)
        layout.addWidget(self.empty, 1)
        self.members: dict[str, list] = {}
        self.retranslate()

    def refresh(self) -> None:
        def read(ws):
            pairs = ws.sync.duplicates()
            members = {}
            for pair in pairs:
                for household in (pair.first, pair.second):
                    members[household["id"]] = ws.sync.members_of(household["id"])
            return pairs, members

        self.context.reader.request("sync_duplicates", read, self._loaded)

    def _loaded(self, result) -> None:
        pairs, self.members = result
        self.model.set_rows([{"pair": p} for p in pairs])
        for widget in (self.table, self.detail):
            widget.setVisible(bool(pairs))
        self.empty.setVisible(not pairs)
        if pairs:
            self.table.selectRow(0)

    def _describe(self, household: dict[str, Any]) -> str:
        lines = [household["head_name"]]
        if household.get("phone"):
            lines.append(_("Phone: {phone}").format(phone=household["phone"]))
        lines.append(_("Surveyed on {device}, {when}").format(
            device=household["device_id"][:8], when=stored_time(household["created_at"])))
        lines.append("")
        for person in self.members.get(household["id"], []):
            year = person.get("birth_year")
            lines.append(f"• {person['full_name']}" + (f" ({year})" if year else ""))
        return "\n".join(lines)

    def current(self):
        index = self.table.currentIndex()
        row = index.data(RowRole) if index.isValid() else None
        return row["pair"] if row else None

    def _show(self, current, _previous=None) -> None:
        pair = self.current()
        if pair is None:
            return
        self.left.setText(self._describe(pair.first))
        self.right.setText(self._describe(pair.second))

    def merge(self, *, first_survives: bool) -> None:
        pair = self.current()
        if pair is None:
            return
        survivor, absorbed = ((pair.first, pair.second) if first_survives
                              else (pair.second, pair.first))
        self.context.writer.write(lambda ws: ws.sync.merge(survivor["id"], absorbed["id"]),
                                  lambda _r: self._done(), lambda e: tasks.show_failure(self, e))

    def keep_both(self) -> None:
        pair = self.current()
        if pair is None:
            return
        self.context.writer.write(lambda ws: ws.sync.keep_both(pair.first["id"],
                                                               pair.second["id"]),
                                  lambda _r: self._done(), lambda e: tasks.show_failure(self, e))

    def _done(self) -> None:
        self.refresh()

    def retranslate(self) -> None:
        self.hint.setText(_("Households of one village whose heads' names are alike and whose "
                            "members overlap: probably one family surveyed twice. Merging keeps "
                            "one household and moves the other's members and surveys to it."))
        self.empty.setText(_("No probable duplicate households."))
        self.detail.setTitle(_("Side by side"))
        self.keep_left.setText(_("Merge, keep the left one"))
        self.keep_right.setText(_("Merge, keep the right one"))
        self.both.setText(_("Keep both (two families)"))
        self.model.retranslate()
        self.refresh()


__all__ = ["ConflictsTab", "DuplicatesTab", "field_label", "json"]
