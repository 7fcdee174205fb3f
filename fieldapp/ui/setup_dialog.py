"""First-run setup of a new database: commune and villages, the first user, the language."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from fieldapp.core import codes
from fieldapp.errors import UserError
from fieldapp.i18n import catalog
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc
from fieldapp.services import auth
from fieldapp.services.setup import SetupRequest, validate
from fieldapp.services.workspace import Workspace
from fieldapp.ui import tasks
from fieldapp.ui.writer import WriteQueue
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.widgets import (Heading, MutedLabel, prefer_width, resize_within_screen,
                                 scrolling)


DEMO_HOUSEHOLDS = 1000
STAFF_ROLE = "commune_staff"


class SetupDialog(QDialog):
    """One dialog, three groups; problems are listed inline under the fields, never in popups."""

    def __init__(self, workspace: Workspace, parent: QWidget | None = None, *,
                 demo_path: Path | None = None, demo_households: int = DEMO_HOUSEHOLDS):
        super().__init__(parent)
        self.workspace = workspace
        self.writer = WriteQueue(workspace, self)
        self.finished.connect(self.writer.close)
        self.user_id: str | None = None
        self.join_pin: str | None = None
        """The PIN the member chose for this laptop when joining a commune."""
        # Offered instead of a real setup when given: open (creating if needed) a demo commune.
        self.demo_path = demo_path
        self.demo_households = demo_households
        self.demo_db: Path | None = None
        self.demo_task = None
        self._tried = False
        self.setObjectName("setup_dialog")
        prefer_width(self, 760)
        resize_within_screen(self, 800, 660)

        self.heading = Heading(factor=1.4)
        self.intro = MutedLabel()

        self.commune_box = QGroupBox()
        self.commune_name = QLineEdit()
        self.commune_name.setObjectName("commune_name")
        self.province = QLineEdit()
        self.province.setObjectName("province")
        self.villages = QPlainTextEdit()
        self.villages.setObjectName("villages")
        self.villages.setTabChangesFocus(True)
        self.villages.setMinimumHeight(110)
        self.commune_name_label, self.province_label, self.villages_label = (
            QLabel(), QLabel(), QLabel())
        commune_form = QFormLayout(self.commune_box)
        commune_form.setHorizontalSpacing(14)
        commune_form.addRow(self.commune_name_label, self.commune_name)
        commune_form.addRow(self.province_label, self.province)
        commune_form.addRow(self.villages_label, self.villages)

        self.user_box = QGroupBox()
        self.user_name = QLineEdit()
        self.user_name.setObjectName("user_name")
        # Whoever sets up the commune is its staff: they add the team members afterwards.
        self.role = QComboBox()
        self.role.setObjectName("role")
        self.role.addItem("", STAFF_ROLE)
        self.role.setEnabled(False)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin_confirm = QLineEdit()
        self.pin_confirm.setObjectName("pin_confirm")
        for edit in (self.pin, self.pin_confirm):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMaxLength(auth.PIN_MAX)
            edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
            edit.setFixedWidth(160)
        self.user_name_label, self.role_label, self.pin_label, self.pin_confirm_label = (
            QLabel(), QLabel(), QLabel(), QLabel())
        self.pin_hint = MutedLabel()
        user_form = QFormLayout(self.user_box)
        user_form.setHorizontalSpacing(14)
        user_form.addRow(self.user_name_label, self.user_name)
        user_form.addRow(self.role_label, self.role)
        pin_row = QHBoxLayout()
        pin_row.addWidget(self.pin)
        pin_row.addSpacing(10)
        pin_row.addWidget(self.pin_hint, 1)
        user_form.addRow(self.pin_label, pin_row)
        user_form.addRow(self.pin_confirm_label, self.pin_confirm)

        self.language_box = QGroupBox()
        self.language = QComboBox()
        self.language.setObjectName("setup_language")
        for code in catalog.INTERFACE_LANGUAGES:
            self.language.addItem(catalog.LANGUAGE_NAMES.get(code, code), code)
        self.language.setCurrentIndex(max(0, self.language.findData(catalog.current_language())))
        self.language_label = QLabel()
        language_form = QFormLayout(self.language_box)
        language_form.setHorizontalSpacing(14)
        language_form.addRow(self.language_label, self.language)

        self.problems = QLabel()
        self.problems.setObjectName("setup_problems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #b3261e;")
        self.problems.setVisible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.demo_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ResetRole)
        self.demo_button.setObjectName("open_demo")
        self.demo_button.setVisible(demo_path is not None)
        self.demo_button.clicked.connect(self.open_demo)
        self.join_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.join_button.setObjectName("join_commune")
        self.join_button.clicked.connect(self.join_commune)
        self.joined = False
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(12)
        for widget in (self.heading, self.intro, self.commune_box, self.user_box,
                       self.language_box, self.problems):
            column.addWidget(widget)
        column.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 16, 16)
        layout.setSpacing(12)
        layout.addWidget(scrolling(body), 1)  # scrolls on a short screen
        layout.addWidget(self.buttons)

        for edit in (self.commune_name, self.province, self.user_name, self.pin, self.pin_confirm):
            edit.textChanged.connect(self._revalidate)
        self.villages.textChanged.connect(self._revalidate)
        self.role.currentIndexChanged.connect(self._revalidate)
        self.language.currentIndexChanged.connect(self._on_language_chosen)
        catalog.on_language_changed(self._on_catalog_language)
        self.finished.connect(lambda _result: catalog.remove_listener(self._on_catalog_language))
        self.retranslate()

    # -- input ----------------------------------------------------------------------------------
    def request(self) -> SetupRequest:
        """The form as a SetupRequest, every text in NFC."""
        villages = [nfc(line).strip() for line in self.villages.toPlainText().splitlines()]
        return SetupRequest(
            commune_name=nfc(self.commune_name.text()).strip(),
            province=nfc(self.province.text()).strip(),
            villages=[v for v in villages if v],
            user_name=nfc(self.user_name.text()).strip(),
            role=self.role.currentData(),
            pin=nfc(self.pin.text()).strip(),
            language=self.language.currentData(),
        )

    def current_problems(self) -> list[str]:
        request = self.request()
        problems = validate(request)
        pin_ok = auth.pin_problem(request.pin) is None
        # Only a well-formed PIN can be mismatched; otherwise one message is enough.
        if pin_ok and nfc(self.pin_confirm.text()).strip() != request.pin:
            problems.append(_("The two PINs are different; type the same PIN twice."))
        return problems

    def _show_problems(self, problems: list[str]) -> None:
        self.problems.setText("\n".join(f"• {p}" for p in problems))
        self.problems.setVisible(bool(problems))

    def _revalidate(self, *_args) -> None:
        # Problems appear after the first attempt, then follow the typing.
        if self._tried:
            self._show_problems(self.current_problems())

    def submit(self) -> None:
        """Validate; if all is well, run the setup in one transaction and close the dialog."""
        self._tried = True
        problems = self.current_problems()
        self._show_problems(problems)
        if problems:
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self.buttons.setEnabled(False)
        request = self.request()
        self.writer.write(lambda ws: ws.run_setup(request), self._setup_done,
                          self._setup_failed, parent=self)

    def _setup_done(self, user_id: str) -> None:
        QGuiApplication.restoreOverrideCursor()
        self.buttons.setEnabled(True)
        self.user_id = user_id
        self.accept()

    def _setup_failed(self, exc: BaseException) -> None:
        QGuiApplication.restoreOverrideCursor()
        self.buttons.setEnabled(True)
        if not isinstance(exc, UserError):
            tasks.log.error("setting up the database failed", exc_info=exc)
        self._show_problems([tasks.error_message(exc)])

    # -- a member laptop joins its commune -------------------------------------------------------
    def ask_setup_file(self) -> Path | None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("The setup file from the commune"), "",
            _("fieldapp setup files (*.fieldsetup);;All files (*)"))
        return Path(path) if path else None

    def ask_member(self, commune: str, members: list[tuple[str, str]]) -> str | None:
        """Who uses this laptop, among the commune's team (id)."""
        names = [name for _id, name in members]
        name, ok = QInputDialog.getItem(
            self, _("Who uses this laptop?"),
            _("Team members of {commune}:").format(commune=commune), names, 0, False)
        if not ok:
            return None
        return dict((n, i) for i, n in members).get(name)

    def ask_new_pin(self) -> str | None:
        """The PIN the member chooses for this laptop (typed twice)."""
        from fieldapp.ui.signin_dialog import NewPinDialog

        dialog = NewPinDialog(self)
        return dialog.pin() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def join_commune(self) -> None:
        """Make this new laptop a member laptop of a commune, with the commune's setup file."""
        path = self.ask_setup_file()
        if path is None:
            return
        try:
            preview = self.workspace.sync.preview_setup(path)
        except UserError as exc:
            self._show_problems([str(exc)])
            return
        user_id = preview.user_id or self.ask_member(preview.commune, preview.members)
        if user_id is None:
            return
        pin = self.ask_new_pin()
        if pin is None:
            return
        self.join_pin = pin
        self.user_id = user_id
        self.buttons.setEnabled(False)
        self.writer.write(lambda ws: ws.sync.join(path, user_id), self._joined,
                          self._setup_failed, parent=self)

    def _joined(self, _setup) -> None:
        self.buttons.setEnabled(True)
        self.joined = True
        self.accept()

    # -- demo ----------------------------------------------------------------------------------
    def open_demo(self) -> None:
        """Use the demo commune instead, creating it in the background (progress, Cancel)."""
        if self.demo_path is None:
            return
        if self.demo_path.exists():
            self._demo_ready(self.demo_path)
            return
        from fieldapp.services.demo import create_demo

        path, households = self.demo_path, self.demo_households
        self.demo_button.setEnabled(False)
        self.demo_task = tasks.run_in_background(
            lambda progress, cancelled: create_demo(path, households=households, seed=1,
                                                    progress=progress, cancelled=cancelled),
            lambda _summary: self._demo_ready(path), self._demo_failed,
            progress=_("Creating the demo commune…"), cancellable=True, parent=self,
            steps=lambda done, total: _("{done} of {total} households").format(
                done=fmt_int(done), total=fmt_int(total)))

    def _demo_ready(self, path: Path) -> None:
        self.demo_db = path
        self.accept()

    def _demo_failed(self, exc: BaseException) -> None:
        from fieldapp.services.demo import DemoCancelled

        self.demo_button.setEnabled(True)
        if isinstance(exc, DemoCancelled):
            return
        if not isinstance(exc, UserError):
            tasks.log.error("creating the demo commune failed", exc_info=exc)
        self._show_problems([tasks.error_message(exc)])

    # -- language -------------------------------------------------------------------------------
    def _on_language_chosen(self, _index: int) -> None:
        language = self.language.currentData()
        if language and language != catalog.current_language():
            catalog.set_language(language)

    def _on_catalog_language(self, _language: str) -> None:
        if shiboken6.isValid(self):
            self.retranslate()
        else:
            catalog.remove_listener(self._on_catalog_language)

    def retranslate(self) -> None:
        self.setWindowTitle(_("Set up fieldapp"))
        self.heading.setText(_("Welcome! Let us set up this laptop."))
        self.intro.setText(_("Enter your commune and its villages, then yourself as the first "
                             "user. You can add more team members later."))
        self.commune_box.setTitle(_("Commune"))
        self.commune_name_label.setText(_("Commune name:"))
        self.commune_name.setPlaceholderText(_("for example: Xã Tân Thành"))
        self.province_label.setText(_("Province:"))
        self.province.setPlaceholderText(_("for example: Lạng Sơn"))
        self.villages_label.setText(_("Villages:"))
        self.villages.setPlaceholderText(_("One village (thôn, bản) per line, for example:\n"
                                           "Thôn Nà Lầu\nBản Khuông"))
        self.user_box.setTitle(_("First user"))
        self.user_name_label.setText(_("Your name:"))
        self.role_label.setText(_("Role:"))
        for i in range(self.role.count()):
            self.role.setItemText(i, _(codes.ROLES[self.role.itemData(i)]))
        self.pin_label.setText(_("PIN:"))
        self.pin_confirm_label.setText(_("Repeat the PIN:"))
        self.pin_hint.setText(_("6 to 12 digits. Keep it to yourself: it unlocks the "
                                "commune's data on this laptop."))
        self.language_box.setTitle(_("Language"))
        self.language_label.setText(_("Interface language:"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Set up"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.demo_button.setText(_("Try the demo commune"))
        self.join_button.setText(_("Join a commune with its setup file…"))
        self.join_button.setToolTip(_("For a member's laptop: commune staff give you a setup "
                                      "file made on the commune's laptop"))
        self.demo_button.setToolTip(_("Opens a made-up commune to practise with. "
                                      "Nothing you do there mixes with real records."))
        self._revalidate()
