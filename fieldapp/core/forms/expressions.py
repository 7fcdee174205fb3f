"""The few things the forms engine needs from the expression engine (fieldapp.core.xpath)."""

from __future__ import annotations

from pyxform.utils import default_is_dynamic

from fieldapp.core.xpath import Expr, ExprSyntaxError, ExprUnsupportedError, parse
from fieldapp.core.xpath.errors import Message
from fieldapp.core.xpath.nodes import Call, Literal, walk
from fieldapp.i18n.catalog import N_

__all__ = ["Expr", "ExprSyntaxError", "describe_error", "is_dynamic_default", "is_once",
           "parse", "pulldata_files", "references", "unsupported"]


def describe_error(err: ExprSyntaxError, text: str) -> Message:
    """One-line message for a bad expression, pointing at the character (translated when shown,
    with the engine's own sentence, ``err.detail``, inside)."""
    if isinstance(err, ExprUnsupportedError):
        return Message(N_("{problem} in '{expression}'"), problem=err.detail, expression=text)
    return Message(N_("syntax error at character {position} of '{expression}': {problem}"),
                   position=err.position + 1, expression=text, problem=err.detail)


def unsupported(expr: Expr) -> list[Message]:
    """Messages for functions the engine does not implement."""
    return [Message(N_("unknown function '{name}()'"), name=name)
            for name in sorted(expr.unsupported_functions())]


def references(expr: Expr) -> set[str]:
    """Names used as ${name}."""
    return expr.references()


def pulldata_files(expr: Expr) -> set[str]:
    """The names ``pulldata('name', ...)`` reads (pyxform declares ``name.csv`` for each)."""
    return {n.args[0].value for n in walk(expr.tree) if isinstance(n, Call)
            and n.name == "pulldata" and n.args and isinstance(n.args[0], Literal)}


def is_once(expr: Expr) -> bool:
    """True when the whole expression is once(...)."""
    return isinstance(expr.tree, Call) and expr.tree.name == "once"


def is_dynamic_default(text: str, field_type: str) -> bool:
    """pyxform's rule: a default with operators, calls or ${refs} is an expression."""
    return bool(default_is_dynamic(text, field_type))
