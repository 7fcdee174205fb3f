"""Turn a syntax tree into nested closures ``ctx -> value`` so evaluation does no tree dispatch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from fieldapp.core.xpath.errors import ExprUnsupportedError, Message
from fieldapp.core.xpath.functions import FUNCTIONS
from fieldapp.core.xpath.instances import instance_of, last_saved_of, select, values
from fieldapp.core.xpath.nodes import (
    Binary, Call, Current, FormPath, InstancePath, LastSaved, Literal, Neg, Node, Number, Path,
    Ref)
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
    if isinstance(node, LastSaved):
        name = node.name
        return lambda ctx: NodeSet((last_saved_of(ctx, name),))
    if isinstance(node, Path):
        path = node.path
        if node.from_current:
            return lambda ctx: NodeSet((getattr(ctx, "outer", None) or ctx).relative(path))
        return lambda ctx: NodeSet(ctx.relative(path))
    if isinstance(node, InstancePath):
        return _instance_path(node, text)
    if isinstance(node, FormPath):
        return _form_path(node, text)
    if isinstance(node, Neg):
        inner = compile_tree(node.operand, text)
        return lambda ctx: -to_number(inner(ctx))
    if isinstance(node, Binary):
        return _chain(node, text)
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


def _instance_path(node: InstancePath, text: str) -> Closure:
    name = node.instance
    steps = [(step, tuple(compile_tree(p, text) for p in predicates))
             for step, predicates in node.steps]

    def run(ctx: "EvalContext") -> Value:
        doc = instance_of(ctx, name)
        if doc is None:
            return NodeSet()
        return values(select(doc, steps, ctx))

    return run


def _form_path(node: FormPath, text: str) -> Closure:
    start = "${" + node.start + "}" if node.ref else node.start
    steps = tuple((step, tuple(compile_tree(p, text) for p in predicates))
                  for step, predicates in node.steps)

    def run(ctx: "EvalContext") -> Value:
        select = getattr(ctx, "select", None)
        return NodeSet(select(start, steps)) if select is not None else NodeSet()

    return run


_FOLD = {
    "=": equals, "!=": not_equals,
    "+": lambda a, b: to_number(a) + to_number(b),
    "-": lambda a, b: to_number(a) - to_number(b),
    "*": lambda a, b: to_number(a) * to_number(b),
    "div": lambda a, b: divide(to_number(a), to_number(b)),
    "mod": lambda a, b: modulo(to_number(a), to_number(b)),
}


def _chain(node: Binary, text: str) -> Closure:
    """A left-deep chain of binary operators (``${a} + ${b} + ... + ${z}``, a sum of a thousand
    fields) compiled into one loop, so neither compiling nor evaluating it recurses per
    operator."""
    ops: list[tuple[str, Node]] = []
    left: Node = node
    while isinstance(left, Binary):
        ops.append((left.op, left.right))
        left = left.left
    ops.reverse()
    if len(ops) == 1:
        return _binary(ops[0][0], compile_tree(left, text), compile_tree(ops[0][1], text))
    first = compile_tree(left, text)
    rest = [(op, compile_tree(right, text)) for op, right in ops]

    def run(ctx: "EvalContext") -> Value:
        value = first(ctx)
        for op, right in rest:
            if op == "or":
                value = to_boolean(value) or to_boolean(right(ctx))
            elif op == "and":
                value = to_boolean(value) and to_boolean(right(ctx))
            elif op in _FOLD:
                value = _FOLD[op](value, right(ctx))
            else:
                value = relate(op, value, right(ctx))
        return value

    return run


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
