"""Every indicator of the indicator files as SQL views of the warehouse, generated from its
definition (fieldapp.core.indicators: levels, population, asked, numerator, don't know,
refused, not-asked rules), counting as fieldapp.core.tabulation counts (the one computation
of Home, the commune report and the province table; tests/warehouse/test_indicators.py holds
the views equal to it commune by commune).

- ``survey_cases`` (a table, kept by every publish): one row per case of each submission of
  the indicator form, the household (``case_no`` 0) and each roster row (1, 2...), with the
  text of every field an indicator reads (a roster row's own answer, else its household's)
  and the number of the fields compared as numbers;
- ``survey_rounds`` (view): the finalized rounds with an interview, the household each counts
  for (the survivor of a merged one; none for a deleted one), its village and its day in
  Vietnam; ``survey_period_cases`` (materialised, refreshed after a publish that changed
  rounds): the cases of the round each household counts with in each year, half-year and
  quarter, the household's consent (the level's include) and each person's include applied;
- ``ind_<id>`` per indicator: population, not asked, don't know, refused, N, n and the share
  (NULL when N is under ``small_cell``, as reports print "–") by period, commune, village,
  ethnic group and sex; ``ind_<id>_reasons``: the not-asked cases by reason;
  ``ind_<id>_by_commune`` the same per commune; ``indicators_by_commune`` all of them
  (materialised with ``survey_period_cases``: a report reads one row per indicator, period
  and commune instead of aggregating every case);
  ``surveyed_by_commune`` and ``registry_by_commune`` the households surveyed and registered.

An indicator whose expressions cannot be translated (fieldapp.warehouse.xpath_sql) has no
view; :func:`install` says which and why.
"""

from __future__ import annotations

import json
from typing import Any

from fieldapp.core.indicators import DONT_KNOW_CODES, REFUSED_CODES, Indicator, IndicatorSet
from fieldapp.core.tabulation import QUESTIONNAIRE
from fieldapp.i18n.catalog import _
from fieldapp.warehouse import schema
from fieldapp.warehouse.connect import WarehouseError
from fieldapp.warehouse.schema import q
from fieldapp.warehouse.xpath_sql import (
    XPATH_DAYS, Translator, Untranslatable, column, literal, number_column, number_sql)

INTERVIEWED = ("completed", "partly")
"""The interview results whose answers count (fieldapp.services.indicator_cache)."""
RESULT_FIELD, VILLAGE_FIELD = "interview_result", "village"
_SET_KEY = "indicator_set"


def _list(values) -> str:
    return ", ".join(literal(v) for v in values)


