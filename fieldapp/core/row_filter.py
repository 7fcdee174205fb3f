"""A choice_filter over a registry list as a predicate on the list's columns.

``select_one_from_file persons.csv`` with ``choice_filter`` ``village = ${village} and
(count-selected(${households_helped}) = 0 or selected(${households_helped}, household))``
names the columns of the registry rows (``village``, ``household``) beside the form's answers.
Evaluating it row by row costs one expression per row: a second or more at commune scale. The
form's side of the expression does not depend on the row, so it is evaluated once and what is
left is a predicate on the columns (:func:`translate`)::

    And((Cmp("village", "=", "<id>"), In("household", ("<id1>", "<id2>"))))

which the registry (the app's database) answers with its indexes, a page at a time. What cannot
be expressed this way (a function of a column, a comparison of two columns) gives None, and the
caller evaluates the filter row by row as before, so every form keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Union

if TYPE_CHECKING:  # the expression engine is imported when a filter is translated
    from fieldapp.core.xpath import Expr
    from fieldapp.core.xpath.nodes import Node


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Cmp:
    """``column = value`` or ``column != value`` (string comparison)."""

    column: str
    op: str
    value: str


@dataclass(frozen=True)
class In:
    """The column's value is one of ``values``."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class HasToken:
    """The column holds space-separated codes, one of which is ``token``."""

    column: str
    token: str


@dataclass(frozen=True)
class And:
    parts: tuple["RowFilter", ...]


@dataclass(frozen=True)
class Or:
    parts: tuple["RowFilter", ...]


@dataclass(frozen=True)
class Not:
    part: "RowFilter"


RowFilter = Union[Const, Cmp, In, HasToken, And, Or, Not]
TRUE = Const(True)
FALSE = Const(False)


class Untranslatable(Exception):
    """The filter uses a column in a way a predicate cannot say."""


def _column(node: "Node") -> str | None:
    """The column a bare path in a choice_filter names (``village``), else None."""
    from fieldapp.core.xpath.nodes import Path

    if isinstance(node, Path) and not node.from_current and not node.absolute \
            and "/" not in node.path and node.path not in (".", ".."):
        return node.path
    return None


def _uses_columns(node: "Node") -> bool:
    from fieldapp.core.xpath.nodes import walk

    return any(_column(n) is not None for n in walk(node))


_COMPILED: dict[Any, Any] = {}


def _evaluate(node: "Node", ctx) -> Any:
    from fieldapp.core.xpath.compiler import compile_tree

    run = _COMPILED.get(node)
    if run is None:
        if len(_COMPILED) > 2048:
            _COMPILED.clear()
        run = _COMPILED[node] = compile_tree(node)
    return run(ctx)


def _strings(value: Any) -> list[str]:
    from fieldapp.core.xpath.values import NodeSet, to_string

    if isinstance(value, NodeSet):
        return [str(v) for v in value]
    return [to_string(value)]


def _compare(column: str, op: str, value: Any) -> RowFilter:
    from fieldapp.core.xpath.values import NodeSet, to_string

    if isinstance(value, bool):
        raise Untranslatable  # a boolean against a string compares truth values
    if isinstance(value, float):
        if value != value or value != int(value):
            raise Untranslatable
        value = str(int(value))  # an integer code ("1") compares as its text
    if isinstance(value, NodeSet):
        items = _strings(value)
        if op == "=":
            return In(column, tuple(items)) if len(items) != 1 else Cmp(column, "=", items[0])
        if len(items) == 1:
            return Cmp(column, "!=", items[0])
        raise Untranslatable
    return Cmp(column, op, to_string(value))


def _simplify(kind: type, parts: list[RowFilter]) -> RowFilter:
    absorbing, neutral = (FALSE, TRUE) if kind is And else (TRUE, FALSE)
    kept: list[RowFilter] = []
    for part in parts:
        if part == absorbing:
            return absorbing
        if part == neutral:
            continue
        if isinstance(part, kind):
            kept.extend(part.parts)
        else:
            kept.append(part)
    if not kept:
        return neutral
    return kept[0] if len(kept) == 1 else kind(tuple(kept))


