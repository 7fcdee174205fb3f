"""The first publish of a province (into a warehouse that holds nothing of it: its first
publish, or ``--full``), in bulk.

Batch by batch, an ordinary publish asks the warehouse what it holds of the records a batch
touches (to replace it) and reads those records' rows by their ids. A warehouse that holds
nothing of the province needs neither, so a first publish

1. writes every kind's rows as the database holds them, one kind at a time, each read in one
   pass and written with its entries in the directory of records, one transaction per kind;
2. then the change log up to the sequence number the database held when the first kind was
   read (the *bound*), in batches, each in a transaction that also moves the cursor;
3. then makes the indexes it dropped: when the warehouse held nothing at all, the kinds' and
   the directory's primary keys and the history's index are dropped at the start (PostgreSQL
   builds an index from the rows in a fraction of the time it takes to keep it up row by row;
   the directory's is made after step 1, for step 2's look-ups);

and the batches of an ordinary publish then send what the database took after the bound. A
kind read later than the first may already show some of it; those batches rewrite every record
they touch, so no row is older than the cursor says.

How far it got is kept in meta (``bulk:<province>``: the bound and the kinds written), in the
same transactions as what it records: a publish killed at any point goes on from there when it
runs again, writing nothing twice; the indexes are made before any ordinary batch needs them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from fieldapp.warehouse import schema
from fieldapp.warehouse.connect import psycopg
from fieldapp.warehouse.encode import RowEncoder, group_row
from fieldapp.warehouse.schema import HISTORY, SYNC_TYPES, q

Publisher = Published = Any
"""fieldapp.warehouse.publish's (which imports this module)."""

_KEY = "bulk:"
HISTORY_COLUMNS = ("wh_province", "wh_commune", "seq", "tbl", "record_id", "hlc", "device",
                   "changes", "prev", "merges")


def row_columns(kind) -> tuple[str, ...]:
    """The columns a kind's rows are written with (fieldapp.warehouse.encode.RowEncoder)."""
    return ("wh_province", "wh_commune", "id", *(f.name for f in kind.fields if not f.secret),
            *(name for name, _t in SYNC_TYPES), "wh_odd")


def begin(pub: Publisher, fresh: bool) -> dict[str, Any] | None:
    """In the publish's first transaction: the bulk load to run (a new one when the warehouse
    holds nothing of the province, ``fresh``; else one a killed publish left), or None."""
    conn, key = pub.conn, _KEY + pub.province
    if not fresh:
        text = (schema.read_meta(conn) or {}).get(key)
        return json.loads(text) if text else None
    pub._forget_province()
    others = conn.execute(f"select count(*) from {q('sources')} where source != %s",
                          [pub.source.device]).fetchone()[0]
    if not others:  # the warehouse holds nothing: its indexes are made after the rows
        schema.drop_indexes(conn, pub.level)
    state: dict[str, Any] = {"bound": None, "kinds": []}
    schema.set_meta(conn, key, json.dumps(state))
    return state


class _Progress:
    """One scale for the whole bulk load: every row still to write, then the log's sequence
    numbers up to the bound (estimated by the last one until the first kind fixes it)."""

    def __init__(self, pub: Publisher, state: dict[str, Any], cursor: int,
                 tell: Callable[[int, int], None]):
        self.tell = tell
        rows = sum(pub.source.count_rows(kind.table) for kind in schema.kinds()
                   if kind.table not in state["kinds"])
        bound = state["bound"] if state["bound"] is not None else pub.source.last_seq()
        self.total = rows + max(0, bound - cursor)
        self.done = 0

    def __call__(self, done: int) -> None:
        self.tell(min(done, self.total), max(1, self.total))


