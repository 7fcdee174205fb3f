"""Records merged into another (probable duplicate households, reviewed): the part of
:class:`~fieldapp.storage.writer.RecordWriter` that shows them on their survivor.

The kind's declaration says it (fieldapp.core.kinds): ``merged_into`` names the field that
holds the survivor, and the references declared ``merge`` (a person's household, a survey's)
show the survivor instead of the absorbed record. The log keeps what was written; the rows are
derived:

- a reference to an absorbed record shows its survivor (following merges of merged records);
- the survivor shows the changes made to an absorbed record after the merge (a laptop that
  still edited it), as if made to the survivor (fieldapp.core.changes.forwarded_changes).

After a batch of writes, :meth:`_settle_merges` brings the survivors of the records it touched
up to date, once every row of the batch is written, whatever order the records arrived in (a
merge of two households new here, a merge of merged households, an edit after a merge).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldapp.core.changes import Change, RecordState, forwarded_changes, record_state
from fieldapp.core.kinds import BY_TABLE, KINDS, merge_references

if TYPE_CHECKING:
    from fieldapp.storage.changelog import ChangeLog
    from fieldapp.storage.engine import sqlite

_MAX_MERGE_CHAIN = 8  # households merged into households merged into ...
_MERGING = next(k for k in KINDS if k.merged_into)
"""The kind whose records are merged (households)."""
_TABLE, _FIELD = _MERGING.table, _MERGING.merged_into
_REDIRECTS: dict[str, tuple[str, ...]] = {}
for _table, _column in merge_references():
    _REDIRECTS[_table] = _REDIRECTS.get(_table, ()) + (_column,)


class HouseholdMerges:
    """Mixed into RecordWriter (which provides conn, log, changed, _table_columns and
    _write_row)."""

    conn: "sqlite.Connection"
    log: "ChangeLog"

    @staticmethod
    def _redirects(table: str) -> tuple[str, ...]:
        """The columns of ``table`` that show a merged record's survivor."""
        return _REDIRECTS.get(table, ())

    def _state(self, table: str, record: str, changes: list[Change]) -> RecordState:
        """The merge rules, with the edits forwarded from records merged into this one (a
        record merged into another itself forwards them on: they land on the last survivor)."""
        own = record_state(table, record, changes)
        if table != _TABLE or not self._merges_known():
            return own
        into = own.winners.get(_FIELD)
        if into is not None and into.value and into.value != record:
            return own
        forwarded = self._forwarded(record, depth=0)
        return record_state(table, record, changes, forwarded) if forwarded else own

    def _forwarded(self, survivor: str, depth: int) -> list[Change]:
        if depth > _MAX_MERGE_CHAIN:
            return []
        out: list[Change] = []
        for (absorbed,) in self.conn.execute(
                f"select id from [{_TABLE}] where [{_FIELD}] = ? and id != ?",
                [survivor, survivor]).fetchall():
            rec = self.log.rec(absorbed)
            own = self.log.changes_of(rec, _TABLE, absorbed) if rec else []
            # What reached the absorbed record (its own late edits, and those forwarded to it
            # from records merged into it before) lands on the survivor.
            out += forwarded_changes(own + self._forwarded(absorbed, depth + 1), survivor)
        return out

    def _merges_known(self) -> bool:
        # False while migrations older than the merged_into column run (m006's rebuild).
        return _FIELD in self._table_columns(_TABLE)

    def _any_merged(self) -> bool:
        """Whether a record of this database was merged into another (a partial index
        answers)."""
        return self._merges_known() and self.conn.execute(
            f"select exists (select 1 from [{_TABLE}] where [{_FIELD}] is not null)"
        ).fetchone()[0] == 1

    def _survivor(self, record: str) -> str:
        """The record a (possibly merged) record lives on as (itself when not merged)."""
        if not self._merges_known():
            return record
        current = record
        for _ in range(_MAX_MERGE_CHAIN):
            row = self.conn.execute(f"select [{_FIELD}] from [{_TABLE}] where id = ?",
                                    [current]).fetchone()
            if row is None or not row[0] or row[0] == current:
                return current
            current = row[0]
        return current

    def _resolve_refs(self, table: str, row: dict) -> None:
        for column in _REDIRECTS.get(table, ()):
            if row.get(column):
                row[column] = self._survivor(row[column])

    def _settle_merges(self, records: set[str]) -> None:
        """After writing these records (of the merging kind): references to those that are
        merged show their survivor, and every survivor concerned shows what was forwarded."""
        if not records or not self._any_merged():
            return
        absorbed: dict[str, str] = {}
        survivors: set[str] = set()
        ids = sorted(records)
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for record, into in self.conn.execute(
                    f"select id, [{_FIELD}] from [{_TABLE}] where id in ({marks})", chunk):
                if into and into != record:
                    absorbed[record] = self._survivor(record)
            survivors.update(r[0] for r in self.conn.execute(
                f"select distinct [{_FIELD}] from [{_TABLE}] where [{_FIELD}] in ({marks})",
                chunk))
        for record, survivor in absorbed.items():
            survivors.add(survivor)
            for table, columns in _REDIRECTS.items():
                for column in columns:
                    moved = [r[0] for r in self.conn.execute(
                        f"select id from [{table}] where [{column}] = ?", [record])]
                    if moved:
                        self.conn.execute(f"update [{table}] set [{column}] = ? "
                                          f"where [{column}] = ?", [survivor, record])
                        self.changed.note(table, moved)
        for survivor in survivors:
            self._refresh(self._survivor(survivor))

    def _refresh(self, record: str) -> None:
        """Recompute a record's row from its changes (and those forwarded to it)."""
        rec = self.log.rec(record)
        history = self.log.changes_of(rec, _TABLE, record) if rec is not None else []
        if not history:
            return  # not here (yet): its row is written when it arrives
        self._write_row(BY_TABLE[_TABLE].record_type, self._state(_TABLE, record, history),
                        existed=True)
        self.changed.note(_TABLE, (record,))

    def _settle_all_merges(self) -> None:
        """Every merged record's survivor (after the tables were rebuilt from the log)."""
        if not self._merges_known():
            return
        merged = [r[0] for r in self.conn.execute(
            f"select id from [{_TABLE}] where [{_FIELD}] is not null")]
        self._settle_merges(set(merged))
