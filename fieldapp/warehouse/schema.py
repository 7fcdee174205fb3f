"""The warehouse's tables, derived from the record kinds' declarations (fieldapp.core.kinds).

In schema ``fieldapp``:

- one table per kind, named as the kind: ``wh_province``, ``wh_commune`` (where the record
  belongs), ``id``, every field but the secret ones with its declared type (text, bigint,
  double precision, bytea, jsonb for JSON, maps and answers), the sync columns (``device_id``,
  ``created_at``, ``updated_at``, ``rev``, ``deleted``, ``deleted_reason``) and ``wh_odd``:
  a value PostgreSQL cannot hold in its column (text with U+0000, a number field holding
  text) is kept there whole, as ``{"field": {"text": base64}}`` (fieldapp.warehouse.encode);
- ``history``: the change log, one row per group (one record, one stamp): ``changes``
  ({field: value}), ``prev`` ({field: stamp replaced}) and ``merges``; view
  ``history_changes`` gives one row per field;
- ``records`` (which partition holds each record), ``sources`` (each publishing database and
  how far it has been acknowledged: the cursor), ``erased`` and ``erased_fields`` (ids only:
  what erasures removed);
- ``meta``: the schema version, the level (province or national) and the province.

``history`` is partitioned by commune (``wh_commune``) in a province's warehouse, by province
(``wh_province``) in a national one; the kinds' tables by province at both levels (a national
warehouse's rows of one province in one partition; a partition per commune and kind cost a
province 17 tables per commune, a thousand and more, for no query that needed them). One
partition per value, made when the first record of it arrives. A kind declared later gets its
table, a field declared later its column, the next time anyone publishes; nothing here names a
kind.

The kinds' primary keys and the history's index are :data:`DEFERRED`: a first publish into an
empty warehouse drops them and makes them after the rows are in (fieldapp.warehouse.bulk);
:func:`ensure_indexes` makes whatever is missing.
"""

from __future__ import annotations

from typing import Any

import fieldapp.core.kinds as declared
from fieldapp.core.clock import COUNTER_LIMIT
from fieldapp.core.kinds import BYTES, INTEGER, JSON, MAP, REAL, TEXT, TREE, Kind
from fieldapp.i18n.catalog import _
from fieldapp.warehouse.connect import WarehouseError, psycopg

SCHEMA = "fieldapp"
VERSION = 2
"""Raise it when the layout changes in a way an older warehouse cannot be used with
(2: the kinds' tables partitioned and keyed by province, no longer by commune)."""
PROVINCE, NATIONAL = "province", "national"
LEVELS = (PROVINCE, NATIONAL)
PG_TYPES = {TEXT: "text", INTEGER: "bigint", REAL: "double precision", BYTES: "bytea",
            JSON: "jsonb", MAP: "jsonb", TREE: "jsonb"}
SYNC_TYPES = (("device_id", "text"), ("created_at", "text"), ("updated_at", "text"),
              ("rev", "text"), ("deleted", "bigint"), ("deleted_reason", "text"))
HISTORY = "history"
_FIXED = ("meta", "sources", "records", "erased", "erased_fields", "partitions", HISTORY)


def q(name: str) -> str:
    """A quoted identifier in the warehouse's schema."""
    return f'{SCHEMA}."{name}"'


def kinds() -> tuple[Kind, ...]:
    """The kinds declared now (read at call time: tests declare made-up ones)."""
    return declared.KINDS


def field_columns(kind: Kind) -> list[tuple[str, str]]:
    """(column, PostgreSQL type) of a kind's published fields, in declaration order."""
    return [(f.name, PG_TYPES[f.type]) for f in kind.fields if not f.secret]


def partition_column(level: str) -> str:
    return "wh_commune" if level == PROVINCE else "wh_province"


# -- making -------------------------------------------------------------------------------------