def load(pub: Publisher, state: dict[str, Any], cursor: int, report: Published,
         progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> int:
    """Rows, then history up to the bound, then the indexes; the cursor reached (the bound)."""
    scale = _Progress(pub, state, cursor, progress)
    _rows(pub, state, report, cancelled, scale)
    aside = _CasesAside(pub)
    try:
        cursor = _history(pub, state["bound"], cursor, report, cancelled, scale)
    finally:
        report.views_refreshed = aside.join()
    with pub.conn.transaction():
        schema.ensure_indexes(pub.conn, pub.level)
        pub.conn.execute(f"update {q('sources')} set seq = greatest(seq, %s) where source = %s",
                         [state["bound"], pub.source.device])
        pub.conn.execute(f"delete from {q('meta')} where key = %s", [_KEY + pub.province])
    return max(cursor, state["bound"])


class _CasesAside:
    """The indicators' cases filled and their views refreshed on a second connection while
    step 2 writes the log: they read only the rows, all written by then, and PostgreSQL does
    the two on two cores (the cases were a fifth of a first publish, the log a fifth).

    In its own transaction, which clears the flag that makes a publish killed before the
    cases were filled fill them when it resumes (fieldapp.warehouse.indicator_sql.CaseKeeper);
    whatever the batches after the bound change is filled and refreshed again as usual."""

    def __init__(self, pub: Publisher):
        self.cases, self.error, self.refreshed = pub.cases, None, False
        self.thread = None
        if self.cases is None or self.cases.bulk is None or pub.side is None:
            return
        self.thread = threading.Thread(target=self._run, args=(pub.side,), daemon=True,
                                       name="fieldapp-warehouse-cases")
        self.thread.start()

    def _run(self, side: Callable[[], Any]) -> None:
        try:
            with side() as conn, conn.transaction():
                self.refreshed = self.cases.finish(conn)
        except BaseException as exc:  # noqa: BLE001 - raised again by join(), in the publish
            self.error = exc

    def join(self) -> bool:
        """Wait for it (raising what it raised); whether it refreshed the views."""
        if self.thread is None:
            return False
        self.thread.join()
        if self.error is not None:
            raise self.error
        self.cases.bulk, self.cases.changed = None, False
        return self.refreshed


def _rows(pub: Publisher, state: dict[str, Any], report: Published,
          cancelled: Callable[[], bool], scale: _Progress) -> None:
    conn, source, prov = pub.conn, pub.source, pub.province
    for kind in schema.kinds():
        if kind.table in state["kinds"]:
            continue
        pub.stop_if(cancelled)
        with conn.transaction(), source.snapshot():
            if state["bound"] is None:
                state["bound"] = source.last_seq()
                pub._copy("erased", ("wh_province", "rid", "tbl"),
                          [(prov, rid, t) for rid, t in source.erased().items()])
                pub._copy("erased_fields", ("wh_province", "rid", "prefix"),
                          [(prov, rid, p) for rid, p in sorted(source.erased_fields())])
            schema.ensure_partition(conn, kind.table, prov, pub.partitions)
            try:
                with conn.transaction():
                    written = _copy_kind(pub, kind, cancelled, scale, careful=False)
            except psycopg().errors.DataError:
                # A value PostgreSQL refused (JSON text that is not JSON): the kind again,
                # every JSON value checked first and the refused ones kept in wh_odd.
                with conn.transaction():
                    written = _copy_kind(pub, kind, cancelled, scale, careful=True)
            conn.execute(f"insert into {q('records')} (wh_province, id, tbl, wh_commune, "
                         f"has_row) select wh_province, id, %s, wh_commune, true from "
                         f"{q(kind.table)} where wh_province = %s", [kind.table, prov])
            state["kinds"].append(kind.table)
            schema.set_meta(conn, _KEY + prov, json.dumps(state))
        report.rows += written
        report.batches += 1  # a transaction of its own
        scale.done += written
        scale(scale.done)


_EVERY = 10_000
"""Rows of a kind between two reports of progress (and two questions whether to stop: a stop
inside a kind's COPY rolls the kind back, and the publish goes on from it when run again)."""


def _copy_kind(pub: Publisher, kind, cancelled: Callable[[], bool], scale: _Progress, *,
               careful: bool) -> int:
    encoder = RowEncoder(kind, pub.province, careful=careful)
    names = ", ".join(f'"{c}"' for c in row_columns(kind))
    written = 0
    with pub.conn.cursor().copy(f"copy {q(kind.table)} ({names}) from stdin") as copy:
        for row in pub.source.all_rows(kind.table):
            copy.write_row(encoder.row(row))
            written += 1
            if not written % _EVERY:
                scale(scale.done + written)
                pub.stop_if(cancelled)
    return written


def _history(pub: Publisher, bound: int, cursor: int, report: Published,
             cancelled: Callable[[], bool], scale: _Progress) -> int:
    """The change log after ``cursor`` up to ``bound``, batch by batch; the cursor reached."""
    conn, source, prov = pub.conn, pub.source, pub.province
    erased = {r[0] for r in conn.execute(
        f"select rid from {q('erased')} where wh_province = %s", [prov])}
    # The directory's key, made once step 1 filled it, and its statistics: else each batch's
    # look-up below is planned for the empty table and reads every record of the province.
    with conn.transaction():
        schema.ensure_indexes(conn, pub.level, {"records"})
    conn.execute(f"analyze {q('records')}")
    pub.devices = pub.devices or source.device_communes()
    first = cursor
    scale.total = scale.done + max(0, bound - first)  # the bound, now fixed
    while cursor < bound:
        pub.stop_if(cancelled)
        with conn.transaction(), source.snapshot():
            groups, through = source.groups_after(cursor, pub.batch)
            history = [g for g in groups if g.seq <= bound and g.record not in erased]
            through = min(through, bound) if groups else bound
            # Where each record lives: its row's commune (in the directory since step 1),
            # else the commune of the laptop that wrote it.
            found = dict(conn.execute(
                f"select id, wh_commune from {q('records')} where wh_province = %s and "
                "id = any(%s)", [prov, sorted({g.record for g in history})]).fetchall())
            commune = dict(found)
            new: dict[str, tuple[str, str]] = {}
            for g in history:
                if g.record not in commune:
                    commune[g.record] = pub.devices.get(g.device, prov)
                if g.record not in found:  # no row: in the directory from its history
                    new[g.record] = (g.table, commune[g.record])
            pub._copy(HISTORY, HISTORY_COLUMNS,
                      [group_row(prov, commune[g.record], g) for g in history])
            pub._copy("records", ("wh_province", "id", "tbl", "wh_commune", "has_row"),
                      [(prov, rid, t, c, False) for rid, (t, c) in new.items()],
                      partitioned=False)
            conn.execute(f"update {q('sources')} set seq = %s where source = %s",
                         [through, source.device])
        cursor = report.through = through
        report.groups += len(history)
        report.batches += 1
        scale(scale.done + max(0, through - first))
        if pub.after_batch is not None:
            pub.after_batch(report.batches)
    return cursor
