"""Typed repositories over the synced tables: the only place their SQL lives.

Services call these methods (``store.households.update(id, {...})``) rather than naming tables;
every write goes through the store's :class:`~fieldapp.storage.writer.RecordWriter` inside a
transaction, so it lands in the change log.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fieldapp.core import codes
from fieldapp.core.changes import Change

if TYPE_CHECKING:
    from fieldapp.storage.store import Store

SEARCH_LIMIT = 500
ROLES = tuple(codes.ROLES)
"""The roles a team member can have (fieldapp.services.access says what each may do)."""


class SyncedRepository:
    """Reading and writing one synced table."""

    table = ""

    def __init__(self, store: "Store"):
        self.store = store

    def get(self, record_id: str) -> dict[str, Any] | None:
        rows = self.store.query(f"select * from [{self.table}] where id = ?", [record_id])
        return rows[0] if rows else None

    def add(self, values: dict[str, Any]) -> str:
        with self.store.transaction():
            return self.store.writer.insert(self.table, values)

    def add_many(self, rows) -> list[str]:
        with self.store.transaction():
            return self.store.writer.insert_many(self.table, rows)

    def update(self, record_id: str, values: dict[str, Any]) -> bool:
        with self.store.transaction():
            return self.store.writer.update(self.table, record_id, values)

    def tombstone(self, record_id: str, reason: str) -> None:
        with self.store.transaction():
            self.store.writer.tombstone(self.table, record_id, reason)

    def restore(self, record_id: str) -> None:
        with self.store.transaction():
            self.store.writer.restore(self.table, record_id)

    def history(self, record_id: str) -> list[Change]:
        """Every change of the record, superseded values included, in log order."""
        return self.store.writer.history(record_id)

    def ids_where(self, column: str, value: Any) -> list[str]:
        """Ids of the live records whose ``column`` (a column name, never user input) is
        ``value``."""
        return [r["id"] for r in self.store.query(
            f"select id from [{self.table}] where [{column}] = ? and deleted = 0", [value])]

    def row_count(self) -> int:
        """Every row, tombstones included."""
        return self.store.scalar(f"select count(*) from [{self.table}]")


class CommuneRepository(SyncedRepository):
    table = "communes"

    def add_commune(self, name: str, province: str = "", legacy_names=()) -> str:
        return self.add({"name": name, "province": province,
                         "legacy_names": list(legacy_names)})


class VillageRepository(SyncedRepository):
    table = "villages"

    def add_village(self, commune_id: str, name: str, *, kind: str = "thon",
                    remote: bool = False, legacy_names=(), position: int | None = None) -> str:
        return self.add({"commune_id": commune_id, "name": name, "kind": kind,
                         "remote": int(remote), "legacy_names": list(legacy_names),
                         "position": position})

    def list(self) -> list[dict[str, Any]]:
        return self.store.query("select * from villages where deleted = 0 order by name_sort")

    def ids_of_commune(self, commune_id: str) -> list[str]:
        return [v["id"] for v in self.store.query(
            "select id from villages where commune_id = ?", [commune_id])]

    def counts(self) -> list[dict[str, Any]]:
        """Live households and persons per village."""
        return self.store.query(
            """select v.id, v.name, v.remote,
                 (select count(*) from households h where h.village_id = v.id
                  and h.deleted = 0) as households,
                 (select count(*) from persons p join households h on h.id = p.household_id
                  where h.village_id = v.id and p.deleted = 0 and h.deleted = 0) as persons
               from villages v where v.deleted = 0 order by v.name_sort""")


class UserRepository(SyncedRepository):
    table = "users"

    def add_user(self, name: str, role: str, *, pin_hash: str | None = None,
                 village_id: str | None = None, language: str = "vi") -> str:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        return self.add({"name": name, "role": role, "pin_hash": pin_hash,
                         "village_id": village_id, "language": language})

    def list(self) -> list[dict[str, Any]]:
        return self.store.query("select * from users where deleted = 0 order by name_sort")


class DeviceRepository(SyncedRepository):
    """The commune's register of laptops (fieldapp.core.kinds: devices): one record per laptop
    and register, whose id follows from both (fieldapp.core.authority.registration_id)."""

    table = "devices"

    def register(self, commune_id: str, device: str, name: str | None, role: str, *,
                 user_id: str | None = None) -> str:
        """Register ``device`` in ``commune_id``'s register (again: its name, role and team
        member change; a retired registration is restored)."""
        values = registration(commune_id, device, name, role, user_id=user_id)
        record = values.pop("id")
        with self.store.transaction():
            existing = self.get(record)
            if existing is None:
                self.store.writer.insert(self.table, {"id": record, **values})
            else:
                if existing["deleted"]:
                    self.store.writer.restore(self.table, record)
                self.store.writer.update(self.table, record, values)
        return record

    def of_device(self, commune_id: str, device: str) -> dict[str, Any] | None:
        from fieldapp.core.authority import registration_id

        return self.get(registration_id(commune_id, device))

    def list(self) -> list[dict[str, Any]]:
        """Every registration, with the team member's name, retired ones included."""
        return self.store.query(
            """select d.*, u.name as user_name from devices d
               left join users u on u.id = d.user_id order by d.deleted, d.name""")


