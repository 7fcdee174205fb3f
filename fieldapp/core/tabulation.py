"""Computing indicators over survey answers: n/N, not asked (with the reason), don't know and
refused, by village, ethnic group and sex. Pure.

A round of the survey (one household's answers) becomes its *facts* (:meth:`Counter.facts`):
for each indicator, per (ethnic group, sex) of its cases, the counts [population, not asked,
don't know, refused, n] and the not-asked counts by reason. Facts add up: the facts of the
rounds a period keeps, summed per village, are everything a report needs
(:func:`add_facts`, :func:`results`), so a commune keeps them and a report reads those sums
instead of every round's answers.

Each condition is evaluated by the forms' expression engine against one *case* (a household
round, or one person of its roster with the household's answers beneath). A condition's value
depends only on the fields it references, so results are remembered by those values: a commune
of 50,000 households evaluates each distinct combination once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fieldapp.core.indicators import (
    DONT_KNOW_CODES, REFUSED_CODES, Indicator, IndicatorSet, Level, NotAsked)
from fieldapp.core.periods import Period
from fieldapp.core.xpath import Expr

# Functions whose value depends on more than the fields referenced: never remembered.
_VOLATILE = frozenset({"today", "now", "random", "uuid", "position", "once", "instance",
                       "pulldata", "jr:choice-name", "digest", "indexed-repeat", "count",
                       "sum", "max", "min"})
ALL = "all"
CASES = "_cases"
"""Key of a facts dict holding [households, persons] counted."""
QUESTIONNAIRE = ""
"""The reason key of a case no rule explains: the round's questionnaire did not ask it."""

Facts = dict[str, Any]
"""{CASES: [households, persons], indicator id: {"ethnicity|sex": [population, not asked,
don't know, refused, n, {reason: count}]}} (JSON-able)."""


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


def _optional(expr: Expr | None) -> _Condition | None:
    return _Condition(expr) if expr is not None else None


@dataclass
class Tally:
    """Counts of one indicator in one group of cases."""

    population: int = 0
    not_asked: int = 0
    dont_know: int = 0
    refused: int = 0
    n: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    """Not asked, by reason (:data:`QUESTIONNAIRE` for "the round's questionnaire did not ask
    it")."""

    @property
    def unknown(self) -> int:
        """Don't know and refused together."""
        return self.dont_know + self.refused

    @property
    def denominator(self) -> int:
        """N: cases asked who gave an answer."""
        return self.population - self.not_asked - self.dont_know - self.refused

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

    def shown(self, small_cell: int) -> bool:
        """Whether its share may be printed: N reaches the small-cell threshold."""
        return self.denominator >= small_cell

    def add(self, cell: Sequence[Any]) -> None:
        """Add a facts cell [population, not asked, don't know, refused, n, {reason: n}]."""
        self.population += cell[0]
        self.not_asked += cell[1]
        self.dont_know += cell[2]
        self.refused += cell[3]
        self.n += cell[4]
        for reason, count in cell[5].items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count


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
        return status_of(self.indicator, self.overall)


def status_of(indicator: Indicator, tally: Tally) -> str:
    """"met", "not_met", "no_target" or "no_data" for one tally of an indicator."""
    value = tally.value
    if value is None:
        return "no_data"
    if indicator.target is None:
        return "no_target"
    return "met" if value * 100 >= indicator.target - 1e-9 else "not_met"


class _Compiled:
    __slots__ = ("indicator", "population", "asked", "dont_know", "refused", "numerator",
                 "rules", "answer")

    def __init__(self, indicator: Indicator, level: Level | None):
        self.indicator = indicator
        self.answer = indicator.answer
        self.population = _optional(indicator.population)
        self.asked = _optional(indicator.asked)
        self.dont_know = _optional(indicator.dont_know or indicator.unknown)
        self.refused = _optional(indicator.refused)
        self.numerator = _Condition(indicator.numerator)
        rules: Iterable[NotAsked] = indicator.not_asked + (level.not_asked if level else ())
        self.rules = [(_Condition(r.when), r.reason) for r in rules]

    def outcome(self, ctx: CaseContext) -> tuple[int, str] | None:
        """None outside the population; else (slot, reason): slot 1 not asked (with its
        reason), 2 don't know, 3 refused, 4 "yes" (n), 0 "no"."""
        if self.population is not None and not self.population(ctx):
            return None
        value = ctx.values.get(self.answer, "") if self.answer else None
        if (not self.asked(ctx)) if self.asked is not None else value == "":
            reason = next((text for when, text in self.rules if when(ctx)), QUESTIONNAIRE)
            return 1, reason
        if value in DONT_KNOW_CODES or (self.dont_know is not None and self.dont_know(ctx)):
            return 2, ""
        if value == "" or value in REFUSED_CODES or (
                self.refused is not None and self.refused(ctx)):
            return 3, ""  # refused, or asked and left without an answer
        return (4 if self.numerator(ctx) else 0), ""


