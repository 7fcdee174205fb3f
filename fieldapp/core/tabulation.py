"""Computing indicators over survey answers: n/N, not asked and refused, by village, ethnic group
and sex. Pure: the caller feeds the answers of the rounds it chose (latest round of each
household, or a period) to :meth:`Tabulation.add_round` and reads :meth:`Tabulation.results`.

Each condition is evaluated by the forms' expression engine against one *case* (a household
round, or one person of its roster with the household's answers beneath). A condition's value
depends only on the fields it references, so results are remembered by those values: a commune
of 50,000 households evaluates each distinct combination once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.indicators import Indicator, IndicatorSet, Level
from fieldapp.core.xpath import Expr

# Functions whose value depends on more than the fields referenced: never remembered.
_VOLATILE = frozenset({"today", "now", "random", "uuid", "position", "once", "instance",
                       "pulldata", "jr:choice-name", "digest", "indexed-repeat", "count",
                       "sum", "max", "min"})
ALL = "all"


class CaseContext:
    """The expression engine's view of one case: flat {field: value}; unknown fields are ''."""

    __slots__ = ("values", "_today")

    def __init__(self, values: Mapping[str, Any], today: dt.date):
        self.values = values
        self._today = today

    def ref(self, name: str) -> Sequence[str]:
        value = self.values.get(name, "")
        return [value if isinstance(value, str) else ""]

    def current(self) -> str:
        return ""

    def position(self, path: str = "..") -> int:
        return 1

    def relative(self, path: str) -> Sequence[str]:
        return []

    def indexed_repeat(self, name: str, repeat: str, index: int, *outer) -> str:
        return ""

    def today(self) -> dt.date:
        return self._today

    def now(self) -> dt.datetime:
        return dt.datetime.combine(self._today, dt.time(12))

    def choice_label(self, field: str, value: str) -> str:
        return ""


class _Condition:
    """An expression evaluated against cases, remembered by the values of its references."""

    __slots__ = ("expr", "refs", "memo")

    def __init__(self, expr: Expr):
        self.expr = expr
        volatile = expr.uses_current() or bool(expr.functions() & _VOLATILE)
        self.refs: tuple[str, ...] | None = None if volatile else tuple(sorted(expr.references()))
        self.memo: dict[tuple, bool] = {}

    def __call__(self, ctx: CaseContext) -> bool:
        if self.refs is None:
            return self.expr.evaluate_bool(ctx)
        values = ctx.values
        key = tuple([values.get(r, "") for r in self.refs])
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self.expr.evaluate_bool(ctx)
        return hit



@dataclass
class Tally:
    """Counts of one indicator in one group of cases."""

    population: int = 0
    not_asked: int = 0
    unknown: int = 0
    n: int = 0

    @property
    def denominator(self) -> int:
        """N: cases asked who gave an answer."""
        return self.population - self.not_asked - self.unknown

    @property
    def value(self) -> float | None:
        """n / N, or None without a denominator."""
        return self.n / self.denominator if self.denominator else None

    @property
    def not_asked_share(self) -> float | None:
        return self.not_asked / self.population if self.population else None

    @property
    def unknown_share(self) -> float | None:
        return self.unknown / self.population if self.population else None


@dataclass
class IndicatorResult:
    indicator: Indicator
    overall: Tally = field(default_factory=Tally)
    by_village: dict[str, Tally] = field(default_factory=dict)
    by_ethnicity: dict[str, Tally] = field(default_factory=dict)
    by_sex: dict[str, Tally] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """"met", "not_met", "no_target" or "no_data"."""
        value = self.overall.value
        if value is None:
            return "no_data"
        target = self.indicator.target
        if target is None:
            return "no_target"
        return "met" if value * 100 >= target - 1e-9 else "not_met"