def registration(commune: str, device: str, name: str | None, role: str, *,
                 user_id: str | None = None, retired: bool = False) -> dict[str, Any]:
    """The values of a ``devices`` record that registers ``device`` in ``commune``."""
    from fieldapp.core.authority import registration_id

    row: dict[str, Any] = {"id": registration_id(commune, device), "device": device,
                           "name": name, "role": role, "commune_id": commune,
                           "user_id": user_id}
    if retired:
        row.update(deleted=1, deleted_reason="retired")
    return row


class HouseholdRepository(SyncedRepository):
    table = "households"

    def add_household(self, village_id: str, head_name: str, **fields: Any) -> str:
        return self.add({"village_id": village_id, "head_name": head_name, **fields})

    def search(self, query: str = "", village_id: str | None = None,
               limit: int = SEARCH_LIMIT) -> tuple[list[dict[str, Any]], int]:
        """Households whose head's or members' names match ``query``.

        Matching is accent-insensitive, by word prefix and in order: "dang" and "ĐẶNG" find
        Đặng, "nguyen v" finds Nguyễn Văn An. Returns (first ``limit`` rows in Vietnamese name
        order, total number of matches); each row has the village name, the member count and
        the survey status (fieldapp.storage.registry).
        """
        from fieldapp.storage.registry import HouseholdFilter

        lists = self.store.lists
        plan = lists.household_plan(query, HouseholdFilter(village_id=village_id))
        return lists.households(plan, 0, limit), plan.total

    def page_row(self, household_id: str) -> dict[str, Any] | None:
        """One household (tombstoned ones too) with its village's name, survey status and
        number of live members."""
        rows = self.store.query(
            """select h.*, v.name as village_name, r.last_final_at, r.finals as rounds,
                      r.drafts, r.last_draft_at,
                      (select count(*) from persons p where p.household_id = h.id
                       and p.deleted = 0) as member_count
               from households h left join villages v on v.id = h.village_id
               left join household_rounds r on r.household_id = h.id where h.id = ?""",
            [household_id])
        return rows[0] if rows else None

    def by_code(self, code: str, village_id: str | None = None, limit: int = 2
                ) -> list[dict[str, Any]]:
        """Live households whose id, without its dashes, starts with ``code`` (a printed
        code); of one village when given."""
        village = " and village_id = ?" if village_id is not None else ""
        return self.store.query(
            "select id, head_name, village_id, ethnicity from households where deleted = 0 "
            f"and replace(id, '-', '') like ?{village} limit ?",
            [code + "%", *([village_id] if village_id is not None else []), limit])

    def heads_in(self, village_id: str) -> list[dict[str, Any]]:
        """id, head_name and head_name_key of the live households of a village."""
        return self.store.query("select id, head_name, head_name_key from households "
                                "where village_id = ? and deleted = 0", [village_id])

    def with_given_name(self, village_id: str, given: str) -> list[str]:
        """Ids of a village's live households whose head's folded name is, or ends with,
        the folded given name ``given``."""
        return [r["id"] for r in self.store.query(
            """select id from households where village_id = ? and deleted = 0
               and (head_name_key = ? or head_name_key like ?)""",
            [village_id, given, f"% {given}"])]

    def villages_of(self, ids: set[str]) -> list[dict[str, Any]]:
        """id and village_id of those of ``ids`` that are live households."""
        ids_sorted, out = sorted(ids), []
        for start in range(0, len(ids_sorted), 500):
            chunk = ids_sorted[start:start + 500]
            # "+deleted": the households looked up by id. SQLite would otherwise walk every
            # live household by the index that starts with "deleted" (3.53 does, at 20,000
            # households: 2 ms a call instead of 0.35 ms, growing with the commune).
            out += self.store.query(
                f"select id, village_id from households where id in "
                f"({', '.join('?' for _ in chunk)}) and +deleted = 0", chunk)
        return out

    def count_in_village(self, village_id: str) -> int:
        return self.store.scalar(
            "select count(*) from households where village_id = ? and deleted = 0",
            [village_id])

    def not_updated_since(self, cutoff: str, limit: int) -> list[dict[str, Any]]:
        """Live households neither updated nor surveyed since ``cutoff``, oldest first, with
        their village's name (the retention review)."""
        return self.store.query(
            """select h.id, h.head_name, h.updated_at, v.name as village_name
               from households h left join villages v on v.id = h.village_id
               where h.deleted = 0 and h.updated_at < ? and not exists (
                   select 1 from submissions s where s.household_id = h.id
                   and s.updated_at >= ?)
               order by h.updated_at limit ?""", [cutoff, cutoff, limit])