def _count(facts: Facts, compiled: _Compiled, ctx: CaseContext, group: str) -> None:
    outcome = compiled.outcome(ctx)
    if outcome is None:
        return
    slot, reason = outcome
    cells = facts.setdefault(compiled.indicator.id, {})
    cell = cells.get(group)
    if cell is None:
        cell = cells[group] = [0, 0, 0, 0, 0, {}]
    cell[0] += 1
    if slot:
        cell[slot] += 1
    if slot == 1:
        cell[5][reason] = cell[5].get(reason, 0) + 1


class Counter:
    """The facts of survey rounds for one indicator set (see the module's docstring)."""

    def __init__(self, indicators: IndicatorSet, today: dt.date):
        self.set = indicators
        self.today = today
        levels = indicators.levels
        self._household = levels.get("household") or Level("household")
        self._person = levels.get("person")
        self._by_level: dict[str, list[_Compiled]] = {level: [] for level in levels}
        for indicator in indicators.indicators:
            self._by_level.setdefault(indicator.level, []).append(
                _Compiled(indicator, levels.get(indicator.level)))
        self._include_h = _optional(self._household.include)
        self._include_p = _optional(self._person.include) if self._person is not None else None

    def facts(self, answers: Mapping[str, Any]) -> Facts | None:
        """The facts of one round (its stored answers); None when the round does not count
        (the household did not agree to answer)."""
        top = {k: v for k, v in answers.items() if isinstance(v, str)}
        ctx = CaseContext(top, self.today)
        if self._include_h is not None and not self._include_h(ctx):
            return None
        facts: Facts = {CASES: [1, 0]}
        level = self._household
        group = f"{top.get(level.ethnicity, '') if level.ethnicity else ''}|" \
                f"{top.get(level.sex, '') if level.sex else ''}"
        for compiled in self._by_level.get("household", ()):
            _count(facts, compiled, ctx, group)
        person = self._person
        rows = answers.get(person.repeat) if person is not None and person.repeat else None
        if not isinstance(rows, list):
            return facts
        compiled_p = self._by_level.get("person", ())
        for row in rows:
            if not isinstance(row, dict):
                continue
            values = dict(top)
            values.update((k, v) for k, v in row.items() if isinstance(v, str))
            pctx = CaseContext(values, self.today)
            if self._include_p is not None and not self._include_p(pctx):
                continue
            facts[CASES][1] += 1
            group = f"{values.get(person.ethnicity, '') if person.ethnicity else ''}|" \
                    f"{values.get(person.sex, '') if person.sex else ''}"
            for compiled in compiled_p:
                _count(facts, compiled, pctx, group)
        return facts


class FactsCodec:
    """Facts as a short text for keeping: indicators and not-asked reasons by their index in
    the indicator set, cells as flat lists. ``[[households, persons], [groups],
    [[indicator, group, population, not asked, don't know, refused, n, reason, count, ...],
    ...]]``."""

    def __init__(self, indicators: IndicatorSet):
        self.ids = [i.id for i in indicators.indicators]
        self.index = {key: n for n, key in enumerate(self.ids)}
        reasons = [QUESTIONNAIRE]
        for level in indicators.levels.values():
            reasons += [r.reason for r in level.not_asked]
        for indicator in indicators.indicators:
            reasons += [r.reason for r in indicator.not_asked]
        self.reasons = list(dict.fromkeys(reasons))
        self.reason_index = {text: n for n, text in enumerate(self.reasons)}

    def encode(self, facts: Facts) -> str:
        groups: dict[str, int] = {}
        cells = []
        for key, by_group in facts.items():
            if key == CASES:
                continue
            for group, cell in by_group.items():
                g = groups.setdefault(group, len(groups))
                row = [self.index[key], g, *cell[:5]]
                for reason, count in cell[5].items():
                    row += [self.reason_index[reason], count]
                cells.append(row)
        return json.dumps([facts.get(CASES, [0, 0]), list(groups), cells],
                          separators=(",", ":"), ensure_ascii=False)

    def decode(self, text: str) -> Facts:
        cases, groups, cells = json.loads(text)
        facts: Facts = {CASES: cases}
        for row in cells:
            reasons = {self.reasons[row[i]]: row[i + 1] for i in range(7, len(row), 2)}
            facts.setdefault(self.ids[row[0]], {})[groups[row[1]]] = [*row[2:7], reasons]
        return facts


