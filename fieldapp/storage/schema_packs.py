"""Schema steps of label packs as synced records (m060-m069), appended to
:data:`fieldapp.storage.schema.migrations` (which imports this module at its end)."""

from __future__ import annotations

from sqlite_utils import Database

from fieldapp.storage.schema import migrations, synced_table


@migrations()
def m060_pack_entries(db: Database) -> None:
    """The translator flag of team members and label pack entries (fieldapp.core.kinds:
    users.translator, pack_entries), each a synced record."""
    from fieldapp.core.kinds import kind

    if "translator" not in db["users"].columns_dict:
        db["users"].add_column("translator", int)
    synced_table(db, kind("pack_entries"))
    db.execute("create index idx_pack_entries_pack on pack_entries(pack)")
