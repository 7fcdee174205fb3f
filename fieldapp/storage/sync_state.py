"""Local bookkeeping of sync by file: keys, peers and how far each acknowledged, the import log.

None of it is synced: it describes this laptop's own view of its exchanges.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fieldapp.storage.store import Store

_PEER_COLUMNS = ("device", "kind", "name", "user_id", "hub_id", "verify_key", "box_key",
                 "registered_at", "commune_id")


class SyncState:
    def __init__(self, store: "Store"):
        self.store = store

    # -- secrets (this laptop's private keys) -----------------------------------------------
    def secret(self, name: str) -> bytes | None:
        value = self.store.scalar("select value from sync_secrets where name = ?", [name])
        return bytes(value) if value is not None else None

    def set_secret(self, name: str, value: bytes) -> None:
        with self.store.transaction():
            self.store.conn.execute(
                "insert into sync_secrets(name, value) values (?, ?) on conflict(name) "
                "do update set value = excluded.value", [name, value])

    # -- peers ----------------------------------------------------------------------------------
    def add_peer(self, **values: Any) -> None:
        unknown = set(values) - set(_PEER_COLUMNS)
        if unknown:
            raise KeyError(unknown)
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        updates = ", ".join(f"{k} = excluded.{k}" for k in values if k != "device")
        with self.store.transaction():
            self.store.conn.execute(
                f"insert into sync_peers({names}) values ({marks}) on conflict(device) "
                f"do update set {updates}", list(values.values()))

    def peer(self, device: str) -> dict[str, Any] | None:
        rows = self.store.query("select * from sync_peers where device = ?", [device])
        return rows[0] if rows else None

    def peers(self, kind: str | None = None) -> list[dict[str, Any]]:
        if kind:
            return self.store.query("select * from sync_peers where kind = ? order by name",
                                    [kind])
        return self.store.query("select * from sync_peers order by kind, name")

    def hub(self) -> dict[str, Any] | None:
        """The hub this laptop sends its changes to (its commune; a commune's province)."""
        rows = self.store.query("select * from sync_peers where kind = 'hub' and active = 1 "
                                "order by registered_at desc limit 1")
        return rows[0] if rows else None

    def update_peer(self, device: str, **values: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in values)
        self.store.conn.execute(f"update sync_peers set {sets} where device = ?",
                                [*values.values(), device])

    # -- import log -----------------------------------------------------------------------------
    def imported(self, package_id: str, source_device: str | None = None
                 ) -> dict[str, Any] | None:
        """The import of the package ``package_id`` that ``source_device`` sent (None: any).

        A package's id is in its header, readable by anyone who holds the file: a member who
        copied another laptop's package id into a package of their own does not make that
        laptop's package "already imported" (its import is logged under
        :func:`_own_key`)."""
        rows = self.store.query("select * from sync_imports where package_id in (?, ?)",
                                [package_id, _own_key(package_id, source_device)])
        return next((r for r in rows if source_device is None or r["source_device"] in (
            None, source_device)), None)

    def log_import(self, package_id: str, **values: Any) -> None:
        counts = values.pop("counts", None)
        source = values.get("source_device")
        if source and self.store.scalar("select 1 from sync_imports where package_id = ?",
                                        [package_id]):
            package_id = _own_key(package_id, source)  # the id is another laptop's already
        self.store.conn.execute(
            "insert into sync_imports(package_id, file, source_device, kind, imported_at, "
            "imported_by, counts) values (?, ?, ?, ?, ?, ?, ?)",
            [package_id, values.get("file"), source, values.get("kind"),
             values["imported_at"], values.get("imported_by"),
             json.dumps(counts, sort_keys=True) if counts is not None else None])

    def imports(self) -> list[dict[str, Any]]:
        rows = self.store.query("select * from sync_imports order by imported_at desc")
        for row in rows:
            row["counts"] = json.loads(row["counts"]) if row["counts"] else {}
        return rows

    # -- duplicate households: decisions of the reviewers here --------------------------------
    def duplicate_decisions(self) -> dict[str, str]:
        return {r["pair"]: r["decision"]
                for r in self.store.query("select pair, decision from duplicate_decisions")}

    def decide_duplicate(self, pair: str, decision: str, by: str | None, at: str) -> None:
        with self.store.transaction():
            self.store.conn.execute(
                "insert into duplicate_decisions(pair, decision, decided_at, decided_by) "
                "values (?, ?, ?, ?) on conflict(pair) do update set "
                "decision = excluded.decision, decided_at = excluded.decided_at, "
                "decided_by = excluded.decided_by", [pair, decision, at, by])

    # -- what a peer has not acknowledged -----------------------------------------------------
    def unacknowledged(self, acked: int, *, only_device: str | None = None,
                       not_device: str | None = None, records: bool = False) -> int:
        """Changes after ``acked`` in this laptop's log: only those made by ``only_device``,
        or not by ``not_device``; with ``records``, the records they touch."""
        where, params = ["seq > ?"], [acked]
        if only_device:
            where.append("site = (select site from sync_devices where device = ?)")
            params.append(only_device)
        if not_device:
            where.append("site != coalesce((select site from sync_devices where device = ?),"
                         " -1)")
            params.append(not_device)
        what = "distinct rec" if records else "*"
        return self.store.scalar(
            f"select count({what}) from changes where {' and '.join(where)}", params) or 0


def _own_key(package_id: str, source_device: str | None) -> str:
    """The key of a package's import when another laptop's package took its id first: no
    package id holds a "/" (fieldapp.sync.package.Header), so none can take this one."""
    return f"{package_id}/{source_device}"
