"""What waits for a person after sync: conflicting values and probable duplicate households.

- A **conflict** is a field two laptops changed without seeing each other's edit. The newest
  value is shown meanwhile (the merge rules pick it the same way everywhere); the reviewer sees
  every value side by side with who changed it and when, and picks one. Picking is a change
  like any other: it travels to every laptop.
- **Probable duplicates** are two households in one village whose heads' names are alike and
  whose members overlap (two members surveyed the same family). The reviewer merges them (the
  absorbed household's persons and submissions move to the survivor, itself a recorded change
  that syncs; a laptop that still edits the absorbed household sees its edits land on the
  survivor) or keeps both (remembered here, so the pair is not offered again).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldapp.core.changes import MERGED_INTO, Change
from fieldapp.core.clock import iso_from_ms, utc_now_iso
from fieldapp.errors import UserError
from fieldapp.core.kinds import BY_TABLE
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import fold
from fieldapp.storage.store import Store
from fieldapp.storage.sync_state import SyncState

NAME_SIMILARITY = 0.85
MEMBER_OVERLAP = 0.5


# -- conflicts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConflictValue:
    value: Any
    stamp: str
    device: str
    device_name: str
    when: str
    winner: bool


@dataclass(frozen=True)
class Conflict:
    table: str
    record: str
    field: str
    label: str
    """The record as a person knows it (a household's head, a person's name)."""
    values: tuple[ConflictValue, ...]


def _device_names(store: Store) -> dict[str, str]:
    names = {p["device"]: p["name"] or p["device"][:8] for p in SyncState(store).peers()}
    names[store.device_id] = store.device_name
    return names


def _record_label(store: Store, table: str, record: str) -> str:
    """"Household: Lý Văn Páo": what kind of record (its declared label), and the name a
    person knows it by (its title field, else that of the record it belongs to: a survey by
    its household's head)."""
    kind = BY_TABLE.get(table)
    if kind is None:
        return record[:8]
    return _("{kind}: {name}").format(kind=_(kind.label), name=_title(store, kind, record))


def _title(store: Store, kind, record: str, depth: int = 0) -> str:
    row = store.record(kind.table, record)
    if row is not None and kind.title and row.get(kind.title):
        return row[kind.title]
    if row is not None and kind.scope_ref and row.get(kind.scope_ref[0]) and depth < 4:
        return _title(store, BY_TABLE[kind.scope_ref[1].kind], row[kind.scope_ref[0]],
                      depth + 1)
    return record[:8]


def conflicts(store: Store) -> list[Conflict]:
    names = _device_names(store)
    out = []
    for row in store.conflicts.list():
        history = store.writer.history(row["rid"])
        wanted = {row["winner"], *row["others"]}
        values = []
        for change in sorted(history, key=lambda c: c.stamp, reverse=True):
            if change.field == row["field"] and str(change.stamp) in wanted:
                values.append(_value(change, names, str(change.stamp) == row["winner"]))
            elif row["field"] == "deleted" and str(change.stamp) in wanted:
                values.append(_value(change, names, False))
        out.append(Conflict(row["tbl"], row["rid"], row["field"],
                            _record_label(store, row["tbl"], row["rid"]), tuple(values)))
    return out


def _value(change: Change, names: dict[str, str], winner: bool) -> ConflictValue:
    device = change.stamp.device
    return ConflictValue(change.value, str(change.stamp), device,
                         names.get(device, device[:8]), iso_from_ms(change.stamp.wall_ms),
                         winner)


def resolve_conflict(store: Store, table: str, record: str, field: str, stamp: str) -> None:
    """Keep the value with ``stamp`` (one of the conflict's values)."""
    if field == "deleted":
        chosen = next((c for c in store.writer.history(record) if str(c.stamp) == stamp), None)
        if chosen is None:
            raise UserError(_("That value is no longer in conflict."))
        repo = getattr(store, table)
        if chosen.field == "deleted":
            with store.transaction():
                store.writer.update(table, record, {"deleted": 1, "deleted_reason":
                                                    (repo.get(record) or {}).get(
                                                        "deleted_reason")})
        else:
            store.conflicts.resolve(table, record, "deleted", 0)
        return
    changes = [c for c in store.writer.history(record) if c.field == field]
    chosen = next((c for c in changes if str(c.stamp) == stamp), None)
    if chosen is None:
        raise UserError(_("That value is no longer in conflict."))
    store.conflicts.resolve(table, record, field, chosen.value)


# -- probable duplicate households -------------------------------------------------------------

@dataclass(frozen=True)
class DuplicatePair:
    first: dict[str, Any]
    second: dict[str, Any]
    score: float
    shared_members: int

    @property
    def key(self) -> str:
        return pair_key(self.first["id"], self.second["id"])


def pair_key(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def similarity(a: str, b: str, threshold: float = NAME_SIMILARITY) -> float:
    """1 - normalised edit distance of two names, accents folded (1.0: the same). Names whose
    lengths alone put them below ``threshold`` get that bound (below it) without the full
    distance; so do names whose distance is past it before the last row of the table."""
    a, b = fold(a), fold(b)
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    longest = max(len(a), len(b))
    allowed = (1 - threshold) * longest
    if abs(len(a) - len(b)) > allowed:
        return 1 - abs(len(a) - len(b)) / longest  # too far apart already
    # The edit distance row by row; the cheapest of the three steps picked with comparisons,
    # not min() (an import scores thousands of pairs of names). No later row is below the
    # smallest of a row: once that is past the threshold, it is the bound.
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        left = i
        for cb, diagonal, above in zip(b, previous, previous[1:]):
            cost = diagonal + (ca != cb)
            if above + 1 < cost:
                cost = above + 1
            if left + 1 < cost:
                cost = left + 1
            current.append(cost)
            left = cost
        previous = current
        least = min(current)
        if least > allowed:
            return 1 - least / longest
    return 1 - previous[-1] / longest


Members = tuple[set[tuple[str, int | None]], dict[str, list[int | None]]]
"""A household's live members as {(folded name, birth year)} and {folded name: [years]}."""


def _members(store: Store, household_id: str) -> Members:
    return members_of({(p["name_key"], p["birth_year"])
                       for p in store.persons.of_household(household_id)})


def members_of(keys: set[tuple[str, int | None]]) -> Members:
    """:data:`Members` of a household from its members' (folded name, birth year)."""
    names: dict[str, list[int | None]] = {}
    for name, year in keys:
        names.setdefault(name, []).append(year)
    return keys, names


def _shared(a: set[tuple[str, int | None]], names_b: dict[str, list[int | None]]) -> int:
    """Members of ``a`` also in ``b`` (given as {folded name: [years]}): the same folded
    name, born within a year."""
    count = 0
    for name, year in a:
        years = names_b.get(name)
        if years and any(year is None or other is None or abs(year - other) <= 1
                         for other in years):
            count += 1
    return count


def _overlap(m1: Members, m2: Members) -> int | None:
    """Members of the first household also in the second, or None when too few of the
    smaller household's are (below :data:`MEMBER_OVERLAP`)."""
    smaller = min(len(m1[0]), len(m2[0]))
    if smaller > 1 and m1[1].keys().isdisjoint(m2[1]):
        return None  # nobody shared, told by one set operation: 0 < MEMBER_OVERLAP
    shared = _shared(m1[0], m2[1])
    if smaller > 1 and shared / smaller < MEMBER_OVERLAP:
        return None
    return shared


def _compare(store: Store, h1: dict[str, Any], h2: dict[str, Any], cache: dict
             ) -> DuplicatePair | None:
    # Members first: comparing two sets is cheaper than the names' edit distance, and most
    # households of one village that share a given name share no member.
    m1 = cache.get(h1["id"])
    if m1 is None:
        m1 = cache[h1["id"]] = _members(store, h1["id"])
    m2 = cache.get(h2["id"])
    if m2 is None:
        m2 = cache[h2["id"]] = _members(store, h2["id"])
    shared = _overlap(m1, m2)
    if shared is None:
        return None
    score = similarity(h1["head_name"], h2["head_name"])
    if score < NAME_SIMILARITY:
        return None
    first, second = sorted((h1, h2), key=lambda h: h["id"])
    return DuplicatePair(store.households.get(first["id"]), store.households.get(second["id"]),
                         score, shared)


def _blocks(key: str) -> tuple[str, ...]:
    """Keys under which alike names meet: the given name (the last word, accents folded).
    Two members who survey one family write the head's given name alike; a difference in
    the family or middle name is then found by the similarity of the whole names."""
    words = (key or "").split()
    return (words[-1] if words else "",)


def _pairs_in(store: Store, rows: list[dict[str, Any]], wanted: set[str] | None,
              decided: dict[str, str], cache: dict) -> dict[str, DuplicatePair]:
    """Pairs among ``rows`` (one village) that involve ``wanted`` (None: any household)."""
    blocks: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        for block in _blocks(row["head_name_key"]):
            blocks.setdefault(block, []).append(row)
    found: dict[str, DuplicatePair] = {}
    for group in blocks.values():
        for i, h1 in enumerate(group):
            # With ``wanted``, only pairs that involve one of them: each wanted household
            # against its block, not every pair of a large village.
            others = group if wanted is not None else group[i + 1:]
            if wanted is not None and h1["id"] not in wanted:
                continue
            for h2 in others:
                if h2["id"] == h1["id"]:
                    continue
                key = pair_key(h1["id"], h2["id"])
                if key in found or key in decided:
                    continue
                pair = _compare(store, h1, h2, cache)
                if pair is not None:
                    found[key] = pair
    return found


def duplicates_among(store: Store, household_ids: set[str]) -> list[DuplicatePair]:
    """Probable duplicates that involve one of these households (not decided yet)."""
    decided = SyncState(store).duplicate_decisions()
    wanted = set(household_ids)
    villages = {r["village_id"] for r in store.households.villages_of(wanted)}
    found: dict[str, DuplicatePair] = {}
    cache: dict = {}
    for village in sorted(villages):
        rows = store.households.heads_in(village)
        # Every member of the village's households in one query (an import touches hundreds
        # of households of a village: one query each cost a fifth of importing).
        members = store.persons.keys_by_household(village)
        cache.update((row["id"], members_of(members.get(row["id"], set()))) for row in rows)
        found.update(_pairs_in(store, rows, wanted, decided, cache))
    return sorted(found.values(), key=lambda p: p.key)


def probable_duplicates(store: Store) -> list[DuplicatePair]:
    """Every probable duplicate pair of the commune not decided yet, village by village."""
    decided = SyncState(store).duplicate_decisions()
    found: dict[str, DuplicatePair] = {}
    cache: dict = {}
    for village in store.villages.list():
        rows = store.households.heads_in(village["id"])
        members = store.persons.keys_by_household(village["id"])
        cache.update((row["id"], members_of(members.get(row["id"], set()))) for row in rows)
        found.update(_pairs_in(store, rows, None, decided, cache))
    return sorted(found.values(), key=lambda p: p.key)


def keep_both(store: Store, first: str, second: str) -> None:
    SyncState(store).decide_duplicate(pair_key(first, second), "keep_both",
                                      store.user_id, utc_now_iso())


def merge_households(store: Store, survivor: str, absorbed: str) -> None:
    """Merge ``absorbed`` into ``survivor``, as recorded changes (they sync).

    The survivor keeps its values and takes the absorbed household's where it has none; the
    absorbed household's persons and submissions move to the survivor; the absorbed household
    is tombstoned with ``merged_into`` pointing at the survivor. Members that appear in both
    stay two person records (they may be two people; the survivor's page lists them).
    """
    if survivor == absorbed:
        raise UserError(_("A household cannot be merged into itself."))
    keep = store.households.get(survivor)
    gone = store.households.get(absorbed)
    if keep is None or gone is None or keep["deleted"] or gone["deleted"]:
        raise UserError(_("Both households must exist and not be deleted to merge them."))
    import json

    with store.transaction():
        filled = {c: gone[c] for c in ("ethnicity", "poor_status", "phone", "last_verified")
                  if not keep.get(c) and gone.get(c)}
        props = {**json.loads(gone["properties"] or "{}"), **json.loads(keep["properties"] or "{}")}
        store.households.update(survivor, {**filled, "properties": props})
        for table in ("persons", "submissions"):
            repo = getattr(store, table)
            for record in repo.ids_where("household_id", absorbed):
                repo.update(record, {"household_id": survivor})
        store.households.update(absorbed, {MERGED_INTO: survivor, "deleted": 1,
                                           "deleted_reason": "merged"})
        SyncState(store).decide_duplicate(pair_key(survivor, absorbed), "merged",
                                          store.user_id, utc_now_iso())


__all__ = ["Conflict", "ConflictValue", "DuplicatePair", "conflicts",
           "duplicates_among", "keep_both", "merge_households", "probable_duplicates",
           "resolve_conflict", "similarity"]
