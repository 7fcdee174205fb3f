"""``warehouse check``: does the warehouse hold what the province database holds?

For every commune and kind, both sides give the number of records and of changes (history,
field by field) and a digest of their content: the sum of a hash of each record (its id, fields
and sync columns, odd values restored, JSON compared as parsed) and of each change (record,
stamp, field, value, the stamp it replaced). Sums do not depend on order, so both sides are
read as they come; any record or change added, lost, altered or put in another commune shows.
The erasures (ids) are compared as a set too.

The records changed after the last batch the warehouse acknowledged (the publish cursor) are
left out on both sides and counted apart: they wait for the next publish (signing in to run
the check writes an audit event of its own in an encrypted database).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.kinds import Kind
from fieldapp.storage.publishing import PublishSource
from fieldapp.warehouse import schema
from fieldapp.warehouse.encode import from_history, from_odd, stamp_text
from fieldapp.warehouse.schema import HISTORY, JSON, MAP, REAL, TREE, q

_MASK = (1 << 64) - 1
_JSON_TYPES = (JSON, MAP, TREE)
ROWS, CHANGES, ERASED = "rows", "changes", "erased"


@dataclass
class Tally:
    count: int = 0
    digest: int = 0

    def add(self, item: Any) -> None:
        self.count += 1
        self.digest = (self.digest + hash(item)) & _MASK


@dataclass
class Difference:
    commune: str
    table: str
    what: str
    """rows, changes or erased."""
    here: Tally
    there: Tally


@dataclass
class CheckResult:
    differences: list[Difference] = field(default_factory=list)
    communes: int = 0
    rows: int = 0
    changes: int = 0
    pending: int = 0
    """Records changed since the last publish (left out of the comparison)."""

    @property
    def equal(self) -> bool:
        return not self.differences


def _json_key(value: Any) -> Any:
    """A hashable form of parsed JSON, numbers as floats (engines spell them differently)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return ("[", *(_json_key(v) for v in value))
    if isinstance(value, dict):
        return ("{", *sorted((k, _json_key(v)) for k, v in value.items()))
    return repr(value)


def _value_key(ftype: str | None, value: Any) -> Any:
    if value is None:
        return None
    if ftype in _JSON_TYPES:
        if isinstance(value, str):
            try:
                return _json_key(json.loads(value))
            except ValueError:
                return ("unparsed", value)
        return ("odd", repr(value))
    if isinstance(value, memoryview):
        value = bytes(value)
    if ftype == REAL and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