class Plan:
    """The SQL of one indicator set: which columns the cases need, each indicator's
    condition, and what could not be translated."""

    def __init__(self, indicators: IndicatorSet):
        self.set = indicators
        self.refused: list[tuple[Indicator, str]] = []
        self.slots: dict[str, tuple[str, str]] = {}
        translate = Translator()
        levels = indicators.levels
        household = levels.get("household")
        person = levels.get("person")
        self.household_include = translate.condition(household.include if household else None)
        self.person_include = translate.condition(person.include if person else None)
        self.repeat = person.repeat if person else None
        self.groups = {name: (level.ethnicity, level.sex) for name, level in levels.items()}
        for name in (n for pair in self.groups.values() for n in pair if n):
            translate.columns.text.add(name)
        for indicator in indicators.indicators:
            try:
                self.slots[indicator.id] = self._slot(indicator, Translator())
            except Untranslatable as exc:
                self.refused.append((indicator, str(exc)))
                continue
            self._slot(indicator, translate)  # the columns it reads
        self.text = sorted(translate.columns.text)
        self.number = sorted(translate.columns.number)

    def _slot(self, indicator: Indicator, t: Translator) -> tuple[str, str]:
        """(SQL of the case's slot: NULL outside the population, 1 not asked, 2 don't know,
        3 refused, 4 counted in n, 0 not; SQL of its not-asked reason)."""
        level = self.set.levels.get(indicator.level)
        population = t.condition(indicator.population)
        if indicator.answer:
            value = f"c.{column(indicator.answer)}"
            t.columns.text.add(indicator.answer)
        else:
            value = None
        asked = t.condition(indicator.asked) if indicator.asked is not None else None
        not_asked = f"not {asked}" if asked else (f"{value} = ''" if value else "false")
        dont_know = [f"{value} in ({_list(DONT_KNOW_CODES)})"] if value else []
        expr = indicator.dont_know or indicator.unknown
        if expr is not None:
            dont_know.append(t.condition(expr))
        refused = [f"{value} = ''", f"{value} in ({_list(REFUSED_CODES)})"] if value else []
        if indicator.refused is not None:
            refused.append(t.condition(indicator.refused))
        numerator = t.condition(indicator.numerator)
        slot = (f"case when not ({population}) then null when {not_asked} then 1 "
                f"when {' or '.join(dont_know) or 'false'} then 2 "
                f"when {' or '.join(refused) or 'false'} then 3 "
                f"when {numerator} then 4 else 0 end")
        rules = indicator.not_asked + (level.not_asked if level else ())
        reason = "case " + " ".join(f"when {t.condition(r.when)} then {literal(r.reason)}"
                                    for r in rules) + f" else {literal(QUESTIONNAIRE)} end" \
            if rules else literal(QUESTIONNAIRE)
        return slot, reason

    @property
    def fingerprint(self) -> str:
        """What the cases table's layout depends on."""
        return json.dumps([self.set.form_id, self.repeat, self.text, self.number])


# -- the cases ----------------------------------------------------------------------------------

def _cases_columns(plan: Plan) -> list[str]:
    return [column(n) for n in plan.text] + [number_column(n) for n in plan.number]


_NAME_BYTES = 63
"""PostgreSQL's longest identifier: a longer name is read from the answers directly."""


def _answer(name: str) -> str:
    """The answer ``name`` of the submission (jsonb or NULL), from :func:`_answers_record`."""
    if len(name.encode("utf-8")) > _NAME_BYTES:
        return f"(s.answers -> {literal(name)})"
    return 'a."' + name.replace('"', '""') + '"'


def _answers_record(plan: Plan) -> str:
    """A lateral record of the answers the cases read, so that each submission's answers are
    decompressed once, not once per column (they are large: that was most of a publish)."""
    names = sorted(n for n in set(plan.text) | ({plan.repeat} if plan.repeat else set())
                   if len(n.encode("utf-8")) <= _NAME_BYTES)
    columns = ", ".join(f"{_answer(n)[2:]} jsonb" for n in names) or '"-" jsonb'
    return (" cross join lateral jsonb_to_record(case when jsonb_typeof(s.answers) = "
            f"'object' then s.answers else '{{}}'::jsonb end) as a({columns})")


def _case_values(plan: Plan, row: str | None) -> list[str]:
    """SELECT expressions of the case columns: the roster row's text, else the household's
    (only text values: a repeat or a number stored in the answers counts as unanswered)."""
    out = {}
    for name in plan.text:
        key = literal(name)
        answer = _answer(name)
        top = f"case when jsonb_typeof({answer}) = 'string' then {answer} #>> '{{}}' end"
        if row is None:
            out[name] = f"coalesce({top}, '')"
        else:
            own = f"case when jsonb_typeof({row} -> {key}) = 'string' then {row} ->> {key} end"
            out[name] = f"coalesce({own}, {top}, '')"
    return [out[n] for n in plan.text] + [number_sql(out[n]) for n in plan.number]


