"""Erasure of a household's or a person's personal data, wherever the erasure arrives.

An erasure is a synced record (``erasures``: target table and id, reason, who; its stamp says
when). Writing it here or receiving it by sync performs the same removal
(:meth:`Eraser.perform`), idempotently and in any order. What it reaches comes from the kinds'
declarations (fieldapp.core.kinds): the erased record, then every record whose reference
declared ``erase`` ever named an erased record (its value in the table or anywhere in its
history): a household's persons and surveys and their files, households merged into it, the
session entries, enrolments, attendance and progress of an erased person. "Ever" keeps the
result the same in every order: a person moved by a merge from the erased household is erased
whether the merge arrived before the erasure or after. Erasing a **person** also removes, in
the surveys that recorded them (their ``entities.person:<row key>``), the answers of their
roster row.

Removing means: the table rows (and the name-search documents, rebuilt without them), every
change of those records in the change log (packed first-value rows included) and their
conflicts. Record ids and the roster rows' answer paths are kept in ``erased`` and
``erased_fields`` (ids, no personal data), so the writer drops their changes when they
arrive later (:meth:`Eraser.filter_groups`): an erasure that arrives before the data still
keeps the data out, on a laptop that never held the erased person as on any other.

Freed pages may still hold the bytes until they are overwritten: after the transaction that
erased, :meth:`Store.scrub` runs VACUUM and truncates the WAL, so a byte search of the file
finds nothing (tests/services/test_erasure.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from fieldapp.core.changes import Group
from fieldapp.core.kinds import KINDS, erase_cascade
from fieldapp.core.records import ANSWERS, flatten_answers
from fieldapp.storage.changelog import FIELDS, PACKED

if TYPE_CHECKING:
    from fieldapp.storage.writer import RecordWriter

ERASABLE = tuple(k.table for k in KINDS if k.erasable)
_CHUNK = 500
_CASCADE = erase_cascade()
"""(table, column, parent table): a record whose column names an erased record is erased
too."""
_REFERENCE: dict[str, tuple[str, ...]] = {}
for _table, _column, _parent in _CASCADE:
    _REFERENCE[_table] = _REFERENCE.get(_table, ()) + (_column,)
# Children first: a household's search document is rewritten once its persons are gone.
_DELETE_ORDER = tuple(k.table for k in reversed(KINDS))


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _marks(items: list[Any]) -> str:
    return ", ".join("?" for _ in items)


class Eraser:
    """Erasures on one database, used by its :class:`RecordWriter` (inside its transaction)."""

    def __init__(self, writer: "RecordWriter"):
        self.writer = writer
        self.conn = writer.conn
        self.log = writer.log
        self._active: bool | None = None
        self.performed = False
        """Set when an erasure removed data: the store scrubs the file after committing."""

    # -- what is erased -----------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether anything was ever erased here (else the writer's paths skip every check)."""
        if self._active is None:
            try:
                self._active = bool(self.conn.execute(
                    "select exists(select 1 from erased) or exists(select 1 from erased_fields)"
                ).fetchone()[0])
            except Exception:  # noqa: BLE001 - the tables do not exist before m030
                return False
        return self._active

    def forget_cache(self) -> None:
        self._active = None

    def erased_among(self, records: Iterable[str]) -> set[str]:
        records = [r for r in set(records) if r]
        out: set[str] = set()
        for chunk in _chunks(records):
            out.update(r[0] for r in self.conn.execute(
                f"select rid from erased where rid in ({_marks(chunk)})", chunk))
        return out

    def erased_fields(self, records: Iterable[str]) -> dict[str, list[str]]:
        records = list(set(records))
        out: dict[str, list[str]] = {}
        for chunk in _chunks(records):
            for rid, prefix in self.conn.execute(
                    f"select rid, prefix from erased_fields where rid in ({_marks(chunk)})",
                    chunk):
                out.setdefault(rid, []).append(prefix)
        return out

    # -- received changes ---------------------------------------------------------------------
    def filter_groups(self, groups: list[Group]) -> tuple[list[Group], int]:
        """Received groups without what erasures removed; (groups kept, changes dropped).

        Drops the changes of erased records, of records that refer to an erased record
        (a person of an erased household: it is erased too, with what the log has of it),
        and of answers inside an erased roster row."""
        if not groups or not self.active:
            return groups, 0
        erased = self.erased_among(g.record for g in groups)
        references: dict[str, list[tuple[str, str]]] = {}
        for g in groups:
            columns = _REFERENCE.get(g.table)
            if columns is None or g.record in erased:
                continue
            items = g.items if g.creation is None else \
                [(f, g.creation[f], None, ()) for f in columns if f in g.creation]
            for field, value, _prev, _merges in items:
                if field in columns and isinstance(value, str):
                    references.setdefault(g.record, []).append((g.table, value))
        known = self.erased_among(v for refs in references.values() for _t, v in refs)
        while True:  # a person of an erased household, an attachment of its submission...
            newly = {rid: (table, parent) for rid, refs in references.items()
                     if rid not in erased for table, parent in refs
                     if parent in known or parent in erased}
            if not newly:
                break
            parent = next(iter(newly.values()))[1]
            # With what refers to them here (the persons of a household merged into an
            # erased one, whose merge arrives now).
            found = self._cascade({rid: table for rid, (table, _p) in newly.items()})
            self.remove_records(found, self._erasure_of(parent))
            erased |= set(found)
        fields = self.erased_fields(g.record for g in groups if g.table == "submissions")
        kept: list[Group] = []
        dropped = 0
        for g in groups:
            if g.record in erased:
                dropped += g.size
                continue
            prefixes = fields.get(g.record)
            if prefixes:
                items = tuple(i for i in g.items if not _under(i[0], prefixes))
                dropped += len(g.items) - len(items)
                if not items:
                    continue
                if len(items) != len(g.items):
                    creation = ({k: v for k, v in g.creation.items() if not _under(k, prefixes)}
                                if g.creation is not None else None)
                    g = Group(g.table, g.record, g.stamp, items, creation)
            kept.append(g)
        return kept, dropped

    def _erasure_of(self, rid: str) -> str:
        row = self.conn.execute("select erasure from erased where rid = ?", [rid]).fetchone()
        return row[0] if row else ""

    # -- performing an erasure ------------------------------------------------------------------
    def perform(self, erasure_id: str) -> None:
        """Carry out the erasure record ``erasure_id`` (idempotent)."""
        row = self.conn.execute("select target_table, target_id from erasures where id = ?",
                                [erasure_id]).fetchone()
        if row is None or row[0] not in ERASABLE:
            return
        table, target = row
        if table == "persons":
            self._erase_roster_rows(target, erasure_id)
        self.remove_records(self._cascade({target: table}), erasure_id)

    def _cascade(self, start: dict[str, str]) -> dict[str, str]:
        """These records ({id: table}) and every record that refers to them, down the
        cascade."""
        found = dict(start)
        frontier: dict[str, set[str]] = {}
        for rid, table in start.items():
            frontier.setdefault(table, set()).add(rid)
        while frontier:
            nxt: dict[str, set[str]] = {}
            for table, column, parent in _CASCADE:
                parents = sorted(frontier.get(parent, ()))
                if not parents:
                    continue
                for rid in self._referring(table, column, parents):
                    if rid not in found:
                        found[rid] = table
                        nxt.setdefault(table, set()).add(rid)
            frontier = nxt
        return found

    def _referring(self, table: str, column: str, parents: list[str]) -> set[str]:
        """Records of ``table`` whose ``column`` names one of ``parents``, now (their row) or
        at any time in their history (the log, packed first values included)."""
        out: set[str] = set()
        for chunk in _chunks(parents):
            out.update(r[0] for r in self.conn.execute(
                f"select id from [{table}] where [{column}] in ({_marks(chunk)})", chunk))
        row = self.conn.execute("select fid from sync_fields where name = ?",
                                [column]).fetchone()
        fid = row[0] if row else None  # None: the field is only ever in packed first values
        if fid is not None:
            for chunk in _chunks(parents):
                out.update(r[0] for r in self.conn.execute(
                    "select r.rid from changes c join sync_records r on r.rec = c.rec "
                    f"where r.tbl = ? and c.fid = ? and c.value in ({_marks(chunk)})",
                    [table, fid, *chunk]))
        wanted = set(parents)
        if len(parents) <= 20:  # a first value packed with others: look for the id's text
            found = self.conn.execute(
                "select r.rid, c.fid, c.value from changes c join sync_records r "
                f"on r.rec = c.rec where r.tbl = ? and c.fid in ({PACKED}, {FIELDS}) and ("
                + " or ".join("instr(c.value, ?)" for _ in parents) + ")",
                [table, *(json.dumps(p, ensure_ascii=False) for p in parents)])
        else:
            found = self.conn.execute(
                "select r.rid, c.fid, c.value from changes c join sync_records r "
                f"on r.rec = c.rec where r.tbl = ? and c.fid in ({PACKED}, {FIELDS})", [table])
        for rid, kind, value in found:
            items = json.loads(value)
            if kind == FIELDS:
                if items.get(column) in wanted:
                    out.add(rid)
            elif any(items[i] == fid and items[i + 2] in wanted
                     for i in range(0, len(items), 3)):
                out.add(rid)
        return out

    def _erase_roster_rows(self, person: str, erasure_id: str) -> None:
        """Remove the answers of the roster rows that recorded ``person``."""
        pattern = f'%"{person}"%'
        for sid, entities, answers in self.conn.execute(
                "select id, entities, answers from submissions where entities like ?",
                [pattern]).fetchall():
            try:
                keys = [k.split(":", 1)[1] for k, v in json.loads(entities or "{}").items()
                        if v == person and k.startswith("person:")]
                fields = flatten_answers(json.loads(answers or "{}"))
            except (ValueError, AttributeError):
                continue
            prefixes = [f[len(ANSWERS) + 1:] for f in fields
                        for key in keys if f.endswith(f"@{key}")]
            for prefix in prefixes:
                self.remove_fields(sid, prefix, erasure_id)

    def remove_records(self, records: dict[str, str], erasure_id: str | None) -> None:
        """Remove records (id -> table) from the tables and the log; remember them as erased
        by ``erasure_id`` (None: only gone from this laptop, fieldapp.storage.scope.evict).
        The survivors of merged records removed show what they forwarded no more."""
        if not records:
            return
        ids = list(records)
        survivors = self._survivors_of(ids)
        recs = self.log.recs(ids)
        rec_numbers = [rec for rec, _tbl in recs.values()]
        for chunk in _chunks(rec_numbers):
            marks = _marks(chunk)
            self.conn.execute(f"delete from change_merges where seq in (select seq from changes "
                              f"where rec in ({marks}))", chunk)
            self.conn.execute(f"delete from changes where rec in ({marks})", chunk)
            self.conn.execute(f"delete from sync_records where rec in ({marks})", chunk)
        by_table: dict[str, list[str]] = {}
        for rid, table in records.items():
            by_table.setdefault(table, []).append(rid)
        for table in _DELETE_ORDER:
            for chunk in _chunks(by_table.get(table, [])):
                self.conn.execute(f"delete from [{table}] where id in ({_marks(chunk)})", chunk)
        for chunk in _chunks(ids):
            self.conn.execute(f"delete from conflicts where rid in ({_marks(chunk)})", chunk)
        self.writer.changed.note_many(records)
        for survivor in survivors - set(ids):
            self.writer._refresh(survivor)
        if erasure_id is None:
            return
        self.conn.executemany(
            "insert into erased(rid, tbl, erasure) values (?, ?, ?) on conflict(rid) do nothing",
            [(rid, table, erasure_id) for rid, table in records.items()])
        self._done()

    def _survivors_of(self, ids: list[str]) -> set[str]:
        merging = next(k for k in KINDS if k.merged_into)
        out: set[str] = set()
        if not self.writer._merges_known():
            return out
        for chunk in _chunks(ids):
            out.update(r[0] for r in self.conn.execute(
                f"select [{merging.merged_into}] from [{merging.table}] where id in "
                f"({_marks(chunk)}) and [{merging.merged_into}] is not null", chunk))
        return {self.writer._survivor(s) for s in out}

    def remove_fields(self, record: str, prefix: str, erasure_id: str) -> None:
        """Remove the answers at ``prefix`` (a path under answers/, a repeat row and what it
        holds) of one submission from the log, and recompute its row."""
        self.conn.execute("insert into erased_fields(rid, prefix, erasure) values (?, ?, ?) "
                          "on conflict do nothing", [record, prefix, erasure_id])
        rec = self.log.rec(record)
        if rec is None:
            self._done()
            return
        answers_fid, _path = self.log.field_ordinal(f"{ANSWERS}/x")
        self.conn.execute(
            "delete from change_merges where seq in (select seq from changes where rec = ? "
            "and fid = ? and (path = ? or substr(path, 1, ?) = ?))",
            [rec, answers_fid, prefix, len(prefix) + 1, prefix + "/"])
        self.conn.execute(
            "delete from changes where rec = ? and fid = ? and (path = ? or "
            "substr(path, 1, ?) = ?)", [rec, answers_fid, prefix, len(prefix) + 1, prefix + "/"])
        for seq, kind, value in self.conn.execute(
                f"select seq, fid, value from changes where rec = ? and fid in ({PACKED}, "
                f"{FIELDS})", [rec]).fetchall():
            items = json.loads(value)
            kept: list[Any] | dict[str, Any]
            if kind == FIELDS:
                path = f"{ANSWERS}/{prefix}"
                kept = {k: v for k, v in items.items()
                        if k != path and not k.startswith(path + "/")}
            else:
                kept = []
                for i in range(0, len(items), 3):
                    fid, path = items[i], items[i + 1]
                    if fid == answers_fid and isinstance(path, str) and (
                            path == prefix or path.startswith(prefix + "/")):
                        continue
                    kept += items[i:i + 3]
            if len(kept) == len(items):
                continue
            if kept:
                self.conn.execute("update changes set value = ? where seq = ?",
                                  [json.dumps(kept, ensure_ascii=False, separators=(",", ":")),
                                   seq])
            else:
                self.conn.execute("delete from changes where seq = ?", [seq])
        table = self.log.table_of(record)
        if table is not None:
            state = self.writer.state(table, record)
            if state is not None:
                from fieldapp.core.kinds import record_type

                self.writer._write_row(record_type(table), state, existed=True)
                self.writer.changed.note(table, (record,))
        self._done()

    def _done(self) -> None:
        self._active = True
        self.performed = True


def _under(field: str, prefixes: list[str]) -> bool:
    if not field.startswith(ANSWERS + "/"):
        return False
    path = field[len(ANSWERS) + 1:]
    return any(path == p or path.startswith(p + "/") for p in prefixes)