class _Compiled:
    __slots__ = ("indicator", "result", "population", "asked", "unknown", "numerator")

    def __init__(self, indicator: Indicator):
        self.indicator = indicator
        self.result = IndicatorResult(indicator)
        self.population = _Condition(indicator.population) if indicator.population else None
        self.asked = _Condition(indicator.asked) if indicator.asked else None
        self.unknown = _Condition(indicator.unknown) if indicator.unknown else None
        self.numerator = _Condition(indicator.numerator)

    def count(self, ctx: CaseContext, village: str, ethnicity: str, sex: str) -> None:
        if self.population is not None and not self.population(ctx):
            return
        result = self.result
        tallies = [result.overall, _tally(result.by_village, village)]
        if ethnicity:
            tallies.append(_tally(result.by_ethnicity, ethnicity))
        if sex:
            tallies.append(_tally(result.by_sex, sex))
        if self.asked is not None and not self.asked(ctx):
            for t in tallies:
                t.population += 1
                t.not_asked += 1
            return
        if self.unknown is not None and self.unknown(ctx):
            for t in tallies:
                t.population += 1
                t.unknown += 1
            return
        hit = self.numerator(ctx)
        for t in tallies:
            t.population += 1
            if hit:
                t.n += 1


def _tally(groups: dict[str, Tally], key: str) -> Tally:
    tally = groups.get(key)
    if tally is None:
        tally = groups[key] = Tally()
    return tally


@dataclass
class RoundCounts:
    """What was fed in: rounds by interview result, cases per level."""

    rounds: int = 0
    results: dict[str, int] = field(default_factory=dict)
    households: int = 0
    persons: int = 0


class Tabulation:
    """Accumulates indicator counts over survey rounds (see the module docstring)."""

    def __init__(self, indicators: IndicatorSet, today: dt.date,
                 *, result_field: str = "interview_result"):
        self.set = indicators
        self.today = today
        self.result_field = result_field
        self.counts = RoundCounts()
        self._by_level: dict[str, list[_Compiled]] = {level: [] for level in indicators.levels}
        for indicator in indicators.indicators:
            self._by_level.setdefault(indicator.level, []).append(_Compiled(indicator))
        levels = indicators.levels
        self._household = levels.get("household") or Level("household")
        self._person = levels.get("person")
        self._include_h = _Condition(self._household.include) if self._household.include else None
        self._include_p = (_Condition(self._person.include)
                           if self._person is not None and self._person.include else None)

    def add_round(self, answers: Mapping[str, Any], village: str) -> None:
        """Count one round of the survey (its stored answers) in ``village``."""
        counts = self.counts
        counts.rounds += 1
        outcome = answers.get(self.result_field)
        outcome = outcome if isinstance(outcome, str) and outcome else "unknown"
        counts.results[outcome] = counts.results.get(outcome, 0) + 1
        top = {k: v for k, v in answers.items() if isinstance(v, str)}
        ctx = CaseContext(top, self.today)
        if self._include_h is not None and not self._include_h(ctx):
            return
        counts.households += 1
        level = self._household
        ethnicity = top.get(level.ethnicity, "") if level.ethnicity else ""
        sex = top.get(level.sex, "") if level.sex else ""
        for compiled in self._by_level.get("household", ()):
            compiled.count(ctx, village, ethnicity, sex)
        person = self._person
        compiled_p = self._by_level.get("person", ())
        if person is None or not person.repeat:
            return
        rows = answers.get(person.repeat)
        if not isinstance(rows, list):
            return
        for row in rows:
            if not isinstance(row, dict):
                continue
            values = dict(top)
            values.update((k, v) for k, v in row.items() if isinstance(v, str))
            pctx = CaseContext(values, self.today)
            if self._include_p is not None and not self._include_p(pctx):
                continue
            counts.persons += 1
            ethnicity = values.get(person.ethnicity, "") if person.ethnicity else ""
            sex = values.get(person.sex, "") if person.sex else ""
            for compiled in compiled_p:
                compiled.count(pctx, village, ethnicity, sex)

    def results(self) -> list[IndicatorResult]:
        """One result per indicator, in the file's order."""
        by_id = {c.indicator.id: c.result for level in self._by_level.values() for c in level}
        return [by_id[i.id] for i in self.set.indicators]