def _fill_sql(plan: Plan, where: str) -> str:
    """INSERT of the cases of the submissions ``where`` selects (alias s): the household
    (case 0) and each roster row, from one reading of each submission's answers (reading them
    once for the household and again for the roster was half of the fill)."""
    columns = ", ".join(["wh_province", "wh_commune", "submission_id", "case_no",
                         *_cases_columns(plan)])
    form = literal(plan.set.form_id)
    answers = _answers_record(plan)
    if not plan.repeat:
        household = ", ".join(_case_values(plan, None))
        return (f"insert into {q('survey_cases')} ({columns}) "
                f"select s.wh_province, s.wh_commune, s.id, 0, {household} "
                f"from {q('submissions')} s{answers} where s.form_id = {form} and ({where})")
    roster = _answer(plan.repeat)
    # Case 0 has no roster row (r.value is NULL): its values are the household's.
    values = ", ".join(_case_values(plan, "r.value"))
    return (f"insert into {q('survey_cases')} ({columns}) "
            f"select s.wh_province, s.wh_commune, s.id, r.ord, {values} "
            f"from {q('submissions')} s{answers} cross join lateral ("
            f"select 0::bigint as ord, null::jsonb as value union all "
            f"select e.ord, e.value from jsonb_array_elements(case when jsonb_typeof({roster}) "
            f"= 'array' then {roster} else '[]'::jsonb end) with ordinality e(value, ord) "
            f"where jsonb_typeof(e.value) = 'object') r "
            f"where s.form_id = {form} and ({where})")


def _cases_table(plan: Plan) -> str:
    columns = [f"{c} text not null" for c in (column(n) for n in plan.text)]
    columns += [f"{c} double precision" for c in (number_column(n) for n in plan.number)]
    return (f"create table {q('survey_cases')} (wh_province text not null, "
            f"wh_commune text not null, submission_id text not null, "
            f"case_no bigint not null, {', '.join(columns) or 'nothing text'})")


def _periods(day: str) -> str:
    year = f"to_char({day}, 'YYYY')"
    return (f"(values ({year}), ({year} || '-H' || case when extract(month from {day}) <= 6 "
            f"then '1' else '2' end), ({year} || '-Q' || extract(quarter from {day})::int))")


def _rounds_view(plan: Plan) -> str:
    """Finalized rounds with an interview and the household each counts for: itself when
    live, the survivor when merged into a live one, none when deleted (an unknown household
    counts as itself), as fieldapp.services.indicator_cache chooses them."""
    village = (f"coalesce(nullif(s.village_id, ''), case when jsonb_typeof(s.answers -> "
               f"{literal(VILLAGE_FIELD)}) = 'string' then nullif(s.answers ->> "
               f"{literal(VILLAGE_FIELD)}, '') end, '')")
    return f"""create view {q('survey_rounds')} as
        select s.wh_province, s.id as submission_id, s.finalized_at,
               case when h.id is null then s.household_id
                    when h.merged_into is not null then
                        case when m.id is not null and m.deleted = 0 then m.id end
                    when h.deleted = 0 then h.id end as household_id,
               {village} as village_id,
               (s.finalized_at::timestamptz at time zone interval '+07:00')::date as day
        from {q('submissions')} s
        left join {q('households')} h on h.wh_province = s.wh_province
                                     and h.id = s.household_id
        left join {q('households')} m on m.wh_province = s.wh_province and m.id = h.merged_into
        where s.form_id = {literal(plan.set.form_id)} and s.status = 'final' and s.deleted = 0
          and s.finalized_at is not null and s.household_id is not null
          and s.answers ->> {literal(RESULT_FIELD)} in ({_list(INTERVIEWED)})"""


def _period_cases_view(plan: Plan, household_include: str, person_include: str) -> str:
    columns = ", ".join(f"c.{c}" for c in _cases_columns(plan))
    return f"""create materialized view {q('survey_period_cases')} as
        with chosen as (
            select distinct on (p.period, r.wh_province, r.household_id)
                   p.period, r.wh_province, r.household_id, r.submission_id, r.village_id
            from {q('survey_rounds')} r cross join lateral {_periods('r.day')} p(period)
            where r.household_id is not null
            order by p.period, r.wh_province, r.household_id, r.finalized_at desc,
                     r.submission_id desc)
        select ch.period, ch.wh_province, v.commune_id, ch.village_id, ch.household_id,
               c.case_no, {columns}
        from chosen ch
        join {q('survey_cases')} h on h.wh_province = ch.wh_province
                                  and h.submission_id = ch.submission_id and h.case_no = 0
        join {q('survey_cases')} c on c.wh_province = ch.wh_province
                                  and c.submission_id = ch.submission_id
        left join {q('villages')} v on v.wh_province = ch.wh_province and v.id = ch.village_id
                                   and v.deleted = 0
        where {household_include} and (c.case_no = 0 or {person_include})
        order by ch.period, c.case_no > 0"""


