"""Home: today's work. Drafts to finish, follow-ups due, households never surveyed or not
surveyed this round, records not yet sent or not yet acknowledged, counts by village, and the
key indicators of the commune's people (fieldapp.core.glance) for a small chart.

Read on the background reader: at a province's scale the indicators take a moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.glance import INDICATORS, NO, PARTLY, YES
from fieldapp.services.sessions import FOLLOW_UP_HORIZON
from fieldapp.storage.store import Store

DRAFTS_SHOWN = 8
FOLLOW_UPS_SHOWN = 8


@dataclass
class IndicatorCount:
    key: str
    title: str
    yes: int = 0
    partly: int = 0
    no: int = 0

    @property
    def known(self) -> int:
        return self.yes + self.partly + self.no

    @property
    def share(self) -> float | None:
        """Share of the persons with a known answer who are at "yes"."""
        return self.yes / self.known if self.known else None


@dataclass
class TodayWork:
    drafts: list[dict[str, Any]]
    draft_count: int
    follow_ups: list[dict[str, Any]]
    follow_up_count: int
    households: int
    never_surveyed: int
    not_this_round: int
    this_round: int
    round_start: str
    villages: list[dict[str, Any]]
    pending: int | None
    """Records of this laptop not acknowledged by its commune (None on a commune laptop)."""
    joined: bool
    """A member laptop: joined its commune; the commune's laptop: its sync identity made."""
    indicators: list[IndicatorCount] = field(default_factory=list)


def _drafts(store: Store, village_id: str | None = None,
            forms: frozenset[str] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Drafts waiting, newest first (of one village, of some forms only, when given)."""
    where, params = "s.status = 'draft' and s.deleted = 0", []
    if village_id is not None:
        where += " and coalesce(s.village_id, h.village_id) = ?"
        params.append(village_id)
    if forms is not None:
        where += f" and s.form_id in ({', '.join('?' for _ in forms)})"
        params += sorted(forms)
    joined = "submissions s left join households h on h.id = s.household_id"
    count = store.scalar(f"select count(*) from {joined} where {where}", params)
    rows = store.query(
        f"""select s.id, s.form_id, s.updated_at, h.head_name, v.name as village_name
           from {joined}
           left join villages v on v.id = coalesce(s.village_id, h.village_id)
           where {where}
           order by s.updated_at desc limit ?""", [*params, DRAFTS_SHOWN])
    return rows, count


def _villages(store: Store, round_start: str, village_id: str | None = None
              ) -> list[dict[str, Any]]:
    rows = store.query(
        """select v.id, v.name,
             (select count(*) from households h where h.village_id = v.id and h.deleted = 0)
                 as households,
             (select count(*) from persons p join households h on h.id = p.household_id
              where h.village_id = v.id and p.deleted = 0 and h.deleted = 0) as persons,
             (select count(*) from households h join household_rounds r
                on r.household_id = h.id
              where h.village_id = v.id and h.deleted = 0 and r.last_final_at >= ?)
                 as this_round,
             (select count(*) from households h where h.village_id = v.id and h.deleted = 0
              and not exists (select 1 from household_rounds r where r.household_id = h.id
                              and r.finals > 0)) as never
           from villages v where v.deleted = 0 order by v.name_sort""", [round_start])
    return [r for r in rows if village_id is None or r["id"] == village_id]


def _pending(store: Store) -> tuple[int | None, bool]:
    """(records this laptop changed that its commune has not acknowledged, joined) on a
    member laptop; (None, whether the commune's sync identity exists) on the commune's own
    laptop: the one that set the commune up, as a member laptop is always made by joining
    with a setup file."""
    from fieldapp.services.sync import identity
    from fieldapp.storage.sync_state import SyncState

    if identity.hub_id(store):
        return None, True
    hub = SyncState(store).hub()
    if hub is None:
        return None, False
    acked = hub["our_acked"]
    count = store.scalar(
        """select count(distinct c.rec) from changes c
           where c.seq > ? and c.site = (select site from sync_devices where device = ?)""",
        [acked, store.device_id])
    return count or 0, hub is not None


def indicators(store: Store) -> list[IndicatorCount]:
    """Persons at each level of the key indicators: from their household's latest finalized
    survey round, else from the registry's person properties (registries without surveys)."""
    counts = {i.key: IndicatorCount(i.key, i.title) for i in INDICATORS}
    answers = ", ".join(f"json_extract(m.value, '$.{i.answer}')" for i in INDICATORS)
    props = ", ".join(f"json_extract(p.properties, '$.{i.prop}')" for i in INDICATORS)
    rounds = store.query(
        f"""select {answers}, count(*) as n
            from household_rounds r join households h on h.id = r.household_id
            join submissions s on s.id = r.last_final_id,
                 json_each(s.answers) top, json_each(top.value) m
            where h.deleted = 0 and top.type = 'array' and m.type = 'object'
            group by 1, 2, 3, 4, 5""")
    registry = store.query(
        f"""select {props}, count(*) as n
            from persons p join households h on h.id = p.household_id
            where p.deleted = 0 and h.deleted = 0 and p.properties is not null
              and p.properties != '{{}}'
              and not exists (select 1 from household_rounds r where r.household_id = h.id
                              and r.finals > 0)
            group by 1, 2, 3, 4, 5""")
    for rows, answer in ((rounds, True), (registry, False)):
        for row in rows:
            values = list(row.values())
            n = values[-1]
            for indicator, value in zip(INDICATORS, values[:-1]):
                levels = indicator.answer_levels if answer else indicator.prop_levels
                level = levels.get(str(value) if value is not None else "")
                count = counts[indicator.key]
                if level == YES:
                    count.yes += n
                elif level == PARTLY:
                    count.partly += n
                elif level == NO:
                    count.no += n
    return list(counts.values())


def today_work(store: Store, *, today: Callable[[], dt.date] = dt.date.today,
               with_indicators: bool = True, village_id: str | None = None,
               forms: frozenset[str] | None = None) -> TodayWork:
    """What waits: for the whole commune, or for one village (a member's), or only the
    drafts of some forms and no follow-ups (a trainer's: ``forms``)."""
    from fieldapp.services.registry import Registry
    from fieldapp.services.sessions import Sessions

    registry = Registry(store, today=today)
    round_start = registry.round_start()
    drafts, draft_count = _drafts(store, village_id, forms)
    sessions = Sessions(store, lambda: None, today=today)  # no codes needed to read
    due = [] if forms is not None else [
        s for s in sessions.due(horizon=FOLLOW_UP_HORIZON)
        if village_id is None or s.get("village_id") == village_id]
    villages = _villages(store, round_start, village_id)
    households = sum(v["households"] for v in villages)
    never = sum(v["never"] for v in villages)
    this_round = sum(v["this_round"] for v in villages)
    pending, joined = _pending(store)
    return TodayWork(
        drafts=drafts, draft_count=draft_count, follow_ups=due[:FOLLOW_UPS_SHOWN],
        follow_up_count=len(due), households=households, never_surveyed=never,
        not_this_round=households - never - this_round, this_round=this_round,
        round_start=round_start, villages=villages, pending=pending, joined=joined,
        indicators=indicators(store) if with_indicators else [])

