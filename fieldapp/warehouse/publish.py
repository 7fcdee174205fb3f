"""Publishing a province database to a warehouse: what it has not acknowledged, batch by batch.

The cursor is the last change-log sequence number of the province database the warehouse
holds (``sources.seq``, one per publishing database). Each batch reads, in one snapshot of the
SQLite database, the groups after the cursor (about :data:`BATCH` stored rows), the current
rows of every record they touch (the merged state: the merge rules ran when the packages were
imported, never here), and writes them in one PostgreSQL transaction that also moves the
cursor. A publish killed at any point leaves whole batches and the cursor of the last one; the
next publish goes on from there, sending nothing twice.

Rows that change without a change of their own are sent too: the records whose reference
follows a merged household (they show the survivor), the survivors of an erased household.
Erasures are compared as sets (``erased``, ``erased_fields``): a record erased since the last
publish is deleted with its history, an answer erased inside a record rewrites that record's
history. Nothing of an erased record stays in the warehouse but its id in ``erased``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.kinds import BY_TABLE
from fieldapp.i18n.catalog import _
from fieldapp.storage.changelog import LoggedGroup
from fieldapp.storage.publishing import PublishSource
from fieldapp.warehouse import bulk, schema
from fieldapp.warehouse.connect import WarehouseError, psycopg
from fieldapp.warehouse.encode import RowEncoder, group_row
from fieldapp.warehouse.schema import HISTORY, NATIONAL, PROVINCE, q

ANSWERED = next(k.table for k in schema.kinds() if k.has_answers)
"""The kind whose answers the indicators count (submissions)."""
BATCH = 10_000
"""Stored change-log rows per batch (one PostgreSQL transaction each)."""


class PublishCancelled(WarehouseError):
    """Stopped on request; what was sent is kept and the next publish goes on from there."""


@dataclass
class Published:
    """What one publish did."""

    groups: int = 0
    rows: int = 0
    removed: int = 0
    batches: int = 0
    """Transactions that wrote (a first publish's kinds, the log's batches)."""
    through: int = 0
    resumed: bool = False
    """The publish before this one stopped half-way (this one went on from its last batch)."""
    full: bool = False
    new_tables: list[str] = field(default_factory=list)
    erased: dict[str, int] = field(default_factory=dict)
    """Commune name -> records an erasure removed from the warehouse by this publish."""
    views_refreshed: bool = False
    seconds: float = 0.0


class Publisher:
    """Publishes one province database (``source``) to one warehouse connection."""

    def __init__(self, source: PublishSource, conn: Any, dsn_text: str, *,
                 batch: int = BATCH, after_batch: Callable[[int], None] | None = None,
                 side: Callable[[], Any] | None = None):
        """``side`` opens a second connection to the same warehouse (a context manager), on
        which a first publish fills the indicators' cases while it writes the log."""
        if not conn.autocommit:
            # Else every transaction() below is a savepoint of one transaction that commits
            # only at the end: a killed publish would keep nothing.
            raise ValueError("Publisher needs an autocommit connection")
        self.source = source
        self.conn = conn
        self.dsn_text = dsn_text
        self.batch = batch
        self.after_batch = after_batch
        self.side = side
        self.partitions: dict[tuple[str, str], str] = {}
        self.meta = schema.require(conn, dsn_text)
        self.level = self.meta.get("level", PROVINCE)
        self.province, self.province_name = source.province()
        self.devices: dict[str, str] = {}
        self.cases: Any = None
        self.bulk: dict[str, Any] | None = None
        """The bulk load of this publish (fieldapp.warehouse.bulk), if it is one."""

    # -- the whole run ------------------------------------------------------------------------
    def run(self, *, full: bool = False,
            progress: Callable[[int, int], None] = lambda d, t: None,
            cancelled: Callable[[], bool] = lambda: False,
            cases: Any = None) -> Published:
        """Publish; ``cases`` (fieldapp.warehouse.indicator_sql.CaseKeeper) keeps the
        indicators' cases up to date inside each batch's transaction."""
        started = time.perf_counter()
        report = Published(full=full)
        self.cases = cases
        cursor = self._begin(report, full)
        if self.bulk is not None:
            cursor = bulk.load(self, self.bulk, cursor, report, progress, cancelled)
        first_seq, last = cursor, self.source.last_seq()
        first = True
        while True:
            self.stop_if(cancelled)
            # One PostgreSQL transaction per batch: what it reads of the warehouse, what it
            # writes and the cursor.
            with self.conn.transaction(), self.source.snapshot():
                groups, through = self.source.groups_after(cursor, self.batch)
                erasures = self._erasures() if first else None
                if not groups and not (erasures and any(erasures)):
                    break
                self.devices = self.devices or self.source.device_communes()
                plan = self._plan(groups, through, erasures, report)
                self._write(plan, through, report)
            cursor = report.through = through
            report.batches += 1
            first = False
            progress(max(0, through - first_seq), max(1, last - first_seq))
            if self.after_batch is not None:
                self.after_batch(report.batches)
        with self.conn.transaction():
            if cases is not None:
                report.views_refreshed = cases.finish(self.conn) or report.views_refreshed
            self.conn.execute(f"update {q('sources')} set finished = true, published_at = now(),"
                              " seq = greatest(seq, %s) where source = %s",
                              [cursor, self.source.device])
        report.through = cursor
        report.seconds = time.perf_counter() - started
        return report

    @staticmethod
    def stop_if(cancelled: Callable[[], bool]) -> None:
        if cancelled():
            raise PublishCancelled(_("Publishing stopped: what was sent is kept; publish "
                                     "again to send the rest."))

    def _begin(self, report: Published, full: bool) -> int:
        conn, device = self.conn, self.source.device
        with conn.transaction():
            self._check_province()
            report.new_tables = schema.ensure_kinds(conn, self.level)
            row = conn.execute(f"select seq, finished from {q('sources')} where source = %s "
                               "for update", [device]).fetchone()
            others = [r[0] for r in conn.execute(
                f"select source from {q('sources')} where wh_province = %s and source != %s",
                [self.province, device])]
            if others and not full:
                raise WarehouseError(_(
                    "Another laptop of {province} published to this warehouse: publish with "
                    "--full to replace what it sent with this database's records.").format(
                    province=self.province_name))
            if row is not None and row[0] > self.source.last_seq() and not full:
                raise WarehouseError(_(
                    "The warehouse holds changes of this database up to number {sent}, but "
                    "the database holds only {held} (was it restored from a backup?): "
                    "publish with --full to send everything again.").format(
                    sent=row[0], held=self.source.last_seq()))
            fresh = full or row is None
            if fresh:  # the warehouse holds nothing of the province: a bulk load
                self.bulk = bulk.begin(self, fresh=True)
                conn.execute(f"insert into {q('sources')} (source, wh_province, province_name, "
                             "seq, finished) values (%s, %s, %s, 0, true)",
                             [device, self.province, self.province_name])
                row = (0, True)
            else:
                self.bulk = bulk.begin(self, fresh=False)
            if self.bulk is None:  # an ordinary publish finds records by their keys
                schema.ensure_indexes(conn, self.level)
            report.resumed = not row[1]
            if self.cases is not None:
                self.cases.start(conn, self.province, fresh=row[0] == 0)
            conn.execute(f"update {q('sources')} set finished = false, started_at = now(), "
                         "province_name = %s where source = %s", [self.province_name, device])
        return row[0]

    def _check_province(self) -> None:
        if self.level == NATIONAL:
            return
        bound = self.meta.get("province_id")
        if bound is None:
            schema.set_meta(self.conn, "province_id", self.province)
            schema.set_meta(self.conn, "province_name", self.province_name)
            self.meta["province_id"] = self.province
        if bound in (None, self.province):
            schema.set_meta(self.conn, "office_name", self.source.office_name())
        else:
            raise WarehouseError(_(
                "This warehouse holds {theirs}'s records, not {ours}'s: publish to the "
                "warehouse of {ours}, or to a national one.").format(
                theirs=self.meta.get("province_name") or bound, ours=self.province_name))

    def _forget_province(self) -> None:
        """Everything of this province, for a full publish (in the caller's transaction)."""
        conn, prov = self.conn, self.province
        for kind in schema.kinds():
            conn.execute(f"delete from {q(kind.table)} where wh_province = %s", [prov])
        for table in (HISTORY, "records", "erased", "erased_fields", "sources"):
            conn.execute(f"delete from {q(table)} where wh_province = %s", [prov])

    # -- what a batch holds ---------------------------------------------------------------------
    def _erasures(self) -> tuple[dict[str, str], set[tuple[str, str]]]:
        """(records erased, answers erased) in the database and not yet in the warehouse."""
        conn, prov = self.conn, self.province
        have = {r[0] for r in conn.execute(
            f"select rid from {q('erased')} where wh_province = %s", [prov])}
        have_fields = set(conn.execute(
            f"select rid, prefix from {q('erased_fields')} where wh_province = %s", [prov]))
        records = {rid: t for rid, t in self.source.erased().items() if rid not in have}
        fields = self.source.erased_fields() - have_fields
        return records, fields

    def _plan(self, groups: list[LoggedGroup], through: int, erasures, report: Published
              ) -> dict[str, Any]:
        """Everything a batch writes, read from the database in the batch's snapshot."""
        erased, erased_fields = erasures or ({}, set())
        known = self._directory({g.record for g in groups} | set(erased)
                                | {rid for rid, _p in erased_fields})
        rewrite = sorted({rid for rid, _p in erased_fields if rid not in erased})
        history = [g for g in groups if g.record not in erased]
        if rewrite:
            again = set(rewrite)
            history = [g for g in history if g.record not in again]
            history += self.source.history_of(rewrite, through)
        touched: dict[str, set[str]] = {}
        for g in history:
            touched.setdefault(g.table, set()).add(g.record)
        for rid in rewrite:
            table = known.get(rid, (None,))[0] or self._table_of(rid, history)
            if table:
                touched.setdefault(table, set()).add(rid)
        survivors = self._survivors(erased, known)
        merging = {k.table: k.merged_into for k in schema.kinds() if k.merged_into}
        # A merge (or its undoing) changes the rows that follow the merged record.
        followed = set(survivors) | {g.record for g in history if g.table in merging
                                     and merging[g.table] in g.fields}
        for table, ids in self.source.merge_referrers(followed).items():
            touched.setdefault(table, set()).update(ids)
        for table in merging:
            touched.setdefault(table, set()).update(survivors)
        rows = {t: self.source.rows(t, ids) for t, ids in touched.items() if ids}
        known.update(self._directory({rid for ids in touched.values() for rid in ids}
                                     - set(known)))
        return {"history": history, "touched": touched, "rows": rows, "erased": erased,
                "erased_fields": erased_fields, "known": known}

    @staticmethod
    def _table_of(rid: str, history: list[LoggedGroup]) -> str | None:
        return next((g.table for g in history if g.record == rid), None)

    def _directory(self, ids: set[str]) -> dict[str, tuple[str, str, bool]]:
        """{id: (table, commune, has a row)} of the records the warehouse knows among these."""
        out: dict[str, tuple[str, str, bool]] = {}
        ids_list = sorted(ids)
        for start in range(0, len(ids_list), 20_000):
            for rid, table, commune, has_row in self.conn.execute(
                    f"select id, tbl, wh_commune, has_row from {q('records')} "
                    "where wh_province = %s and id = any(%s)",
                    [self.province, ids_list[start:start + 20_000]]):
                out[rid] = (table, commune, has_row)
        return out

    def _survivors(self, erased: dict[str, str], known: dict[str, tuple[str, str, bool]]
                   ) -> set[str]:
        """The records the erased ones had been merged into, as the warehouse holds them
        (their rows show what the erased forwarded no more)."""
        out: set[str] = set()
        for kind in schema.kinds():
            ids = [rid for rid, t in erased.items() if t == kind.table and rid in known]
            if kind.merged_into and ids:
                out.update(r[0] for r in self.conn.execute(
                    f'select "{kind.merged_into}" from {q(kind.table)} where wh_province = %s '
                    f'and id = any(%s) and "{kind.merged_into}" is not null',
                    [self.province, ids]))
        return out - set(erased)

    # -- writing a batch ----------------------------------------------------------------------
    def _write(self, plan: dict[str, Any], through: int, report: Published) -> None:
        """In the batch's transaction (each try in a savepoint of it)."""
        try:
            with self.conn.transaction():
                self._write_in(plan, through, report, careful=False)
        except psycopg().errors.DataError:
            # A value PostgreSQL refused (JSON text that is not JSON): the batch again, every
            # JSON value checked first and the refused ones kept in wh_odd.
            with self.conn.transaction():
                self._write_in(plan, through, report, careful=True)

    def _write_in(self, plan: dict[str, Any], through: int, report: Published,
                  careful: bool) -> None:
        conn, prov = self.conn, self.province
        known = plan["known"]
        communes = self.source.communes() if plan["erased"] else {}
        # Erased records leave with their history.
        gone = [rid for rid in plan["erased"] if rid in known]
        for rid in gone:
            name = communes.get(known[rid][1]) or known[rid][1]
            report.erased[name] = report.erased.get(name, 0) + 1
        self._delete({rid: known[rid] for rid in gone}, history=True)
        if plan["erased"]:
            self._copy("erased", ("wh_province", "rid", "tbl"),
                       [(prov, rid, t) for rid, t in plan["erased"].items()])
        if plan["erased_fields"]:
            self._copy("erased_fields", ("wh_province", "rid", "prefix"),
                       [(prov, rid, p) for rid, p in sorted(plan["erased_fields"])])
            rewrite = sorted({rid for rid, _p in plan["erased_fields"]} - set(plan["erased"]))
            self._delete_history({rid: known[rid] for rid in rewrite if rid in known})
        report.removed += len(gone)
        # Rows: the old ones out (where the warehouse has them), the current ones in.
        commune_of: dict[str, str] = {}
        has_row: dict[str, str] = {}
        for table, rows in plan["rows"].items():
            for row in rows:
                commune_of[row[1]] = row[0]
                has_row[row[1]] = table
        touched = {rid for ids in plan["touched"].values() for rid in ids}
        stale = {rid: v for rid, v in known.items()
                 if v[2] and rid in touched and rid not in plan["erased"]}
        self._delete(stale, history=False)
        report.removed += sum(1 for rid in stale if rid not in has_row)
        for table, rows in plan["rows"].items():
            if not rows:
                continue
            kind = BY_TABLE[table]
            encoder = RowEncoder(kind, prov, careful=careful)
            self._copy(table, bulk.row_columns(kind), [encoder.row(r) for r in rows])
            report.rows += len(rows)
        # Where each record lives: its row's commune, else where the warehouse had it, else
        # the commune of the laptop that wrote it.
        history: list[LoggedGroup] = plan["history"]
        for g in history:
            if g.record not in commune_of:
                commune_of[g.record] = (known[g.record][1] if g.record in known
                                        else self.devices.get(g.device, prov))
        moved = {rid: v for rid, v in known.items() if rid in commune_of
                 and v[1] != commune_of[rid] and rid not in plan["erased"]}
        if moved and self.level == PROVINCE:
            for rid, (_t, old, _r) in moved.items():
                self._ensure(HISTORY, commune_of[rid])
                conn.execute(f"update {q(HISTORY)} set wh_commune = %s where wh_commune = %s "
                             "and record_id = %s", [commune_of[rid], old, rid])
        self._copy(HISTORY, bulk.HISTORY_COLUMNS,
                   [group_row(prov, commune_of[g.record], g) for g in history])
        report.groups += len(history)
        # The directory.
        tables = {g.record: g.table for g in history}
        for table, ids in plan["touched"].items():
            tables.update((rid, table) for rid in ids)
        entries = [(prov, rid, table, commune_of.get(rid) or known.get(rid, ("", prov))[1],
                    rid in has_row) for rid, table in tables.items()
                   if rid not in plan["erased"]]
        conn.execute(f"delete from {q('records')} where wh_province = %s and id = any(%s)",
                     [prov, [e[1] for e in entries]])
        self._copy("records", ("wh_province", "id", "tbl", "wh_commune", "has_row"), entries,
                   partitioned=False)
        if self.cases is not None:
            self.cases.touched(set(plan["touched"]) | set(plan["erased"].values()))
            self.cases.batch(conn, prov, sorted(plan["touched"].get(ANSWERED, set()) | {
                rid for rid, table in plan["erased"].items() if table == ANSWERED}))
        conn.execute(f"update {q('sources')} set seq = %s where source = %s",
                     [through, self.source.device])

    def _part(self, commune: str) -> str:
        return commune if self.level == PROVINCE else self.province

    def _ensure(self, table: str, commune: str) -> None:
        schema.ensure_partition(self.conn, table, self._part(commune), self.partitions)

    def _delete(self, records: dict[str, tuple[str, str, bool]], *, history: bool) -> None:
        """Delete these records' rows (and history) where the warehouse holds them."""
        by_table: dict[str, list[str]] = {}
        for rid, (table, _commune, has_row) in records.items():
            if has_row and table in BY_TABLE:
                by_table.setdefault(table, []).append(rid)
        for table, ids in by_table.items():
            self.conn.execute(f"delete from {q(table)} where wh_province = %s and "
                              "id = any(%s)", [self.province, ids])
        if history:
            self._delete_history(records)
            self.conn.execute(f"delete from {q('records')} where wh_province = %s and "
                              "id = any(%s)", [self.province, list(records)])

    def _delete_history(self, records: dict[str, tuple[str, str, bool]]) -> None:
        by_part: dict[str, list[str]] = {}
        for rid, (_table, commune, _r) in records.items():
            by_part.setdefault(self._part(commune), []).append(rid)
        column = schema.partition_column(self.level)
        for part, ids in by_part.items():
            self.conn.execute(f"delete from {q(HISTORY)} where {column} = %s and "
                              "record_id = any(%s)", [part, ids])

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[tuple], *,
              partitioned: bool | None = None) -> None:
        if not rows:
            return
        if partitioned is None:
            partitioned = table in BY_TABLE or table == HISTORY
        if partitioned:
            by_commune = schema.partition_of(table, self.level) == "wh_commune"
            for value in {r[1 if by_commune else 0] for r in rows}:
                schema.ensure_partition(self.conn, table, value, self.partitions)
        names = ", ".join(f'"{c}"' for c in columns)
        with self.conn.cursor().copy(f"copy {q(table)} ({names}) from stdin") as copy:
            for row in rows:
                copy.write_row(row)
