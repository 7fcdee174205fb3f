"""Every supported function, with the edge cases forms hit: blanks, NaN, node-sets, bad input."""

import base64
import datetime as dt
import hashlib
import math
import re

import pytest

from fieldapp.core.xpath import (
    SUPPORTED_FUNCTIONS, DictContext, ExprUnsupportedError, NodeSet, parse)

NAN = float("nan")
TODAY = dt.date(2024, 3, 15)
NOW = dt.datetime(2024, 3, 15, 9, 5, 7, 123000, tzinfo=dt.timezone(dt.timedelta(hours=7)))
VALUES = {
    "age": "34", "blank": "", "name": "  Nguyễn   Văn  An ", "multi": "zalo facebook  tiktok",
    "dob": "1990-07-04", "start": "2024-03-15T08:30:00.000+07:00", "num": "2.5", "text": "abc",
    "flag1": "yes", "flag2": "", "flag3": "1",
}
REPEATS = {"members": [
    {"m_name": "An", "m_age": "40", "sex": "1"},
    {"m_name": "Bình", "m_age": "12", "sex": "2"},
    {"m_name": "Chi", "m_age": "", "sex": "2"},
]}


def ctx(**kw):
    base = dict(values=VALUES, repeats=REPEATS, today=TODAY, now=NOW)
    base.update(kw)
    return DictContext(**base)


def ev(text, **kw):
    return parse(text).evaluate(ctx(**kw))


def same(a, b):
    if isinstance(b, float) and math.isnan(b):
        return isinstance(a, float) and math.isnan(a)
    return a == b and type(a) is type(b)


def check(cases, **kw):
    for text, expected in cases:
        result = ev(text, **kw)
        assert same(result, expected), f"{text} -> {result!r}, expected {expected!r}"


def test_supported_set_covers_the_odk_reference():
    required = {
        "selected", "count-selected", "selected-at", "if", "coalesce", "concat",
        "string-length", "substr", "contains", "starts-with", "ends-with", "regex", "int",
        "number", "string", "boolean", "round", "today", "now", "position", "count", "sum",
        "indexed-repeat", "once", "true", "false", "not", "pow", "log", "log10", "abs", "sin",
        "cos", "tan", "asin", "acos", "atan", "atan2", "sqrt", "exp", "exp10", "pi", "floor",
        "ceiling", "min", "max", "substring-before", "substring-after", "translate",
        "normalize-space", "join", "uuid", "digest", "boolean-from-string", "date",
        "decimal-date-time", "date-time", "decimal-time", "format-date", "format-date-time",
        "jr:choice-name", "checklist", "weighted-checklist", "random", "count-non-empty",
        "base64-decode",
    }
    assert required <= SUPPORTED_FUNCTIONS
    # not ODK: must be refused at load time, never silently "work"
    # geo (area, distance, geofence) and external data (instance, pulldata, current) are ODK
    for name in ("lower", "upper", "lower-case", "substring", "last"):
        assert name not in SUPPORTED_FUNCTIONS


# --- logic and conversion -----------------------------------------------------------------------

def test_boolean_functions():
    check([
        ("true()", True), ("false()", False), ("not(1)", False), ("not(${blank})", True),
        ("boolean('')", False), ("boolean('false')", True), ("boolean(0)", False),
        ("boolean(0 div 0)", False), ("boolean(${missing})", False), ("boolean(${blank})", False),
        ("boolean(${age})", True), ("boolean(${m_age})", True),
        ("boolean-from-string('true')", True), ("boolean-from-string('TRUE')", True),
        ("boolean-from-string('1')", True), ("boolean-from-string('yes')", False),
        ("boolean-from-string(${blank})", False), ("boolean-from-string(0)", False),
    ])


def test_number_string_int():
    check([
        ("number('12.5')", 12.5), ("number(${blank})", NAN), ("number('x')", NAN),
        ("number(true())", 1.0), ("number(${dob})", 7489.0), ("number()", 42.0),
        ("string(12)", "12"), ("string(1 div 0)", "Infinity"), ("string(0 div 0)", "NaN"),
        ("string(1.50)", "1.5"), ("string(true())", "true"), ("string(${age})", "34"),
        ("string()", "42"), ("string(${missing})", ""),
        ("int(3.7)", 3.0), ("int(-3.7)", -3.0), ("int('12.9')", 12.0), ("int(${blank})", NAN),
        ("int(1 div 0)", math.inf),
    ], current_value="42")


