"""Data shipped with the form and the form node itself: instance(), pulldata(), current(),
jr:itext().

``instance('id')/root/item[...]/col`` paths are compiled by the compiler (they are paths, not
calls); ``instance('id')`` alone gives the whole instance's text. ``pulldata('file', 'col',
'key_col', key)`` is the first row of a CSV shipped with the form whose ``key_col`` is ``key``.
"""

from __future__ import annotations

from fieldapp.core.xpath.errors import ExprArityError, Message
from fieldapp.core.xpath.functions.registry import register
from fieldapp.core.xpath.instances import instance_of
from fieldapp.core.xpath.nodes import Call, Literal
from fieldapp.core.xpath.values import NodeSet, to_string
from fieldapp.i18n.catalog import N_


def _literal_name_check(node: Call, text: str) -> None:
    arg = node.args[0]
    if not isinstance(arg, Literal):
        raise ExprArityError(
            Message(N_("the first argument of {name}() must be the name of a file of the form "
                       "in quotes, as in {example}"), name=node.name,
                    example=f"{node.name}('fruits', ...)"), arg.pos, text)


@register("instance", 1, lazy=True, check=_literal_name_check)
def _instance(args, nodes):
    name = nodes[0].value

    def run(ctx):
        doc = instance_of(ctx, name)
        return NodeSet((doc.string_value(),)) if doc is not None else NodeSet()

    return run


@register("current", 0, lazy=True)
def _current(args, nodes):
    return lambda ctx: NodeSet(((getattr(ctx, "outer", None) or ctx).current(),))


@register("jr:itext", 1)
def _itext(ctx, text_id):
    """The text of an itext id in the form's current language: the label of a choice whose
    list has translated labels (``instance('list')/root/item[...]/itextId``), or of a
    question (``/data/q:label``); '' for an id the form does not have."""
    get = getattr(ctx, "itext", None)
    return get(to_string(text_id)) if get is not None else ""


@register("pulldata", 4, check=_literal_name_check)
def _pulldata(ctx, name, column, key_column, key):
    doc = instance_of(ctx, to_string(name))
    if doc is None or not doc.children:
        return ""
    column, key_column, key = to_string(column), to_string(key_column), to_string(key)
    for item in doc.children[0].children:
        cells = item.columns()
        if cells.get(key_column) == key:
            return cells.get(column, "")
    return ""
