"""Sync, "Devices" and "Import history": the commune's identity and its register of member
laptops (with how up to date each is), setup files, and the log of imported packages."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHeaderView, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from fieldapp.i18n.catalog import _
from fieldapp.ui import tasks
from fieldapp.ui.flow import FlowLayout
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import fmt_int, stored_time
from fieldapp.ui.models import Column, RowTableModel
from fieldapp.ui.widgets import EmptyState, MutedLabel, names_combo, table_view


def _when(value: str | None) -> str:
    return stored_time(value) if value else _("never")


class DeviceModel(RowTableModel):
    columns = (
        Column(lambda: _("Laptop"), lambda r: r["device"].name),
        Column(lambda: _("Team member"), lambda r: r["device"].user_name),
        Column(lambda: _("Village"), lambda r: r["device"].village_name),
        Column(lambda: _("Last package received"), lambda r: _when(r["device"].last_received_at)),
        Column(lambda: _("Last package sent"), lambda r: _when(r["device"].last_sent_at)),
        Column(lambda: _("Not yet confirmed"), lambda r: fmt_int(r["device"].unacknowledged),
               align_right=True),
        Column(lambda: _("Retired"), lambda r: _("retired") if r["device"].retired else ""),
    )


class RegisterDialog(QDialog):
    """Name the member laptop and its team member; the setup file is saved next."""

    def __init__(self, users: list[dict], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Register a member laptop"))
        self.name = QLineEdit()
        self.name.setObjectName("device_name")
        self.user = names_combo("device_user")
        self.user.addItem(_("(nobody yet)"), None)
        for user in users:
            self.user.addItem(user["name"], user["id"])
        form = QFormLayout()
        form.addRow(_("Name of the laptop:"), self.name)
        form.addRow(_("Team member:"), self.user)
        note = MutedLabel(_("The setup file holds this laptop's keys: hand it over in person on "
                            "a USB stick, do not send it through a chat app. A laptop with no "
                            "team member writes nothing and receives no village's records "
                            "until one is assigned to it."))
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)


class DevicesTab(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.status = QLabel()
        self.status.setObjectName("sync_identity_status")
        self.status.setWordWrap(True)
        self.create_button = QPushButton()
        self.create_button.setObjectName("create_identity")
        self.create_button.clicked.connect(self.create_identity)
        self.register_button = QPushButton()
        self.register_button.setObjectName("register_device")
        self.register_button.clicked.connect(self.register_device)
        self.assign_button = QPushButton()
        self.assign_button.setObjectName("assign_member")
        self.assign_button.clicked.connect(self.assign_member)
        self.retire_button = QPushButton()
        self.retire_button.setObjectName("retire_device")
        self.retire_button.clicked.connect(self.retire_device)
        self.model = DeviceModel(parent=self)
        self.table = table_view()
        self.table.setObjectName("devices")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        for column in range(len(DeviceModel.columns)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        buttons = FlowLayout(spacing=6)  # wraps in a narrow window
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.assign_button)
        buttons.addWidget(self.retire_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self.sync_status = None
        self.retranslate()

    def refresh(self) -> None:
        self.context.reader.request(
            "sync_devices", lambda ws: (ws.sync.status(), ws.sync.devices(), ws.sync.users()),
            self._loaded)

    def _loaded(self, result) -> None:
        self.sync_status, devices, self.users = result
        self.model.set_rows([{"device": d} for d in devices])
        status = self.sync_status
        user = self.context.current_user()
        staff = user is not None and user["role"] == "commune_staff"
        if status.is_hub:
            self.status.setText(_("This laptop holds the commune's sync identity: packages from "
                                  "the registered laptops below are sealed to it."))
        elif status.joined:
            self.status.setText(_("This laptop sends its records to {hub}.").format(
                hub=status.hub_name))
        else:
            self.status.setText(_("The commune's staff create the commune's sync identity once, "
                                  "on the commune's laptop, then register each member's laptop "
                                  "and give it a setup file."))
        self.create_button.setVisible(staff and not status.is_hub and not status.joined)
        for button in (self.register_button, self.assign_button, self.retire_button):
            button.setVisible(staff and status.is_hub)

    def create_identity(self) -> None:
        self.context.writer.write(lambda ws: ws.sync.create_identity(),
                                  lambda _r: self.refresh(), lambda e: tasks.show_failure(self, e))

    def ask_registration(self) -> tuple[str, str | None] | None:
        dialog = RegisterDialog(getattr(self, "users", []), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.name.text(), dialog.user.currentData()

    def ask_setup_path(self, name: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the setup file"), f"{name or 'fieldapp'}.fieldsetup",
            _("fieldapp setup files (*.fieldsetup)"))
        return Path(path) if path else None

    def register_device(self) -> None:
        answer = self.ask_registration()
        if answer is None:
            return
        name, user_id = answer
        path = self.ask_setup_path(name)
        if path is None:
            return
        self.context.writer.write(lambda ws: ws.sync.register_device(name, user_id, path),
                                  self._registered, lambda e: tasks.show_failure(self, e))

    def selected_device(self):
        """The member laptop chosen in the list (None: none, or not a member laptop)."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        device = self.model.rows()[index.row()]["device"]
        return device if device.kind == "member" and not device.retired else None

    def ask_member(self, device) -> tuple[bool, str | None]:
        names = [_("(nobody)")] + [u["name"] for u in getattr(self, "users", [])]
        name, ok = QInputDialog.getItem(self, _("Assign a team member"),
                                        _("Team member who uses {laptop}:").format(
                                            laptop=device.name), names, 0, False)
        users = {u["name"]: u["id"] for u in getattr(self, "users", [])}
        return ok, users.get(name)

    def assign_member(self) -> None:
        device = self.selected_device()
        if device is None:
            QMessageBox.information(self, _("Devices"),
                                    _("Choose a member laptop in the list first."))
            return
        ok, user_id = self.ask_member(device)
        if ok:
            self.context.writer.write(lambda ws: ws.sync.assign_member(device.device, user_id),
                                      lambda _r: self.refresh(),
                                      lambda e: tasks.show_failure(self, e))

    def confirm_retire(self, device) -> bool:
        return QMessageBox.question(self, _("Retire a laptop"), _(
            "Retire {laptop}? It will receive no more packages, and nothing made on it from "
            "now on will be taken by any laptop of the commune. Use this for a lost or "
            "replaced laptop.").format(laptop=device.name)) == QMessageBox.StandardButton.Yes

    def retire_device(self) -> None:
        device = self.selected_device()
        if device is None:
            QMessageBox.information(self, _("Devices"),
                                    _("Choose a member laptop in the list first."))
            return
        if self.confirm_retire(device):
            self.context.writer.write(lambda ws: ws.sync.retire_device(device.device),
                                      lambda _r: self.refresh(),
                                      lambda e: tasks.show_failure(self, e))

    def _registered(self, made) -> None:
        self.status.setText(_("Setup file saved: {path}. Load it on the member laptop when "
                              "fieldapp starts there for the first time.").format(path=made.path))
        self.refresh()

    def retranslate(self) -> None:
        self.create_button.setText(_("Create the commune's sync identity"))
        self.register_button.setText(_("Register a member laptop…"))
        self.assign_button.setText(_("Assign a team member…"))
        self.retire_button.setText(_("Retire this laptop…"))
        self.model.retranslate()
        self.refresh()


