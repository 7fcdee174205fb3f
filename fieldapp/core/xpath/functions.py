"""The function library: ODK's "form operators and functions", minus geo and external data.

Each function is registered with its arity and a *builder* that turns the compiled argument
closures into one closure ``ctx -> value``. Most functions are eager (:func:`_eager` evaluates the
arguments first); ``if``, ``coalesce``, ``once`` and ``indexed-repeat`` see unevaluated arguments.
Implementations never raise for bad data: they return NaN, '' or False as XPath does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import random
import re
import secrets
import string
import uuid as _uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Sequence

from fieldapp.core.xpath import dates
from fieldapp.core.xpath.errors import ExprArityError, ExprUnsupportedError, Message
from fieldapp.core.xpath.nodes import Call, Current, Literal, Node, Path, Ref
from fieldapp.core.xpath.values import (
    NAN, NodeSet, Value, string_to_number, to_boolean, to_number, to_string)
from fieldapp.i18n.catalog import N_

if TYPE_CHECKING:
    from fieldapp.core.xpath.context import EvalContext

Closure = Callable[["EvalContext"], Value]
Builder = Callable[[Sequence[Closure], Sequence[Node]], Closure]


@dataclass(frozen=True)
class FunctionSpec:
    """A supported function: name, allowed argument counts, and how to build its closure."""

    name: str
    min_args: int
    max_args: int | None  # None: any number
    build: Builder
    arity_text: Message
    reads_current: bool = False  # uses the current node's value ('.'), e.g. once()
    extra_check: Callable[[Call, str], None] | None = None

    def accepts(self, count: int) -> bool:
        if count < self.min_args or (self.max_args is not None and count > self.max_args):
            return False
        if self.name == "indexed-repeat":
            return count % 2 == 1
        if self.name == "weighted-checklist":
            return count % 2 == 0
        return True


FUNCTIONS: dict[str, FunctionSpec] = {}


def _arity_text(lo: int, hi: int | None) -> Message:
    # Separate sentences for 1 rather than ngettext: the count is fixed per function, and each
    # English sentence stays whole for the translator.
    if hi is None:
        return Message(N_("at least 1 argument")) if lo == 1 else Message(
            N_("at least {count} arguments"), count=lo)
    if lo == hi:
        return Message(N_("exactly 1 argument")) if lo == 1 else Message(
            N_("exactly {count} arguments"), count=lo)
    if hi == lo + 1:
        return Message(N_("{low} or {high} arguments"), low=lo, high=hi)
    return Message(N_("{low} to {high} arguments"), low=lo, high=hi)


def _eager(impl: Callable[..., Value]) -> Builder:
    """Builder for functions that take evaluated arguments: ``impl(ctx, *values)``."""

    def build(args: Sequence[Closure], nodes: Sequence[Node]) -> Closure:
        if not args:
            return lambda ctx: impl(ctx)
        if len(args) == 1:
            (a,) = args
            return lambda ctx: impl(ctx, a(ctx))
        if len(args) == 2:
            a, b = args
            return lambda ctx: impl(ctx, a(ctx), b(ctx))
        return lambda ctx: impl(ctx, *[f(ctx) for f in args])

    return build


def register(name: str, lo: int, hi: int | None = -1, *, lazy: bool = False,
             arity_text: Message | None = None, reads_current: bool = False,
             check: Callable[[Call, str], None] | None = None):
    """Decorator adding a function to :data:`FUNCTIONS`. ``hi=-1`` means exactly ``lo``."""
    if hi == -1:
        hi = lo

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        FUNCTIONS[name] = FunctionSpec(
            name, lo, hi, fn if lazy else _eager(fn), arity_text or _arity_text(lo, hi),
            reads_current, check)
        return fn

    return deco


def check_call(node: Call, text: str) -> None:
    """Load-time checks of a call to a known function: argument count and argument kinds.

    Unknown functions pass here; :meth:`Expr.unsupported_functions` and ``parse(strict=True)``
    report them.
    """
    spec = FUNCTIONS.get(node.name)
    if spec is None:
        return
    if not spec.accepts(len(node.args)):
        given = len(node.args)
        raise ExprArityError(
            Message(N_("{name}() takes {arity}, {given} given"), name=node.name,
                    arity=spec.arity_text, given=given), node.pos, text)
    if spec.extra_check is not None:
        spec.extra_check(node, text)


# --- helpers ------------------------------------------------------------------------------------

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


def _int(x: float) -> float:
    """JavaRosa int(): truncate toward zero; NaN and infinities pass through."""
    if x != x or math.isinf(x):
        return x
    return float(math.trunc(x))


def _flatten(values: Sequence[Value]) -> list[str | float | bool]:
    """Arguments with node-sets spread into their node strings (concat, join, max, checklist)."""
    out: list[str | float | bool] = []
    for v in values:
        if isinstance(v, NodeSet):
            out.extend(v)
        else:
            out.append(v)
    return out


def _choices(value: Value) -> list[str]:
    return to_string(value).split()


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _date_of(value: Value) -> "dates.dt.datetime | None":
    """A datetime from a date/date-time string or a number of days; None if it is neither."""
    if isinstance(value, NodeSet):
        value = value[0] if value else ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        parsed = dates.parse_datetime(value)
        if parsed is not None:
            return parsed
        number = string_to_number(value)
        return dates.datetime_from_days(number) if number == number else None
    return dates.datetime_from_days(value)


# --- logic and conversion -----------------------------------------------------------------------

@register("true", 0)
def _true(ctx):
    return True


@register("false", 0)
def _false(ctx):
    return False


@register("not", 1)
def _not(ctx, a):
    return not to_boolean(a)


@register("boolean", 1)
def _boolean(ctx, a):
    return to_boolean(a)


@register("boolean-from-string", 1)
def _boolean_from_string(ctx, a):
    s = to_string(a).strip()
    return s.lower() == "true" or s == "1"


@register("number", 0, 1, reads_current=True)
def _number(ctx, *a):
    return to_number(a[0]) if a else string_to_number(ctx.current())


@register("string", 0, 1, reads_current=True)
def _string(ctx, *a):
    return to_string(a[0]) if a else ctx.current()


@register("int", 1)
def _int_fn(ctx, a):
    return _int(to_number(a))


@register("if", 3, lazy=True)
def _if(args, nodes):
    cond, then, other = args
    return lambda ctx: then(ctx) if to_boolean(cond(ctx)) else other(ctx)


@register("coalesce", 2, lazy=True)
def _coalesce(args, nodes):
    first, second = args

    def run(ctx):
        v = first(ctx)
        if isinstance(v, float):
            return v if v == v else second(ctx)
        if isinstance(v, bool):
            return v
        return v if to_string(v) != "" else second(ctx)

    return run


@register("once", 1, lazy=True, reads_current=True)
def _once(args, nodes):
    (expr,) = args

    def run(ctx):
        current = ctx.current()
        return current if current != "" else expr(ctx)

    return run


# --- numbers ------------------------------------------------------------------------------------

def _round(x: float, places: float = 0.0) -> float:
    """ODK round(): half toward +Infinity (XPath), to ``places`` decimals (may be negative)."""
    if x != x or math.isinf(x) or places != places:
        return x if x != x or math.isinf(x) else NAN
    places = int(places)
    if abs(places) > 30:
        return NAN
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


def _numbers(values: Sequence[Value]) -> list[float]:
    return [x for x in (to_number(v) for v in _flatten(values)) if x == x]


@register("max", 1, None)
def _max(ctx, *values):
    xs = _numbers(values)  # like JavaRosa, blanks (NaN) are skipped
    return max(xs) if xs else NAN


@register("min", 1, None)
def _min(ctx, *values):
    xs = _numbers(values)
    return min(xs) if xs else NAN


@register("random", 0)
def _random(ctx):
    return random.random()


# --- node-sets ----------------------------------------------------------------------------------

@register("count", 1)
def _count(ctx, a):
    return float(len(a)) if isinstance(a, NodeSet) else NAN


@register("count-non-empty", 1)
def _count_non_empty(ctx, a):
    return float(sum(1 for s in a if s != "")) if isinstance(a, NodeSet) else NAN


@register("sum", 1)
def _sum(ctx, a):
    # JavaRosa skips NaN (unanswered) values rather than letting one blank poison the total.
    return math.fsum(_numbers([a]))


def _position_check(node: Call, text: str) -> None:
    arg = node.args[0]
    if not isinstance(arg, (Path, Current, Ref)):
        raise ExprArityError(Message(N_("position() takes a path such as .. (position(..))")),
                             arg.pos, text)


@register("position", 1, lazy=True, check=_position_check)
def _position(args, nodes):
    arg = nodes[0]
    if isinstance(arg, Path) and arg.path == "..":
        return lambda ctx: float(ctx.position())
    if isinstance(arg, Ref):
        path = "${" + arg.name + "}"
    else:
        path = "." if isinstance(arg, Current) else arg.path
    return lambda ctx: float(ctx.position(path))


def _indexed_repeat_check(node: Call, text: str) -> None:
    for i, arg in enumerate(node.args):
        if (i == 0 or i % 2 == 1) and not isinstance(arg, (Ref, Path)):
            message = Message(N_("argument 1 of indexed-repeat() must be the field as {example}"),
                              example="${name}") if i == 0 else Message(
                N_("argument {number} of indexed-repeat() must be a repeat as {example}"),
                number=i + 1, example="${name}")
            raise ExprArityError(message, arg.pos, text)


def _ref_name(node: Node) -> str:
    return node.name if isinstance(node, Ref) else node.path.rsplit("/", 1)[-1]


@register("indexed-repeat", 3, 11, lazy=True, check=_indexed_repeat_check,
          arity_text=Message(N_("3, 5, 7, 9 or 11 arguments")))
def _indexed_repeat(args, nodes):
    name = _ref_name(nodes[0])
    repeats = [_ref_name(n) for n in nodes[1::2]]
    indexes = list(args[2::2])

    def run(ctx):
        pairs = []
        for repeat, index in zip(repeats, indexes):
            i = to_number(index(ctx))
            if i != i or math.isinf(i):
                return ""
            pairs.append((repeat, max(1, int(i))))  # JavaRosa treats 0 and below as 1
        return ctx.indexed_repeat(name, pairs[0][0], pairs[0][1], *pairs[1:])

    return run


# --- strings ------------------------------------------------------------------------------------

@register("concat", 0, None)
def _concat(ctx, *values):
    return "".join(to_string(v) for v in _flatten(values))


@register("join", 1, None)
def _join(ctx, sep, *values):
    return to_string(sep).join(to_string(v) for v in _flatten(values))


@register("string-length", 0, 1, reads_current=True)
def _string_length(ctx, *a):
    return float(len(to_string(a[0]) if a else ctx.current()))


@register("normalize-space", 0, 1, reads_current=True)
def _normalize_space(ctx, *a):
    return " ".join((to_string(a[0]) if a else ctx.current()).split())


@register("contains", 2)
def _contains(ctx, a, b):
    return to_string(b) in to_string(a)


@register("starts-with", 2)
def _starts_with(ctx, a, b):
    return to_string(a).startswith(to_string(b))


@register("ends-with", 2)
def _ends_with(ctx, a, b):
    return to_string(a).endswith(to_string(b))


@register("substr", 2, 3)
def _substr(ctx, s, start, *end):
    text = to_string(s)
    n = len(text)
    a = _int(to_number(start))
    b = _int(to_number(end[0])) if end else float(n)
    if a != a or b != b:
        return ""
    a = max(-1e18, min(1e18, a))
    b = max(-1e18, min(1e18, b))
    a, b = int(a), int(b)
    if a < 0:
        a += n
    if b < 0:
        b += n
    a, b = min(max(0, a), n), min(max(0, b), n)
    return text[a:b] if a <= b else ""


@register("substring-before", 2)
def _substring_before(ctx, a, b):
    s, t = to_string(a), to_string(b)
    i = s.find(t)
    return s[:i] if i >= 0 else ""


@register("substring-after", 2)
def _substring_after(ctx, a, b):
    s, t = to_string(a), to_string(b)
    i = s.find(t)
    return s[i + len(t):] if i >= 0 else ""


@register("translate", 3)
def _translate(ctx, a, b, c):
    s, src, dst = to_string(a), to_string(b), to_string(c)
    table: dict[int, int | None] = {}
    for i, ch in enumerate(src):
        if ord(ch) not in table:  # XPath: the first occurrence in the second argument wins
            table[ord(ch)] = ord(dst[i]) if i < len(dst) else None
    return s.translate(table)


def _regex_check(node: Call, text: str) -> None:
    """A literal pattern Python's re cannot compile (e.g. Java's \\p{L}) is a load-time error,
    not a constraint that silently never matches."""
    arg = node.args[1]
    if isinstance(arg, Literal):
        try:
            re.compile(arg.value)
        except re.error as err:
            # Python's own wording of the pattern error stays English, framed by the sentence.
            raise ExprUnsupportedError(
                Message(N_("regex() pattern '{pattern}' is not supported: {detail}"),
                        pattern=arg.value, detail=str(err)), arg.pos, text) from None


@register("regex", 2, check=_regex_check)
def _regex_fn(ctx, a, b):
    # JavaRosa uses Pattern.matches: the whole value must match. An invalid pattern matches nothing.
    pattern = _regex(to_string(b))
    return pattern is not None and pattern.fullmatch(to_string(a)) is not None


@register("selected", 2)
def _selected(ctx, a, b):
    return to_string(b).strip() in _choices(a)


@register("count-selected", 1)
def _count_selected(ctx, a):
    return float(len(_choices(a)))


@register("selected-at", 2)
def _selected_at(ctx, a, b):
    items = _choices(a)
    i = _int(to_number(b))
    if i != i or math.isinf(i) or not 0 <= i < len(items):
        return ""
    return items[int(i)]


_UUID_ALPHABET = string.ascii_letters + string.digits


@register("uuid", 0, 1)
def _uuid_fn(ctx, *length):
    if not length:
        return str(_uuid.uuid4())
    n = _int(to_number(length[0]))
    if n != n or n <= 0 or n > 10_000:
        return ""
    return "".join(secrets.choice(_UUID_ALPHABET) for _ in range(int(n)))


_DIGESTS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
            "SHA-512": "sha512"}


def _digest_check(node: Call, text: str) -> None:
    algorithm = node.args[1]
    if isinstance(algorithm, Literal) and algorithm.value.strip().upper() not in _DIGESTS:
        raise ExprUnsupportedError(
            Message(N_("digest() algorithm '{algorithm}' is not one of {known}"),
                    algorithm=algorithm.value, known=", ".join(_DIGESTS)), algorithm.pos, text)
    if len(node.args) == 3:
        encoding = node.args[2]
        if isinstance(encoding, Literal) and encoding.value.strip().lower() not in (
                "base64", "hex"):
            raise ExprUnsupportedError(
                Message(N_("digest() encoding '{encoding}' is not base64 or hex"),
                        encoding=encoding.value), encoding.pos, text)


@register("digest", 2, 3, check=_digest_check)
def _digest(ctx, data, algorithm, *encoding):
    algo = _DIGESTS.get(to_string(algorithm).strip().upper())
    enc = to_string(encoding[0]).strip().lower() if encoding else "base64"
    if algo is None or enc not in ("base64", "hex"):
        return ""
    raw = hashlib.new(algo, to_string(data).encode("utf-8")).digest()
    return raw.hex() if enc == "hex" else base64.b64encode(raw).decode("ascii")


@register("base64-decode", 1)
def _base64_decode(ctx, a):
    try:
        return base64.b64decode(to_string(a), validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""


def _choice_name_check(node: Call, text: str) -> None:
    arg = node.args[1]
    if not (isinstance(arg, Literal) and _choice_field(arg.value)) and not isinstance(arg, Ref):
        raise ExprArityError(
            Message(N_("the second argument of jr:choice-name() must name the question, "
                       "as in {example}"), example="jr:choice-name(${q}, '${q}')"), arg.pos, text)


def _choice_field(text: str) -> str:
    """Field name from the quoted reference jr:choice-name takes: '${q}' or '/data/.../q'."""
    text = text.strip()
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1].strip()
    if text.startswith("/"):
        return text.rstrip("/").rsplit("/", 1)[-1]
    return ""


def choice_name_field(node: Call) -> str:
    """The question a jr:choice-name call refers to (for references())."""
    arg = node.args[1]
    return arg.name if isinstance(arg, Ref) else _choice_field(arg.value)


@register("jr:choice-name", 2, lazy=True, check=_choice_name_check)
def _choice_name(args, nodes):
    value = args[0]
    field = choice_name_field(Call("jr:choice-name", tuple(nodes)))
    return lambda ctx: ctx.choice_label(field, to_string(value(ctx)).strip())


@register("checklist", 2, None)
def _checklist(ctx, lo, hi, *factors):
    low, high = _int(to_number(lo)), _int(to_number(hi))
    count = sum(1 for f in _flatten(factors) if to_boolean(f))
    return (low != low or low < 0 or count >= low) and (high != high or high < 0 or count <= high)


@register("weighted-checklist", 2, None,
          arity_text=Message(N_("an even number of arguments, at least 2")))
def _weighted_checklist(ctx, lo, hi, *pairs):
    low, high = to_number(lo), to_number(hi)
    if len(pairs) == 2 and all(isinstance(p, NodeSet) for p in pairs):
        flags, weights = list(pairs[0]), list(pairs[1])
        if len(flags) != len(weights):
            return False
    else:
        flags, weights = list(pairs[0::2]), list(pairs[1::2])
    total = 0.0
    for flag, weight in zip(flags, weights):
        if to_boolean(flag):
            total += to_number(weight)
    return low <= total <= high


# --- dates --------------------------------------------------------------------------------------

@register("today", 0)
def _today(ctx):
    return dates.date_text(ctx.today())


@register("now", 0)
def _now(ctx):
    return dates.datetime_text(ctx.now())


@register("date", 1)
def _date(ctx, a):
    if isinstance(a, NodeSet):
        a = a[0] if a else ""
    if isinstance(a, str) and a.strip() and dates.parse_datetime(a) is None:
        a = string_to_number(a)
    if isinstance(a, float):
        a = _int(a)  # JavaRosa truncates a day count toward zero
    value = _date_of(a)
    return dates.date_text(value) if value is not None else ""


@register("date-time", 1)
def _date_time(ctx, a):
    value = _date_of(a)
    return dates.datetime_text(value) if value is not None else ""


@register("decimal-date-time", 1)
def _decimal_date_time(ctx, a):
    value = _date_of(a)
    return dates.days_from_datetime(value) if value is not None else NAN


@register("decimal-time", 1)
def _decimal_time(ctx, a):
    if isinstance(a, float):
        return a - math.floor(a) if a == a and not math.isinf(a) else NAN
    return dates.time_fraction(to_string(a))


@register("format-date", 2)
def _format_date(ctx, a, fmt):
    value = _date_of(a)
    return dates.format_datetime(value, to_string(fmt)) if value is not None else ""


@register("format-date-time", 2)
def _format_date_time(ctx, a, fmt):
    value = _date_of(a)
    return dates.format_datetime(value, to_string(fmt)) if value is not None else ""


SUPPORTED_FUNCTIONS: frozenset[str] = frozenset(FUNCTIONS)
READS_CURRENT: frozenset[str] = frozenset(n for n, s in FUNCTIONS.items() if s.reads_current)
