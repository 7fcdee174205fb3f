"""Select answers (space-separated choice codes): selected(), count-selected(), selected-at(),
jr:choice-name(), checklist() and weighted-checklist()."""

from __future__ import annotations

import math

from fieldapp.core.xpath.errors import ExprArityError, Message
from fieldapp.core.xpath.functions.registry import flatten, register, truncate
from fieldapp.core.xpath.nodes import Call, Literal, Ref
from fieldapp.core.xpath.values import NodeSet, Value, to_boolean, to_number, to_string
from fieldapp.i18n.catalog import N_


def _choices(value: Value) -> list[str]:
    return to_string(value).split()


@register("selected", 2)
def _selected(ctx, a, b):
    return to_string(b).strip() in _choices(a)


@register("count-selected", 1)
def _count_selected(ctx, a):
    return float(len(_choices(a)))


@register("selected-at", 2)
def _selected_at(ctx, a, b):
    items = _choices(a)
    i = truncate(to_number(b))
    if i != i or math.isinf(i) or not 0 <= i < len(items):
        return ""
    return items[int(i)]


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
    low, high = truncate(to_number(lo)), truncate(to_number(hi))
    count = sum(1 for f in flatten(factors) if to_boolean(f))
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
