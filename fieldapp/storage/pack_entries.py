"""Label pack entries (kind ``pack_entries``, fieldapp.core.pack_entries): their SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fieldapp.core.pack_entries import entry_id
from fieldapp.storage.repositories import SyncedRepository

if TYPE_CHECKING:
    from fieldapp.storage.store import Store

_TEXT_COLUMNS = ("id, pack, key, source, text, status, comment, reviewer, reviewer_commune, "
                 "reviewed_at, audio_ms, length(audio) as audio_bytes, deleted, rev, device_id, "
                 "updated_at")
"""Everything but the recording itself (a screen lists hundreds of entries)."""


class PackEntryRepository(SyncedRepository):
    table = "pack_entries"

    def __init__(self, store: "Store"):
        super().__init__(store)

    def of(self, pack: str, key: str) -> dict[str, Any] | None:
        """The entry of (pack, key) without its recording, or None."""
        rows = self.store.query(f"select {_TEXT_COLUMNS} from pack_entries where id = ?",
                                [entry_id(pack, key)])
        return rows[0] if rows else None

    def of_form(self, pack: str, form_id: str) -> list[dict[str, Any]]:
        """The live entries of one pack and form (keys ``form_id:...``), without recordings."""
        return self.store.query(
            f"select {_TEXT_COLUMNS} from pack_entries where pack = ? and deleted = 0 "
            "and substr(key, 1, ?) = ?", [pack, len(form_id) + 1, form_id + ":"])

    def of_pack(self, pack: str) -> list[dict[str, Any]]:
        return self.store.query(f"select {_TEXT_COLUMNS} from pack_entries where pack = ? "
                                "and deleted = 0", [pack])

    def packs(self) -> list[str]:
        return [r["pack"] for r in self.store.query(
            "select distinct pack from pack_entries where deleted = 0 order by pack")]

    def audio(self, pack: str, key: str) -> bytes | None:
        value = self.store.scalar("select audio from pack_entries where id = ? and deleted = 0",
                                  [entry_id(pack, key)])
        return bytes(value) if value else None

    def audio_keys(self, pack: str, form_id: str) -> set[str]:
        """The keys of (pack, form) that have a recording."""
        return {r["key"] for r in self.store.query(
            "select key from pack_entries where pack = ? and deleted = 0 and audio is not null "
            "and substr(key, 1, ?) = ?", [pack, len(form_id) + 1, form_id + ":"])}

    def audio_sizes(self, pack: str | None = None) -> list[int]:
        sql = "select length(audio) from pack_entries where audio is not null and deleted = 0"
        params: list[Any] = []
        if pack is not None:
            sql += " and pack = ?"
            params.append(pack)
        return [r[0] for r in self.store.conn.execute(sql, params)]

    def write(self, pack: str, key: str, source: str, values: dict[str, Any]) -> str:
        """Create the entry of (pack, key) or change it; returns its id."""
        record = entry_id(pack, key)
        with self.store.transaction():
            exists = self.store.scalar("select 1 from pack_entries where id = ?", [record])
            if exists:
                self.store.writer.update(self.table, record, {"source": source, **values})
            else:
                self.store.writer.insert(self.table, {"id": record, "pack": pack, "key": key,
                                                      "source": source, **values})
        return record
