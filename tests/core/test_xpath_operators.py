"""XPath 1.0 value semantics: conversions, arithmetic, comparison, logic, node-sets, dates."""

import datetime as dt
import math

import pytest

from fieldapp.core.xpath import DictContext, NodeSet, parse, to_boolean, to_number, to_string

NAN = float("nan")


def ev(text, values=None, **kw):
    return parse(text).evaluate(DictContext(values or {}, **kw))


def ev_str(text, values=None, **kw):
    return parse(text).evaluate_str(DictContext(values or {}, **kw))


# --- conversions --------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (1.0, "1"), (-0.0, "0"), (2.5, "2.5"), (-3.25, "-3.25"), (NAN, "NaN"),
    (math.inf, "Infinity"), (-math.inf, "-Infinity"), (1e21, "1000000000000000000000"),
    (1e-7, "0.0000001"), (0.1 + 0.2, "0.30000000000000004"), (True, "true"), (False, "false"),
    ("abc", "abc"), (NodeSet(["x", "y"]), "x"), (NodeSet(), ""),
])
def test_to_string(value, expected):
    assert to_string(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("12", 12.0), (" 12 ", 12.0), ("-3.5", -3.5), (".5", 0.5), ("5.", 5.0), ("1,5", 1.5),
    ("", NAN), ("abc", NAN), ("1e3", NAN), ("+5", NAN), ("Infinity", NAN), ("1 2", NAN),
    ("\u2776", NAN), ("\u0661", NAN),  # only ASCII digits make numbers
    ("1970-01-02", 1.0), ("2020-01-01", 18262.0), ("1969-12-31", -1.0),
    ("2020-01-01T12:00:00", 18262.5), ("2020-01-01T06:00:00.000+07:00", 18262.25),
    ("2021-02-30", NAN), (True, 1.0), (False, 0.0), (NodeSet(["7", "8"]), 7.0),
    (NodeSet(), NAN), (4.0, 4.0),
])
def test_to_number(value, expected):
    result = to_number(value)
    if math.isnan(expected):
        assert math.isnan(result)
    else:
        assert result == expected


@pytest.mark.parametrize("value, expected", [
    ("", False), ("0", True), ("false", True), (0.0, False), (-0.0, False), (NAN, False),
    (2.0, True), (NodeSet(), False), (NodeSet([""]), False), (NodeSet(["x"]), True),
    (NodeSet(["", ""]), True), (True, True),
])
def test_to_boolean(value, expected):
    assert to_boolean(value) is expected


# --- arithmetic ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1 + 2", 3.0), ("5 - 7", -2.0), ("3 * 4", 12.0), ("7 div 2", 3.5), ("7 mod 3", 1.0),
    ("-7 mod 3", -1.0), ("7 mod -3", 1.0), ("5.5 mod 2", 1.5), ("-(3)", -3.0), ("- -3", 3.0),
    ("1 div 0", math.inf), ("-1 div 0", -math.inf), ("1 div -0", -math.inf),
    ("2 + 3 * 4 - 6 div 2", 11.0), ("'3' + '4'", 7.0), ("true() + true()", 2.0),
])
def test_arithmetic(text, expected):
    assert ev(text) == expected


@pytest.mark.parametrize("text", [
    "0 div 0", "5 mod 0", "'' + 1", "'abc' * 2", "${missing} + 1", "${blank} + 1",
    "-${blank}", "(1 div 0) - (1 div 0)",
])
def test_arithmetic_nan(text):
    assert math.isnan(ev(text, {"blank": ""}))


def test_arithmetic_with_field_strings():
    values = {"a": "2", "b": "0.5", "c": ""}
    assert ev("${a} * ${b}", values) == 1.0
    assert ev_str("${a} div 3", values) == "0.6666666666666666"
    assert ev_str("${c} * 2", values) == "NaN"
    assert ev_str("10 div ${a}", values) == "5"


