"""Households merged into another (probable duplicates, reviewed): the part of
:class:`~fieldapp.storage.writer.RecordWriter` that forwards an absorbed household's edits to
its survivor and moves its persons and submissions there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fieldapp.core.changes import (
    MERGED_INTO, Change, RecordState, forwarded_changes, record_state)
from fieldapp.core.records import record_type

if TYPE_CHECKING:
    from fieldapp.storage.changelog import ChangeLog
    from fieldapp.storage.engine import sqlite

_MAX_MERGE_CHAIN = 8  # households merged into households merged into ...


class HouseholdMerges:
    """Mixed into RecordWriter (which provides conn, log, _merging, _table_columns and
    _write_row)."""

    conn: "sqlite.Connection"
    log: "ChangeLog"
    _merging: set[str]

    def _absorbing(self, households: list[str]) -> set[str]:
        """Of these households new here, those another household was already merged into."""
        out: set[str] = set()
        if not households or not self._merges_known():
            return out
        for start in range(0, len(households), 500):
            chunk = households[start:start + 500]
            out.update(r[0] for r in self.conn.execute(
                "select distinct merged_into from households where merged_into in "
                f"({', '.join('?' for _ in chunk)})", chunk))
        return out

    def _state(self, table: str, record: str, changes: list[Change]) -> RecordState:
        """The merge rules, with the edits forwarded from households merged into this one."""
        if table != "households" or not self._merges_known():
            return record_state(table, record, changes)
        return record_state(table, record, changes, self._forwarded(record, depth=0))

    def _forwarded(self, survivor: str, depth: int) -> list[Change]:
        if depth > _MAX_MERGE_CHAIN:
            return []
        out: list[Change] = []
        for (absorbed,) in self.conn.execute(
                "select id from households where merged_into = ? and id != ?",
                [survivor, survivor]).fetchall():
            rec = self.log.rec(absorbed)
            own = self.log.changes_of(rec, "households", absorbed) if rec else []
            # What reached the absorbed household (its own late edits, and those forwarded
            # to it from households merged into it before) lands on the survivor.
            out += forwarded_changes(own + self._forwarded(absorbed, depth + 1), survivor)
        return out

    def _merges_known(self) -> bool:
        # False while migrations older than the merged_into column run (m006's rebuild).
        return MERGED_INTO in self._table_columns("households")

    def _any_merged(self) -> bool:
        """Whether a household of this database was merged into another (a partial index
        answers)."""
        return self._merges_known() and self.conn.execute(
            "select exists (select 1 from households where merged_into is not null)"
        ).fetchone()[0] == 1

    def _survivor(self, household_id: str) -> str:
        """The household a (possibly merged) household lives on as (itself when not merged)."""
        if not self._merges_known():
            return household_id
        current = household_id
        for _ in range(_MAX_MERGE_CHAIN):
            row = self.conn.execute("select merged_into from households where id = ?",
                                    [current]).fetchone()
            if row is None or not row[0] or row[0] == current:
                return current
            current = row[0]
        return current

    def _after_merge(self, household_id: str, survivor: str) -> None:
        """A household was merged into ``survivor``: its persons and submissions now show on
        the survivor, and the survivor shows the edits forwarded from it."""
        target = self._survivor(survivor)
        for table in ("persons", "submissions"):
            self.conn.execute(f"update [{table}] set household_id = ? where household_id = ?",
                              [target, household_id])
        rec = self.log.rec(target)
        if rec is not None:
            history = self.log.changes_of(rec, "households", target)
            self._write_row(record_type("households"),
                            self._state("households", target, history), existed=True)

    def _merged(self, state: RecordState) -> None:
        """After writing a household merged into another, bring the survivor up to date."""
        if state.table != "households":
            return
        survivor = state.values().get(MERGED_INTO)
        if survivor and survivor != state.record and state.record not in self._merging:
            self._merging.add(state.record)
            try:
                self._after_merge(state.record, survivor)
            finally:
                self._merging.discard(state.record)
