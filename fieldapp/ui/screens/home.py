"""Home: today's work. Drafts to finish, follow-ups due, households to survey (never, or not
this round), records not yet sent to the commune, the key indicators of the commune's people in
a small chart, and counts by village; each item leads to where the work is done.

Everything is read on the background reader (fieldapp.services.today), so Home appears at once
and fills in a moment later.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QStackedWidget,
                               QVBoxLayout, QWidget)

from fieldapp.i18n.catalog import _, ngettext
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import age_text, fmt_int
from fieldapp.ui.models import Column, VillageCountsModel
from fieldapp.ui.widgets import EmptyState, Heading, MutedLabel, table_view
from fieldapp.ui.workflow_widgets import dmy
from fieldapp.ui.columns import tip_items

SURVEY_TITLES = {"household_survey": lambda: _("Household survey"),
                 "support_session": lambda: _("Support session"),
                 "training_progress": lambda: _("Training progress")}


class HomeCountsModel(VillageCountsModel):
    """Households and persons by village, with how many were surveyed this round."""

    columns = (
        *VillageCountsModel.columns,
        Column(lambda: _("Surveyed this round"), lambda r: fmt_int(r.get("this_round", 0)),
               align_right=True),
        Column(lambda: _("Never surveyed"), lambda r: fmt_int(r.get("never", 0)),
               align_right=True),
    )

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and self.is_total_row(index.row()) and index.column() >= 3 \
                and role == Qt.ItemDataRole.DisplayRole:
            key = "this_round" if index.column() == 3 else "never"
            return fmt_int(sum(r.get(key, 0) for r in self._rows))
        return super().data(index, role)


class Card(QFrame):
    """A box of work: a title, a count, a few items that lead to the work."""

    activated = Signal(object)

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"#{name} {{ background: palette(base); border: 1px solid "
                           "palette(mid); border-radius: 4px; }")
        self.title = Heading(factor=1.05)
        self.number = Heading(factor=1.6)
        self.number.setObjectName(f"{name}_number")
        self.text = MutedLabel()
        self.items = QListWidget()
        self.items.setObjectName(f"{name}_items")
        tip_items(self.items)
        self.items.setFrameShape(QFrame.Shape.NoFrame)
        self.items.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.items.itemActivated.connect(
            lambda item: self.activated.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.items.itemDoubleClicked.connect(
            lambda item: self.activated.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.action = QPushButton()
        self.action.setObjectName(f"{name}_action")
        self.action.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.number)
        layout.addLayout(top)
        layout.addWidget(self.text)
        layout.addWidget(self.items)
        layout.addStretch(1)
        layout.addWidget(self.action)
        self.items.setMaximumHeight(self.items.fontMetrics().lineSpacing() * 5 + 12)

    def set_items(self, items: list[tuple[str, Any]]) -> None:
        self.items.clear()
        for text, data in items:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, data)
            self.items.addItem(item)
        self.items.setVisible(bool(items))


class IndicatorChart(QWidget):
    """Horizontal bars: the survey's share for each key indicator (the commune report's
    figures), "–" for a small cell; the tooltip gives each share with its counts."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("indicator_chart")
        self.counts: list = []
        self.setMinimumHeight(150)

    def set_counts(self, counts: list) -> None:
        self.counts = list(counts)
        self.setToolTip("\n".join(self.lines()))
        self.update()

    def lines(self) -> list[str]:
        return [_("{indicator}: {figure}").format(indicator=count.title, figure=count.figure)
                for count in self.counts]

    def columns(self) -> tuple[int, int, int]:
        """(names, figures, bars) widths: the indicators' names whole where the width allows,
        the bars giving way down to a fifth of the chart (a name cut short says less than a
        shorter bar)."""
        metrics = self.fontMetrics()
        text_width = max((metrics.horizontalAdvance(c.text) for c in self.counts),
                         default=40) + 8
        label_width = min(max((metrics.horizontalAdvance(c.title) for c in self.counts),
                              default=80) + 12,
                          max(self.width() // 2, self.width() - text_width - 16
                              - max(80, self.width() // 5)))
        return label_width, text_width, max(40, self.width() - label_width - text_width - 16)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        rows = max(1, len(self.counts))
        height = min(28, (self.height() - 4) // rows)
        label_width, text_width, bar_width = self.columns()
        palette = self.palette()
        for i, count in enumerate(self.counts):
            y = 2 + i * height
            painter.setPen(palette.windowText().color())
            title = metrics.elidedText(count.title, Qt.TextElideMode.ElideRight,
                                       label_width - 10)
            painter.drawText(QRectF(0, y, label_width - 8, height),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight),
                             title)
            box = QRectF(label_width, y + 4, bar_width, height - 8)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e8e8e8"))
            painter.drawRect(box)
            if count.share is not None:
                painter.setBrush(QColor("#2e7d32"))
                painter.drawRect(QRectF(box.left(), box.top(), box.width() * count.share,
                                        box.height()))
            painter.setPen(palette.windowText().color())
            painter.drawText(QRectF(label_width + bar_width + 6, y, text_width, height),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                             count.text)
        painter.end()


class _FixedHeights(QWidget):
    """A box sized by its minimum and its size hint, not by a height for its width (a box
    layout takes that as the least it may give, and squeezes the others below theirs)."""

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return False


class HomeScreen(QWidget):
    """The commune at a glance and today's work."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.work = None
        self.devices: list = []
        self.title = Heading(factor=1.6)
        self.subtitle = MutedLabel()
        self.drafts = Card("drafts_card")
        self.drafts.activated.connect(self._open_draft)
        self.follow_ups = Card("follow_ups_card")
        self.follow_ups.activated.connect(self._open_follow_up)
        self.surveys = Card("survey_card")
        self.surveys.activated.connect(self._open_households)
        self.pending = Card("pending_card")
        self.pending.activated.connect(lambda _data: self._go("sync"))
        self.pending.action.clicked.connect(lambda: self._go("sync"))
        self.chart_card = Card("indicators_card")
        self.chart = IndicatorChart()
        self.chart_card.layout().insertWidget(2, self.chart, 1)
        self.chart_card.items.hide()
        self.table_heading = Heading(factor=1.05)
        self.model = HomeCountsModel(parent=self)
        self.table = table_view()
        self.table.setObjectName("village_counts")
        self.table.setModel(self.model)
        self.table.setSelectionMode(self.table.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = EmptyState()
        self.body = QStackedWidget()
        self.body.addWidget(self.table)
        self.body.addWidget(self.empty)
        self.fresh_heading = Heading(factor=1.05)
        self.freshness = QLabel()
        self.freshness.setObjectName("freshness")
        self.freshness.setWordWrap(True)

        grid = QGridLayout()
        grid.setSpacing(10)
        grid.addWidget(self.drafts, 0, 0)
        grid.addWidget(self.follow_ups, 0, 1)
        grid.addWidget(self.surveys, 0, 2)
        grid.addWidget(self.chart_card, 1, 0, 1, 2)
        grid.addWidget(self.pending, 1, 2)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        self.cards = grid
        # The cards keep the lines they need when the window is short (1280x720 at 125%):
        # the table below gives way and scrolls; a grid would squeeze the wrapped texts.
        self._cards_box = _FixedHeights()
        self._cards_box.setLayout(grid)
        self._cards_box.installEventFilter(self)
        bottom = QHBoxLayout()
        counts = QVBoxLayout()
        counts.addWidget(self.table_heading)
        counts.addWidget(self.body, 1)
        self.fresh_box = QWidget()
        fresh = QVBoxLayout(self.fresh_box)
        fresh.setContentsMargins(0, 0, 0, 0)
        fresh.addWidget(self.fresh_heading)
        fresh.addWidget(self.freshness)
        fresh.addStretch(1)
        bottom.addLayout(counts, 3)
        bottom.addWidget(self.fresh_box, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addSpacing(4)
        layout.addWidget(self._cards_box, 0)
        # No height for its width either: the table takes what is left, and scrolls.
        bottom_box = _FixedHeights()
        bottom_box.setLayout(bottom)
        bottom.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bottom_box, 1)
        self.retranslate()
        self.refresh()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if watched is self._cards_box and event.type() == QEvent.Type.Resize:
            self._fit_cards()
        return False

    def _fit_cards(self) -> None:
        needed = max(self.cards.minimumHeightForWidth(self._cards_box.width()),
                     self.cards.sizeHint().height())
        if needed > 0 and needed != self._cards_box.minimumHeight():
            self._cards_box.setFixedHeight(needed)

    # -- data ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read today's work and the counts (in the background)."""
        if self.context.without_village():  # said on the page, not in a warning per read
            self.retranslate()
        else:
            self.context.reader.request("today", lambda ws: ws.today_work(), self._show_work)
        self.context.reader.request("freshness", lambda ws: ws.sync.devices(),
                                    self._show_devices)

    def _show_work(self, work) -> None:
        self.work = work
        self.model.set_rows(work.villages)
        self.retranslate()

    def _show_devices(self, devices) -> None:
        self.devices = [d for d in devices if d.kind == "member"]
        self._show_freshness()

    def _show_freshness(self) -> None:
        self.fresh_heading.setVisible(bool(self.devices))
        self.freshness.setVisible(bool(self.devices))
        self.fresh_box.setVisible(bool(self.devices))
        lines = []
        for device in sorted(self.devices, key=lambda d: d.last_received_at or ""):
            who = f" ({device.user_name})" if device.user_name else ""
            when = (_("last package {age}").format(age=age_text(device.last_received_at))
                    if device.last_received_at else _("no package received yet"))
            lines.append(f"• {device.name}{who}: {when}")
        self.freshness.setText("\n".join(lines))

    # -- going to the work -----------------------------------------------------------------------
    def _go(self, key: str):
        window = self.window()
        if hasattr(window, "screen_keys") and key in window.screen_keys():
            return window.show_screen(key)
        return None

    def _open_draft(self, submission_id: str | None):
        screen = self._go("surveys") if submission_id else None
        return screen.open_submission(submission_id) if screen is not None else None

    def _open_follow_up(self, session_id: str | None):
        screen = self._go("sessions") if session_id else None
        return screen.follow_up(session_id) if screen is not None else None

    def _open_households(self, status: str | None):
        screen = self._go("households")
        if screen is not None:
            screen.set_status_filter(status)
        return screen

    # -- texts ---------------------------------------------------------------------------------
    def _render_work(self) -> None:
        work = self.work
        if work is None:
            for card in (self.drafts, self.follow_ups, self.surveys, self.pending):
                card.number.setText("…")
            return
        self.drafts.number.setText(fmt_int(work.draft_count))
        self.drafts.text.setText(_("Nothing waiting.") if not work.draft_count else
                                 ngettext("{count} record saved as a draft",
                                          "{count} records saved as drafts",
                                          work.draft_count).format(
                                     count=fmt_int(work.draft_count)))
        self.drafts.set_items([(self._draft_text(d), d["id"]) for d in work.drafts])
        self.follow_ups.number.setText(fmt_int(work.follow_up_count))
        self.follow_ups.text.setText(_("None due this week.") if not work.follow_up_count else
                                     _("Due within a week or overdue:"))
        self.follow_ups.set_items([(self._follow_text(f), f["id"]) for f in work.follow_ups])
        to_survey = work.never_surveyed + work.not_this_round
        self.surveys.number.setText(fmt_int(to_survey))
        self.surveys.text.setText(_("{this_round} of {total} households surveyed this "
                                    "round.").format(this_round=fmt_int(work.this_round),
                                                     total=fmt_int(work.households)))
        self.surveys.set_items([
            (ngettext("{count} never surveyed", "{count} never surveyed",
                      work.never_surveyed).format(count=fmt_int(work.never_surveyed)), "never"),
            (ngettext("{count} surveyed before, not this round",
                      "{count} surveyed before, not this round",
                      work.not_this_round).format(count=fmt_int(work.not_this_round)),
             "not_this_round")])
        commune = (self.context.commune() or {}).get("name", "")
        if work.pending is None:
            self.pending.title.setText(_("The commune's laptop"))
            self.pending.number.setText("")
            self.pending.text.setText(
                _("This is the laptop of {commune}: packages from the members' laptops are "
                  "received here.").format(commune=commune) if work.joined else
                _("This is the laptop of {commune}. Before the members' laptops can send "
                  "their packages here, create the commune's sync identity and register "
                  "them (Sync, Devices).").format(commune=commune))
            self.pending.action.setVisible(not work.joined)
        else:
            self.pending.number.setText(fmt_int(work.pending))
            if work.pending:
                text = _("Records changed here that the commune has not acknowledged yet. "
                         "Send a package.")
            else:
                text = _("Everything entered here has reached the commune.")
            self.pending.text.setText(text)
            self.pending.action.setVisible(bool(work.pending))
        self.pending.set_items([])
        self.chart.set_counts(work.indicators)
        self._fit_cards()

    def _draft_text(self, draft: dict[str, Any]) -> str:
        title = SURVEY_TITLES.get(draft["form_id"], lambda: draft["form_id"])()
        who = draft.get("head_name") or draft.get("village_name") or ""
        return _("{form}: {who} ({date})").format(form=title, who=who or "–",
                                                  date=dmy(draft.get("updated_at")))

    @staticmethod
    def _follow_text(row: dict[str, Any]) -> str:
        names = ", ".join(n for n in row.get("names", []) if n) or row.get("village_name") or ""
        return _("{date} · {names}").format(date=dmy(row["follow_up_date"]), names=names)

    def retranslate(self) -> None:
        commune = self.context.commune()
        if commune:
            province = commune.get("province")
            self.title.setText(
                _("{commune}, {province}").format(commune=commune["name"], province=province)
                if province else commune["name"])
        else:
            self.title.setText(_("No commune set up yet"))
        totals = self.model.totals()
        villages = len(self.model.rows())
        self.subtitle.setText(
            _("Villages: {villages}   ·   Households: {households}   ·   Persons: {persons}").format(
                villages=fmt_int(villages), households=fmt_int(totals["households"]),
                persons=fmt_int(totals["persons"])))
        self.drafts.title.setText(_("Drafts to finish"))
        self.follow_ups.title.setText(_("Follow-ups due"))
        self.surveys.title.setText(_("Households to survey"))
        self.pending.title.setText(_("Not yet sent"))
        self.pending.action.setText(_("Go to Sync"))
        period = self.work.indicators_period if self.work is not None else ""
        self.chart_card.title.setText(_("Key indicators of the survey, {period}").format(
            period=period) if period else _("Key indicators of the survey"))
        self.chart_card.number.setText("")
        self.chart_card.text.setText(
            _("Shares of those asked, as in the commune report; “–”: fewer than {n} asked, "
              "not shown.").format(n=5) if period else
            _("No household has been interviewed this year or last year."))
        self.table_heading.setText(_("Households and persons by village"))
        self.empty.setText(
            _("No village is assigned to you yet: ask commune staff to assign one.")
            if self.context.without_village() else
            _("No villages yet. Villages are added when the commune is set up."))
        self.body.setCurrentWidget(self.table if villages else self.empty)
        self.model.retranslate()
        self.fresh_heading.setText(_("Data from the member laptops"))
        self._show_freshness()
        self._render_work()
        self.chart.update()

