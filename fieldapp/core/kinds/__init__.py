"""Every kind of synced record, declared once (in the spirit of Django's ``Model._meta``).

A kind of record (households, persons, users, erasures...) is one :class:`Kind` in
:mod:`fieldapp.core.kinds.declared`: plain frozen data that says

- its **fields** and their types, which are required, which hold personal data (exports that
  include them name people; erasure removes them) and which are secret (PIN hashes: never in a
  package, never in ``dump``, never taken from another laptop);
- its **references** to other records (:class:`Ref`): what an erasure cascades to
  (``erase``), which references a merge of households redirects to the survivor (``merge``),
  and through which one the record belongs to a village or commune (``scope``), or the field
  that is its village or commune itself;
- its **sync scope** (:class:`Scope`): every laptop of the commune, the laptops of the
  record's village, one laptop, or upward only;
- **who may write it** (:class:`Grant`): create, change, remove, by role (a member within
  their villages, trainers, commune staff within their commune, the province), optionally on a
  condition of the record's values;
- the **label** a person knows the kind by and the field that names one record (conflicts).

Everything that needs this knowledge derives it from :data:`KINDS`: the writer's validation
and required fields (fieldapp.storage.writer), the search and sort keys, the erasure cascade
(fieldapp.storage.erasure), merge redirection (fieldapp.storage.merges), the scope of return
packages and what leaves a laptop (fieldapp.storage.scope), the authority check of every
received change (fieldapp.core.authority with fieldapp.storage.authority), conflict labels
(fieldapp.services.sync.review), ``dump`` (fieldapp.storage.store) and ``check``'s
references (fieldapp.storage.db). A table that holds synced rows without a declaration fails
tests/core/test_kinds.py; the per-kind tests (round trip, erasure, merge, scope, forged author)
are generated from the declarations.

Adding a kind is one declaration, its migration and its screens:

1. Append a :class:`Kind` to :data:`fieldapp.core.kinds.declared.KINDS` (after the kinds it
   refers to): fields, references, scope, grants, label. Mark secret and personal fields.
2. Add a migration to fieldapp/storage/schema.py that creates its table with
   ``synced_table(db, kind("name"))`` (columns, types and NOT NULLs come from the
   declaration) and the indexes its screens need; list it in fieldapp/storage/versions.py.
3. Write its repository (a :class:`fieldapp.storage.repositories.SyncedRepository` with
   ``table = "name"``), its service and its screens; a screen that shows it lists the table in
   its ``shows`` so that ``data_changed`` refreshes it.

Sync, erasure, merges, authority checks, ``dump``, ``check --deep`` and the generated tests
then cover it with no further code.
"""

from __future__ import annotations

from fieldapp.core.kinds.declared import KINDS, TRAINER_FORMS, TRANSLATOR
from fieldapp.core.kinds.model import (
    ACTIONS, BYTES, CHANGE, CREATE, DEVICE, INTEGER, JSON, MAP, MEMBER, PROVINCE, REAL,
    REMOVE, ROLES, STAFF, TEXT, TRAINER, TREE, TYPES, Field, Grant, Kind, Ref, Scope, Search,
    MAX_TEXT, grant, wrong_type)
from fieldapp.core.records import RecordType

BY_TABLE: dict[str, Kind] = {k.table: k for k in KINDS}
RECORD_TYPES: dict[str, RecordType] = {k.table: k.record_type for k in KINDS}
"""Every synced table's field mapping, in declaration order."""


def kind(table: str) -> Kind:
    try:
        return BY_TABLE[table]
    except KeyError:
        raise KeyError(f"{table!r} is not a synced table") from None


def record_type(table: str) -> RecordType:
    return kind(table).record_type


def erase_cascade() -> tuple[tuple[str, str, str], ...]:
    """(table, column, referenced table): a record whose column names an erased record is
    erased too."""
    return tuple((k.table, name, ref.kind) for k in KINDS for name, ref in k.references
                 if ref.erase)


def merge_references() -> tuple[tuple[str, str], ...]:
    """(table, column) of the references that show a merged record's survivor."""
    return tuple((k.table, name) for k in KINDS for name, ref in k.references if ref.merge)