class PersonRepository(SyncedRepository):
    table = "persons"

    def add_person(self, household_id: str, full_name: str, **fields: Any) -> str:
        return self.add({"household_id": household_id, "full_name": full_name, **fields})

    def keys_by_household(self, village_id: str) -> dict[str, set[tuple[str, int | None]]]:
        """{household id: {(folded name, birth year)}} of the live members of a village's
        households, in one query (probable-duplicate scoring compares them)."""
        out: dict[str, set[tuple[str, int | None]]] = {}
        # Households first (CROSS JOIN keeps the order): SQLite would otherwise walk every
        # live person of the database by its "deleted" index.
        for household, key, year in self.store.conn.execute(
                "select p.household_id, p.name_key, p.birth_year from households h "
                "cross join persons p on p.household_id = h.id "
                "where h.village_id = ? and p.deleted = 0", [village_id]):
            out.setdefault(household, set()).add((key, year))
        return out

    def of_household(self, household_id: str, *, with_deleted: bool = False
                     ) -> list[dict[str, Any]]:
        """Members of a household: the head first, then by birth year (oldest first); with
        ``with_deleted``, the tombstoned ones after them."""
        live = "" if with_deleted else " and deleted = 0"
        return self.store.query(
            f"""select * from persons where household_id = ?{live}
                order by deleted, relation = 'head' desc, birth_year, name_sort""",
            [household_id])

    def page_row(self, person_id: str) -> dict[str, Any] | None:
        """One person (tombstoned too) with their household's head, village and state."""
        rows = self.store.query(
            """select p.*, h.head_name, h.village_id, h.deleted as household_deleted,
                      v.name as village_name
               from persons p left join households h on h.id = p.household_id
               left join villages v on v.id = h.village_id where p.id = ?""", [person_id])
        return rows[0] if rows else None

    def households_of(self, person_ids: list[str]) -> set[str]:
        """The households of these persons."""
        found: set[str] = set()
        # Plain tuples, not the rows as dicts: an import asks for every person it brought.
        for start in range(0, len(person_ids), 5000):
            chunk = person_ids[start:start + 5000]
            found.update(row[0] for row in self.store.conn.execute(
                "select distinct household_id from persons where id in "
                f"({', '.join('?' for _ in chunk)})", chunk))
        return found

    def live_with_village(self) -> list[dict[str, Any]]:
        """id, household_id, birth_year and village_id of every live person of a live
        household, by village."""
        return self.store.query(
            """select p.id, p.household_id, p.birth_year, h.village_id from persons p
               join households h on h.id = p.household_id
               where p.deleted = 0 and h.deleted = 0 order by h.village_id, p.id""")


