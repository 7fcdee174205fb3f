"""Training classes: the list, and a class's page with its learners (enrolled by searching the
registry or added on the spot; team members for a class of members), attendance per date and
the progress grid (learners by skills), both filled with the keyboard alone, and a learner's
history across classes. Skills, levels, attendance and learner types come from the training
progress form (fieldapp.services.workflow_codes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLineEdit, QPushButton,
                               QStackedWidget, QVBoxLayout, QWidget)

from fieldapp.i18n.catalog import N_, _
from fieldapp.i18n.text import nfc
from fieldapp.services.guards import class_removal_refused
from fieldapp.services.training import ClassRequest
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.screens.registry_dialogs import FormDialog, RemoveDialog, select
from fieldapp.ui.screens.training_class import ClassPage
from fieldapp.ui.widgets import (CurrentStack, EmptyState, Heading, names_combo, prefer_width,
                                 table_view)
from fieldapp.ui.workflow_widgets import CodeChecks, date_edit, date_of, dmy, run_write, set_date

CLASS_REASONS = {"entered by mistake": N_("Entered by mistake"),
                 "cancelled": N_("The class did not take place")}


class ClassesModel(RowTableModel):
    def __init__(self, codes, parent=None):
        super().__init__((), parent)
        self.codes = codes
        self.columns = (
            Column(lambda: _("Class"), lambda r: r.get("name") or ""),
            Column(lambda: _("Dates"), lambda r: _("{first} – {last}").format(
                first=dmy(r.get("start_date")), last=dmy(r.get("end_date")))),
            Column(lambda: _("Learners"), lambda r: fmt_int(r.get("learner_count")),
                   align_right=True),
            Column(lambda: _("Learner type"),
                   lambda r: self.codes.label_of(self.codes.learner_types,
                                                 r.get("learner_type"))),
            Column(lambda: _("Skills"), lambda r: ", ".join(
                s.upper() for s in (r.get("skills") or "").split())),
            Column(lambda: _("Trainer"), lambda r: r.get("trainer_name") or ""),
        )


class ClassDialog(FormDialog):
    """A class: name, dates, skills taught, learner type, trainer, place, village."""

    def __init__(self, context, submit, row: dict[str, Any] | None = None, parent=None):
        super().__init__(_("Edit the class") if row else _("A new class"), submit, parent)
        codes = context.workspace.codes()
        row = row or {}
        self.name = QLineEdit(row.get("name") or "")
        self.name.setObjectName("class_name")
        self.start = date_edit()
        self.start.setObjectName("class_start")
        self.end = date_edit()
        self.end.setObjectName("class_end")
        set_date(self.start, row.get("start_date") or dt.date.today())
        set_date(self.end, row.get("end_date") or dt.date.today())
        self.learner_type = QComboBox()
        self.learner_type.setObjectName("learner_type")
        for code in codes.learner_types:
            self.learner_type.addItem(code.label(), code.code)
        select(self.learner_type, row.get("learner_type"))
        self.skills = CodeChecks("class_skills", columns=2)
        self.skills.set_codes(codes.skills)
        self.skills.set_checked((row.get("skills") or "").split())
        self.trainer = names_combo("trainer")
        self.trainer.addItem(_("(not given)"), None)
        for user in context.workspace.users():
            self.trainer.addItem(user["name"], user["id"])
        select(self.trainer, row.get("trainer_id") or context.workspace.current_user_id())
        self.place = QLineEdit(row.get("place") or "")
        self.place.setObjectName("class_place")
        self.village = names_combo("class_village")
        self.village.addItem(_("(the whole commune)"), None)
        for village in context.villages():
            self.village.addItem(village["name"], village["id"])
        select(self.village, row.get("village_id"))
        self.add_row(_("Name"), self.name, "name")
        self.add_row(_("First day"), self.start, "start_date")
        self.add_row(_("Last day"), self.end, "end_date")
        self.add_row(_("Learners are"), self.learner_type, "learner_type")
        self.add_row(_("Skills taught"), self.skills, "skills")
        self.add_row(_("Trainer"), self.trainer, "trainer_id")
        self.add_row(_("Place"), self.place, "place")
        self.add_row(_("Village"), self.village, "village_id")
        prefer_width(self, 760)

    def values(self) -> dict[str, Any]:
        return {"name": nfc(self.name.text()), "start_date": date_of(self.start),
                "end_date": date_of(self.end), "skills": self.skills.checked(),
                "learner_type": self.learner_type.currentData(),
                "trainer_id": self.trainer.currentData(), "place": nfc(self.place.text()),
                "village_id": self.village.currentData()}


class TrainingScreen(QWidget):
    shows = frozenset({"classes", "enrolments", "attendance", "progress", "persons", "users"})
    """The kinds of records it shows (classes, learners, attendance and progress): ``data_changed``
    refreshes it when they change."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.codes = context.workspace.codes()
        self.stack = CurrentStack(self)
        self.list_page = QWidget()
        self.heading = Heading(factor=1.4)
        self.new_button = QPushButton()
        self.new_button.setObjectName("new_class")
        self.new_button.clicked.connect(lambda: self.new_class())
        self.model = ClassesModel(self.codes, self)
        self.table = table_view()
        self.table.setObjectName("classes_table")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        for column in range(1, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(self._open_index)
        self.table.selectionModel().currentChanged.connect(self._offer_removal)
        self.table.activated.connect(self._open_index)
        self.open_button = QPushButton()
        self.open_button.setObjectName("open_class")
        self.open_button.clicked.connect(lambda: self._open_index(self.table.currentIndex()))
        self.remove_button = QPushButton()
        self.remove_button.setObjectName("remove_class")
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        self.empty = EmptyState()
        self.results = QStackedWidget()
        self.results.addWidget(self.table)
        self.results.addWidget(self.empty)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.new_button)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        page = QVBoxLayout(self.list_page)
        page.setContentsMargins(20, 14, 20, 10)
        page.addLayout(top)
        page.addWidget(self.results, 1)
        page.addLayout(actions)
        self.page = ClassPage(self)
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.retranslate()
        self.refresh()

    def refresh(self, *_args) -> None:
        self.context.reader.request("classes", lambda ws: ws.training.classes(), self._show)
        if self.stack.currentWidget() is self.page and self.page.class_id:
            self.page.reload()

    def _show(self, rows) -> None:
        self.model.set_rows(rows)
        self.results.setCurrentWidget(self.table if rows else self.empty)
        if rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)
        self._offer_removal()

    def _offer_removal(self, *_args) -> None:
        """Remove… where the service allows it (a member: the classes of their village), the
        reason in its tooltip where not."""
        index = self.table.currentIndex()
        row = index.data(RowRole) if index.isValid() else None
        why = class_removal_refused(self.context.workspace.access, row.get("village_id")) \
            if row is not None else None
        self.remove_button.setEnabled(row is not None and why is None)
        self.remove_button.setToolTip(why or "")

    def _open_index(self, index: QModelIndex) -> None:
        row = index.data(RowRole) if index.isValid() else None
        if row is not None:
            self.open_class(row["id"])

    def open_class(self, class_id: str) -> ClassPage:
        self.page.open(class_id)
        self.stack.setCurrentWidget(self.page)
        return self.page

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_page)
        self.refresh()

    def new_class(self, *, show: bool = True) -> ClassDialog:
        def submit(values, messages):
            request = ClassRequest(**values)
            return run_write(self.context, lambda ws: ws.training.save_class(request), messages,
                             on_done=self.open_class)

        dialog = ClassDialog(self.context, submit, parent=self)
        if show:
            dialog.open()
        return dialog

    def edit_class(self, class_id: str | None, *, show: bool = True) -> ClassDialog | None:
        if not class_id:
            return None
        row = self.context.workspace.training.sheet(class_id).row

        def submit(values, messages):
            request = ClassRequest(**values, class_id=class_id)
            return run_write(self.context, lambda ws: ws.training.save_class(request), messages,
                             on_done=lambda _r: self.page.reload())

        dialog = ClassDialog(self.context, submit, row, parent=self)
        if show:
            dialog.open()
        return dialog

    def remove_selected(self, *, show: bool = True) -> RemoveDialog | None:
        index = self.table.currentIndex()
        row = index.data(RowRole) if index.isValid() else None
        if row is None:
            return None

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.training.remove_class(
                row["id"], values["reason"]), messages, on_done=lambda _r: self.refresh())

        dialog = RemoveDialog(_("Remove the class"), submit, CLASS_REASONS, self)
        if show:
            dialog.open()
        return dialog

    def retranslate(self) -> None:
        self.heading.setText(_("Training classes"))
        self.new_button.setText(_("New class…"))
        self.open_button.setText(_("Open"))
        self.remove_button.setText(_("Remove…"))
        self.empty.setText(_("No class yet. A class teaches some skills of the checklist "
                             "(S1–S12, M1–M2) to citizens, team members or commune "
                             "officials."))
        self.model.retranslate()
        self.page.retranslate()

