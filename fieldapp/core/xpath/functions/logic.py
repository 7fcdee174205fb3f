"""Logic and conversion: true(), false(), not(), boolean(), number(), string(), int(), and the
lazy if(), coalesce() and once()."""

from __future__ import annotations

from fieldapp.core.xpath.functions.registry import register, truncate
from fieldapp.core.xpath.values import string_to_number, to_boolean, to_number, to_string


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
    return truncate(to_number(a))


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