def _indicator_views(plan: Plan, indicator: Indicator) -> list[str]:
    slot, reason = plan.slots[indicator.id]
    ethnicity, sex = plan.groups.get(indicator.level, (None, None))
    level = "c.case_no = 0" if indicator.level == "household" else "c.case_no > 0"
    name = f"ind_{indicator.id}"
    small = int(plan.set.small_cell)
    # "offset 0" keeps the subquery whole: flattened, the slot's CASE would be evaluated
    # again in every count's filter (7 times a case; most of the indicators' refresh).
    cases = f"""create view {q(name + '_cases')} as
        select * from (
            select c.period, c.wh_province, c.commune_id, c.village_id, c.household_id,
                   {f'c.{column(ethnicity)}' if ethnicity else "''"} as ethnicity,
                   {f'c.{column(sex)}' if sex else "''"} as sex,
                   {slot} as slot, {reason} as reason
            from {q('survey_period_cases')} c where {level} offset 0) x
        where slot is not null"""

    def tally(keys: str, where: str = "") -> str:
        return f"""select {keys}, count(*) as population,
                   count(*) filter (where slot = 1) as not_asked,
                   count(*) filter (where slot = 2) as dont_know,
                   count(*) filter (where slot = 3) as refused,
                   count(*) filter (where slot in (0, 4)) as denominator,
                   count(*) filter (where slot = 4) as n,
                   case when count(*) filter (where slot in (0, 4)) >= {small}
                        then (count(*) filter (where slot = 4))::double precision
                             / count(*) filter (where slot in (0, 4)) end as share
            from {q(name + '_cases')} {where} group by {keys}"""

    return [
        cases,
        f"create view {q(name)} as "
        + tally("period, wh_province, commune_id, village_id, ethnicity, sex"),
        f"create view {q(name + '_by_commune')} as "
        + tally("period, wh_province, commune_id", "where commune_id is not null"),
        f"""create view {q(name + '_reasons')} as
            select period, wh_province, commune_id, village_id, reason, count(*) as cases
            from {q(name + '_cases')} where slot = 1 group by 1, 2, 3, 4, 5""",
    ]


def _by_commune_sql(plan: Plan) -> str:
    """Every indicator's tally per period and commune, as ``ind_<id>_by_commune`` gives it,
    from one pass over the cases of each level (household, person) instead of one pass per
    indicator (33 scans of the cases were most of the refresh)."""
    small = int(plan.set.small_cell)
    parts = []
    for level in ("c.case_no = 0", "c.case_no > 0"):
        chosen = [i for i in plan.set.indicators if i.id in plan.slots
                  and (i.level == "household") == (level == "c.case_no = 0")]
        if not chosen:
            continue
        slots = ", ".join(f"{plan.slots[i.id][0]} as s{n}" for n, i in enumerate(chosen))
        counts, rows = [], []
        for n, i in enumerate(chosen):
            counts += [f"count(s{n}) as p{n}", f"count(*) filter (where s{n} = 1) as na{n}",
                       f"count(*) filter (where s{n} = 2) as dk{n}",
                       f"count(*) filter (where s{n} = 3) as r{n}",
                       f"count(*) filter (where s{n} in (0, 4)) as d{n}",
                       f"count(*) filter (where s{n} = 4) as n{n}"]
            rows.append(f"({literal(i.id)}, p{n}, na{n}, dk{n}, r{n}, d{n}, n{n})")
        # "offset 0" keeps the slots computed once a case (else once a count).
        parts.append(f"""select v.indicator, a.period, a.wh_province, a.commune_id,
                   v.population, v.not_asked, v.dont_know, v.refused, v.denominator, v.n,
                   case when v.denominator >= {small}
                        then v.n::double precision / v.denominator end as share
            from (select period, wh_province, commune_id, {', '.join(counts)}
                  from (select c.period, c.wh_province, c.commune_id, {slots}
                        from {q('survey_period_cases')} c
                        where {level} and c.commune_id is not null offset 0) x
                  group by 1, 2, 3) a
            cross join lateral (values {', '.join(rows)})
                 v(indicator, population, not_asked, dont_know, refused, denominator, n)
            where v.population > 0""")
    return " union all ".join(parts)


