"""Signing in: who uses the laptop and their PIN; a new PIN; the recovery code; the lock.

Every text here is plain text (never rich text): names come from the database.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QVBoxLayout, QWidget)

from fieldapp.core import codes
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.services import auth
from fieldapp.ui.formatting import code_label
from fieldapp.ui.widgets import (Heading, MutedLabel, names_combo, ok_cancel, prefer_width,
                                 set_placeholder)

ERROR_STYLE = "color: #b3261e;"
CODE_SHAPE = "-".join(["XXXX"] * 6)  # the shape of a recovery code, not words


def _qt():
    """PySide6's ``Qt`` namespace, fetched when first needed: creating its Python enums costs
    ~25 ms, which the sign-in dialog's first frame (the first frame of the app) does without."""
    from PySide6.QtCore import Qt

    return Qt


def _pin_edit(name: str, *, digits_now: bool = True) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(auth.PIN_MAX)
    if digits_now:
        _digits_only(edit)
    edit.setFixedWidth(180)
    return edit


def _digits_only(edit: QLineEdit) -> None:
    edit.setInputMethodHints(_qt().InputMethodHint.ImhDigitsOnly)  # a digit keypad on tablets


def pin_pair_problem(first: QLineEdit, second: QLineEdit) -> str | None:
    """What is wrong with a new PIN typed twice (None when it is good)."""
    problem = auth.pin_problem(first.text())
    if problem is None and first.text().strip() != second.text().strip():
        problem = _("The two PINs are different; type the same PIN twice.")
    return problem


