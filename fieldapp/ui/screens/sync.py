"""Sync: packages between laptops (send and receive), what waits for review (conflicts,
duplicates), the commune's devices and the import history, each on a tab of its own."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from fieldapp.i18n.catalog import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.screens.sync_devices import DevicesTab, HistoryTab
from fieldapp.ui.screens.sync_exchange import ExchangeTab
from fieldapp.ui.screens.sync_review import ConflictsTab, DuplicatesTab
from fieldapp.ui.widgets import Heading


class SyncScreen(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.heading = Heading(factor=1.4)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("sync_tabs")
        self.exchange = ExchangeTab(context)
        session = context.workspace.session
        # Conflicts and probable duplicates name people of every village: commune staff
        # review them (the sync service refuses anyone else).
        staff = session is None or session.is_staff
        self.conflicts = ConflictsTab(context) if staff else None
        self.duplicates = DuplicatesTab(context) if staff else None
        self.devices = DevicesTab(context)
        self.history = HistoryTab(context)
        for tab in self._tabs():
            self.tabs.addTab(tab, "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        self.retranslate()

    def _tabs(self) -> list[QWidget]:
        return [tab for tab in (self.exchange, self.conflicts, self.duplicates, self.devices,
                                self.history) if tab is not None]

    def refresh(self) -> None:
        for tab in self._tabs():
            tab.refresh()

    def retranslate(self) -> None:
        self.heading.setText(_("Exchange with other laptops"))
        titles = {self.exchange: _("Send and receive"), self.conflicts: _("Conflicts"),
                  self.duplicates: _("Duplicates"), self.devices: _("Devices"),
                  self.history: _("Import history")}
        for index, tab in enumerate(self._tabs()):
            self.tabs.setTabText(index, titles[tab])
            tab.retranslate()