def _summary_views(plan: Plan) -> list[str]:
    union = _by_commune_sql(plan)
    views = [
        f"""create view {q('surveyed_by_commune')} as
            select period, wh_province, commune_id,
                   count(*) filter (where case_no = 0) as households,
                   count(*) filter (where case_no > 0) as persons
            from {q('survey_period_cases')} where commune_id is not null group by 1, 2, 3""",
        f"""create view {q('registry_by_commune')} as
            select h.wh_province, v.commune_id, count(*) as households
            from {q('households')} h join {q('villages')} v
                 on v.wh_province = h.wh_province and v.id = h.village_id and v.deleted = 0
            where h.deleted = 0 group by 1, 2""",
    ]
    if union:
        views.append(f"create materialized view {q('indicators_by_commune')} as {union}")
        views.append(f"create index indicators_by_commune_period on "
                     f"{q('indicators_by_commune')} (period)")
    return views


def install(conn: Any, indicators: IndicatorSet) -> tuple[int, list[tuple[Indicator, str]]]:
    """(Re)make the cases table, the functions and every view for ``indicators`` (inside the
    caller's transaction); (views made, indicators refused with why)."""
    plan = Plan(indicators)
    stored = json.loads(schema.read_meta(conn).get(_SET_KEY) or "{}")
    conn.execute(f"drop materialized view if exists {q('survey_period_cases')} cascade")
    conn.execute(f"drop view if exists {q('survey_rounds')} cascade")
    for (name,) in conn.execute(
            "select table_name from information_schema.views where table_schema = %s and "
            "(table_name like 'ind\\_%%' or table_name in ('indicators_by_commune', "
            "'surveyed_by_commune', 'registry_by_commune'))", [schema.SCHEMA]).fetchall():
        conn.execute(f"drop view if exists {q(name)} cascade")
    conn.execute("drop function if exists fieldapp.xpath_days(text) cascade")
    conn.execute(XPATH_DAYS)
    refill = stored.get("fingerprint") != plan.fingerprint
    if refill:
        conn.execute(f"drop table if exists {q('survey_cases')}")
        conn.execute(_cases_table(plan))
        conn.execute(f"create index survey_cases_submission on {q('survey_cases')} "
                     "(submission_id)")
    conn.execute("drop function if exists fieldapp.fill_cases(text, text[])")
    conn.execute(f"""create function fieldapp.fill_cases(prov text, ids text[]) returns void
        language sql as $body$
        delete from {q('survey_cases')} where submission_id = any(ids);
        {_fill_sql(plan, "s.wh_province = prov and s.id = any(ids)")};
        $body$""")
    conn.execute("drop function if exists fieldapp.fill_province(text)")
    conn.execute(f"""create function fieldapp.fill_province(prov text) returns void
        language sql as $body$
        delete from {q('survey_cases')} where wh_province = prov;
        {_fill_sql(plan, "s.wh_province = prov")};
        $body$""")
    if refill:
        conn.execute(_fill_sql(plan, "true"))
    household_include = Translator().condition(
        plan.set.levels["household"].include if "household" in plan.set.levels else None,
        alias="h")
    person_include = plan.person_include
    conn.execute(_rounds_view(plan))
    conn.execute(_period_cases_view(plan, household_include, person_include))
    conn.execute(f"create index survey_period_cases_period on {q('survey_period_cases')} "
                 "(period, case_no)")
    made = 0
    for indicator in plan.set.indicators:
        if indicator.id in plan.slots:
            for statement in _indicator_views(plan, indicator):
                conn.execute(statement)
            made += 1
    for statement in _summary_views(plan):
        conn.execute(statement)
    schema.set_meta(conn, _SET_KEY, json.dumps({
        "digest": indicators.digest, "fingerprint": plan.fingerprint,
        "small_cell": indicators.small_cell, "form": indicators.form_id,
        "indicators": [[i.id, i.name, i.level, i.group, i.key, i.target, i.number]
                       for i in plan.set.indicators if i.id in plan.slots],
        "refused": [[i.id, why] for i, why in plan.refused]}, ensure_ascii=False))
    return made, plan.refused


