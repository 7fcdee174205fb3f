"""Schema steps of label packs as synced records (m060), run by
:data:`fieldapp.storage.schema.migrations` (its step calls this module; this module does not
import the schema, so the two make no cycle)."""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database


def add_pack_entries(db: Database, synced_table: Callable) -> None:
    """The translator flag of team members and label pack entries (fieldapp.core.kinds:
    users.translator, pack_entries), each a synced record."""
    from fieldapp.core.kinds import kind

    if "translator" not in db["users"].columns_dict:
        db["users"].add_column("translator", int)
    synced_table(db, kind("pack_entries"))
    db.execute("create index idx_pack_entries_pack on pack_entries(pack)")
