"""Settings' "Security and backups" group: the lock time, one's own PIN, backups and restore.

A restore replaces the database with a backup of it (commune staff; a copy of the database is
taken first); the app then asks everyone to sign in again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
                               QVBoxLayout, QWidget)

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.widgets import MutedLabel, table_view

def reason_label(reason: str) -> str:
    labels = {"daily": _("Daily"), "import": _("Before an import"),
              "migration": _("Before an update"), "manual": _("Made by hand"),
              "restore": _("Before a restore"), "erasure": _("After an erasure")}
    return labels.get(reason, reason)


def when_text(info) -> str:
    return info.taken_at.astimezone().strftime("%d/%m/%Y %H:%M")


class BackupsModel(RowTableModel):
    def __init__(self, parent=None):
        super().__init__((), parent)
        self.columns = (
            Column(lambda: _("Made"), lambda r: when_text(r["info"])),
            Column(lambda: _("Why"), lambda r: reason_label(r["info"].reason)),
            Column(lambda: _("Size (KB)"), lambda r: fmt_int(round(r["info"].size / 1024)),
                   align_right=True),
        )


class RestoreDialog(QDialog):
    """Choose a backup (or a backup file) to restore."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.chosen: Path | None = None
        self.setObjectName("restore_dialog")
        self.setWindowTitle(_("Restore a backup"))
        self.resize(620, 420)
        self.model = BackupsModel(self)
        self.model.set_rows([{"info": b} for b in context.workspace.backups.list()])
        self.table = table_view()
        self.table.setObjectName("backups_table")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        if self.model.rowCount():
            self.table.selectRow(0)
        intro = MutedLabel(_("The database goes back to the moment of the backup: what was "
                             "recorded after it is lost (a copy of the database as it is now "
                             "is kept first). Everyone signs in again afterwards."))
        buttons = QDialogButtonBox()
        restore = buttons.addButton(_("Restore the chosen backup"),
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        restore.setObjectName("restore_chosen")
        from_file = buttons.addButton(_("From a file…"), QDialogButtonBox.ButtonRole.ActionRole)
        cancel = buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        restore.clicked.connect(self._restore_chosen)
        from_file.clicked.connect(self._from_file)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def _restore_chosen(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            return
        self.chosen = self.model.data(index, RowRole)["info"].path
        self.accept()

    def _from_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("A backup of this database"), "", _("Backups (*.bak);;All files (*)"))
        if path:
            self.chosen = Path(path)
            self.accept()


class SafetyBox(QGroupBox):
    """See the module docstring."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.setObjectName("security_box")
        self.lock_label = QLabel()
        self.lock = QComboBox()
        self.lock.setObjectName("idle_lock_minutes")
        for minutes in context.workspace.setting_choices("idle_lock_minutes"):
            self.lock.addItem("", minutes)
        self.lock.setCurrentIndex(max(0, self.lock.findData(
            context.workspace.setting("idle_lock_minutes"))))
        self.lock.currentIndexChanged.connect(self._on_lock)
        self.pin_button = QPushButton()
        self.pin_button.setObjectName("change_pin")
        self.pin_button.clicked.connect(self.change_pin)
        self.pin_button.setEnabled(context.workspace.session is not None)
        self.backup_state = QLabel()
        self.backup_state.setObjectName("backup_state")
        self.backup_state.setTextFormat(Qt.TextFormat.PlainText)
        self.backup_button = QPushButton()
        self.backup_button.setObjectName("back_up_now")
        self.backup_button.clicked.connect(self.back_up)
        self.restore_button = QPushButton()
        self.restore_button.setObjectName("restore_backup")
        self.restore_button.clicked.connect(self.restore)
        session = context.workspace.session
        self.backup_button.setEnabled(session is None or session.is_staff)
        self.restore_button.setEnabled(session is None or session.is_staff)
        self.encryption = MutedLabel()
        self.encryption.setObjectName("encryption_state")
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        lock_row = QHBoxLayout()
        lock_row.addWidget(self.lock)
        lock_row.addSpacing(12)
        lock_row.addWidget(self.pin_button)
        lock_row.addStretch(1)
        form.addRow(self.lock_label, lock_row)
        backup_row = QHBoxLayout()
        backup_row.addWidget(self.backup_state, 1)
        backup_row.addWidget(self.backup_button)
        backup_row.addWidget(self.restore_button)
        self.backups_label = QLabel()
        form.addRow(self.backups_label, backup_row)
        self.retention_label = QLabel()
        self.retention = None
        if session is None or session.is_staff:  # the review lists names: commune staff
            from fieldapp.ui.screens.retention import RetentionRow

            self.retention = RetentionRow(context)
            form.addRow(self.retention_label, self.retention)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.encryption)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(_("Security and backups"))
        self.lock_label.setText(_("Lock after:"))
        for i in range(self.lock.count()):
            minutes = self.lock.itemData(i)
            self.lock.setItemText(i, _("never") if not minutes else
                                  _("{minutes} minutes without use").format(minutes=minutes))
        self.pin_button.setText(_("Change my PIN…"))
        self.backups_label.setText(_("Backups:"))
        self.retention_label.setText(_("Keep records:"))
        if self.retention is not None:
            self.retention.retranslate()
        self.backup_button.setText(_("Back up now"))
        self.restore_button.setText(_("Restore…"))
        self.encryption.setText(
            _("The database and its backups are encrypted; they open only with a PIN.")
            if self.context.workspace.store.encrypted else
            _("This database is not encrypted (the demo, or a laptop without SQLCipher)."))
        self.refresh()

    def refresh(self) -> None:
        try:
            backups = self.context.workspace.backups.list()
        except UserError:
            backups = []
        self.backup_state.setText(
            _("{count} kept, the newest made {when}").format(
                count=fmt_int(len(backups)), when=when_text(backups[0]))
            if backups else _("none yet"))

    def _on_lock(self, _index: int) -> None:
        minutes = self.lock.currentData()
        self.context.writer.write(lambda ws: ws.set_setting("idle_lock_minutes", minutes))
        idle = getattr(self.window(), "idle_lock", None)
        if idle is not None:
            idle.set_minutes(minutes)

    def change_pin(self) -> None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        from fieldapp.ui.signin_dialog import NewPinDialog

        old, ok = QInputDialog.getText(self, _("Change my PIN"), _("Current PIN:"),
                                       QLineEdit.EchoMode.Password)
        if not ok:
            return
        dialog = NewPinDialog(self, title=_("Change my PIN"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        new = dialog.pin()
        self.context.writer.write(lambda ws: ws.change_pin(old, new),
                                  lambda _r: self._say(_("Your PIN was changed.")),
                                  lambda exc: self._say(str(exc), error=True))

    def back_up(self) -> None:
        self.context.writer.write_long(
            lambda ws, _p, _c: ws.backups.back_up("manual"),
            lambda path: (self.refresh(), self._say(_("Backup made: {file}").format(
                file=path.name))),
            lambda exc: self._say(str(exc), error=True), progress=_("Backing up…"))

    def restore(self) -> None:
        dialog = RestoreDialog(self.context, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen is None:
            return
        chosen = dialog.chosen
        window = self.window()
        workspace = self.context.workspace
        try:
            self.context.reader.close()
            self.context.writer.close()
            workspace.backups.restore(chosen)
        except UserError as exc:
            self._say(str(exc), error=True)
            return
        self._say(_("The backup was restored. Sign in again."))
        window.signed_out = True
        window.close()

    def _say(self, text: str, *, error: bool = False) -> None:
        from fieldapp.ui.start import message_box

        message_box(self, QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information,
                    _("Security and backups"), text)