def _plain_label(object_name: str = "", error: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(_qt().TextFormat.PlainText)
    label.setWordWrap(True)
    if object_name:
        label.setObjectName(object_name)
    if error:
        label.setStyleSheet(ERROR_STYLE)
    return label


class SignInDialog(QDialog):
    """Choose who you are, type your PIN. ``workspace`` holds the signed-in workspace after
    acceptance; wrong PINs slow down (fieldapp.services.auth)."""

    def __init__(self, db_path: Path, info: auth.SignInInfo, parent: QWidget | None = None, *,
                 demo_hint: str | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.info = info
        self.workspace = None
        self.damaged: auth.DamagedDatabase | None = None
        self.setObjectName("signin_dialog")
        self.setWindowTitle(_("Sign in – fieldapp"))
        prefer_width(self, 520)
        self.heading = Heading(_("Sign in"), factor=1.4)
        self.intro = MutedLabel(_("Choose your name and type your PIN."))
        self.user = names_combo("signin_user")
        for user in info.users:
            self.user.addItem(f"{user['name']} – {code_label(codes.ROLES, user['role'])}",
                              user["user_id"])
        if info.last_user:
            self.user.setCurrentIndex(max(0, self.user.findData(info.last_user)))
        self.pin = _pin_edit("signin_pin", digits_now=False)  # after the first frame
        self._polished = False
        form = QFormLayout()
        form.addRow(_("Who are you?"), self.user)
        form.addRow(_("PIN:"), self.pin)
        self.message = QLabel()  # plain text as soon as it shows anything (_show)
        self.message.setObjectName("signin_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setVisible(False)
        self.hint = MutedLabel(demo_hint or "")
        self.hint.setVisible(bool(demo_hint))
        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton(_("Sign in"),
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setObjectName("signin_button")
        self.forgot_button = self.buttons.addButton(_("Forgot the PIN…"),
                                                    QDialogButtonBox.ButtonRole.ResetRole)
        self.forgot_button.setObjectName("forgot_pin")
        self.forgot_button.setVisible(info.has_recovery)
        quit_button = self.buttons.addButton(_("Quit"), QDialogButtonBox.ButtonRole.RejectRole)
        quit_button.setObjectName("signin_quit")
        self.sign_in_button.clicked.connect(self.submit)
        self.forgot_button.clicked.connect(self.forgot)
        quit_button.clicked.connect(self.reject)
        self.pin.returnPressed.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        for widget in (self.heading, self.intro):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.sign_in_button.setEnabled(True))
        if not info.users:
            self._show(_("Nobody can sign in on this laptop yet."))
            self.sign_in_button.setEnabled(False)

    def _show(self, text: str) -> None:
        self.message.setTextFormat(_qt().TextFormat.PlainText)  # a name is never markup
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        if not self._polished:  # the first frame is up: finish what it did without
            self._polished = True
            QTimer.singleShot(0, lambda: _digits_only(self.pin))

    def submit(self) -> None:
        user_id = self.user.currentData()
        if not user_id or not self.sign_in_button.isEnabled():
            return
        QGuiApplication.setOverrideCursor(_qt().CursorShape.WaitCursor)
        try:
            self.workspace = auth.sign_in(self.db_path, user_id, self.pin.text())
        except auth.SignInDelayed as exc:
            self._wait(exc.seconds, str(exc))
            return
        except auth.DamagedDatabase as exc:
            self.damaged = exc  # the app offers the last good backup
            self.accept()
            return
        except UserError as exc:
            self.pin.clear()
            self._show(str(exc))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()

    def _wait(self, seconds: float, text: str) -> None:
        self._show(text)
        self.sign_in_button.setEnabled(False)
        self._timer.start(int(seconds * 1000) + 100)

    def forgot(self) -> None:
        dialog = RecoveryDialog(self.db_path, self.info, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.workspace = dialog.workspace
            self.accept()


class NewPinDialog(QDialog):
    """A new PIN, typed twice, checked against the PIN policy."""

    def __init__(self, parent: QWidget | None = None, *, title: str | None = None,
                 intro: str | None = None):
        super().__init__(parent)
        self.setObjectName("new_pin_dialog")
        self.setWindowTitle(title or _("Choose your PIN for this laptop"))
        self.first = _pin_edit("new_pin")
        self.second = _pin_edit("new_pin_again")
        self.message = _plain_label("new_pin_message", error=True)
        self.message.setVisible(False)
        form = QFormLayout()
        form.addRow(_("New PIN:"), self.first)
        form.addRow(_("Repeat the PIN:"), self.second)
        buttons = ok_cancel(self, self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(MutedLabel(intro or _("6 to 12 digits, not the same digit repeated "
                                               "and not digits in a row. Keep it to yourself.")))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def pin(self) -> str:
        return self.first.text().strip()

    def submit(self) -> None:
        problem = pin_pair_problem(self.first, self.second)
        if problem:
            self.message.setText(problem)
            self.message.setVisible(True)
            return
        self.accept()


class RecoveryDialog(QDialog):
    """A forgotten PIN of commune staff: the recovery code written down at setup."""

    def __init__(self, db_path: Path, info: auth.SignInInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.workspace = None
        self.setObjectName("recovery_dialog")
        self.setWindowTitle(_("Forgotten PIN"))
        self.code = QLineEdit()
        self.code.setObjectName("recovery_code")
        set_placeholder(self.code, CODE_SHAPE)
        self.user = names_combo("recovery_user")
        for user in info.users:
            if user["role"] == "commune_staff":
                self.user.addItem(user["name"], user["user_id"])
        self.first = _pin_edit("recovery_pin")
        self.second = _pin_edit("recovery_pin_again")
        self.message = _plain_label("recovery_message", error=True)
        self.message.setVisible(False)
        form = QFormLayout()
        form.addRow(_("Recovery code:"), self.code)
        form.addRow(_("Commune staff member:"), self.user)
        form.addRow(_("New PIN:"), self.first)
        form.addRow(_("Repeat the PIN:"), self.second)
        buttons = ok_cancel(self, self.submit, _("Set the new PIN"))
        layout = QVBoxLayout(self)
        layout.addWidget(MutedLabel(_(
            "The recovery code was shown once when this laptop was set up, to be written "
            "down and kept at the commune office, away from the laptop. It sets a new PIN for "
            "a commune staff member; other members get a new PIN from commune staff.")))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def submit(self) -> None:
        problem = pin_pair_problem(self.first, self.second)
        if problem is None and not self.user.currentData():
            problem = _("There is no commune staff member on this laptop.")
        if problem is None:
            try:
                self.workspace = auth.recover(self.db_path, self.code.text(),
                                              self.user.currentData(), self.first.text())
            except UserError as exc:
                problem = str(exc)
        if problem:
            self.message.setText(problem)
            self.message.setVisible(True)
            return
        self.accept()


class RecoveryCodeDialog(QDialog):
    """The recovery code, shown once after the commune's database was encrypted."""

    def __init__(self, code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("recovery_code_dialog")
        self.setWindowTitle(_("Write down the recovery code"))
        prefer_width(self, 600)
        heading = Heading(_("The commune's data on this laptop is now encrypted"), factor=1.2)
        text = _plain_label()
        text.setText(_(
            "It opens only with a team member's PIN. If the only commune staff member forgets "
            "their PIN, this recovery code sets a new one. Write it on paper now and keep it "
            "at the commune office, locked away and never with the laptop: whoever has both "
            "can open the data. It is shown only this once."))
        code_label_ = QLabel(code)
        code_label_.setObjectName("recovery_code_text")
        qt = _qt()
        code_label_.setTextFormat(qt.TextFormat.PlainText)
        code_label_.setTextInteractionFlags(qt.TextInteractionFlag.TextSelectableByMouse)
        font = code_label_.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        font.setFamily("DejaVu Sans Mono")
        code_label_.setFont(font)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("I have written it down"))
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(14)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addWidget(code_label_, alignment=qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(buttons)


class LockDialog(QDialog):
    """The app locked after idle time: the same member's PIN unlocks it."""

    def __init__(self, workspace, parent: QWidget | None = None, *, manual: bool = False):
        super().__init__(parent)
        self.workspace = workspace
        self.signed_out = False
        self.setObjectName("lock_dialog")
        prefer_width(self, 460)
        self.setWindowTitle(_("Locked – fieldapp"))
        name = workspace.session.name if workspace.session else ""
        heading = Heading(_("Locked"), factor=1.3)
        text = _plain_label()
        text.setText((_("fieldapp is locked. {name}, type your PIN to go on, or sign out so "
                        "that another team member can sign in.") if manual else
                      _("fieldapp locked itself after a while without use. {name}, type your "
                        "PIN to go on.")).format(name=name))
        self.pin = _pin_edit("lock_pin")
        self.message = _plain_label("lock_message", error=True)
        self.message.setVisible(False)
        buttons = QDialogButtonBox()
        unlock = buttons.addButton(_("Unlock"), QDialogButtonBox.ButtonRole.AcceptRole)
        unlock.setObjectName("unlock_button")
        sign_out = buttons.addButton(_("Sign out"), QDialogButtonBox.ButtonRole.RejectRole)
        sign_out.setObjectName("sign_out_button")
        unlock.clicked.connect(self.submit)
        sign_out.clicked.connect(self._sign_out)
        self.pin.returnPressed.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addWidget(self.pin)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def submit(self) -> None:
        if self.workspace.confirm_pin(self.pin.text()):
            self.accept()
            return
        self.pin.clear()
        self.message.setText(_("Wrong PIN."))
        self.message.setVisible(True)

    def _sign_out(self) -> None:
        self.signed_out = True
        self.reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        event.ignore()  # only the PIN or signing out leaves the lock
