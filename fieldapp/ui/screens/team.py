"""Team (commune staff): the commune's members, their roles and villages; add, retire, reset a
PIN. A PIN set here signs in on this laptop."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QHBoxLayout,
                               QHeaderView, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget)

from fieldapp.core import codes
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _, pgettext
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import code_label
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.widgets import Heading, MutedLabel, names_combo, ok_cancel, table_view


class TeamModel(RowTableModel):
    def __init__(self, villages: dict[str, str], parent=None):
        super().__init__((), parent)
        self.columns = (
            Column(lambda: _("Name"), lambda r: r["name"]),
            Column(lambda: _("Role"), lambda r: code_label(codes.ROLES, r["role"])),
            Column(lambda: _("Village"), lambda r: villages.get(r.get("village_id") or "", "")),
            Column(lambda: _("Signs in on this laptop"),
                   lambda r: _("yes") if r["signs_in_here"] else _("no")),
            Column(lambda: _("Translator"), lambda r: _("yes") if r.get("translator") else ""),
        )


class MemberDialog(QDialog):
    """Name, role, village and (for a new member) the first PIN."""

    def __init__(self, villages: list[dict], parent=None, *, member: dict | None = None):
        super().__init__(parent)
        from fieldapp.ui.signin_dialog import _pin_edit

        self.setObjectName("member_dialog")
        self.setWindowTitle(_("Team member") if member else _("Add a team member"))
        self.name = QLineEdit(member["name"] if member else "")
        self.name.setObjectName("member_name")
        self.name.setEnabled(member is None)
        self.role = QComboBox()
        self.role.setObjectName("member_role")
        for code in codes.ROLES:
            self.role.addItem(code_label(codes.ROLES, code), code)
        self.village = names_combo("member_village")
        self.village.addItem(_("(whole commune)"), None)
        for v in villages:
            self.village.addItem(v["name"], v["id"])
        if member:
            self.role.setCurrentIndex(self.role.findData(member["role"]))
            self.village.setCurrentIndex(max(0, self.village.findData(member.get("village_id"))))
        self.pin = _pin_edit("member_pin")
        form = QFormLayout()
        form.addRow(_("Name:"), self.name)
        form.addRow(_("Role:"), self.role)
        form.addRow(_("Village:"), self.village)
        if member is None:
            form.addRow(_("First PIN:"), self.pin)
        buttons = ok_cancel(self, self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)


class TeamScreen(QWidget):
    shows = frozenset({"users", "devices", "villages"})
    """The kinds of records it shows (the team members and their laptops): ``data_changed``
    refreshes it when they change."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.heading = Heading(factor=1.4)
        self.hint = MutedLabel()
        self.villages = {v["id"]: v["name"] for v in context.workspace.villages()}
        self.model = TeamModel(self.villages, self)
        self.table = table_view()
        self.table.setObjectName("team_table")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.add_button, self.edit_button = QPushButton(), QPushButton()
        self.pin_button, self.retire_button = QPushButton(), QPushButton()
        self.translator_button = QPushButton()
        for button, name, slot in ((self.add_button, "add_member", self.add_member),
                                   (self.translator_button, "toggle_translator",
                                    self.toggle_translator),
                                   (self.edit_button, "edit_member", self.edit_member),
                                   (self.pin_button, "reset_pin", self.reset_pin),
                                   (self.retire_button, "retire_member", self.retire_member)):
            button.setObjectName(name)
            button.clicked.connect(slot)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.pin_button,
                       self.translator_button, self.retire_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.heading.setText(pgettext("screen", "Team members"))
        self.hint.setText(_("Members work on their own village, commune staff on the whole "
                            "commune, trainers on training. A PIN set here signs in on this "
                            "laptop."))
        self.add_button.setText(_("Add a member…"))
        self.edit_button.setText(_("Change role or village…"))
        self.pin_button.setText(_("Reset PIN…"))
        self.retire_button.setText(_("Retire"))
        self.translator_button.setText(_("Translator on/off"))
        self.translator_button.setToolTip(_("A translator edits and records the label packs "
                                            "(Translate); commune staff always may."))
        self.model.retranslate()

    def refresh(self) -> None:
        try:
            self.model.set_rows(self.context.workspace.team.members())
        except UserError as exc:
            self.hint.setText(str(exc))

    def _selected(self) -> dict | None:
        index = self.table.currentIndex()
        return self.model.data(index, RowRole) if index.isValid() else None

    def _run(self, fn) -> None:
        self.context.writer.write(fn, lambda _r: self.refresh(), self._failed)

    def _failed(self, exc: BaseException) -> None:
        from fieldapp.ui.start import message_box

        message_box(self, QMessageBox.Icon.Warning, _("Team"), str(exc))

    def add_member(self) -> None:
        dialog = MemberDialog(self.context.workspace.villages(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        name, role = dialog.name.text(), dialog.role.currentData()
        village, pin = dialog.village.currentData(), dialog.pin.text()
        self._run(lambda ws: ws.team.add(name, role, village, pin))

    def edit_member(self) -> None:
        member = self._selected()
        if member is None:
            return
        dialog = MemberDialog(self.context.workspace.villages(), self, member=member)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        role, village = dialog.role.currentData(), dialog.village.currentData()
        self._run(lambda ws: ws.team.change_role(member["id"], role, village))

    def reset_pin(self) -> None:
        from fieldapp.ui.signin_dialog import NewPinDialog

        member = self._selected()
        if member is None:
            return
        dialog = NewPinDialog(self, title=_("A new PIN for {name}").format(name=member["name"]))
        if dialog.exec() == QDialog.DialogCode.Accepted:
            pin = dialog.pin()
            self._run(lambda ws: ws.team.reset_pin(member["id"], pin))

    def toggle_translator(self) -> None:
        member = self._selected()
        if member is not None:
            on = not member.get("translator")
            self._run(lambda ws: ws.translations.set_translator(member["id"], on))

    def retire_member(self) -> None:
        from fieldapp.ui.start import message_box

        member = self._selected()
        if member is None:
            return
        answer = message_box(self, QMessageBox.Icon.Question, _("Retire"),
                             _("Retire {name}? They will no longer sign in; what they recorded "
                               "stays.").format(name=member["name"]),
                             QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                             QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda ws: ws.team.retire(member["id"]))
