"""Turn a syntax tree into nested closures ``ctx -> value`` so evaluation does no tree dispatch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from fieldapp.core.xpath.errors import ExprUnsupportedError, Message
from fieldapp.core.xpath.functions import FUNCTIONS
from fieldapp.core.xpath.nodes import Binary, Call, Current, Literal, Neg, Node, Number, Path, Ref
from fieldapp.core.xpath.values import (
    NodeSet, Value, divide, equals, modulo, not_equals, relate, to_boolean, to_number)
from fieldapp.i18n.catalog import N_

if TYPE_CHECKING:
    from fieldapp.core.xpath.context import EvalContext

Closure = Callable[["EvalContext"], Value]


def compile_tree(node: Node, text: str = "") -> Closure:
    """A closure evaluating ``node``; unknown functions compile to a closure that raises."""
    if isinstance(node, Literal):
        s = node.value
        return lambda ctx: s
    if isinstance(node, Number):
        x = node.value
        return lambda ctx: x
    if isinstance(node, Ref):
        name = node.name
        return lambda ctx: NodeSet(ctx.ref(name))
    if isinstance(node, Current):
        return lambda ctx: NodeSet((ctx.current(),))
    if isinstance(node, Path):
        path = node.path
        return lambda ctx: NodeSet(ctx.relative(path))
    if isinstance(node, Neg):
        inner = compile_tree(node.operand, text)
        return lambda ctx: -to_number(inner(ctx))
    if isinstance(node, Binary):
        return _binary(node.op, compile_tree(node.left, text), compile_tree(node.right, text))
    if isinstance(node, Call):
        spec = FUNCTIONS.get(node.name)
        if spec is None:
            error = ExprUnsupportedError(
                Message(N_("function {name}() is not supported"), name=node.name), node.pos, text)

            def unsupported(ctx: "EvalContext") -> Value:
                raise error

            return unsupported
        return spec.build([compile_tree(a, text) for a in node.args], node.args)
    raise TypeError(f"not an expression node: {node!r}")


def _binary(op: str, left: Closure, right: Closure) -> Closure:
    if op == "or":
        return lambda ctx: to_boolean(left(ctx)) or to_boolean(right(ctx))
    if op == "and":
        return lambda ctx: to_boolean(left(ctx)) and to_boolean(right(ctx))
    if op == "=":
        return lambda ctx: equals(left(ctx), right(ctx))
    if op == "!=":
        return lambda ctx: not_equals(left(ctx), right(ctx))
    if op in ("<", "<=", ">", ">="):
        return lambda ctx: relate(op, left(ctx), right(ctx))
    if op == "+":
        return lambda ctx: to_number(left(ctx)) + to_number(right(ctx))
    if op == "-":
        return lambda ctx: to_number(left(ctx)) - to_number(right(ctx))
    if op == "*":
        return lambda ctx: to_number(left(ctx)) * to_number(right(ctx))
    if op == "div":
        return lambda ctx: divide(to_number(left(ctx)), to_number(right(ctx)))
    if op == "mod":
        return lambda ctx: modulo(to_number(left(ctx)), to_number(right(ctx)))
    raise ValueError(f"unknown operator {op!r}")
