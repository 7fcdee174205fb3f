"""The one way synced records are written: changes into the log, records out of the log.

Local edits (:meth:`RecordWriter.insert`, :meth:`update`, :meth:`tombstone`, :meth:`restore`,
:meth:`resolve`) become changes stamped by the database's clock, one per changed field, with
the stamp of the value each replaces. Received changes (:meth:`apply`, used by import and by
replay) are checked and added the same way. Either way the record's table row is then
recomputed from all of its changes by the merge rules of fieldapp.core.changes, so the tables
are always what replaying the log would give.

A record whose required fields have not arrived yet (a package with an edit of a household
whose creation is in another package still to come) stays in the log only; its row appears
when the rest arrives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.changes import MERGED_INTO, Change, Group, RecordState
from fieldapp.core.clock import ClockDriftError, HybridLogicalClock, iso_from_ms, new_id
from fieldapp.core.records import (
    ANSWERS, RECORD_TYPES, RecordType, is_known_field, record_type)
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import format_number
from fieldapp.i18n.text import fold, name_sort_text, nfc, sort_text
from fieldapp.storage.changelog import ChangeLog
from fieldapp.storage.engine import sqlite
from fieldapp.storage.erasure import Eraser
from fieldapp.storage.merges import HouseholdMerges

# Which name column of a table gets a folded search key and a sort key.
_NAME_COLUMNS: dict[str, tuple[str, str, str | None, Callable[[str], str] | None]] = {
    "communes": ("name", "name_key", None, None),
    "villages": ("name", "name_key", "name_sort", sort_text),
    "users": ("name", "name_key", "name_sort", name_sort_text),
    "households": ("head_name", "head_name_key", "head_sort", name_sort_text),
    "persons": ("full_name", "name_key", "name_sort", name_sort_text),
    "teams": ("name", "name_key", "name_sort", sort_text),
    "classes": ("name", "name_key", "name_sort", sort_text),
}
# Fields without which a record has no row yet (the tables' NOT NULL columns).
REQUIRED: dict[str, tuple[str, ...]] = {
    "communes": ("name",),
    "villages": ("commune_id", "name"),
    "users": ("name", "role"),
    "households": ("village_id", "head_name"),
    "persons": ("household_id", "full_name"),
    "submissions": ("form_id", "form_version", "status"),
    "attachments": ("submission_id", "filename", "content"),
    "teams": ("name",),
    "team_members": ("team_id", "user_id"),
    "sessions": ("date", "village_id"),
    "session_persons": ("session_id",),
    "classes": ("name", "start_date"),
    "enrolments": ("class_id",),
    "attendance": ("class_id", "enrolment_id", "date"),
    "progress": ("class_id", "enrolment_id", "skill"),
    "audit_events": ("action",),
    "erasures": ("target_table", "target_id"),
}


class WriteRefused(UserError):
    """A change that would break a rule of the log; nothing was written."""


@dataclass
class ApplyResult:
    """What applying received changes did: records that are new, records that changed
    (both as {record id: table}), changes already known, changes added, records in conflict."""

    new: dict[str, str] = field(default_factory=dict)
    updated: dict[str, str] = field(default_factory=dict)
    known: int = 0
    added: int = 0
    conflicts: set[str] = field(default_factory=set)
    erased: int = 0
    """Changes dropped because an erasure removed their record (fieldapp.storage.erasure)."""
    forms: set[tuple[Any, Any]] = field(default_factory=set)
    """(form id, version) of the submissions new here."""


_ANSWERS_PREFIX = ANSWERS + "/"
_APPEND_ONLY = {t.table: t.append_only for t in RECORD_TYPES.values()}
_MAX_VARIABLES = 32_000  # below SQLite's default limit of 32,766 bound parameters


def _clean(value: Any) -> Any:
    """A value as the log stores it: NFC text, None for an empty string."""
    if isinstance(value, str):
        if value == "":
            return None
        return value if value.isascii() else nfc(value)
    elif isinstance(value, bool):
        return int(value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    elif value is not None and not isinstance(value, (int, float)):
        raise WriteRefused(_("A value of type {type} cannot be stored.").format(
            type=type(value).__name__))
    return value


def _as_groups(changes: Iterable[Change]) -> Iterable[Group]:
    """Consecutive changes of one record and stamp as one group (as a package line holds)."""
    current: list[Change] = []
    for change in changes:
        if current and (change.record != current[0].record
                        or change.stamp != current[0].stamp):
            yield _group(current)
            current = []
        current.append(change)
    if current:
        yield _group(current)


def _group(changes: list[Change]) -> Group:
    first = changes[0]
    creation: dict[str, Any] | None = {}
    for c in changes:
        if c.prev is not None or c.merges or c.field in creation or c.table != first.table:
            creation = None
            break
        creation[c.field] = c.value
    return Group(first.table, first.record, first.stamp,
                 tuple((c.field, c.value, c.prev, c.merges) for c in changes), creation)


def _differs(a: Any, b: Any) -> bool:
    return a != b or type(a) is not type(b)


def _normalise_name(table: str, fields: dict[str, Any]) -> None:
    spec = _NAME_COLUMNS.get(table)
    if spec and isinstance(fields.get(spec[0]), str):
        fields[spec[0]] = " ".join(fields[spec[0]].split()) or None


class RecordWriter(HouseholdMerges):
    """Writes synced records of one database through its change log and clock."""

    def __init__(self, conn: sqlite.Connection, log: ChangeLog, clock: HybridLogicalClock):
        self.conn = conn
        self.log = log
        self.clock = clock
        self._columns: dict[str, list[str]] = {}
        self._merging: set[str] = set()
        self.erasures = Eraser(self)

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
            name_col = _NAME_COLUMNS.get(table, ("",))[0]
            if isinstance(values.get(name_col), str):
                values[name_col] = " ".join(values[name_col].split())
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
        if table == "erasures":
            for record, *_rest in prepared:
                self.erasures.perform(record)
        return [p[0] for p in prepared]

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

    @staticmethod
    def _check_required(table: str, fields: dict[str, Any]) -> None:
        missing = [f for f in REQUIRED.get(table, ()) if fields.get(f) is None]
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

    def apply(self, changes: Iterable[Change], *, validate: bool = True) -> ApplyResult:
        """Add received changes (any order, any repetition) and recompute their records.
        See :meth:`apply_groups`."""
        return self.apply_groups(_as_groups(changes), validate=validate)

    def apply_groups(self, groups: Iterable[Group], *, validate: bool = True) -> ApplyResult:
        """Add received changes, a group (one record, one stamp) at a time.

        Refuses (nothing written) a change that breaks a rule, and the same change given twice
        with different values. A record new here that arrives as its first values (one group,
        nothing replaced: how a record is created) takes the fast path: its row follows from
        its fields, without the merge rules; replaying the log gives the same row.
        """
        result = ApplyResult()
        if self.erasures.active:
            groups, result.erased = self.erasures.filter_groups(list(groups))
        by_record: dict[str, list[Group]] = {}
        tables: dict[str, str] = {}
        checked: set[tuple[str, str]] = set()
        newest = None
        for group in groups:
            table = group.table
            if validate:
                for field_name, _value, prev, _merges in group.items:
                    if field_name.startswith(_ANSWERS_PREFIX):  # unbounded paths: not cached
                        if table != "submissions" or len(field_name) <= len(_ANSWERS_PREFIX):
                            self._check_field(table, field_name)
                    elif (table, field_name) not in checked:
                        self._check_field(table, field_name)
                        checked.add((table, field_name))
                    if prev is not None and _APPEND_ONLY.get(table):
                        raise WriteRefused(_("{table} records are never changed.").format(
                            table=table))
                    if prev is not None and prev.device == group.stamp.device \
                            and prev >= group.stamp:
                        self._check_order(Change(table, group.record, field_name, None,
                                                 group.stamp, prev))
            if newest is None or group.stamp > newest:
                newest = group.stamp
            if tables.setdefault(group.record, table) != table:
                raise WriteRefused(_("Record {id} is given in two tables.").format(
                    id=group.record))
            by_record.setdefault(group.record, []).append(group)
        if newest is None:
            return result
        if validate:
            self._check_drift(newest)
        self.clock.observe(newest)
        known = self.log.recs(list(by_record))
        absorbing = self._absorbing([r for r, t in tables.items()
                                     if t == "households" and r not in known])
        fresh: dict[str, list[RecordState]] = {}
        creations: dict[str, list[tuple[str, dict[str, Any], Any]]] = {}
        items: list[tuple[str, Change]] = []
        for record, record_groups in by_record.items():
            table = tables[record]
            entry = known.get(record)
            if entry is not None and entry[1] != table:
                raise WriteRefused(_("Record {id} is not in {table}.").format(
                    id=record, table=table))
            if entry is None and len(record_groups) == 1:
                fields = record_groups[0].creation
                if fields is not None and record not in absorbing \
                        and MERGED_INTO not in fields:
                    creations.setdefault(table, []).append((record, fields,
                                                            record_groups[0].stamp))
                    result.added += len(fields)
                    result.new[record] = table
                    if table == "submissions":
                        result.forms.add((fields.get("form_id"), fields.get("form_version")))
                    continue
            incoming = [c for g in record_groups for c in g.changes()]
            history = (self.log.changes_of(entry[0], table, record) if entry is not None
                       else [])
            seen = {c.key: c.value for c in history}
            new = []
            for c in incoming:
                if c.key in seen:
                    if _differs(seen[c.key], c.value):
                        raise WriteRefused(_("The same change is given twice, with two "
                                             "values."))
                    result.known += 1
                    continue
                seen[c.key] = c.value
                new.append(c)
            if not new:
                continue
            items.extend((record, c) for c in new)
            result.added += len(new)
            state = self._state(table, record, history + new)
            if state.conflicts:
                result.conflicts.add(record)
            if history:
                existed = self._write_row(record_type(table), state, existed=True)
                (result.updated if existed else result.new)[record] = table
            else:
                fresh.setdefault(table, []).append(state)
                result.new[record] = table
            if table == "submissions" and result.new.get(record):
                values = state.values()
                result.forms.add((values.get("form_id"), values.get("form_version")))
        # Ordinals for the records new here, table by table.
        new_records: dict[str, list[str]] = {}
        for record, _change in items:
            if record not in known:
                new_records.setdefault(tables[record], []).append(record)
        for table, rows in creations.items():
            new_records.setdefault(table, []).extend(r for r, _f, _s in rows)
        recs = {record: entry[0] for record, entry in known.items()}
        for table, records in new_records.items():
            unique = list(dict.fromkeys(records))
            recs.update(zip(unique, self.log.new_recs(table, unique)))
        self.log.append_many((recs[record], c) for record, c in items)
        for table, states in fresh.items():
            self._insert_rows(record_type(table), states)
        # Persons before households: a household's search document (household_names, kept by
        # triggers) is then written once with all its members, not once per member.
        for table in sorted(creations, key=lambda t: t == "households"):
            self._insert_creations(table, creations[table], recs)
        for record, table in result.new.items():
            if table == "erasures":  # the same removal as where the erasure was made
                self.erasures.perform(record)
        return result

    def _insert_creations(self, table: str, rows: list[tuple[str, dict[str, Any], Any]],
                          recs: dict[str, int]) -> None:
        """Rows and packed log rows of records received as their first values."""
        rtype = record_type(table)
        columns = self._table_columns(table)
        log_rows, table_rows = [], []
        # References to a merged household show on its survivor: looked up row by row only
        # when this database has a merged household at all.
        resolve = table in ("persons", "submissions") and self._any_merged()
        for record, fields, stamp in rows:
            log_rows += self.log.first_value_rows(recs[record], stamp, fields)
            row = self._derive(rtype, rtype.assemble(
                {k: v for k, v in fields.items() if k not in ("deleted", "deleted_reason")}),
                resolve=resolve)
            if any(row.get(f) is None for f in REQUIRED.get(table, ())):
                continue  # the rest of the record is still to come
            deleted = fields.get("deleted") in (1, "1")
            created = iso_from_ms(stamp.wall_ms)
            row.update(id=record, device_id=stamp.device, created_at=created,
                       updated_at=created, rev=str(stamp), deleted=int(deleted),
                       deleted_reason=fields.get("deleted_reason") if deleted else None)
            table_rows.append([row.get(c) for c in columns])
        self.log.append_rows(log_rows)
        self._insert_table_rows(table, columns, table_rows)

    def rebuild(self) -> None:
        """Recompute every synced table (and the conflicts) from the change log alone."""
        from fieldapp.core.records import RECORD_TYPES

        present = {r[0] for r in self.conn.execute(
            "select name from sqlite_master where type = 'table'")}
        tables = [t for t in RECORD_TYPES if t in present]  # a migration runs before later ones
        self.conn.execute("delete from conflicts")
        for table in reversed(tables):
            self.conn.execute(f"delete from [{table}]")
        for table in tables:
            rtype = RECORD_TYPES[table]
            for recs in self.log.records_of(table):
                changes = self.log.changes_of_records(table, recs)
                self._insert_rows(rtype, [self._state(table, record, items)
                                          for record, items in changes.items() if items])

    # -- merged households -------------------------------------------------------------------
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
        spec = _NAME_COLUMNS.get(rtype.table)
        if spec:
            name_col, key_col, sort_col, sorter = spec
            row[key_col] = fold(row[name_col])
            if sort_col:
                row[sort_col] = sorter(row[name_col])
        return row

    def _row(self, rtype: RecordType, state: RecordState) -> dict[str, Any] | None:
        row = state.row(rtype)
        if any(row.get(f) is None for f in REQUIRED.get(rtype.table, ())):
            return None
        return self._derive(rtype, row)

    def _resolve_refs(self, table: str, row: dict[str, Any]) -> None:
        if table in ("persons", "submissions") and row.get("household_id"):
            row["household_id"] = self._survivor(row["household_id"])

    def _insert_table_rows(self, table: str, columns: list[str], rows: list[list[Any]]) -> None:
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
        for state in states:
            self._merged(state)

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
                self._merged(state)
            return False
        if row is None:  # cannot happen through the writer's own checks; keep the old row
            return True
        old = dict(zip(names, current))
        diff = {c: row.get(c) for c in names if c != "id" and old[c] != row.get(c)}
        if diff:
            sets = ", ".join(f"[{c}] = ?" for c in diff)
            self.conn.execute(f"update [{table}] set {sets} where id = ?",
                              [*diff.values(), state.record])
        self._merged(state)
        return True

    def _record_conflicts(self, state: RecordState) -> None:
        self.conn.execute("delete from conflicts where rid = ?", [state.record])
        self.conn.executemany(
            "insert into conflicts(rid, tbl, field, winner, others) values (?, ?, ?, ?, ?)",
            [(state.record, state.table, c.field, str(c.winner.stamp),
              json.dumps([str(o.stamp) for o in c.others])) for c in state.conflicts])

