"""Privacy for the screens: erasure on request, records past the retention period.

Erasure (commune staff) writes an ``erasures`` record: fieldapp.storage.erasure removes the
household's or person's personal data here, and wherever the record arrives by sync. The
retention setting (years, per laptop) lists households not updated since, for review.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from fieldapp.core.kinds import BY_TABLE
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc

if TYPE_CHECKING:
    from fieldapp.services.workspace import Workspace


class Privacy:
    def __init__(self, workspace: "Workspace"):
        self.workspace = workspace
        self.store = workspace.store

    def erase(self, table: str, record_id: str, reason: str) -> str:
        """Erase a household (with its members and surveys) or a person; returns the id of
        the erasure. The reason must not name anyone: it travels with the erasure."""
        self.workspace.access.require_staff()
        if table not in BY_TABLE or not BY_TABLE[table].erasable:
            raise UserError(_("Only a household or a person can be erased."))
        row = getattr(self.store, table).get(record_id)
        if row is None and not self.store.log.rec(record_id):
            raise UserError(_("There is no record {id}.").format(id=record_id))
        with self.store.transaction():
            erasure = self.store.erasures.erase(table, record_id, reason=nfc(reason or "").strip(),
                                                user_id=self.store.user_id)
            self.workspace.audit.record("erasure", object_table=table, object_id=record_id,
                                        detail={"erasure": erasure})
        return erasure

    def erasures(self) -> list[dict[str, Any]]:
        self.workspace.access.require_staff()
        return self.store.erasures.list()

    def past_retention(self, years: int | None = None, *, now: datetime | None = None,
                       limit: int = 500) -> list[dict[str, Any]]:
        """Households not updated for ``years`` (the retention setting), oldest first."""
        self.workspace.access.require_staff()
        years = years or self.workspace.setting("retention_years")
        now = now or datetime.now(timezone.utc)
        cutoff = (now - timedelta(days=365 * years)).strftime("%Y-%m-%dT%H:%M:%S")
        return self.store.households.not_updated_since(cutoff, limit)
