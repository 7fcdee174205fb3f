"""How the expression functions are declared: :class:`FunctionSpec`, :func:`register` and the
load-time :func:`check_call`, plus argument helpers several families of functions share.

Each function is registered with its arity and a *builder* that turns the compiled argument
closures into one closure ``ctx -> value``. Most functions are eager (:func:`_eager` evaluates
the arguments first); lazy ones (``if``, ``coalesce``, ``once``, ``indexed-repeat``) see
unevaluated arguments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from fieldapp.core.xpath.errors import ExprArityError, Message
from fieldapp.core.xpath.nodes import Call, Node
from fieldapp.core.xpath.values import NodeSet, Value, to_number
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


# --- argument helpers ---------------------------------------------------------------------------

def truncate(x: float) -> float:
    """JavaRosa int(): truncate toward zero; NaN and infinities pass through."""
    if x != x or math.isinf(x):
        return x
    return float(math.trunc(x))


def flatten(values: Sequence[Value]) -> list[str | float | bool]:
    """Arguments with node-sets spread into their node strings (concat, join, max, checklist)."""
    out: list[str | float | bool] = []
    for v in values:
        if isinstance(v, NodeSet):
            out.extend(v)
        else:
            out.append(v)
    return out


def numbers(values: Sequence[Value]) -> list[float]:
    """The arguments (node-sets spread) as numbers, blanks and text (NaN) left out."""
    return [x for x in (to_number(v) for v in flatten(values)) if x == x]
