"""Settings: interface language (applied at once), text size, label packs, and where the data lives.

The label-pack section lists every pack per form (shipped, imported or written in the app; how
many texts a native speaker reviewed, in the app or in a file, how many are drafts, missing or
shown from a parent pack: the figures of ``fieldapp i18n coverage --db``, from the same
fieldapp.services.translate_po.overview, read off the UI thread), imports a
commune's ``.po`` file, removes it again, and keeps the current user's default pack and display
mode (read when a form opens).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from fieldapp import paths
from fieldapp.errors import UserError
from fieldapp.i18n import catalog
from fieldapp.i18n.catalog import _
from fieldapp.ui import fonts, tasks, widgets
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.models import Column, RowRole, RowTableModel
from fieldapp.ui.widgets import Heading, MutedLabel, table_view

DISPLAY_MODES = ("bilingual", "pack_only", "vietnamese_only")


def pack_name(code: str) -> str:
    """The interface name of a pack language ("Tày"); the code for a pack the app does not know.

    The msgids are the names in :data:`fieldapp.i18n.packs.PACK_LANGUAGES`, marked for
    translation in fieldapp.ui.forms.labels.
    """
    from fieldapp.i18n.pack_languages import pack_language_name

    return pack_language_name(code)


def mode_label(mode: str) -> str:
    """The same wording as the form's own display-mode list."""
    return {"bilingual": _("Both, Vietnamese beneath"), "pack_only": _("Label pack only"),
            "vietnamese_only": _("Vietnamese only")}.get(mode, mode)


def review_text(row: Any) -> str:
    """How far a native speaker has checked a pack (a CoverageRow), in plain words, and how
    many of those checks were made in the app; a draft is never called a translation."""
    if not row.reviewed:
        if row.draft:
            return _("Draft only, not reviewed")
        if row.inherited:
            return _("Nothing of its own yet")
        return _("Nothing written yet")
    if row.in_app_reviewed:
        # The column's title says "native-speaker review": kept short to fit 1366 px.
        return _("{reviewed} of {total} reviewed, {in_app} in the app").format(
            reviewed=fmt_int(row.reviewed), total=fmt_int(row.total),
            in_app=fmt_int(row.in_app_reviewed))
    if row.reviewed < row.total:
        return _("{reviewed} of {total} reviewed by a native speaker").format(
            reviewed=fmt_int(row.reviewed), total=fmt_int(row.total))
    return _("Reviewed by a native speaker")


def counts_text(row: Any) -> str:
    """"reviewed 0, draft 140, missing 81" (and what a pack inherits), for the table; a
    translation made for an older text is not shown, so it counts as missing here."""
    text = _("reviewed {reviewed}, draft {draft}, missing {missing}").format(
        reviewed=fmt_int(row.reviewed), draft=fmt_int(row.draft),
        missing=fmt_int(row.missing + row.outdated))
    if row.parent and row.inherited:
        text += _(", {inherited} from the {parent} pack").format(
            inherited=fmt_int(row.inherited), parent=pack_name(row.parent))
    return text


def origin_text(row: Any) -> str:
    """Where a pack's texts come from: the commune's imported file, the app's own file, or
    only entries written in the app (synced between laptops); how many of its texts were
    reviewed in the app is in the Texts column."""
    if row.imported:
        return _("Imported by the commune")
    if row.in_app and row.in_app == row.reviewed + row.draft:
        return _("Written in the app")
    return _("Shipped with the app")


class PacksModel(RowTableModel):
    """One row per (pack language, form): dicts with ``coverage`` (a CoverageRow) and ``form``."""

    def __init__(self, parent=None):
        super().__init__((), parent)
        self.columns = (
            Column(lambda: _("Language"), lambda r: pack_name(r["coverage"].language)),
            Column(lambda: _("Form"), lambda r: r["form"]),
            Column(lambda: _("Pack"), lambda r: origin_text(r["coverage"])),
            Column(lambda: _("Texts"), lambda r: counts_text(r["coverage"])),
            Column(lambda: _("Native-speaker review"), lambda r: review_text(r["coverage"])),
        )


def _read_overview(workspace) -> tuple[list, dict[str, str], list] | Exception:
    """(coverage rows, form titles by id, forms): the figures of ``fieldapp i18n coverage --db``
    for this database (fieldapp.services.translate_po.overview), on the reader's thread: it
    reads every pack entry and every form. A failure is returned, for the table's status line."""
    from fieldapp.services.translate_po import overview

    try:
        infos = workspace.surveys.catalog.infos()
        forms = workspace.translations.forms()
        titles = {info.form_id: info.title.get("vi") or next(
            (t for t in info.title.values() if t), info.form_id) for info in infos}
        return overview(workspace, forms), titles, forms
    except Exception as exc:  # noqa: BLE001 - said in the status line, not lost
        return exc


