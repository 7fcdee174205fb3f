"""Settings' retention row (commune staff): how many years records are kept, and the list of
households not updated for that long, to review (each one is kept, surveyed again, or erased
on request from its household page).
"""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView,
                               QPushButton, QVBoxLayout, QWidget)

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _, ngettext
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import fmt_int, stored_time
from fieldapp.ui.models import Column, RowTableModel
from fieldapp.ui.widgets import MutedLabel, table_view


class RetentionModel(RowTableModel):
    def __init__(self, parent=None):
        super().__init__((), parent)
        self.columns = (
            Column(lambda: _("Head of household"), lambda r: r.get("head_name") or ""),
            Column(lambda: _("Village"), lambda r: r.get("village_name") or ""),
            Column(lambda: _("Last changed"),
                   lambda r: stored_time(r.get("updated_at"), with_time=False)),
        )


class RetentionDialog(QDialog):
    """The households past the retention period, oldest first."""

    def __init__(self, rows: list[dict], years: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Records past the retention period"))
        self.resize(640, 420)
        self.summary = MutedLabel()
        self.summary.setWordWrap(True)
        self.summary.setText(ngettext(
            "{count} household not updated for {years} years. Keep it, survey it again, or "
            "erase it on the family's request from its page in Households.",
            "{count} households not updated for {years} years. Keep them, survey them again, "
            "or erase them on the family's request from their page in Households.",
            len(rows)).format(count=fmt_int(len(rows)), years=years)
            if rows else _("No household is past the retention period of {years} years.")
            .format(years=years))
        self.model = RetentionModel(self)
        self.model.set_rows(rows)
        self.table = table_view()
        self.table.setObjectName("retention_table")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)


class RetentionRow(QWidget):
    """The retention period (a laptop setting) and the button that lists what is past it."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.years = QComboBox()
        self.years.setObjectName("retention_years")
        for years in context.workspace.setting_choices("retention_years"):
            self.years.addItem("", years)
        self.years.setCurrentIndex(max(0, self.years.findData(
            context.workspace.setting("retention_years"))))
        self.years.currentIndexChanged.connect(self._on_years)
        self.review_button = QPushButton()
        self.review_button.setObjectName("review_retention")
        self.review_button.clicked.connect(lambda: self.review())
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.years)
        row.addSpacing(12)
        row.addWidget(self.review_button)
        row.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        for i in range(self.years.count()):
            years = self.years.itemData(i)
            self.years.setItemText(i, ngettext("{years} year", "{years} years", years).format(
                years=years))
        self.review_button.setText(_("Records to review…"))

    def _on_years(self, _index: int) -> None:
        years = self.years.currentData()
        self.context.writer.write(lambda ws: ws.set_setting("retention_years", years))

    def review(self, *, show: bool = True) -> RetentionDialog | None:
        """Open the list of households past the period (returned, for tests)."""
        years = self.years.currentData()
        try:
            rows = self.context.workspace.privacy.past_retention(years)
        except UserError as exc:
            from PySide6.QtWidgets import QMessageBox

            from fieldapp.ui.start import message_box

            message_box(self, QMessageBox.Icon.Warning, _("Records past the retention period"),
                        str(exc))
            return None
        dialog = RetentionDialog(rows, years, self)
        if show:
            dialog.open()
        return dialog
