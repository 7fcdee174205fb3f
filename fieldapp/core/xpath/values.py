"""XPath 1.0 values and their conversions, with the ODK/JavaRosa extensions forms rely on.

A value is a ``str``, a ``float``, a ``bool`` or a :class:`NodeSet` (the string values of the
instance nodes a reference selected). Conversions never raise: bad data gives NaN, '' or False.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import lru_cache
from typing import Union

from fieldapp.core.xpath.dates import days_from_datetime, is_date_text, parse_datetime

NAN = math.nan
INF = math.inf
TOLERANCE = 1e-12
"""Numbers closer than this are equal, and a number this close to 0 is false (JavaRosa's rule,
so that a constraint ``${t} = ${a} + ${b}`` accepts 6.1 - 7.8 = -1.7)."""


class NodeSet(tuple):
    """String values of the selected instance nodes, in document order."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"NodeSet({list(self)!r})"


Value = Union[str, float, bool, NodeSet]

# XPath's Number production (no exponent, no '+'); ',' is accepted as the decimal mark like
# JavaRosa does, since some keyboards and locales type it.
_NUMBER_RE = re.compile(r"\s*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*\Z")


@lru_cache(maxsize=8192)
def string_to_number(text: str) -> float:
    """number() of a string: a decimal, or days since 1970-01-01 for a date/date-time, else NaN."""
    m = _NUMBER_RE.match(text)
    if m is None and "," in text:
        m = _NUMBER_RE.match(text.replace(",", "."))
    if m is not None:
        return float(m[1])
    if is_date_text(text):
        value = parse_datetime(text)
        if value is not None:
            return days_from_datetime(value)
    return NAN


def number_to_string(x: float) -> str:
    """XPath string() of a number: integers without '.0', 'NaN', 'Infinity', never an exponent."""
    if x != x:
        return "NaN"
    if x == INF:
        return "Infinity"
    if x == -INF:
        return "-Infinity"
    if x == int(x):
        return str(int(x))  # also turns -0.0 into '0'
    text = repr(x)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


def to_string(value: Value) -> str:
    """XPath string(): first node of a node-set ('' if empty), 'true'/'false', number formatting."""
    if isinstance(value, str):
        return value
    if isinstance(value, NodeSet):
        return value[0] if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return number_to_string(value)


def to_number(value: Value) -> float:
    """XPath number(): '' and non-numeric text give NaN; dates give days since 1970-01-01."""
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        return string_to_number(value)
    if isinstance(value, NodeSet):
        return string_to_number(value[0]) if value else NAN
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    return float(value)


def to_boolean(value: Value) -> bool:
    """boolean(): non-empty string, non-zero non-NaN number, non-empty node-set.

    One deliberate departure from XPath 1.0, following JavaRosa (ODK Collect): a node-set of
    exactly one node counts as that node's string, so an unanswered ``${x}`` is false in
    ``relevant = ${x}`` or ``if(${x}, ...)``, as form authors who test in Collect expect.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value != ""
    if isinstance(value, NodeSet):
        return len(value) > 1 or (len(value) == 1 and value[0] != "")
    return value == value and abs(value) > TOLERANCE


def numbers_equal(x: float, y: float) -> bool:
    """Number equality within :data:`TOLERANCE` (infinities equal themselves, NaN nothing)."""
    return x == y or abs(x - y) < TOLERANCE


# --- comparison ---------------------------------------------------------------------------------

def _eq_atomic(a: str | float | bool, b: str | float | bool) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return to_boolean(a) == to_boolean(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return numbers_equal(to_number(a), to_number(b))


_RELATIONS = {
    "<": lambda x, y: x < y,
    "<=": lambda x, y: x <= y,
    ">": lambda x, y: x > y,
    ">=": lambda x, y: x >= y,
}


def equals(a: Value, b: Value) -> bool:
    """XPath '=': existential over node-sets; else booleans, then numbers, then strings."""
    a_ns, b_ns = isinstance(a, NodeSet), isinstance(b, NodeSet)
    if a_ns or b_ns:
        if a_ns and b_ns:
            bs = set(b)
            return any(x in bs for x in a)
        nodes, other = (a, b) if a_ns else (b, a)
        if isinstance(other, bool):
            return to_boolean(nodes) == other
        return any(_eq_atomic(x, other) for x in nodes)
    return _eq_atomic(a, b)


def not_equals(a: Value, b: Value) -> bool:
    """XPath '!=': true if SOME pair differs (so it is not simply ``not equals``)."""
    a_ns, b_ns = isinstance(a, NodeSet), isinstance(b, NodeSet)
    if a_ns or b_ns:
        if a_ns and b_ns:
            return any(x != y for x in a for y in b)
        nodes, other = (a, b) if a_ns else (b, a)
        if isinstance(other, bool):
            return to_boolean(nodes) != other
        return any(not _eq_atomic(x, other) for x in nodes)
    return not _eq_atomic(a, b)


def relate(op: str, a: Value, b: Value) -> bool:
    """XPath '<', '<=', '>', '>=': numeric (dates as days), existential over node-sets."""
    rel = _RELATIONS[op]
    a_ns, b_ns = isinstance(a, NodeSet), isinstance(b, NodeSet)
    if a_ns and isinstance(b, bool):
        a, a_ns = to_boolean(a), False
    if b_ns and isinstance(a, bool):
        b, b_ns = to_boolean(b), False
    if a_ns or b_ns:
        xs = [string_to_number(s) for s in a] if a_ns else [to_number(a)]
        ys = [string_to_number(s) for s in b] if b_ns else [to_number(b)]
        return any(rel(x, y) for x in xs for y in ys)
    return rel(to_number(a), to_number(b))


# --- arithmetic ----------------------------------------------------------------------------------

def divide(a: float, b: float) -> float:
    """XPath 'div': IEEE division, so x div 0 is ±Infinity and 0 div 0 is NaN."""
    if b == 0:
        if a != a or a == 0:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)
    return a / b


def modulo(a: float, b: float) -> float:
    """XPath 'mod': remainder of truncating division (sign of the dividend), NaN for mod 0."""
    if b == 0 or a != a or b != b or math.isinf(a):
        return NAN
    return math.fmod(a, b)
