"""Who wrote each received change and where its record is, as this laptop knows it: the
inputs of fieldapp.core.authority.may_write, read from the change log.

- **Authors.** A change's stamp names the laptop that made it. This laptop trusts the laptops
  it exchanges packages with directly (its commune's laptop, its province, at a province the
  commune laptops it registered: local ``sync_peers``); every other laptop is known from the
  synced ``devices`` records the commune keeps (registered, which team member uses it, retired
  or not), and its team member from the ``users`` records (role, village, retired or not),
  each *as of the change's stamp*: what the history of those records says at that moment.
- **Places.** A record's village (and commune) as of the stamp, through its declared village
  field or scope reference (fieldapp.core.kinds), from its history.
- **Relays.** A member laptop's package carries only its own changes; a hub's (the commune's,
  at a province a commune laptop's) carries its laptops' changes too, each checked for its
  original author, who must belong to the relaying commune.
- **Shared kinds** (label pack entries, fieldapp.core.kinds.Scope.SHARED) also travel from the
  province to its other communes and on to their laptops: a change made on a laptop that is in
  no register this laptop holds (another commune's) is taken on the word of the hub that
  relays it, judged with that hub's own authority (the province checked it against its
  commune's register when it came in). A laptop this commune registered is always judged as
  itself: a retired one is not vouched for.

The histories are read once per record and import, and follow the changes accepted so far in
the same import (a device registered and its first records in one return package).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldapp.core.authority import (
    UNKNOWN, Author, Target, action_of, may_write, registration_id)
from fieldapp.core.changes import Group, as_groups
from fieldapp.core.clock import Stamp
from fieldapp.core.kinds import (
    BY_TABLE, CHANGE, CREATE, MEMBER, PROVINCE, STAFF, Kind, Scope, capabilities)
from fieldapp.i18n.catalog import _

if TYPE_CHECKING:
    from fieldapp.storage.store import Store

HUB, PROVINCE_ROLE, MEMBER_DEVICE = "hub", "province", "member"
"""Roles of a laptop in a ``devices`` record."""
_AUTHOR_FIELDS = {"devices": ("role", "commune_id", "user_id", "deleted"),
                  "users": ("role", "village_id", "deleted", *capabilities())}
_MISSING = object()


@dataclass(frozen=True)
class Refusal:
    """A received change (one record, one stamp) that was not applied, and why."""

    table: str
    record: str
    stamp: Stamp
    fields: tuple[str, ...]
    reason: str


class Timelines:
    """The values some fields of some records took over time (sorted by stamp)."""

    def __init__(self, store: "Store", tracked: dict[str, tuple[str, ...]]):
        self.store = store
        self.tracked = tracked
        self._lines: dict[str, dict[str, list[tuple[Stamp, Any]]]] = {}
        self._first: dict[str, Stamp] = {}

    def _load(self, table: str, record: str) -> dict[str, list[tuple[Stamp, Any]]]:
        lines = self._lines.get(record)
        if lines is not None:
            return lines
        lines = self._lines[record] = {}
        wanted = self.tracked.get(table, ())
        rec = self.store.log.rec(record)
        if rec is not None:
            for change in self.store.log.changes_of(rec, table, record):
                first = self._first.get(record)
                if first is None or change.stamp < first:
                    self._first[record] = change.stamp
                if change.field in wanted:
                    lines.setdefault(change.field, []).append((change.stamp, change.value))
            for line in lines.values():
                line.sort(key=lambda item: item[0])
        return lines

    def known(self, table: str, record: str) -> bool:
        self._load(table, record)
        return record in self._first

    def first(self, table: str, record: str) -> Stamp | None:
        self._load(table, record)
        return self._first.get(record)

    def value(self, table: str, record: str, field: str, stamp: Stamp, *,
              strictly: bool = False) -> Any:
        """The field's value at ``stamp`` (the change with the highest stamp not after it;
        ``strictly``: before it), or _MISSING when it had none."""
        line = self._load(table, record).get(field)
        if not line:
            return _MISSING
        position = bisect.bisect_left(line, stamp, key=lambda item: item[0]) if strictly \
            else bisect.bisect_right(line, stamp, key=lambda item: item[0])
        return line[position - 1][1] if position else _MISSING

    def forget(self, record: str) -> None:
        """Read the record's history again when next asked (it changed in the log)."""
        self._lines.pop(record, None)
        self._first.pop(record, None)

    def points(self, table: str, record: str) -> list[Stamp]:
        return [s for line in self._load(table, record).values() for s, _v in line]

    def note(self, group: Group, new: bool) -> None:
        """Follow a group accepted in this import (``new``: the record was not here)."""
        wanted = self.tracked.get(group.table)
        if not wanted:
            return
        if new and group.record not in self._lines:
            self._lines[group.record] = {}
        lines = self._load(group.table, group.record)
        first = self._first.get(group.record)
        if first is None or group.stamp < first:
            self._first[group.record] = group.stamp
        creation = group.creation
        # A record's first values: the few tracked fields looked up, not every field walked
        # (a survey's first values are a hundred answers).
        items = group.items if creation is None else \
            [(f, creation[f], None, ()) for f in wanted if f in creation]
        for field, value, _prev, _merges in items:
            if field in wanted:
                line = lines.get(field)
                if line is None:
                    lines[field] = [(group.stamp, value)]
                elif group.stamp >= line[-1][0]:  # the usual order: later changes later
                    line.append((group.stamp, value))
                else:
                    bisect.insort(line, (group.stamp, value), key=lambda item: item[0])


