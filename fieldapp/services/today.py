"""Home: today's work. Drafts to finish, follow-ups due, households never surveyed or not
surveyed this round, records not yet sent or not yet acknowledged, counts by village, and the
key indicators of the survey for a small chart: the same computation as the commune report
(fieldapp.services.indicators.indicator_figures), for this year (or last year when this year
has no interview yet), small cells not shown. A person's latest known status (a survey answer
or a session's outcome, fieldapp.core.glance) is the household page's, never mixed into these
estimates.

Read on the background reader: at a province's scale the indicators take a moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldapp.services.sessions import FOLLOW_UP_HORIZON
from fieldapp.storage import overview
from fieldapp.storage.store import Store

DRAFTS_SHOWN = 8
FOLLOW_UPS_SHOWN = 8


@dataclass
class IndicatorCount:
    """A key indicator of the survey as Home's chart shows it."""

    key: str
    title: str
    n: int = 0
    denominator: int = 0
    shown: bool = False
    """False for a small cell (its share is not shown) or without anyone asked."""
    text: str = ""
    """The share with its counts, rounded ("66% (149/227)"; "–" for a small cell, "—"
    without data)."""
    figure: str = ""
    """The share beside its counts, as the report prints it."""

    @property
    def share(self) -> float | None:
        return self.n / self.denominator if self.shown and self.denominator else None


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
    indicators_period: str = ""
    """The period the indicators are of ("năm 2026"), or '' without any survey yet."""


def _villages(store: Store, round_start: str, village_id: str | None = None
              ) -> list[dict[str, Any]]:
    rows = overview.village_counts(store, round_start)
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
    state = SyncState(store)
    hub = state.hub()
    if hub is None:
        return None, False
    count = state.unacknowledged(hub["our_acked"], only_device=store.device_id, records=True)
    return count, True


def indicators(store: Store, today: dt.date,
               village_id: str | None = None) -> tuple[list[IndicatorCount], str]:
    """The key indicators of this year (or of last year while this year has no interview),
    from the one computation of the reports; and the period's name."""
    from fieldapp.reports.summary import figure
    from fieldapp.services.indicators import Period, indicator_figures, load_indicators

    indicators_ = load_indicators()
    scope = [village_id] if village_id else None
    figures = indicator_figures(store, Period.of("year", today.year), village_ids=scope,
                                indicators=indicators_, today=today)
    if not figures.households_surveyed:
        before = indicator_figures(store, Period.of("year", today.year - 1), village_ids=scope,
                                   indicators=indicators_, today=today)
        if before.households_surveyed:
            figures = before
    small = figures.small_cell
    out = [IndicatorCount(r.indicator.id, r.indicator.name, r.overall.n,
                          r.overall.denominator, r.overall.shown(small),
                          figure(r.overall, small, 0), figure(r.overall, small))
           for r in figures.results if r.indicator.key and r.indicator.group == "indicator"]
    return out, figures.period.label() if figures.households_surveyed else ""


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
    shown, period = indicators(store, today(), village_id) if with_indicators else ([], "")
    return TodayWork(
        drafts=drafts, draft_count=draft_count, follow_ups=due[:FOLLOW_UPS_SHOWN],
        follow_up_count=len(due), households=households, never_surveyed=never,
        not_this_round=households - never - this_round, this_round=this_round,
        round_start=round_start, villages=villages, pending=pending, joined=joined,
        indicators=shown, indicators_period=period)

