"""Repositories over the local database: the only code that writes rows or holds SQL.

Every write normalises text to NFC, stores folded search keys and binary sort keys for names, and
stamps the sync columns (creating device, times, hybrid-logical-clock revision).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


from fieldapp.core.clock import HybridLogicalClock, new_id, utc_now_iso
from fieldapp.i18n.text import fold, name_sort_text, nfc, nfc_all, sort_text
from fieldapp.storage import db as dbmod

ROLES = ("member", "commune_staff", "trainer")
SEARCH_LIMIT = 500

# Which name column of a table gets a folded key and a sort key, and their column names.
_NAME_COLUMNS = {
    "communes": ("name", "name_key", None, None),
    "villages": ("name", "name_key", "name_sort", sort_text),
    "users": ("name", "name_key", "name_sort", name_sort_text),
    "households": ("head_name", "head_name_key", "head_sort", name_sort_text),
    "persons": ("full_name", "name_key", "name_sort", name_sort_text),
}


_WORD = re.compile(r"\w+")


class Store:
    """The local database of one laptop. Create with :meth:`open`."""

    def __init__(self, db, path: Path | None = None, *,
                 wall: Callable[[], float] = time.time):
        """``db``: an open sqlite3 connection (from :func:`fieldapp.storage.db.connect`) or a
        sqlite-utils Database over one."""
        self.conn = getattr(db, "conn", db)
        self._db = db if db is not self.conn else None
        self.path = path
        self._wall = wall
        self.device_id = self._ensure_device()
        self.clock = HybridLogicalClock(self.device_id, self.meta("hlc_last"), wall=wall)

    @classmethod
    def open(cls, path: Path | str, **kwargs) -> "Store":
        return cls(dbmod.connect(path), Path(path), **kwargs)

    @property
    def db(self):
        """The sqlite-utils Database for writes, created on first use: reads go straight to the
        connection, so start-up does not pay for importing sqlite-utils."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn, execute_plugins=False)
        return self._db

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Rows of a read query as dicts."""
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.conn.close()

    # -- metadata and device identity -------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("select value from app_meta where key = ?", [key])
        return default if value is None else value

    def set_meta(self, key: str, value: str | None) -> None:
        self.db["app_meta"].upsert({"key": key, "value": nfc(value)}, pk="key")

    def _ensure_device(self) -> str:
        device = self.meta("device_id")
        if not device:
            import socket  # only for a new database

            device = new_id()
            with self.db.atomic():
                self.set_meta("device_id", device)
                self.set_meta("device_name", nfc(socket.gethostname()))
        return device

    @property
    def device_name(self) -> str:
        return self.meta("device_name") or self.device_id[:8]

    @property
    def is_set_up(self) -> bool:
        return self.meta("setup_done") == "1"

    @property
    def is_demo(self) -> bool:
        return self.meta("is_demo") == "1"

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One user action = one transaction (nested calls become savepoints); persists the
        clock with it. sqlite-utils commits each write itself unless it runs inside
        ``Database.atomic()``, so every multi-row change must go through here."""
        with self.db.atomic():
            yield
            self.set_meta("hlc_last", self.clock.last)

    # -- generic synced writes ---------------------------------------------------------------
    def _prepare(self, table: str, values: dict[str, Any], *, new: bool) -> dict[str, Any]:
        row = nfc_all(values)
        for key in ("properties", "legacy_names", "answers"):
            if key in row and not isinstance(row[key], (str, type(None))):
                row[key] = json.dumps(row[key], ensure_ascii=False, sort_keys=True)
        spec = _NAME_COLUMNS.get(table)
        if spec and spec[0] in row:
            name_col, key_col, sort_col, sorter = spec
            row[name_col] = " ".join((row[name_col] or "").split())
            row[key_col] = fold(row[name_col])
            if sort_col:
                row[sort_col] = sorter(row[name_col])
        now = utc_now_iso(self._wall)
        row["updated_at"] = now
        row["rev"] = self.clock.tick()
        if new:
            row.setdefault("id", new_id())
            row.setdefault("device_id", self.device_id)
            row.setdefault("created_at", now)
            row.setdefault("deleted", 0)
        return row

    def insert(self, table: str, values: dict[str, Any]) -> str:
        row = self._prepare(table, values, new=True)
        self.db[table].insert(row)
        return row["id"]

    def insert_many(self, table: str, rows: Iterable[dict[str, Any]], batch_size: int = 1000) -> None:
        self.db[table].insert_all((self._prepare(table, r, new=True) for r in rows),
                                  batch_size=batch_size)

    def update(self, table: str, row_id: str, changes: dict[str, Any]) -> None:
        row = self._prepare(table, changes, new=False)
        self.db[table].update(row_id, row)

    def tombstone(self, table: str, row_id: str, reason: str) -> None:
        self.update(table, row_id, {"deleted": 1, "deleted_reason": reason})

    def get(self, table: str, row_id: str) -> dict[str, Any] | None:
        rows = self.query(f"select * from [{table}] where id = ?", [row_id])
        return rows[0] if rows else None

    # -- administrative units ----------------------------------------------------------------
    def add_commune(self, name: str, province: str = "", legacy_names: list[str] = ()) -> str:
        return self.insert("communes", {"name": name, "province": province,
                                        "legacy_names": list(legacy_names)})

    def commune(self) -> dict[str, Any] | None:
        commune_id = self.meta("commune_id")
        return self.get("communes", commune_id) if commune_id else None

    def add_village(self, commune_id: str, name: str, *, kind: str = "thon", remote: bool = False,
                    legacy_names: list[str] = (), position: int | None = None) -> str:
        return self.insert("villages", {"commune_id": commune_id, "name": name, "kind": kind,
                                        "remote": int(remote), "legacy_names": list(legacy_names),
                                        "position": position})

    def villages(self) -> list[dict[str, Any]]:
        return self.query(
            "select * from villages where deleted = 0 order by name_sort")

    # -- team members ------------------------------------------------------------------------
    def add_user(self, name: str, role: str, *, pin_hash: str | None = None,
                 village_id: str | None = None, language: str = "vi") -> str:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        return self.insert("users", {"name": name, "role": role, "pin_hash": pin_hash,
                                     "village_id": village_id, "language": language})

    def users(self) -> list[dict[str, Any]]:
        return self.query("select * from users where deleted = 0 order by name_sort")

    # -- households and persons --------------------------------------------------------------
    def add_household(self, village_id: str, head_name: str, **fields: Any) -> str:
        return self.insert("households", {"village_id": village_id, "head_name": head_name,
                                          **fields})

    def add_person(self, household_id: str, full_name: str, **fields: Any) -> str:
        return self.insert("persons", {"household_id": household_id, "full_name": full_name,
                                       **fields})

    def search_households(self, query: str = "", village_id: str | None = None,
                          limit: int = SEARCH_LIMIT) -> tuple[list[dict[str, Any]], int]:
        """Households whose head's or members' names match ``query``.

        Matching is accent-insensitive, by word prefix and in order: "dang" and "ĐẶNG" find
        Đặng, "nguyen v" finds Nguyễn Văn An. Returns (first ``limit`` rows in Vietnamese name
        order, total number of matches); each row has the village name and the member count.
        """
        folded = fold(query)
        if not folded:
            return self._list_households(village_id, limit)
        words = _WORD.findall(folded)
        if not words:  # only punctuation: nothing can match
            return [], 0
        phrase = "names : (" + " + ".join(f'"{w}"*' for w in words) + ")"
        if village_id:
            phrase = f'village : "v{village_id.replace("-", "")}" AND {phrase}'
        params: dict[str, Any] = {"m": phrase, "limit": limit}
        total = self.scalar("select count(*) from household_names where household_names match :m",
                            params)
        rows = self.query(
            f"""select h.*, v.name as village_name,
                   (select count(*) from persons p where p.household_id = h.id
                    and p.deleted = 0) as member_count
                from households h join villages v on v.id = h.village_id
                where h.rowid in (select rowid from household_names
                                  where household_names match :m)
                order by h.head_sort limit :limit""", params)
        return rows, total

    def _list_households(self, village_id: str | None, limit: int
                         ) -> tuple[list[dict[str, Any]], int]:
        where = "h.deleted = 0" + (" and h.village_id = :v" if village_id else "")
        params = {"v": village_id, "limit": limit}
        total = self.conn.execute(f"select count(*) from households h where {where}",
                                params).fetchone()[0]
        rows = self.query(
            f"""select h.*, v.name as village_name,
                   (select count(*) from persons p where p.household_id = h.id
                    and p.deleted = 0) as member_count
                from households h join villages v on v.id = h.village_id
                where {where} order by h.head_sort limit :limit""", params)
        return rows, total

    def persons_of(self, household_id: str) -> list[dict[str, Any]]:
        """Members of a household: the head first, then by birth year (oldest first)."""
        return self.query(
            """select * from persons where household_id = ? and deleted = 0
               order by relation = 'head' desc, birth_year, name_sort""", [household_id])

    def counts_by_village(self) -> list[dict[str, Any]]:
        return self.query(
            """select v.id, v.name, v.remote,
                 (select count(*) from households h where h.village_id = v.id
                  and h.deleted = 0) as households,
                 (select count(*) from persons p join households h on h.id = p.household_id
                  where h.village_id = v.id and p.deleted = 0 and h.deleted = 0) as persons
               from villages v where v.deleted = 0 order by v.name_sort""")

    def counts(self) -> dict[str, int]:
        result = {}
        for table in ("villages", "users", "households", "persons", "submissions"):
            result[table] = self.conn.execute(
                f"select count(*) from {table} where deleted = 0").fetchone()[0]
        return result
