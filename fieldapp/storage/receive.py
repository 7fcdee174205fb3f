"""Received changes into the log and the tables: the import side of
:class:`~fieldapp.storage.writer.RecordWriter` (a mixin).

A batch of groups (one record, one stamp each: a package line) is applied in four steps:

1. **checks**: every change follows the rules of the log (known table and field, a stamp not
   older than the value it replaces from the same laptop, not too far in the future, nothing
   replaced in an append-only record); changes of erased records are dropped
   (fieldapp.storage.erasure);
2. **known or allowed**: a group this laptop holds already adds nothing; any other is checked
   against its author's authority (fieldapp.storage.authority), and a refused one is left out
   and listed with its reason;
3. **log first**: every accepted change is appended to the log (a record's first values
   packed), before any row is computed, so that every row of the batch sees all of it;
4. **rows**: a record new here that arrives as its first values takes the fast path (its row
   follows from its fields); any other record is recomputed from all its changes by the merge
   rules; then merged households settle (fieldapp.storage.merges) and erasures new here run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldapp.core.changes import Change, Group, as_groups
from fieldapp.core.kinds import (
    BY_TABLE, MAX_TEXT, RECORD_TYPES, Field, record_type, wrong_type)
from fieldapp.core.records import ANSWERS, is_answer_path, is_known_field
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _

if TYPE_CHECKING:
    from fieldapp.storage.authority import ImportAuthority

_ANSWERS_PREFIX = ANSWERS + "/"
_APPEND_ONLY = {t.table: t.append_only for t in RECORD_TYPES.values()}
_TYPED = {table: kind.typed for table, kind in BY_TABLE.items()}
_NO_FIELDS: dict[str, Field] = {}
_OPEN = {t.table for t in RECORD_TYPES.values() if t.maps or t.tree}
"""Tables with fields no declaration types: map entries, a survey's answers."""


class WriteRefused(UserError):
    """A change that would break a rule of the log; nothing was written."""


@dataclass
class ApplyResult:
    """What applying received changes did: records that are new, records that changed
    (both as {record id: table}), changes already known, changes added, records in conflict."""

    new: dict[str, str] = field(default_factory=dict)
    updated: dict[str, str] = field(default_factory=dict)
    known: int = 0
    added: int = 0
    conflicts: set[str] = field(default_factory=set)
    erased: int = 0
    """Changes dropped because an erasure removed their record (fieldapp.storage.erasure)."""
    refused: int = 0
    """Changes left out because their author was not allowed to make them."""
    forms: set[tuple[Any, Any]] = field(default_factory=set)
    """(form id, version) of the submissions new here."""


def _differs(a: Any, b: Any) -> bool:
    return a != b or type(a) is not type(b)


