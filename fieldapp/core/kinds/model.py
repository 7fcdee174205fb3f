"""The vocabulary of a record kind's declaration (see the package docstring for how to use it).

A :class:`Kind` is plain, frozen data: its fields (:class:`Field`, with their type, whether
required, secret or personal, the village or commune they place the record in, and the
reference they hold, :class:`Ref`), which laptops receive its records (:class:`Scope`), who may
create, change or remove them (:class:`Grant`), and how a person names one in a conflict.
Everything else is derived from it here, once (:attr:`Kind.record_type`, the cascades, the scope
path...), and used by storage, sync and the screens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any

from fieldapp.core.records import ANSWERS, RecordType

# -- field types ------------------------------------------------------------------------------
TEXT, INTEGER, REAL, BYTES = "text", "integer", "real", "bytes"
JSON = "json"
"""A JSON value (a list, a small object) kept as one field, stored as its JSON text."""
MAP = "map"
"""A JSON object whose every key is a field of its own (``properties.smartphone``)."""
TREE = "tree"
"""The answers of a form: one field per answer, by question path (fieldapp.core.records)."""
TYPES = (TEXT, INTEGER, REAL, BYTES, JSON, MAP, TREE)

# -- who writes -------------------------------------------------------------------------------
MEMBER, TRAINER, STAFF = "member", "trainer", "commune_staff"
"""Roles of team members (``users.role``). The commune's own laptop writes as commune staff."""
PROVINCE = "province"
"""The province office's laptop, above its communes."""
DEVICE = "device"
"""Any registered laptop that is not retired (for what every laptop records of itself)."""
ROLES = (MEMBER, TRAINER, STAFF, PROVINCE, DEVICE)

CREATE, CHANGE, REMOVE = "create", "change", "remove"
"""What a change does to a record: makes it (its first values, every required field), changes
fields of it, or deletes or restores it (its tombstone)."""
ACTIONS = (CREATE, CHANGE, REMOVE)


class Scope(str, Enum):
    """Which laptops receive a kind's records."""

    COMMUNE = "commune"
    """Every laptop of the commune (and the province above it)."""
    VILLAGE = "village"
    """The laptops of the record's village, the commune, the province."""
    DEVICE = "device"
    """Only the laptop the record names (its ``device`` field), the commune, the province."""
    UPWARD = "upward"
    """Towards the hubs only (member to commune to province), never back down: what each
    laptop records of its own work (the audit log)."""
    SHARED = "shared"
    """Every laptop of every commune of the province: member -> commune -> province -> the
    other communes -> their laptops (label pack entries). A laptop takes a change of a laptop
    it cannot know (another commune's) on the word of the hub that relays it
    (fieldapp.storage.authority)."""


@dataclass(frozen=True)
class Ref:
    """A field that holds the id of a record of ``kind``."""

    kind: str
    erase: bool = False
    """Erasing the referenced record erases this one too (fieldapp.storage.erasure)."""
    merge: bool = False
    """When the referenced household is merged into another, this reference shows the
    survivor (the change log keeps the value written)."""
    scope: bool = False
    """This record belongs where the referenced one does: its village, its commune. Only one
    scope reference per kind is followed, before the kind's own village field."""


