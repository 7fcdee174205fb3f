"""DictContext: reference resolution across (nested) repeats, relative paths, choice filters."""

import datetime as dt

import pytest

from fieldapp.core.xpath import DictContext, EvalContext, NodeSet, parse

# A village survey: households (repeat) each with members (nested repeat).
VALUES = {"village": "Nà Lẹng", "team": "T1"}
REPEATS = {"hh": [
    {"head": "Hoàng A", "hh_size": "2", "member": [
        {"m_name": "Hoàng A", "m_age": "61"},
        {"m_name": "Lý B", "m_age": "58"},
    ]},
    {"head": "Nông C", "hh_size": "3", "member": [
        {"m_name": "Nông C", "m_age": "35"},
        {"m_name": "Ma D", "m_age": ""},
        {"m_name": "Nông E", "m_age": "3"},
    ]},
]}


def ev(text, **kw):
    return parse(text).evaluate(DictContext(VALUES, REPEATS, **kw))


def test_outside_repeats_sees_every_instance():
    assert ev("${village}") == NodeSet(["Nà Lẹng"])
    assert ev("${head}") == NodeSet(["Hoàng A", "Nông C"])
    assert ev("${m_name}") == NodeSet(["Hoàng A", "Lý B", "Nông C", "Ma D", "Nông E"])
    assert ev("count(${hh})") == 2.0
    assert ev("count(${member})") == 5.0
    assert ev("sum(${hh_size})") == 5.0
    assert ev("${m_age} < 5") is True
    assert ev("${missing}") == NodeSet()


def test_inside_a_repeat_instance():
    where = dict(current_repeat=("hh", 2))
    assert ev("${head}", **where) == NodeSet(["Nông C"])
    assert ev("${village}", **where) == NodeSet(["Nà Lẹng"])
    # nested repeat below the current instance: only this household's members
    assert ev("count(${member})", **where) == 3.0
    assert ev("${m_name}", **where) == NodeSet(["Nông C", "Ma D", "Nông E"])
    assert ev("count(${member}) = ${hh_size}", **where) is True
    assert ev("position(..)", **where) == 2.0
    assert ev("../head", **where) == NodeSet(["Nông C"])
    assert ev("count(../member)", **where) == 3.0


def test_inside_a_nested_repeat():
    where = dict(current_repeat=[("hh", 2), ("member", 3)], current_value="3")
    assert ev("${m_name}", **where) == NodeSet(["Nông E"])
    assert ev("${head}", **where) == NodeSet(["Nông C"])
    assert ev("position(..)", **where) == 3.0
    assert ev("position(../..)", **where) == 2.0
    assert ev("../m_name", **where) == NodeSet(["Nông E"])
    assert ev("../../head", **where) == NodeSet(["Nông C"])
    assert ev("../../hh_size", **where) == NodeSet(["3"])
    assert ev("count(../../member)", **where) == 3.0
    assert ev(". < ../../member/m_age", **where) is True   # existential: 3 < 35
    assert ev("/survey/village", **where) == NodeSet(["Nà Lẹng"])
    assert ev("/survey/hh/head", **where) == NodeSet(["Hoàng A", "Nông C"])
    assert ev("indexed-repeat(${m_name}, ${member}, 1)", **where) == "Nông C"
    assert ev("indexed-repeat(${m_name}, ${hh}, 1, ${member}, 2)", **where) == "Lý B"
    assert ev("indexed-repeat(${m_name}, ${member}, 2, ${hh}, 1)", **where) == "Lý B"
    assert ev("indexed-repeat(${head}, ${hh}, 1)", **where) == "Hoàng A"
    assert ev("indexed-repeat(${m_name}, ${hh}, 3, ${member}, 1)", **where) == ""


def test_relative_paths_outside_repeats():
    assert ev("../village") == NodeSet(["Nà Lẹng"])
    assert ev("count(..)") == 1.0  # the root group
    assert ev("count(../..)") == 0.0  # above the root there is nothing
    assert ev(".", current_value="x") == NodeSet(["x"])
    assert ev("position(..)") == 1.0


def test_choice_filter_columns_resolve_on_the_item():
    expr = parse("district = ${district} and selected(${groups}, ethnic)")
    values = {"district": "bk", "groups": "tay nung"}
    rows = [
        {"name": "v1", "district": "bk", "ethnic": "tay"},
        {"name": "v2", "district": "cb", "ethnic": "tay"},
        {"name": "v3", "district": "bk", "ethnic": "dao"},
        {"name": "v4", "district": "bk", "ethnic": "nung"},
    ]
    kept = [r["name"] for r in rows if expr.evaluate_bool(DictContext(values, item=r))]
    assert kept == ["v1", "v4"]


def test_repeat_instance_string_value_concatenates_fields():
    assert ev("${hh}") == NodeSet(["Hoàng A2Hoàng A61Lý B58", "Nông C3Nông C35Ma DNông E3"])


def test_clock_and_labels_are_injected():
    ctx = DictContext(today=dt.date(2030, 1, 2), now=dt.datetime(2030, 1, 2, 3, 4, 5),
                      choice_labels={"q": {"a": "Có"}})
    assert isinstance(ctx, EvalContext)
    assert parse("today()").evaluate(ctx) == "2030-01-02"
    assert parse("now()").evaluate(ctx) == "2030-01-02T03:04:05.000"
    assert parse("jr:choice-name('a', '${q}')").evaluate(ctx) == "Có"


def test_default_clock_is_the_real_one():
    assert parse("today()").evaluate(DictContext()) == dt.date.today().isoformat()


def test_bad_current_repeat_is_reported():
    with pytest.raises(IndexError):
        DictContext(VALUES, REPEATS, current_repeat=("hh", 3))


class CountingContext(DictContext):
    """Records calls, to check what the engine asks of a form engine."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.calls = []

    def position(self, path=".."):
        self.calls.append(("position", path))
        return super().position(path)

    def ref(self, name):
        self.calls.append(("ref", name))
        return super().ref(name)


def test_protocol_calls():
    ctx = CountingContext(VALUES, REPEATS, current_repeat=("hh", 1))
    parse("position(..) + position(../..)").evaluate(ctx)
    assert ctx.calls == [("position", ".."), ("position", "../..")]
    ctx.calls.clear()
    parse("if(false(), ${a}, ${b})").evaluate(ctx)
    assert ctx.calls == [("ref", "b")]  # the branch not taken is not evaluated
