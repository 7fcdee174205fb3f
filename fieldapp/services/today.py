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
    indicators: list[IndicatorCount] = field(default_factory=list)
    indicators_period: str = ""
    """The period the indicators are of ("năm 2026"), or '' without any survey yet."""


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
    """Records this laptop changed that its commune has not acknowledged (all of them when
    the laptop has not joined a commune); None on the commune's own laptop."""
    from fieldapp.services.sync import identity
    from fieldapp.storage.sync_state import SyncState

    if identity.hub_id(store):
        return None, True
    hub = SyncState(store).hub()
    acked = hub["our_acked"] if hub else 0
    count = store.scalar(
        """select count(distinct c.rec) from changes c
           where c.seq > ? and c.site = (select site from sync_devices where device = ?)""",
        [acked, store.device_id])
    return count or 0, hub is not None


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
    shown, period = indicators(store, today(), village_id) if with_indicators else ([], "")
    return TodayWork(
        drafts=drafts, draft_count=draft_count, follow_ups=due[:FOLLOW_UPS_SHOWN],
        follow_up_count=len(due), households=households, never_surveyed=never,
        not_this_round=households - never - this_round, this_round=this_round,
        round_start=round_start, villages=villages, pending=pending, joined=joined,
        indicators=shown, indicators_period=period)

