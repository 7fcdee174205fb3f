"""The one way synced records are written: changes into the log, records out of the log.

Local edits (:meth:`RecordWriter.insert`, :meth:`update`, :meth:`tombstone`, :meth:`restore`,
:meth:`resolve`) become changes stamped by the database's clock, one per changed field, with
the stamp of the value each replaces. Received changes (:meth:`apply`, used by import and by
replay: fieldapp.storage.receive) are checked and added the same way. Either way the record's
table row is then recomputed from all of its changes by the merge rules of
fieldapp.core.changes, so the tables are always what replaying the log would give
(``fieldapp check --deep`` compares them, fieldapp.storage.replay).

What a kind's records hold, which fields are required, which names get search and sort keys:
the kind's declaration (fieldapp.core.kinds). Every write notes what it changed
(:attr:`RecordWriter.changed`), for the screens.

A record whose required fields have not arrived yet (a package with an edit of a household
whose creation is in another package still to come) stays in the log only; its row appears
when the rest arrives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from fieldapp.core.changed import Tracker
from fieldapp.core.changes import Change, RecordState
from fieldapp.core.clock import ClockDriftError, HybridLogicalClock, iso_from_ms, new_id
from fieldapp.core.kinds import BY_TABLE, KINDS, MAX_TEXT, RecordType, record_type
from fieldapp.core.records import ANSWERS, is_known_field
from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import format_number
from fieldapp.i18n.text import fold, name_sort_text, nfc, sort_text
from fieldapp.storage.changelog import ChangeLog
from fieldapp.storage.engine import sqlite
from fieldapp.storage.erasure import Eraser
from fieldapp.storage.merges import HouseholdMerges
from fieldapp.storage.receive import ApplyResult, Receiving, WriteRefused

_REQUIRED = {k.table: k.required for k in KINDS}
_NAMES = {k.table: k.search_fields for k in KINDS}
_MAX_VARIABLES = 32_000  # below SQLite's default limit of 32,766 bound parameters

__all__ = ["ApplyResult", "RecordWriter", "WriteRefused"]


def _clean(value: Any) -> Any:
    """A value as the log stores it: NFC text, None for an empty string. Text longer than
    any other laptop takes (MAX_TEXT) is refused here, where it is typed: the commune would
    refuse the laptop's whole package for it."""
    if isinstance(value, str):
        if value == "":
            return None
        if len(value) > MAX_TEXT:
            raise WriteRefused(_("A text of {count} characters is longer than fieldapp keeps "
                                 "(at most {limit}).").format(
                count=format_number(len(value)), limit=format_number(MAX_TEXT)))
        return value if value.isascii() else nfc(value)
    elif isinstance(value, bool):
        return int(value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    elif value is not None and not isinstance(value, (int, float)):
        raise WriteRefused(_("A value of type {type} cannot be stored.").format(
            type=type(value).__name__))
    return value


def _normalise_name(table: str, fields: dict[str, Any]) -> None:
    """Names are kept with single spaces (what their search and sort keys are made of)."""
    for spec in _NAMES[table]:
        if isinstance(fields.get(spec.name), str):
            fields[spec.name] = " ".join(fields[spec.name].split()) or None


class RecordWriter(Receiving, HouseholdMerges):
    """Writes synced records of one database through its change log and clock."""

    def __init__(self, conn: sqlite.Connection, log: ChangeLog, clock: HybridLogicalClock):
        self.conn = conn
        self.log = log
        self.clock = clock
        self._columns: dict[str, list[str]] = {}
        self.erasures = Eraser(self)
        self.changed = Tracker()
        """What the writes made since the last ``changed.take()`` touched."""

    # -- local edits ------------------------------------------------------------------------
    def insert(self, table: str, values: dict[str, Any]) -> str:
        return self.insert_many(table, [values])[0]

    def insert_many(self, table: str, rows: Iterable[dict[str, Any]]) -> list[str]:
        """New records, one stamp each; ``id`` in a row is kept (ids born elsewhere).

        The fast path of the writer (the demo, a commune's first records): a new record has no
        history, so its row follows from its fields and their one stamp without the merge
        rules (tests/storage/test_changelog.py checks it against a replay of the log).
        """
        rtype = record_type(table)
        prepared = []
        for values in rows:
            values = dict(values)
            record = values.pop("id", None) or new_id()
            _normalise_name(table, values)
            fields, row = rtype.new_record(values, _clean)
            self._check_required(table, fields)
            prepared.append((record, fields, row, self.clock.tick_stamp()))
        if not prepared:
            return []
        if self.erasures.active and self.erasures.erased_among(p[0] for p in prepared):
            raise WriteRefused(_("This record was erased; it cannot be written again."))
        try:
            recs = self.log.new_recs(table, [p[0] for p in prepared])
        except sqlite.IntegrityError:
            raise WriteRefused(_("A record with one of these ids exists already.")) from None
        log_rows, table_rows = [], []
        columns = self._table_columns(table)
        for rec, (record, fields, row, stamp) in zip(recs, prepared):
            log_rows += self.log.first_value_rows(rec, stamp, fields)
            self._derive(rtype, row)
            deleted = fields.get("deleted") in (1, "1")
            created = iso_from_ms(stamp.wall_ms)
            row.update(id=record, device_id=stamp.device, created_at=created, updated_at=created,
                       rev=str(stamp), deleted=int(deleted),
                       deleted_reason=fields.get("deleted_reason") if deleted else None)
            table_rows.append([row.get(c) for c in columns])
        self.log.append_rows(log_rows)
        self._insert_table_rows(table, columns, table_rows)
        ids = [p[0] for p in prepared]
        self.changed.note(table, ids)
        if table == "erasures":
            for record in ids:
                self.erasures.perform(record)
        return ids

    def update(self, table: str, record: str, values: dict[str, Any]) -> bool:
        """Change some columns of a record; returns whether anything changed.

        A map column (``properties``) or the answers given here stand for the whole content:
        keys left out are cleared. Refuses a tombstoned record (restore it first).
        """
        rtype = record_type(table)
        if rtype.append_only:
            raise WriteRefused(_("{table} records are never changed.").format(table=table))
        rec, history, state = self._load(table, record)
        if state.deleted and "deleted" not in values:
            raise WriteRefused(_("This record was deleted; restore it before changing it."))
        fields = {k: _clean(v) for k, v in rtype.fields_of(values).items()}
        _normalise_name(table, fields)
        current = state.values()
        for column in values:
            if column in rtype.maps or column == rtype.tree:
                fields.update(self._cleared(column, current, fields))
        changed = {k: v for k, v in fields.items() if current.get(k) != v}
        if not changed:
            return False
        self._check_required(table, {**current, **changed})
        stamp = self.clock.tick_stamp()
        new = [Change(table, record, name, value, stamp,
                      state.winners[name].stamp if name in state.winners else None)
               for name, value in changed.items()]
        self.log.append(rec, new)
        self._write_row(rtype, self._state(table, record, history + new), existed=True)
        self._after_write(table, record)
        return True

    @staticmethod
    def _cleared(column: str, current: dict[str, Any], fields: dict[str, Any]
                 ) -> dict[str, Any]:
        """Fields of a map or answers column that the new content no longer has."""
        if column == ANSWERS:
            prefix = ANSWERS + "/"
            gone_rows = [k for k, v in current.items() if k.startswith(prefix)
                         and "@" in k.rpartition("/")[2] and v is not None and k not in fields]
            out = {}
            for k, v in current.items():
                if not k.startswith(prefix) or k in fields or v is None:
                    continue
                # Inside a removed row only the row's own field changes (to None).
                if any(k.startswith(row + "/") for row in gone_rows):
                    continue
                out[k] = None
            return out
        prefix = column + "."
        return {k: None for k, v in current.items()
                if k.startswith(prefix) and v is not None and k not in fields}

    def tombstone(self, table: str, record: str, reason: str) -> None:
        self.update(table, record, {"deleted": 1, "deleted_reason": reason})

    def restore(self, table: str, record: str) -> None:
        self.update(table, record, {"deleted": 0, "deleted_reason": None})

    def resolve(self, table: str, record: str, field_name: str, value: Any) -> None:
        """A person's choice for a field in conflict: one change replacing every head."""
        from fieldapp.core.changes import heads

        rec, history, _state = self._load(table, record)
        tops = heads(c for c in history if c.field == field_name)
        if not tops:
            raise WriteRefused(_("This field has no value to replace."))
        stamp = self.clock.tick_stamp()
        change = Change(table, record, field_name, _clean(value), stamp, tops[0].stamp,
                        tuple(sorted(c.stamp for c in tops[1:])))
        self.log.append(rec, [change])
        self._write_row(record_type(table), self._state(table, record, history + [change]),
                        existed=True)
        self._after_write(table, record)

    def withdraw(self, table: str, record: str, stamp) -> None:
        """Take back this laptop's changes of a record made at ``stamp`` (its commune refused
        them, fieldapp.storage.authority.withdraw_refused_own): the log forgets them and the
        row is what the rest of the record's changes make (none: no row)."""
        rec = self.log.rec(record)
        if rec is None:
            return
        self.log.remove_group(rec, stamp)
        history = self.log.changes_of(rec, table, record)
        self.changed.note(table, (record,))
        if not history:
            self.conn.execute("delete from sync_records where rec = ?", [rec])
            self.conn.execute(f"delete from [{table}] where id = ?", [record])
            self.conn.execute("delete from conflicts where rid = ?", [record])
            return
        state = self._state(table, record, history)
        if self._row(record_type(table), state) is None:
            self.conn.execute(f"delete from [{table}] where id = ?", [record])
            self._record_conflicts(state)
        else:
            self._write_row(record_type(table), state, existed=True)
        if BY_TABLE[table].merged_into:
            self._settle_merges({record})

    def state(self, table: str, record: str) -> RecordState | None:
        """The record as its changes make it (with conflicts and field stamps)."""
        rec = self.log.rec(record)
        if rec is None:
            return None
        return self._state(table, record, self.log.changes_of(rec, table, record))

    def history(self, record: str) -> list[Change]:
        """Every change of a record in log order (superseded values included)."""
        rec = self.log.rec(record)
        table = self.log.table_of(record)
        return self.log.changes_of(rec, table, record) if rec is not None else []

    def _load(self, table: str, record: str) -> tuple[int, list[Change], RecordState]:
        rec = self.log.rec(record)
        if rec is None:
            raise WriteRefused(_("There is no record {id}.").format(id=record))
        known = self.log.table_of(record)
        if known != table:
            raise WriteRefused(_("Record {id} is not in {table}.").format(id=record,
                                                                          table=table))
        history = self.log.changes_of(rec, table, record)
        return rec, history, self._state(table, record, history)

    def _after_write(self, table: str, record: str) -> None:
        self.changed.note(table, (record,))
        if BY_TABLE[table].merged_into:
            self._settle_merges({record})

    @staticmethod
    def _check_required(table: str, fields: dict[str, Any]) -> None:
        missing = [f for f in _REQUIRED.get(table, ()) if fields.get(f) is None]
        if missing:
            raise WriteRefused(_("{table}: {fields} cannot be empty.").format(
                table=table, fields=", ".join(missing)))

    # -- received changes -------------------------------------------------------------------
    def _check_field(self, table: str, field_name: str) -> None:
        try:
            rtype = record_type(table)
        except KeyError:
            raise WriteRefused(_("Unknown table {table}.").format(table=table)) from None
        if not is_known_field(rtype, field_name):
            raise WriteRefused(_("{table} has no field {field}.").format(
                table=table, field=field_name))

    def _check_order(self, change: Change) -> None:
        prev = change.prev
        if prev is not None and prev.device == change.stamp.device and prev >= change.stamp:
            raise WriteRefused(_("A change of {field} is not newer than the value it "
                                 "replaces.").format(field=change.field))

    def _check_drift(self, stamp) -> None:
        try:
            self.clock.check(stamp)
        except ClockDriftError as exc:
            raise WriteRefused(_(
                "A change is dated {days} days after this laptop's date. Check the date and "
                "time of the laptop that made it, and of this one.").format(
                    days=format_number(exc.ahead_ms / 86_400_000, decimals=1))) from None

    def validate(self, change: Change) -> None:
        """Refuse a change that breaks a rule: unknown table or field, a stamp not newer
        than the one it replaces from the same device, a stamp too far in the future."""
        self._check_field(change.table, change.field)
        self._check_order(change)
        self._check_drift(change.stamp)

    def _insert_creations(self, table: str, rows: list[tuple[str, dict[str, Any], Any]]) -> None:
        """Rows of records received as their first values (their log rows are written)."""
        rtype = record_type(table)
        columns = self._table_columns(table)
        # Every row starts from {column: None} of the table and the kind (copied), so that its
        # values are taken in the table's order in one C call.
        template = dict.fromkeys([*rtype.columns, *columns])
        take = itemgetter(*columns)
        required = _REQUIRED[table]
        wanted = itemgetter(*required) if len(required) > 1 else None
        table_rows = []
        # References to a merged household show on its survivor: looked up row by row only
        # when this database has a merged household at all.
        resolve = self._redirects(table) and self._any_merged()
        for record, fields, stamp in rows:
            values = fields if "deleted" not in fields and "deleted_reason" not in fields \
                else {k: v for k, v in fields.items() if k not in ("deleted", "deleted_reason")}
            row = self._derive(rtype, rtype.assemble(values, template), resolve=resolve)
            if (None in wanted(row)) if wanted is not None \
                    else any(row.get(f) is None for f in required):
                continue  # the rest of the record is still to come
            deleted = fields.get("deleted") in (1, "1")
            created = iso_from_ms(stamp.wall_ms)
            row.update(id=record, device_id=stamp.device, created_at=created,
                       updated_at=created, rev=str(stamp), deleted=int(deleted),
                       deleted_reason=fields.get("deleted_reason") if deleted else None)
            table_rows.append(take(row))
        self._insert_table_rows(table, columns, table_rows)

    def rebuild(self) -> None:
        """Recompute every synced table (and the conflicts) from the change log alone."""
        from fieldapp.core.kinds import RECORD_TYPES

        self._columns.clear()
        present = {r[0] for r in self.conn.execute(
            "select name from sqlite_master where type = 'table'")}
        tables = [t for t in RECORD_TYPES if t in present]  # a migration runs before later ones
        self.conn.execute("delete from conflicts")
        for table in reversed(tables):
            self.conn.execute(f"delete from [{table}]")
        for table in tables:
            rtype = RECORD_TYPES[table]
            for recs in self.log.records_of(table):
                # A record created and never changed takes the fast path of imports (its row
                # follows from its first values); the others go through the merge rules.
                simple, others = self.log.first_values(recs)
                self._insert_creations(table, [(record, fields, stamp) for record, (stamp, fields)
                                               in simple.items()])
                changes = self.log.changes_of_records(table, others)
                self._insert_rows(rtype, [self._state(table, record, items)
                                          for record, items in changes.items() if items])
        self._settle_all_merges()

    # -- the read model ---------------------------------------------------------------------
    def _table_columns(self, table: str) -> list[str]:
        if table not in self._columns:
            self._columns[table] = [r[1] for r in self.conn.execute(
                f"pragma table_info([{table}])")]
        return self._columns[table]

    def _derive(self, rtype: RecordType, row: dict[str, Any], *, resolve: bool = True
                ) -> dict[str, Any]:
        """Add the search and sort keys of the table's name column; show references to a
        merged household on its survivor (unless ``resolve`` is False: none is merged)."""
        if resolve:
            self._resolve_refs(rtype.table, row)
        for spec in _NAMES[rtype.table]:
            name, search = row[spec.name], spec.search
            row[search.key] = fold(name)
            if search.sort:
                row[search.sort] = (name_sort_text if search.person else sort_text)(name)
        return row

    def _row(self, rtype: RecordType, state: RecordState) -> dict[str, Any] | None:
        row = state.row(rtype)
        if any(row.get(f) is None for f in _REQUIRED[rtype.table]):
            return None
        return self._derive(rtype, row)

    def _insert_table_rows(self, table: str, columns: list[str], rows: list) -> None:
        """Insert rows with multi-row INSERT statements (about 15% faster than executemany)."""
        if not rows:
            return
        names = ", ".join(f"[{c}]" for c in columns)
        one = "(" + ", ".join("?" for _ in columns) + ")"
        per_statement = max(1, _MAX_VARIABLES // len(columns))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            self.conn.execute(f"insert into [{table}] ({names}) values "
                              + ", ".join([one] * len(chunk)),
                              [value for row in chunk for value in row])

    def _insert_rows(self, rtype: RecordType, states: list[RecordState]) -> None:
        columns = self._table_columns(rtype.table)
        rows, conflicted = [], []
        for state in states:
            row = self._row(rtype, state)
            if row is not None:
                rows.append([row.get(c) for c in columns])
            if state.conflicts:
                conflicted.append(state)
        self._insert_table_rows(rtype.table, columns, rows)
        for state in conflicted:
            self._record_conflicts(state)

    def _write_row(self, rtype: RecordType, state: RecordState, *, existed: bool) -> bool:
        """Bring the record's row in line with its state; returns whether a row existed."""
        table = rtype.table
        row = self._row(rtype, state)
        cursor = self.conn.execute(f"select * from [{table}] where id = ?", [state.record])
        names = [d[0] for d in cursor.description]
        current = cursor.fetchone()
        if existed:
            self._record_conflicts(state)
        if current is None:
            if row is not None:
                columns = self._table_columns(table)
                self.conn.execute(
                    f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
                    f"values ({', '.join('?' for _ in columns)})", [row.get(c) for c in columns])
            return False
        if row is None:  # cannot happen through the writer's own checks; keep the old row
            return True
        old = dict(zip(names, current))
        diff = {c: row.get(c) for c in names if c != "id" and old[c] != row.get(c)}
        if diff:
            sets = ", ".join(f"[{c}] = ?" for c in diff)
            self.conn.execute(f"update [{table}] set {sets} where id = ?",
                              [*diff.values(), state.record])
        return True

    def _record_conflicts(self, state: RecordState) -> None:
        self.conn.execute("delete from conflicts where rid = ?", [state.record])
        self.conn.executemany(
            "insert into conflicts(rid, tbl, field, winner, others) values (?, ?, ?, ?, ?)",
            [(state.record, state.table, c.field, str(c.winner.stamp),
              json.dumps([str(o.stamp) for o in c.others])) for c in state.conflicts])