def test_if_is_lazy_and_returns_raw_values():
    check([
        ("if(${age} > 18, 'adult', 'child')", "adult"),
        ("if(${blank} != '', 1, 0)", 0.0),
        ("if(true(), ${age}, 0)", NodeSet(["34"])),
        ("if(false(), nosuch(), 'ok')", "ok"),
        ("if('', 1, 2)", 2.0),
    ])


def test_coalesce():
    check([
        ("coalesce(${blank}, 'x')", "x"),
        ("coalesce(${age}, 'x')", NodeSet(["34"])),
        ("coalesce(${missing}, ${age})", NodeSet(["34"])),
        ("coalesce(0 div 0, 5)", 5.0),
        ("coalesce(0, 5)", 0.0),
        ("coalesce('a', nosuch())", "a"),  # lazy: the second argument is not evaluated
    ])


def test_once():
    assert ev("once(${age})", current_value="") == NodeSet(["34"])
    assert ev("once(${age})", current_value="7") == "7"
    first = ev("once(random())", current_value="")
    assert 0 <= first < 1
    assert ev("once(random())", current_value="0.5") == "0.5"


# --- numbers ------------------------------------------------------------------------------------

def test_round():
    check([
        ("round(2.5)", 3.0), ("round(2.4)", 2.0), ("round(-2.5)", -2.0), ("round(-2.6)", -3.0),
        ("round(1.005, 2)", 1.01), ("round(3.14159, 3)", 3.142), ("round(1234.5, -2)", 1200.0),
        ("round(1250, -2)", 1300.0), ("round(${num})", 3.0), ("round(${blank})", NAN),
        ("round(1 div 0)", math.inf), ("round(2.5, ${blank})", NAN), ("round(1, 99)", 1.0),
        ("round(12345678901234567890, 2)", 12345678901234567890.0),
    ])


def test_math_functions():
    check([
        ("pow(2, 10)", 1024.0), ("pow(${num}, 2)", 6.25), ("pow(-8, 1 div 3)", NAN),
        ("pow(0, -1)", math.inf), ("pow(10, 400)", math.inf), ("pow(${blank}, 2)", NAN),
        ("log(1)", 0.0), ("log(0)", -math.inf), ("log(-1)", NAN), ("log10(1000)", 3.0),
        ("abs(-3.5)", 3.5), ("abs(${blank})", NAN), ("sqrt(16)", 4.0), ("sqrt(-1)", NAN),
        ("exp(0)", 1.0), ("exp(1000)", math.inf), ("exp10(3)", 1000.0),
        ("sin(0)", 0.0), ("cos(0)", 1.0), ("tan(0)", 0.0), ("asin(1) * 2 = pi()", True),
        ("acos(1)", 0.0), ("acos(2)", NAN), ("atan(0)", 0.0), ("atan2(1, 1) * 4 = pi()", True),
        ("pi()", math.pi), ("floor(2.7)", 2.0), ("floor(-2.1)", -3.0), ("ceiling(2.1)", 3.0),
        ("ceiling(-2.7)", -2.0), ("floor(1 div 0)", math.inf), ("ceiling(${blank})", NAN),
    ])


def test_min_max():
    check([
        ("max(1, 5, 3)", 5.0), ("min(4, 2, 8)", 2.0), ("max(${m_age})", 40.0),
        ("min(${m_age})", 12.0),  # the blank age is skipped, as in JavaRosa
        ("max(${blank})", NAN), ("min(${missing})", NAN), ("max(${age}, 100)", 100.0),
        ("max('x', 2)", 2.0),
    ])


