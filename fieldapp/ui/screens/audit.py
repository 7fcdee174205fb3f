"""Audit log (commune staff): who did what, when, on which laptop. Read-only."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from fieldapp.core import codes
from fieldapp.i18n.catalog import _
from fieldapp.services.audit import action_label, detail_text, record_text
from fieldapp.ui.context import AppContext
from fieldapp.ui.formatting import code_label, fmt_int
from fieldapp.ui.models import Column, RowTableModel
from fieldapp.ui.widgets import Heading, MutedLabel, table_view


def _when(text: str) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(text).astimezone().strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError):
        return text or ""


def _object(entry: dict) -> str:
    """"Household 1A2B3C4D": the kind of record and the start of its id (no names)."""
    table, _space, record = (entry["object"] or "").partition(" ")
    return record_text(table, record)


class AuditModel(RowTableModel):
    def __init__(self, parent=None):
        super().__init__((), parent)
        self.columns = (
            Column(lambda: _("When"), lambda r: _when(r["at"])),
            Column(lambda: _("Who"), lambda r: r["user"]),
            Column(lambda: _("Role"), lambda r: code_label(codes.ROLES, r["role"])
                   if r["role"] else ""),
            Column(lambda: _("What"), lambda r: action_label(r["action"])),
            Column(lambda: _("Laptop"), lambda r: r["device"]),
            Column(lambda: _("Record"), _object),
            Column(lambda: _("Details"), lambda r: detail_text(r["detail"])),
        )


class AuditScreen(QWidget):
    shows = frozenset({"audit_events", "users"})
    """The kinds of records it shows (the audit log): ``data_changed``
    refreshes it when they change."""

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.heading = Heading(factor=1.4)
        self.hint = MutedLabel()
        self.hint.setObjectName("audit_hint")
        self.model = AuditModel(self)
        self.table = table_view()
        self.table.setObjectName("audit_table")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 20, 28, 16)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.heading.setText(_("Audit log"))
        self.model.retranslate()
        self.refresh()

    def refresh(self) -> None:
        def read(ws):
            return ws.audit.entries(limit=1000), ws.audit.count()

        self.context.reader.request("audit", read, self._show)

    def _show(self, result) -> None:
        entries, total = result
        self.model.set_rows([e.__dict__ for e in entries])
        self.hint.setText(_("Sign-ins, imports, exports, prints, deletions, erasures, restores "
                            "and changes to the team, from every laptop of the commune "
                            "(newest first; {shown} of {total}). Nobody can change or delete "
                            "them.").format(shown=fmt_int(len(entries)), total=fmt_int(total)))