class SettingsScreen(QWidget):
    """Preferences of this laptop, and the label packs its forms can show."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.heading = Heading(factor=1.4)
        self._forms: list | None = None  # the forms the overview was made for (import checks)
        self._titles: dict[str, str] = {}
        self._loading = False
        self._loaded = False
        self._reload = False  # a reload was asked for while one was running
        self._select_after_load: tuple[str, str] | None = None
        self._import_note: Callable[[], str] | None = None  # the last import, translated when shown

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
        self.about_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.device_label, self.device_value = QLabel(), _value_label()
        self.device_id_label, self.device_id_value = QLabel(), _value_label()
        self.db_label, self.db_value = QLabel(), _value_label()
        self.data_label, self.data_value = QLabel(), _value_label()
        for label, value in ((self.device_label, self.device_value),
                             (self.device_id_label, self.device_id_value),
                             (self.db_label, self.db_value), (self.data_label, self.data_value)):
            self.about_form.addRow(label, value)

        self._build_packs_box()
        from fieldapp.ui.screens.safety_box import SafetyBox

        self.safety_box = SafetyBox(context)

        # Display and data side by side; the packs table below gets the full width, so long
        # form titles and the review wording are not cut.
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(self.language_box, 1)
        top.addWidget(self.about_box, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 16)
        layout.setSpacing(12)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.safety_box)
        layout.addWidget(self.packs_box, 1)

        self._sync_controls()
        self.language.currentIndexChanged.connect(self._on_language_chosen)
        self.large_text.toggled.connect(self._on_large_text)
        self.retranslate()
        context.data_changed.connect(self._on_data_changed)
        self.load_packs()

    def _build_packs_box(self) -> None:
        self.packs_box = QGroupBox()
        self.packs_box.setObjectName("label_packs")
        self.packs_hint = MutedLabel()
        self.packs_model = PacksModel(self)
        self.packs_table = table_view()
        self.packs_table.setObjectName("packs_table")
        self.packs_table.setModel(self.packs_model)
        header = self.packs_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)  # the review wording is never cut
        self.packs_table.setWordWrap(False)
        self.packs_table.selectionModel().currentRowChanged.connect(
            lambda *_args: self._update_buttons())
        self.packs_status = MutedLabel()
        self.packs_status.setObjectName("packs_status")

        self.import_button = QPushButton()
        self.import_button.setObjectName("import_pack")
        self.import_button.clicked.connect(self.import_pack_file)
        self.remove_button = QPushButton()
        self.remove_button.setObjectName("remove_pack")
        self.remove_button.clicked.connect(self.remove_selected_pack)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)

        self.pack_choice = QComboBox()
        self.pack_choice.setObjectName("default_pack")
        self.pack_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.mode_choice = QComboBox()
        self.mode_choice.setObjectName("default_pack_mode")
        self.mode_choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for mode in DISPLAY_MODES:
            self.mode_choice.addItem(mode, mode)
        self.pack_choice_label = QLabel()
        self.pack_choice_label.setBuddy(self.pack_choice)
        self.mode_choice_label = QLabel()
        self.mode_choice_label.setBuddy(self.mode_choice)
        self.preference_hint = MutedLabel()
        # One row (label, pack, display mode) so the table keeps the height, also in large text.
        choice = QHBoxLayout()
        choice.setSpacing(8)
        choice.addWidget(self.pack_choice_label)
        choice.addWidget(self.pack_choice)
        choice.addSpacing(16)
        choice.addWidget(self.mode_choice_label)
        choice.addWidget(self.mode_choice)
        choice.addStretch(1)
        self.pack_choice.activated.connect(self._on_preference_chosen)
        self.mode_choice.activated.connect(self._on_preference_chosen)

        box = QVBoxLayout(self.packs_box)
        box.setSpacing(8)
        box.addWidget(self.packs_hint)
        box.addWidget(self.packs_table, 1)
        box.addWidget(self.packs_status)
        box.addLayout(buttons)
        box.addSpacing(4)
        box.addLayout(choice)
        box.addWidget(self.preference_hint)

    # -- display ------------------------------------------------------------------------------
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
        if not self._loaded and not self._loading:
            self.load_packs()

    # -- label packs: the table ------------------------------------------------------------------
    def load_packs(self) -> None:
        """Re-read every pack against the forms (a background task: it loads the forms)."""
        if self._loading:
            self._reload = True
            return
        self._loading = True
        self._set_status(_("Reading the label packs…"))
        self.context.reader.request("pack_coverage", _read_overview, self._on_packs_loaded)

    def _on_data_changed(self, changed=None) -> None:
        """Entries written in the app or received by sync change the figures: read them again
        now if the screen is showing, else when it is shown."""
        if not shiboken6.isValid(self) or (changed is not None
                                            and not changed.touches("pack_entries")):
            return
        self._loaded = False
        if self.isVisible():
            self.load_packs()

    def _on_packs_loaded(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        if isinstance(result, Exception):
            self._on_packs_failed(result)
            return
        rows, titles, forms = result
        self._loading, self._loaded = False, True
        self._forms, self._titles = forms, titles
        selected = self._select_after_load or self.selected_pack()
        self._select_after_load = None
        self.packs_model.set_rows([
            {"coverage": row, "form": titles.get(row.form_id, row.form_id)} for row in rows])
        for i, row in enumerate(rows):
            if selected == (row.language, row.form_id):
                self.packs_table.selectRow(i)
        self._fill_pack_choice()
        self._update_status()
        self._update_buttons()
        if self._reload:
            self._reload = False
            self.load_packs()

    def _on_packs_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._loading = self._reload = False
        self._set_status(tasks.error_message(exc))

    def pack_rows(self) -> list:
        """The CoverageRows the table shows, in its order."""
        return [r["coverage"] for r in self.packs_model.rows()]

    def selected_pack(self) -> tuple[str, str] | None:
        """(language, form_id) of the selected row."""
        index = self.packs_table.currentIndex()
        row = index.data(RowRole) if index.isValid() else None
        return (row["coverage"].language, row["coverage"].form_id) if row else None

    def select_pack(self, language: str, form_id: str) -> bool:
        for i, row in enumerate(self.pack_rows()):
            if (row.language, row.form_id) == (language, form_id):
                self.packs_table.selectRow(i)
                return True
        return False

    def _update_buttons(self) -> None:
        index = self.packs_table.currentIndex()
        row = index.data(RowRole) if index.isValid() else None
        self.remove_button.setEnabled(bool(row and row["coverage"].imported))

    def _set_status(self, text: str) -> None:
        self.packs_status.setText(text)
        self.packs_status.setVisible(bool(text))

    def _update_status(self) -> None:
        if self._loading:
            return
        if not self.packs_model.rowCount():
            self._set_status(_("No label packs found."))
        else:
            self._set_status(self._import_note() if self._import_note else "")

    # -- label packs: import and removal ----------------------------------------------------------
    def choose_pack_file(self) -> str:
        """Ask for a .po file ('' when the user cancelled)."""
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import a label pack"), str(Path.home()),
            _("Label packs (*.po)"))
        return path

    def import_pack_file(self) -> None:
        """Ask for a .po file and install it as the commune's pack (checked against the forms)."""
        path = self.choose_pack_file()
        if not path:
            return
        forms = self._forms

        def work(_progress, _cancelled):
            from fieldapp.services.pack_import import import_pack

            return import_pack(Path(path), forms)

        self.import_button.setEnabled(False)
        tasks.run_in_background(work, self._on_imported, self._on_import_failed,
                                progress=_("Checking the label pack against the forms…"),
                                parent=self)

    def _on_imported(self, result) -> None:
        if not shiboken6.isValid(self):
            return
        self.import_button.setEnabled(True)
        self._import_note = lambda: self.import_summary(result)
        self._loaded = False
        self._select_after_load = (result.language, result.form_id)
        self.load_packs()
        widgets.show_message(self, "information", _("Label pack imported"),
                             self.import_summary(result))

    def import_summary(self, result) -> str:
        """What an import (an ImportResult) installed, in the current interface language."""
        row = result.coverage
        form = self._titles.get(result.form_id, result.form_id)
        text = _("The {language} pack for “{form}” was imported: of {total} texts, "
                 "{reviewed} reviewed by a native speaker, {draft} drafts, {missing} "
                 "missing.").format(
            language=pack_name(result.language), form=form, total=fmt_int(row.total),
            reviewed=fmt_int(row.reviewed), draft=fmt_int(row.draft),
            missing=fmt_int(row.missing))
        if result.replaced:
            text += " " + _("It replaces the pack imported before.")
        for warning in getattr(result, "warnings", ()):
            text += " " + warning
        return text

    def _on_import_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.import_button.setEnabled(True)
        if isinstance(exc, UserError):
            widgets.show_message(self, "warning", _("Label pack not imported"), str(exc))
        else:
            tasks.show_failure(self, exc)

    def remove_selected_pack(self) -> bool:
        """Remove the selected imported pack after asking; True if it was removed."""
        index = self.packs_table.currentIndex()
        row = index.data(RowRole) if index.isValid() else None
        if not row or not row["coverage"].imported:
            return False
        coverage = row["coverage"]
        answer = widgets.show_message(
            self, "question", _("Remove imported pack"),
            _("Remove the commune's {language} pack for “{form}”? The pack shipped with the "
              "app, if there is one, is used again.").format(
                language=pack_name(coverage.language), form=row["form"]),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        from fieldapp.services.pack_import import remove_imported_pack

        removed = remove_imported_pack(coverage.language, coverage.form_id)
        self._import_note = None
        self._loaded = False
        self.load_packs()
        return removed

    # -- label packs: the user's default -------------------------------------------------------
    def _fill_pack_choice(self) -> None:
        languages = sorted({row.language for row in self.pack_rows()})
        pref = self.context.workspace.pack_preference()
        self.pack_choice.blockSignals(True)
        self.pack_choice.clear()
        self.pack_choice.addItem(_("None: Vietnamese labels"), None)
        # A remembered pack that is gone (removed import) stays listed so it is not lost silently.
        for code in languages + ([pref.pack] if pref.pack and pref.pack not in languages else []):
            self.pack_choice.addItem(pack_name(code), code)
        self.pack_choice.setCurrentIndex(max(0, self.pack_choice.findData(pref.pack)))
        self.pack_choice.blockSignals(False)
        self.mode_choice.blockSignals(True)
        for i in range(self.mode_choice.count()):
            self.mode_choice.setItemText(i, mode_label(self.mode_choice.itemData(i)))
        self.mode_choice.setCurrentIndex(max(0, self.mode_choice.findData(pref.mode)))
        self.mode_choice.blockSignals(False)
        user = self.context.current_user()
        for widget in (self.pack_choice, self.mode_choice):
            widget.setEnabled(user is not None)
        self.mode_choice.setEnabled(user is not None and pref.pack is not None)
        if user is None:
            self.preference_hint.setText(_("No user is signed in on this laptop."))
        else:
            self.preference_hint.setText(
                _("Used for {name} whenever a form opens; it can still be changed in the form.")
                .format(name=user["name"]))

    def _on_preference_chosen(self, _index: int = 0) -> None:
        pack = self.pack_choice.currentData()
        mode = self.mode_choice.currentData() or "bilingual"
        self.context.writer.write(lambda ws: ws.remember_pack(pack, mode))
        self.mode_choice.setEnabled(pack is not None)

    # -- texts ----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        workspace = self.context.workspace
        self.safety_box.retranslate()
        self.heading.setText(_("Settings"))
        self.language_box.setTitle(_("Display"))
        self.language_label.setText(_("Interface language:"))
        self.large_text.setText(_("Large text (easier to read)"))
        self.language_hint.setText(_("The change applies at once; nothing you typed is lost. "
                                     "Survey questions follow the language of each form."))
        self.about_box.setTitle(_("This laptop and its data"))
        self.device_label.setText(_("Device name:"))
        self.device_value.setText(workspace.device_name)
        self.device_id_label.setText(_("Device ID:"))
        self.device_id_value.setText(workspace.device_id)
        self.db_label.setText(_("Database file:"))
        self.db_value.setText(str(workspace.path) if workspace.path else _("(in memory)"))
        self.data_label.setText(_("Data folder:"))
        self.data_value.setText(str(paths.data_dir()))
        self.packs_box.setTitle(_("Label packs in ethnic minority languages"))
        self.packs_hint.setText(_(
            "Forms can show their questions in Tày, Nùng or Dao beside Vietnamese. A pack marked "
            "“not yet reviewed” is a draft that no native speaker has checked: read it with "
            "care. A commune can import a pack its own speakers have corrected."))
        self.packs_model.retranslate()
        self.import_button.setText(_("Import a pack (.po)…"))
        self.import_button.setToolTip(_("Use a label pack file made or corrected by the "
                                        "commune; it is checked against the forms first"))
        self.remove_button.setText(_("Remove imported pack"))
        self.remove_button.setToolTip(_("Go back to the pack shipped with the app for the "
                                        "selected form"))
        self.pack_choice_label.setText(_("My labels for forms:"))
        self.mode_choice_label.setText(_("Show:"))
        if self._loading:
            self._set_status(_("Reading the label packs…"))
        self._fill_pack_choice()
        self._update_status()
        self._sync_controls()


def _value_label() -> QLabel:
    label = QLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label
