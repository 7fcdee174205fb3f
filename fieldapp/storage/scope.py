"""Which records a laptop receives, from the kinds' declared scopes (fieldapp.core.kinds).

- A member laptop sends its commune its own changes; a commune laptop sends its province
  everything. Secret fields (PIN hashes) never leave a laptop.
- A commune's return package to a member laptop (:class:`Reach`) carries every commune-wide
  record, the records of the member's village (a record is where its declared village field or
  scope reference puts it), the records addressed to that laptop, and never the upward-only
  ones (the audit log). A record that came into the village since the laptop's last
  acknowledgement (a household moved there, a person moved into one of its households) comes
  with its whole history; so does everything when the laptop's own scope changed (its team
  member's village, or a member assigned to a laptop that had none).
- A province's return package to a commune laptop carries what the province writes
  (administrative units, devices, erasures), of that commune where the kind has a commune,
  and the records every commune shares (label pack entries, from any commune).
- A member laptop drops what left its scope (:func:`evict`): a household moved to another
  village is no longer on the old village's laptops (it is not erased: the commune keeps it).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fieldapp.core.authority import registration_id
from fieldapp.core.changes import Change
from fieldapp.core.kinds import BY_TABLE, KINDS, MEMBER, PROVINCE, Kind, Scope

if TYPE_CHECKING:
    from fieldapp.storage.store import Store

_CHUNK = 500


@dataclass(frozen=True)
class Reach:
    """What a return package may carry to one laptop."""

    device: str
    villages: frozenset[str] | None
    """The villages it receives (None: all of them)."""
    commune: str | None = None
    """A commune laptop at its province: that commune's records only."""


def registration(store: "Store", device: str) -> str:
    """The id of the record that registers ``device`` in this laptop's commune."""
    return registration_id(store.meta("commune_id") or "", device)


def reach_of(store: "Store", device: str) -> frozenset[str] | None:
    """The villages a laptop receives: its team member's village for a member, every village
    for commune staff and trainers, none for a laptop with no (live) team member assigned."""
    row = store.query("select user_id, deleted from devices where id = ?",
                      [registration(store, device)])
    if not row:
        return frozenset()
    user = store.query("select role, village_id, deleted from users where id = ?",
                       [row[0]["user_id"]]) if row[0]["user_id"] else []
    if not user or user[0]["deleted"] or row[0]["deleted"]:
        return frozenset()
    if user[0]["role"] == MEMBER:
        return frozenset({user[0]["village_id"]} if user[0]["village_id"] else ())
    return None


def own_reach(store: "Store") -> frozenset[str] | None:
    """The villages this laptop receives, as its commune's register says; None when it
    receives every village or is not in the register yet (then it keeps what it holds)."""
    if not store.scalar("select 1 from devices where id = ?",
                        [registration(store, store.device_id)]):
        return None
    return reach_of(store, store.device_id)


# -- SQL of places --------------------------------------------------------------------------

def _marks(values: list[Any]) -> str:
    return ", ".join("?" for _ in values) or "null"


def place_sql(kind: Kind, alias: str, villages: list[str], depth: int = 0
              ) -> tuple[str, list[Any]]:
    """A condition on rows ``alias`` of ``kind``: the record is in one of ``villages`` (or in
    none: the commune's own, like a class of no village)."""
    parts, params = [], []
    scope = kind.scope_ref
    if scope is not None:
        field, ref = scope
        parent = BY_TABLE[ref.kind]
        inner = f"p{depth}"
        sql, inner_params = place_sql(parent, inner, villages, depth + 1)
        parts.append(f"{alias}.[{field}] in (select {inner}.id from [{parent.table}] {inner} "
                     f"where {sql})")
        params += inner_params
    if kind.village_field:
        own = f"{alias}.[{kind.village_field}] in ({_marks(villages)})"
        if not kind.by_name[kind.village_field].required:
            own = f"({own} or {alias}.[{kind.village_field}] is null)"
        if scope is not None:
            own = f"({alias}.[{scope[0]}] is null and {own})"
        parts.append(own)
        params += villages
    return "(" + " or ".join(parts) + ")", params


def commune_sql(kind: Kind, alias: str, commune: str, depth: int = 0
                ) -> tuple[str, list[Any]] | None:
    """A condition on rows of ``kind``: the record belongs to ``commune``; None when the kind
    belongs to no commune in particular."""
    if kind.table == "communes":
        return f"{alias}.id = ?", [commune]
    if kind.commune_field:
        return f"{alias}.[{kind.commune_field}] = ?", [commune]
    if kind.village_field and kind.scope_ref is None:
        return (f"{alias}.[{kind.village_field}] in (select id from villages "
                "where commune_id = ?)", [commune])
    if kind.scope_ref is not None:
        field, ref = kind.scope_ref
        inner = f"q{depth}"
        found = commune_sql(BY_TABLE[ref.kind], inner, commune, depth + 1)
        if found is None:
            return None
        return (f"{alias}.[{field}] in (select {inner}.id from [{ref.kind}] {inner} "
                f"where {found[0]})", found[1])
    return None


