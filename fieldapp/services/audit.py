"""The audit log: who did what, when, on which laptop. Read-only; shown to commune staff.

Events are synced records (``audit_events``), so a member laptop's events reach the commune
in its packages. They name no household or person: the details are counts, file names and
record ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldapp.i18n.catalog import N_, _

if TYPE_CHECKING:
    from fieldapp.services.access import Access
    from fieldapp.storage.store import Store

ACTIONS = {
    "sign_in": N_("Signed in"),
    "import": N_("Imported a package"),
    "export": N_("Exported a package"),
    "export_named": N_("Exported a file with names"),
    "export_file": N_("Exported a file without names"),
    "print": N_("Printed"),
    "deletion": N_("Deleted a record"),
    "erasure": N_("Erased personal data"),
    "backup": N_("Made a backup"),
    "restore": N_("Restored a backup"),
    "user_added": N_("Added a team member"),
    "user_retired": N_("Retired a team member"),
    "role_changed": N_("Changed a role or village"),
    "pin_reset": N_("Reset a PIN"),
    "pin_changed": N_("Changed their own PIN"),
    "pin_recovered": N_("Recovered a forgotten PIN"),
}


DETAILS = {
    "file": N_("File"), "report": N_("Report"), "tables": N_("Tables"), "rows": N_("Rows"),
    "entries": N_("Changes"), "destination": N_("Sent to"),
    "source_device": N_("From the laptop"), "role": N_("Role"),
    "wrong_pins_before": N_("Wrong PINs before"), "erasure": N_("Erasure"),
    "from": N_("Before"), "to": N_("After"),
}
"""What an event's details are, by key (services record them in code)."""

REPORTS = {"commune": N_("Commune report"),
           "province": N_("Province report (one row per commune)"),
           "progress": N_("Trainer progress sheets"),
           "questionnaire": N_("Paper questionnaire"), "household": N_("Household handout")}


def action_label(action: str) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else action


def record_text(table: str | None, record_id: str | None) -> str:
    """"Training class 867D9C8B": the kind of record, in words (its declaration's label,
    fieldapp.core.kinds), and the start of its id; events never name a household or a
    person."""
    from fieldapp.core.kinds import BY_TABLE

    if not record_id:
        return ""
    declared = BY_TABLE.get(table or "")
    kind = _(declared.label) if declared is not None else _("Record")
    return f"{kind} {record_id.replace('-', '')[:8].upper()}"


def detail_text(detail: dict[str, Any] | None) -> str:
    """An event's details in words: "File: commune.pdf, Report: Commune summary"."""
    from fieldapp.core import codes
    from fieldapp.i18n.formatting import format_number

    if not detail:
        return ""
    parts = []
    for key, value in sorted(detail.items(), key=lambda kv: list(DETAILS).index(kv[0])
                             if kv[0] in DETAILS else len(DETAILS)):
        if key in ("role", "from", "to") and value in codes.ROLES:
            value = _(codes.ROLES[value])
        elif key == "report":
            value = _(REPORTS[value]) if value in REPORTS else value
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        elif isinstance(value, (int, float)):
            value = format_number(value)
        elif key == "erasure" and isinstance(value, str):
            value = value.replace("-", "")[:8].upper()
        text = str(value)
        parts.append(_("{what}: {value}").format(what=_(DETAILS[key]), value=text)
                     if key in DETAILS else text)
    return ", ".join(parts)


@dataclass(frozen=True)
class AuditEntry:
    id: str
    at: str
    action: str
    user: str
    role: str
    device: str
    object: str
    detail: dict[str, Any]


class AuditLog:
    def __init__(self, store: "Store", access: "Access"):
        self.store = store
        self.access = access

    def record(self, action: str, *, object_table: str | None = None,
               object_id: str | None = None, detail: dict[str, Any] | None = None) -> str:
        """Write an event as the signed-in user (inside the caller's transaction if any)."""
        self.access.require_signed_in()
        return self.store.audit.record(action, user_id=self.store.user_id,
                                       object_table=object_table, object_id=object_id,
                                       detail=detail)

    def entries(self, *, limit: int = 1000, offset: int = 0) -> list[AuditEntry]:
        """Events, newest first (commune staff only)."""
        self.access.require_staff()
        own = self.store.device_id
        out = []
        for row in self.store.audit.list(limit=limit, offset=offset):
            device = self.store.device_name if row["device_id"] == own else (
                row["device_name"] or row["device_id"][:8])
            obj = f"{row['object_table']} {row['object_id'][:8]}" if row["object_id"] else ""
            out.append(AuditEntry(row["id"], row["created_at"], row["action"],
                                  row["user_name"] or (row["user_id"] or "")[:8],
                                  row["user_role"] or "", device, obj, row["detail"]))
        return out

    def count(self) -> int:
        self.access.require_staff()
        return self.store.audit.count()


def tombstone_audited(store: "Store", table: str, record_id: str, reason: str) -> None:
    """Remove a record (a tombstone, kept in its history) and note the deletion in the audit
    log, in one transaction."""
    with store.transaction():
        getattr(store, table).tombstone(record_id, reason)
        store.audit.record("deletion", user_id=store.user_id, object_table=table,
                           object_id=record_id)