def test_random_and_uuid():
    values = {ev("random()") for _ in range(20)}
    assert all(0 <= v < 1 for v in values) and len(values) > 1
    u = ev("uuid()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u)
    assert ev("uuid()") != u
    assert re.fullmatch(r"[A-Za-z0-9]{12}", ev("uuid(12)"))
    assert ev("uuid(0)") == "" and ev("uuid(${blank})") == ""


# --- node-sets and repeats ----------------------------------------------------------------------

def test_count_sum_over_repeats():
    check([
        ("count(${members})", 3.0), ("count(${m_name})", 3.0), ("count(${age})", 1.0),
        ("count(${missing})", 0.0), ("count('abc')", NAN),
        ("count-non-empty(${m_age})", 2.0), ("count-non-empty(${blank})", 0.0),
        ("sum(${m_age})", 52.0), ("sum(${missing})", 0.0), ("sum(${sex})", 5.0),
        ("sum(${m_age}) div count-non-empty(${m_age})", 26.0),
        ("count(${m_age}[. > 1])" if False else "count(${members}) > 2", True),
    ])


def test_position_and_relative_paths():
    c = dict(current_repeat=("members", 2), current_value="12")
    check([
        ("position(..)", 2.0), ("position(..) = 2", True), ("../m_name", NodeSet(["Bình"])),
        ("${m_name}", NodeSet(["Bình"])),  # same instance: one value
        ("concat(position(..), ': ', ../m_name)", "2: Bình"), (". < 18", True),
        ("../sex = 2", True),
    ], **c)
    assert ev("position(..)", current_repeat=("members", 3)) == 3.0


def test_indexed_repeat():
    check([
        ("indexed-repeat(${m_name}, ${members}, 1)", "An"),
        ("indexed-repeat(${m_name}, ${members}, 3)", "Chi"),
        ("indexed-repeat(${m_name}, ${members}, 4)", ""),
        ("indexed-repeat(${m_name}, ${members}, 0)", "An"),  # JavaRosa: indexes below 1 are 1
        ("indexed-repeat(${m_name}, ${members}, ${blank})", ""),
        ("indexed-repeat(${m_age}, ${members}, 1 + 1) + 1", 13.0),
    ])
    # the usual "previous member" pattern inside the repeat
    assert ev("indexed-repeat(${m_name}, ${members}, position(..) - 1)",
              current_repeat=("members", 3)) == "Bình"


# --- strings ------------------------------------------------------------------------------------

def test_string_functions():
    check([
        ("concat('a', ${age}, 1.5, true())", "a341.5true"), ("concat()", ""),
        ("concat(${m_name})", "AnBìnhChi"), ("concat(${blank}, ${missing}, 'x')", "x"),
        ("join(', ', ${m_name})", "An, Bình, Chi"), ("join('-', 'a', 'b', 1)", "a-b-1"),
        ("join(', ')", ""), ("join(' ', ${missing})", ""),
        ("string-length('Nguyễn')", 6.0), ("string-length(${blank})", 0.0),
        ("string-length()", 7.0), ("string-length(12.50)", 4.0),
        ("normalize-space(${name})", "Nguyễn Văn An"), ("normalize-space()", "x y"),
        ("contains(${multi}, 'face')", True), ("contains('abc', '')", True),
        ("contains(${blank}, 'a')", False),
        ("starts-with(${text}, 'ab')", True), ("starts-with(${text}, 'b')", False),
        ("ends-with(${text}, 'bc')", True), ("ends-with(${text}, 'ab')", False),
        ("substring-before('2024-03-15', '-')", "2024"), ("substring-before('abc', 'x')", ""),
        ("substring-after('2024-03-15', '-')", "03-15"), ("substring-after('abc', 'x')", ""),
        ("substring-after('abc', '')", "abc"),
        ("translate('bar', 'abc', 'ABC')", "BAr"), ("translate('--aaa--', 'abc-', 'ABC')", "AAA"),
        ("translate('aba', 'aa', 'xy')", "xbx"),
    ], current_value=" x   y ")
    # string-length() without an argument measures the current value
    assert ev("string-length()", current_value="abc") == 3.0


def test_substr():
    check([
        ("substr('hello', 1)", "ello"), ("substr('hello', 1, 3)", "el"),
        ("substr('hello', 0, 1)", "h"), ("substr('hello', -3)", "llo"),
        ("substr('hello', 0, -1)", "hell"), ("substr('hello', 3, 1)", ""),
        ("substr('hello', 10)", ""), ("substr('hello', 1.9, 3.9)", "el"),
        ("substr('hello', ${blank})", ""), ("substr(${phone}, 0, 3)", "091"),
        ("substr('hello', 2, 1 div 0)", "llo"),
    ], values={**VALUES, "phone": "0912345678"})


def test_regex():
    check([
        ("regex('0912345678', '^0[0-9]{9}$')", True),
        ("regex('0912345678', '[0-9]{9}')", False),  # whole value must match, like JavaRosa
        ("regex('abc', 'a.c')", True), ("regex(${blank}, '.*')", True),
        ("regex('abc', concat('(', ''))", False),  # a bad computed pattern matches nothing
        ("regex(${name}, '.*Văn.*')", True),
        ("regex(12, '[0-9]+')", True),
    ])


def test_selected_family():
    check([
        ("selected(${multi}, 'zalo')", True), ("selected(${multi}, 'tiktok')", True),
        ("selected(${multi}, ' facebook ')", True), ("selected(${multi}, 'face')", False),
        ("selected(${blank}, 'zalo')", False), ("selected(${missing}, 'zalo')", False),
        ("selected(${multi}, '')", False), ("selected('1 2 3', 2)", True),
        ("count-selected(${multi})", 3.0), ("count-selected(${blank})", 0.0),
        ("count-selected('  a  ')", 1.0),
        ("selected-at(${multi}, 0)", "zalo"), ("selected-at(${multi}, 2)", "tiktok"),
        ("selected-at(${multi}, 3)", ""), ("selected-at(${multi}, -1)", ""),
        ("selected-at(${multi}, ${blank})", ""), ("selected-at(${multi}, '1')", "facebook"),
    ])


def test_digest_and_base64():
    data = "Nguyễn"
    sha256_b64 = base64.b64encode(hashlib.sha256(data.encode()).digest()).decode()
    check([
        ("digest('Nguyễn', 'SHA-256')", sha256_b64),
        ("digest('abc', 'MD5', 'hex')", hashlib.md5(b"abc").hexdigest()),
        ("digest('abc', 'sha-1', 'hex')", hashlib.sha1(b"abc").hexdigest()),
        ("digest('abc', 'SHA-512', 'hex')", hashlib.sha512(b"abc").hexdigest()),
        ("digest('abc', concat('CRC', 32))", ""), ("digest('abc', 'MD5', ${text})", ""),
        ("base64-decode('" + base64.b64encode(data.encode()).decode() + "')", data),
        ("base64-decode('%%%')", ""), ("base64-decode('/w==')", ""),
    ])


def test_choice_name():
    labels = {"district": {"bk": "Bắc Kạn", "cb": "Cao Bằng"}}
    check([
        ("jr:choice-name(${d}, '${district}')", "Cao Bằng"),
        ("jr:choice-name('bk', '/household/district')", "Bắc Kạn"),
        ("jr:choice-name('zz', '${district}')", ""),
        ("jr:choice-name(${blank}, '${district}')", ""),
    ], values={**VALUES, "d": "cb"}, choice_labels=labels)
    assert parse("jr:choice-name(${d}, '${district}')").references() == {"d", "district"}


def test_checklists():
    check([
        ("checklist(2, -1, ${flag1}, ${flag2}, ${flag3})", True),
        ("checklist(3, -1, ${flag1}, ${flag2}, ${flag3})", False),
        ("checklist(-1, 1, ${flag1}, ${flag2}, ${flag3})", False),
        ("checklist(-1, -1)", True), ("checklist(1, 1, true(), false())", True),
        ("checklist(2, 2, ${m_age})", True),  # node-set factors count node by node
        ("weighted-checklist(3, 5, true(), 2, true(), 1.5, false(), 10)", True),
        ("weighted-checklist(4, 5, true(), 2, true(), 1.5, false(), 10)", False),
        ("weighted-checklist(0, 0)", True),
        ("weighted-checklist(2, 2, ${m_name}, ${sex})", False),
        ("weighted-checklist(5, 5, ${m_name}, ${sex})", True),
    ])


# --- dates --------------------------------------------------------------------------------------

def test_today_now():
    check([("today()", "2024-03-15"), ("now()", "2024-03-15T09:05:07.123+07:00")])
    assert ev("now()", now=dt.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05.000"
    assert ev("now() > today()") is True
    assert ev("decimal-date-time(now()) - decimal-date-time(today())") == pytest.approx(
        (9 * 3600 + 5 * 60 + 7.123) / 86400)


def test_date_conversions():
    check([
        ("date('2024-02-29')", "2024-02-29"), ("date(0)", "1970-01-01"),
        ("date(19797)", "2024-03-15"), ("date(19797.9)", "2024-03-15"),
        ("date(-1)", "1969-12-31"), ("date('19797')", ""),
        ("date(${start})", "2024-03-15"), ("date(${blank})", ""), ("date('abc')", ""),
        ("date('2023-02-29')", ""), ("date(0 div 0)", ""), ("date(1 div 0)", ""),
        ("date(today() + 30)", "2024-04-14"), ("date(${dob} - 4)", "1990-06-30"),
        ("date-time(0)", "1970-01-01T00:00:00.000"),
        ("date-time(19797.5)", "2024-03-15T12:00:00.000"),
        ("date-time('2024-03-15')", "2024-03-15T00:00:00.000"),
        ("date-time(${blank})", ""),
        ("decimal-date-time('1970-01-02T06:00:00')", 1.25),
        ("decimal-date-time(${start})", 19797 + 8.5 / 24),
        ("decimal-date-time('x')", NAN),
        ("decimal-time('06:00:00.000+07:00')", 0.25), ("decimal-time('18:00')", 0.75),
        ("decimal-time(${start})", 8.5 / 24), ("decimal-time(2.25)", 0.25),
        ("decimal-time('25:00')", NAN), ("decimal-time(${blank})", NAN),
    ])


def test_format_date():
    check([
        ("format-date(${dob}, '%Y-%m-%d')", "1990-07-04"),
        ("format-date(${dob}, '%d/%m/%y')", "04/07/90"),
        ("format-date(${dob}, '%e/%n/%Y')", "4/7/1990"),
        ("format-date(${dob}, '%a %b')", "Wed Jul"),
        ("format-date(${start}, '%H:%M:%S')", "08:30:00"),
        ("format-date-time(${start}, '%Y-%m-%d %H:%M:%S.%3 %h')", "2024-03-15 08:30:00.000 8"),
        ("format-date(today(), 'Ngày %e tháng %n năm %Y')", "Ngày 15 tháng 3 năm 2024"),
        ("format-date(19797, '%d')", "15"), ("format-date(${blank}, '%Y')", ""),
        ("format-date('nonsense', '%Y')", ""), ("format-date(${dob}, '100%% %q')", "100% %q"),
        ("format-date-time(now(), '%H:%M')", "09:05"),
    ])


def test_literal_arguments_are_checked_at_load_time():
    # RE2 knows Java's \p{L} (letters of every script) but has no backreferences.
    parse("regex(., '\\p{L}+')")
    parse("regex(., '(a)\\1')")  # a backreference runs on the fallback engine (issue 26)
    for text, position in [("regex(., '(')", 9), ("regex(., '[b-a]')", 9),
                           ("digest(., 'CRC32')", 10), ("digest(., 'MD5', 'base32')", 17)]:
        with pytest.raises(ExprUnsupportedError) as info:
            parse(text)
        assert info.value.position == position, text
    parse("regex(., '^[0-9]{10}$')")
    parse("digest(., 'sha-256', 'HEX')")


def test_regex_with_nested_quantifiers_is_linear():
    # Backtracking engines take seconds here, doubling per character (issue 14); RE2 does not.
    expr = parse("regex(${a}, '^([a-zA-Z0-9]+\\s?)*$')")
    assert expr.evaluate(DictContext({"a": "a" * 5000 + "!"})) is False
    assert expr.evaluate(DictContext({"a": "Lo Van Ha 42"})) is True
