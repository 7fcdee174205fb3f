"""The indicator views of the warehouse give the figures of the Python computation
(fieldapp.services.indicators.indicator_figures on each commune's own database), commune by
commune, period by period, per village, ethnicity and sex, small cells suppressed alike; after
a first publish and again after a merge and an erasure reach the warehouse."""

from __future__ import annotations

from fieldapp.core.periods import Period
from fieldapp.core.tabulation import Tally
from fieldapp.services import warehouse as service
from fieldapp.services.indicators import indicator_figures, load_indicators
from fieldapp.services.sync.review import merge_households
from fieldapp.services.workspace import Workspace
from fieldapp.warehouse import figures, indicator_sql
from fieldapp.warehouse.connect import connect
from fieldapp.warehouse.schema import q
from fieldapp.warehouse.xpath_sql import column
from province_world import consolidate, send

SEEDS = (51, 52, 53, 54, 55)
HOUSEHOLDS = 30


def _counts(tally: Tally) -> tuple[int, int, int, int, int]:
    return tally.population, tally.not_asked, tally.dont_know, tally.refused, tally.n


def _view_groups(conn, indicator: str, period: str, commune: str) -> dict[str, dict]:
    """{"village"|"ethnicity"|"sex": {key: counts}} summed from the indicator's view."""
    out: dict[str, dict] = {"village": {}, "ethnicity": {}, "sex": {}}
    rows = conn.execute(
        f"select village_id, coalesce(ethnicity, ''), coalesce(sex, ''), population, "
        f"not_asked, dont_know, refused, n from {q('ind_' + indicator)} "
        "where period = %s and commune_id = %s", [period, commune]).fetchall()
    for village, ethnicity, sex, *counts in rows:
        for group, key in (("village", village), ("ethnicity", ethnicity), ("sex", sex)):
            if key:
                have = out[group].setdefault(key, [0] * 5)
                for i, value in enumerate(counts):
                    have[i] += value
    return {g: {k: tuple(v) for k, v in d.items()} for g, d in out.items()}


def _compare(conn, communes, indicators) -> dict[str, int]:
    """Every figure of every commune and period, both ways; how many shares were printed,
    suppressed, and how many periods there were (so the comparison cannot pass empty)."""
    seen = {"shown": 0, "suppressed": 0, "periods": 0}
    periods = sorted({r[0] for r in conn.execute(
        f"select distinct period from {q('surveyed_by_commune')}")})
    assert periods, "the demo communes have surveys"
    small = indicators.small_cell
    for key in periods:
        period = Period.parse(key)
        sql = {c.commune_id: c for c in figures.communes(conn, "test", indicators, period)}
        for commune in communes:
            cid = commune.meta("commune_id")
            python = indicator_figures(commune, period, indicators=indicators)
            warehouse = sql[cid].current
            assert (warehouse.households_surveyed, warehouse.persons,
                    warehouse.registry_households) == (
                python.households_surveyed, python.persons, python.registry_households), key
            for mine in python.results:
                iid = mine.indicator.id
                theirs = warehouse.result(iid)
                assert _counts(theirs.overall) == _counts(mine.overall), (key, cid, iid)
                row = conn.execute(
                    f"select share from {q('ind_' + iid + '_by_commune')} where period = %s "
                    "and commune_id = %s", [key, cid]).fetchone()
                share = row[0] if row else None
                if mine.overall.shown(small):
                    assert share is not None and abs(share - mine.overall.value) < 1e-12
                    seen["shown"] += 1
                elif mine.overall.population:
                    assert share is None, (key, cid, iid, mine.overall)  # suppressed
                    seen["suppressed"] += 1
                groups = _view_groups(conn, iid, key, cid)
                for group, python_groups in (("village", mine.by_village),
                                             ("ethnicity", mine.by_ethnicity),
                                             ("sex", mine.by_sex)):
                    assert groups[group] == {k: _counts(t) for k, t in python_groups.items()
                                             if t.population}, (key, cid, iid, group)
    seen["periods"] = len(periods)
    return seen


def test_indicator_views_equal_the_python_computation_commune_by_commune(
        tmp_path, warehouse, demo_commune):
    indicators = load_indicators()
    office, communes = consolidate(tmp_path, [demo_commune(HOUSEHOLDS, s) for s in SEEDS])
    workspace_publish = service.WarehouseService(office).publish
    workspace_publish(warehouse)
    with connect(warehouse) as conn:
        installed = indicator_sql.installed_set(conn)
        assert installed["refused"] == [], installed["refused"]
        assert {i[0] for i in installed["indicators"]} == {i.id for i in indicators.indicators}
        seen = _compare(conn, communes, indicators)
        assert min(seen.values()) > 0, seen

    # A merge at one commune, an erasure of a surveyed household at another.
    survivor, absorbed = [r[0] for r in communes[0].conn.execute(
        "select household_id from submissions where household_id is not null and deleted = 0 "
        "group by household_id order by household_id limit 2")]
    merge_households(communes[0], survivor, absorbed)
    erased = communes[1].scalar("select household_id from submissions where household_id is "
                                "not null and deleted = 0 order by household_id")
    Workspace(communes[1]).privacy.erase("households", erased, "yêu cầu của hộ")
    for n, commune in enumerate(communes[:2]):
        send(commune, office, tmp_path, f"again{n}")
    assert workspace_publish(warehouse).views_refreshed
    with connect(warehouse) as conn:
        assert _compare(conn, communes, indicators)["shown"] > 0
    for store in (office, *communes):
        store.close()


def test_selected_in_sql_splits_answers_as_the_python_evaluator(dsn):
    """``selected()`` as SQL (fieldapp.warehouse.xpath_sql) against the evaluator, on answers
    with tabs, line breaks, vertical tabs, repeated spaces and codes inside other codes."""
    from fieldapp.core.xpath import DictContext, parse
    from fieldapp.warehouse.xpath_sql import Translator

    answers = ["", "v", "a v", "va", "v_a", "a\tv", "a\x0bv\x0c", "  v  ", "a\nv\r", "vv",
               "x v_x", "a b"]
    codes = ["v", "a", "b", "v_a", "x"]
    with connect(dsn) as conn:
        for code in codes:
            expr = parse(f"selected(${{f}}, '{code}')")
            sql = Translator().condition(expr)
            for answer in answers:
                found = conn.execute(f"select {sql} from (select %s::text as {column('f')}) c",
                                     [answer]).fetchone()[0]
                assert found == expr.evaluate_bool(DictContext({"f": answer})), (code, answer)
