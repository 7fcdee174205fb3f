"""The public interface the form engine codes against."""

import datetime as dt

import pytest

from fieldapp.core.xpath import (
    SUPPORTED_FUNCTIONS, DictContext, EvalContext, Expr, ExprArityError, ExprSyntaxError,
    ExprUnsupportedError, NodeSet, parse, to_boolean, to_number, to_string)


def test_parse_returns_expr_with_metadata():
    expr = parse("${age} >= 15 and selected(${uses}, 'zalo')")
    assert isinstance(expr, Expr)
    assert expr.references() == {"age", "uses"}
    assert expr.functions() == {"selected"}
    assert not expr.uses_current()
    assert expr.unsupported_functions() == set()


def test_evaluate_variants():
    ctx = DictContext({"age": "16", "uses": "facebook zalo"})
    expr = parse("${age} >= 15 and selected(${uses}, 'zalo')")
    assert expr.evaluate(ctx) is True
    assert expr.evaluate_bool(ctx) is True
    assert expr.evaluate_str(ctx) == "true"
    assert expr.evaluate_num(ctx) == 1.0
    assert parse("${age}").evaluate(ctx) == NodeSet(["16"])
    assert parse("${age} + 1").evaluate_str(ctx) == "17"


def test_dict_context_satisfies_protocol():
    assert isinstance(DictContext(), EvalContext)


def test_uses_current():
    assert parse(". >= 18").uses_current()
    assert parse("position(..) = 1").uses_current()
    assert parse("../name != ''").uses_current()
    assert parse("string-length() < 5").uses_current()
    assert parse("once(random())").uses_current()
    assert not parse("string-length(${x}) < 5").uses_current()


def test_unsupported_function_detected_not_raised_by_default():
    expr = parse("lower-case(${id})")
    assert expr.unsupported_functions() == {"lower-case"}
    assert "lower-case" not in SUPPORTED_FUNCTIONS
    with pytest.raises(ExprUnsupportedError) as info:
        parse("1 + lower-case(${id})", strict=True)
    assert info.value.position == 4
    with pytest.raises(ExprUnsupportedError):
        expr.evaluate(DictContext())


def test_errors_carry_position():
    with pytest.raises(ExprSyntaxError) as info:
        parse("${a} + * 2")
    assert info.value.position == 7
    assert "^" in info.value.pointer()
    with pytest.raises(ExprArityError) as info:
        parse("1 + if(${a}, 2)")
    assert info.value.position == 4
    assert isinstance(info.value, ExprSyntaxError)


def test_helpers():
    assert to_string(NodeSet(["a", "b"])) == "a"
    assert to_number("12") == 12.0
    assert to_boolean("") is False
    assert to_string(float("nan")) == "NaN"


def test_today_is_injected():
    ctx = DictContext(today=dt.date(2024, 2, 29))
    assert parse("today()").evaluate(ctx) == "2024-02-29"
