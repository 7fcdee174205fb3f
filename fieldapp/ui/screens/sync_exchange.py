"""Sync, "Send and receive": export a package (to a folder or straight to a USB stick) and
import packages (a dry run first, then Apply), with progress and Cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStorageInfo
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget)

from fieldapp import host
from fieldapp.i18n.catalog import _
from fieldapp.services.sync.messages import refused_lines
from fieldapp.ui import tasks
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.models import Column, RowTableModel
from fieldapp.ui.widgets import MutedLabel, table_view


def removable_drives() -> list[tuple[str, str]]:
    """(folder, name) of mounted drives a package can be written to straight away: USB sticks
    and memory cards (mounted under /media, /run/media or /mnt; other drive letters than the
    system's on Windows)."""
    drives = []
    for volume in QStorageInfo.mountedVolumes():
        if not volume.isValid() or not volume.isReady() or volume.isReadOnly():
            continue
        root = volume.rootPath()
        if host.host().removable_root(root):
            drives.append((root, volume.displayName() or root))
    return drives


def file_steps(done: int, total: int) -> str:
    """The import's steps in words: it counts a thousand per file (services.sync)."""
    if total < 1000 or total % 1000:
        return tasks.count_steps(done, total)
    files = total // 1000
    return _("file {number} of {files}").format(number=fmt_int(min(files, done // 1000 + 1)),
                                                files=fmt_int(files))


def _sum(counts: dict[str, int]) -> int:
    return sum(counts.values())


class ReportModel(RowTableModel):
    """One row per package of an import (dry run or applied)."""

    columns = (
        Column(lambda: _("File"), lambda r: r["file"]),
        Column(lambda: _("New"), lambda r: fmt_int(_sum(r["new"])), align_right=True),
        Column(lambda: _("Updated"), lambda r: fmt_int(_sum(r["updated"])), align_right=True),
        Column(lambda: _("Unchanged"), lambda r: fmt_int(r["unchanged"]), align_right=True),
        Column(lambda: _("Conflicts"), lambda r: fmt_int(r["conflicts"]), align_right=True),
        Column(lambda: _("Probable duplicates"), lambda r: fmt_int(r["duplicates"]),
               align_right=True),
        Column(lambda: _("Result"), lambda r: r["result"]),
    )


def _result_text(report) -> str:
    if report.status == "refused":
        return _("Refused: {reason}").format(reason=report.message)
    if report.status == "already":
        return _("Already imported; nothing changed.")
    text = _("Ready to apply") if report.status == "dry_run" else _("Applied")
    return "\n".join([" ".join([text, *report.notes]), *refused_lines(report)])



class ExchangeTab(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.files: list[Path] = []
        self.last_export = None
        self.last_reports: list = []

        self.export_box = QGroupBox()
        self.destination = QComboBox()
        self.destination.setObjectName("export_destination")
        self.full = QCheckBox()
        self.full.setObjectName("export_full")
        self.pending = MutedLabel()
        self.save_button = QPushButton()
        self.save_button.setObjectName("export_to_folder")
        self.save_button.clicked.connect(self.export_to_folder)
        self.drive_buttons = QHBoxLayout()
        self.export_result = QLabel()
        self.export_result.setObjectName("export_result")
        self.export_result.setWordWrap(True)
        row = QHBoxLayout()
        self.destination_label = QLabel()
        row.addWidget(self.destination_label)
        row.addWidget(self.destination, 1)
        row.addWidget(self.full)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addLayout(self.drive_buttons)
        buttons.addStretch(1)
        box = QVBoxLayout(self.export_box)
        box.addLayout(row)
        box.addWidget(self.pending)
        box.addLayout(buttons)
        box.addWidget(self.export_result)

        self.import_box = QGroupBox()
        self.choose_files = QPushButton()
        self.choose_files.setObjectName("import_files")
        self.choose_files.clicked.connect(self.choose_import_files)
        self.choose_folder = QPushButton()
        self.choose_folder.setObjectName("import_folder")
        self.choose_folder.clicked.connect(self.choose_import_folder)
        self.apply_button = QPushButton()
        self.apply_button.setObjectName("import_apply")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.import_hint = MutedLabel()
        self.reports = ReportModel(parent=self)
        self.table = table_view()
        self.table.setObjectName("import_reports")
        self.table.setModel(self.reports)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in range(1, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        import_buttons = QHBoxLayout()
        import_buttons.addWidget(self.choose_files)
        import_buttons.addWidget(self.choose_folder)
        import_buttons.addStretch(1)
        import_buttons.addWidget(self.apply_button)
        box = QVBoxLayout(self.import_box)
        box.addWidget(self.import_hint)
        box.addLayout(import_buttons)
        box.addWidget(self.table, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.export_box)
        layout.addWidget(self.import_box, 1)
        self.retranslate()

    # -- export ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.context.reader.request("sync_exchange", lambda ws: (ws.sync.status(),
                                                                 ws.sync.devices()),
                                    self._show_status)

    def _show_status(self, result: tuple[Any, list]) -> None:
        status, devices = result
        current = self.destination.currentData()
        self.destination.clear()
        for device in devices:
            if device.kind == "hub":
                label = (_("The commune ({name})").format(name=device.name)
                         if not status.is_hub else _("The province ({name})").format(
                             name=device.name))
                self.destination.addItem(label, None if not status.is_hub else "province")
        for device in devices:
            if device.kind == "member" and not device.retired:  # a retired one receives nothing
                who = f" – {device.user_name}" if device.user_name else ""
                self.destination.addItem(f"{device.name}{who}", device.device)
        index = self.destination.findData(current)
        self.destination.setCurrentIndex(max(0, index))
        can_export = self.destination.count() > 0
        for widget in (self.destination, self.full, self.save_button):
            widget.setEnabled(can_export)
        if not can_export:
            self.pending.setText(_("This laptop does not exchange packages yet: a member laptop "
                                   "joins its commune with a setup file; commune staff "
                                   "register devices under Devices."))
        elif status.joined and not status.is_hub:
            self.pending.setText(_("{count} changes made on this laptop are not yet confirmed "
                                   "by the commune.").format(
                count=fmt_int(status.own_unacknowledged)))
        else:
            self.pending.setText(_("A package holds what the receiving laptop has not confirmed "
                                   "yet; tick “everything” to send it all again."))
        self._fill_drives()

    def _fill_drives(self) -> None:
        while self.drive_buttons.count():
            item = self.drive_buttons.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for root, name in removable_drives():
            button = QPushButton(_("Save to {drive}").format(drive=name))
            button.setEnabled(self.save_button.isEnabled())
            button.clicked.connect(lambda _checked=False, r=root: self.export_to(Path(r)))
            self.drive_buttons.addWidget(button)

    def ask_folder(self) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self, _("Save the package in"))
        return Path(folder) if folder else None

    def export_to_folder(self) -> None:
        folder = self.ask_folder()
        if folder is not None:
            self.export_to(folder)

    def export_to(self, folder: Path) -> None:
        to, full = self.destination.currentData(), self.full.isChecked()
        self.export_result.setText("")
        self.context.writer.write_long(
            lambda ws, progress, cancelled: ws.sync.export(folder, to=to, full=full,
                                                           progress=progress,
                                                           cancelled=cancelled),
            self._exported, self._failed, progress=_("Writing the package…"), cancellable=True,
            parent=self, steps=lambda done, total: _("{done} of {total} changes written").format(
                done=fmt_int(done), total=fmt_int(total)))

    def _exported(self, result) -> None:
        self.last_export = result
        self.export_result.setText(_("Saved {path}: {count} changes, {size} KB. Take it to the "
                                     "other laptop and import it there.").format(
            path=result.path, count=fmt_int(result.entries),
            size=fmt_int(round(result.size / 1024))))
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        tasks.show_failure(self, exc)

    # -- import ---------------------------------------------------------------------------------
    def ask_files(self) -> list[Path]:
        files, _filter = QFileDialog.getOpenFileNames(
            self, _("Packages to import"), "", _("fieldapp packages (*.fieldsync)"))
        return [Path(f) for f in files]

    def choose_import_files(self) -> None:
        self.check(self.ask_files())

    def choose_import_folder(self) -> None:
        folder = self.ask_folder()
        if folder is not None:
            self.check([folder])

    def check(self, files: list[Path]) -> None:
        """Dry run: what importing these files would do (nothing is changed)."""
        if not files:
            return
        self.files = list(files)
        self.apply_button.setEnabled(False)
        self.context.writer.write_long(
            lambda ws, progress, cancelled: ws.sync.import_files(
                self.files, dry_run=True, progress=progress, cancelled=cancelled),
            self._checked, self._failed, progress=_("Checking the packages…"), cancellable=True,
            parent=self, steps=file_steps)

    def _show_reports(self, reports: list) -> None:
        self.last_reports = reports
        self.reports.set_rows([{"file": r.file.name, "new": r.new, "updated": r.updated,
                                "unchanged": r.unchanged, "conflicts": r.conflicts,
                                "duplicates": r.duplicates, "result": _result_text(r)}
                               for r in reports])
        self.table.resizeRowsToContents()

    def _checked(self, reports: list) -> None:
        self._show_reports(reports)
        self.apply_button.setEnabled(any(r.status == "dry_run" for r in reports))

    def apply(self) -> None:
        self.apply_button.setEnabled(False)
        self.context.writer.write_long(
            lambda ws, progress, cancelled: ws.sync.import_files(
                self.files, dry_run=False, progress=progress, cancelled=cancelled),
            self._applied, self._failed, progress=_("Importing the packages…"),
            cancellable=True, parent=self, steps=file_steps)

    def _applied(self, reports: list) -> None:
        self._show_reports(reports)
        self.refresh()

    def retranslate(self) -> None:
        self.export_box.setTitle(_("Send: write a package"))
        self.destination_label.setText(_("For:"))
        self.full.setText(_("Everything (not only what is new)"))
        self.save_button.setText(_("Save in a folder…"))
        self.import_box.setTitle(_("Receive: import packages"))
        self.import_hint.setText(_("Choose the packages (from a USB stick or a file received "
                                   "over Zalo). fieldapp first shows what they would change; "
                                   "nothing is changed until you press Apply."))
        self.choose_files.setText(_("Choose files…"))
        self.choose_folder.setText(_("Choose a folder…"))
        self.apply_button.setText(_("Apply"))
        self.reports.retranslate()
        self.refresh()