def _kind_condition(kind: Kind, reach: Reach) -> tuple[str, list[Any]] | None:
    """Which records of ``kind`` a return package to ``reach`` carries (SQL over the records'
    ``r.rid``); None: none of them."""
    if kind.scope is Scope.UPWARD:
        return None
    table = f"r.tbl = '{kind.table}'"
    if kind.scope is Scope.SHARED:  # every laptop of every commune
        return table, []
    if reach.commune is not None:
        if not kind.may(PROVINCE, "create") and not kind.may(PROVINCE, "change"):
            return None
        found = commune_sql(kind, "t", reach.commune)
        if found is None:
            return table, []
        return f"{table} and r.rid in (select t.id from [{kind.table}] t where {found[0]})", \
            found[1]
    if kind.scope is Scope.DEVICE:
        return (f"{table} and r.rid in (select t.id from [{kind.table}] t "
                f"where t.[{kind.device_field}] = ?)", [reach.device])
    if kind.scope is Scope.COMMUNE or reach.villages is None:
        return table, []
    sql, params = place_sql(kind, "t", sorted(reach.villages))
    return f"{table} and r.rid in (select t.id from [{kind.table}] t where {sql})", params


def reach_condition(reach: Reach) -> tuple[str, list[Any]]:
    parts, params = [], []
    for kind in KINDS:
        found = _kind_condition(kind, reach)
        if found is not None:
            parts.append(f"({found[0]})")
            params += found[1]
    return " or ".join(parts) or "0", params


# -- what leaves the laptop -----------------------------------------------------------------

def without_secrets(items: Iterator[tuple[int, Change]]) -> Iterator[tuple[int, Change]]:
    secret = {k.table: k.secret for k in KINDS if k.secret}
    for seq, change in items:
        fields = secret.get(change.table)
        if fields and change.field in fields:
            continue
        yield seq, change


def outgoing(store: "Store", start: int, *, only_device: str | None = None
             ) -> Iterator[tuple[int, Change]]:
    """(seq, change) after ``start`` for a hub: this laptop's own (a member laptop), or
    everything (a commune laptop to its province); never a secret field."""
    where, params = "", []
    if only_device is not None:
        site = store.log.site_of(only_device)
        if site is None:
            return iter(())
        where, params = "c.site = ?", [site]
    return without_secrets(store.log.since(start, where=where, params=params))


def for_setup(store: "Store", user_id: str | None) -> Iterator[tuple[int, Change]]:
    """(seq, change) of a setup file: every commune-wide record, without secret fields but the
    joining team member's own (their PIN, to sign in on the new laptop)."""
    tables = [k.table for k in KINDS if k.scope in (Scope.COMMUNE, Scope.SHARED)]
    for seq, change in store.log.since(0, where=f"r.tbl in ({_marks(tables)})",
                                       params=tables):
        if change.field in BY_TABLE[change.table].secret and not (
                change.table == "users" and change.record == user_id):
            continue
        yield seq, change


def returned(store: "Store", start: int, reach: Reach) -> Iterator[tuple[int, Change]]:
    """(seq, change) for a return package: what ``reach`` receives after ``start``, the whole
    history of what came into its villages since, and everything when its own scope changed;
    never a change made by that laptop, never a secret field."""
    if start and reach.commune is None and _scope_changed(store, reach.device, start):
        start = 0
    condition, params = reach_condition(reach)
    site = store.log.site_of(reach.device)
    mine = "" if site is None else f" and c.site != {int(site)}"
    recent = store.log.since(start, where=f"({condition}){mine}", params=params)
    if not start or reach.villages is None or reach.commune is not None:
        return without_secrets(recent)
    moved = _moved(store, start)
    entered = _entered(store, moved, reach)
    left = _left(store, start, moved, reach)
    if not entered and not left:
        return without_secrets(recent)
    streams = [recent]
    if entered:
        streams.append(store.log.of_recs(entered, before=start + 1, not_site=site))
    if left:
        fields = sorted({f for k in KINDS for f in k.place_fields})
        streams.append(store.log.since(
            start, where=f"c.rec in ({_marks(left)}) and c.fid in (select fid from sync_fields "
            f"where name in ({_marks(fields)})){mine}", params=[*left, *fields]))
    return without_secrets(heapq.merge(*streams, key=lambda item: item[0]))


def _scope_changed(store: "Store", device: str, start: int) -> bool:
    """Whether what ``device`` receives changed after ``start``: its team member, or that
    member's role, village or retirement."""
    record = registration(store, device)
    user = store.scalar("select user_id from devices where id = ?", [record])
    records = [record] + ([user] if user else [])
    return bool(store.scalar(
        "select exists (select 1 from changes c join sync_records r on r.rec = c.rec "
        f"where c.seq > ? and r.rid in ({_marks(records)}) and c.fid in (select fid from "
        "sync_fields where name in ('user_id', 'role', 'village_id', 'deleted')))",
        [start, *records]))


