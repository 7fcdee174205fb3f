"""A training class's page: its learners (enrolled by searching the registry or added on the
spot; team members for a class of members), attendance per date and the progress grid, both
filled with the keyboard alone, with a question before a saved day or skill is changed and
Ctrl+Z for the last change, and a learner's history across classes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QTabWidget, QVBoxLayout, QWidget)

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _, ngettext
from fieldapp.services.workflow_codes import MEMBER_LEARNER
from fieldapp.ui.columns import tip_items
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.screens.registry_dialogs import PersonDialog
from fieldapp.ui.screens.session_log import PersonFinder
from fieldapp.ui.screens.training_grid import (ATTENDANCE_COLOURS, LEVEL_COLOURS, GridModel,
                                               GridView)
from fieldapp.ui.widgets import Heading, MutedLabel, table_view
from fieldapp.ui.workflow_widgets import (FieldMessages, date_edit, date_of, dmy, message_label,
                                          run_write, set_date)


class LearnersModel(RowTableModel):
    columns = (
        Column(lambda: _("Learner"), lambda r: r.get("learner_name") or ""),
        Column(lambda: _("Born"), lambda r: str(r.get("birth_year") or "")),
        Column(lambda: _("Village"), lambda r: r.get("village_name") or ""),
    )


class ClassPage(QWidget):
    """One class: learners, attendance, progress, a learner's history."""

    def __init__(self, screen: QWidget):
        """``screen``: the training screen (fieldapp.ui.screens.training), whose list the
        page goes back to and whose dialogs edit the class."""
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
        self.undo_buttons = []
        attendance_tab = QWidget()
        row = QHBoxLayout()
        self.date_label = QLabel()
        row.addWidget(self.date_label)
        row.addWidget(self.new_date)
        row.addWidget(self.add_date_button)
        row.addStretch(1)
        row.addWidget(self._undo_button("undo_attendance"))
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
        undo_row = QHBoxLayout()
        undo_row.addStretch(1)
        undo_row.addWidget(self._undo_button("undo_progress"))
        column.addLayout(undo_row)
        column.addWidget(self.progress_grid, 1)
        column.addWidget(self.progress_message)
        column.addWidget(self.progress_help)
        self.tabs.addTab(learners_tab, "")
        self.tabs.addTab(attendance_tab, "")
        self.tabs.addTab(progress_tab, "")
        # Grid changes, newest last, for Ctrl+Z: (grid, learner, column, value before).
        self.changes: list[tuple[GridModel, str, str, str | None]] = []
        self._confirmed: set[tuple[int, str]] = set()  # (grid, column) changed over saved
        undo = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo)
        self._update_undo()
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
        if class_id != self.class_id:
            self.changes.clear()
            self._confirmed.clear()
        self.class_id = class_id
        self.reload()
        first, last, default = self.context.workspace.training.attendance_range(class_id)
        self.new_date.setDateRange(QDate(first.year, first.month, first.day),
                                   QDate(last.year, last.month, last.day))
        set_date(self.new_date, default)
        self._update_undo()

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
            villages = self.context.villages()
            village = self.finder.village_id or (villages[0]["id"] if villages else None)
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
        self._change(self.attendance, row, column, code)

    def _set_level(self, row: int, column: int, code: str | None) -> None:
        self._change(self.progress, row, column, code)

    def _change(self, grid: GridModel, row: int, column: int, code: str | None) -> bool:
        """Store a value typed in a grid: over a value already saved, ask first (once per
        day or skill while the class is open); Ctrl+Z takes it back."""
        before = grid.code_at(row, column)
        if before == code:
            return True
        place = (id(grid), grid.columns[column])
        if before is not None and place not in self._confirmed:
            if not self.confirm_overwrite(grid, column):
                return False
            self._confirmed.add(place)
        learner = grid.learners[row]["id"]
        if not self._store(grid, learner, grid.columns[column], code):
            return False
        self.changes.append((grid, learner, grid.columns[column], before))
        self._update_undo()
        return True

    def _store(self, grid: GridModel, learner: str, key: str, code: str | None) -> bool:
        class_id = self.class_id
        if grid is self.attendance:
            messages = FieldMessages({}, self.attendance_message)
            done = run_write(self.context, lambda ws: ws.training.set_attendance(
                class_id, key, {learner: code}), messages)
        else:
            messages = FieldMessages({}, self.progress_message)
            done = run_write(self.context, lambda ws: ws.training.set_level(
                class_id, learner, key, code), messages)
        if done is None:
            return False
        row = next(i for i, r in enumerate(grid.learners) if r["id"] == learner)
        grid.set_code(row, grid.columns.index(key), code)
        return True

    def confirm_overwrite(self, grid: GridModel, column: int) -> bool:
        """Ask before changing what was saved for a day (or a skill); a method, so tests
        can answer it."""
        from PySide6.QtWidgets import QMessageBox

        from fieldapp.ui.start import message_box

        if grid is self.attendance:
            text = _("The attendance of {date} is already saved. Change it? (Ctrl+Z takes "
                     "a change back.)").format(date=grid.headers[column])
        else:
            text = _("Levels of {skill} are already saved. Change them? (Ctrl+Z takes a "
                     "change back.)").format(skill=grid.tips[column])
        answer = message_box(self, QMessageBox.Icon.Question, _("Change what was saved?"),
                             text, QMessageBox.StandardButton.Yes
                             | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def undo(self) -> bool:
        """Take back the last change made in a grid (Ctrl+Z); False when there is none."""
        if not self.changes:
            return False
        grid, learner, key, before = self.changes[-1]
        if key not in grid.columns or not any(r["id"] == learner for r in grid.learners):
            self.changes.pop()  # the learner left the class, the date or skill is gone
            self._update_undo()
            return False
        if not self._store(grid, learner, key, before):
            return False
        self.changes.pop()
        view = self.attendance_grid if grid is self.attendance else self.progress_grid
        row = next(i for i, r in enumerate(grid.learners) if r["id"] == learner)
        view.setCurrentIndex(grid.index(row, grid.columns.index(key)))
        self.tabs.setCurrentIndex(1 if grid is self.attendance else 2)
        self._update_undo()
        return True

    def _undo_button(self, name: str) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        button.clicked.connect(self.undo)
        self.undo_buttons.append(button)
        return button

    def _update_undo(self) -> None:
        for button in self.undo_buttons:
            button.setEnabled(bool(self.changes))

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
        for button in self.undo_buttons:
            button.setText(_("Undo the last change"))
            button.setToolTip(_("Take back the last change made in a grid (Ctrl+Z)"))
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
