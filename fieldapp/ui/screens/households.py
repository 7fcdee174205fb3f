"""Households: the registry as a virtual list (every household, no cap) with its survey status,
filters (village, survey status, ethnic group, poor or near-poor) and instant search, and the
page of the household selected (fieldapp.ui.screens.household_page).

Households and persons are added, corrected, moved, removed with a reason and restored here,
outside a survey; each edit is a change in the log (fieldapp.services.registry). A new
household survey starts from here too: asked the village and the head's name first, the
screen offers a registered household that looks the same before a second one is created.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from fieldapp.core import codes
from fieldapp.i18n.catalog import _, ngettext
from fieldapp.services.workspace import HOUSEHOLD_SURVEY
from fieldapp.ui.flow import FlowLayout
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.models import Column, PagedTableModel, RowRole
from fieldapp.ui.screens.household_page import HouseholdPane
from fieldapp.ui.screens.registry_dialogs import (
    HouseholdDialog, MoveDialog, PersonDialog, RemoveDialog, StartSurveyDialog)
from fieldapp.ui.widgets import Heading, MutedLabel
from fieldapp.ui.workflow_widgets import PlanList, fit_columns, run_write, survey_status

SURVEYS_SCREEN = "surveys"
SEARCH_DELAY_MS = 150  # debounce: search once typing pauses, not on every keystroke
BUSY_HINT_MS = 300
STATUSES = (("never", lambda: _("Never surveyed")), ("draft", lambda: _("Draft waiting")),
            ("this_round", lambda: _("Surveyed this round")),
            ("not_this_round", lambda: _("Not surveyed this round")),
            ("deleted", lambda: _("Removed from the registry")))
POOR = (("poor_or_near", lambda: _("Poor or near-poor")), ("poor", lambda: _("Poor")),
        ("near_poor", lambda: _("Near-poor")))


class HouseholdsModel(PagedTableModel):
    """Households a page at a time (rows of ``Registry.page``)."""

    def __init__(self, parent=None, round_start: str = "0000"):
        super().__init__(parent)
        self.round_start = round_start
        self.columns = (
            Column(lambda: _("Head of household"), lambda r: r.get("head_name") or ""),
            Column(lambda: _("Village"), lambda r: r.get("village_name") or ""),
            Column(lambda: _("Members"), lambda r: fmt_int(r.get("member_count")),
                   align_right=True),
            Column(lambda: _("Survey"), lambda r: survey_status(r, self.round_start)),
        )


class HouseholdsScreen(QWidget):
    shows = frozenset({"households", "persons", "submissions", "villages"})
    """The kinds of records it shows (households, their members and surveys): ``data_changed``
    refreshes it when they change."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.total = 0
        self._selected_id: str | None = None
        self._shown: tuple[str, Any] = ("", None)
        self.heading = Heading(factor=1.4)
        registry = context.workspace.registry
        self.model = HouseholdsModel(self, registry.round_start())
        self.list = PlanList(context, "households", self.model, self._plan, self._page, self,
                             search_name="household_search")
        self.search = self.list.search
        self.search.setMinimumWidth(260)
        self.table = self.list.table
        self.table.setObjectName("households_table")
        self.results = self.list.results
        self.empty = self.list.empty
        self._timer = self.list._timer
        self.list.shown.connect(self._on_shown)
        self.village = self._combo("village_filter")
        self.status = self._combo("status_filter")
        self.ethnicity = self._combo("ethnicity_filter")
        self.poor = self._combo("poor_filter")
        for combo in (self.village, self.status, self.ethnicity, self.poor):
            combo.currentIndexChanged.connect(lambda _i: self.run_search())
        self.count = MutedLabel()
        self.count.setWordWrap(False)
        self.count.setObjectName("match_count")
        self.list.count.hide()
        self.add_button = QPushButton()
        self.add_button.setObjectName("add_household")
        self.add_button.clicked.connect(self.add_household)
        self.new_survey_button = QPushButton()
        self.new_survey_button.setObjectName("new_household_survey")
        self.new_survey_button.clicked.connect(lambda: self.start_new_survey())
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_HINT_MS)
        self._busy_timer.timeout.connect(lambda: self.count.setText(_("Searching…")))

        # The head's name gives way last; the survey status takes what is left.
        self.table.fit.keep = {0}
        self.table.fit.stretch = 3
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)

        self.detail = HouseholdPane(context)
        self.detail.survey_requested.connect(self.survey_again)
        self.detail.action.connect(self._on_action)

        filters = FlowLayout(spacing=8)  # on two lines when the window is narrow
        filters.addWidget(self.search, 1)
        filters.addWidget(self.village)
        filters.addWidget(self.status)
        filters.addWidget(self.ethnicity)
        filters.addWidget(self.poor)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.new_survey_button)
        top.addWidget(self.add_button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.list, 1)
        left_box.addWidget(self.count)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([560, 580])
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 10)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        self._fill_filters()
        self.retranslate()
        self.run_search()

    @staticmethod
    def _combo(name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    # -- the list -----------------------------------------------------------------------------
    def query_text(self) -> str:
        return self.list.text()

    def village_id(self) -> str | None:
        return self.village.currentData()

    def _filter(self):
        return self.context.workspace.registry.filter(
            village_id=self.village.currentData(), status=self.status.currentData(),
            ethnicity=self.ethnicity.currentData(), poor=self.poor.currentData())

    @staticmethod
    def _plan(ws, text: str):
        return ws.registry.plan(text, ws.registry.filter())

    @staticmethod
    def _page(ws, plan, offset: int, limit: int):
        return ws.registry.page(plan, offset, limit)

    def run_search(self) -> None:
        """Search now (the debounce timer calls this when typing pauses), in the background."""
        self._busy_timer.start()
        filters = {"village_id": self.village.currentData(),
                   "status": self.status.currentData(),
                   "ethnicity": self.ethnicity.currentData(), "poor": self.poor.currentData()}
        self._filters_now = filters
        self.list._plan_fn = lambda ws, text: ws.registry.plan(text,
                                                               ws.registry.filter(**filters))
        self.list.run()

    def _on_shown(self) -> None:
        self._busy_timer.stop()
        self._shown = (self.list._shown_text or "", getattr(self, "_filters_now", None))
        self.total = self.model.total()
        self._update_count()
        self._update_empty()
        self._restore_selection()

    def hideEvent(self, event) -> None:
        self.list.stop()
        self._busy_timer.stop()
        super().hideEvent(event)

    def refresh(self) -> None:
        """Data changed elsewhere: reload the villages, the list and the page shown."""
        self._fill_villages()
        self.run_search()

    def _fill_filters(self) -> None:
        self._fill_villages()
        for combo, items, everything in (
                (self.status, STATUSES, lambda: _("Any survey status")),
                (self.poor, POOR, lambda: _("Poor or not"))):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything(), None)
            for code, label in items:
                combo.addItem(label(), code)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            combo.blockSignals(False)
        current = self.ethnicity.currentData()
        self.ethnicity.blockSignals(True)
        self.ethnicity.clear()
        self.ethnicity.addItem(_("Any ethnic group"), None)
        for code, label in codes.ETHNICITIES.items():
            self.ethnicity.addItem(_(label), code)
        self.ethnicity.setCurrentIndex(max(0, self.ethnicity.findData(current))
                                       if current else 0)
        self.ethnicity.blockSignals(False)

    def _fill_villages(self) -> None:
        current = self.village_id()
        self.village.blockSignals(True)
        self.village.clear()
        if not self.context.village_scope():  # a member's list is their own village's
            self.village.addItem(_("All villages"), None)
        for village in self.context.villages():
            self.village.addItem(village["name"], village["id"])
        index = self.village.findData(current) if current else 0
        self.village.setCurrentIndex(max(0, index))
        self.village.blockSignals(False)

    def _restore_selection(self) -> None:
        wanted = None
        if self._selected_id:
            wanted = self.model.find("id", self._selected_id, limit=self.model.PAGE * 4)
        if wanted is None and self.model.total():
            wanted = 0
        if wanted is None:
            self.detail.show_household(None)
            return
        index = self.model.index(wanted, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        self._on_current_row(index, QModelIndex())

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(RowRole) if current.isValid() else None
        if row is not None and self.detail.household is not None \
                and self.detail.household["id"] == row["id"] \
                and self.detail.household.get("rev") == row.get("rev"):
            return
        self._selected_id = row["id"] if row else None
        self.detail.show_household(row)

    def select_household(self, household_id: str) -> bool:
        """Select a household shown in the list; False if it is not among the results."""
        self._selected_id = household_id
        found = self.model.find("id", household_id)
        if found is None:
            return False
        self._restore_selection()
        return True

    def show_household(self, household_id: str) -> None:
        """Show one household, whatever the filters (from Home or a session)."""
        row = self.context.workspace.registry.household(household_id)
        if row is None:
            return
        self.search.blockSignals(True)
        self.search.setText(row["head_name"])
        self.search.blockSignals(False)
        for combo in (self.village, self.ethnicity, self.poor):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.status.blockSignals(True)
        self.status.setCurrentIndex(self.status.findData("deleted") if row["deleted"] else 0)
        self.status.blockSignals(False)
        self._selected_id = household_id
        self.run_search()

    def set_status_filter(self, status: str | None) -> None:
        self.search.clear()
        self.status.setCurrentIndex(max(0, self.status.findData(status)) if status else 0)

    # -- surveys -------------------------------------------------------------------------------
    def _navigator(self) -> Any:
        window = self.window()
        keys = getattr(window, "screen_keys", None)
        return window if callable(keys) and SURVEYS_SCREEN in keys() else None

    def survey_again(self, household_id: str) -> Any:
        """Switch to Surveys and start a round prefilled from the registry (the form view)."""
        window = self._navigator()
        if window is None:
            return None
        return window.show_screen(SURVEYS_SCREEN).start(HOUSEHOLD_SURVEY,
                                                        household_id=household_id)

    def start_new_survey(self, *, show: bool = True) -> StartSurveyDialog:
        """Ask the village and the head's name; offer a registered household that looks the
        same before starting a new one (``show=False``: the dialog is returned unshown)."""
        registry = self.context.workspace.registry
        dialog = StartSurveyDialog(self.context.villages(),
                                   lambda v, h: registry.similar_households(v, h),
                                   registry.round_start(), village_id=self.village_id(),
                                   parent=self)
        dialog.accepted.connect(lambda: self._start_from(dialog))
        if show:
            dialog.open()
        return dialog

    def _start_from(self, dialog: StartSurveyDialog) -> Any:
        window = self._navigator()
        if window is None:
            return None
        surveys = window.show_screen(SURVEYS_SCREEN)
        if dialog.chosen_household:
            return surveys.start(HOUSEHOLD_SURVEY, household_id=dialog.chosen_household)
        return surveys.start(HOUSEHOLD_SURVEY, village_id=dialog.village_id(),
                             head_name=dialog.head_name())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.detail.set_can_survey(self._navigator() is not None)
        self.new_survey_button.setVisible(self._navigator() is not None)

    # -- edits ---------------------------------------------------------------------------------
    def _after_write(self, household_id: str | None = None) -> None:
        if household_id:
            self._selected_id = household_id
        self.detail.reload()
        self.run_search()

    def add_household(self, *, show: bool = True) -> HouseholdDialog:
        def submit(values, messages):
            head = values.pop("head")
            village = values.pop("village_id")
            return run_write(self.context, lambda ws: ws.registry.add_household(
                village, head, values), messages, on_done=self._after_write)

        dialog = HouseholdDialog(_("Add a household"), submit, self.context.villages(),
                                 village_id=self.village_id(), parent=self)
        if show:
            dialog.open()
        return dialog

    def _on_action(self, action: str, ref: str) -> Any:
        handlers = {
            "edit": self.edit_household, "move": self.move_household,
            "add_person": self.add_person, "remove": self.remove_household,
            "restore": self.restore_household, "edit_person": self.edit_person,
            "remove_person": self.remove_person, "restore_person": self.restore_person,
        }
        if action in handlers:
            return handlers[action](ref)
        window = self.window()
        if action in ("session", "follow_up") and hasattr(window, "show_screen"):
            screen = window.show_screen("sessions")
            return screen.open_session(ref) if action == "session" else screen.follow_up(ref)
        if action == "open_submission" and self._navigator() is not None:
            return window.show_screen(SURVEYS_SCREEN).open_submission(ref)
        if action == "class" and hasattr(window, "show_screen"):
            return window.show_screen("training").open_class(ref)
        return None

    def edit_household(self, household_id: str, *, show: bool = True) -> HouseholdDialog:
        row = self.context.workspace.registry.household(household_id)

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.registry.update_household(
                household_id, values), messages, on_done=lambda _r: self._after_write())

        dialog = HouseholdDialog(_("Correct the household"), submit,
                                 self.context.villages(), row, parent=self)
        if show:
            dialog.open()
        return dialog

    def move_household(self, household_id: str, *, show: bool = True) -> MoveDialog:
        row = self.context.workspace.registry.household(household_id)

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.registry.move_household(
                household_id, values["village_id"]), messages,
                on_done=lambda _r: self._after_write())

        dialog = MoveDialog(submit, self.context.villages(), row["village_id"], self)
        if show:
            dialog.open()
        return dialog

    def remove_household(self, household_id: str, *, show: bool = True) -> RemoveDialog:
        from fieldapp.services.registry import HOUSEHOLD_REASONS

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.registry.tombstone_household(
                household_id, values["reason"]), messages,
                on_done=lambda _r: self._after_write())

        dialog = RemoveDialog(_("Remove the household"), submit, HOUSEHOLD_REASONS, self)
        if show:
            dialog.open()
        return dialog

    def restore_household(self, household_id: str) -> Any:
        return run_write(self.context, lambda ws: ws.registry.restore_household(household_id),
                         None, on_done=lambda _r: self._after_write())

    def add_person(self, household_id: str, *, show: bool = True) -> PersonDialog:
        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.registry.add_person(
                household_id, values), messages, on_done=lambda _r: self._after_write())

        dialog = PersonDialog(_("Add a person to the household"), submit, parent=self)
        if show:
            dialog.open()
        return dialog

    def edit_person(self, person_id: str, *, show: bool = True) -> PersonDialog:
        person = self.context.workspace.registry.person(person_id)

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.registry.update_person(
                person_id, values), messages, on_done=lambda _r: self._after_write())

        dialog = PersonDialog(_("Correct the person"), submit, person, parent=self)
        if show:
            dialog.open()
        return dialog

    def remove_person(self, person_id: str, *, show: bool = True) -> RemoveDialog:
        from fieldapp.services.registry import PERSON_REASONS

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.registry.tombstone_person(
                person_id, values["reason"]), messages, on_done=lambda _r: self._after_write())

        dialog = RemoveDialog(_("Remove the person"), submit, PERSON_REASONS, self)
        if show:
            dialog.open()
        return dialog

    def restore_person(self, person_id: str) -> Any:
        return run_write(self.context, lambda ws: ws.registry.restore_person(person_id), None,
                         on_done=lambda _r: self._after_write())

    # -- texts ---------------------------------------------------------------------------------
    def count_text(self) -> str:
        query, filters = getattr(self, "_shown", ("", None))
        if self.total == 0 and (query or any((filters or {}).values())):
            return _("No matches")  # a commune with no household yet searched for nothing
        return ngettext("{total} household", "{total} households", self.total).format(
            total=fmt_int(self.total))

    def _update_count(self) -> None:
        self.count.setText(self.count_text())

    def _update_empty(self) -> None:
        query, filters = self._shown
        village_id = (filters or {}).get("village_id")
        village = self.village.itemText(max(0, self.village.findData(village_id)))
        others = any((filters or {}).get(k) for k in ("status", "ethnicity", "poor"))
        if query and village_id:
            text = _("No households in {village} match “{query}”.").format(
                village=village, query=query)
        elif query:
            text = _("No households match “{query}”.").format(query=query)
        elif others:
            text = _("No households match these filters.")
        elif village_id:
            text = _("No households in {village} yet.").format(village=village)
        else:
            text = _("No households yet. Households are added by the household survey, "
                     "with “Add a household” or by importing a package.")
        self.list.empty_text = text
        self.empty.setText(text)

    def _size_columns(self) -> None:
        """Widths from the font and typical values (a virtual list is never measured row by
        row), never narrower than the (translated) header."""
        fit_columns(self.table, {0: "Nguyễn Thị Phương", 1: "Bản Khuổi Luông", 2: "99",
                                 3: _("Last surveyed {date}").format(date="28/12/2026")})

    def retranslate(self) -> None:
        self.heading.setText(_("Households"))
        self.search.setPlaceholderText(_("Search by name (head or any member)…"))
        self.village.setToolTip(_("Show the households of one village"))
        self.status.setToolTip(_("Show households by survey status"))
        self.add_button.setText(_("Add a household…"))
        self.add_button.setToolTip(_("Register a household outside a survey (its head first)"))
        self.new_survey_button.setText(_("New household survey…"))
        self._fill_filters()
        self.model.retranslate()
        self._size_columns()
        self._update_count()
        self._update_empty()
        self.detail.retranslate()
