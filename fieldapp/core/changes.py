"""Change-log entries and the merge rules that turn them into records (pure functions).

A :class:`Change` sets one field of one record: table, record id, field, new value, its stamp
(fieldapp.core.clock: wall time, counter, device) and the stamp of the value it replaced
(``prev``; None for a field's first value). The change log holds every change ever made or
received; a record's columns are a function of its changes alone (:func:`record_state`), so
replaying the same changes in any order, any number of times, gives the same record:

- per field, the change with the highest stamp wins;
- the changes of a field form a history: each one names the value it replaced. Changes that
  no later change replaced are the field's *heads*. Two heads with different values mean two
  laptops changed the field without seeing each other's edit: the highest stamp still wins,
  and the field is in conflict until a person picks a value (a change that replaces every
  head: ``prev`` the winner, ``merges`` the others);
- a tombstone (``deleted`` = 1) wins only when it is newer than every other change of the
  record: an edit made on another laptop after the deletion keeps the record alive, and the
  deletion is in conflict for review;
- nothing is ever dropped: superseded values stay in the log as history.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.clock import Stamp, iso_from_ms
from fieldapp.core.records import RecordType


@dataclass(frozen=True, slots=True)
class Change:
    table: str
    record: str
    field: str
    value: Any
    stamp: Stamp
    prev: Stamp | None = None
    merges: tuple[Stamp, ...] = ()
    """Other heads this change replaces too (a conflict resolved by a person)."""

    @property
    def key(self) -> tuple[str, str, Stamp]:
        """What identifies a change: importing one that is already known adds nothing."""
        return (self.record, self.field, self.stamp)


Item = tuple[str, Any, "Stamp | None", tuple[Stamp, ...]]
"""(field, value, prev, merges) of one change of a group."""


class Group:
    """The changes of one line: one record, one stamp. ``creation`` holds them as
    {field: value} when none replaces anything (how a record's first values travel), for the
    writer's fast path; ``items`` as (field, value, prev, merges); ``changes()`` one by one.

    A group made from its first values alone (``items`` None) makes its items only when
    asked: an import's fast path reads ``creation`` and ``size``, and a commune's import
    would otherwise build two million item tuples (a survey holds a hundred answers) that
    nothing reads."""

    __slots__ = ("table", "record", "stamp", "creation", "_items")

    def __init__(self, table: str, record: str, stamp: Stamp,
                 items: tuple[Item, ...] | None, creation: dict[str, Any] | None) -> None:
        if items is None and creation is None:
            raise ValueError("a group needs its items or its first values")
        self.table, self.record, self.stamp = table, record, stamp
        self.creation, self._items = creation, items

    @property
    def items(self) -> tuple[Item, ...]:
        items = self._items
        if items is None:
            creation = self.creation
            items = self._items = tuple(zip(creation, creation.values(), repeat(None),
                                            repeat(())))
        return items

    @property
    def plain(self) -> bool:
        """Made from first values alone (``items`` not given): by the codec's fast path, whose
        values are text, numbers and nulls only (never a file content)."""
        return self._items is None

    @property
    def size(self) -> int:
        """How many changes the group holds."""
        return len(self._items) if self._items is not None else len(self.creation)

    def changes(self) -> list[Change]:
        return [Change(self.table, self.record, f, v, self.stamp, p, m)
                for f, v, p, m in self.items]

    def _key(self) -> tuple:
        return (self.table, self.record, self.stamp, self.items, self.creation)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is Group and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # equal by content, which may change

    def __repr__(self) -> str:
        return (f"Group(table={self.table!r}, record={self.record!r}, stamp={self.stamp!r}, "
                f"items={self.items!r}, creation={self.creation!r})")


@dataclass(frozen=True)
class FieldConflict:
    """A field with concurrent values: the winner and the other heads, newest first."""

    table: str
    record: str
    field: str
    winner: Change
    others: tuple[Change, ...]


@dataclass
class RecordState:
    """A record as its changes make it: winning values, metadata and open conflicts."""

    table: str
    record: str
    winners: dict[str, Change]
    first: Stamp
    last: Stamp
    deleted: bool
    conflicts: list[FieldConflict] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        return {name: change.value for name, change in self.winners.items()}

    def metadata(self) -> dict[str, Any]:
        """The derived sync columns of the record's table row."""
        return {"device_id": self.first.device, "created_at": iso_from_ms(self.first.wall_ms),
                "updated_at": iso_from_ms(self.last.wall_ms), "rev": str(self.last),
                "deleted": int(self.deleted)}

    def row(self, rtype: RecordType) -> dict[str, Any]:
        """The full table row (without derived search and sort keys)."""
        values = self.values()
        row = rtype.assemble({k: v for k, v in values.items()
                              if k not in ("deleted", "deleted_reason")})
        row["id"] = self.record
        row["deleted_reason"] = values.get("deleted_reason") if self.deleted else None
        row.update(self.metadata())
        return row


def heads(changes: Iterable[Change]) -> list[Change]:
    """Changes of one field that no other change replaced, newest first."""
    changes = list(changes)
    replaced = set()
    for c in changes:
        if c.prev is not None:
            replaced.add(c.prev)
        replaced.update(c.merges)
    return sorted((c for c in changes if c.stamp not in replaced),
                  key=lambda c: c.stamp, reverse=True)


def record_state(table: str, record: str, changes: Iterable[Change],
                 forwarded: Iterable[Change] = ()) -> RecordState:
    """Apply the merge rules to every change of one record (in any order).

    ``forwarded``: changes made to a household that was merged into this one, after the merge
    (see :func:`forwarded_changes`); they win by their stamps like the record's own but take no
    part in conflicts, since they continue another record's history.
    """
    by_field: dict[str, list[Change]] = {}
    for c in changes:
        by_field.setdefault(c.field, []).append(c)
    if not by_field:
        raise ValueError(f"no changes for {table} {record}")
    from fieldapp.core.kinds import RECORD_TYPES

    automatic = RECORD_TYPES[table].automatic if table in RECORD_TYPES else ()
    extra: dict[str, Change] = {}
    for c in forwarded:
        if c.field not in extra or c.stamp > extra[c.field].stamp:
            extra[c.field] = c
    winners: dict[str, Change] = {}
    conflicts: list[FieldConflict] = []
    first = last = None
    for name, items in by_field.items():
        winner = max(items, key=lambda c: c.stamp)
        if name in extra and extra[name].stamp > winner.stamp:
            winner = extra[name]
        winners[name] = winner
        low = min(items, key=lambda c: c.stamp).stamp
        first = low if first is None or low < first else first
        last = winner.stamp if last is None or winner.stamp > last else last
        if len(items) > 1 and name not in automatic and not name.startswith("entities."):
            tops = heads(items)
            others = tuple(c for c in tops if c is not winner and c.value != winner.value
                           and c.stamp != winner.stamp)
            if others:
                conflicts.append(FieldConflict(table, record, name, winner, others))
    for name, change in extra.items():
        if name not in winners:
            winners[name] = change
            last = change.stamp if change.stamp > last else last
    tomb = winners.get("deleted")
    deleted = False
    if tomb is not None and tomb.value in (1, "1", True):
        newer = [c for n, c in winners.items()
                 if n not in ("deleted", "deleted_reason") and c.stamp > tomb.stamp]
        deleted = not newer
        if newer:
            # Kept alive by an edit made elsewhere after the deletion: a person decides.
            conflicts.append(FieldConflict(table, record, "deleted", tomb,
                                           tuple(sorted(newer, key=lambda c: c.stamp,
                                                        reverse=True))))
    return RecordState(table, record, winners, first, last, deleted, conflicts)



MERGED_INTO = "merged_into"
"""The field of a household merged into another (its survivor)."""
_NOT_FORWARDED = (MERGED_INTO, "deleted", "deleted_reason")


def forwarded_changes(absorbed: Iterable[Change], survivor: str) -> list[Change]:
    """The changes of a household merged into ``survivor`` that were made after the merge,
    re-addressed to the survivor: a laptop that still edited the absorbed household sees its
    edits land on the survivor."""
    absorbed = list(absorbed)
    merges = [c for c in absorbed if c.field == MERGED_INTO and c.value == survivor]
    if not merges:
        return []
    since = max(c.stamp for c in merges)
    return [Change(c.table, survivor, c.field, c.value, c.stamp, c.prev, c.merges)
            for c in absorbed if c.stamp > since and c.field not in _NOT_FORWARDED]


def as_groups(changes: Iterable[Change]) -> Iterable[Group]:
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