class Receiving:
    """Mixed into RecordWriter (which provides conn, log, clock, erasures and the row
    machinery: _state, _write_row, _insert_rows, _insert_creations, _settle_merges)."""

    def apply(self, changes: Iterable[Change], *, validate: bool = True,
              check: "ImportAuthority | None" = None) -> ApplyResult:
        """Add received changes (any order, any repetition) and recompute their records.
        See :meth:`apply_groups`."""
        return self.apply_groups(as_groups(changes), validate=validate, check=check)

    # -- step 1 -----------------------------------------------------------------------------
    def _validated(self, groups: list[Group]) -> None:
        checked: set[tuple[str, str]] = set()
        first_fields: dict[str, set[str]] = {}
        for group in groups:
            table = group.table
            typed = _TYPED.get(table, _NO_FIELDS)  # an unknown table: refused below
            if group.creation is not None:  # first values: fields to check, nothing replaced
                for field_name, declared in typed.items():
                    value = group.creation.get(field_name)
                    if value is not None and wrong_type(declared, value):
                        self._wrong_type(table, field_name, value)
                if not group.plain:
                    self._no_file_contents(table, typed, group.creation)
                if table in _OPEN:  # answers or map entries: no type, but a length
                    self._not_too_long(table, group.creation)
                known = first_fields.setdefault(table, set())
                fresh = group.creation.keys() - known
                for field_name in fresh:
                    if not (field_name.startswith(_ANSWERS_PREFIX) and table == "submissions"
                            and is_answer_path(field_name)):
                        self._check_field(table, field_name)
                known |= fresh  # this batch's answer paths too: as many as its lines hold
                continue
            for field_name, value, prev, _merges in group.items:
                if value is not None and (wrong_type(typed[field_name], value)
                                          if field_name in typed
                                          else value.__class__ is bytes
                                          or value.__class__ is str and len(value) > MAX_TEXT):
                    self._wrong_type(table, field_name, value)
                if field_name.startswith(_ANSWERS_PREFIX):  # unbounded paths: not cached
                    if table != "submissions" or not is_answer_path(field_name):
                        self._check_field(table, field_name)
                elif (table, field_name) not in checked:
                    self._check_field(table, field_name)
                    checked.add((table, field_name))
                if prev is not None and _APPEND_ONLY.get(table):
                    raise WriteRefused(_("{table} records are never changed.").format(
                        table=table))
                if prev is not None and prev.device == group.stamp.device \
                        and prev >= group.stamp:
                    self._check_order(Change(table, group.record, field_name, None,
                                             group.stamp, prev))

    def _no_file_contents(self, table: str, typed: dict[str, Field],
                          values: dict[str, Any]) -> None:
        """A file content belongs to a bytes field only (an answer or a map entry holding one
        failed the import with the catch-all message: the answers are stored as JSON)."""
        for field_name, value in values.items():
            if value.__class__ is bytes and field_name not in typed:
                self._wrong_type(table, field_name, value)

    def _not_too_long(self, table: str, values: dict[str, Any]) -> None:
        """No text longer than MAX_TEXT, in an answer or a map entry as in a plain field (a
        10 MB answer would make every report that reads the survey crawl)."""
        for field_name, value in values.items():
            if value.__class__ is str and len(value) > MAX_TEXT:
                self._wrong_type(table, field_name, value)

    @staticmethod
    def _wrong_type(table: str, field_name: str, value: Any) -> None:
        if value.__class__ is str and len(value) > MAX_TEXT:
            raise WriteRefused(_("A value of {field} in {table} is longer than any text "
                                 "fieldapp writes.").format(field=field_name, table=table))
        raise WriteRefused(_("A value of {field} in {table} is not of the type that field "
                             "holds.").format(field=field_name, table=table))

    def apply_groups(self, groups: Iterable[Group], *, validate: bool = True,
                     check: "ImportAuthority | None" = None) -> ApplyResult:
        """Add received changes, a group (one record, one stamp) at a time (module docstring).

        Refuses the whole batch (WriteRefused, nothing written) for a change that breaks a rule
        of the log, or the same change given twice with different values; leaves out (and
        lists in ``check.refused``) a change its author was not allowed to make.
        """
        result = ApplyResult()
        groups = list(groups)
        if self.erasures.active:
            groups, result.erased = self.erasures.filter_groups(groups)
        if not groups:
            return result
        if validate:
            self._validated(groups)
        tables: dict[str, str] = {}
        repeated: set[str] = set()
        newest = groups[0].stamp
        for group in groups:
            if group.stamp > newest:
                newest = group.stamp
            known_table = tables.get(group.record)
            if known_table is None:
                tables[group.record] = group.table
            elif known_table != group.table:
                raise WriteRefused(_("Record {id} is given in two tables.").format(
                    id=group.record))
            else:
                repeated.add(group.record)
        if validate:
            self._check_drift(newest)
        self.clock.observe(newest)

        # -- step 2: known or allowed ---------------------------------------------------------
        known = self.log.recs(list(tables))
        for record, (_rec, table) in known.items():
            if table != tables[record]:
                raise WriteRefused(_("Record {id} is not in {table}.").format(
                    id=record, table=tables[record]))
        histories = self._histories(known)
        by_record: dict[str, list[Group]] = {}
        present = set(known)
        batch_seen: dict[str, dict[tuple[str, Any], Any]] = {}
        for group in groups:
            history = histories.get(group.record)
            seen = history[1] if history is not None else batch_seen.get(group.record)
            if seen is not None:
                fresh = []
                for field_name, value, _prev, _merges in group.items:
                    old = seen.get((field_name, group.stamp), _NOTHING)
                    if old is _NOTHING:
                        fresh.append(field_name)
                    elif _differs(old, value):
                        raise WriteRefused(_("The same change is given twice, with two "
                                             "values."))
                if not fresh:
                    result.known += group.size
                    continue
                if len(fresh) != len(group.items):
                    result.known += len(group.items) - len(fresh)
                    wanted = set(fresh)
                    group = Group(group.table, group.record, group.stamp,
                                  tuple(i for i in group.items if i[0] in wanted), None)
            if seen is None and group.record in repeated:
                seen = batch_seen[group.record] = {}
            if seen is not None:  # a record given more than once: its repeats are known
                for field_name, value, _prev, _merges in group.items:
                    seen[(field_name, group.stamp)] = value
            if check is not None:
                is_known = group.record in present
                if check.check(group, is_known) is not None:
                    result.refused += group.size
                    continue
                check.accepted(group, not is_known)
            present.add(group.record)
            by_record.setdefault(group.record, []).append(group)
        if not by_record:
            return result

        # -- step 3: the log first ---------------------------------------------------------------
        creations: dict[str, list[tuple[str, dict[str, Any], Any]]] = {}
        others: dict[str, list[Change]] = {}
        recs = {record: entry[0] for record, entry in known.items()}
        new_records: dict[str, list[str]] = {}
        for record, record_groups in by_record.items():
            table = tables[record]
            if record not in known:
                new_records.setdefault(table, []).append(record)
            if record not in known and len(record_groups) == 1 \
                    and record_groups[0].creation is not None:
                fields = record_groups[0].creation
                creations.setdefault(table, []).append((record, fields, record_groups[0].stamp))
                result.added += len(fields)
                result.new[record] = table
                if table == "submissions":
                    result.forms.add((fields.get("form_id"), fields.get("form_version")))
                continue
            changes = [c for g in record_groups for c in g.changes()]
            others[record] = changes
            result.added += len(changes)
        for table, records in new_records.items():
            recs.update(zip(records, self.log.new_recs(table, records)))
        # In the order the records came (a household before the persons added to it), so that
        # packages made from this log carry them in that order too.
        log_rows: list = []
        for record in by_record:
            if record in others:
                self.log.append_rows(log_rows)
                log_rows = []
                self.log.append(recs[record], others[record])
            else:
                group = by_record[record][0]
                log_rows += self.log.first_value_rows(recs[record], group.stamp, group.creation)
        self.log.append_rows(log_rows)

        # -- step 4: rows -------------------------------------------------------------------------
        # Persons before households: a household's search document (household_names, kept by
        # triggers) is then written once with all its members, not once per member.
        for table in sorted(creations, key=lambda t: t == "households"):
            self._insert_creations(table, creations[table])
        fresh: dict[str, list] = {}
        for record, changes in others.items():
            table = tables[record]
            history = histories.get(record)
            state = self._state(table, record, (history[0] if history else []) + changes)
            if state.conflicts:
                result.conflicts.add(record)
            if history is not None:
                existed = self._write_row(record_type(table), state, existed=True)
                (result.updated if existed else result.new)[record] = table
            else:
                fresh.setdefault(table, []).append(state)
                result.new[record] = table
                if table == "submissions":
                    values = state.values()
                    result.forms.add((values.get("form_id"), values.get("form_version")))
        for table, states in fresh.items():
            self._insert_rows(record_type(table), states)
        self._settle_merges({r for r, t in tables.items() if r in by_record
                             and BY_TABLE[t].merged_into})
        for record, table in result.new.items():
            if table == "erasures":  # the same removal as where the erasure was made
                self.erasures.perform(record)
        self.changed.note_many({r: tables[r] for r in by_record})
        return result

    def _histories(self, known: dict[str, tuple[int, str]]
                   ) -> dict[str, tuple[list[Change], dict[tuple[str, Any], Any]]]:
        """{record: (its changes, {(field, stamp): value})} of the records known here."""
        by_table: dict[str, list[tuple[int, str]]] = {}
        for record, (rec, table) in known.items():
            by_table.setdefault(table, []).append((rec, record))
        out = {}
        for table, recs in by_table.items():
            for start in range(0, len(recs), 500):
                for record, changes in self.log.changes_of_records(
                        table, recs[start:start + 500]).items():
                    out[record] = (changes, {(c.field, c.stamp): c.value for c in changes})
        return out


_NOTHING = object()
