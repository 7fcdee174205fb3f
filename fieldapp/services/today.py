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
from fieldapp.storage import overview
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
    indicators: list[IndicatorCount] = field(default_factory=list)


def _villages(store: Store, round_start: str, village_id: str | None = None
              ) -> list[dict[str, Any]]:
    rows = overview.village_counts(store, round_start)
    return [r for r in rows if village_id is None or r["id"] == village_id]


def _pending(store: Store) -> tuple[int | None, bool]:
    """Records this laptop changed that its commune has not acknowledged (all of them when
    the laptop has not joined a commune); None on the commune's own laptop."""
    from fieldapp.services.sync import identity
    from fieldapp.storage.sync_state import SyncState

    if identity.hub_id(store):
        return None, True
    state = SyncState(store)
    hub = state.hub()
    count = state.unacknowledged(hub["our_acked"] if hub else 0, only_device=store.device_id,
                                 records=True)
    return count, hub is not None


def indicators(store: Store) -> list[IndicatorCount]:
    """Persons at each level of the key indicators: from their household's latest finalized
    survey round, else from the registry's person properties (registries without surveys)."""
    counts = {i.key: IndicatorCount(i.key, i.title) for i in INDICATORS}
    rounds, registry = overview.indicator_answers(store, [i.answer for i in INDICATORS],
                                                  [i.prop for i in INDICATORS])
    for rows, answer in ((rounds, True), (registry, False)):
        for values in rows:
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
    drafts, draft_count = overview.drafts(store, village_id=village_id, forms=forms,
                                          limit=DRAFTS_SHOWN)
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

