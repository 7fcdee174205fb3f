"""A parsed, compiled expression: what it uses (for load-time checks) and how to evaluate it."""

from __future__ import annotations

import logging
from functools import lru_cache

from fieldapp.core.xpath.compiler import compile_tree
from fieldapp.core.xpath.context import EvalContext
from fieldapp.core.xpath.errors import ExprError, ExprTimeout, ExprUnsupportedError, Message
from fieldapp.core.xpath.functions import (
    FUNCTIONS, READS_CURRENT, SUPPORTED_FUNCTIONS, choice_name_field)
from fieldapp.core.xpath.nodes import (
    Call, Current, FormPath, InstancePath, LastSaved, Node, Path, Ref, walk)
from fieldapp.core.xpath.parser import parse_tree
from fieldapp.core.xpath.values import Value, to_boolean, to_number, to_string
from fieldapp.i18n.catalog import N_

log = logging.getLogger(__name__)


class Expr:
    """An expression parsed once; evaluate it as often as needed against an EvalContext."""

    __slots__ = ("text", "tree", "_run", "_refs", "_funcs", "_uses_current", "_calls",
                 "_last_saved", "_instances")

    def __init__(self, text: str, tree: Node) -> None:
        self.text = text
        self.tree = tree
        self._run = compile_tree(tree, text)
        refs: set[str] = set()
        calls: list[Call] = []
        last_saved: set[str] = set()
        instances: set[str] = set()
        uses_current = False
        for node in walk(tree):
            if isinstance(node, Ref):
                refs.add(node.name)
            elif isinstance(node, LastSaved):
                last_saved.add(node.name)
            elif isinstance(node, InstancePath):
                instances.add(node.instance)
            elif isinstance(node, Current) or (isinstance(node, Path) and not node.absolute):
                uses_current = True
            elif isinstance(node, FormPath):
                if node.ref:
                    refs.add(node.start)
                elif node.start != "/":
                    uses_current = True
            elif isinstance(node, Call):
                calls.append(node)
                if node.name == "jr:choice-name":
                    field = choice_name_field(node)
                    if field:
                        refs.add(field)
                if node.name == "once" or (node.name in READS_CURRENT and not node.args):
                    uses_current = True
                if node.name in ("instance", "pulldata") and node.args and \
                        hasattr(node.args[0], "value") and isinstance(node.args[0].value, str):
                    instances.add(node.args[0].value)
        self._refs = frozenset(refs)
        self._funcs = frozenset(c.name for c in calls)
        self._calls = tuple(calls)
        self._uses_current = uses_current
        self._last_saved = frozenset(last_saved)
        self._instances = frozenset(instances)

    def __repr__(self) -> str:
        return f"Expr({self.text!r})"

    def __str__(self) -> str:
        return str(self.tree)

    # -- what the expression uses ----------------------------------------------------------------
    def references(self) -> set[str]:
        """Field names used via ``${...}`` (and the question named in jr:choice-name)."""
        return set(self._refs)

    def last_saved_references(self) -> set[str]:
        """Field names read from the last submission, as ``${last-saved#name}``."""
        return set(self._last_saved)

    def instances(self) -> set[str]:
        """Secondary instances read: ``instance('id')`` paths and ``pulldata('id', ...)``."""
        return set(self._instances)

    def functions(self) -> set[str]:
        """Names of the functions called, e.g. {'selected', 'count-selected'}."""
        return set(self._funcs)

    def unsupported_functions(self) -> set[str]:
        """Functions called that this engine does not implement (the form must be refused)."""
        return set(self._funcs - SUPPORTED_FUNCTIONS)

    def uses_current(self) -> bool:
        """True if the value depends on the current node: '.', relative paths, once(), or
        string()/number()/string-length()/normalize-space() without an argument."""
        return self._uses_current

    def check_supported(self) -> None:
        """Raise ExprUnsupportedError at the first call of an unsupported function."""
        for call in self._calls:
            if call.name not in FUNCTIONS:
                raise ExprUnsupportedError(
                    Message(N_("function {name}() is not supported"), name=call.name),
                    call.pos, self.text)

    # -- evaluation ------------------------------------------------------------------------------
    def evaluate(self, ctx: EvalContext) -> Value:
        """The raw XPath value: str, float, bool or NodeSet.

        Bad data never raises: a function that fails on a value it did not foresee (an
        overflow, a recursion limit) makes the whole expression '' (NaN as a number, false as
        a boolean), logged; only a call of an unsupported function raises (forms using one
        are refused when they load)."""
        try:
            return self._run(ctx)
        except ExprTimeout as exc:
            log.warning("expression %r gave no value: %s", self.text, exc)
            return ""
        except ExprError:
            raise
        except (ArithmeticError, ValueError, TypeError, LookupError, RecursionError,
                MemoryError) as exc:
            log.warning("expression %r gave no value: %r", self.text, exc)
            return ""

    def evaluate_bool(self, ctx: EvalContext, *, strict: bool = False) -> bool:
        """The boolean value; with ``strict`` a match past its time limit raises
        :class:`ExprTimeout` instead of reading as false (for constraints)."""
        if strict:
            try:
                return to_boolean(self._run(ctx))
            except ExprError:
                raise
            except (ArithmeticError, ValueError, TypeError, LookupError, RecursionError,
                    MemoryError):
                return self.evaluate_bool(ctx)
        return to_boolean(self.evaluate(ctx))

    def evaluate_str(self, ctx: EvalContext) -> str:
        return to_string(self.evaluate(ctx))

    def evaluate_num(self, ctx: EvalContext) -> float:
        return to_number(self.evaluate(ctx))


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Expr:
    return Expr(text, parse_tree(text))


def parse(text: str, *, strict: bool = False) -> Expr:
    """Parse an XLSForm expression; raises ExprSyntaxError (or its subclass ExprArityError).

    With ``strict=True`` a call of an unsupported function raises ExprUnsupportedError too;
    otherwise check :meth:`Expr.unsupported_functions` (evaluating such a call raises).
    Results are cached, so parsing the same text twice is cheap; Expr objects are immutable.
    """
    expr = _parse_cached(text)
    if strict:
        expr.check_supported()
    return expr
