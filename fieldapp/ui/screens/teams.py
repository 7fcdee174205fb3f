"""Teams (Tổ công nghệ số cộng đồng): the commune's and villages' teams, their members with
roles and where they come from, and what each team did: sessions and people helped per month,
households reached, sessions by activity and outcomes reached (fieldapp.services.teams)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QSplitter, QStackedWidget, QTabWidget,
                               QVBoxLayout, QWidget)

from fieldapp.i18n.catalog import N_, _, ngettext, pgettext
from fieldapp.i18n.text import nfc
from fieldapp.services.teams import AFFILIATIONS, LEVELS, TEAM_ROLES
from fieldapp.ui.formatting import code_label, fmt_int
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.screens.registry_dialogs import (FormDialog, RemoveDialog, code_combo,
                                                  select)
from fieldapp.ui.widgets import EmptyState, Heading, names_combo, table_view
from fieldapp.ui.workflow_widgets import run_write

TEAM_REASONS = {"dissolved": N_("The team was dissolved"),
                "entered by mistake": N_("Entered by mistake")}


class TeamsModel(RowTableModel):
    columns = (
        Column(lambda: _("Team"), lambda r: r.get("name") or ""),
        Column(lambda: _("Level"), lambda r: _("Village") if r.get("village_id")
               else _("Commune")),
        Column(lambda: pgettext("team", "Members"), lambda r: fmt_int(r.get("member_count")),
               align_right=True),
    )


class MembersModel(RowTableModel):
    columns = (
        Column(lambda: _("Member"), lambda r: r.get("user_name") or ""),
        Column(lambda: _("Role"), lambda r: code_label(TEAM_ROLES, r.get("role"))),
        Column(lambda: _("Comes from"), lambda r: code_label(AFFILIATIONS, r.get("affiliation"))),
        Column(lambda: _("Village"), lambda r: r.get("village_name") or ""),
    )


class MonthsModel(RowTableModel):
    columns = (
        Column(lambda: _("Month"), lambda r: _("{month}/{year}").format(
            month=r["month"][5:7], year=r["month"][:4])),
        Column(lambda: _("Sessions"), lambda r: fmt_int(r["sessions"]), align_right=True),
        Column(lambda: _("People helped"), lambda r: fmt_int(r["persons"]), align_right=True),
        Column(lambda: _("Households"), lambda r: fmt_int(r["households"]), align_right=True),
    )


class TeamDialog(FormDialog):
    def __init__(self, submit, villages: list[dict[str, Any]], team: dict[str, Any] | None,
                 parent=None):
        super().__init__(_("Edit the team") if team else _("A new team"), submit, parent)
        team = team or {}
        self.name = QLineEdit(team.get("name") or "")
        self.name.setObjectName("team_name")
        self.village = names_combo("team_village")
        self.village.addItem(_(LEVELS["commune"]), None)
        for village in villages:
            self.village.addItem(village["name"], village["id"])
        select(self.village, team.get("village_id"))
        self.add_row(_("Name"), self.name, "name")
        self.add_row(_("Team of"), self.village, "village_id")

    def values(self) -> dict[str, Any]:
        return {"name": nfc(self.name.text()), "village_id": self.village.currentData()}


class MemberDialog(FormDialog):
    """A member: a user of the app, or a new person (a user without a PIN)."""

    NEW = "__new__"

    def __init__(self, submit, users: list[dict[str, Any]], parent=None):
        super().__init__(_("Add a team member"), submit, parent)
        self.user = names_combo("member_user")
        self.user.addItem(_("Someone new (type the name below)"), self.NEW)
        for user in users:
            self.user.addItem(user["name"], user["id"])
        self.name = QLineEdit()
        self.name.setObjectName("member_name")
        self.role = code_combo("member_role", TEAM_ROLES)
        select(self.role, "member")
        self.affiliation = code_combo("member_affiliation", AFFILIATIONS,
                                      empty=_("(not given)"))
        self.add_row(_("Who"), self.user, "user_id")
        self.add_row(_("Full name"), self.name, "name")
        self.add_row(_("Role in the team"), self.role, "role")
        self.add_row(_("Comes from"), self.affiliation, "affiliation")

    def values(self) -> dict[str, Any]:
        user = self.user.currentData()
        return {"user_id": None if user == self.NEW else user, "name": nfc(self.name.text()),
                "role": self.role.currentData(), "affiliation": self.affiliation.currentData()}


class TeamsScreen(QWidget):
    shows = frozenset({"teams", "team_members", "users", "villages", "sessions"})
    """The kinds of records it shows (teams and their members): ``data_changed``
    refreshes it when they change."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.heading = Heading(factor=1.4)
        session = context.workspace.session
        # Team rosters are commune staff's to edit (services/guards.py); others read them.
        self._staff = session is None or session.is_staff
        self.new_button = QPushButton()
        self.new_button.setObjectName("new_team")
        self.new_button.setVisible(self._staff)
        self.new_button.clicked.connect(lambda: self.new_team())
        self.teams = TeamsModel(parent=self)
        self.table = table_view()
        self.table.setObjectName("teams_table")
        self.table.setModel(self.teams)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._on_team)
        self.empty = EmptyState()
        self.results = QStackedWidget()
        self.results.addWidget(self.table)
        self.results.addWidget(self.empty)
        self.all_button = QPushButton()
        self.all_button.setObjectName("all_teams_activity")
        self.all_button.clicked.connect(lambda: self.show_team(None))

        self.team_title = Heading(factor=1.2)
        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, handler in (("edit", self.edit_team), ("add_member", self.add_member),
                             ("remove_member", self.remove_member),
                             ("remove", self.remove_team)):
            button = QPushButton()
            button.setObjectName(f"team_{key}")
            button.clicked.connect(lambda _c=False, h=handler: h())
            actions.addWidget(button)
            self.buttons[key] = button
        actions.addStretch(1)
        self.members = MembersModel(parent=self)
        self.members_table = table_view()
        self.members_table.setObjectName("team_members_table")
        self.members_table.setModel(self.members)
        # Names and affiliations are read whole; the village takes what is left.
        self.members_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.members_table.horizontalHeader().setStretchLastSection(True)
        self.members_label = QLabel()
        self.role_combo = code_combo("change_role", TEAM_ROLES)
        self.role_combo.activated.connect(self._change_role)
        self.activity_title = Heading(factor=1.05)
        self.figures = QLabel()
        self.figures.setObjectName("team_figures")
        self.figures.setWordWrap(True)
        self.months = MonthsModel(parent=self)
        self.months_table = table_view()
        self.months_table.setObjectName("team_months")
        self.months_table.setModel(self.months)
        self.months_table.setSelectionMode(self.months_table.SelectionMode.NoSelection)
        months_header = self.months_table.horizontalHeader()
        months_header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.by_activity = QLabel()
        self.by_activity.setObjectName("team_by_activity")
        self.by_activity.setWordWrap(True)
        self.by_activity.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.team_id: str | None = None

        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.results, 1)
        left_box.addWidget(self.all_button)
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(12, 0, 0, 0)
        right_box.addWidget(self.team_title)
        right_box.addLayout(actions)
        members_row = QHBoxLayout()
        members_row.addWidget(self.members_label, 1)
        self.role_label = QLabel()
        members_row.addWidget(self.role_label)
        members_row.addWidget(self.role_combo)
        right_box.addLayout(members_row)
        self.members_table.setMinimumHeight(
            self.members_table.fontMetrics().lineSpacing() * 9)
        right_box.addWidget(self.members_table, 2)
        right_box.addWidget(self.activity_title)
        right_box.addWidget(self.figures)
        activity_scroll = QScrollArea()
        activity_scroll.setWidgetResizable(True)
        activity_scroll.setFrameShape(QFrame.Shape.NoFrame)
        activity_scroll.setWidget(self.by_activity)
        self.activity_tabs = QTabWidget()
        self.activity_tabs.setObjectName("team_activity_tabs")
        self.activity_tabs.addTab(self.months_table, "")
        self.activity_tabs.addTab(activity_scroll, "")
        right_box.addWidget(self.activity_tabs, 3)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setSizes([430, 710])
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 10)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.retranslate()
        self.refresh()

    # -- teams -------------------------------------------------------------------------------
    def refresh(self, *_args) -> None:
        self.context.reader.request("teams", lambda ws: ws.teams.teams(), self._show_teams)

    def _show_teams(self, rows) -> None:
        # A member's list: their village's team and the commune's.
        rows = [r for r in rows if self.context.in_scope(r.get("village_id"))]
        selected = self.team_id
        self.teams.set_rows(rows)
        self.results.setCurrentWidget(self.table if rows else self.empty)
        index = next((i for i, r in enumerate(rows) if r["id"] == selected), 0 if rows else None)
        if index is not None:
            self.table.selectRow(index)
            self.show_team(rows[index]["id"])
        else:
            self.show_team(None)

    def _on_team(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(RowRole) if current.isValid() else None
        if row is not None and row["id"] != self.team_id:
            self.show_team(row["id"])

    def show_team(self, team_id: str | None) -> None:
        """A team's members and activity; None: the activity of every team together."""
        self.team_id = team_id
        teams = self.context.workspace.teams
        team = teams.team(team_id) if team_id else None
        for key, button in self.buttons.items():
            button.setEnabled(team is not None)
            button.setVisible(self._staff)
        self.role_combo.setEnabled(team is not None)
        self.role_combo.setVisible(self._staff)
        members = teams.members(team_id) if team else []
        self.members.set_rows(members)
        self.members_table.setVisible(team is not None)
        self.members_label.setText(
            ngettext("{count} team member", "{count} team members", len(members)).format(
                count=fmt_int(len(members))) if team else "")
        self.team_title.setText(team["name"] if team else _("Every team together"))
        self.context.reader.request(
            "team_activity", lambda ws: ws.teams.activity(team_id),
            lambda activity: self._show_activity(team_id, activity))

    def _show_activity(self, team_id: str | None, activity) -> None:
        if team_id != self.team_id:
            return
        if activity.months:
            first = activity.months[0]["month"]
            lines = [_("Since {month}/{year}: {sessions} sessions, {persons} people helped in "
                       "{households} households.").format(
                month=first[5:7], year=first[:4], sessions=fmt_int(activity.sessions),
                persons=fmt_int(activity.persons), households=fmt_int(activity.households))]
        else:
            lines = [_("No session recorded yet.")]
        if activity.reach is not None:
            lines.append(_("{share} of the village's {total} households reached.").format(
                share=f"{activity.reach:.0%}", total=fmt_int(activity.village_households)))
        self.figures.setText("\n".join(lines))
        self.months.set_rows(list(reversed(activity.months)))
        codes = self.context.workspace.codes()
        parts = [_("Sessions by activity, and the outcomes reached in them:")]
        for code in codes.activities:
            if activity.by_activity.get(code.code):
                parts.append(f"• {code.label()}: {fmt_int(activity.by_activity[code.code])}")
                reached = activity.outcomes_by_activity.get(code.code, {})
                outcomes = [f"{o.label()} {fmt_int(reached[o.code])}" for o in codes.outcomes
                            if reached.get(o.code)]
                if outcomes:
                    parts.append("    " + "; ".join(outcomes))
        parts.append("")
        parts.append(_("Outcomes reached:"))
        for code in codes.outcomes:
            if activity.by_outcome.get(code.code):
                parts.append(f"• {code.label()}: {fmt_int(activity.by_outcome[code.code])}")
        self.by_activity.setText("\n".join(parts))

    # -- edits -------------------------------------------------------------------------------
    def new_team(self, *, show: bool = True) -> TeamDialog:
        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.teams.save_team(
                values["name"], village_id=values["village_id"]), messages,
                on_done=self._select)

        dialog = TeamDialog(submit, self.context.villages(), None, self)
        if show:
            dialog.open()
        return dialog

    def _select(self, team_id: str) -> None:
        self.team_id = team_id
        self.refresh()

    def edit_team(self, *, show: bool = True) -> TeamDialog | None:
        team_id = self.team_id
        team = self.context.workspace.teams.team(team_id) if team_id else None
        if team is None:
            return None

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.teams.save_team(
                values["name"], village_id=values["village_id"], team_id=team_id), messages,
                on_done=lambda _r: self.refresh())

        dialog = TeamDialog(submit, self.context.villages(), team, self)
        if show:
            dialog.open()
        return dialog

    def remove_team(self, *, show: bool = True) -> RemoveDialog | None:
        team_id = self.team_id
        if not team_id:
            return None

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.teams.remove_team(
                team_id, values["reason"]), messages, on_done=lambda _r: self._select(None))

        dialog = RemoveDialog(_("Remove the team"), submit, TEAM_REASONS, self)
        if show:
            dialog.open()
        return dialog

    def add_member(self, *, show: bool = True) -> MemberDialog | None:
        team_id = self.team_id
        if not team_id:
            return None
        present = {m["user_id"] for m in self.members.rows()}
        users = [u for u in self.context.workspace.users() if u["id"] not in present]

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.teams.add_member(
                team_id, user_id=values["user_id"], name=values["name"], role=values["role"],
                affiliation=values["affiliation"]), messages,
                on_done=lambda _r: self.refresh())

        dialog = MemberDialog(submit, users, self)
        if show:
            dialog.open()
        return dialog

    def _selected_member(self) -> dict[str, Any] | None:
        index = self.members_table.currentIndex()
        return index.data(RowRole) if index.isValid() else None

    def remove_member(self) -> None:
        member = self._selected_member()
        if member is not None:
            run_write(self.context, lambda ws: ws.teams.remove_member(member["id"]),
                      on_done=lambda _r: self.refresh())

    def _change_role(self, _index: int) -> None:
        member = self._selected_member()
        role = self.role_combo.currentData()
        if member is not None and role != member["role"]:
            run_write(self.context, lambda ws: ws.teams.update_member(member["id"], role=role),
                      on_done=lambda _r: self.refresh())

    def retranslate(self) -> None:
        self.heading.setText(_("Teams"))
        self.new_button.setText(_("New team…"))
        self.all_button.setText(_("Activity of every team"))
        texts = {"edit": _("Edit…"), "add_member": _("Add a member…"),
                 "remove_member": _("Member leaves"), "remove": _("Remove the team…")}
        for key, button in self.buttons.items():
            button.setText(texts[key])
        self.role_label.setText(_("Role of the member selected:"))
        self.activity_title.setText(_("Activity"))
        self.activity_tabs.setTabText(0, _("By month"))
        self.activity_tabs.setTabText(1, _("By activity and outcome"))
        self.empty.setText(_("No team yet. Add the commune's team and one team per village, "
                             "then their members."))
        for model in (self.teams, self.members, self.months):
            model.retranslate()
        self.role_combo.clear()
        for code, label in TEAM_ROLES.items():
            self.role_combo.addItem(_(label), code)

