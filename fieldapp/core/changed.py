"""What an operation changed, as Anki's ``OpChanges``: which kinds of records, which records.

Every write of synced records notes what it touched (fieldapp.storage.writer); the app's
writer hands the result of each operation to the screens with ``data_changed``
(fieldapp.ui.context), and each screen refreshes only when it shows one of the kinds
(its ``shows``), instead of every screen re-reading everything after every save.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MANY = 5_000
"""Above this many records of one kind, their ids are not listed (``None``: "many")."""


@dataclass(frozen=True)
class Changed:
    records: Mapping[str, frozenset[str] | None] = field(default_factory=dict)
    """{table: ids of the records written} (None: too many to list, or all of them)."""

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self.records)

    def touches(self, *tables: str) -> bool:
        """Whether any record of these tables changed."""
        return any(t in self.records for t in tables)

    def ids(self, table: str) -> frozenset[str] | None:
        """The records of ``table`` that changed (empty: none; None: many)."""
        return self.records.get(table, frozenset())

    def __bool__(self) -> bool:
        return bool(self.records)


class Tracker:
    """Collects what the writes of one connection changed, until :meth:`take`."""

    def __init__(self) -> None:
        self._records: dict[str, set[str] | None] = {}

    def note(self, table: str, ids: Iterable[str]) -> None:
        current = self._records.get(table, set())
        if current is None:
            return
        current.update(ids)
        self._records[table] = None if len(current) > MANY else current

    def note_many(self, records: Mapping[str, str]) -> None:
        """``records``: {id: table}."""
        by_table: dict[str, list[str]] = {}
        for record, table in records.items():
            by_table.setdefault(table, []).append(record)
        for table, ids in by_table.items():
            self.note(table, ids)

    def take(self) -> Changed:
        records = {t: (frozenset(ids) if ids is not None else None)
                   for t, ids in self._records.items()}
        self._records = {}
        return Changed(records)