def _moved(store: "Store", start: int) -> dict[str, set[str]]:
    """{table: ids} of the village records whose place (village, household...) changed in
    the log after ``start``."""
    fields = sorted({f for k in KINDS if k.scope is Scope.VILLAGE for f in k.place_fields})
    moved: dict[str, set[str]] = {}
    for table, rid in store.conn.execute(
            "select distinct r.tbl, r.rid from changes c join sync_records r on r.rec = c.rec "
            f"where c.seq > ? and c.fid in (select fid from sync_fields where name in "
            f"({_marks(fields)}))", [start, *fields]):
        kind = BY_TABLE.get(table)
        if kind is not None and kind.scope is Scope.VILLAGE:
            moved.setdefault(table, set()).add(rid)
    return moved


def _left(store: "Store", start: int, moved: dict[str, set[str]], reach: Reach) -> list[int]:
    """Records (log ordinals) that were in ``reach`` at its last acknowledgement and are not
    now: the laptop gets the change that moved them, and drops them (fieldapp.storage.scope
    .out_of_reach)."""
    villages = sorted(reach.villages or ())
    out: list[int] = []
    for table, ids in moved.items():
        kind = BY_TABLE[table]
        sql, params = place_sql(kind, "t", villages)
        for chunk in _chunks(sorted(ids)):
            inside = {r[0] for r in store.conn.execute(
                f"select t.id from [{table}] t where t.id in ({_marks(chunk)}) and {sql}",
                [*chunk, *params])}
            for rid, (rec, _table) in store.log.recs([r for r in chunk
                                                      if r not in inside]).items():
                if _was_in(store, kind, rec, rid, start, reach.villages or frozenset()):
                    out.append(rec)
    return sorted(out)


def _was_in(store: "Store", kind: Kind, rec: int, record: str, start: int,
            villages: frozenset[str]) -> bool:
    """Whether the record was in ``villages`` by its changes up to ``start``."""
    place = {f: None for f in kind.place_fields}
    stamps: dict[str, Any] = {}
    for seq, change in store.log.of_recs([rec], before=start + 1):
        if change.field in place and (change.field not in stamps
                                      or change.stamp > stamps[change.field]):
            place[change.field], stamps[change.field] = change.value, change.stamp
    if kind.scope_ref is not None and place.get(kind.scope_ref[0]):
        parent = BY_TABLE[kind.scope_ref[1].kind]
        sql, params = place_sql(parent, "t", sorted(villages))
        return bool(store.scalar(f"select 1 from [{parent.table}] t where t.id = ? and {sql}",
                                 [place[kind.scope_ref[0]], *params]))
    return bool(kind.village_field) and place.get(kind.village_field) in villages


def _entered(store: "Store", moved: dict[str, set[str]], reach: Reach) -> list[int]:
    """Records (their log ordinals) that came into ``reach`` after its last acknowledgement:
    a place field changed since and they are in its villages now, and the records that belong
    to them."""
    villages = sorted(reach.villages or ())
    found: dict[str, set[str]] = {}
    for table, ids in moved.items():
        kind = BY_TABLE[table]
        sql, params = place_sql(kind, "t", villages)
        for chunk in _chunks(sorted(ids)):
            found.setdefault(table, set()).update(r[0] for r in store.conn.execute(
                f"select t.id from [{table}] t where t.id in ({_marks(chunk)}) and {sql}",
                [*chunk, *params]))
    frontier = found
    while frontier:  # what belongs to them: persons of a household, files of a survey...
        nxt: dict[str, set[str]] = {}
        for kind in KINDS:
            if kind.scope_ref is None or kind.scope_ref[1].kind not in frontier:
                continue
            parents = sorted(frontier[kind.scope_ref[1].kind])
            for chunk in _chunks(parents):
                for (rid,) in store.conn.execute(
                        f"select id from [{kind.table}] where [{kind.scope_ref[0]}] in "
                        f"({_marks(chunk)})", chunk):
                    if rid not in found.get(kind.table, ()):
                        nxt.setdefault(kind.table, set()).add(rid)
        for table, ids in nxt.items():
            found.setdefault(table, set()).update(ids)
        frontier = nxt
    ids = [rid for ids in found.values() for rid in ids]
    return sorted(rec for rec, _table in store.log.recs(ids).values())


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


# -- dropping what left -----------------------------------------------------------------------

def out_of_reach(store: "Store", villages: frozenset[str], keep_site: int | None,
                 keep_after: int) -> dict[str, str]:
    """Records of this member laptop that are no longer in its ``villages`` ({id: table}),
    except those with changes of its own the commune has not acknowledged (``keep_site``'s
    changes after ``keep_after``): they go once the commune has them."""
    out: dict[str, str] = {}
    for kind in KINDS:
        if kind.scope is not Scope.VILLAGE:
            continue
        sql, params = place_sql(kind, "t", sorted(villages))
        keep = ""
        if keep_site is not None:
            keep = (" and not exists (select 1 from sync_records r join changes c "
                    "on c.rec = r.rec where r.rid = t.id and c.site = ? and c.seq > ?)")
            params = [*params, keep_site, keep_after]
        for (rid,) in store.conn.execute(
                f"select t.id from [{kind.table}] t where not {sql}{keep}", params):
            out[rid] = kind.table
    return out