class AttachmentRepository(SyncedRepository):
    """Files attached to answers (photos, audio, documents): the answer holds the file name,
    the row the bytes; written through the change log like any record, so sync carries it."""

    table = "attachments"

    def add_file(self, submission_id: str, filename: str, media_type: str,
                 content: bytes) -> str:
        import hashlib

        return self.add({"submission_id": submission_id, "filename": filename,
                         "media_type": media_type, "size": len(content),
                         "sha256": hashlib.sha256(content).hexdigest(), "content": content})

    def of_submission(self, submission_id: str) -> list[dict[str, Any]]:
        """The live attachments of a submission, without their bytes, by file name."""
        return self.store.query(
            """select id, submission_id, filename, media_type, size, sha256, created_at
               from attachments where submission_id = ? and deleted = 0 order by filename""",
            [submission_id])

    def content(self, submission_id: str, filename: str) -> bytes | None:
        rows = self.store.query(
            "select content from attachments where submission_id = ? and filename = ? "
            "and deleted = 0", [submission_id, filename])
        return bytes(rows[0]["content"]) if rows else None


class AuditRepository(SyncedRepository):
    """The audit log: append-only events, synced to the commune with everything else."""

    table = "audit_events"

    def record(self, action: str, *, user_id: str | None, object_table: str | None = None,
               object_id: str | None = None, detail: dict[str, Any] | None = None) -> str:
        return self.add({"action": action, "user_id": user_id, "object_table": object_table,
                         "object_id": object_id, "detail": detail or None})

    def update(self, record_id: str, values: dict[str, Any]) -> bool:
        raise PermissionError("the audit log is append-only")

    def tombstone(self, record_id: str, reason: str) -> None:
        raise PermissionError("the audit log is append-only")

    def list(self, *, limit: int = 1000, offset: int = 0, action: str | None = None
             ) -> list[dict[str, Any]]:
        """Events, newest first, with the name of whoever did them (when known here)."""
        where = "where a.action = :action" if action else ""
        rows = self.store.query(
            f"""select a.id, a.action, a.user_id, u.name as user_name, u.role as user_role,
                   a.object_table, a.object_id, a.detail, a.device_id, a.created_at,
                   d.device_name
                from audit_events a left join users u on u.id = a.user_id
                left join (select device, name as device_name from sync_peers) d
                    on d.device = a.device_id
                {where} order by a.created_at desc, a.rev desc limit :limit offset :offset""",
            {"action": action, "limit": limit, "offset": offset})
        for row in rows:
            row["detail"] = json.loads(row["detail"]) if row["detail"] else {}
        return rows

    def count(self) -> int:
        return self.store.scalar("select count(*) from audit_events")


class ErasureRepository(SyncedRepository):
    """Erasures of personal data (fieldapp.storage.erasure): writing one performs it."""

    table = "erasures"

    def erase(self, target_table: str, target_id: str, *, reason: str,
              user_id: str | None) -> str:
        from fieldapp.core.kinds import BY_TABLE

        if target_table not in BY_TABLE or not BY_TABLE[target_table].erasable:
            raise ValueError(f"{target_table} records are not erased")
        return self.add({"target_table": target_table, "target_id": target_id,
                         "reason": reason, "user_id": user_id})

    def update(self, record_id: str, values: dict[str, Any]) -> bool:
        raise PermissionError("erasures are never changed")

    def tombstone(self, record_id: str, reason: str) -> None:
        raise PermissionError("erasures are never undone")

    def list(self) -> list[dict[str, Any]]:
        return self.store.query("select * from erasures order by created_at desc")

    def is_erased(self, record_id: str) -> bool:
        return bool(self.store.scalar("select 1 from erased where rid = ?", [record_id]))


class ConflictRepository:
    """Fields where two laptops changed the same value without seeing each other's edit
    (local bookkeeping, recomputed from the change log)."""

    def __init__(self, store: "Store"):
        self.store = store

    def list(self) -> list[dict[str, Any]]:
        rows = self.store.query("select * from conflicts order by tbl, rid, field")
        for row in rows:
            row["others"] = json.loads(row["others"])
        return rows

    def count_among(self, records: set[str]) -> int:
        """Fields in conflict among these records (now, after any resolution)."""
        records = list(records)
        total = 0
        for start in range(0, len(records), 500):
            chunk = records[start:start + 500]
            total += self.store.scalar(
                f"select count(*) from conflicts where rid in ({', '.join('?' for _ in chunk)})",
                chunk)
        return total

    def resolve(self, table: str, record_id: str, field: str, value: Any) -> None:
        with self.store.transaction():
            self.store.writer.resolve(table, record_id, field, value)
