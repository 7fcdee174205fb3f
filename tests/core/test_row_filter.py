"""A choice_filter on a registry list becomes a predicate on the list's columns: the form's
side is evaluated once, what is left names columns a database can filter on."""

from __future__ import annotations

import pytest

from fieldapp.core.row_filter import (
    FALSE, TRUE, And, Cmp, HasToken, In, Not, Or, equal_value, matches, translate)
from fieldapp.core.xpath import DictContext, parse

ROWS = [{"name": "p1", "village": "v1", "household": "h1", "role": "member leader"},
        {"name": "p2", "village": "v1", "household": "h2", "role": "member"},
        {"name": "p3", "village": "v2", "household": "h3", "role": ""}]


def keep(expr: str, **answers) -> list[str]:
    where = translate(parse(expr), DictContext(answers))
    assert where is not None
    return [r["name"] for r in ROWS if matches(where, r)]


def brute(expr: str, **answers) -> list[str]:
    """The engine's answer: the filter evaluated row by row."""
    compiled = parse(expr)
    return [r["name"] for r in ROWS
            if compiled.evaluate_bool(DictContext(answers, item=r))]


@pytest.mark.parametrize("expr, answers", [
    ("village = ${village}", {"village": "v1"}),
    ("${village} = village", {"village": "v2"}),
    ("village != ${village}", {"village": "v1"}),
    ("village = ${village} and (count-selected(${hh}) = 0 or selected(${hh}, household))",
     {"village": "v1", "hh": ""}),
    ("village = ${village} and (count-selected(${hh}) = 0 or selected(${hh}, household))",
     {"village": "v1", "hh": "h2 h3"}),
    ("selected(role, 'leader')", {}),
    ("not(village = ${village})", {"village": "v1"}),
    ("village = ${village} or household = 'h3'", {"village": "v1"}),
    ("${x} = 'yes'", {"x": "no"}),
    ("village = ${village}", {"village": ""}),
])
def test_the_predicate_keeps_what_the_engine_keeps(expr, answers):
    assert keep(expr, **answers) == brute(expr, **answers)


def test_predicates_are_plain_data():
    ctx = DictContext({"village": "v1", "hh": "h1 h2"})
    expr = parse("village = ${village} and (count-selected(${hh}) = 0 "
                 "or selected(${hh}, household))")
    assert translate(expr, ctx) == And((Cmp("village", "=", "v1"),
                                        In("household", ("h1", "h2"))))
    assert translate(parse("village = ${village} and (count-selected(${hh}) = 0 or "
                           "selected(${hh}, household))"),
                     DictContext({"village": "v1", "hh": ""})) == Cmp("village", "=", "v1")
    assert translate(None, ctx) == TRUE
    assert translate(parse("1 = 2"), ctx) == FALSE
    assert translate(parse("selected(role, 'x')"), ctx) == HasToken("role", "x")
    assert translate(parse("not(not(village = 'a'))"), ctx) == Cmp("village", "=", "a")
    assert isinstance(translate(parse("not(village = 'a') or village = 'b'"), ctx), Or)
    assert isinstance(translate(parse("not(village = 'a')"), ctx), Not)
    assert equal_value(translate(expr, ctx), "village") == "v1"


@pytest.mark.parametrize("expr", [
    "starts-with(village, 'v')", "village = household", "string-length(village) > 1",
    "village = true()", "village = 1.5",
])
def test_what_a_predicate_cannot_say_is_left_to_the_engine(expr):
    assert translate(parse(expr), DictContext({})) is None
