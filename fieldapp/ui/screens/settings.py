"""Settings: interface language (applied at once), text size, and where the data lives."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel,
                               QSizePolicy, QVBoxLayout, QWidget)

from fieldapp import paths
from fieldapp.i18n import catalog
from fieldapp.i18n.catalog import _
from fieldapp.ui import fonts
from fieldapp.ui.context import AppContext
from fieldapp.ui.widgets import Heading, MutedLabel



class SettingsScreen(QWidget):
    """Preferences of this laptop."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.heading = Heading(factor=1.4)

        self.language_box = QGroupBox()
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.setMinimumWidth(220)
        self.language.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        for code in catalog.INTERFACE_LANGUAGES:
            # Autonyms, never translated: a user in the wrong language must find theirs.
            self.language.addItem(catalog.LANGUAGE_NAMES.get(code, code), code)
        self.language_label = QLabel()
        self.large_text = QCheckBox()
        self.large_text.setObjectName("large_text")
        self.language_hint = MutedLabel()
        form = QFormLayout(self.language_box)
        form.setHorizontalSpacing(16)
        form.addRow(self.language_label, self.language)
        form.addRow("", self.large_text)
        form.addRow("", self.language_hint)

        self.about_box = QGroupBox()
        self.about_form = QFormLayout(self.about_box)
        self.about_form.setHorizontalSpacing(16)
        self.about_form.setVerticalSpacing(8)
        self.device_label, self.device_value = QLabel(), _value_label()
        self.device_id_label, self.device_id_value = QLabel(), _value_label()
        self.db_label, self.db_value = QLabel(), _value_label()
        self.data_label, self.data_value = QLabel(), _value_label()
        for label, value in ((self.device_label, self.device_value),
                             (self.device_id_label, self.device_id_value),
                             (self.db_label, self.db_value), (self.data_label, self.data_value)):
            self.about_form.addRow(label, value)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.setSpacing(14)
        layout.addWidget(self.heading)
        layout.addWidget(self.language_box)
        layout.addWidget(self.about_box)
        layout.addStretch(1)
        for box in (self.language_box, self.about_box):
            box.setMaximumWidth(900)

        self._sync_controls()
        self.language.currentIndexChanged.connect(self._on_language_chosen)
        self.large_text.toggled.connect(self._on_large_text)
        self.retranslate()

    def _sync_controls(self) -> None:
        self.language.blockSignals(True)
        index = self.language.findData(catalog.current_language())
        self.language.setCurrentIndex(max(0, index))
        self.language.blockSignals(False)
        self.large_text.blockSignals(True)
        self.large_text.setChecked(self.context.font_scale() > 1.0)
        self.large_text.blockSignals(False)

    def _on_language_chosen(self, _index: int) -> None:
        language = self.language.currentData()
        if language and language != catalog.current_language():
            self.context.set_language(language)

    def _on_large_text(self, checked: bool) -> None:
        scale = fonts.FONT_SCALES[1] if checked else fonts.FONT_SCALES[0]
        self.context.set_font_scale(scale)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            fonts.apply_app_font(app, scale)

    def refresh(self) -> None:
        self._sync_controls()
        self.retranslate()

    def retranslate(self) -> None:
        store = self.context.store
        self.heading.setText(_("Settings"))
        self.language_box.setTitle(_("Display"))
        self.language_label.setText(_("Interface language:"))
        self.large_text.setText(_("Large text (easier to read)"))
        self.language_hint.setText(_("The change applies at once; nothing you typed is lost. "
                                     "Survey questions follow the language of each form."))
        self.about_box.setTitle(_("This laptop and its data"))
        self.device_label.setText(_("Device name:"))
        self.device_value.setText(store.device_name)
        self.device_id_label.setText(_("Device ID:"))
        self.device_id_value.setText(store.device_id)
        self.db_label.setText(_("Database file:"))
        self.db_value.setText(str(store.path) if store.path else _("(in memory)"))
        self.data_label.setText(_("Data folder:"))
        self.data_value.setText(str(paths.data_dir()))
        self._sync_controls()


def _value_label() -> QLabel:
    label = QLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label