class HistoryModel(RowTableModel):
    columns = (
        Column(lambda: _("Imported"), lambda r: stored_time(r["imported_at"])),
        Column(lambda: _("File"), lambda r: r["file"] or ""),
        Column(lambda: _("From"), lambda r: r["source_name"]),
        Column(lambda: _("Changes"), lambda r: fmt_int(r["counts"].get("entries", 0)),
               align_right=True),
        Column(lambda: _("New records"), lambda r: fmt_int(sum(r["counts"].get("new", {}).values())),
               align_right=True),
        # Changes whose author was not allowed to make them (fieldapp.core.authority).
        Column(lambda: _("Left out"), lambda r: fmt_int(r["counts"].get("refused_count", 0)),
               align_right=True),
    )


class HistoryTab(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.model = HistoryModel(parent=self)
        self.table = table_view()
        self.table.setObjectName("import_history")
        self.table.setModel(self.model)
        self.empty = EmptyState()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty, 1)
        self.retranslate()

    def refresh(self) -> None:
        def read(ws):
            names = {d.device: d.name for d in ws.sync.devices()}
            rows = ws.sync.history()
            for row in rows:
                row["source_name"] = names.get(row["source_device"], row["source_device"][:8])
            return rows

        self.context.reader.request("sync_history", read, self._loaded)

    def _loaded(self, rows) -> None:
        self.model.set_rows(rows)
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)

    def retranslate(self) -> None:
        self.empty.setText(_("No package has been imported on this laptop yet."))
        self.model.retranslate()
        self.refresh()