# --- comparison ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1 = 1", True), ("1 = 2", False), ("1 != 2", True), ("1 < 2", True), ("2 <= 2", True),
    ("3 > 2", True), ("2 >= 3", False),
    ("'a' = 'a'", True), ("'a' != 'b'", True), ("'1' = 1", True), ("'1.0' = 1", True),
    ("'1.0' = '1'", False),  # two strings compare as text
    ("'b' > 'a'", False),  # relational operators compare numbers: both NaN
    ("'10' > '9'", True),
    ("true() = 'x'", True), ("false() = ''", True), ("true() = 1", True), ("false() = 0", True),
    ("0 div 0 = 0 div 0", False), ("0 div 0 != 0 div 0", True), ("0 div 0 < 1", False),
    ("0 div 0 >= 1", False), ("1 div 0 > 1000000", True),
])
def test_comparison_of_atomic_values(text, expected):
    assert ev(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("${age} = 15", True), ("${age} = '15'", True), ("${age} = 15.0", True),
    ("${age} = '15.0'", False), ("${age} >= 15", True), ("${age} < 15", False),
    ("15 <= ${age}", True), ("${dec} = 1.5", True), ("${dec} > 1", True),
    ("${blank} = ''", True), ("${blank} != ''", False), ("${blank} = 0", False),
    ("${blank} != 0", True), ("${blank} < 1", False), ("${blank} > 1", False),
    ("${age} = ${age_copy}", True), ("${age} != ${age_copy}", False),
    ("${age} > ${dec}", True),
])
def test_comparison_with_fields(text, expected):
    values = {"age": "15", "age_copy": "15", "dec": "1.5", "blank": ""}
    assert ev(text, values) is expected


def test_nodeset_comparison_is_existential():
    repeats = {"members": [{"age": "30"}, {"age": "5"}, {"age": ""}]}
    assert ev("${age} < 6", repeats=repeats) is True       # some member is under 6
    assert ev("${age} > 60", repeats=repeats) is False
    assert ev("${age} = 30", repeats=repeats) is True
    assert ev("${age} != 30", repeats=repeats) is True     # some member is not 30
    assert ev("${age} = ''", repeats=repeats) is True
    assert ev("${age} = 'x'", repeats=repeats) is False
    empty = {"members": []}
    for op in ("=", "!=", "<", ">"):
        assert ev(f"${{age}} {op} 1", repeats=empty) is False
    # node-set against node-set: some pair of string values
    values = {"village": "5"}
    assert ev("${age} = ${village}", values, repeats=repeats) is True
    assert ev("${age} < ${village}", values, repeats=repeats) is False
    assert ev("${age} > ${village}", values, repeats=repeats) is True
    # node-set against a boolean: the node-set's boolean (non-empty)
    assert ev("${age} = true()", repeats=repeats) is True
    assert ev("${age} = true()", repeats=empty) is False


def test_date_comparison_and_arithmetic():
    values = {"dob": "2000-02-29", "visit": "2024-03-01", "blank": ""}
    today = dt.date(2024, 3, 1)
    assert ev("today() - ${dob}", values, today=today) == 8767.0
    assert ev("(today() - ${dob}) div 365.25 >= 24", values, today=today) is True
    assert ev("${visit} = today()", values, today=today) is True
    assert ev("${dob} < today()", values, today=today) is True
    assert ev("${dob} > today()", values, today=today) is False
    assert ev("${visit} <= '2024-03-01'", values, today=today) is True
    assert ev("${dob} > '1999-12-31'", values) is True
    assert ev("${blank} < today()", values, today=today) is False
    assert ev_str("date(${dob} + 1)", values) == "2000-03-01"
    assert ev_str("date(${dob} + 366)", values) == "2001-03-01"
    assert ev_str("date(today() - 60)", today=today) == "2024-01-01"
    assert ev("${visit} - ${dob} > 365", values) is True
    assert math.isnan(ev("today() - ${blank}", values, today=today))


# --- logic --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("true() and true()", True), ("true() and false()", False), ("false() or true()", True),
    ("false() or false()", False), ("not(true())", False), ("not('')", True),
    ("not(0)", True), ("1 and 'x'", True), ("0 or ''", False),
    # one node counts as its string, like JavaRosa (XPath 1.0 would say true: the node exists)
    ("${blank} or ${missing}", False), ("not(${blank})", True), ("not(${yes})", False),
    ("${missing} or false()", False),
])
def test_logic(text, expected):
    assert ev(text, {"blank": "", "yes": "yes"}) is expected


def test_and_or_short_circuit():
    # The right side would call an unsupported function (which raises); it must not be evaluated.
    assert ev("false() and nosuch()") is False
    assert ev("true() or nosuch()") is True


def test_current_value_and_parentheses():
    assert ev(". >= 18 and . <= 120", current_value="40") is True
    assert ev(". >= 18 and . <= 120", current_value="") is False
    assert ev(". = ''", current_value="") is True
    assert ev("((1 + 2)) * (3)") == 9.0
    assert ev_str("'say \"hi\"'") == 'say "hi"'
    assert ev_str('"it\'s"') == "it's"
