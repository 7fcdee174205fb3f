"""The XLSForm expressions of indicators.toml as SQL conditions over one case's columns.

The subset indicator files use is translated with the forms' own semantics
(fieldapp.core.xpath: JavaRosa's, as the Python computation evaluates them): ``${field}`` is
the case's text (empty when unanswered); ``=`` and ``!=`` compare text with text, and numbers
with numbers (a field that is not a number never equals one, and always differs from one);
``<``, ``<=``, ``>``, ``>=`` compare numbers (false when a side is not a number); ``and``,
``or``, ``not()``, ``true()``, ``false()``, ``selected(${field}, 'code')`` (a code among the
space-separated answers), a bare ``${field}`` (answered), text and number literals. Anything
else raises :class:`Untranslatable`, which names the construct; the indicator is then left
out of the warehouse's views, said in one line, rather than computed differently there.

A field compared as a number is read through its ``n_`` column, its number computed once per
case when the case is stored (:func:`number_sql`, XPath's number(): decimals with '.' or ',',
dates as days since 1970-01-01).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fieldapp.core.xpath import Expr
from fieldapp.core.xpath.nodes import Binary, Call, Literal, Neg, Node, Number, Ref

TOLERANCE = "1e-12"
"""Numbers this close are equal (fieldapp.core.xpath.values.TOLERANCE)."""
_NUMBER = r"^\s*-?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$"
_DATE = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}.*)?\s*$"
_RELATIONS = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


class Untranslatable(ValueError):
    """An expression outside the subset this module turns into SQL; the message names what."""


@dataclass
class Columns:
    """The case columns an expression reads: text columns and number columns, by field."""

    text: set[str] = field(default_factory=set)
    number: set[str] = field(default_factory=set)


def column(name: str) -> str:
    """The (quoted) text column of a field."""
    return '"f_' + name.replace('"', '""') + '"'


def number_column(name: str) -> str:
    return '"n_' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def number_sql(text_sql: str) -> str:
    """SQL for XPath number() of a text (NULL for NaN), as fieldapp.core.xpath.values does."""
    comma = f"replace({text_sql}, ',', '.')"
    return (f"case when {text_sql} ~ '{_NUMBER}' then btrim({text_sql})::double precision "
            f"when {text_sql} like '%,%' and {comma} ~ '{_NUMBER}' "
            f"then btrim({comma})::double precision "
            f"when {text_sql} ~ '{_DATE}' then fieldapp.xpath_days({text_sql}) end")


XPATH_DAYS = r"""
create function fieldapp.xpath_days(t text) returns double precision
language plpgsql immutable strict as $$
declare m text[];
begin
    m := regexp_match(t, '^\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*$');
    if m is not null then
        return make_date(m[1]::int, m[2]::int, m[3]::int) - date '1970-01-01';
    end if;
    m := regexp_match(t, '^\s*([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})'
                         '(?::([0-9]{2})(?:\.([0-9]+))?)?\s*(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*$');
    if m is not null then
        return (make_date(m[1]::int, m[2]::int, m[3]::int) - date '1970-01-01')
            + (m[4]::int * 3600 + m[5]::int * 60 + coalesce(m[6], '0')::int
               + coalesce(('0.' || left(m[7], 6))::double precision, 0)) / 86400.0;
    end if;
    return null;
exception when others then
    return null;
