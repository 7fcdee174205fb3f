"""Numbers: round() as ODK rounds, the math functions (domain errors give NaN, overflows
Infinity), pow(), max(), min() and random()."""

from __future__ import annotations

import math
import random
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Callable

from fieldapp.core.xpath.functions.registry import numbers, register
from fieldapp.core.xpath.values import NAN, to_number


def _num_fn(fn: Callable[..., float]) -> Callable[..., float]:
    """Wrap a math function so domain errors give NaN and overflows give Infinity."""

    def safe(*xs: float) -> float:
        try:
            return float(fn(*xs))
        except ValueError:
            return NAN
        except OverflowError:
            return math.inf
        except ZeroDivisionError:
            return NAN

    return safe


def _round(x: float, places: float = 0.0) -> float:
    """ODK round(): half toward +Infinity (XPath), to ``places`` decimals (may be negative)."""
    if x != x or math.isinf(x) or places != places:
        return x if x != x or math.isinf(x) else NAN
    if places > 30:
        return x  # more decimals than a double holds: nothing to round
    if places < -330:
        return math.copysign(0.0, x)
    places = int(places)
    if places >= 0 and abs(x) >= 2.0 ** 52:
        return x  # already a whole number; Decimal would only lose precision here
    try:
        d = Decimal(repr(x))
        q = Decimal(1).scaleb(-places)
        mode = ROUND_HALF_UP if x >= 0 else ROUND_HALF_DOWN
        return float(d.quantize(q, rounding=mode)) if places >= 0 else float(
            (d / q).quantize(Decimal(1), rounding=mode) * q)
    except InvalidOperation:  # beyond Decimal's precision: far too large to change
        return x


@register("round", 1, 2)
def _round_fn(ctx, a, *places):
    return _round(to_number(a), to_number(places[0]) if places else 0.0)


_UNARY_MATH = {
    "abs": abs, "floor": math.floor, "ceiling": math.ceil, "sqrt": math.sqrt,
    "exp": math.exp, "exp10": lambda x: 10.0 ** x, "sin": math.sin, "cos": math.cos,
    "tan": math.tan, "asin": math.asin, "acos": math.acos, "atan": math.atan,
}


def _log(x: float) -> float:
    if x == 0:
        return -math.inf
    return math.log(x)


def _log10(x: float) -> float:
    if x == 0:
        return -math.inf
    return math.log10(x)


_UNARY_MATH["log"] = _log
_UNARY_MATH["log10"] = _log10


def _register_unary(name: str, fn: Callable[[float], float]) -> None:
    safe = _num_fn(fn)

    def impl(ctx, a):
        x = to_number(a)
        if x != x:
            return NAN
        if math.isinf(x) and name in ("floor", "ceiling"):
            return x
        return safe(x)

    register(name, 1)(impl)


for _name, _fn in _UNARY_MATH.items():
    _register_unary(_name, _fn)


@register("pow", 2)
def _pow(ctx, a, b):
    x, y = to_number(a), to_number(b)
    try:
        r = math.pow(x, y)
    except OverflowError:
        return math.inf if x > 0 or y == int(y) and int(y) % 2 == 0 else -math.inf
    except ValueError:
        if x == 0 and y < 0:  # 0 to a negative power
            return math.inf
        return NAN
    return r


@register("atan2", 2)
def _atan2(ctx, a, b):
    return math.atan2(to_number(a), to_number(b))


@register("pi", 0)
def _pi(ctx):
    return math.pi


@register("max", 1, None)
def _max(ctx, *values):
    xs = numbers(values)  # like JavaRosa, blanks (NaN) are skipped
    return max(xs) if xs else NAN


@register("min", 1, None)
def _min(ctx, *values):
    xs = numbers(values)
    return min(xs) if xs else NAN


@register("random", 0)
def _random(ctx):
    return random.random()