class _Side:
    """Tallies of one side: {(commune, table, what): Tally}."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[str, str, str], Tally] = {}

    def tally(self, commune: str, table: str, what: str) -> Tally:
        key = (commune, table, what)
        found = self.tallies.get(key)
        if found is None:
            found = self.tallies[key] = Tally()
        return found


def _types(kind: Kind) -> list[str | None]:
    return [f.type for f in kind.fields if not f.secret] + [None] * len(schema.SYNC_TYPES)


def _row_key(rid: str, types: list[str | None], values: Iterable[Any]) -> tuple:
    return (rid, *(_value_key(t, v) for t, v in zip(types, values)))


def _change_key(record: str, hlc: int, device: str, name: str, value: Any,
                prev: str | None, merges: Any) -> tuple:
    if isinstance(value, float) and not math.isfinite(value):
        value = repr(value)
    elif isinstance(value, memoryview):
        value = bytes(value)
    return (record, hlc, device, name, value, prev, tuple(merges or ()))


# -- the province database ----------------------------------------------------------------------

def _changed_after(source: PublishSource, seq: int) -> set[str]:
    out: set[str] = set()
    while True:
        groups, seq = source.groups_after(seq, 20_000)
        if not groups:
            return out
        out.update(g.record for g in groups)


def _database_side(source: PublishSource, pending: set[str]) -> _Side:
    side = _Side()
    commune_of: dict[str, str] = {}
    for kind in schema.kinds():
        types = _types(kind)
        for row in source.all_rows(kind.table):
            commune_of[row[1]] = row[0]
            if row[1] in pending:
                continue
            side.tally(row[0], kind.table, ROWS).add(_row_key(row[1], types, row[2:]))
    devices = source.device_communes()
    seq = 0
    while True:
        groups, seq = source.groups_after(seq, 20_000)
        if not groups:
            break
        for g in groups:
            if g.record in pending:
                continue
            commune = commune_of.get(g.record)
            if commune is None:
                commune = commune_of[g.record] = devices.get(g.device, source.office)
            tally = side.tally(commune, g.table, CHANGES)
            for name, value in g.fields.items():
                prev = g.prev.get(name)
                merges = g.merges.get(name)
                tally.add(_change_key(g.record, g.hlc, g.device, name, value,
                                      stamp_text(*prev) if prev else None,
                                      [stamp_text(*m) for m in merges] if merges else None))
    erased = side.tally("", "", ERASED)
    for rid, table in source.erased().items():
        erased.add((rid, table))
    for rid, prefix in source.erased_fields():
        erased.add((rid, prefix, "field"))
    return side


# -- the warehouse --------------------------------------------------------------------------------

def _stream(conn: Any, sql: str, params: list[Any]) -> Iterator[tuple]:
    with conn.cursor(name="fieldapp_check") as cursor:
        cursor.itersize = 5_000
        cursor.execute(sql, params)
        yield from cursor


def _warehouse_side(conn: Any, province: str, pending: set[str]) -> _Side:
    side = _Side()
    for kind in schema.kinds():
        types = _types(kind)
        names = [f.name for f in kind.fields if not f.secret] + \
            [n for n, _t in schema.SYNC_TYPES]
        columns = ", ".join(f'"{n}"::text' if t in _JSON_TYPES else f'"{n}"'
                            for n, t in zip(names, types))
        for row in _stream(conn, f"select wh_commune, id, {columns}, wh_odd::text "
                                 f"from {q(kind.table)} where wh_province = %s", [province]):
            if row[1] in pending:
                continue
            values = list(row[2:-1])
            if row[-1]:
                for key, item in json.loads(row[-1]).items():
                    index = (len(names) - len(schema.SYNC_TYPES) + int(key[1:])
                             if key.startswith("_") and key[1:].isdigit() else names.index(key))
                    values[index] = from_odd(item)
            side.tally(row[0], kind.table, ROWS).add(_row_key(row[1], types, values))
    for commune, table, record, hlc, device, changes, prev, merges in _stream(
            conn, f"select wh_commune, tbl, record_id, hlc, device, changes::text, prev::text,"
                  f" merges::text from {q(HISTORY)} where wh_province = %s", [province]):
        if record in pending:
            continue
        prev = json.loads(prev) if prev else {}
        merges = json.loads(merges) if merges else {}
        tally = side.tally(commune, table, CHANGES)
        for name, value in json.loads(changes).items():
            tally.add(_change_key(record, hlc, device, name, from_history(value),
                                  prev.get(name), merges.get(name)))
    erased = side.tally("", "", ERASED)
    for rid, table in conn.execute(f"select rid, tbl from {q('erased')} where wh_province = %s",
                                   [province]):
        erased.add((rid, table))
    for rid, prefix in conn.execute(
            f"select rid, prefix from {q('erased_fields')} where wh_province = %s", [province]):
        erased.add((rid, prefix, "field"))
    return side


def compare(source: PublishSource, conn: Any, dsn_text: str) -> CheckResult:
    """Both sides, tally by tally (in one read-only transaction of the warehouse)."""
    schema.require(conn, dsn_text)
    province, _name = source.province()
    conn.commit()
    with conn.transaction(), source.snapshot():
        conn.execute("set transaction isolation level repeatable read, read only")
        row = conn.execute(f"select seq from {q('sources')} where source = %s",
                           [source.device]).fetchone()
        pending = _changed_after(source, row[0]) if row else set()
        there = _warehouse_side(conn, province, pending)
        here = _database_side(source, pending)
    result = CheckResult(pending=len(pending))
    for key in sorted(set(here.tallies) | set(there.tallies)):
        mine, theirs = here.tallies.get(key, Tally()), there.tallies.get(key, Tally())
        if key[2] == ROWS:
            result.rows += mine.count
        elif key[2] == CHANGES:
            result.changes += mine.count
        if (mine.count, mine.digest) != (theirs.count, theirs.digest):
            result.differences.append(Difference(key[0], key[1], key[2], mine, theirs))
    result.communes = len({k[0] for k in here.tallies if k[0]})
    return result
