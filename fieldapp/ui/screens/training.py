"""Training classes: the list, and a class's page with its learners (enrolled by searching the
registry or added on the spot; team members for a class of members), attendance per date and
the progress grid (learners by skills), both filled with the keyboard alone, and a learner's
history across classes. Skills, levels, attendance and learner types come from the training
progress form (fieldapp.services.workflow_codes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QStackedWidget,
                               QTabWidget, QVBoxLayout, QWidget)

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import N_, _, ngettext
from fieldapp.i18n.text import nfc
from fieldapp.services.training import ClassRequest
from fieldapp.services.workflow_codes import MEMBER_LEARNER
from fieldapp.ui.columns import tip_items
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.screens.registry_dialogs import (FormDialog, PersonDialog, RemoveDialog,
                                                  select)
from fieldapp.ui.screens.session_log import PersonFinder
from fieldapp.ui.screens.training_grid import (ATTENDANCE_COLOURS, LEVEL_COLOURS, GridModel,
                                               GridView)
from fieldapp.ui.widgets import CurrentStack, EmptyState, Heading, MutedLabel, table_view
from fieldapp.ui.workflow_widgets import (CodeChecks, FieldMessages, date_edit, date_of, dmy,
                                          message_label, run_write, set_date)

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


class LearnersModel(RowTableModel):
    columns = (
        Column(lambda: _("Learner"), lambda r: r.get("learner_name") or ""),
        Column(lambda: _("Born"), lambda r: str(r.get("birth_year") or "")),
        Column(lambda: _("Village"), lambda r: r.get("village_name") or ""),
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
        self.trainer = QComboBox()
        self.trainer.setObjectName("trainer")
        self.trainer.addItem(_("(not given)"), None)
        for user in context.workspace.users():
            self.trainer.addItem(user["name"], user["id"])
        select(self.trainer, row.get("trainer_id") or context.workspace.current_user_id())
        self.place = QLineEdit(row.get("place") or "")
        self.place.setObjectName("class_place")
        self.village = QComboBox()
        self.village.setObjectName("class_village")
        self.village.addItem(_("(the whole commune)"), None)
        for village in context.workspace.villages():
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
        self.setMinimumWidth(760)

    def values(self) -> dict[str, Any]:
        return {"name": nfc(self.name.text()), "start_date": date_of(self.start),
                "end_date": date_of(self.end), "skills": self.skills.checked(),
                "learner_type": self.learner_type.currentData(),
                "trainer_id": self.trainer.currentData(), "place": nfc(self.place.text()),
                "village_id": self.village.currentData()}


class ClassPage(QWidget):
    """One class: learners, attendance, progress, a learner's history."""

    def __init__(self, screen: "TrainingScreen"):
        super().__init__(screen)
        self.screen = screen
        self.context = screen.context
        self.codes = self.context.workspace.codes()
        self.class_id: str | None = None
        self.sheet = None
        self.title = Heading(factor=1.3)
        self.summary = MutedLabel()
        self.summary.setObjectName("class_summary")
        self.back_button = QPushButton()
        self.back_button.setObjectName("back_to_classes")
        self.back_button.clicked.connect(screen.show_list)
        self.edit_button = QPushButton()
        self.edit_button.setObjectName("edit_class")
        self.edit_button.clicked.connect(lambda: screen.edit_class(self.class_id))
        self.tabs = QTabWidget()
        self.tabs.setObjectName("class_tabs")
        # learners
        self.finder = PersonFinder(self.context, "learner", households=False, parent=self)
        self.finder.picked.connect(lambda row, _kind: self.enrol(person_id=row["id"]))
        self.members = QListWidget()
        self.members.setObjectName("member_learners")
        tip_items(self.members)
        self.members.itemActivated.connect(
            lambda item: self.enrol(user_id=item.data(Qt.ItemDataRole.UserRole)))
        self.new_learner = QPushButton()
        self.new_learner.setObjectName("new_learner")
        self.new_learner.clicked.connect(lambda: self.add_new_learner())
        self.learners = LearnersModel(parent=self)
        self.learners_table = table_view()
        self.learners_table.setObjectName("learners_table")
        self.learners_table.setModel(self.learners)
        self.learners_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.learners_table.selectionModel().currentRowChanged.connect(self._on_learner)
        self.unenrol_button = QPushButton()
        self.unenrol_button.setObjectName("unenrol")
        self.unenrol_button.clicked.connect(self.unenrol_selected)
        self.history_title = Heading(factor=1.0)
        self.history = QLabel()
        self.history.setObjectName("learner_history")
        self.history.setWordWrap(True)
        self.history.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.enrol_message = message_label("learner", self)
        learners_tab = QWidget()
        left = QVBoxLayout()
        self.find_label = QLabel()
        left.addWidget(self.find_label)
        left.addWidget(self.finder, 1)
        left.addWidget(self.members, 1)
        left.addWidget(self.new_learner)
        left.addWidget(self.enrol_message)
        middle = QVBoxLayout()
        self.learners_label = QLabel()
        middle.addWidget(self.learners_label)
        middle.addWidget(self.learners_table, 1)
        middle.addWidget(self.unenrol_button)
        right = QVBoxLayout()
        right.addWidget(self.history_title)
        right.addWidget(self.history, 1)
        box = QHBoxLayout(learners_tab)
        box.addLayout(left, 4)
        box.addLayout(middle, 4)
        box.addLayout(right, 3)
        # attendance
        self.attendance = GridModel(self.codes.attendance,
                                    lambda code, _i: ATTENDANCE_COLOURS.get(code), self)
        self.attendance_grid = GridView(self.attendance)
        self.attendance_grid.setObjectName("attendance_grid")
        self.attendance_grid.chosen.connect(self._set_attendance)
        self.new_date = date_edit()
        self.new_date.setObjectName("attendance_date")
        self.add_date_button = QPushButton()
        self.add_date_button.setObjectName("add_attendance_date")
        self.add_date_button.clicked.connect(lambda: self.add_date(date_of(self.new_date)))
        self.attendance_help = MutedLabel()
        self.attendance_message = message_label("date", self)
        attendance_tab = QWidget()
        row = QHBoxLayout()
        self.date_label = QLabel()
        row.addWidget(self.date_label)
        row.addWidget(self.new_date)
        row.addWidget(self.add_date_button)
        row.addStretch(1)
        column = QVBoxLayout(attendance_tab)
        column.addLayout(row)
        column.addWidget(self.attendance_message)
        column.addWidget(self.attendance_grid, 1)
        column.addWidget(self.attendance_help)
        # progress
        self.progress = GridModel(self.codes.levels,
                                  lambda _code, i: LEVEL_COLOURS[i] if 0 <= i < 4 else None, self)
        self.progress.zero_based = True
        self.progress_grid = GridView(self.progress)
        self.progress_grid.setObjectName("progress_grid")
        self.progress_grid.chosen.connect(self._set_level)
        self.progress_help = MutedLabel()
        self.progress_message = message_label("level", self)
        progress_tab = QWidget()
        column = QVBoxLayout(progress_tab)
        column.addWidget(self.progress_grid, 1)
        column.addWidget(self.progress_message)
        column.addWidget(self.progress_help)
        self.tabs.addTab(learners_tab, "")
        self.tabs.addTab(attendance_tab, "")
        self.tabs.addTab(progress_tab, "")
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.title, 1)
        top.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 10)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self.retranslate()

    # -- showing -------------------------------------------------------------------------------
    def open(self, class_id: str) -> None:
        self.class_id = class_id
        self.reload()

    def reload(self) -> None:
        sheet = self.context.workspace.training.sheet(self.class_id) if self.class_id else None
        self.sheet = sheet
        if sheet is None:
            return
        row = sheet.row
        member_class = row["learner_type"] == MEMBER_LEARNER
        self.title.setText(row["name"])
        parts = [_("{first} – {last}").format(first=dmy(row["start_date"]),
                                              last=dmy(row["end_date"])),
                 self.codes.label_of(self.codes.learner_types, row["learner_type"])]
        if row.get("trainer_name"):
            parts.append(_("trainer {name}").format(name=row["trainer_name"]))
        if row.get("place"):
            parts.append(row["place"])
        if row.get("village_name"):
            parts.append(row["village_name"])
        self.summary.setText("  ·  ".join(parts))
        self.finder.setVisible(not member_class)
        self.new_learner.setVisible(not member_class)
        self.members.setVisible(member_class)
        self.find_label.setText(_("Enrol a team member: double-click or Enter") if member_class
                                else _("Enrol: search the registry, Enter adds"))
        if member_class:
            self._fill_members(sheet)
        else:
            self.finder.set_village(row.get("village_id"))
        places = [(grid, grid.currentIndex()) for grid in (self.attendance_grid,
                                                           self.progress_grid)]
        places = [(grid, (i.row(), i.column())) for grid, i in places if i.isValid()]
        selected = self.selected_learner()
        self.learners.set_rows(sheet.learners)
        self.learners_label.setText(ngettext("{count} learner", "{count} learners",
                                             len(sheet.learners)).format(
            count=fmt_int(len(sheet.learners))))
        self.attendance.set_grid(sheet.learners, sheet.dates, [dmy(d) for d in sheet.dates],
                                 sheet.attendance)
        skills = [s for s in self.codes.skills if s.code in sheet.skills]
        self.progress.set_grid(sheet.learners, [s.code for s in skills],
                               [s.short() for s in skills], sheet.levels,
                               [s.label() for s in skills])
        # A reload (data changed) keeps each grid's cursor and the learner selected.
        for grid, (row, column) in places:
            model = grid.grid
            if row < model.rowCount() and column < model.columnCount():
                grid.setCurrentIndex(model.index(row, column))
        if not self.attendance_grid.currentIndex().isValid() and sheet.learners and sheet.dates:
            self.attendance_grid.setCurrentIndex(self.attendance.index(0, 0))
        if not self.progress_grid.currentIndex().isValid() and sheet.learners and skills:
            self.progress_grid.setCurrentIndex(self.progress.index(0, 0))
        if selected is not None:
            found = next((i for i, r in enumerate(sheet.learners)
                          if r["id"] == selected["id"]), None)
            if found is not None:
                self.learners_table.setCurrentIndex(self.learners.index(found, 0))

    def _fill_members(self, sheet) -> None:
        enrolled = {e["user_id"] for e in sheet.learners if e.get("user_id")}
        self.members.clear()
        for user in self.context.workspace.users():
            if user["id"] in enrolled:
                continue
            item = QListWidgetItem(user["name"])
            item.setData(Qt.ItemDataRole.UserRole, user["id"])
            self.members.addItem(item)

    # -- learners ------------------------------------------------------------------------------
    def enrol(self, *, person_id: str | None = None, user_id: str | None = None) -> Any:
        class_id = self.class_id
        messages = FieldMessages({"learner": self.enrol_message}, self.enrol_message)
        result = run_write(self.context, lambda ws: ws.training.enrol(
            class_id, person_id=person_id, user_id=user_id), messages)
        if result is not None:
            self.reload()
            self.finder.current().search.selectAll()
        return result

    def add_new_learner(self, *, show: bool = True) -> PersonDialog:
        class_id = self.class_id

        def submit(values, messages):
            details = {k: v for k, v in values.items() if v not in (None, "")}
            village = self.finder.village_id or (self.context.workspace.villages()[0]["id"]
                                                 if self.context.workspace.villages() else None)
            result = run_write(self.context, lambda ws: ws.training.enrol(
                class_id, new_person=details, village_id=village), messages)
            if result is not None:
                self.reload()
            return result

        dialog = PersonDialog(_("A new learner"), submit, relation=False, parent=self)
        dialog.intro.setText(_("Added to the registry as the head of a new household of the "
                               "class's village."))
        dialog.intro.setVisible(True)
        if show:
            dialog.open()
        return dialog

    def selected_learner(self) -> dict[str, Any] | None:
        index = self.learners_table.currentIndex()
        return index.data(RowRole) if index.isValid() else None

    def unenrol_selected(self) -> None:
        learner = self.selected_learner()
        if learner:
            run_write(self.context, lambda ws: ws.training.unenrol(learner["id"]))
            self.reload()

    def _on_learner(self, current: QModelIndex, _previous: QModelIndex) -> None:
        learner = current.data(RowRole) if current.isValid() else None
        self.show_history(learner)

    def show_history(self, learner: dict[str, Any] | None) -> None:
        if learner is None:
            self.history_title.setText("")
            self.history.setText(_("Select a learner to see every class they took."))
            return
        classes = self.context.workspace.training.history(
            person_id=learner.get("person_id"), user_id=learner.get("user_id"))
        self.history_title.setText(_("{name}: classes").format(name=learner["learner_name"]))
        lines = []
        for klass in classes:
            order = {s.code: i for i, s in enumerate(self.codes.skills)}
            levels = ", ".join(f"{skill.upper()} {self.codes.label_of(self.codes.levels, lvl)}"
                               for skill, lvl in sorted(klass["levels"].items(),
                                                        key=lambda kv: order.get(kv[0], 99)))
            lines.append(_("{name} ({first}): present {present} of {days} days").format(
                name=klass["name"], first=dmy(klass["start_date"]),
                present=klass["days_present"], days=klass["days_recorded"]))
            if levels:
                lines.append("   " + levels)
        self.history.setText("\n".join(lines) or _("No class yet."))

    # -- attendance and progress ---------------------------------------------------------------
    def add_date(self, day: dt.date) -> bool:
        """A new attendance date (checked against the class's dates); learners start
        unmarked."""
        messages = FieldMessages({"date": self.attendance_message}, self.attendance_message)
        messages.clear()
        try:
            text = self.context.workspace.training.check_date(self.class_id, day)
        except UserError as error:
            messages.show(error)
            return False
        if text not in self.attendance.columns:
            dates = sorted([*self.attendance.columns, text])
            self.attendance.set_grid(self.attendance.learners, dates, [dmy(d) for d in dates],
                                     self.attendance.values)
        column = self.attendance.columns.index(text)
        if self.attendance.learners:
            self.attendance_grid.setCurrentIndex(self.attendance.index(0, column))
        self.attendance_grid.setFocus()
        return True

    def _set_attendance(self, row: int, column: int, code: str | None) -> None:
        learner = self.attendance.learners[row]["id"]
        day = self.attendance.columns[column]
        class_id = self.class_id
        messages = FieldMessages({}, self.attendance_message)
        if run_write(self.context, lambda ws: ws.training.set_attendance(
                class_id, day, {learner: code}), messages) is not None:
            self.attendance.set_code(row, column, code)

    def _set_level(self, row: int, column: int, code: str | None) -> None:
        learner = self.progress.learners[row]["id"]
        skill = self.progress.columns[column]
        class_id = self.class_id
        messages = FieldMessages({}, self.progress_message)
        if run_write(self.context, lambda ws: ws.training.set_level(
                class_id, learner, skill, code), messages) is not None:
            self.progress.set_code(row, column, code)

    def retranslate(self) -> None:
        self.back_button.setText(_("‹ Classes"))
        self.edit_button.setText(_("Edit the class…"))
        self.tabs.setTabText(0, _("Learners"))
        self.tabs.setTabText(1, _("Attendance"))
        self.tabs.setTabText(2, _("Progress"))
        self.find_label.setText(_("Enrol: search the registry, Enter adds"))
        self.new_learner.setText(_("New learner…"))
        self.unenrol_button.setText(_("Take out of the class"))
        self.date_label.setText(_("Date of a class day:"))
        self.add_date_button.setText(_("Add the date"))
        levels = ", ".join(f"{i} {c.label()}" for i, c in enumerate(self.codes.levels))
        marks = ", ".join(c.label() for c in self.codes.attendance)
        self.attendance_help.setText(_("Arrow keys move; type the first letter of {marks} "
                                       "(or 1, 2, 3); Space steps to the next, Delete "
                                       "clears.").format(marks=marks))
        self.progress_help.setText(_("Arrow keys move; type {levels} (or the first letter); "
                                     "Space steps to the next level, Delete clears.").format(
            levels=levels))
        self.finder.retranslate()
        self.learners.retranslate()
        if self.sheet is not None:
            self.show_history(self.selected_learner())


class TrainingScreen(QWidget):
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

