"""The indicators of every commune, read back from the warehouse's views as the Python
computation gives them (fieldapp.core.tabulation.Figures), for the province's report and for
the tests that hold the two equal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldapp.core.indicators import IndicatorSet
from fieldapp.core.periods import Period
from fieldapp.core.tabulation import Figures, IndicatorResult, Tally
from fieldapp.warehouse import schema
from fieldapp.warehouse.schema import q


@dataclass
class CommuneFigures:
    commune_id: str
    name: str
    province: str
    current: Figures
    previous: Figures


def _tally(row: tuple) -> Tally:
    population, not_asked, dont_know, refused, _denominator, n = row
    return Tally(population, not_asked, dont_know, refused, n)


def commune_tallies(conn: Any, period: str) -> dict[str, dict[str, Tally]]:
    """{commune id: {indicator id: its tally over the commune}} for one period."""
    out: dict[str, dict[str, Tally]] = {}
    for indicator, commune, *counts in conn.execute(
            f"select indicator, commune_id, population, not_asked, dont_know, refused, "
            f"denominator, n from {q('indicators_by_commune')} where period = %s",
            [period]):
        out.setdefault(commune, {})[indicator] = _tally(tuple(counts))
    return out


def _figures(indicators: IndicatorSet, period: Period, tallies: dict[str, Tally],
             surveyed: tuple[int, int], registry: int) -> Figures:
    results = []
    for indicator in indicators.indicators:
        result = IndicatorResult(indicator)
        if indicator.id in tallies:
            result.overall = tallies[indicator.id]
        results.append(result)
    return Figures(indicators, period, results, {}, surveyed[0], surveyed[1], registry)


def communes(conn: Any, dsn_text: str, indicators: IndicatorSet, period: Period,
             province: str | None = None) -> list[CommuneFigures]:
    """Every live commune of the warehouse (of one province, if given) with households in
    its registry, with the figures of ``period`` and of the period before."""
    schema.require(conn, dsn_text)
    where, params = ("where c.deleted = 0", [])
    if province is not None:
        where += " and c.wh_province = %s"
        params.append(province)
    names = {cid: (name, prov) for cid, name, prov in conn.execute(
        f"select c.id, c.name, coalesce(s.province_name, c.wh_province) from "
        f"{q('communes')} c left join (select distinct on (wh_province) wh_province, "
        f"province_name from {q('sources')}) s on s.wh_province = c.wh_province {where}",
        params)}
    registry = dict(conn.execute(
        f"select commune_id, households from {q('registry_by_commune')}").fetchall())
    out = []
    before = period.previous()
    figures = {}
    for key in (period.key, before.key):
        surveyed = {c: (h, p) for c, h, p in conn.execute(
            f"select commune_id, households, persons from {q('surveyed_by_commune')} "
            "where period = %s", [key])}
        figures[key] = (commune_tallies(conn, key), surveyed)
    for cid, (name, prov) in names.items():
        if not registry.get(cid):
            continue  # the province office's own entry, a commune without households
        current, previous = (
            _figures(indicators, p, figures[p.key][0].get(cid, {}),
                     figures[p.key][1].get(cid, (0, 0)), registry.get(cid, 0))
            for p in (period, before))
        out.append(CommuneFigures(cid, name, prov, current, previous))
    return out