def _kind_table(kind: Kind, level: str) -> str:
    columns = ["wh_province text not null", "wh_commune text not null", "id text not null"]
    columns += [f'"{name}" {pg}' for name, pg in field_columns(kind)]
    columns += [f'"{name}" {pg}' for name, pg in SYNC_TYPES]
    columns.append("wh_odd jsonb")
    return (f"create table {q(kind.table)} ({', '.join(columns)}) "
            "partition by list (wh_province)")


def partition_of(table: str, level: str) -> str:
    """The column a table is partitioned by: history's by commune in a province's warehouse,
    everything else by province."""
    return partition_column(level) if table == HISTORY else "wh_province"


def deferred(level: str) -> list[tuple[str, str, str]]:
    """(name, table, what to add) of the indexes a first publish makes after its rows."""
    out = [(f"{kind.table}_pkey", kind.table, f'constraint "{kind.table}_pkey" primary key '
            "(wh_province, id)") for kind in kinds()]
    out.append(("history_record", HISTORY, "index"))
    out.append(("records_pkey", "records", 'constraint "records_pkey" primary key '
                "(wh_province, id)"))
    return out


def ensure_indexes(conn: Any, level: str, tables: set[str] | None = None) -> list[str]:
    """Make the deferred indexes that are missing (of ``tables``, else of all) in the caller's
    transaction; their names."""
    have = {r[0] for r in conn.execute(
        "select indexname from pg_indexes where schemaname = %s", [SCHEMA])}
    made = []
    for name, table, what in deferred(level):
        if name in have or (tables is not None and table not in tables):
            continue
        if not made:  # sort a province's keys in memory (the default, 64 MB, spills to disk)
            conn.execute("set local maintenance_work_mem = '512MB'")
        if what == "index":
            conn.execute(f'create index "{name}" on {q(table)} (record_id)')
        else:
            conn.execute(f"alter table {q(table)} add {what}")
        made.append(name)
    return made


def drop_indexes(conn: Any, level: str) -> None:
    """Drop the deferred indexes (a first publish into an empty warehouse, before its rows)."""
    for name, table, what in deferred(level):
        if what == "index":
            conn.execute(f'drop index if exists {SCHEMA}."{name}"')
        else:
            conn.execute(f'alter table {q(table)} drop constraint if exists "{name}"')


def _fixed_tables(level: str) -> list[str]:
    part = partition_column(level)
    return [
        f"create table {q('meta')} (key text primary key, value text not null)",
        f"""create table {q('sources')} (
            source text primary key, wh_province text not null, province_name text,
            seq bigint not null default 0, finished boolean not null default true,
            started_at timestamptz, published_at timestamptz)""",
        f"""create table {q('records')} (
            wh_province text not null, id text not null, tbl text not null,
            wh_commune text not null, has_row boolean not null)""",
        f"""create table {q('erased')} (wh_province text not null, rid text not null,
            tbl text not null, primary key (wh_province, rid))""",
        f"""create table {q('erased_fields')} (wh_province text not null, rid text not null,
            prefix text not null, primary key (wh_province, rid, prefix))""",
        f"""create table {q('partitions')} (tbl text not null, value text not null,
            name text not null unique, primary key (tbl, value))""",
        f"""create table {q(HISTORY)} (
            wh_province text not null, wh_commune text not null, seq bigint not null,
            tbl text not null, record_id text not null, hlc bigint not null,
            device text not null, changes jsonb not null, prev jsonb, merges jsonb)
            partition by list ({part})""",
        f"""create view {q('history_changes')} as
            select h.wh_province, h.wh_commune, h.tbl, h.record_id, h.hlc, h.device,
                   to_timestamp((h.hlc / {COUNTER_LIMIT}) / 1000.0) as changed_at, c.key as field,
                   c.value, h.prev -> c.key as replaced, h.merges -> c.key as merged
            from {q(HISTORY)} h cross join lateral jsonb_each(h.changes) c""",
    ]


