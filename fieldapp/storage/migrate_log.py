"""Migration m006: seed the change log from a database written before it existed.

Each row becomes changes at its revision stamp. A row edited after it was created also gets
one change at its creation time (``deleted`` = 0, by the creating device), so its creation
time and device stay what they were. Submissions are seeded from their saved versions (the
old ``submission_history`` table), oldest first, each answer replacing the one before, so
no saved version is lost; repeat rows get keys derived from the submission and the row's
position (old versions identified rows by position). Then every table is recomputed from the
log.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from fieldapp.core.changes import Change
from fieldapp.core.clock import HybridLogicalClock, Stamp
from fieldapp.core.kinds import RECORD_TYPES
from fieldapp.core.records import ROW_KEY
from fieldapp.storage.changelog import SCHEMA, ChangeLog
from fieldapp.storage.writer import RecordWriter

# Keys of repeat rows that existed before row keys: uuid5(this, "<submission>/<row path>").
LEGACY_ROW_NAMESPACE = uuid.UUID("0f6b2f0e-6a53-4d3e-9a55-5b1f3c1f7a10")
_FK_CHILDREN = ("persons", "households", "users", "villages")  # children before parents


def _ms(iso: str | None) -> int | None:
    if not iso:
        return None
    return int(round(datetime.fromisoformat(iso).timestamp() * 1000))


def keyed_answers(submission_id: str, tree: Any, path: str = "") -> dict[str, Any]:
    """A copy of an answers tree whose repeat rows all carry a key (positional legacy keys)."""
    out: dict[str, Any] = {}
    if not isinstance(tree, dict):
        return out
    for name, value in tree.items():
        if isinstance(value, list):
            rows = []
            for i, row in enumerate(value):
                if not isinstance(row, dict):
                    continue
                row_path = f"{path}{name}[{i}]"
                row = keyed_answers(submission_id, row, row_path + "/")
                row.setdefault(ROW_KEY, str(uuid.uuid5(LEGACY_ROW_NAMESPACE,
                                                       f"{submission_id}/{row_path}")))
                rows.append(row)
            out[name] = rows
        else:
            out[name] = value
    return out


class _Seeder:
    def __init__(self, log: ChangeLog):
        self.log = log
        self.last: dict[str, Stamp] = {}  # field -> stamp of its latest seeded value

    def emit(self, rec: int, table: str, record: str, fields: dict[str, Any], stamp: Stamp,
             *, diff: bool = False) -> None:
        changes = []
        for name, value in fields.items():
            if value is None and name not in self.last:
                continue
            changes.append(Change(table, record, name, value, stamp, self.last.get(name)))
            self.last[name] = stamp
        if diff:
            for name in [n for n in self.last if n not in fields]:
                changes.append(Change(table, record, name, None, stamp, self.last[name]))
                del self.last[name]
        self.log.append(rec, changes)


def _move_pack_preferences(db: Database) -> None:
    columns = {c.name for c in db["users"].columns}
    if "pack" not in columns:
        return
    for user_id, pack, mode in db.execute("select id, pack, pack_mode from users").fetchall():
        for key, value in (("form_pack", pack), ("form_pack_mode", mode)):
            if value:
                db.execute("insert or replace into app_meta(key, value) values (?, ?)",
                           [f"{key}@{user_id}", value])
    triggers = _triggers(db, "users")
    db["users"].transform(drop={"pack", "pack_mode"})
    _recreate(db, triggers)


def _triggers(db: Database, table: str) -> list[str]:
    return [r[0] for r in db.execute(
        "select sql from sqlite_master where type = 'trigger' and tbl_name = ?", [table])]


def _recreate(db: Database, sqls: list[str]) -> None:
    for sql in sqls:
        db.execute(sql)


def _drop_foreign_keys(db: Database) -> None:
    for table in _FK_CHILDREN:
        fks = [fk.column for fk in db[table].foreign_keys]
        if fks:
            triggers = _triggers(db, table)
            db[table].transform(drop_foreign_keys=fks)
            _recreate(db, triggers)


def _seed_rows(db: Database, log: ChangeLog, table: str) -> None:
    rtype = RECORD_TYPES[table]
    cursor = db.execute(f"select * from [{table}] order by rowid")
    names = [d[0] for d in cursor.description]
    for values in cursor.fetchall():
        row = dict(zip(names, values))
        record = row["id"]
        rev = Stamp.parse(row["rev"])
        created = _ms(row.get("created_at"))
        rec = log.new_rec(table, record)
        seeder = _Seeder(log)
        if created is not None and created < rev.wall_ms:
            seeder.emit(rec, table, record, {"deleted": 0},
                        Stamp(created, 0, row.get("device_id") or rev.device))
        logged = {c: row[c] for c in (*rtype.columns, *rtype.maps) if c in row}
        fields = rtype.fields_of(logged)
        if row.get("deleted"):
            fields.update({"deleted": 1, "deleted_reason": row.get("deleted_reason")})
        seeder.emit(rec, table, record, fields, rev)


def _seed_submissions(db: Database, log: ChangeLog) -> None:
    rtype = RECORD_TYPES["submissions"]
    has_history = db["submission_history"].exists()
    cursor = db.execute("select * from submissions order by rowid")
    names = [d[0] for d in cursor.description]
    for values in cursor.fetchall():
        row = dict(zip(names, values))
        record = row["id"]
        rec = log.new_rec("submissions", record)
        seeder = _Seeder(log)
        versions = db.execute(
            "select rev, status, answers, user_id from submission_history "
            "where submission_id = ? order by id", [record]).fetchall() if has_history else []
        if not versions or versions[-1][0] != row["rev"]:
            versions.append((row["rev"], row["status"], row["answers"], row["user_id"]))
        fixed = {c: row[c] for c in ("form_id", "form_version")}
        last_stamp = None
        for i, (rev, status, answers, user_id) in enumerate(versions):
            stamp = Stamp.parse(rev)
            if last_stamp is not None and stamp <= last_stamp:
                continue  # a version saved within the same stamp: the later one is kept
            last_stamp = stamp
            tree = keyed_answers(record, json.loads(answers or "{}"))
            fields = {**rtype.fields_of({"answers": tree}), "status": status,
                      "user_id": user_id, **fixed}
            if i == len(versions) - 1:
                fields.update(rtype.fields_of({c: row[c] for c in (
                    "household_id", "village_id", "finalized_at", "entities")}))
                fields["user_id"] = row["user_id"]
                if row.get("deleted"):
                    fields.update({"deleted": 1, "deleted_reason": row.get("deleted_reason")})
            seeder.emit(rec, "submissions", record, fields, stamp, diff=True)


def seed_change_log(db: Database) -> None:
    db.execute("pragma defer_foreign_keys = on")
    for statement in SCHEMA.split(";"):  # not executescript: it would commit the migration
        if statement.strip():
            db.execute(statement)
    db.execute("create table conflicts (rid text not null, tbl text not null, "
               "field text not null, winner text not null, others text not null, "
               "primary key (rid, field))")
    _move_pack_preferences(db)
    log = ChangeLog(db.conn)
    for table in ("communes", "villages", "users", "households", "persons", "submissions"):
        if table == "submissions":
            _seed_submissions(db, log)
        else:
            _seed_rows(db, log, table)
    if db["submission_history"].exists():
        db["submission_history"].drop()
    _drop_foreign_keys(db)
    device = db.execute("select value from app_meta where key = 'device_id'").fetchone()
    last = db.execute("select value from app_meta where key = 'hlc_last'").fetchone()
    clock = HybridLogicalClock(device[0] if device else "migration", last[0] if last else None)
    RecordWriter(db.conn, log, clock).rebuild()