def references() -> tuple[tuple[str, str, str], ...]:
    """(table, column, referenced table) of every reference (``fieldapp check`` lists the
    dangling ones)."""
    return tuple((k.table, name, ref.kind) for k in KINDS for name, ref in k.references)


def dumped() -> tuple[Kind, ...]:
    """The kinds ``dump`` prints: the same on every laptop that holds them (upward-only records
    say what one laptop did)."""
    return tuple(k for k in KINDS if k.scope is not Scope.UPWARD)


def capabilities() -> tuple[str, ...]:
    """The permissions a team member may be given (the ``capability`` fields of users)."""
    users = BY_TABLE.get("users")
    return tuple(f.name for f in users.fields if f.capability) if users else ()


def check_declarations(kinds: tuple[Kind, ...] = KINDS) -> list[str]:
    """Mistakes in declarations (empty when sound); tests/core/test_kinds.py holds it empty."""
    problems: list[str] = []
    tables = {k.table for k in kinds}
    order = {k.table: n for n, k in enumerate(kinds)}
    for k in kinds:
        names = [f.name for f in k.fields]
        if len(set(names)) != len(names):
            problems.append(f"{k.table}: a field is declared twice")
        for f in k.fields:
            if f.type not in TYPES:
                problems.append(f"{k.table}.{f.name}: unknown type {f.type!r}")
            if f.ref is not None and f.ref.kind not in tables:
                problems.append(f"{k.table}.{f.name}: refers to undeclared {f.ref.kind!r}")
            if f.ref is not None and f.ref.scope and order.get(f.ref.kind, 0) > order[k.table]:
                problems.append(f"{k.table}.{f.name}: its scope comes from a kind declared "
                                "after it")
            if f.secret and (f.required or f.personal):
                problems.append(f"{k.table}.{f.name}: a secret field is neither required nor "
                                "personal data")
        if sum(1 for _n, r in k.references if r.scope) > 1:
            problems.append(f"{k.table}: more than one scope reference")
        if sum(f.type == "tree" for f in k.fields) > 1:
            problems.append(f"{k.table}: more than one answers tree")
        if k.scope is Scope.VILLAGE and not (k.village_field or k.scope_ref):
            problems.append(f"{k.table}: village-scoped without a village field or scope "
                            "reference")
        if k.scope is Scope.DEVICE and not k.device_field:
            problems.append(f"{k.table}: device-scoped without a device field")
        for g in k.grants:
            if g.role not in ROLES or not g.actions <= set(ACTIONS):
                problems.append(f"{k.table}: a grant names an unknown role or action")
            if g.role == MEMBER and k.scope is not Scope.VILLAGE and g.needs is None:
                problems.append(f"{k.table}: members write only village records (or need a "
                                "capability)")
            if g.needs is not None and g.needs not in capabilities():
                problems.append(f"{k.table}: a grant needs {g.needs!r}, which is no capability "
                                "of team members")
        if k.append_only and any(k.may(r, a) for r in ROLES for a in (CHANGE, REMOVE)):
            problems.append(f"{k.table}: append-only but some role may change it")
        if k.title is not None and k.title not in names:
            problems.append(f"{k.table}: its title {k.title!r} is not a field")
        if k.merged_into is not None and k.merged_into not in names:
            problems.append(f"{k.table}: its merged_into {k.merged_into!r} is not a field")
    return problems


__all__ = [
    "ACTIONS", "BYTES", "BY_TABLE", "CHANGE", "CREATE", "DEVICE", "INTEGER", "JSON", "KINDS",
    "MAP", "MEMBER", "PROVINCE", "REAL", "RECORD_TYPES", "REMOVE", "ROLES", "STAFF", "TEXT",
    "TRAINER", "TRAINER_FORMS", "TRANSLATOR", "TREE", "TYPES", "Field", "Grant", "Kind", "Ref",
    "Scope", "Search", "capabilities", "check_declarations", "dumped", "erase_cascade", "grant", "kind",
    "merge_references", "record_type", "references",
]
