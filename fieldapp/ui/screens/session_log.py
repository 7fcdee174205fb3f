"""The quick log of a support session: in under a minute, a member records the day, the
village, who of the team was there (the current user ticked), what was done, each person
helped (searched by name, or added on the spot) with what they achieved, and when to come
back. Codes and labels are the support session form's (fieldapp.services.workflow_codes).
Refusals appear beside their field; nothing is saved half-way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget, QFrame)

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc
from fieldapp.services.sessions import Helped, SessionRequest
from fieldapp.ui.columns import tip_items
from fieldapp.ui.models import Column, PagedTableModel
from fieldapp.ui.screens.registry_dialogs import PersonDialog, village_combo, select
from fieldapp.ui.widgets import Heading, MutedLabel, set_placeholder
from fieldapp.ui.workflow_widgets import (
    CodeChecks, FieldMessages, PlanList, date_edit, date_of, message_label, run_write,
    set_date)


PERSONS, HOUSEHOLDS = "persons", "households"  # what the finder searches


class PersonsModel(PagedTableModel):
    """Persons found (rows of Registry.person_page)."""

    columns = (
        Column(lambda: _("Name"), lambda r: r.get("full_name") or ""),
        Column(lambda: _("Born"), lambda r: str(r.get("birth_year") or "")),
        Column(lambda: _("Household of"), lambda r: r.get("head_name") or ""),
        Column(lambda: _("Village"), lambda r: r.get("village_name") or ""),
    )


class HouseholdsFound(PagedTableModel):
    columns = (
        Column(lambda: _("Head of household"), lambda r: r.get("head_name") or ""),
        Column(lambda: _("Village"), lambda r: r.get("village_name") or ""),
        Column(lambda: _("Members"), lambda r: str(r.get("member_count") or "")),
    )


class PersonFinder(QWidget):
    """Search persons (or households) of the registry; ``picked(row, kind)`` on Enter or a
    double click. ``village_id`` narrows the search to a village (None: every village)."""

    picked = Signal(dict, str)

    def __init__(self, context, key: str, *, households: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.village_id: str | None = None
        self.kind = QComboBox()
        self.kind.setObjectName(f"{key}_kind")
        self.kind.addItem("", PERSONS)
        if households:
            self.kind.addItem("", HOUSEHOLDS)
        self.kind.setVisible(households)
        self.persons = PlanList(context, f"{key}_persons", PersonsModel(self), self._plan_persons,
                                lambda ws, plan, o, n: ws.registry.person_page(plan, o, n), self,
                                search_name=f"{key}_search")
        self.households = PlanList(context, f"{key}_households", HouseholdsFound(self),
                                   self._plan_households,
                                   lambda ws, plan, o, n: ws.registry.page(plan, o, n), self,
                                   search_name=f"{key}_household_search")
        for found in (self.persons, self.households):
            found.table.fit.keep = {0}  # the name gives way last in a narrow picker
        self.persons.picked.connect(lambda row: self.picked.emit(row, "persons"))
        self.households.picked.connect(lambda row: self.picked.emit(row, "households"))
        self.households.hide()
        self.kind.currentIndexChanged.connect(self._on_kind)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        layout.addWidget(self.persons, 1)
        layout.addWidget(self.households, 1)
        self.retranslate()

    def _plan_persons(self, ws, text: str):
        return ws.registry.person_plan(text, village_id=self.village_id)

    def _plan_households(self, ws, text: str):
        return ws.registry.plan(text, ws.registry.filter(village_id=self.village_id))

    def current(self) -> PlanList:
        return self.households if self.kind.currentData() == "households" else self.persons

    def _on_kind(self) -> None:
        households = self.kind.currentData() == "households"
        self.households.setVisible(households)
        self.persons.setVisible(not households)
        self.current().search.setText(self.persons.search.text() if households
                                      else self.households.search.text())
        self.current().run()

    def set_village(self, village_id: str | None) -> None:
        self.village_id = village_id
        self.current().run()

    def search(self, text: str) -> None:
        """Type ``text`` and search now (tests, and the search box's Enter)."""
        plan_list = self.current()
        plan_list.search.setText(text)
        plan_list.run()

    def retranslate(self) -> None:
        self.kind.setItemText(0, _("Find persons"))
        if self.kind.count() > 1:
            self.kind.setItemText(1, _("Find households"))
        self.persons.search.setPlaceholderText(_("Type a name, then Enter to add…"))
        self.households.search.setPlaceholderText(_("Type the head's name, then Enter…"))
        self.persons.empty_text = _("Nobody of this name here. Add a new person.")
        self.households.empty_text = _("No household of this name here.")
        self.persons.model.retranslate()
        self.households.model.retranslate()


class QuickLog(QWidget):
    """The form of one session (new, a correction, or the follow-up of another)."""

    saved = Signal(str)
    cancelled = Signal()

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.codes = context.workspace.codes()
        self.session_id: str | None = None
        self.follow_up_of: str | None = None
        self.helped: list[dict[str, Any]] = []
        self.heading = Heading(factor=1.3)
        self.date = date_edit()
        self.date.setObjectName("session_date")
        self.village = village_combo(context.villages(), "session_village")
        self.village.currentIndexChanged.connect(self._on_village)
        self.members = QListWidget()
        self.members.setObjectName("session_members")
        tip_items(self.members)
        self.activities = CodeChecks("session_activities", columns=1)
        self.activities.set_codes(self.codes.activities)
        self.follow_check = QCheckBox()
        self.follow_check.setObjectName("follow_up_check")
        self.follow_date = date_edit(dt.date.today() + dt.timedelta(days=7))
        self.follow_date.setObjectName("follow_up_date")
        self.follow_date.setEnabled(False)
        self.follow_check.toggled.connect(self.follow_date.setEnabled)
        self.duration = QSpinBox()
        self.duration.setObjectName("duration_min")
        self.duration.setRange(0, 600)
        self.duration.setSpecialValueText("–")
        self.duration.setSuffix(" " + _("min"))
        self.notes = QLineEdit()
        self.notes.setObjectName("session_notes")
        self.finder = PersonFinder(context, "helped", parent=self)
        self.finder.picked.connect(self.add_helped)
        self.new_person_button = QPushButton()
        self.new_person_button.setObjectName("new_person")
        self.new_person_button.clicked.connect(lambda: self.new_person())
        self.helped_list = QListWidget()
        self.helped_list.setObjectName("helped_list")
        tip_items(self.helped_list)
        self.helped_list.currentRowChanged.connect(self._on_helped_row)
        self.remove_helped_button = QPushButton()
        self.remove_helped_button.setObjectName("remove_helped")
        self.remove_helped_button.clicked.connect(self.remove_current)
        self.outcomes = CodeChecks("session_outcomes", columns=2)
        self.outcomes.set_codes(self.codes.outcomes)
        self.outcomes.changed.connect(self._store_outcomes)
        self.outcome_other = QLineEdit()
        self.outcome_other.setObjectName("outcome_other")
        self.outcome_other.textChanged.connect(lambda _t: self._store_outcomes())
        self.outcomes_box = QGroupBox()
        self.outcomes_box.setObjectName("outcomes_box")
        outcome_layout = QVBoxLayout(self.outcomes_box)
        outcome_layout.addWidget(self.outcomes)
        outcome_layout.addWidget(self.outcome_other)
        self.outcomes_box.setEnabled(False)
        names = ("date", "village_id", "members", "activities", "follow_up_date",
                 "duration_min", "notes", "helped", "outcomes", "new_person")
        self.labels = {n: message_label(n, self) for n in names}
        self.general = message_label("general", self)
        self.messages = FieldMessages(self.labels, self.general)
        self.save_button = QPushButton()
        self.save_button.setObjectName("save_session")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancel_session")
        self.cancel_button.clicked.connect(self.cancelled)
        self.privacy = MutedLabel()
        self._build()
        self.retranslate()

    def _build(self) -> None:
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.row_labels: dict[str, QLabel] = {}

        def row(key: str, widget: QWidget, field: str) -> None:
            box = QWidget()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.setSpacing(1)
            inner.addWidget(widget)
            inner.addWidget(self.labels[field])
            label = QLabel()
            self.row_labels[key] = label
            self.form.addRow(label, box)

        follow = QWidget()
        follow_box = QHBoxLayout(follow)
        follow_box.setContentsMargins(0, 0, 0, 0)
        follow_box.addWidget(self.follow_check)
        follow_box.addWidget(self.follow_date)
        follow_box.addStretch(1)
        self.members.setMaximumHeight(self.members.fontMetrics().lineSpacing() * 5 + 12)
        row("date", self.date, "date")
        row("village", self.village, "village_id")
        row("members", self.members, "members")
        row("activities", self.activities, "activities")
        row("follow_up", follow, "follow_up_date")
        row("duration", self.duration, "duration_min")
        row("notes", self.notes, "notes")
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addLayout(self.form)
        left_box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(left)
        self.helped_heading = Heading(factor=1.05)
        right = QVBoxLayout()
        right.addWidget(self.helped_heading)
        finder_row = QHBoxLayout()
        finder_row.addWidget(self.finder, 1)
        right.addLayout(finder_row, 3)
        right.addWidget(self.new_person_button)
        right.addWidget(self.labels["new_person"])
        self.chosen_heading = QLabel()
        right.addWidget(self.chosen_heading)
        right.addWidget(self.helped_list, 2)
        right.addWidget(self.labels["helped"])
        right.addWidget(self.remove_helped_button)
        right.addWidget(self.outcomes_box, 3)
        right.addWidget(self.labels["outcomes"])
        grid = QGridLayout()
        grid.addWidget(scroll, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.privacy, 1)
        buttons.addWidget(self.general, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 10)
        layout.addWidget(self.heading)
        layout.addLayout(grid, 1)
        layout.addLayout(buttons)

    # -- starting ------------------------------------------------------------------------------
    def start(self, request: SessionRequest | None = None, *, follow_up_of: str | None = None,
              village_id: str | None = None) -> None:
        """A new session (today, the current user ticked), or ``request`` to correct."""
        self.messages.clear()
        self.session_id = request.session_id if request else None
        self.follow_up_of = follow_up_of or (request.follow_up_of if request else None)
        user = self.context.workspace.current_user()
        set_date(self.date, request.date if request and request.session_id
                 else dt.date.today())
        select(self.village, (request.village_id if request else None) or village_id
               or (user or {}).get("village_id") or self.village.currentData())
        members = set(request.members) if request else ({user["id"]} if user else set())
        self._fill_members(members)
        self.activities.set_checked(request.activities if request else ())
        follow = request.follow_up_date if request and request.session_id else None
        self.follow_check.setChecked(bool(follow))
        set_date(self.follow_date, follow or dt.date.today() + dt.timedelta(days=7))
        self.duration.setValue(int(request.duration_min or 0) if request else 0)
        self.notes.setText(request.notes if request and request.session_id else "")
        self.helped = []
        self.helped_list.clear()
        for item in (request.helped if request else ()):
            self._append(self._describe(item.person_id, item.household_id), item)
        self.finder.set_village(self.village.currentData())
        self.heading.setText(_("Correct the session") if self.session_id else
                             _("Follow-up session") if self.follow_up_of else
                             _("Log a support session"))
        self.finder.persons.search.setFocus()

    def _fill_members(self, ticked: set[str]) -> None:
        self.members.clear()
        village = self.village.currentData()
        users = self.context.workspace.users()
        users.sort(key=lambda u: (u["id"] not in ticked, u.get("village_id") != village,
                                  u.get("name_sort") or ""))
        for user in users:
            item = QListWidgetItem(user["name"])
            item.setData(Qt.ItemDataRole.UserRole, user["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if user["id"] in ticked
                               else Qt.CheckState.Unchecked)
            self.members.addItem(item)

    def _on_village(self) -> None:
        ticked = set(self.members_ticked())
        self._fill_members(ticked)
        self.finder.set_village(self.village.currentData())

    def members_ticked(self) -> tuple[str, ...]:
        return tuple(self.members.item(i).data(Qt.ItemDataRole.UserRole)
                     for i in range(self.members.count())
                     if self.members.item(i).checkState() == Qt.CheckState.Checked)

    def tick_member(self, user_id: str, on: bool = True) -> None:
        for i in range(self.members.count()):
            item = self.members.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == user_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    # -- persons helped ------------------------------------------------------------------------
    def _describe(self, person_id: str | None, household_id: str | None) -> str:
        registry = self.context.workspace.registry
        if person_id:
            person = registry.person(person_id) or {}
            born = f" ({person['birth_year']})" if person.get("birth_year") else ""
            return f"{person.get('full_name', '?')}{born}"
        household = registry.household(household_id) or {}
        return _("Household of {head}").format(head=household.get("head_name", "?"))

    def _append(self, text: str, helped: Helped) -> None:
        key = helped.person_id or helped.household_id or id(helped)
        if any((h["helped"].person_id or h["helped"].household_id or id(h["helped"])) == key
               for h in self.helped):
            return
        self.helped.append({"text": text, "helped": helped})
        self.helped_list.addItem(text)
        self.helped_list.setCurrentRow(self.helped_list.count() - 1)

    def add_helped(self, row: dict[str, Any], kind: str = "persons") -> None:
        if kind == "households":
            helped = Helped(household_id=row["id"])
            text = _("Household of {head}").format(head=row["head_name"])
        else:
            helped = Helped(person_id=row["id"], household_id=row.get("household_id"))
            born = f" ({row['birth_year']})" if row.get("birth_year") else ""
            text = f"{row['full_name']}{born}"
        self._append(text, helped)
        self.finder.current().search.selectAll()

    def new_person(self, *, show: bool = True) -> PersonDialog:
        """A person not in the registry yet: the head of a new household of the village, or a
        member of the household found in the search box (when one is shown)."""
        def submit(values, messages):
            full = {k: v for k, v in values.items() if v not in (None, "")}
            try:
                self.context.workspace.registry.check_person(full)
            except UserError as error:
                messages.show(error)
                return None
            self._append(_("{name} (new)").format(name=full["full_name"]),
                         Helped(new_person=full))
            return True

        dialog = PersonDialog(_("A new person"), submit, relation=False, parent=self)
        dialog.intro.setText(_("Added to the registry when the session is saved, as the head "
                               "of a new household of the session's village."))
        dialog.intro.setVisible(True)
        if show:
            dialog.open()
        return dialog

    def remove_current(self) -> None:
        row = self.helped_list.currentRow()
        if 0 <= row < len(self.helped):
            del self.helped[row]
            self.helped_list.takeItem(row)

    def _on_helped_row(self, row: int) -> None:
        self.outcomes_box.setEnabled(0 <= row < len(self.helped))
        if not 0 <= row < len(self.helped):
            return
        helped = self.helped[row]["helped"]
        self.outcomes.blockSignals(True)
        self.outcomes.set_checked(helped.outcomes)
        self.outcomes.blockSignals(False)
        self.outcome_other.blockSignals(True)
        self.outcome_other.setText(helped.outcome_other or "")
        self.outcome_other.blockSignals(False)
        self.outcomes_box.setTitle(_("Outcomes for {name}").format(
            name=self.helped[row]["text"]))

    def _store_outcomes(self) -> None:
        row = self.helped_list.currentRow()
        if 0 <= row < len(self.helped):
            helped = self.helped[row]["helped"]
            helped.outcomes = self.outcomes.checked()
            helped.outcome_other = nfc(self.outcome_other.text())

    def set_outcomes(self, index: int, outcomes: tuple[str, ...], other: str = "") -> None:
        self.helped_list.setCurrentRow(index)
        self.outcomes.set_checked(outcomes)
        self.outcome_other.setText(other)
        self._store_outcomes()

    # -- saving --------------------------------------------------------------------------------
    def request(self) -> SessionRequest:
        return SessionRequest(
            date=date_of(self.date), village_id=self.village.currentData(),
            members=self.members_ticked(), activities=self.activities.checked(),
            helped=tuple(h["helped"] for h in self.helped),
            follow_up_date=date_of(self.follow_date) if self.follow_check.isChecked() else None,
            duration_min=self.duration.value() or None, notes=nfc(self.notes.text()),
            follow_up_of=self.follow_up_of, session_id=self.session_id)

    def save(self) -> str | None:
        request = self.request()
        result = run_write(self.context, lambda ws: ws.sessions.log(request), self.messages)
        if result is None:
            return None
        self.saved.emit(result)
        return result

    def retranslate(self) -> None:
        texts = {"date": _("Date"), "village": _("Village"), "members": _("Team members "
                 "present"), "activities": _("Activities"), "follow_up": _("Come back"),
                 "duration": _("Duration"), "notes": _("Notes")}
        for key, label in self.row_labels.items():
            label.setText(texts[key])
        self.follow_check.setText(_("Follow-up on"))
        set_placeholder(self.notes, _("Never passwords, OTP codes or ID numbers"))
        self.helped_heading.setText(_("People helped"))
        self.chosen_heading.setText(_("Helped in this session (select one to record its "
                                      "outcomes):"))
        self.new_person_button.setText(_("New person…"))
        self.remove_helped_button.setText(_("Take off the list"))
        self.outcomes_box.setTitle(_("Outcomes"))
        self.outcome_other.setPlaceholderText(_("The other outcome, if “other” is ticked"))
        self.save_button.setText(_("Save the session"))
        self.cancel_button.setText(_("Cancel"))
        self.privacy.setText(_("Never write down passwords, OTP codes, VNeID login details "
                               "or full ID card numbers."))
        self.activities.relabel(self.codes.activities)
        self.outcomes.relabel(self.codes.outcomes)
        self.finder.retranslate()
