"""Exceptions of the expression engine: all that is wrong with an expression shows at parse time."""

from __future__ import annotations


class ExprError(Exception):
    """Base class of expression errors."""


class ExprSyntaxError(ExprError, ValueError):
    """An expression cannot be used: bad syntax, wrong argument count, unsupported construct.

    ``message`` is a human sentence (English; ``code`` lets the UI show its own translation),
    ``position`` the 0-based character offset in ``expression`` where the problem starts.
    """

    code = "syntax"

    def __init__(self, message: str, position: int, expression: str = "") -> None:
        self.message = message
        self.position = position
        self.expression = expression
        super().__init__(f"{message} (at character {position + 1})")

    def pointer(self) -> str:
        """The expression with a caret line under the offending character, for logs and dialogs."""
        return f"{self.expression}\n{' ' * self.position}^"


class ExprArityError(ExprSyntaxError):
    """A known function is called with the wrong number (or kind) of arguments."""

    code = "arity"


class ExprUnsupportedError(ExprSyntaxError):
    """The expression calls a function (or uses XPath syntax) this engine does not implement."""

    code = "unsupported"
