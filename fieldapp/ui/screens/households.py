"""Households: instant accent-insensitive search, a village filter, and a household's detail.

The detail shows the household's members and earlier survey rounds, with a button that opens a
new round of the household survey prefilled from the registry (on the window's Surveys screen).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSplitter, QStackedWidget, QStyle,
                               QVBoxLayout, QWidget)

from fieldapp.core import codes
from fieldapp.i18n.catalog import _, ngettext
from fieldapp.i18n.text import nfc
from fieldapp.services.workspace import HOUSEHOLD_SURVEY, SEARCH_LIMIT
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import code_label, fmt_int, parse_properties, stored_time
from fieldapp.ui.labels import ordered_properties, property_label, property_value
from fieldapp.ui.models import HouseholdsModel, PersonsModel, RowRole
from fieldapp.ui.widgets import EmptyState, Heading, MutedLabel, table_view

SURVEYS_SCREEN = "surveys"
ROUNDS_SHOWN = 4  # the latest rounds listed in the detail; older ones are counted
SEARCH_DELAY_MS = 150  # debounce: search once typing pauses, not on every keystroke
BUSY_HINT_MS = 300


class HouseholdsScreen(QWidget):
    """Search box + village filter over a households table, and a detail pane."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.limit = SEARCH_LIMIT
        self.total = 0
        self._selected_id: str | None = None
        self._shown: tuple[str, str | None] = ("", None)  # the query the table shows

        self.heading = Heading(factor=1.4)
        self.search = QLineEdit()
        self.search.setObjectName("household_search")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.village = QComboBox()
        self.village.setObjectName("village_filter")
        self.village.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.village.setMinimumWidth(200)
        self.count = MutedLabel()
        self.count.setWordWrap(False)
        self.count.setObjectName("match_count")

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        # "Searching…" only when a (background) search is slow enough to notice.
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_HINT_MS)
        self._busy_timer.timeout.connect(lambda: self.count.setText(_("Searching…")))
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.village.currentIndexChanged.connect(lambda _index: self.run_search())

        self.model = HouseholdsModel(parent=self)
        self.table = table_view()
        self.table.setObjectName("households_table")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.empty = EmptyState()
        self.results = QStackedWidget()
        self.results.addWidget(self.table)
        self.results.addWidget(self.empty)

        self.detail = HouseholdDetail(context)
        self.detail.survey_requested.connect(self.survey_again)

        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.search, 2)
        top.addWidget(self.village, 1)
        top.addWidget(self.count)
        top.addStretch(0)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.results)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([650, 470])
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self._fill_villages()
        self.retranslate()
        self.run_search()

    # -- data -----------------------------------------------------------------------------------
    def query_text(self) -> str:
        """What the user typed, in NFC (the Windows keyboard may give decomposed tone marks)."""
        return nfc(self.search.text()).strip()

    def village_id(self) -> str | None:
        return self.village.currentData()

    def run_search(self) -> None:
        """Search now (the debounce timer calls this when typing pauses).

        The query runs on the background reader; results arrive in :meth:`_show_results`
        (at once in tests, whose tasks are synchronous).
        """
        self._timer.stop()
        self._busy_timer.start()
        query, village_id, limit = self.query_text(), self.village_id(), self.limit
        self.context.reader.request(
            "households",
            lambda ws: ws.households.search(query, village_id=village_id, limit=limit),
            lambda result: self._show_results(query, village_id, result))

    def _show_results(self, query: str, village_id: str | None, result) -> None:
        rows, total = result
        if (query, village_id) == (self.query_text(), self.village_id()):
            self._busy_timer.stop()
        self._shown = (query, village_id)
        self.total = total
        self.model.set_rows(rows)
        self._update_count()
        self._update_empty()
        self._restore_selection()

    def hideEvent(self, event) -> None:
        # A search still waiting for its debounce runs again when the screen is shown
        # (refresh); firing it while hidden could outlive the window and its database.
        self._timer.stop()
        self._busy_timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        """Data changed elsewhere: reload villages and results, keeping the selection."""
        self._fill_villages()
        self.run_search()

    def _fill_villages(self) -> None:
        current = self.village_id()
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(_("All villages"), None)
        for village in self.context.workspace.villages():
            self.village.addItem(village["name"], village["id"])
        index = self.village.findData(current) if current else 0
        self.village.setCurrentIndex(max(0, index))
        self.village.blockSignals(False)

    def _restore_selection(self) -> None:
        rows = self.model.rows()
        wanted = next((i for i, r in enumerate(rows) if r["id"] == self._selected_id), None)
        if wanted is None and rows:
            wanted = 0
        if wanted is None:
            self.detail.show_household(None)
            return
        self.table.selectionModel().setCurrentIndex(
            self.model.index(wanted, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(self.model.index(wanted, 0))

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(RowRole) if current.isValid() else None
        self._selected_id = row["id"] if row else None
        self.detail.show_household(row)

    def select_household(self, household_id: str) -> bool:
        """Select a household shown in the table; False if it is not among the results."""
        self._selected_id = household_id
        for row in self.model.rows():
            if row["id"] == household_id:
                self._restore_selection()
                return True
        return False

    # -- another survey round ------------------------------------------------------------------
    def _navigator(self) -> Any:
        """The main window when it has a Surveys screen (None when shown on its own)."""
        window = self.window()
        keys = getattr(window, "screen_keys", None)
        return window if callable(keys) and SURVEYS_SCREEN in keys() else None

    def survey_again(self, household_id: str) -> Any:
        """Switch to the Surveys screen and start a household survey round prefilled from the
        registry; returns the form view (None if the screen is missing or the user cancelled)."""
        window = self._navigator()
        if window is None:
            return None
        surveys = window.show_screen(SURVEYS_SCREEN)
        return surveys.start(HOUSEHOLD_SURVEY, household_id=household_id)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.detail.set_can_survey(self._navigator() is not None)

    # -- texts ------------------------------------------------------------------------------------
    def count_text(self) -> str:
        shown = self.model.rowCount()
        if self.total == 0:
            return _("No matches")
        if shown < self.total:
            return ngettext("Showing {shown} of {total} household",
                            "Showing {shown} of {total} households", self.total).format(
                shown=fmt_int(shown), total=fmt_int(self.total))
        return ngettext("{total} household", "{total} households", self.total).format(
            total=fmt_int(self.total))

    def _update_count(self) -> None:
        self.count.setText(self.count_text())

    def _update_empty(self) -> None:
        if self.total:
            self.results.setCurrentWidget(self.table)
            return
        query, village_id = self._shown
        village = self.village.itemText(max(0, self.village.findData(village_id)))
        if query and village_id:
            text = _("No households in {village} match “{query}”.").format(
                village=village, query=query)
        elif query:
            text = _("No households match “{query}”.").format(query=query)
        elif village_id:
            text = _("No households in {village} yet.").format(village=village)
        else:
            text = _("No households yet. Households are added by the household survey "
                     "or by importing a package.")
        self.empty.setText(text)
        self.results.setCurrentWidget(self.empty)

    def _size_columns(self) -> None:
        """Widths from the font, never narrower than the (translated) header."""
        metrics = self.table.fontMetrics()
        em = metrics.horizontalAdvance("M")
        header = self.table.horizontalHeader()
        # The head's name stretches; the others get room for typical values.
        for column, width in ((1, 9), (2, 4), (3, 5), (4, 8)):
            title = self.model.headerData(column, Qt.Orientation.Horizontal)
            needed = header.fontMetrics().horizontalAdvance(title) + em * 2
            self.table.setColumnWidth(column, max(width * em, needed))

    def retranslate(self) -> None:
        self.heading.setText(_("Households"))
        self.search.setPlaceholderText(_("Search by name (head or any member)…"))
        self.village.setItemText(0, _("All villages"))
        self.village.setToolTip(_("Show the households of one village"))
        self.model.retranslate()
        self._size_columns()
        self._update_count()
        self._update_empty()
        self.detail.retranslate()


class HouseholdDetail(QFrame):
    """One household: its properties, its members and its survey rounds."""

    survey_requested = Signal(str)
    """The user asked for a new survey round of this household (its id)."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.household: dict[str, Any] | None = None
        self.rounds: list[dict[str, Any]] | None = None  # None: still being read
        self.setObjectName("household_detail")
        self.name = Heading(factor=1.25)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name.setWordWrap(True)
        self.survey_button = QPushButton()
        self.survey_button.setObjectName("survey_again")
        self.survey_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView))
        self.survey_button.setVisible(False)  # until the screen knows a Surveys screen exists
        self.survey_button.clicked.connect(self._on_survey_clicked)
        self.erase_button = QPushButton()
        self.erase_button.setObjectName("erase_household")
        session = context.workspace.session
        self.erase_button.setVisible(session is None or session.is_staff)
        self.erase_button.clicked.connect(self.erase_household)
        self.rounds_heading = Heading(factor=1.05)
        self.rounds_text = MutedLabel()
        self.rounds_text.setObjectName("survey_rounds")
        self.rounds_text.setWordWrap(True)
        self.fields = QFormLayout()
        self.fields.setHorizontalSpacing(16)
        self.fields.setVerticalSpacing(6)
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.members_heading = Heading(factor=1.05)
        self.persons = PersonsModel(parent=self)
        self.persons_table = table_view()
        self.persons_table.setObjectName("persons_table")
        self.persons_table.setModel(self.persons)
        self.persons_table.setSelectionMode(self.persons_table.SelectionMode.NoSelection)
        persons_header = self.persons_table.horizontalHeader()
        # Names are never cut; with large text the table scrolls sideways instead.
        persons_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        persons_header.setStretchLastSection(True)
        self.placeholder = EmptyState()

        content = QWidget()
        content_layout = QVBoxLayout(content)
        content_layout.setContentsMargins(16, 0, 0, 0)
        content_layout.setSpacing(8)
        content_layout.addWidget(self.name)
        button_row = QHBoxLayout()
        button_row.addWidget(self.survey_button)
        button_row.addStretch(1)
        button_row.addWidget(self.erase_button)
        content_layout.addLayout(button_row)
        content_layout.addLayout(self.fields)
        content_layout.addSpacing(8)
        content_layout.addWidget(self.members_heading)
        content_layout.addWidget(self.persons_table, 1)
        content_layout.addSpacing(4)
        content_layout.addWidget(self.rounds_heading)
        content_layout.addWidget(self.rounds_text)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.placeholder)
        self.pages.addWidget(content)
        self.content = content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.retranslate()

    def show_household(self, row: dict[str, Any] | None) -> None:
        self.household = row
        if row is None:
            self.persons.set_rows([])
            self.rounds = []
        else:
            household_id = row["id"]
            self.persons.set_rows(self.context.workspace.households.members(household_id))
            self.rounds = None
            self.context.reader.request(
                "household_rounds", lambda ws: ws.households.rounds(household_id),
                lambda rounds: self._show_rounds(household_id, rounds))
        self._render()

    def _show_rounds(self, household_id: str, rounds: list[dict[str, Any]]) -> None:
        if self.household is None or self.household["id"] != household_id:
            return  # another household was selected meanwhile
        self.rounds = rounds
        self.rounds_text.setText(self.rounds_summary())

    def set_can_survey(self, available: bool) -> None:
        """Show the "survey again" button only where a Surveys screen can take the request."""
        self.survey_button.setVisible(available)

    def _on_survey_clicked(self) -> None:
        if self.household is not None:
            self.survey_requested.emit(self.household["id"])

    def ask_erasure_reason(self) -> str | None:
        """The reason for an erasure, after the warning (None: cancelled). A method so tests
        can answer it."""
        from PySide6.QtWidgets import QInputDialog

        reason, ok = QInputDialog.getText(
            self, _("Erase on request"),
            _("Erasing removes this household, its members and its surveys from every laptop "
              "of the commune, for good (backups made before keep them until they are "
              "rotated away). Why (name nobody: the reason travels with the erasure)?"))
        return reason.strip() if ok and reason.strip() else None

    def erase_household(self) -> None:
        if self.household is None:
            return
        household_id = self.household["id"]
        reason = self.ask_erasure_reason()
        if reason is None:
            return
        self.context.writer.write(
            lambda ws: ws.privacy.erase("households", household_id, reason),
            lambda _erasure: self.context.data_changed.emit())

    def _render(self) -> None:
        row = self.household
        if row is None:
            self.pages.setCurrentWidget(self.placeholder)
            return
        self.pages.setCurrentWidget(self.content)
        self.name.setText(row.get("head_name") or "")
        while self.fields.rowCount():
            self.fields.removeRow(0)
        for label, value in self._field_rows(row):
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields.addRow(_("{label}:").format(label=label), text)
        count = self.persons.rowCount()
        self.members_heading.setText(ngettext("{count} member", "{count} members", count).format(
            count=fmt_int(count)))
        self.rounds_heading.setText(_("Household survey rounds"))
        self.rounds_text.setText(self.rounds_summary())

    def rounds_summary(self) -> str:
        """The latest finalized rounds, newest first, one line each ("23/11/2026 – Finalized")."""
        if self.rounds is None:
            return ""
        if not self.rounds:
            return _("No finalized household survey for this household yet.")
        newest = list(reversed(self.rounds))
        lines = [_("{time} – {status}").format(
            time=format_date(r.get("finalized_at") or r.get("updated_at")),
            status=_("Finalized") if r.get("status") == "final" else _("Draft"))
            for r in newest[:ROUNDS_SHOWN]]
        older = len(newest) - ROUNDS_SHOWN
        if older > 0:
            lines.append(ngettext("and {count} earlier round", "and {count} earlier rounds",
                                  older).format(count=fmt_int(older)))
        return "\n".join(lines)

    def _field_rows(self, row: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, value) pairs for the form: the registry columns, then the properties."""
        fields = [
            (_("Village"), row.get("village_name") or ""),
            (_("Ethnicity"), code_label(codes.ETHNICITIES, row.get("ethnicity"))),
            (_("Poverty status"), code_label(codes.POOR_STATUS, row.get("poor_status"))),
            (_("Phone"), row.get("phone") or ""),
            (_("Last verified"), format_date(row.get("last_verified"))),
        ]
        for key, value in ordered_properties(parse_properties(row.get("properties"))):
            fields.append((property_label(key), property_value(key, value)))
        return [(label, value) for label, value in fields if value not in ("", None)]

    def retranslate(self) -> None:
        self.placeholder.setText(_("Select a household to see its members."))
        self.survey_button.setText(_("Survey this household again"))
        self.survey_button.setToolTip(_("Start a new household survey filled in from what is "
                                        "recorded; change only what is different now"))
        self.erase_button.setText(_("Erase on request…"))
        self.erase_button.setToolTip(_("Remove the household's personal data for good, when "
                                       "the family asks (commune staff)"))
        self.persons.retranslate()
        if self.household is not None:
            self._render()



def format_date(value: str | None) -> str:
    """A stored time as the local date, dd/mm/yyyy (see fieldapp.ui.formatting.stored_time)."""
    return stored_time(value, with_time=False)