@dataclass(frozen=True)
class Search:
    """A name that is searched and sorted: a folded key column (accent-insensitive search)
    and, optionally, a sort column, written beside the name by the writer."""

    key: str
    sort: str | None = None
    person: bool = False
    """Sort as a person's name (given name first, fieldapp.i18n.text.name_sort_text)."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str = TEXT
    required: bool = False
    """A record has no row until this field has a value (the table's NOT NULL)."""
    ref: Ref | None = None
    village: bool = False
    """This field is the village the record belongs to (after any scope reference)."""
    commune: bool = False
    """This field is the commune the record belongs to."""
    device: bool = False
    """This field names the laptop a :attr:`Scope.DEVICE` record is for."""
    secret: bool = False
    """PIN hashes, key material: never leaves the laptop in a package, never in ``dump``, never
    taken from another laptop (the setup file carries the joining member's own)."""
    personal: bool = False
    """Identifies or describes a person or a household (Decree 13/2023/ND-CP): exports that
    include it name people; erasure removes it."""
    automatic: bool = False
    """Set by the app itself (a time of finalizing): the newest wins without a conflict."""
    search: Search | None = None
    author: bool = False
    """Names the team member who did it (an audit event's user): from a member's laptop,
    that laptop's team member or nobody (fieldapp.storage.authority)."""
    capability: bool = False
    """(team members only) A permission this field gives its member when set (the translator
    flag): a :class:`Grant` that ``needs`` it holds only for authors who had it at the
    change's stamp."""


@dataclass(frozen=True)
class Grant:
    """``role`` may do ``actions`` to records of the kind (a member within their villages,
    commune staff within their commune), when ``when(values)`` holds for the record's values
    after the change."""

    role: str
    actions: frozenset[str]
    when: Callable[[Mapping[str, Any]], bool] | None = None
    needs: str | None = None
    """A capability (a ``capability`` field of the team member, e.g. "translator") the author
    must have had at the change's stamp."""


def grant(role: str, *actions: str, when: Callable[[Mapping[str, Any]], bool] | None = None,
          needs: str | None = None) -> Grant:
    """``grant(MEMBER, CREATE, CHANGE)``; no actions: all three."""
    return Grant(role, frozenset(actions or ACTIONS), when, needs)


@dataclass(frozen=True)
class Kind:
    """One kind of synced record, declared once."""

    table: str
    label: str
    """What a person calls one (an ``N_`` message id): "Household"."""
    fields: tuple[Field, ...]
    scope: Scope
    grants: tuple[Grant, ...]
    title: str | None = None
    """The field that names a record to a person (a conflict's label), if any."""
    append_only: bool = False
    """Written once, never changed or deleted (the audit log, erasures)."""
    erasable: bool = False
    """An erasure may name a record of this kind (its personal data removed everywhere)."""
    merged_into: str | None = None
    """The field that says which record of the same kind this one was merged into (probable
    duplicates, reviewed); references declared ``merge`` follow it."""
    valid: Callable[[Mapping[str, Any]], str | None] | None = None
    """Why a record with these values is never taken from another laptop (a recording that is
    not one, a text far too long), or None: checked on every received change."""

    # -- derived ------------------------------------------------------------------------------
    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @cached_property
    def record_type(self) -> RecordType:
        """How the kind's columns map to change-log fields (fieldapp.core.records)."""
        tree = next((f.name for f in self.fields if f.type == TREE), None)
        return RecordType(
            self.table,
            tuple(f.name for f in self.fields if f.type not in (MAP, TREE)),
            maps=tuple(f.name for f in self.fields if f.type == MAP),
            tree=tree,
            json_columns=tuple(f.name for f in self.fields if f.type == JSON),
            automatic=tuple(f.name for f in self.fields if f.automatic),
            append_only=self.append_only)

    @cached_property
    def typed(self) -> dict[str, "Field"]:
        """{name: field} of the fields whose values another laptop's change must match
        (:func:`wrong_type`): every plain column (maps and answers hold any value)."""
        return {f.name: f for f in self.fields if f.type not in (MAP, TREE)}

    @cached_property
    def author_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.author)

    @cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @cached_property
    def secret(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.secret)

    @cached_property
    def personal(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.personal)

    @cached_property
    def references(self) -> tuple[tuple[str, Ref], ...]:
        """(field, reference) of every field that holds another record's id."""
        return tuple((f.name, f.ref) for f in self.fields if f.ref is not None)

    @cached_property
    def scope_ref(self) -> tuple[str, Ref] | None:
        """The reference this record's place (village, commune) comes through, if any."""
        return next(((n, r) for n, r in self.references if r.scope), None)

    @cached_property
    def village_field(self) -> str | None:
        return next((f.name for f in self.fields if f.village), None)

    @cached_property
    def commune_field(self) -> str | None:
        return next((f.name for f in self.fields if f.commune), None)

    @cached_property
    def device_field(self) -> str | None:
        return next((f.name for f in self.fields if f.device), None)

    @cached_property
    def place_fields(self) -> tuple[str, ...]:
        """The fields whose change moves the record elsewhere (into or out of a village)."""
        return tuple(n for n in (self.scope_ref[0] if self.scope_ref else None,
                                 self.village_field, self.commune_field) if n)

    @cached_property
    def search_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.search is not None)

    @property
    def has_answers(self) -> bool:
        return self.record_type.tree == ANSWERS

    def may(self, role: str, action: str, capabilities: frozenset[str] = frozenset()) -> bool:
        """Whether any grant lets ``role`` do ``action`` (ignoring villages and conditions;
        what any registered laptop may do, every role may); a grant that needs a capability
        counts only when ``capabilities`` holds it."""
        return any(g.role in (role, DEVICE) and action in g.actions
                   and (g.needs is None or g.needs in capabilities) for g in self.grants)

    def roles_for(self, action: str) -> tuple[tuple[str, str | None], ...]:
        """(role, capability needed or None) of every grant of ``action``."""
        return tuple(dict.fromkeys((g.role, g.needs) for g in self.grants
                                   if action in g.actions))


MAX_TEXT = 65_536
"""The longest text a plain field takes from another laptop (a name is under a hundred
characters, a note a few thousand): a household named with 10 MB of text made its report run
for minutes, and every list that shows it."""


def wrong_type(field: Field, value: Any) -> bool:
    """Whether ``value`` (as a change carries it) cannot be a value of ``field``.

    Text fields take numbers too, integer fields text (a survey's answer that is not a
    number, fieldapp.services.surveys.registry_row): what a laptop's own writes give; but a
    name (searched, folded) and a reference (an id) are text. File contents belong to bytes
    fields only, JSON fields hold JSON text (read back with json.loads wherever they are
    shown). No text is longer than :data:`MAX_TEXT`."""
    if value is None:
        return False
    kind = value.__class__
    if kind is str and len(value) > MAX_TEXT:
        return True
    field_type = field.type
    if field_type == TEXT:
        if field.search is not None or field.ref is not None:
            return kind is not str
        return kind not in (str, int, float)
    if field_type == INTEGER:
        return kind not in (int, str)
    if field_type == REAL:
        return kind not in (int, float)
    if field_type == BYTES:
        return kind is not bytes
    if field_type == JSON:
        if kind is not str:
            return True
        import json

        try:
            json.loads(value)
        except ValueError:
            return True
    return False