class CaseKeeper:
    """Keeps ``survey_cases`` and ``survey_period_cases`` up to date as a publish writes.

    A publish into a warehouse that holds nothing of the province (the first, or --full)
    fills the province's cases once at the end, set-based, instead of batch by batch (a
    quarter of the publish): a flag in meta, committed before the first batch and cleared with
    the fill, makes a publish killed in between fill them when it resumes."""

    def __init__(self, installed: bool):
        self.installed = installed
        self.changed = False
        self.bulk: str | None = None
        """The province whose cases are filled at the end."""

    def start(self, conn: Any, province: str, fresh: bool) -> None:
        """In the publish's first transaction; ``fresh``: the warehouse holds nothing of it."""
        if not self.installed:
            return
        key = _REFILL + province
        if fresh:
            schema.set_meta(conn, key, "1")
        if fresh or (schema.read_meta(conn) or {}).get(key) == "1":
            self.bulk = province

    def batch(self, conn: Any, province: str, submission_ids: list[str]) -> None:
        if self.installed and submission_ids and self.bulk is None:
            conn.execute("select fieldapp.fill_cases(%s, %s)", [province, submission_ids])

    def touched(self, tables: set[str]) -> None:
        if tables & {"submissions", "households", "villages", "communes"}:
            self.changed = True

    def finish(self, conn: Any) -> bool:
        """Refresh the rounds each household counts with, if the publish changed any."""
        if self.installed and self.bulk is not None:
            conn.execute("select fieldapp.fill_province(%s)", [self.bulk])
            schema.set_meta(conn, _REFILL + self.bulk, "0")
            self.changed = True
        if not (self.installed and self.changed):
            return False
        # The rounds' choice sorts every round by period: in memory, not on disk (the
        # default 4 MB spills at a few thousand households).
        conn.execute("set local work_mem = '64MB'")
        # Fresh statistics first: after a large publish the planner would otherwise plan the
        # refresh for the empty tables it last saw (nested loops over every round).
        # Only the columns the rounds' view reads: the answers (jsonb, most of a submission)
        # took most of the time.
        conn.execute(f"analyze {q('survey_cases')}, {q('submissions')} (wh_province, id, "
                     "form_id, status, deleted, finalized_at, household_id, village_id), "
                     f"{q('households')}, {q('villages')}")
        conn.execute(f"refresh materialized view {q('survey_period_cases')}")
        if conn.execute("select 1 from pg_matviews where schemaname = %s and matviewname = "
                        "'indicators_by_commune'", [schema.SCHEMA]).fetchone():
            conn.execute(f"refresh materialized view {q('indicators_by_commune')}")
        return True


_REFILL = "cases_refill:"


def case_keeper(conn: Any) -> CaseKeeper:
    meta = schema.read_meta(conn) or {}
    return CaseKeeper(_SET_KEY in meta)


def installed_set(conn: Any) -> dict[str, Any]:
    """What :func:`install` recorded: the indicators with views, small_cell, the refused."""
    meta = schema.read_meta(conn) or {}
    if _SET_KEY not in meta:
        raise WarehouseError(_("The warehouse has no indicator views: run fieldapp warehouse "
                               "init on it."))
    return json.loads(meta[_SET_KEY])


__all__ = ["CaseKeeper", "Plan", "Untranslatable", "case_keeper", "install", "installed_set"]
