"""Reports: choose a report and its options, Generate (off the UI thread, with progress and
Cancel), preview it in the app (pages rendered by PDFium: page through, zoom, print), open it
in the system's PDF viewer (or, on a PC without one, say so and keep the preview), Save as (the
commune's and the province's report also as a Word file to edit before signing), Print. The
commune's report is of a year, half-year or quarter. Excel and CSV exports are written where
the user says, after a warning when they hold names. The last choices are remembered on this
laptop."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QStackedWidget, QVBoxLayout, QWidget)

from fieldapp.errors import os_reason
from fieldapp import host
from fieldapp.i18n.catalog import N_, _
from fieldapp.ui import tasks
from fieldapp.ui.context import AppContext
from fieldapp.ui.flow import FlowLayout
from fieldapp.ui.pdf_preview import PdfPreview
from fieldapp.ui.widgets import Heading, MutedLabel, set_placeholder

log = logging.getLogger(__name__)

FILE_NAMES = {
    # Translators: file names, in plain letters (no marks, no spaces): they are typed,
    # sent by Zalo and read on other computers.
    "commune": N_("commune-report"), "province": N_("province-report"),
    "progress": N_("progress-sheets"), "questionnaire": N_("questionnaire"),
    "household": N_("household-handout")}
PDF_KINDS = ("commune", "province", "progress", "questionnaire", "household")
EDITABLE = ("commune", "province")
"""Reports that can also be saved as a Word document."""


def kind_title(kind: str) -> str:
    return {"commune": _("Commune report"),
            "province": _("Province report (one row per commune)"),
            "progress": _("Trainer progress sheets"),
            "questionnaire": _("Paper questionnaire"), "household": _("Household handout"),
            "xlsx": _("Excel export (XLSX)"), "csv": _("CSV export (a folder of files)")}[kind]


class ReportsScreen(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.current: Path | None = None
        self._folder = Path(tempfile.mkdtemp(prefix="fieldapp-reports-"))
        self._found_household: dict | None = None

        self.heading = Heading(factor=1.4)
        self.options_box = QGroupBox()
        self.kind = QComboBox()
        self.kind.setObjectName("report_kind")
        self.village = QComboBox()
        self.village.setObjectName("report_village")
        self.period = QComboBox()
        self.period.setObjectName("report_period")
        self.period_row = self.period
        self.training_class = QComboBox()
        self.training_class.setObjectName("report_class")
        self.form = QComboBox()
        self.form.setObjectName("report_form")
        self.household = QLineEdit()
        self.household.setObjectName("report_household")
        self.household_found = MutedLabel()
        self.language = QComboBox()
        self.language.setObjectName("report_language")
        self.names = QCheckBox()
        self.names.setObjectName("export_names")
        # Long choices (a class's name) do not widen the form: the chosen one is elided,
        # whole in the list and in the tooltip.
        for combo in (self.kind, self.village, self.training_class, self.form, self.language):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            combo.currentTextChanged.connect(lambda text, c=combo: c.setToolTip(text))
        self.labels: dict[str, QLabel] = {k: QLabel() for k in (
            "kind", "village", "period", "class", "form", "household", "language")}
        self.form_layout = QFormLayout(self.options_box)
        self.form_layout.addRow(self.labels["kind"], self.kind)
        self.form_layout.addRow(self.labels["village"], self.village)
        self.form_layout.addRow(self.labels["period"], self.period_row)
        self.form_layout.addRow(self.labels["class"], self.training_class)
        self.form_layout.addRow(self.labels["form"], self.form)
        self.form_layout.addRow(self.labels["household"], self.household)
        self.form_layout.addRow("", self.household_found)
        self.form_layout.addRow(self.labels["language"], self.language)
        self.form_layout.addRow("", self.names)
        self.hint = MutedLabel()
        self.generate_button = QPushButton()
        self.generate_button.setObjectName("report_generate")
        self.generate_button.clicked.connect(self.on_generate)
        self.open_button = QPushButton()
        self.open_button.setObjectName("report_open")
        self.open_button.clicked.connect(self.open_in_viewer)
        self.save_button = QPushButton()
        self.save_button.setObjectName("report_save")
        self.save_button.clicked.connect(self.on_save)
        self.print_button = QPushButton()
        self.print_button.setObjectName("report_print")
        self.print_button.clicked.connect(self.on_print)
        buttons = FlowLayout(spacing=6)  # wraps in a narrow window
        for button in (self.generate_button, self.open_button, self.save_button,
                       self.print_button):
            buttons.addWidget(button)
        self.status = QLabel()
        self.status.setObjectName("report_status")
        self.status.setWordWrap(True)

        self.preview = QStackedWidget()
        self.placeholder = MutedLabel()
        self.placeholder.setObjectName("report_placeholder")
        self.preview.addWidget(self.placeholder)
        self.pdf_view = PdfPreview()
        self.pdf_view.print_button.clicked.connect(self.on_print)
        self.preview.addWidget(self.pdf_view)

        left = QVBoxLayout()
        left.addWidget(self.options_box)
        left.addWidget(self.hint)
        left.addLayout(buttons)
        left.addWidget(self.status)
        left.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addWidget(self.preview, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.addWidget(self.heading)
        layout.addLayout(body, 1)

        self.kind.currentIndexChanged.connect(self._show_options)
        self.household.textChanged.connect(self._look_up_household)
        self.retranslate()
        self._load_choices()
        self._show_options()

    # -- choices --------------------------------------------------------------------------------
    def _setting(self, key: str) -> Any:
        return self.context.workspace.setting(key)

    def _load_choices(self) -> None:
        reports = self.context.workspace.reports
        self.village.clear()
        if not self.context.village_scope():  # a member reports on their own village
            self.village.addItem(_("The whole commune"), "")
        for v in reports.villages():
            if self.context.in_scope(v["id"]):
                self.village.addItem(v["name"], v["id"])
        self.training_class.clear()
        self.training_class.addItem(_("Every class"), "")
        for class_id, name in reports.classes():
            self.training_class.addItem(name, class_id)
        self.form.clear()
        for form_id, title in reports.forms():
            self.form.addItem(title, form_id)
        self.language.clear()
        for code, name in reports.languages():
            self.language.addItem(name, code)
        self._select(self.kind, self._setting("report_kind"))
        self._select(self.village, self._setting("report_village"))
        self._select(self.training_class, self._setting("report_class"))
        self._select(self.form, self._setting("report_form"))
        self._select(self.language, self._setting("report_language"))
        self.household.setText(self._setting("report_household") or "")
        self.names.setChecked(self._setting("export_names") == "yes")
        self._load_periods()
        self._select(self.period, self._setting("report_period"))

    def _load_periods(self) -> None:
        """The fixed periods of this year and the two before, newest first."""
        from fieldapp.core.periods import Period

        today = dt.date.today()
        self.period.clear()
        for year in (today.year, today.year - 1, today.year - 2):
            periods = [Period.of("year", year)]
            periods += [Period.of("half", year, n) for n in (2, 1)]
            periods += [Period.of("quarter", year, n) for n in (4, 3, 2, 1)]
            for period in periods:
                if period.start <= today:
                    label = period.label()
                    self.period.addItem(label[:1].upper() + label[1:], period.key)

    @staticmethod
    def _select(combo: QComboBox, value: Any) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _show_options(self, *_args) -> None:
        kind = self.kind.currentData() or "commune"
        rows = {"village": kind == "commune", "period": kind in ("commune", "province"),
                "class": kind == "progress", "form": kind == "questionnaire",
                "household": kind in ("household", "questionnaire"),
                "language": kind in ("progress", "questionnaire", "household")}
        for key, visible in rows.items():
            self.form_layout.setRowVisible(self.labels[key], visible)
        self.form_layout.setRowVisible(self.household_found, rows["household"])
        self.form_layout.setRowVisible(self.names, kind in ("xlsx", "csv"))
        self.hint.setText(self._hint(kind))
        pdf = kind in PDF_KINDS
        self.generate_button.setText(_("Generate") if pdf else _("Export…"))
        for button in (self.open_button, self.save_button, self.print_button):
            button.setVisible(pdf)
            button.setEnabled(pdf and self.current is not None)

    def _hint(self, kind: str) -> str:
        return {
            "commune": _("The commune's report to sign and file: indicators of the period "
                         "beside the previous one, by village, ethnic group and sex, against "
                         "the provincial targets; sessions, teams, training and data "
                         "completeness. No names are printed. Save it as a Word file to edit "
                         "it before signing."),
            "province": _("One row per commune: the key indicators of the period beside the "
                          "previous one, for the communes in this database."),
            "progress": _("A grid of learners by skills for each class, then one page per "
                          "learner. Choose a label pack for bilingual sheets."),
            "questionnaire": _("The form printed blank for days without power. With a "
                               "household code, its roster is printed for a re-survey."),
            "household": _("One page for the family: what each member can already do and "
                           "the next steps. Never a password or OTP."),
            "xlsx": _("Every form's submissions, repeats on their own sheets, and the "
                      "indicator table with codes for reporting upward."),
            "csv": _("The same tables as the Excel export, one CSV file each, in a folder."),
        }[kind]

    def _look_up_household(self, text: str) -> None:
        found = self.context.workspace.reports.find_household(text) if text.strip() else None
        self._found_household = found
        if found:
            self.household_found.setText(_("Household of {head}").format(head=found["head_name"]))
            if self.kind.currentData() == "household":
                self._select(self.language,
                             self.context.workspace.reports.pack_for_household(found["id"]))
        else:
            self.household_found.setText(_("Type the household's code (printed on its "
                                           "questionnaire) or its id.") if text.strip() else "")

    def options(self) -> dict[str, Any]:
        return {"village": self.village.currentData() or None,
                "period": self.period.currentData() or None,
                "class_id": self.training_class.currentData() or None,
                "form_id": self.form.currentData(),
                "household_id": self._found_household["id"] if self._found_household else None,
                "language": self.language.currentData() or "vi",
                "names": self.names.isChecked()}

    def _remember(self, kind: str, options: dict[str, Any]) -> None:
        values = {"report_kind": kind, "report_village": options["village"] or "",
                  "report_period": options["period"] or "",
                  "report_class": options["class_id"] or "",
                  "report_language": options["language"],
                  "report_form": options["form_id"] or "household_survey",
                  "report_household": self.household.text().strip(),
                  "export_names": "yes" if options["names"] else "no"}

        def write(ws) -> None:
            for key, value in values.items():
                ws.set_setting(key, value)

        self.context.writer.write(write)

    # -- generating -----------------------------------------------------------------------------
    def on_generate(self) -> None:
        kind = self.kind.currentData()
        if kind in PDF_KINDS:
            self.generate()
            return
        if kind == "xlsx":
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Export to Excel"), str(Path.home() / "fieldapp.xlsx"),
                _("Excel workbook (*.xlsx)"))
            if path and not path.lower().endswith(".xlsx"):  # a name typed without it
                path += ".xlsx"
        else:
            path = QFileDialog.getExistingDirectory(self, _("Export CSV files to a folder"))
        if path:
            self.export_to(Path(path))

    def generate(self) -> None:
        """Make the chosen PDF report into a preview file (in the background)."""
        kind = self.kind.currentData()
        options = self.options()
        if kind == "household" and not options["household_id"]:
            self.status.setText(_("Type the code of a household first."))
            return
        if kind == "questionnaire" and self.household.text().strip() \
                and not options["household_id"]:
            self.status.setText(_("No household has this code."))
            return
        self._remember(kind, options)
        out = self._folder / f"{_(FILE_NAMES[kind])}-{dt.date.today().isoformat()}.pdf"
        self.status.setText(_("Making the report…"))
        self._run(kind, out, options, self._generated)

    def export_to(self, path: Path) -> None:
        kind = self.kind.currentData()
        options = self.options()
        if options["names"]:
            forms = self.context.workspace.reports.personal_forms()
            if forms and not self.confirm_names(forms):
                return
        self._remember(kind, options)
        self.status.setText(_("Exporting…"))
        self._run(kind, path, options, self._exported)

    def confirm_names(self, forms: list[str]) -> bool:
        """Say that the export holds names before it is written; True to go on."""
        answer = QMessageBox.warning(
            self, _("This export contains names"),
            _("The file will hold people's names, phone numbers or notes ({forms}). Keep it "
              "safe and share it only as the commune's rules allow. Write it?").format(
                forms="; ".join(forms)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _run(self, kind: str, out: Path, options: dict[str, Any], done) -> None:
        path = self.context.workspace.path

        def work(progress, cancelled):
            from fieldapp.services.workspace import Workspace

            if path is None:
                return self.context.workspace.reports.make(kind, out, options, progress,
                                                           cancelled)
            workspace = Workspace.open(path)  # read-only work: its own connection
            try:
                return workspace.reports.make(kind, out, options, progress, cancelled)
            finally:
                workspace.close()

        tasks.run_in_background(work, done, self._failed, progress=_("Making the report…"),
                                cancellable=True, parent=self)

    def _generated(self, printed) -> None:
        self.current = printed.path
        self.status.setText(_("The report is ready."))
        try:
            self.pdf_view.load(printed.path)
        except Exception as exc:  # noqa: BLE001 - PDFium's errors vary; say it, keep the file
            log.warning("preview of %s failed: %s", printed.path, exc)
            self.placeholder.setText(_("The report is ready, but it cannot be shown here: "
                                       "open it in the PDF viewer, or save or print it."))
            self.preview.setCurrentWidget(self.placeholder)
        else:
            self.preview.setCurrentWidget(self.pdf_view)
        self._show_options()

    def _exported(self, result) -> None:
        self.status.setText(_("Wrote {path}.").format(path=result.path))

    def _failed(self, exc: BaseException) -> None:
        from fieldapp.services.indicators import ReportCancelled

        if isinstance(exc, ReportCancelled):
            self.status.setText(_("Cancelled."))
            return
        self.status.setText(tasks.error_message(exc))
        tasks.show_failure(self, exc)

    # -- using the report -----------------------------------------------------------------------
    def open_in_viewer(self) -> bool:
        """Show the report in the system's PDF viewer; when the computer has none, the
        preview here shows it, with a line saying so (False)."""
        if self.current is None:
            return False
        try:
            host.open_file(self.current)
        except host.NoViewer:
            if self.pdf_view.path != self.current:
                self.pdf_view.load(self.current)
            self.preview.setCurrentWidget(self.pdf_view)
            self.status.setText(_("No PDF viewer was found on this computer: the report is "
                                  "shown here, where it can be paged through, zoomed and "
                                  "printed."))
            return False
        return True

    def on_save(self) -> None:
        if self.current is None:
            return
        filters = _("PDF document (*.pdf)")
        if self.kind.currentData() in EDITABLE:
            filters += ";;" + _("Word document to edit before signing (*.docx)")
        path, chosen = QFileDialog.getSaveFileName(
            self, _("Save the report"), str(Path.home() / self.current.name), filters)
        if path:
            if "docx" in chosen and not path.lower().endswith(".docx"):
                path += ".docx"
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Copy the report shown to ``path``; a .docx path makes the editable Word document of
        the same report (in the background)."""
        if self.current is None:
            return False
        kind = self.kind.currentData()
        if path.suffix.lower() == ".docx" and kind in EDITABLE:
            self.status.setText(_("Making the report…"))
            self._run(kind, path, self.options(), lambda printed: self.status.setText(
                _("Saved {path}.").format(path=printed.path)))
            return True
        try:
            shutil.copyfile(self.current, path)
        except OSError as exc:
            self.status.setText(_("Cannot write {path}: {reason}").format(
                path=path, reason=os_reason(exc)))
            return False
        self.status.setText(_("Saved {path}.").format(path=path))
        return True

    def on_print(self, printer=None) -> bool:
        """Print the report from the preview (``printer``: as given, without the dialog);
        a PC without a printer gets a line saying so."""
        if self.current is None:
            return False
        try:
            if self.pdf_view.path != self.current:
                self.pdf_view.load(self.current)
            printed = self.pdf_view.print_document(printer)
        except host.NoPrinter as exc:
            self.status.setText(str(exc))
            return False
        if printed:
            self.status.setText(_("Sent to the printer."))
        return printed

    # -- screen protocol ------------------------------------------------------------------------
    def refresh(self) -> None:
        kind = self.kind.currentData()
        self._load_choices()
        self._select(self.kind, kind)
        self._show_options()

    def retranslate(self) -> None:
        self.heading.setText(_("Reports and exports"))
        self.options_box.setTitle(_("What to print or export"))
        current = self.kind.currentData() or self._setting("report_kind")
        self.kind.blockSignals(True)
        self.kind.clear()
        for kind in self.context.workspace.report_kinds():  # those the session may make
            self.kind.addItem(kind_title(kind), kind)
        self._select(self.kind, current)
        self.kind.blockSignals(False)
        texts = {"kind": _("Report:"), "village": _("Village:"), "period": _("Period:"),
                 "class": _("Class:"), "form": _("Form:"), "household": _("Household code:"),
                 "language": _("Language:")}
        for key, label in self.labels.items():
            label.setText(texts[key])
        if self.period.count():
            current = self.period.currentData()
            self._load_periods()
            self._select(self.period, current)
        set_placeholder(self.household, _("optional for a questionnaire"))
        self.names.setText(_("Include names, phone numbers and notes"))
        self.generate_button.setText(_("Generate"))
        self.open_button.setText(_("Open in the PDF viewer"))
        self.save_button.setText(_("Save as…"))
        self.print_button.setText(_("Print…"))
        if self.current is None:
            self.placeholder.setText(_("Choose a report and press Generate: it appears here."))
        if self.village.count() and not self.village.itemData(0):
            self.village.setItemText(0, _("The whole commune"))
        if self.training_class.count():
            self.training_class.setItemText(0, _("Every class"))
        self._show_options()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.pdf_view.close_document()
        shutil.rmtree(self._folder, ignore_errors=True)
        super().closeEvent(event)


__all__ = ["ReportsScreen", "kind_title"]
