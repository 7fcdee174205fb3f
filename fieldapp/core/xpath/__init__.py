"""The XLSForm expression language (XPath 1.0 + ODK functions), parsed and evaluated in pure Python.

Used for relevant, constraint, required, calculation, choice_filter, repeat_count and default.
Expressions are tokenized, parsed into a syntax tree by a Pratt parser and compiled to closures;
nothing is ever passed to Python ``eval``. Instance values are strings, as in an XForm instance::

    from fieldapp.core.xpath import parse, DictContext
    expr = parse("${age} >= 15 and selected(${uses}, 'zalo')")   # raises ExprSyntaxError
    expr.references()   # {'age', 'uses'}
    expr.functions()    # {'selected'}
    expr.evaluate_bool(DictContext({"age": "16", "uses": "zalo facebook"}))   # True

Form loaders refuse a form when ``expr.unsupported_functions()`` is not empty (or parse with
``strict=True``); wrong argument counts of known functions already fail in :func:`parse`.
Evaluation never raises for bad data: it yields NaN, '' or False as XPath does.

Semantics are XPath 1.0 (existential node-set comparison, NaN rules, number formatting) with the
ODK/JavaRosa choices form authors test against in Collect: dates and date-times convert to days
since 1970-01-01 in arithmetic and comparison; a one-node node-set is true only if its value is
non-empty; sum/min/max skip blanks; regex() must match the whole value; ',' is accepted as a
decimal mark in answers. Date-times are read at their wall-clock time (offsets ignored).
"""

from fieldapp.core.xpath.context import DictContext, EvalContext
from fieldapp.core.xpath.errors import (
    ExprArityError, ExprError, ExprSyntaxError, ExprTimeout, ExprUnsupportedError, Message)
from fieldapp.core.xpath.expr import Expr, parse
from fieldapp.core.xpath.functions import SUPPORTED_FUNCTIONS
from fieldapp.core.xpath.values import NodeSet, Value, to_boolean, to_number, to_string

__all__ = [
    "DictContext", "EvalContext", "Expr", "ExprArityError", "ExprError", "ExprSyntaxError",
    "ExprTimeout", "ExprUnsupportedError", "Message", "NodeSet", "SUPPORTED_FUNCTIONS", "Value", "parse",
    "to_boolean", "to_number", "to_string",
]