def _translate(node: "Node", ctx) -> RowFilter:
    from fieldapp.core.xpath.nodes import Binary, Call
    from fieldapp.core.xpath.values import to_boolean

    if not _uses_columns(node):
        return Const(to_boolean(_evaluate(node, ctx)))
    if isinstance(node, Binary):
        if node.op in ("and", "or"):
            kind = And if node.op == "and" else Or
            return _simplify(kind, [_translate(node.left, ctx), _translate(node.right, ctx)])
        if node.op in ("=", "!="):
            left, right = _column(node.left), _column(node.right)
            if left is not None and not _uses_columns(node.right):
                return _compare(left, node.op, _evaluate(node.right, ctx))
            if right is not None and not _uses_columns(node.left):
                return _compare(right, node.op, _evaluate(node.left, ctx))
        raise Untranslatable
    if isinstance(node, Call):
        if node.name == "not" and len(node.args) == 1:
            inner = _translate(node.args[0], ctx)
            if isinstance(inner, Const):
                return Const(not inner.value)
            return inner.part if isinstance(inner, Not) else Not(inner)
        if node.name == "selected" and len(node.args) == 2:
            values, item = node.args
            column = _column(item)
            if column is not None and not _uses_columns(values):
                tokens = tuple(dict.fromkeys(" ".join(_strings(_evaluate(values, ctx))).split()))
                return In(column, tokens) if tokens else FALSE
            column = _column(values)
            if column is not None and not _uses_columns(item):
                token = " ".join(_strings(_evaluate(item, ctx))).strip()
                return HasToken(column, token) if token and " " not in token else FALSE
    raise Untranslatable


def translate(expr: "Expr | None", ctx) -> RowFilter | None:
    """The choice_filter ``expr`` as a predicate on registry columns, the form's answers taken
    from ``ctx`` (the select question's context); None when it cannot be said that way."""
    if expr is None:
        return TRUE
    try:
        return _translate(expr.tree, ctx)
    except Untranslatable:
        return None


def columns_of(where: RowFilter) -> set[str]:
    """Every column the predicate tests."""
    if isinstance(where, (Cmp, In, HasToken)):
        return {where.column}
    if isinstance(where, (And, Or)):
        return set().union(*(columns_of(p) for p in where.parts))
    if isinstance(where, Not):
        return columns_of(where.part)
    return set()


def matches(where: RowFilter, row: Mapping[str, Any]) -> bool:
    """Whether a registry row (column -> text) satisfies the predicate."""
    if isinstance(where, Const):
        return where.value
    if isinstance(where, Cmp):
        equal = str(row.get(where.column) or "") == where.value
        return equal if where.op == "=" else not equal
    if isinstance(where, In):
        return str(row.get(where.column) or "") in where.values
    if isinstance(where, HasToken):
        return where.token in str(row.get(where.column) or "").split()
    if isinstance(where, And):
        return all(matches(p, row) for p in where.parts)
    if isinstance(where, Or):
        return any(matches(p, row) for p in where.parts)
    if isinstance(where, Not):
        return not matches(where.part, row)
    raise TypeError(f"not a row filter: {where!r}")


def equal_value(where: RowFilter, column: str) -> str | None:
    """The value ``column`` must equal for every row the predicate keeps, if it says so at its
    top level (``village = X and ...``): lets a registry narrow its search index first."""
    if isinstance(where, Cmp) and where.column == column and where.op == "=":
        return where.value
    if isinstance(where, In) and where.column == column and len(where.values) == 1:
        return where.values[0]
    if isinstance(where, And):
        for part in where.parts:
            found = equal_value(part, column)
            if found is not None:
                return found
    return None
