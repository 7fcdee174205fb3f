"""Exceptions of the expression engine: all that is wrong with an expression shows at parse time.

Their messages are :class:`Message` objects, translated into the interface language when shown
(``err.message``, ``str(err)``), so a form problem found before a language switch still reads
in the new language.
"""

from __future__ import annotations

from typing import Any

from fieldapp.i18n.catalog import N_, _


class Message:
    """A message translated when shown: an English msgid (marked with ``N_()``) and its values.

    ``str(message)`` translates the msgid into the current interface language and fills in the
    named placeholders; values that are Messages themselves are translated the same way (format()
    calls their ``__str__``), so sentences can nest without concatenating translated fragments::

        Message(N_("unknown function '{name}()'"), name="foo")
    """

    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, /, **values: Any) -> None:
        self.msgid = msgid
        self.values = values

    def __str__(self) -> str:
        return _(self.msgid).format(**self.values)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.values!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Message) and self.msgid == other.msgid
                and self.values == other.values)

    def __hash__(self) -> int:
        # Not str(values): that is translated text, and a hash must not change with the language.
        return hash((self.msgid, tuple(sorted(self.values))))


class ExprError(Exception):
    """Base class of expression errors."""


class ExprTimeout(ExprError):
    """A match that ran past its time limit (a regex() pattern RE2 cannot run, on the
    backtracking engine): the expression has no reliable value. Evaluation gives '' for it;
    a constraint check (``Expr.evaluate_bool(ctx, strict=True)``) raises it so the member is
    told the answer could not be checked."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ExprSyntaxError(ExprError, ValueError):
    """An expression cannot be used: bad syntax, wrong argument count, unsupported construct.

    ``message`` is a human sentence in the interface language (translated from ``detail``, a
    :class:`Message`, each time it is read), ``position`` the 0-based character offset in
    ``expression`` where the problem starts; ``code`` classifies the error.
    """

    code = "syntax"

    def __init__(self, message: Message | str, position: int, expression: str = "") -> None:
        # A plain str is taken as it is (not translated): callers outside the engine.
        self.detail = message
        self.position = position
        self.expression = expression
        super().__init__(message, position, expression)

    @property
    def message(self) -> str:
        return str(self.detail)

    def __str__(self) -> str:
        return _("{message} (at character {position})").format(
            message=self.message, position=self.position + 1)

    def pointer(self) -> str:
        """The expression with a caret line under the offending character, for logs and dialogs."""
        return f"{self.expression}\n{' ' * self.position}^"


class ExprArityError(ExprSyntaxError):
    """A known function is called with the wrong number (or kind) of arguments."""

    code = "arity"


class ExprUnsupportedError(ExprSyntaxError):
    """The expression calls a function (or uses XPath syntax) this engine does not implement."""

    code = "unsupported"