def _place_fields() -> dict[str, tuple[str, ...]]:
    out = {}
    for k in BY_TABLE.values():
        fields = tuple(dict.fromkeys(k.place_fields + ((k.commune_field,) if k.commune_field
                                                       else ())))
        if fields:
            out[k.table] = fields
    for table, fields in _AUTHOR_FIELDS.items():
        out[table] = tuple(dict.fromkeys(out.get(table, ()) + fields))
    return out


class ImportAuthority:
    """Checks the changes of one package against their authors' authority here.

    ``signer``: the laptop that signed the package; ``relays``: whether it is a hub that
    carries other laptops' changes (then ``relay_commune``, at a province, is the commune
    whose laptops it may relay).
    """

    def __init__(self, store: "Store", signer: str, *, relays: bool,
                 relay_commune: str | None = None, own: bool = False):
        self.store = store
        self.own = own
        """Checking this laptop's own changes (:func:`withdraw_refused_own`)."""
        self.signer = signer
        self.relays = relays
        self.relay_commune = relay_commune
        self.register = relay_commune or store.meta("commune_id") or ""
        """The commune whose register of laptops names the authors (at a province, the
        commune whose laptop relays them)."""
        self.lines = Timelines(store, _place_fields())
        self.roots = self._roots()
        self._authors: dict[tuple[str, int], Author] = {}
        self._points: dict[str, list[Stamp]] = {}
        self._communes: dict[str, str | None] = {}
        self._answers: dict[tuple, str | None] = {}
        self.refused: list[Refusal] = []

    # -- trust roots --------------------------------------------------------------------------
    def _roots(self) -> dict[str, Author]:
        """The laptops this one registered or joined (local, not synced)."""
        store = self.store
        commune = store.meta("commune_id")
        roots: dict[str, Author] = {}
        for peer in store.query("select device, kind, hub_id, commune_id, active "
                                "from sync_peers"):
            problem = None if peer["active"] else _("This laptop was retired.")
            if peer["kind"] == "hub":
                role = STAFF if peer["hub_id"] == commune else PROVINCE
                roots[peer["device"]] = Author(peer["device"], role, commune=peer["hub_id"],
                                               problem=problem)
            elif peer["commune_id"]:  # a commune laptop registered at this province
                roots[peer["device"]] = Author(peer["device"], STAFF,
                                               commune=peer["commune_id"], problem=problem)
            # A member laptop: its registration's history says what it could write when.
        return roots

    # -- authors ------------------------------------------------------------------------------
    def author(self, device: str, stamp: Stamp) -> Author:
        if device == self.store.device_id and not self.own:
            return Author(device, problem=_(
                "It names this laptop as its author, but this laptop never made it."))
        root = self.roots.get(device)
        if root is not None:
            return root
        points = self._points.get(device)
        if points is None:
            points = self._points[device] = self._change_points(device)
        key = (device, bisect.bisect_right(points, stamp))
        author = self._authors.get(key)
        if author is None:
            author = self._authors[key] = self._author_at(device, stamp)
        return author

    def _change_points(self, device: str) -> list[Stamp]:
        record = registration_id(self.register, device)
        points = self.lines.points("devices", record)
        users = {v for _s, v in self.lines._load("devices", record).get("user_id", [])}
        for user in users:
            if user:
                points += self.lines.points("users", user)
        first = self.lines.first("devices", record)
        return sorted(set(points + ([first] if first else [])))

    def _author_at(self, device: str, stamp: Stamp) -> Author:
        lines = self.lines
        record = registration_id(self.register, device)
        first = lines.first("devices", record)
        if first is None:
            return Author(device, foreign=True, problem=_(
                "It comes from a laptop this commune never registered."))
        # A device record written after the device's first changes (by the migration that
        # introduced devices records) speaks for them too.
        at = stamp if stamp >= first else first

        def dev(field: str) -> Any:
            value = lines.value("devices", record, field, at)
            return None if value is _MISSING else value

        if dev("deleted") in (1, "1"):
            return Author(device, problem=_("It was made on a laptop after the laptop was "
                                            "retired."))
        role, commune = dev("role"), dev("commune_id")
        if role == HUB:
            return Author(device, STAFF, commune=commune)
        if role == PROVINCE_ROLE:
            return Author(device, PROVINCE, commune=commune)
        user = dev("user_id")
        if not user:
            return Author(device, commune=commune, problem=_(
                "It was made on a laptop with no team member assigned to it."))

        def usr(field: str) -> Any:
            value = lines.value("users", user, field, stamp)
            return None if value is _MISSING else value

        user_role = usr("role")
        if user_role is None:
            return Author(device, commune=commune, user=user, problem=_(
                "It was made before its team member was registered."))
        if usr("deleted") in (1, "1"):
            return Author(device, commune=commune, user=user, problem=_(
                "It was made after its team member was retired."))
        village = usr("village_id")
        allowed = frozenset(c for c in capabilities() if usr(c) not in (None, 0, "0", ""))
        return Author(device, user_role, frozenset({village} if village else ()),
                      commune=commune, user=user, capabilities=allowed)

    # -- places -------------------------------------------------------------------------------
    def place(self, kind: Kind, record: str, stamp: Stamp, own: dict[str, Any] | None,
              *, before: bool = False, depth: int = 0) -> str | None:
        """The record's village at ``stamp`` (``before``: just before it; ``own``: the values
        its change sets, which win over its history); None: no village (the commune's);
        UNKNOWN: this laptop cannot tell (the record, or the one it belongs to, is not here)."""
        if depth > 8:
            return UNKNOWN
        own = own or {}
        scope = kind.scope_ref
        if scope is not None:
            parent = self._field(kind, record, scope[0], stamp, own, before)
            if parent is _MISSING and not kind.village_field:
                return UNKNOWN
            if parent not in (None, _MISSING):
                return self.place(BY_TABLE[scope[1].kind], parent, stamp, None,
                                  depth=depth + 1)
        if kind.village_field:
            village = self._field(kind, record, kind.village_field, stamp, own, before)
            return UNKNOWN if village is _MISSING else village
        return None

    def _field(self, kind: Kind, record: str, field: str, stamp: Stamp,
               own: dict[str, Any], before: bool) -> Any:
        """A field's value at ``stamp``: None when the record is here without one, _MISSING
        when the record is not here."""
        if field in own:
            return own[field]
        value = self.lines.value(kind.table, record, field, stamp, strictly=before)
        if value is _MISSING and self.lines.known(kind.table, record):
            return None
        return value

    def commune_of(self, kind: Kind, record: str, stamp: Stamp, own: dict[str, Any]
                   ) -> str | None:
        if kind.table == "communes":
            return record
        if kind.commune_field:
            value = self._field(kind, record, kind.commune_field, stamp, own, False)
            return None if value is _MISSING else value
        if kind.scope is not Scope.VILLAGE and kind.scope_ref is None:
            return None
        if kind.scope_ref is not None and not kind.village_field:
            parent = self._field(kind, record, kind.scope_ref[0], stamp, own, False)
            if parent is None or parent is _MISSING:
                return None
            return self.commune_of(BY_TABLE[kind.scope_ref[1].kind], parent, stamp, {})
        village = self.place(kind, record, stamp, own)
        if village in (None, UNKNOWN):
            return None
        if village not in self._communes:
            self._communes[village] = self.store.scalar(
                "select commune_id from villages where id = ?", [village])
        return self._communes[village]

    # -- checking -----------------------------------------------------------------------------
    def check(self, group: Group, known: bool) -> str | None:
        """None when the group may be applied; else why not (also kept in :attr:`refused`).
        ``known``: whether this laptop holds the record already."""
        device = group.stamp.device
        reason = None
        if not self.relays and device != self.signer:
            reason = _("It names another laptop than the one that signed the package.")
        if reason is None:
            author = self.author(device, group.stamp)
            if author.foreign and self.relays and self.signer in self.roots \
                    and BY_TABLE[group.table].scope is Scope.SHARED:
                author = self.roots[self.signer]  # the relaying hub answers for it
            if self.relay_commune is not None and author.problem is None \
                    and author.commune != self.relay_commune:
                reason = _("It comes from a laptop of another commune than the one that sent "
                           "the package.")
            else:
                reason = self._may(group, author, known)
        if reason is not None:
            self.refused.append(Refusal(group.table, group.record, group.stamp,
                                        tuple(f for f, *_r in group.items), reason))
        return reason

    def _may(self, group: Group, author: Author, known: bool) -> str | None:
        if author.problem:
            return author.problem
        kind = BY_TABLE[group.table]
        creation = group.creation is not None and not known
        own = group.creation if group.creation is not None else {
            f: v for f, v, _p, _m in group.items}
        action = action_of(own, creation, kind)
        if kind.secret and not kind.secret.isdisjoint(own):
            return may_write(kind, Target(action, tuple(own)), author)
        if author.user is not None and any(own.get(f) not in (None, author.user)
                                           for f in kind.author_fields):
            return _("It names another team member than the one who uses the laptop that "
                     "made it.")
        survivor = own.get(kind.merged_into) if kind.merged_into else None
        if survivor and survivor != group.record:
            problem = self._may_merge_into(kind, survivor, group.stamp, author)
            if problem is not None:
                return problem
        before = after = None
        if author.role == MEMBER and kind.scope is Scope.VILLAGE:
            if action != CREATE:
                before = self.place(kind, group.record, group.stamp, None, before=True)
            moved = action == CREATE or any(f in own for f in kind.place_fields)
            after = self.place(kind, group.record, group.stamp, own) if moved else before
        commune = None
        if author.role == STAFF and author.commune is not None:
            commune = self.commune_of(kind, group.record, group.stamp, own)
        if kind.valid is not None or any(g.when is not None and g.role == author.role
                                         for g in kind.grants):
            row = self.store.record(kind.table, group.record)
            values = {**(row or {}), **own}
            return may_write(kind, Target(action, tuple(own), values, before, after, commune),
                             author)
        # The same author doing the same to the same place: one answer (a package holds
        # thousands of records made by one member in one village).
        key = (kind.table, action, before, after, commune, author)
        reason = self._answers.get(key, _MISSING)
        if reason is _MISSING:
            reason = self._answers[key] = may_write(
                kind, Target(action, (), {}, before, after, commune), author)
        return reason

    def _may_merge_into(self, kind: Kind, survivor: str, stamp: Stamp, author: Author
                        ) -> str | None:
        """Merging a record into ``survivor`` changes the survivor (it shows the merged
        record's values and every later edit of it: fieldapp.storage.merges), so its author
        must be one who may change the survivor: a member only within their villages."""
        place = commune = None
        if author.role == MEMBER and kind.scope is Scope.VILLAGE:
            place = self.place(kind, survivor, stamp, None)
        if author.role == STAFF and author.commune is not None:
            commune = self.commune_of(kind, survivor, stamp, {})
        return may_write(kind, Target(CHANGE, (kind.merged_into,), {}, place, place, commune),
                         author)

    def accepted(self, group: Group, new: bool) -> None:
        """A group was applied: later groups of this import see it."""
        self.lines.note(group, new)
        if group.table in _AUTHOR_FIELDS:
            self._authors.clear()
            self._points.clear()
            self._answers.clear()
        if group.table == "villages":
            self._communes.pop(group.record, None)

    def summary(self) -> list[tuple[str, str]]:
        """(what, why) of every refused change, for the import report and log."""
        return [(f"{_(BY_TABLE[r.table].label)} {r.record[:8]} ({', '.join(r.fields)})",
                 r.reason) for r in self.refused]


def withdraw_refused_own(store: "Store", start: int, end: int) -> list[Refusal]:
    """A member laptop's own changes (log sequence numbers after ``start``, up to ``end``,
    which its commune has acknowledged) that the commune refused, found the way it found them
    (the same rules, the same history of registrations, roles and villages, which the return
    package brought), and withdrawn here: the laptop then holds what the commune holds. A
    change made after the member was moved to another village, or after the laptop was
    retired, goes; a record it created stays only if its creation was allowed."""
    from fieldapp.storage.scope import without_secrets

    site = store.log.site_of(store.device_id)
    if site is None or end <= start:
        return []
    check = ImportAuthority(store, store.device_id, relays=False, own=True)
    # What the laptop sent (secret fields never leave it, so the commune never judged them).
    groups = list(as_groups(c for _seq, c in without_secrets(store.log.since(
        start, where="c.site = ? and c.seq <= ?", params=[site, end]))))
    for group in groups:
        first = check.lines.first(group.table, group.record)
        known = first is not None and first < group.stamp
        if check.check(group, known) is None:
            check.accepted(group, not known)
            continue
        store.writer.withdraw(group.table, group.record, group.stamp)
        check.lines.forget(group.record)
    return check.refused
