"""image, audio, video and file questions: a file chosen from disk, shown by name (a picture
with a small preview), replaced or removed.

The editor only picks the file: ``file_chosen(path, file on disk)`` goes to the form view,
which has the survey service read and check it (size, type) and shows a refusal beside the
question. The answer is the stored file name, as ODK Collect stores it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from fieldapp.core.forms.attachments import ACCEPTED_SUFFIXES, MAX_ATTACHMENT_BYTES
from fieldapp.i18n.catalog import _
from fieldapp.ui.forms.editors.base import FieldEditor

PREVIEW_SIZE = 160


def _kind_text(kind: str) -> str:
    return {"image": _("Pictures"), "audio": _("Sound recordings"), "video": _("Videos")}.get(
        kind, _("All files"))


class FileEditor(FieldEditor):
    """A file answering the question: its name, a preview of a picture, choose and remove."""

    file_chosen = Signal(str, str)
    """(question path, path of the file chosen on disk)."""

    def __init__(self, path: str, field_type: str, parent: QWidget | None = None):
        super().__init__(path, field_type, parent)
        self.preview = QLabel(self)
        self.preview.setObjectName(f"preview:{path}")
        self.preview.setFixedSize(PREVIEW_SIZE, PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("border: 1px solid #bbb; background: #f4f4f4;")
        self.preview.setVisible(False)
        self.name = QLabel(self)
        self.name.setObjectName(f"file:{path}")
        self.name.setWordWrap(True)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.choose = QPushButton(self)
        self.choose.setObjectName(f"choose:{path}")
        self.choose.clicked.connect(self._on_choose)
        self.remove = QPushButton(self)
        self.remove.setObjectName(f"remove:{path}")
        self.remove.clicked.connect(self._on_remove)
        self.limit = QLabel(self)
        self.limit.setStyleSheet("color: #555;")
        self.limit.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        self.input_area.addWidget(self.preview)
        self.input_area.addWidget(self.name)
        self.input_area.addLayout(buttons)
        self.input_area.addWidget(self.limit)
        self._value = ""
        self.retranslate()

    def retranslate(self) -> None:
        self.choose.setText(_("&Choose a file…") if not self._value else _("&Replace the file…"))
        self.remove.setText(_("Remove the file"))
        suffixes = ACCEPTED_SUFFIXES.get(self.field_type, ())
        kinds = ", ".join(s.lstrip(".").upper() for s in suffixes) if suffixes else ""
        limit = MAX_ATTACHMENT_BYTES // 1024 // 1024
        self.limit.setText(_("{kinds}, at most {limit} MB.").format(kinds=kinds, limit=limit)
                           if kinds else _("Any file, at most {limit} MB.").format(limit=limit))
        self._show_name()

    def choose_file(self) -> str:
        """Ask for a file (tests replace this); '' when cancelled."""
        suffixes = ACCEPTED_SUFFIXES.get(self.field_type, ())
        pattern = " ".join(f"*{s}" for s in suffixes)
        filters = f"{_kind_text(self.field_type)} ({pattern})" if pattern else _kind_text("file")
        chosen, _filter = QFileDialog.getOpenFileName(self, _("Choose a file"), "", filters)
        return chosen

    def _on_choose(self) -> None:
        chosen = self.choose_file()
        if chosen:
            self.file_chosen.emit(self.path, chosen)

    def _on_remove(self) -> None:
        self._value = ""
        self.set_preview(None)
        self._show_name()
        self._set_local_error("")
        self._emit(None)

    def show_refusal(self, message: str) -> None:
        """Show why the chosen file was refused, beside the question."""
        self._set_local_error(message)

    def set_preview(self, content: bytes | None) -> None:
        """A small picture of an image answer (None: no preview)."""
        pixmap = QPixmap()
        if content and self.field_type == "image" and pixmap.loadFromData(content):
            self.preview.setPixmap(pixmap.scaled(
                PREVIEW_SIZE, PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
            self.preview.setVisible(True)
        else:
            self.preview.clear()
            self.preview.setVisible(False)

    def _show_name(self) -> None:
        self.name.setText(self._value or _("No file yet."))
        self.remove.setVisible(bool(self._value))
        self.choose.setText(_("&Choose a file…") if not self._value else _("&Replace the file…"))

    def _show_value(self, value: str) -> None:
        if value != self._value:
            self._value = value
            if not value:
                self.set_preview(None)
        if value:
            self._local_error = ""
            self._update_error()
        self._show_name()

    def focus_chain(self) -> list[QWidget]:
        return [self.choose, self.remove]

    def enter_widgets(self) -> list[QWidget]:
        return []