end $$
"""
"""Days since 1970-01-01 of a date or date-time at its wall clock (JavaRosa's rule)."""


@dataclass
class _Operand:
    kind: str  # "ref", "text", "number"
    sql: str
    name: str = ""
    value: float | str | None = None


class Translator:
    """Translates expressions, noting the columns they read."""

    def __init__(self) -> None:
        self.columns = Columns()

    def condition(self, expr: Expr | None, alias: str = "c") -> str:
        """SQL that is true exactly when ``expr`` is (None: no condition, true)."""
        if expr is None:
            return "true"
        self.alias = alias
        return self._bool(expr.tree)

    # -- booleans -----------------------------------------------------------------------------
    def _bool(self, node: Node) -> str:
        if isinstance(node, Binary):
            if node.op in ("and", "or"):
                return f"({self._bool(node.left)} {node.op} {self._bool(node.right)})"
            if node.op in ("=", "!=") or node.op in _RELATIONS:
                return self._compare(node.op, self._operand(node.left),
                                     self._operand(node.right))
            raise Untranslatable(f"the operator {node.op}")
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Ref):
            return f"({self._text(node.name)} <> '')"
        if isinstance(node, Literal):
            return "true" if node.value else "false"
        if isinstance(node, Number):
            return "true" if node.value else "false"
        raise Untranslatable(_describe(node))

    def _call(self, node: Call) -> str:
        name, args = node.name, node.args
        if name == "not" and len(args) == 1:
            return f"(not {self._bool(args[0])})"
        if name in ("true", "false") and not args:
            return name
        if name == "selected" and len(args) == 2 and isinstance(args[0], Ref) \
                and isinstance(args[1], Literal):
            code = args[1].value.strip()
            if not code or any(ch.isspace() for ch in code):
                return "false"
            # The code among the answer's words (split at whitespace), as a substring of the
            # answer with its whitespace made spaces, padded: no regular expression per case
            # (they were most of the indicators' refresh). PostgreSQL's E'' has no \\v.
            text = self._text(args[0].name)
            return (f"(strpos(' ' || translate({text}, E'\\t\\n\\r\\f\\x0b', '     ') || ' ', "
                    f"{literal(' ' + code + ' ')}) > 0)")
        raise Untranslatable(f"the function {name}()")

    # -- comparisons --------------------------------------------------------------------------
    def _text(self, name: str) -> str:
        self.columns.text.add(name)
        return f"{self.alias}.{column(name)}"

    def _number(self, name: str) -> str:
        self.columns.text.add(name)
        self.columns.number.add(name)
        return f"{self.alias}.{number_column(name)}"

    def _operand(self, node: Node) -> _Operand:
        if isinstance(node, Ref):
            return _Operand("ref", "", node.name)
        if isinstance(node, Literal):
            return _Operand("text", literal(node.value), value=node.value)
        if isinstance(node, Number):
            return _Operand("number", repr(float(node.value)), value=float(node.value))
        if isinstance(node, Neg) and isinstance(node.operand, Number):
            return _Operand("number", repr(-float(node.operand.value)),
                            value=-float(node.operand.value))
        raise Untranslatable(_describe(node))

    def _compare(self, op: str, left: _Operand, right: _Operand) -> str:
        if left.kind != "ref" and right.kind == "ref":
            left, right, op = right, left, _FLIP[op]
        if left.kind != "ref":
            raise Untranslatable("a comparison of two constants")
        if op in _RELATIONS:
            if right.kind == "ref":
                return (f"coalesce({self._number(left.name)} {op} "
                        f"{self._number(right.name)}, false)")
            if right.kind == "text":
                number = _xpath_number(str(right.value))
                if number is None:
                    return "false"
                right = _Operand("number", repr(number), value=number)
            return f"coalesce({self._number(left.name)} {op} {right.sql}, false)"
        if right.kind == "number":
            equal = f"coalesce(abs({self._number(left.name)} - {right.sql}) < {TOLERANCE}, false)"
            return equal if op == "=" else f"(not {equal})"
        other = self._text(right.name) if right.kind == "ref" else right.sql
        return f"({self._text(left.name)} {'=' if op == '=' else '<>'} {other})"


def _xpath_number(text: str) -> float | None:
    from fieldapp.core.xpath.values import string_to_number

    value = string_to_number(text)
    return None if value != value else value


def _describe(node: Node) -> str:
    text = str(node)
    return re.sub(r"\s+", " ", text)[:60]
