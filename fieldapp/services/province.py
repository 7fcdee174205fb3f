"""The province's report: the key indicators of every commune it holds, one row per commune,
from the same computation as each commune's own report
(:func:`fieldapp.services.indicators.indicator_figures` over the commune's villages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fieldapp.i18n.text import sort_key
from fieldapp.reports.province_report import CommuneRow, ProvinceData
from fieldapp.services.indicators import (
    Period, default_period, indicator_figures, load_indicators)
from fieldapp.storage.store import Store


def gather_province(store: Store, *, period: Period | None = None,
                    today: dt.date | None = None,
                    progress: Callable[[int, int], None] = lambda d, t: None,
                    cancelled: Callable[[], bool] = lambda: False) -> ProvinceData:
    """Every commune of this database with households, for a fixed ``period`` (default: this
    year) and the one before."""
    today = today or dt.date.today()
    if period is None or period.key is None:
        period = default_period(today)
    indicators = load_indicators()
    own = store.commune() or {}
    registry = store.indicator_sums.registry_households()
    rows = []
    first = True
    for commune in store.indicator_sums.communes():
        villages = commune["villages"]
        if not sum(registry.get(v, 0) for v in villages):
            continue  # the province office's own entry, or a commune without households
        current = indicator_figures(store, period, village_ids=villages, indicators=indicators,
                                    today=today, registry=registry, progress=progress if first
                                    else (lambda d, t: None), cancelled=cancelled)
        first = False
        previous = indicator_figures(store, period.previous(), village_ids=villages,
                                     indicators=indicators, today=today, registry=registry)
        rows.append(CommuneRow(commune["name"], current, previous))
    rows.sort(key=lambda r: sort_key(r.name))
    user = store.users.get(store.meta("current_user_id") or "")
    return ProvinceData(own.get("name", ""), own.get("province", "") or "", today,
                        user["name"] if user else "", period, period.previous(), rows,
                        indicators.small_cell)