def create(conn: Any, level: str) -> None:
    """Make the schema in an empty database (inside the caller's transaction)."""
    if level not in LEVELS:
        raise ValueError(level)
    conn.execute(f"create schema {SCHEMA}")
    for statement in _fixed_tables(level):
        conn.execute(statement)
    conn.execute(f"insert into {q('meta')} values ('schema_version', %s), ('level', %s)",
                 [str(VERSION), level])
    ensure_kinds(conn, level)
    ensure_indexes(conn, level)


def ensure_kinds(conn: Any, level: str) -> list[str]:
    """Tables for kinds declared since, columns for fields declared since; what was added."""
    added: list[str] = []
    present: dict[str, set[str]] = {}
    for table, column in conn.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = %s", [SCHEMA]):
        present.setdefault(table, set()).add(column)
    for kind in kinds():
        if kind.table in _FIXED:
            raise WarehouseError(f"a kind named {kind.table!r} clashes with the warehouse")
        have = present.get(kind.table)
        if have is None:
            conn.execute(_kind_table(kind, level))
            added.append(kind.table)
            continue
        for name, pg in field_columns(kind):
            if name not in have:
                conn.execute(f'alter table {q(kind.table)} add column "{name}" {pg}')
                added.append(f"{kind.table}.{name}")
    return added


# -- what is there ------------------------------------------------------------------------------

def read_meta(conn: Any) -> dict[str, str] | None:
    """The warehouse's meta table, or None when the database has no warehouse schema."""
    found = conn.execute("select 1 from information_schema.tables where table_schema = %s "
                         "and table_name = 'meta'", [SCHEMA]).fetchone()
    if not found:
        return None
    return dict(conn.execute(f"select key, value from {q('meta')}").fetchall())


def require(conn: Any, dsn_text: str) -> dict[str, str]:
    """The meta of a warehouse this version can use; WarehouseError in one line otherwise."""
    meta = read_meta(conn)
    if meta is None:
        raise WarehouseError(_("{dsn} holds no fieldapp warehouse: make one with fieldapp "
                               "warehouse init --dsn …").format(dsn=dsn_text))
    try:
        version = int(meta.get("schema_version", "0"))
    except ValueError:
        version = 0
    if version < VERSION:
        raise WarehouseError(_(
            "The warehouse {dsn} has the schema of an older fieldapp (version {found}; this "
            "one needs {needed}): make a new warehouse with fieldapp warehouse init and "
            "publish to it.").format(dsn=dsn_text, found=version, needed=VERSION))
    if version > VERSION:
        raise WarehouseError(_(
            "The warehouse {dsn} was made by a newer fieldapp (schema version {found}): "
            "update fieldapp to use it.").format(dsn=dsn_text, found=version))
    return meta


def set_meta(conn: Any, key: str, value: str) -> None:
    conn.execute(f"insert into {q('meta')} values (%s, %s) on conflict (key) do update "
                 "set value = excluded.value", [key, value])


def ensure_partition(conn: Any, table: str, value: str, cache: dict[tuple[str, str], str]
                     ) -> None:
    """The partition of ``table`` for ``value`` (a commune or a province), made if new."""
    if (table, value) in cache:
        return
    row = conn.execute(f"select name from {q('partitions')} where tbl = %s and value = %s",
                       [table, value]).fetchone()
    if row is None:
        number = conn.execute(f"select count(*) from {q('partitions')} where tbl = %s",
                              [table]).fetchone()[0] + 1
        name = f"{table}_p{number}"
        sql = psycopg().sql
        conn.execute(sql.SQL("create table {} partition of {} for values in ({})").format(
            sql.Identifier(SCHEMA, name), sql.Identifier(SCHEMA, table), sql.Literal(value)))
        conn.execute(f"insert into {q('partitions')} values (%s, %s, %s)",
                     [table, value, name])
        row = (name,)
    cache[table, value] = row[0]
