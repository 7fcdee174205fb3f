"""The label-pack bar of the form view: which language beside Vietnamese, and how the two show;
for a form written in several languages (a partner's form in English, French and Swahili), which
of them the form shows, as ODK Collect's language menu offers.

A pack list ("Vietnamese", "Tày and Vietnamese", ...), a display-mode list (both, pack only,
Vietnamese only) shown once a pack is chosen, and a legend of the marks the pack texts carry.
The bar only offers the choice: it emits :attr:`PackBar.chosen` and the view applies it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLabel, QWidget

from fieldapp.core.forms.labels import FALLBACK_MARK, UNREVIEWED_MARK
from fieldapp.i18n.catalog import _
from fieldapp.i18n.languages import display_name
from fieldapp.i18n.packs import pack_language_name
from fieldapp.i18n.resolution import DisplayMode
from fieldapp.ui.flow import FlowLayout
from fieldapp.ui.fonts import scaled


def _pair(parent: QWidget, label: QLabel, combo: QComboBox) -> QWidget:
    """A label and its list kept on one line."""
    pair = QWidget(parent)
    row = QHBoxLayout(pair)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(label)
    row.addWidget(combo)
    return pair


class PackBar(QWidget):
    """Pack and display-mode lists for ``languages`` (pack codes); ``legend`` is a label of
    its own, for the view to place under the bar."""

    chosen = Signal(object, object)
    """(pack language code or None, DisplayMode) when the person picks from either list."""
    language_chosen = Signal(str)
    """One of the form's own languages (as the workbook names it) was picked."""

    def __init__(self, languages: list[str], parent: QWidget | None = None,
                 form_languages: list[str] = ()):
        super().__init__(parent)
        self.languages = list(languages)
        self.form_languages = list(form_languages)
        self.form_language: str | None = None
        self._pack: str | None = None
        # Each label with its list, the pairs wrapping onto a second line when the window is
        # narrow (twice the text size, a long pack name) instead of pushing the form sideways.
        layout = FlowLayout(self, spacing=6)
        self.language_label = QLabel(self)
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("form_language_combo")
        # as narrow as a short language name: the bar must fit 1000 px at twice the text size
        self.language_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.language_combo.setMinimumContentsLength(7)
        self.language_label.setBuddy(self.language_combo)
        self.language_combo.activated.connect(
            lambda _i: self.language_chosen.emit(self.language_combo.currentData()))
        self.language_pair = _pair(self, self.language_label, self.language_combo)
        layout.addWidget(self.language_pair)
        self.pack_label = QLabel(self)
        self.pack_combo = QComboBox(self)
        self.pack_combo.setObjectName("pack_combo")
        self.pack_label.setBuddy(self.pack_combo)
        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("mode_combo")
        self.pack_combo.activated.connect(self._on_chosen)
        self.mode_combo.activated.connect(self._on_chosen)
        self.pack_pair = _pair(self, self.pack_label, self.pack_combo)
        layout.addWidget(self.pack_pair)
        layout.addWidget(self.mode_combo)
        self.legend = QLabel(parent)
        self.legend.setObjectName("pack_legend")
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #555;")
        self.legend.setFont(scaled(QApplication.font(), 0.9))

    def show_choice(self, pack: str | None, mode: DisplayMode) -> None:
        """Fill both lists in the interface language, ``pack`` and ``mode`` selected."""
        self._pack = pack
        self.pack_label.setText(_("&Labels:"))
        self.pack_combo.blockSignals(True)
        self.pack_combo.clear()
        self.pack_combo.addItem(_("Vietnamese"), None)
        for code in self.languages:
            self.pack_combo.addItem(_("{language} and Vietnamese").format(
                language=pack_language_name(code)), code)
        self.pack_combo.setCurrentIndex(max(0, self.pack_combo.findData(pack)))
        self.pack_combo.blockSignals(False)
        self.mode_combo.blockSignals(True)
        self.mode_combo.clear()
        for value, text in ((DisplayMode.BILINGUAL, _("Both, Vietnamese beneath")),
                            (DisplayMode.PACK_ONLY, _("Label pack only")),
                            (DisplayMode.VIETNAMESE_ONLY, _("Vietnamese only"))):
            self.mode_combo.addItem(text, value)
        self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(mode)))
        self.mode_combo.blockSignals(False)
        self.mode_combo.setVisible(pack is not None)
        if pack and mode is not DisplayMode.VIETNAMESE_ONLY:
            self.legend.setText(_("{unreviewed} not yet reviewed by a native speaker   "
                                  "{fallback} no translation yet: Vietnamese shown").format(
                unreviewed=UNREVIEWED_MARK, fallback=FALLBACK_MARK))
            self.legend.setVisible(True)
        else:
            self.legend.setVisible(False)
        self.pack_pair.setVisible(bool(self.languages))
        self._show_form_languages()

    def _show_form_languages(self) -> None:
        self.language_pair.setVisible(len(self.form_languages) > 1)
        self.language_label.setText(_("Lan&guage:"))
        self.language_combo.clear()
        for language in self.form_languages:
            # "default" is the label column without a language
            name = _("main labels") if language == "default" else display_name(language)
            self.language_combo.addItem(name, language)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(
            self.form_language)))

    def _on_chosen(self, _index: int = 0) -> None:
        pack = self.pack_combo.currentData()
        mode = self.mode_combo.currentData() if pack else DisplayMode.BILINGUAL
        if pack != self._pack:
            mode = DisplayMode.BILINGUAL  # a newly chosen pack starts bilingual
        self.chosen.emit(pack, mode)
