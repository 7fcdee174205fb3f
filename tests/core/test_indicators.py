"""Indicators as data: the shipped file declares every DOMAIN.md §1 indicator and barrier over
the household survey's fields; a broken file is refused with its line; counting gives n/N,
not asked and refused by village, ethnic group and sex."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
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
        if module is not None:  # asked in one rotating module: the others are "not asked"
            assert any(any(f"${{module}} != {module}" in r.when.text for r in i.not_asked)
                       for i in declared) or all(
                i.population is not None and "has_shop" in i.population.text
                for i in declared), (number, title)


def test_every_barrier_code_is_declared(shipped, form):
    barriers = {c.name for c in form.choice_lists["barrier"].choices} - {"other", "refused"}
    declared = {i.id.removeprefix("barrier_") for i in shipped.of_group("barrier")}
    assert barriers == declared


def test_key_indicators_carry_their_provincial_targets(shipped):
    epayment = shipped.get("epayment")
    assert epayment.key and epayment.target == 80 and epayment.target_year == 2030
    assert epayment.target_source.startswith(
        "Nghị quyết 49-NQ/TU ngày 28/9/2021 của Tỉnh ủy Lạng Sơn")
    assert epayment.population_name == "Người từ 15 tuổi"
    assert len(shipped.key_indicators) >= 8
    assert all(i.name and i.level in ("household", "person") for i in shipped.indicators)
    # Sources are cited by name: the brief's file:line keys never reach a printed page.
    for i in shipped.indicators:
        for text in (i.target_source, i.reference, i.note):
            assert not re.search(r"\(\d{3}:\d", text), (i.id, text)


def test_populations_follow_the_statisticians_review(shipped):
    """DOMAIN.md §9: persons 15+; smartphone-only questions say so; households with grid
    power for the electricity bill; ownership apart from access."""
    for key in ("smartphone", "internet_use", "vneid_level2", "epayment", "dvc_use",
                "scam_awareness", "cccd", "digital_signature", "bhvs_training"):
        assert shipped.get(key).population.text == "${age} >= 15", key
    for key in ("cds_app", "chatbot", "ehealth"):
        assert "dùng điện thoại thông minh" in shipped.get(key).name, key
    assert "${grid_power} = 'yes'" in shipped.get("cashless_electricity").population.text
    assert shipped.get("smartphone").numerator.text == "${smartphone} = 'own'"
    assert "shared" in shipped.get("smartphone_access").numerator.text
    assert "with_help" in shipped.get("dvc_use").numerator.text
    assert shipped.small_cell == 5


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
    at = TEXT.index('id = "internet_use"')
    bad = TEXT[:at] + TEXT[at:].replace('population_name = "Người từ 15 tuổi"',
                                        'populaton = "x"', 1)
    bad = bad.replace('id = "fibre"', 'id = "smartphone"').replace(
        'level = "household"\npopulation_name = "Hộ được phỏng vấn"\nanswer = "grid_power"',
        'level = "village"\npopulation_name = "Hộ được phỏng vấn"\nanswer = "grid_power"')
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


def test_counts_n_of_N_not_asked_dont_know_and_refused_apart(shipped):
    table = Tabulation(shipped, TODAY)
    # Every round: e-payment asked of everyone of 15 and over; don't know, refused and
    # skipped apart from "no"; nobody to answer: not asked, with the reason.
    table.add_round({"consent": "yes", "module": "2", "hh_ethnicity": "tay", "fibre": "yes",
                     "members": [_row("a", 40, epayment="yes", smartphone="own"),
                                 _row("b", 38, "male", epayment="dont_know", smartphone="own"),
                                 _row("c", 19, answered_by="absent"),
                                 _row("d", 70, epayment="no", smartphone="none"),
                                 _row("e", 12),
                                 _row("f", 44, member_status="moved", epayment="yes"),
                                 _row("h", 50, epayment="refused", smartphone="shared"),
                                 _row("i", 33, epayment="skipped", smartphone="own")]}, "v1")
    # An earlier questionnaire without the question: not asked.
    table.add_round({"consent": "yes", "module": "0", "hh_ethnicity": "dao", "fibre": "no",
                     "members": [_row("g", 30, "male", "dao", smartphone="own")]}, "v2")
    table.add_round({"consent": "no", "interview_result": "refused"}, "v2")
    results = {r.indicator.id: r for r in table.results()}
    epay = results["epayment"].overall
    # 15+: a, b, c, d, h, i (v1) and g (v2); f moved away; e is 12.
    assert (epay.population, epay.not_asked, epay.dont_know, epay.refused) == (7, 2, 1, 2)
    assert (epay.n, epay.denominator) == (1, 2)
    assert epay.reasons == {"Vắng nhà, không ai trả lời thay được": 1, "": 1}
    assert results["epayment"].by_village["v1"].denominator == 2
    assert results["epayment"].by_sex["male"].dont_know == 1
    # Ownership apart from access: a shared phone is access, not ownership.
    own, access = results["smartphone"].overall, results["smartphone_access"].overall
    assert (own.n, access.n, own.denominator) == (4, 5, 6)
    fibre = results["fibre"]
    assert (fibre.overall.n, fibre.overall.denominator) == (1, 2)
    assert set(fibre.by_ethnicity) == {"tay", "dao"}
    assert fibre.by_ethnicity["dao"].value == 0
    # A rotating part's question in a round of another part: not asked, with its reason;
    # in its own part's round, left empty: no answer (counted with the refusals).
    sells = results["sells_online"].overall
    assert (sells.population, sells.not_asked, sells.refused) == (2, 1, 1)
    assert [r[:6] for r in sells.reasons] == ["Phần C"]
    assert table.counts.rounds == 3 and table.counts.households == 2
    assert table.counts.results == {"unknown": 2, "refused": 1}
    assert results["epayment"].status == "not_met"  # 50% against a target of 80%


def test_a_small_cell_is_not_shown(shipped):
    table = Tabulation(shipped, TODAY)
    table.add_round({"consent": "yes", "fibre": "yes", "members": [
        _row("a", 40, smartphone="own")]}, "v1")
    fibre = {r.indicator.id: r for r in table.results()}["fibre"].overall
    assert fibre.value == 1.0 and not fibre.shown(shipped.small_cell)
