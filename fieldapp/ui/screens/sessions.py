"""Support sessions: the list (by village, activity, team member and period, a virtual list
however many there are), the selected session with its people and outcomes, and the quick log
(fieldapp.ui.screens.session_log) to record a session, correct one or log its follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QSplitter, QStackedWidget, QVBoxLayout, QWidget)

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import N_, _, ngettext
from fieldapp.ui.flow import FlowLayout
from fieldapp.ui.formatting import fmt_int
from fieldapp.ui.models import Column, PagedTableModel, RowRole
from fieldapp.ui.screens.registry_dialogs import RemoveDialog
from fieldapp.ui.widgets import (CurrentStack, EmptyState, Heading, MutedLabel, names_combo,
                                 scrolling, table_view)
from fieldapp.ui.workflow_widgets import dmy, fit_columns, run_write

PERIODS = (("", lambda: _("Any date")), ("30", lambda: _("The last 30 days")),
           ("month", lambda: _("This month")), ("90", lambda: _("The last 3 months")),
           ("year", lambda: _("This year")))
SESSION_REASONS = {"entered by mistake": N_("Entered by mistake"),
                   "duplicate": N_("Registered twice (a duplicate)")}


def period_start(code: str, today: dt.date) -> str | None:
    if code == "30":
        return (today - dt.timedelta(days=30)).isoformat()
    if code == "90":
        return (today - dt.timedelta(days=90)).isoformat()
    if code == "month":
        return today.replace(day=1).isoformat()
    if code == "year":
        return today.replace(month=1, day=1).isoformat()
    return None


class SessionsModel(PagedTableModel):
    def __init__(self, codes, parent=None):
        super().__init__(parent)
        self.codes = codes
        self.columns = (
            Column(lambda: _("Date"), lambda r: dmy(r.get("date"))),
            Column(lambda: _("Village"), lambda r: r.get("village_name") or ""),
            Column(lambda: _("Activities"), self._activities),
            Column(lambda: _("People"), lambda r: fmt_int(r.get("person_count")),
                   align_right=True),
            Column(lambda: _("Follow-up"), self._follow_up),
            Column(lambda: _("Logged by"), lambda r: r.get("user_name") or ""),
        )

    def _activities(self, row: dict[str, Any]) -> str:
        return ", ".join(self.codes.label_of(self.codes.activities, a)
                         for a in (row.get("activities") or "").split())

    @staticmethod
    def _follow_up(row: dict[str, Any]) -> str:
        if not row.get("follow_up_date"):
            return ""
        if row.get("follow_up_done"):
            return _("done")
        return dmy(row["follow_up_date"])

    def tooltip(self, row: dict[str, Any], column: int) -> Any:
        return self._activities(row) if column == 2 else super().tooltip(row, column)


class SessionsScreen(QWidget):
    shows = frozenset({"sessions", "session_persons", "persons", "households", "villages", "users"})
    """The kinds of records it shows (sessions and the persons helped): ``data_changed``
    refreshes it when they change."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        from fieldapp.ui.screens.session_log import QuickLog

        self.context = context
        self.codes = context.workspace.codes()
        self.filters: dict[str, Any] = {}
        self.stack = CurrentStack(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.list_page = QWidget()
        self.heading = Heading(factor=1.4)
        self.log_button = QPushButton()
        self.log_button.setObjectName("log_session")
        self.log_button.clicked.connect(lambda: self.log_session())
        self.village = names_combo("session_village_filter", 14)
        self.activity = QComboBox()
        self.activity.setObjectName("session_activity_filter")
        self.activity.setMinimumContentsLength(18)
        self.activity.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.member = names_combo("session_member_filter", 14)
        self.period = QComboBox()
        self.period.setObjectName("session_period_filter")
        for combo in (self.village, self.activity, self.member, self.period):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.count = MutedLabel()
        self.count.setObjectName("session_count")
        self.model = SessionsModel(self.codes, self)
        self.table = table_view()
        self.table.setObjectName("sessions_table")
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self._fit()
        self.table.fit.keep = {0}  # the date gives way last
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.table.doubleClicked.connect(lambda index: self.correct_selected())
        self.empty = EmptyState()
        self.results = QStackedWidget()
        self.results.addWidget(self.table)
        self.results.addWidget(self.empty)
        self.detail_title = Heading(factor=1.1)
        self.detail = QLabel()
        self.detail.setObjectName("session_detail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        actions = FlowLayout(spacing=6)  # wraps in a narrow pane
        for key, handler in (("correct", self.correct_selected),
                             ("follow_up", lambda: self.follow_up(self.selected_id())),
                             ("done", self.follow_up_done), ("remove", self.remove_selected)):
            button = QPushButton()
            button.setObjectName(f"session_{key}")
            button.clicked.connect(lambda _c=False, h=handler: h())
            actions.addWidget(button)
            self.buttons[key] = button

        filters = QHBoxLayout()
        filters.addWidget(self.village, 2)
        filters.addWidget(self.activity, 3)
        filters.addWidget(self.member, 2)
        filters.addWidget(self.period, 2)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.log_button)
        detail_box = QWidget()
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.setContentsMargins(12, 0, 0, 0)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addLayout(actions)
        # who was helped can be a long list of long names: it scrolls rather than being cut
        detail_layout.addWidget(scrolling(self.detail), 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.results, 1)
        left_box.addWidget(self.count)
        splitter.addWidget(left)
        splitter.addWidget(detail_box)
        # The list gets the room: its activities are sentences (elided, whole in a tooltip).
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([800, 340])
        page = QVBoxLayout(self.list_page)
        page.setContentsMargins(20, 14, 20, 10)
        page.addLayout(top)
        page.addLayout(filters)
        page.addWidget(splitter, 1)
        self.log = QuickLog(context)
        self.log.saved.connect(self._on_saved)
        self.log.cancelled.connect(self.show_list)
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.log)
        self._fill_filters()
        self.retranslate()
        self.refresh()

    # -- the list -------------------------------------------------------------------------------
    def _fill_filters(self) -> None:
        def fill(combo: QComboBox, everything: str | None, items) -> None:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            if everything is not None:
                combo.addItem(everything, None)
            for code, label in items:
                combo.addItem(label, code)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            combo.blockSignals(False)

        # A member's list is their own village's: no "all villages" to choose.
        fill(self.village, None if self.context.village_scope() else _("All villages"),
             [(v["id"], v["name"]) for v in self.context.villages()])
        fill(self.activity, _("Any activity"),
             [(c.code, c.label()) for c in self.codes.activities])
        fill(self.member, _("Any team member"),
             [(u["id"], u["name"]) for u in self.context.workspace.users()])
        fill(self.period, _("Any date"), [(code, label()) for code, label in PERIODS[1:]])

    def current_filters(self) -> dict[str, Any]:
        return self.context.workspace.sessions.filters(
            village_id=self.village.currentData(), activity=self.activity.currentData(),
            member_id=self.member.currentData(),
            date_from=period_start(self.period.currentData() or "", dt.date.today()))

    def refresh(self, *_args) -> None:
        filters = self.current_filters()
        self.filters = filters

        def read(ws):
            sessions = ws.sessions
            return sessions.count(filters), sessions.page(filters, 0, PagedTableModel.PAGE)

        self.context.reader.request("sessions", read, lambda r: self._show(filters, r))

    def _show(self, filters: dict[str, Any], result) -> None:
        total, first = result
        sessions = self.context.workspace.sessions
        self.model.reset(total, lambda offset, limit: sessions.page(filters, offset, limit),
                         first)
        self.results.setCurrentWidget(self.table if total else self.empty)
        self.count.setText(ngettext("{count} session", "{count} sessions", total).format(
            count=fmt_int(total)))
        if total:
            self.table.setCurrentIndex(self.model.index(0, 0))
        else:
            self._show_detail(None)

    def selected_id(self) -> str | None:
        index = self.table.currentIndex()
        row = index.data(RowRole) if index.isValid() else None
        return row["id"] if row else None

    def _on_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(RowRole) if current.isValid() else None
        self._show_detail(row["id"] if row else None)

    def _show_detail(self, session_id: str | None) -> None:
        session = self.context.workspace.sessions.session(session_id) if session_id else None
        for button in self.buttons.values():
            button.setEnabled(session is not None)
        if session is None:
            self.detail_title.setText("")
            self.detail.setText(_("Select a session to see who was helped."))
            return
        due = bool(session["follow_up_date"]) and not session["follow_up_done"]
        self.buttons["follow_up"].setEnabled(due)
        self.buttons["done"].setEnabled(due)
        self.detail_title.setText(_("{date}, {village}").format(
            date=dmy(session["date"]), village=session["village_name"] or ""))
        lines = [_("Team: {names}").format(names=", ".join(session["member_names"]) or "–"),
                 _("Activities: {activities}").format(activities=", ".join(
                     self.codes.label_of(self.codes.activities, a)
                     for a in (session["activities"] or "").split()))]
        if session["follow_up_date"]:
            lines.append(_("Follow-up: {date}").format(date=dmy(session["follow_up_date"]))
                         + (" – " + _("done") if session["follow_up_done"] else ""))
        if session["notes"]:
            lines.append(_("Notes: {notes}").format(notes=session["notes"]))
        lines.append("")
        lines.append(ngettext("{count} person helped:", "{count} persons helped:",
                              len(session["helped"])).format(count=len(session["helped"])))
        for helped in session["helped"]:
            who = helped["full_name"] or _("Household of {head}").format(
                head=helped["head_name"] or "?")
            outcomes = [self.codes.label_of(self.codes.outcomes, o)
                        for o in (helped["outcomes"] or "").split() if o != "other"]
            if helped["outcome_other"]:
                outcomes.append(helped["outcome_other"])
            lines.append(f"• {who}: {', '.join(outcomes) or '–'}")
        self.detail.setText("\n".join(lines))

    # -- the quick log ----------------------------------------------------------------------------
    def log_session(self, *, village_id: str | None = None):
        """Open the quick log for a new session (returns it)."""
        self.log.start(village_id=village_id or self.village.currentData())
        self.stack.setCurrentWidget(self.log)
        return self.log

    def correct_selected(self):
        session_id = self.selected_id()
        return self.open_session(session_id, correct=True) if session_id else None

    def open_session(self, session_id: str, *, correct: bool = False):
        """Show a session in the list (or open it in the quick log to correct it)."""
        if correct:
            try:
                request = self.context.workspace.sessions.request_from(session_id)
            except UserError:
                return None
            self.log.start(request)
            self.stack.setCurrentWidget(self.log)
            return self.log
        self.show_list()
        found = self.model.find("id", session_id)
        if found is not None:
            self.table.setCurrentIndex(self.model.index(found, 0))
        else:
            self._show_detail(session_id)
        return self

    def follow_up(self, session_id: str | None):
        """The quick log for the follow-up of a session: same village and persons."""
        if not session_id:
            return None
        try:
            original = self.context.workspace.sessions.request_from(session_id)
        except UserError:
            return None
        from fieldapp.services.sessions import Helped, SessionRequest

        request = SessionRequest(None, original.village_id, (), (),
                                 tuple(Helped(h.person_id, h.household_id)
                                       for h in original.helped),
                                 follow_up_of=session_id)
        self.log.start(request, follow_up_of=session_id)
        self.stack.setCurrentWidget(self.log)
        return self.log

    def follow_up_done(self) -> None:
        session_id = self.selected_id()
        if session_id:
            run_write(self.context, lambda ws: ws.sessions.follow_up_done(session_id))

    def remove_selected(self, *, show: bool = True):
        session_id = self.selected_id()
        if not session_id:
            return None

        def submit(values, messages):
            return run_write(self.context, lambda ws: ws.sessions.remove(
                session_id, values["reason"]), messages)

        dialog = RemoveDialog(_("Remove the session"), submit, SESSION_REASONS, self)
        if show:
            dialog.open()
        return dialog

    def _on_saved(self, session_id: str) -> None:
        self.show_list()

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_page)
        self.refresh()

    def confirm_close(self) -> bool:
        return True

    def _fit(self) -> None:
        fit_columns(self.table, {0: "28/12/2026", 1: "Bản Khuổi Luông", 3: "99",
                                 4: "28/12/2026", 5: "Hoàng Thị Minh"})

    def retranslate(self) -> None:
        self.heading.setText(_("Support sessions"))
        self.log_button.setText(_("Log a session…"))
        self.log_button.setToolTip(_("Record a support session: who came, what was done, "
                                     "who was helped and what they achieved"))
        texts = {"correct": _("Correct…"), "follow_up": _("Log the follow-up…"),
                 "done": _("Follow-up done"), "remove": _("Remove…")}
        for key, button in self.buttons.items():
            button.setText(texts[key])
        self.empty.setText(_("No sessions recorded with these filters. Log a session after "
                             "each day of support."))
        self._fill_filters()
        self.model.retranslate()
        self._fit()
        self.log.retranslate()
        self._show_detail(self.selected_id())
