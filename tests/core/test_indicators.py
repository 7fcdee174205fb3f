"""Indicators as data: the shipped file declares every DOMAIN.md §1 indicator and barrier over
the household survey's fields; a broken file is refused with its line; counting gives n/N,
not asked and refused by village, ethnic group and sex."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from fieldapp.core.indicators import IndicatorFileError, parse_indicators
from fieldapp.core.tabulation import Tabulation
from fieldapp.services.forms import load_form_file

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "forms" / "indicators.toml").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def form():
    return load_form_file(ROOT / "forms" / "household_survey.xlsx")


@pytest.fixture(scope="module")
def shipped(form):
    return parse_indicators(TEXT, "indicators.toml", set(form.nodes))


def _doorstep_mapping():
    """The DOMAIN §1 indicator -> survey fields mapping of the doorstep tests."""
    path = ROOT / "tests" / "forms_content" / "test_household_doorstep.py"
    spec = importlib.util.spec_from_file_location("doorstep", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.INDICATORS


def test_every_domain_indicator_is_declared_over_its_survey_fields(shipped):
    for number, (title, fields, module) in _doorstep_mapping().items():
        declared = [i for i in shipped.indicators if i.number == number]
        assert declared, (number, title)
        used = set().union(*(i.references() for i in declared))
        assert used & set(fields), (number, title, fields, used)
        if module is not None:  # asked in one rotating module: counted only there
            assert any(i.asked is not None and f"${{module}} = {module}" in i.asked.text
                       for i in declared) or all(
                i.population is not None and "has_shop" in i.population.text
                for i in declared), (number, title)


def test_every_barrier_code_is_declared(shipped, form):
    barriers = {c.name for c in form.choice_lists["barrier"].choices} - {"other"}
    declared = {i.id.removeprefix("barrier_") for i in shipped.of_group("barrier")}
    assert barriers == declared


def test_key_indicators_carry_their_provincial_targets(shipped):
    epayment = shipped.get("epayment")
    assert epayment.key and epayment.target == 80 and epayment.target_year == 2030
    assert "49-NQ/TU" in epayment.target_source
    assert epayment.population_name == "Người từ 18 tuổi"
    assert len(shipped.key_indicators) >= 8
    assert all(i.name and i.level in ("household", "person") for i in shipped.indicators)


def _problems(text, form):
    with pytest.raises(IndicatorFileError) as err:
        parse_indicators(text, "indicators.toml", set(form.nodes))
    return err.value.problems


def _line_of(needle: str) -> int:
    return next(n for n, line in enumerate(TEXT.splitlines(), 1) if needle in line)


def test_an_unknown_field_is_refused_with_its_line(form):
    bad = TEXT.replace("numerator = \"${epayment} = 'yes'\"", "numerator = \"${epaymnt} = 'yes'\"")
    [problem] = _problems(bad, form)
    assert problem.line == _line_of("numerator = \"${epayment} = 'yes'\"")
    assert problem.key == "numerator" and "epaymnt" in problem.message
    assert str(problem).startswith(f"indicators.toml, line {problem.line}, numerator:")


def test_a_syntax_error_in_an_expression_is_refused_with_its_line(form):
    bad = TEXT.replace("numerator = \"${fibre} = 'yes'\"", "numerator = \"${fibre} = = 'yes'\"")
    [problem] = _problems(bad, form)
    assert problem.line == _line_of("numerator = \"${fibre} = 'yes'\"")


def test_a_toml_syntax_error_is_refused_with_its_line(form):
    bad = TEXT.replace('id = "fibre"', 'id = "fibre')
    [problem] = _problems(bad, form)
    assert problem.line == _line_of('id = "fibre"')
    assert "TOML" in problem.message


def test_unknown_keys_twice_used_ids_and_levels_are_named(form):
    bad = TEXT.replace('id = "fibre"', 'id = "smartphone"').replace(
        'population_name = "Người từ 18 tuổi"', 'populaton = "x"', 1).replace(
        'level = "household"\npopulation_name = "Hộ được phỏng vấn"\nnumerator = "${grid_power}',
        'level = "village"\npopulation_name = "Hộ được phỏng vấn"\nnumerator = "${grid_power}')
    messages = [(p.key, p.message) for p in _problems(bad, form)]
    assert ("id", "the id smartphone is used twice") in messages
    assert ("populaton", "unknown key") in messages
    assert ("level", "unknown level (use household or person)") in messages


def test_a_province_adds_and_replaces_indicators_without_code(form, shipped):
    extra = parse_indicators("""
        format = 1
        form = "household_survey"
        [[indicator]]
        id = "fibre"
        name = "Hộ có cáp quang (tỉnh)"
        level = "household"
        numerator = "${fibre} = 'yes'"
        target = 90
        [[indicator]]
        id = "signal_5g"
        name = "Hộ có sóng 5G"
        level = "household"
        numerator = "${mobile_signal} = 'mobile_5g'"
        """, "province.toml", set(form.nodes))
    merged = shipped.extended(extra)
    assert merged.get("fibre").target == 90 and merged.get("fibre").name.endswith("(tỉnh)")
    assert merged.indicators[-1].id == "signal_5g"
    assert len(merged.indicators) == len(shipped.indicators) + 1


def _row(key, age, sex="female", ethnicity="tay", **answers):
    return {"@key": key, "age": str(age), "sex": sex, "ethnicity": ethnicity, **answers}


def test_counts_n_of_N_not_asked_and_refused(shipped):
    table = Tabulation(shipped, TODAY)
    # Module 2: e-payment asked. A person nobody could answer for is "not asked".
    table.add_round({"consent": "yes", "module": "2", "hh_ethnicity": "tay", "fibre": "yes",
                     "members": [_row("a", 40, epayment="yes", smartphone="own"),
                                 _row("b", 38, "male", epayment="dont_know", smartphone="own"),
                                 _row("c", 19, answered_by="absent"),
                                 _row("d", 70, smartphone="none"),
                                 _row("e", 12, smartphone="shared"),
                                 _row("f", 44, member_status="moved", epayment="yes")]}, "v1")
    # Module 0: e-payment not asked of anyone.
    table.add_round({"consent": "yes", "module": "0", "hh_ethnicity": "dao", "fibre": "no",
                     "members": [_row("g", 30, "male", "dao", smartphone="own")]}, "v2")
    table.add_round({"consent": "no", "interview_result": "refused"}, "v2")
    results = {r.indicator.id: r for r in table.results()}
    epay = results["epayment"].overall
    # 18+: a, b, c, d (v1) and g (v2); f moved away; e is 12.
    assert (epay.population, epay.not_asked, epay.unknown) == (5, 2, 1)
    assert (epay.n, epay.denominator) == (1, 2)
    assert results["epayment"].by_village["v1"].denominator == 2
    assert results["epayment"].by_sex["male"].unknown == 1
    fibre = results["fibre"]
    assert (fibre.overall.n, fibre.overall.denominator) == (1, 2)
    assert fibre.by_ethnicity == {"tay": fibre.by_ethnicity["tay"],
                                  "dao": fibre.by_ethnicity["dao"]}
    assert fibre.by_ethnicity["dao"].value == 0
    assert table.counts.rounds == 3 and table.counts.households == 2
    assert table.counts.results == {"unknown": 2, "refused": 1}
    assert results["epayment"].status == "not_met"  # 50% against a target of 80%
    assert results["grid_power"].status == "no_data" or results["grid_power"].overall.n == 0