def add_facts(total: Facts, facts: Mapping[str, Any], sign: int = 1) -> Facts:
    """Add (``sign`` 1) or take away (-1) the facts of rounds to or from ``total`` (in place;
    cells that come to nothing are dropped)."""
    cases = facts.get(CASES, (0, 0))
    mine = total.get(CASES)
    if mine is None:
        mine = total[CASES] = [0, 0]
    mine[0] += sign * cases[0]
    mine[1] += sign * cases[1]
    for key, cells in facts.items():
        if key == CASES:
            continue
        target = total.get(key)
        if target is None:
            target = total[key] = {}
        for group, cell in cells.items():
            have = target.get(group)
            if have is None:
                target[group] = [sign * cell[0], sign * cell[1], sign * cell[2],
                                 sign * cell[3], sign * cell[4],
                                 {r: sign * n for r, n in cell[5].items()}]
                continue
            have[0] += sign * cell[0]
            have[1] += sign * cell[1]
            have[2] += sign * cell[2]
            have[3] += sign * cell[3]
            have[4] += sign * cell[4]
            if cell[5]:
                reasons = have[5]
                for reason, count in cell[5].items():
                    left = reasons.get(reason, 0) + sign * count
                    if left:
                        reasons[reason] = left
                    else:
                        reasons.pop(reason, None)
            if not have[0]:
                del target[group]
        if not target:
            del total[key]
    return total


def results(indicators: IndicatorSet, by_village: Mapping[str, Facts]) -> list[IndicatorResult]:
    """One result per indicator (in the file's order) from the facts summed per village."""
    out = {i.id: IndicatorResult(i) for i in indicators.indicators}
    for village, facts in by_village.items():
        for key, cells in facts.items():
            result = out.get(key)
            if result is None:
                continue  # an indicator no longer declared
            village_tally = _tally(result.by_village, village)
            for group, cell in cells.items():
                ethnicity, _sep, sex = group.partition("|")
                result.overall.add(cell)
                village_tally.add(cell)
                if ethnicity:
                    _tally(result.by_ethnicity, ethnicity).add(cell)
                if sex:
                    _tally(result.by_sex, sex).add(cell)
    return [out[i.id] for i in indicators.indicators]


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
    """Rounds counted one by one in memory (tests, small sets): ``add_round`` then
    ``results``; the commune's reports keep the facts in the database instead."""

    def __init__(self, indicators: IndicatorSet, today: dt.date,
                 *, result_field: str = "interview_result"):
        self.set = indicators
        self.counter = Counter(indicators, today)
        self.result_field = result_field
        self.counts = RoundCounts()
        self.by_village: dict[str, Facts] = {}

    def add_round(self, answers: Mapping[str, Any], village: str) -> None:
        """Count one round of the survey (its stored answers) in ``village``."""
        counts = self.counts
        counts.rounds += 1
        outcome = answers.get(self.result_field)
        outcome = outcome if isinstance(outcome, str) and outcome else "unknown"
        counts.results[outcome] = counts.results.get(outcome, 0) + 1
        facts = self.counter.facts(answers)
        if facts is None:
            return
        counts.households += facts[CASES][0]
        counts.persons += facts[CASES][1]
        add_facts(self.by_village.setdefault(village, {}), facts)

    def results(self) -> list[IndicatorResult]:
        """One result per indicator, in the file's order."""
        return results(self.set, self.by_village)


@dataclass
class Figures:
    """The indicators of one period over some villages, and what they were computed from."""

    indicators: IndicatorSet
    period: Period
    results: list[IndicatorResult]
    by_village: dict[str, dict] = field(default_factory=dict)
    """Summed facts per village (fieldapp.core.tabulation)."""
    households_surveyed: int = 0
    """Households with an interview in the period (the round they count with)."""
    persons: int = 0
    registry_households: int = 0
    """Live households of the registry in these villages."""
    surveyed_by_village: dict[str, int] = field(default_factory=dict)
    registry_by_village: dict[str, int] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)
    """Every visit in the period by interview result (interviewed or not)."""

    @property
    def small_cell(self) -> int:
        return self.indicators.small_cell

    def result(self, indicator_id: str) -> IndicatorResult | None:
        return next((r for r in self.results if r.indicator.id == indicator_id), None)

    def shown(self, tally: Tally | None) -> bool:
        """Whether a share may be printed for this tally (small cells are not)."""
        return tally is not None and tally.shown(self.small_cell)

    @property
    def coverage(self) -> float | None:
        return (self.households_surveyed / self.registry_households
                if self.registry_households else None)
