"""Node-sets and repeats: count(), count-non-empty(), sum(), position() and indexed-repeat()."""

from __future__ import annotations

import math

from fieldapp.core.xpath.errors import ExprArityError, Message
from fieldapp.core.xpath.functions.registry import numbers, register
from fieldapp.core.xpath.nodes import Call, Current, Node, Path, Ref
from fieldapp.core.xpath.values import NAN, NodeSet, to_number
from fieldapp.i18n.catalog import N_


@register("randomize", 1, 2)
def _randomize(ctx, nodes, *seed):
    """The node-set shuffled; with a seed always the same way for the same seed."""
    import random

    if not isinstance(nodes, NodeSet):
        return NodeSet()
    items = list(nodes)
    rng = random.Random(to_number(seed[0]) if seed else None)
    rng.shuffle(items)
    return NodeSet(items)


@register("count", 1)
def _count(ctx, a):
    return float(len(a)) if isinstance(a, NodeSet) else NAN


@register("count-non-empty", 1)
def _count_non_empty(ctx, a):
    return float(sum(1 for s in a if s != "")) if isinstance(a, NodeSet) else NAN


@register("sum", 1)
def _sum(ctx, a):
    # JavaRosa skips NaN (unanswered) values rather than letting one blank poison the total.
    xs = numbers([a])
    try:
        return math.fsum(xs)
    except OverflowError:  # the exact sum overflows: the plain one gives the infinity
        return sum(xs)
    except ValueError:  # +inf and -inf
        return NAN


def _position_check(node: Call, text: str) -> None:
    if not node.args:
        return
    arg = node.args[0]
    if not isinstance(arg, (Path, Current, Ref)):
        raise ExprArityError(Message(N_("position() takes a path such as .. (position(..))")),
                             arg.pos, text)


@register("position", 0, 1, lazy=True, check=_position_check)
def _position(args, nodes):
    if not nodes:  # inside a predicate: the candidate's position; elsewhere the row's
        return lambda ctx: float(ctx.position())
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
