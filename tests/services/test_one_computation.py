"""One computation behind every figure: Home's chart, the commune report (PDF and DOCX), the XLSX
indicator sheet and the province's table per commune all come from indicator_figures and
agree; the sums it keeps follow every kind of change (a new round, an edit, a merge, an erasure,
a removed survey) exactly as a count from scratch would."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import shutil

import openpyxl
import pytest

from fieldapp.services import exports
from fieldapp.services.indicators import Period, indicator_figures, load_indicators
from fieldapp.services.province import gather_province
from fieldapp.services.summary import gather
from fieldapp.services.today import indicators as home_indicators

TODAY = dt.date(2026, 11, 28)
YEAR = Period.parse("2026")

pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.fixture
def store(make_demo, tmp_path, open_store):
    path = tmp_path / "copy.db"
    shutil.copy(make_demo(120, 9), path)
    return open_store(path)


def _key(results):
    return {r.indicator.id: dataclasses.astuple(r.overall) for r in results
            if r.indicator.key and r.indicator.group == "indicator"}


def test_home_the_report_the_sheet_and_the_province_table_agree(store, tmp_path):
    report = gather(store, period=YEAR, today=TODAY)
    expected = _key(report.current.results)
    home, period = home_indicators(store, TODAY)
    assert period == "năm 2026"
    assert {c.key: (c.n, c.denominator) for c in home} == {
        k: (v[4], v[0] - v[1] - v[2] - v[3]) for k, v in expected.items()}
    province = gather_province(store, period=YEAR, today=TODAY)
    [row] = province.communes
    assert _key(row.current.results) == expected
    assert _key(row.previous.results) == _key(report.previous.results)
    sheet = exports.export_xlsx(store, tmp_path / "x.xlsx", period=YEAR, today=TODAY).path
    lines = list(openpyxl.load_workbook(io.BytesIO(sheet.read_bytes()), read_only=True)
                 ["indicators"].iter_rows(values_only=True))
    codes = lines[1]
    rows = [dict(zip(codes, line)) for line in lines[2:] if line and len(line) > 3]
    for key, (population, not_asked, dont_know, refused, n, _reasons) in expected.items():
        row = next(r for r in rows if r["indicator"] == key and not r["village"])
        assert (row["population"], row["not_asked"], row["dont_know"], row["refused"],
                row["n"]) == (population, not_asked, dont_know, refused, n), key


def _from_scratch(store):
    """The figures counted again from every round (the sums dropped first)."""
    indicators = load_indicators()
    with store.transaction():
        store.indicator_sums.reset("forced")
    return {key: indicator_figures(store, Period.parse(key), indicators=indicators,
                                   today=TODAY) for key in ("2025", "2026", "2026-Q3",
                                                            "2026-Q4", "2026-H2")}


def _kept(store):
    indicators = load_indicators()
    return {key: indicator_figures(store, Period.parse(key), indicators=indicators,
                                   today=TODAY) for key in ("2025", "2026", "2026-Q3",
                                                            "2026-Q4", "2026-H2")}


def _same(a, b):
    for key in a:
        assert [dataclasses.astuple(r.overall) for r in a[key].results] == \
            [dataclasses.astuple(r.overall) for r in b[key].results], key
        assert a[key].by_village == b[key].by_village, key
        assert (a[key].households_surveyed, a[key].visits) == \
            (b[key].households_surveyed, b[key].visits), key


def test_the_sums_follow_every_change_as_a_count_from_scratch(store):
    before = _kept(store)
    rounds = store.query("select id, household_id, answers from submissions where form_id = "
                         "'household_survey' and status = 'final' and household_id is not null "
                         "order by finalized_at desc")
    latest, other = rounds[0], next(r for r in rounds[1:]
                                    if r["household_id"] != rounds[0]["household_id"])
    # An edited answer of the latest round: everyone says they have e-payment now.
    answers = json.loads(latest["answers"])
    for row in answers.get("members", []):
        if row.get("epayment"):
            row["epayment"] = "yes"
    with store.transaction():
        store.writer.update("submissions", latest["id"], {"answers": answers})
    # A merge of two households, a removed survey, an erased household.
    with store.transaction():
        store.writer.update("households", other["household_id"],
                            {"merged_into": latest["household_id"], "deleted": 1})
    third = next(r for r in rounds if r["household_id"] not in
                 (latest["household_id"], other["household_id"]))
    with store.transaction():
        store.writer.tombstone("submissions", third["id"], "test")
    fourth = next(r for r in rounds if r["household_id"] not in
                  (latest["household_id"], other["household_id"], third["household_id"]))
    with store.transaction():
        store.erasures.erase("households", fourth["household_id"], reason="test", user_id=None)
    after = _kept(store)
    assert after["2026"].result("epayment").overall != before["2026"].result(
        "epayment").overall or after["2025"].result("epayment").overall != before[
        "2025"].result("epayment").overall
    _same(after, _from_scratch(store))


def test_a_changed_indicator_file_counts_everything_again(store, tmp_path):
    first = indicator_figures(store, YEAR, today=TODAY)
    from fieldapp import paths

    text = (paths.forms_dir() / "indicators.toml").read_text(encoding="utf-8")
    changed = tmp_path / "indicators.toml"
    changed.write_text(text.replace("small_cell = 5", "small_cell = 7"), encoding="utf-8")
    other = load_indicators(files=[changed])
    assert other.digest != first.indicators.digest and other.small_cell == 7
    again = indicator_figures(store, YEAR, indicators=other, today=TODAY)
    assert [dataclasses.astuple(r.overall) for r in again.results] == \
        [dataclasses.astuple(r.overall) for r in first.results]
    assert store.indicator_sums.digest().endswith(other.digest)


def test_the_province_table_has_each_communes_own_figures(make_demo, tmp_path, open_store):
    """Two communes send everything to their province: the province's report has one row per
    commune, each with the figures of the commune's own report."""
    from sync_world import new_commune

    from fieldapp.services.sync import exchange, province

    office = new_commune(tmp_path / "province.db", ["(văn phòng tỉnh)"], "Tỉnh Lạng Sơn")
    own = []
    for n, seed in enumerate((31, 32)):
        path = tmp_path / f"commune{n}.db"
        shutil.copy(make_demo(60, seed), path)
        commune = open_store(path)
        request = province.write_request(commune, tmp_path / f"req{n}.json")
        _name, hub = province.register_request(office, request, tmp_path / f"hub{n}.json")
        province.join_province(commune, hub)
        package = exchange.export_package(commune, tmp_path / f"p{n}.fieldsync", to="province")
        assert exchange.import_package(office, package.path).status == "applied"
        own.append((commune.commune()["name"],
                    sorted(_key(indicator_figures(commune, YEAR, today=TODAY).results).items())))
    data = gather_province(office, period=YEAR, today=TODAY)
    # One row per commune (not the office's own entry), each with the commune's figures.
    rows = [(row.name, sorted(_key(row.current.results).items())) for row in data.communes]
    assert sorted(rows) == sorted(own)
    assert own[0][1] != own[1][1]
    office.close()
