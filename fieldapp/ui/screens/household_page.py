"""One household's page: who lives there with their latest answers at a glance (dots for the
smartphone, e-payment, VNeID level 2, online public services and scam awareness), what to do
(start or repeat the survey, correct, move, add a person, remove or restore), follow-ups due,
and a timeline of survey rounds, support sessions and classes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QFrame, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QScrollArea,
                               QStackedWidget, QVBoxLayout, QWidget)

from fieldapp.core import codes
from fieldapp.core.glance import INDICATORS, SHORT
from fieldapp.i18n.catalog import _, ngettext, pgettext
from fieldapp.ui.formatting import code_label, fmt_int, parse_properties
from fieldapp.ui.labels import ordered_properties, property_label, property_value
from fieldapp.ui.models import Column, RowRole, RowTableModel, age_text
from fieldapp.ui.widgets import EmptyState, Heading, MutedLabel, table_view
from fieldapp.ui.workflow_widgets import dmy, glance_icon, glance_text, survey_status
from fieldapp.ui.columns import tip_items
from fieldapp.ui.flow import FlowLayout

TIMELINE_SHOWN = 30


class GlanceModel(RowTableModel):
    """Members of a household with a dot per key indicator (DecorationRole)."""

    def __init__(self, parent=None, *, year: int | None = None):
        super().__init__((), parent)
        self.year = year or dt.date.today().year
        self.columns = (
            Column(lambda: _("Name"), lambda r: r.get("full_name") or ""),
            Column(lambda: _("Born (age)"), lambda r: age_text(r.get("birth_year"), self.year)),
            Column(lambda: _("Relation"),
                   lambda r: code_label(codes.RELATIONS, r.get("relation"))),
            *(Column(lambda i=i: pgettext(SHORT, i.short), lambda r, i=i: "")
              for i in INDICATORS),
        )

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section - 3 < len(INDICATORS):
            indicator = INDICATORS[section - 3]
            return _("{short}: {title}").format(short=pgettext(SHORT, indicator.short),
                                                title=_(indicator.title))
        return super().headerData(section, orientation, role)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        column = index.column() - 3
        if index.isValid() and 0 <= column < len(INDICATORS) \
                and 0 <= index.row() < len(self._rows):
            level = (self._rows[index.row()].get("glance") or {}).get(INDICATORS[column].key)
            if role == Qt.ItemDataRole.DecorationRole:
                return glance_icon(level)
            if role == Qt.ItemDataRole.ToolTipRole:
                return _("{indicator}: {value}").format(indicator=_(INDICATORS[column].title),
                                                         value=glance_text(level))
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return glance_text(level)
        return super().data(index, role)


class HouseholdPane(QFrame):
    """The page of the household selected in the list (``show_household(row)``)."""

    survey_requested = Signal(str)
    action = Signal(str, str)
    """(action, id): "edit", "move", "add_person", "remove", "restore" with the household
    id; "edit_person", "remove_person", "restore_person" with a person id; "session" and
    "follow_up" with a session id."""

    def __init__(self, context, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.setObjectName("household_detail")
        self.household: dict[str, Any] | None = None
        self.page = None  # fieldapp.services.household_page.HouseholdPage, once read
        self.name = Heading(factor=1.25)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary = MutedLabel()
        self.summary.setObjectName("household_summary")
        self.removed_note = QLabel()
        self.removed_note.setObjectName("household_removed")
        self.removed_note.setWordWrap(True)
        self.removed_note.setStyleSheet("color: #b3261e; font-weight: bold;")
        self.survey_button = QPushButton()
        self.survey_button.setObjectName("survey_again")
        self.survey_button.setVisible(False)
        self.survey_button.clicked.connect(self._on_survey)
        self.buttons: dict[str, QPushButton] = {}
        # One row of buttons that wraps onto a second line in a narrow pane.
        actions = FlowLayout(spacing=6)
        actions.addWidget(self.survey_button)
        for key in ("edit", "move", "add_person", "remove", "restore"):
            button = QPushButton()
            button.setObjectName(f"household_{key}")
            button.clicked.connect(lambda _c=False, k=key: self._emit_household(k))
            actions.addWidget(button)
            self.buttons[key] = button
        self.erase_button = QPushButton()
        self.erase_button.setObjectName("erase_household")
        session = context.workspace.session
        self.erase_button.setVisible(session is None or session.is_staff)
        self.erase_button.clicked.connect(self.erase_household)
        actions.addWidget(self.erase_button)
        self.fields = QFormLayout()
        self.fields.setHorizontalSpacing(16)
        self.fields.setVerticalSpacing(4)
        self.members_heading = Heading(factor=1.05)
        self.persons = GlanceModel(self)
        self.persons_table = table_view()
        self.persons_table.setObjectName("persons_table")
        self.persons_table.setModel(self.persons)
        # Names give way last in a narrow pane (then elided, whole in their tooltip).
        self.persons_table.fit.keep = {0}
        self.persons_table.horizontalHeader().setMinimumSectionSize(30)
        self.persons_table.doubleClicked.connect(
            lambda index: self._emit_person("edit_person", index))
        person_actions = FlowLayout(spacing=6)
        self.person_buttons: dict[str, QPushButton] = {}
        self.persons_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for key in ("edit_person", "remove_person"):
            button = QPushButton()
            button.setObjectName(key)
            button.clicked.connect(lambda _c=False, k=key: self._emit_person(
                k, self.persons_table.currentIndex()))
            person_actions.addWidget(button)
            self.person_buttons[key] = button
        self.legend = MutedLabel()
        self.legend.setObjectName("glance_legend")
        self.removed_heading = Heading(factor=1.0)
        self.removed_list = QListWidget()
        self.removed_list.setObjectName("removed_persons")
        tip_items(self.removed_list)
        self.removed_list.itemActivated.connect(self._restore_person)
        self.follow_heading = Heading(factor=1.05)
        self.follow_list = QListWidget()
        self.follow_list.setObjectName("household_follow_ups")
        tip_items(self.follow_list)
        self.follow_list.itemActivated.connect(
            lambda item: self.action.emit("follow_up", item.data(Qt.ItemDataRole.UserRole)))
        self.timeline_heading = Heading(factor=1.05)
        self.timeline = QListWidget()
        self.timeline.setObjectName("household_timeline")
        self.timeline.setWordWrap(True)
        self.timeline.itemActivated.connect(self._on_timeline)
        self.rounds_text = MutedLabel()
        self.rounds_text.setObjectName("survey_rounds")
        self.rounds_text.setVisible(False)
        self.placeholder = EmptyState()

        content = QWidget()
        box = QVBoxLayout(content)
        box.setContentsMargins(16, 0, 8, 8)
        box.setSpacing(6)
        box.addWidget(self.name)
        box.addWidget(self.summary)
        box.addWidget(self.removed_note)
        box.addLayout(actions)
        box.addLayout(self.fields)
        box.addSpacing(4)
        box.addWidget(self.members_heading)
        box.addWidget(self.persons_table)
        box.addWidget(self.legend)
        box.addLayout(person_actions)
        box.addWidget(self.removed_heading)
        box.addWidget(self.removed_list)
        box.addWidget(self.follow_heading)
        box.addWidget(self.follow_list)
        box.addWidget(self.timeline_heading)
        box.addWidget(self.timeline, 1)
        box.addWidget(self.rounds_text)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.content = content
        self.pages = QStackedWidget()
        self.pages.addWidget(self.placeholder)
        self.pages.addWidget(scroll)
        self.scroll = scroll
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._can_survey = False
        self.retranslate()

    # -- data ----------------------------------------------------------------------------------
    def show_household(self, row: dict[str, Any] | None) -> None:
        """Show a household (a row of the list); its page is read in the background."""
        self.household = row
        self.page = None
        if row is None:
            self.persons.set_rows([])
            self._render()
            return
        household_id = row["id"]
        self.persons.set_rows(self.context.workspace.registry.members(household_id))
        self._render()
        self.context.reader.request(
            "household_page", lambda ws: ws.household_page(household_id),
            lambda page: self._show_page(household_id, page))

    def reload(self) -> None:
        if self.household is not None:
            row = self.context.workspace.registry.household(self.household["id"])
            self.show_household(row)

    def _show_page(self, household_id: str, page) -> None:
        if self.household is None or self.household["id"] != household_id or page is None:
            return
        self.page = page
        self.household = page.household
        self.persons.set_rows(page.persons)
        self._render()

    def set_can_survey(self, available: bool) -> None:
        self._can_survey = available
        self.survey_button.setVisible(available and bool(self.household)
                                      and not self.household.get("deleted"))

    def _emit_household(self, key: str) -> None:
        if self.household is not None:
            self.action.emit(key, self.household["id"])

    def _emit_person(self, key: str, index: QModelIndex) -> None:
        row = index.data(RowRole) if index.isValid() else None
        if row is not None:
            self.action.emit(key, row["id"])

    def _restore_person(self, item: QListWidgetItem) -> None:
        self.action.emit("restore_person", item.data(Qt.ItemDataRole.UserRole))

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
        """Commune staff erase the household's personal data on the family's request."""
        if self.household is None:
            return
        household_id = self.household["id"]
        reason = self.ask_erasure_reason()
        if reason is None:
            return
        self.context.writer.write(
            lambda ws: ws.privacy.erase("households", household_id, reason))

    def _on_survey(self) -> None:
        if self.household is not None:
            self.survey_requested.emit(self.household["id"])

    def _on_timeline(self, item: QListWidgetItem) -> None:
        kind, ref = item.data(Qt.ItemDataRole.UserRole) or ("", "")
        if kind == "session":
            self.action.emit("session", ref)
        elif kind in ("round", "draft"):
            self.action.emit("open_submission", ref)
        elif kind == "training":
            self.action.emit("class", ref)

    # -- rendering -----------------------------------------------------------------------------
    def _render(self) -> None:
        row = self.household
        if row is None:
            self.pages.setCurrentIndex(0)
            return
        self.pages.setCurrentIndex(1)
        deleted = bool(row.get("deleted"))
        self.name.setText(row.get("head_name") or "")
        round_start = self.context.workspace.registry.round_start()
        parts = [row.get("village_name") or "", survey_status(row, round_start)]
        poor = row.get("poor_status")
        if poor in ("poor", "near_poor"):
            parts.append(code_label(codes.POOR_STATUS, poor))
        self.summary.setText("  ·  ".join(p for p in parts if p))
        self.removed_note.setVisible(deleted)
        self.removed_note.setText(_("Removed from the registry: {reason}").format(
            reason=self._reason(row.get("deleted_reason"))) if deleted else "")
        for key in ("edit", "move", "add_person", "remove"):
            self.buttons[key].setVisible(not deleted)
        self.buttons["restore"].setVisible(deleted)
        for button in self.person_buttons.values():
            button.setVisible(not deleted)
        self.survey_button.setVisible(self._can_survey and not deleted)
        self.survey_button.setText(_("Survey this household again") if row.get("last_final_at")
                                   else _("Start the household survey"))
        while self.fields.rowCount():
            self.fields.removeRow(0)
        for label, value in self._field_rows(row):
            text = QLabel(value)
            text.setWordWrap(True)
            self.fields.addRow(_("{label}:").format(label=label), text)
        count = self.persons.rowCount()
        self.members_heading.setText(ngettext("{count} member", "{count} members", count)
                                     .format(count=fmt_int(count)))
        self.persons_table.setFixedHeight(
            self.persons_table.horizontalHeader().sizeHint().height()
            + max(1, count) * self.persons_table.verticalHeader().defaultSectionSize() + 4)
        self._render_page()

    @staticmethod
    def _reason(reason: str | None) -> str:
        from fieldapp.services.registry import reason_label

        return reason_label(reason)

    def _render_page(self) -> None:
        page = self.page
        self.removed_list.clear()
        self.follow_list.clear()
        self.timeline.clear()
        removed = page.removed if page else []
        self.removed_heading.setVisible(bool(removed))
        self.removed_list.setVisible(bool(removed))
        for person in removed:
            item = QListWidgetItem(_("{name} – {reason} (press Enter to restore)").format(
                name=person["full_name"], reason=self._reason(person.get("deleted_reason"))))
            item.setData(Qt.ItemDataRole.UserRole, person["id"])
            self.removed_list.addItem(item)
        self.removed_list.setFixedHeight(self._list_height(self.removed_list, len(removed)))
        follow = page.follow_ups if page else []
        self.follow_heading.setVisible(bool(follow))
        self.follow_list.setVisible(bool(follow))
        for row in follow:
            item = QListWidgetItem(_("{date}: follow up the session of {session}").format(
                date=dmy(row["follow_up_date"]), session=dmy(row["date"])))
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            self.follow_list.addItem(item)
        self.follow_list.setFixedHeight(self._list_height(self.follow_list, len(follow)))
        events = page.timeline[:TIMELINE_SHOWN] if page else []
        for event in events:
            item = QListWidgetItem(self._event_text(event))
            item.setData(Qt.ItemDataRole.UserRole, (event.kind, event.ref))
            self.timeline.addItem(item)
        if page is not None and not events:
            self.timeline.addItem(_("Nothing recorded for this household yet."))
        self.timeline.setMinimumHeight(
            min(self._content_height(self.timeline), self.fontMetrics().lineSpacing() * 12))
        self.rounds_text.setText(self.rounds_summary())

    @staticmethod
    def _content_height(widget: QListWidget, most: int = 360) -> int:
        """The list's rows' own height (wrapped text), at most ``most`` pixels."""
        widget.doItemsLayout()
        rows = sum(max(widget.sizeHintForRow(i), widget.fontMetrics().lineSpacing() + 4)
                   for i in range(widget.count()))
        return min(most, rows + 2 * widget.frameWidth() + 4)

    @staticmethod
    def _list_height(widget: QListWidget, rows: int, lines: int = 1) -> int:
        return min(12, max(1, rows)) * (widget.fontMetrics().lineSpacing() * lines + 8) + 6

    def _event_text(self, event) -> str:
        date = dmy(event.date)
        details = event.details
        if event.kind == "round":
            result = code_label(codes.INTERVIEW_RESULTS, details.get("result"))
            who = details.get("user_name") or ""
            text = _("{date} · Household survey round").format(date=date)
            if result:
                text += f" ({result})"
            return text + (f" – {who}" if who else "")
        if event.kind == "draft":
            return _("{date} · Household survey draft, not finalized").format(date=date)
        if event.kind == "session":
            people = "; ".join(self._person_outcomes(p) for p in details.get("persons", []))
            return _("{date} · Support session: {activities}").format(
                date=date, activities=self._activities(details.get("activities", []))) + (
                f"\n   {people}" if people else "")
        learners = ", ".join(details.get("learners", []))
        return _("{date} · Class “{name}” ({skills}): {learners}").format(
            date=date, name=details.get("name", ""),
            skills=", ".join(s.upper() for s in details.get("skills", [])), learners=learners)

    def _codes(self):
        try:
            return self.context.workspace.codes()
        except Exception:  # noqa: BLE001 - forms missing: codes are shown as they are
            return None

    def _activities(self, activities: list[str]) -> str:
        codes_ = self._codes()
        return ", ".join(codes_.label_of(codes_.activities, a) if codes_ else a
                         for a in activities)

    def _person_outcomes(self, person: dict[str, Any]) -> str:
        codes_ = self._codes()
        outcomes = ", ".join(codes_.label_of(codes_.outcomes, o) if codes_ else o
                             for o in person.get("outcomes", []))
        # Helped as a household (no one person): said in words, not left to an f-string,
        # whose text the catalog extraction cannot see.
        who = person.get("name") or _("The whole household")
        return _("{who}: {outcomes}").format(who=who, outcomes=outcomes or "–")

    def rounds_summary(self) -> str:
        """The latest finalized rounds, newest first, one line each ("23/11/2026 – Finalized")."""
        if self.page is None:
            return ""
        if not self.page.rounds:
            return _("No finalized household survey for this household yet.")
        return "\n".join(_("{time} – {status}").format(
            time=dmy(r.get("finalized_at") or r.get("updated_at")), status=_("Finalized"))
            for r in self.page.rounds[:4])

    def _field_rows(self, row: dict[str, Any]) -> list[tuple[str, str]]:
        fields = [
            (_("Ethnicity"), code_label(codes.ETHNICITIES, row.get("ethnicity"))),
            (_("Poverty status"), code_label(codes.POOR_STATUS, row.get("poor_status"))),
            (_("Phone"), row.get("phone") or ""),
            (_("Last verified"), dmy(row.get("last_verified"))),
        ]
        for key, value in ordered_properties(parse_properties(row.get("properties"))):
            fields.append((property_label(key), property_value(key, value)))
        return [(label, value) for label, value in fields if value not in ("", None)]

    def retranslate(self) -> None:
        self.placeholder.setText(_("Select a household to see its page."))
        texts = {"edit": _("Correct…"), "move": _("Move…"),
                 "add_person": _("Add a person…"), "remove": _("Remove…"),
                 "restore": _("Restore")}
        tips = {"edit": _("Correct the household's ethnic group, poverty status or phone"),
                "move": _("Move the household to another village"),
                "remove": _("Remove the household from the registry, saying why (it can "
                            "be restored)"),
                "restore": _("Bring the household back into the registry")}
        for key, button in self.buttons.items():
            button.setText(texts[key])
            button.setToolTip(tips.get(key, ""))
        self.erase_button.setText(_("Erase on request…"))
        self.erase_button.setToolTip(_("Remove the household's personal data for good, when "
                                       "the family asks (commune staff)"))
        self.person_buttons["edit_person"].setText(_("Correct the person…"))
        self.person_buttons["remove_person"].setText(_("Remove the person…"))
        self.survey_button.setToolTip(_("Start a household survey filled in from what is "
                                        "recorded; change only what is different now"))
        self.legend.setText(_("Dots: green yes, amber partly or with help, red no, grey not "
                              "known (latest answers)."))
        self.removed_heading.setText(_("Removed from the household"))
        self.follow_heading.setText(_("Follow-ups due"))
        self.timeline_heading.setText(_("Survey rounds, sessions and classes"))
        self.persons.retranslate()
        if self.household is not None:
            self._render()
