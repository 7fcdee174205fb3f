"""The change log on disk: every change ever made here or received, field by field.

Layout (migration m006), compact because the log holds every value of every record:

- ``changes(seq, rec, fid, path, value, hlc, site, prev_hlc, prev_site)``, one row per
  change: ``seq`` is the local sequence number (the export cursor: everything after a peer's
  acknowledgement); ``rec`` names the record through ``sync_records(rec, tbl, rid)``; ``fid``
  the field through ``sync_fields(fid, name)``, with ``path`` holding the answer path for
  submissions' answers (``fid`` = "answers", path "roster@<key>/member_name"), since those
  paths are unbounded; ``hlc``/``site`` are the stamp (fieldapp.core.clock.Stamp.hlc and the
  device through ``sync_devices(site, device)``); ``prev_*`` the stamp of the value it replaced.
- A record's first values are stored packed (except file contents, which keep a row each): the
  changes that create a record share its record,
  stamp, device and sequence number and replace nothing, so they are kept in one row with
  ``fid`` = -1 (:data:`FIELDS`) and ``value`` the JSON object ``{field: value, ...}``, written
  in one call from the dict a package line is read into (no ordinal per field: an import
  writes a commune's records at the speed of the JSON encoder). Older rows, and those holding
  a value that encoder refuses (an integer beyond 64 bits), have ``fid`` = 0 (:data:`PACKED`)
  and the JSON array ``[fid, path, value, fid, path, value, ...]``. Read back, either row is
  those changes one by one; only the bytes are shared. (A commune's records are mostly
  created once and edited little: packing keeps the log near the size of the tables, where a
  row per first value would double the file.)
- ``change_merges(seq, hlc, site)``: the other heads a conflict resolution replaced.

The ordinals (rec, fid, site) are local to this file and never leave it: packages carry
record ids, field names and device ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from fieldapp.core.changes import Change
from fieldapp.core.clock import Stamp
from fieldapp.core.records import ANSWERS
from fieldapp.storage.engine import sqlite

_ANSWER_PREFIX = ANSWERS + "/"
PACKED = 0
"""``fid`` of a row that holds the first values of a record as [fid, path, value, ...]."""
FIELDS = -1
"""``fid`` of a row that holds the first values of a record as {field: value} (the usual)."""

SCHEMA = """
create table sync_devices (site integer primary key, device text not null unique);
create table sync_records (rec integer primary key, tbl text not null, rid text not null unique);
create table sync_fields (fid integer primary key, name text not null unique);
create table changes (
    seq integer primary key autoincrement,
    rec integer not null,
    fid integer not null,
    path text,
    value,
    hlc integer not null,
    site integer not null,
    prev_hlc integer,
    prev_site integer
);
create index changes_rec on changes(rec);
create table change_merges (seq integer not null, hlc integer not null, site integer not null);
create index change_merges_seq on change_merges(seq);
"""

_INSERT = ("insert into changes(rec, fid, path, value, hlc, site, prev_hlc, prev_site) "
           "values (?, ?, ?, ?, ?, ?, ?, ?)")
_COLUMNS = "seq, fid, path, value, hlc, site, prev_hlc, prev_site"
_packed_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_unpacked = orjson.loads
"""Reads a :data:`FIELDS` row (written by orjson: read back exactly); a :data:`PACKED` one
goes through json (what orjson refuses to write, NaN or an integer beyond 64 bits, is there)."""
_OBJECT_VALUES = frozenset({str, int, type(None), float, bool})
"""Values a :data:`FIELDS` row holds as they are (file contents get rows of their own)."""
_INFINITE = (float("inf"), float("-inf"))


class ChangeLog:
    """Reads and appends change-log rows on one connection (writes only inside the caller's
    transaction)."""

    def __init__(self, conn: sqlite.Connection):
        self.conn = conn
        self._sites: dict[str, int] = {}
        self._devices: dict[int, str] = {}
        self._fids: dict[str, int] = {}
        self._fields: dict[int, str] = {}
        self._prefixes: dict[int, str] = {}

    def forget_cache(self) -> None:
        """Drop cached ordinals (after a rolled-back transaction may have created some)."""
        self._sites.clear()
        self._devices.clear()
        self._fids.clear()
        self._fields.clear()
        self._prefixes.clear()

    # -- ordinals ---------------------------------------------------------------------------
    def site(self, device: str) -> int:
        site = self._sites.get(device)
        if site is None:
            row = self.conn.execute("select site from sync_devices where device = ?",
                                    [device]).fetchone()
            if row is None:
                site = self.conn.execute("insert into sync_devices(device) values (?)",
                                         [device]).lastrowid
            else:
                site = row[0]
            self._sites[device], self._devices[site] = site, device
        return site

    def site_of(self, device: str) -> int | None:
        """The ordinal of a device this log has changes of (None: none), creating nothing."""
        site = self._sites.get(device)
        if site is None:
            row = self.conn.execute("select site from sync_devices where device = ?",
                                    [device]).fetchone()
            site = row[0] if row else None
        return site

    def device(self, site: int) -> str:
        device = self._devices.get(site)
        if device is None:
            device = self.conn.execute("select device from sync_devices where site = ?",
                                       [site]).fetchone()[0]
            self._sites[device], self._devices[site] = site, device
        return device

    def _fid(self, name: str) -> int:
        fid = self._fids.get(name)
        if fid is None:
            row = self.conn.execute("select fid from sync_fields where name = ?",
                                    [name]).fetchone()
            fid = row[0] if row else self.conn.execute(
                "insert into sync_fields(name) values (?)", [name]).lastrowid
            self._fids[name], self._fields[fid] = fid, name
        return fid

    def _field_name(self, fid: int, path: str | None) -> str:
        name = self._fields.get(fid)
        if name is None:
            name = self.conn.execute("select name from sync_fields where fid = ?",
                                     [fid]).fetchone()[0]
            self._fids[name], self._fields[fid] = fid, name
        return f"{name}/{path}" if path is not None else name

    def field_ordinal(self, field: str) -> tuple[int, str | None]:
        """(fid, path) under which ``field`` is stored."""
        fid = self._fids.get(field)
        if fid is not None:
            return fid, None
        if field.startswith(_ANSWER_PREFIX):
            return self._fid(ANSWERS), field[len(_ANSWER_PREFIX):]
        return self._fid(field), None

    # -- records ----------------------------------------------------------------------------
    def rec(self, record: str) -> int | None:
        row = self.conn.execute("select rec from sync_records where rid = ?",
                                [record]).fetchone()
        return row[0] if row else None

    def recs(self, records: list[str]) -> dict[str, tuple[int, str]]:
        """{record id: (rec, table)} of the records the log knows among these."""
        out: dict[str, tuple[int, str]] = {}
        for start in range(0, len(records), 500):
            chunk = records[start:start + 500]
            for rec, tbl, rid in self.conn.execute(
                    "select rec, tbl, rid from sync_records where rid in "
                    f"({', '.join('?' for _ in chunk)})", chunk):
                out[rid] = (rec, tbl)
        return out

    def new_rec(self, table: str, record: str) -> int:
        return self.conn.execute("insert into sync_records(tbl, rid) values (?, ?)",
                                 [table, record]).lastrowid

    def new_recs(self, table: str, records: list[str]) -> list[int]:
        """Ordinals for new records (inside the caller's write transaction); raises
        sqlite.IntegrityError when one of them is known already."""
        first = self.conn.execute("select coalesce(max(rec), 0) + 1 from sync_records"
                                  ).fetchone()[0]
        recs = list(range(first, first + len(records)))
        self.conn.executemany("insert into sync_records(rec, tbl, rid) values (?, ?, ?)",
                              [(rec, table, rid) for rec, rid in zip(recs, records)])
        return recs

    def table_of(self, record: str) -> str | None:
        row = self.conn.execute("select tbl from sync_records where rid = ?",
                                [record]).fetchone()
        return row[0] if row else None

    def records_of(self, table: str, *, batch: int = 500) -> Iterator[list[tuple[int, str]]]:
        """(rec, record id) of every record of ``table`` in the log, in batches."""
        last = 0
        while True:
            rows = self.conn.execute(
                "select rec, rid from sync_records where tbl = ? and rec > ? order by rec "
                "limit ?", [table, last, batch]).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    # -- reading ----------------------------------------------------------------------------
    def _changes(self, table: str, record: str, row: tuple,
                 merges: dict[int, tuple[Stamp, ...]]) -> Iterator[Change]:
        """The change(s) one stored row holds."""
        seq, fid, path, value, hlc, site, prev_hlc, prev_site = row
        stamp = Stamp.from_hlc(hlc, self.device(site))
        if fid == FIELDS:
            for name, field_value in _unpacked(value).items():
                yield Change(table, record, name, field_value, stamp)
            return
        if fid == PACKED:
            items = json.loads(value)
            for i in range(0, len(items), 3):
                yield Change(table, record, self._field_name(items[i], items[i + 1]),
                             items[i + 2], stamp)
            return
        prev = (Stamp.from_hlc(prev_hlc, self.device(prev_site))
                if prev_hlc is not None else None)
        yield Change(table, record, self._field_name(fid, path), value, stamp, prev,
                     merges.get(seq, ()))

    def _merges(self, where: str, params: list[Any]) -> dict[int, tuple[Stamp, ...]]:
        out: dict[int, list[Stamp]] = {}
        for seq, hlc, site in self.conn.execute(
                f"select m.seq, m.hlc, m.site from change_merges m where {where} "
                "order by m.seq, m.hlc, m.site", params):
            out.setdefault(seq, []).append(Stamp.from_hlc(hlc, self.device(site)))
        return {seq: tuple(stamps) for seq, stamps in out.items()}

    def changes_of(self, rec: int, table: str, record: str) -> list[Change]:
        rows = self.conn.execute(
            f"select {_COLUMNS} from changes where rec = ? order by seq", [rec]).fetchall()
        merges = self._merges("m.seq in (select seq from changes where rec = ?)", [rec])
        return [c for row in rows for c in self._changes(table, record, row, merges)]

    def changes_of_records(self, table: str, recs: list[tuple[int, str]]
                           ) -> dict[str, list[Change]]:
        """Changes of several records of one table: {record id: changes in log order}."""
        if not recs:
            return {}
        ids = dict(recs)
        marks = ", ".join("?" for _ in recs)
        rows = self.conn.execute(
            f"select rec, {_COLUMNS} from changes where rec in ({marks}) order by seq",
            list(ids)).fetchall()
        merges = self._merges(
            f"m.seq in (select seq from changes where rec in ({marks}))", list(ids))
        out: dict[str, list[Change]] = {rid: [] for rid in ids.values()}
        for rec, *rest in rows:
            out[ids[rec]].extend(self._changes(table, ids[rec], tuple(rest), merges))
        return out

    def first_values(self, recs: list[tuple[int, str]]
                     ) -> tuple[dict[str, tuple[Stamp, dict[str, Any]]], list[tuple[int, str]]]:
        """Of these records ((rec, id)): ({id: (stamp, {field: value})} of those whose every
        change is one of their first values (one stamp, nothing replaced: a record created and
        never changed, most of a commune's), [(rec, id)] of the others)."""
        ids = dict(recs)
        marks = ", ".join("?" for _ in recs)
        found: dict[int, list[tuple]] = {}
        for row in self.conn.execute(
                f"select rec, fid, path, value, hlc, site, prev_hlc from changes "
                f"where rec in ({marks}) order by seq", list(ids)):
            found.setdefault(row[0], []).append(row)
        simple: dict[str, tuple[Stamp, dict[str, Any]]] = {}
        others: list[tuple[int, str]] = []
        for rec, rid in recs:
            rows = found.get(rec, [])
            stamp = rows[0][4:6] if rows else None
            if not rows or any(r[6] is not None or r[4:6] != stamp for r in rows):
                others.append((rec, rid))
                continue
            fields: dict[str, Any] = {}
            for _rec, fid, path, value, _hlc, _site, _prev in rows:
                if fid == FIELDS:
                    fields.update(_unpacked(value))
                elif fid == PACKED:
                    items = json.loads(value)
                    for i in range(0, len(items), 3):
                        fields[self._field_name(items[i], items[i + 1])] = items[i + 2]
                else:
                    fields[self._field_name(fid, path)] = value
            simple[rid] = (Stamp.from_hlc(stamp[0], self.device(stamp[1])), fields)
        return simple, others

    def since(self, seq: int = 0, *, batch: int = 5000, where: str = "",
              params: Iterable[Any] = ()) -> Iterator[tuple[int, Change]]:
        """Every change after local sequence number ``seq``, in log order (streamed).

        ``where`` narrows it with SQL over ``c`` (changes) and ``r`` (sync_records), e.g.
        ``c.site = ?`` with ``params``.
        """
        last = seq
        extra = f" and ({where})" if where else ""
        params = list(params)
        while True:
            rows = self.conn.execute(
                f"select r.tbl, r.rid, {', '.join('c.' + c for c in _COLUMNS.split(', '))} "
                "from changes c join sync_records r on r.rec = c.rec "
                f"where c.seq > ?{extra} order by c.seq limit ?",
                [last, *params, batch]).fetchall()
            if not rows:
                return
            merges = self._merges("m.seq > ? and m.seq <= ?", [last, rows[-1][2]])
            for table, record, *rest in rows:
                for change in self._changes(table, record, tuple(rest), merges):
                    yield rest[0], change
            last = rows[-1][2]

    def of_recs(self, recs: list[int], *, before: int, not_site: int | None = None
                ) -> Iterator[tuple[int, Change]]:
        """(seq, change) of these records (ordinals) with a sequence number below ``before``
        (and not made by ``not_site``), in log order."""
        rows: list[tuple] = []
        site = "" if not_site is None else f" and c.site != {int(not_site)}"
        for start in range(0, len(recs), 500):
            chunk = recs[start:start + 500]
            rows += self.conn.execute(
                f"select r.tbl, r.rid, {', '.join('c.' + c for c in _COLUMNS.split(', '))} "
                "from changes c join sync_records r on r.rec = c.rec "
                f"where c.rec in ({', '.join('?' for _ in chunk)}) and c.seq < ?{site}",
                [*chunk, before]).fetchall()
        rows.sort(key=lambda row: row[2])
        seqs = [row[2] for row in rows]
        merges = {}
        for start in range(0, len(seqs), 500):
            chunk = seqs[start:start + 500]
            merges.update(self._merges(f"m.seq in ({', '.join('?' for _ in chunk)})", chunk))
        for table, record, *rest in rows:
            for change in self._changes(table, record, tuple(rest), merges):
                yield rest[0], change

    def remove_group(self, rec: int, stamp: Stamp) -> None:
        """Remove the changes of one record made at ``stamp`` (packed or not)."""
        site = self.site(stamp.device)
        self.conn.execute("delete from change_merges where seq in (select seq from changes "
                          "where rec = ? and hlc = ? and site = ?)", [rec, stamp.hlc, site])
        self.conn.execute("delete from changes where rec = ? and hlc = ? and site = ?",
                          [rec, stamp.hlc, site])

    def last_seq(self) -> int:
        return self.conn.execute("select coalesce(max(seq), 0) from changes").fetchone()[0]

    def count(self) -> int:
        """Changes in the log (first values of a record count one by one)."""
        plain = self.conn.execute(
            f"select count(*) from changes where fid not in ({PACKED}, {FIELDS})").fetchone()[0]
        packed = self.conn.execute(
            f"select coalesce(sum(json_array_length(value)), 0) / 3 from changes "
            f"where fid = {PACKED}").fetchone()[0]
        fields = self.conn.execute(
            "select coalesce(sum((select count(*) from json_each(changes.value))), 0) "
            f"from changes where fid = {FIELDS}").fetchone()[0]
        return plain + packed + fields

    # -- appending --------------------------------------------------------------------------
    def first_value_rows(self, rec: int, stamp: Stamp, fields: dict[str, Any]
                         ) -> list[tuple[Any, ...]]:
        """The stored rows of a record's first values (one stamp, nothing replaced): one packed
        row, and a row of its own for each file content (bytes do not go into JSON)."""
        hlc, site = stamp.hlc, self.site(stamp.device)
        kinds = set(map(type, fields.values()))
        if len(fields) > 1 and kinds <= _OBJECT_VALUES and (float not in kinds or all(
                v == v and v not in _INFINITE for v in fields.values() if type(v) is float)):
            try:
                return [(rec, FIELDS, None, orjson.dumps(fields).decode("utf-8"), hlc, site,
                         None, None)]
            except TypeError:  # an integer beyond 64 bits: the [fid, path, value] form
                pass
        items: list[Any] = []
        rows: list[tuple[Any, ...]] = []
        fids = self._fids
        answers = None
        start = len(_ANSWER_PREFIX)
        for name, value in fields.items():
            fid = fids.get(name)
            if fid is not None:
                path = None
            elif name.startswith(_ANSWER_PREFIX):
                if answers is None:
                    answers = self._fid(ANSWERS)
                fid, path = answers, name[start:]
            else:
                fid, path = self._fid(name), None
            if value.__class__ is bytes:
                rows.append((rec, fid, path, value, hlc, site, None, None))
            else:
                items += (fid, path, value)
        if len(items) == 3:
            rows.append((rec, items[0], items[1], items[2], hlc, site, None, None))
        elif items:
            rows.append((rec, PACKED, None,
                         _packed_json(items),
                         hlc, site, None, None))
        return rows

    def append_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """Append prepared rows (rec, fid, path, value, hlc, site, prev_hlc, prev_site)."""
        self.conn.executemany(_INSERT, rows)

    def append(self, rec: int, changes: Iterable[Change]) -> None:
        """Append changes of one record (``rec``: its ordinal)."""
        self.append_many((rec, c) for c in changes)

    def append_many(self, items: Iterable[tuple[int, Change]]) -> None:
        """Append changes; the first values of a record (several changes of one record with
        one stamp that replace nothing) are packed into one row."""
        groups: dict[tuple[int, Stamp], list[Change]] = {}
        singles: list[tuple[int, Change]] = []
        for rec, c in items:
            if c.prev is None and not c.merges:
                groups.setdefault((rec, c.stamp), []).append(c)
            else:
                singles.append((rec, c))
        rows: list[tuple[Any, ...]] = []
        for (rec, stamp), changes in groups.items():
            if len(changes) == 1:
                singles.append((rec, changes[0]))
            else:
                rows += self.first_value_rows(rec, stamp, {c.field: c.value for c in changes})
        merges: list[tuple[int, Change]] = []
        for rec, c in singles:
            fid, path = self.field_ordinal(c.field)
            prev = c.prev
            row = (rec, fid, path, c.value, c.stamp.hlc, self.site(c.stamp.device),
                   prev.hlc if prev else None, self.site(prev.device) if prev else None)
            if c.merges:
                merges.append((row, c))
            else:
                rows.append(row)
        self.append_rows(rows)
        for row, change in merges:
            seq = self.conn.execute(_INSERT, row).lastrowid
            self.conn.executemany(
                "insert into change_merges(seq, hlc, site) values (?, ?, ?)",
                [(seq, m.hlc, self.site(m.device)) for m in change.merges])

    # -- whole groups, for the warehouse (fieldapp.warehouse) ---------------------------------
    def groups_after(self, seq: int, limit: int) -> tuple[list[LoggedGroup], int]:
        """The changes after local sequence number ``seq`` as groups (one record, one stamp),
        from about ``limit`` stored rows, and the sequence number they reach (``seq`` when
        there are none). A group is never split between two calls. The same changes as
        :meth:`since`, without a Change per field (a province's log holds tens of millions of
        fields; tests/storage/test_publishing.py holds the two equal)."""
        rows = self.conn.execute(
            "select c.seq, r.tbl, r.rid, c.fid, c.path, c.value, c.hlc, c.site, c.prev_hlc, "
            "c.prev_site from changes c join sync_records r on r.rec = c.rec "
            "where c.seq > ? order by c.seq limit ?", [seq, limit]).fetchall()
        if not rows:
            return [], seq
        if len(rows) == limit:  # the last group may go on: leave it to the next call
            tail = rows[-1][2], rows[-1][6], rows[-1][7]
            cut = len(rows)
            while cut > 0 and (rows[cut - 1][2], rows[cut - 1][6], rows[cut - 1][7]) == tail:
                cut -= 1
            if cut:
                rows = rows[:cut]
        through = rows[-1][0]
        merges = self._merges("m.seq > ? and m.seq <= ?", [seq, through])
        out: list[LoggedGroup] = []
        key = None
        for seq_, table, rid, fid, path, value, hlc, site, prev_hlc, prev_site in rows:
            if (rid, hlc, site) != key:
                key = (rid, hlc, site)
                group = LoggedGroup(seq_, table, rid, hlc, self.device(site), {}, {}, {})
                out.append(group)
            else:
                group.seq = seq_
            fields = group.fields
            if fid == FIELDS:
                fields.update(_unpacked(value))
                continue
            if fid == PACKED:
                items = json.loads(value)
                fields.update(zip(map(self._name_of, items[0::3], items[1::3]), items[2::3]))
                continue
            name = self._field_name(fid, path)
            fields[name] = value
            if prev_hlc is not None:
                group.prev[name] = (prev_hlc, self.device(prev_site))
            if seq_ in merges:
                group.merges[name] = [(m.hlc, m.device) for m in merges[seq_]]
        return out, through


    def _name_of(self, fid: int, path: str | None) -> str:
        """A field's name from its stored (fid, path), cached per fid."""
        if path is None:
            name = self._fields.get(fid)
            return name if name is not None else self._field_name(fid, None)
        prefix = self._prefixes.get(fid)
        if prefix is None:
            prefix = self._prefixes[fid] = self._field_name(fid, None) + "/"
        return prefix + path


class LoggedGroup:
    """The changes of one record made at one stamp, as the log holds them: {field: value},
    the stamp each value replaced ({field: (hlc, device)}, none for first values) and the
    other heads a conflict resolution replaced."""

    __slots__ = ("seq", "table", "record", "hlc", "device", "fields", "prev", "merges")

    def __init__(self, seq: int, table: str, record: str, hlc: int, device: str,
                 fields: dict[str, Any], prev: dict[str, tuple[int, str]],
                 merges: dict[str, list[tuple[int, str]]]):
        self.seq, self.table, self.record, self.hlc, self.device = seq, table, record, hlc, device
        self.fields, self.prev, self.merges = fields, prev, merges
