"""Pratt parser: tokens to a syntax tree, with arity checks of the known functions."""

from __future__ import annotations

from fieldapp.core.xpath import lexer as lx
from fieldapp.core.xpath.errors import ExprSyntaxError, ExprUnsupportedError, Message
from fieldapp.core.xpath.functions import check_call
from fieldapp.core.xpath.nodes import (
    Binary, Call, Current, FormPath, InstancePath, LastSaved, Literal, Neg, Node, Number, Path,
    Ref)
from fieldapp.i18n.catalog import N_

# Binding powers, loosest first, as in the XPath 1.0 grammar. All binary operators associate left.
_BINDING = {
    "or": 1, "and": 2,
    "=": 3, "!=": 3,
    "<": 4, "<=": 4, ">": 4, ">=": 4,
    "+": 5, "-": 5,
    "*": 6, "div": 6, "mod": 6,
}
MAX_DEPTH = 60
"""Deepest nesting of parentheses, calls and predicates (deeper would exhaust Python's stack)."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = lx.tokenize(text)
        self.i = 0
        self.depth = 0
        self.predicates = 0  # inside [...] of an instance() path: attributes are columns

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(Message(N_("the expression is nested more than {depth} levels deep"),
                              depth=MAX_DEPTH), pos)

    def peek(self) -> lx.Token:
        return self.tokens[self.i]

    def next(self) -> lx.Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, message: Message, pos: int, cls: type[ExprSyntaxError] = ExprSyntaxError):
        raise cls(message, pos, self.text)

    def expect(self, kind: str, what: Message | str) -> lx.Token:
        tok = self.peek()
        if tok.kind != kind:
            self.fail(Message(N_("expected {expected} but found {found}"), expected=what,
                              found=_describe(tok)), tok.pos)
        return self.next()

    # expression := unary (binop unary)*
    def expression(self, min_bp: int = 0) -> Node:
        left = self.unary()
        while True:
            tok = self.peek()
            if tok.kind == lx.LBRACKET:
                self.fail(Message(N_("a predicate in [...] must follow a path step, as in "
                                     "{example}"),
                                  example="/data/items[name = 'x']/quantity"),
                          tok.pos, ExprUnsupportedError)
            if tok.kind != lx.OP:
                return left
            if tok.value == "|":
                self.fail(Message(N_("the union operator '|' is not supported")), tok.pos,
                          ExprUnsupportedError)
            bp = _BINDING[tok.value]
            if bp <= min_bp:
                return left
            self.next()
            right = self.expression(bp)
            left = Binary(tok.value, left, right, tok.pos)

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind == lx.OP and tok.value == "-":
            self.next()
            self.enter(tok.pos)
            node = Neg(self.unary(), tok.pos)
            self.depth -= 1
            return node
        return self.primary()

    def primary(self) -> Node:
        tok = self.peek()
        kind = tok.kind
        if kind == lx.NUM:
            self.next()
            return Number(float(tok.value), tok.pos)
        if kind == lx.STR:
            self.next()
            return Literal(tok.value, tok.pos, tok.raw)
        if kind == lx.REF:
            self.next()
            if self.peek().kind in (lx.SLASH, lx.LBRACKET):
                # ${rep}[1]/x: pyxform writes ${rep} as the repeat's path, so a path may go on.
                steps: list[tuple[str, tuple[Node, ...]]] = []
                if self.peek().kind == lx.LBRACKET:
                    steps.append((".", self.predicate_list()))
                if self.peek().kind == lx.SLASH:
                    self.next()
                    steps.extend(self.steps())
                return FormPath(tok.value, tuple(steps), tok.pos, ref=True)
            return Ref(tok.value, tok.pos)
        if kind == lx.LAST_SAVED:
            self.next()
            return LastSaved(tok.value, tok.pos)
        if kind == lx.LPAREN:
            self.next()
            if self.peek().kind == lx.RPAREN:
                self.fail(Message(N_("empty parentheses")), self.peek().pos)
            self.enter(tok.pos)
            inner = self.expression()
            self.depth -= 1
            self.expect(lx.RPAREN, "')'")
            return inner
        if kind == lx.NAME and self.tokens[self.i + 1].kind == lx.LPAREN:
            return self.call()
        if kind in (lx.NAME, lx.DOT, lx.DOTDOT, lx.SLASH):
            return self.path()
        if kind == lx.EOF:
            self.fail(Message(N_("the expression ends where a value was expected")), tok.pos)
        if tok.pos == 0 and tok.value == "=":
            self.fail(Message(N_(
                "expected a value but found '=' (remove the spreadsheet-style leading '=')")),
                tok.pos)
        self.fail(Message(N_("expected a value but found {found}"), found=_describe(tok)), tok.pos)
        raise AssertionError  # unreachable

    def call(self) -> Node:
        name_tok = self.next()
        self.next()  # '('
        self.enter(name_tok.pos)
        args: list[Node] = []
        if self.peek().kind != lx.RPAREN:
            while True:
                args.append(self.expression())
                if self.peek().kind == lx.COMMA:
                    self.next()
                    continue
                break
        self.expect(lx.RPAREN, Message(N_("',' or ')' in the arguments of {name}()"),
                                       name=name_tok.value))
        self.depth -= 1
        node = Call(name_tok.value, tuple(args), name_tok.pos)
        if self.peek().kind == lx.SLASH and node.name == "instance" and len(args) == 1 \
                and isinstance(args[0], Literal):
            return self.instance_path(args[0].value, name_tok.pos)
        if self.peek().kind == lx.SLASH and node.name == "current" and not args:
            self.next()
            if self.peek().kind == lx.SLASH:
                self.fail(Message(N_("expected a path step but found {found}"),
                                  found="/"), name_tok.pos)
            steps = self.steps()
            if any(predicates for _name, predicates in steps):
                return FormPath("current()", tuple(steps), name_tok.pos)
            return Path("/".join(name for name, _p in steps) or ".", name_tok.pos,
                        from_current=True)
        check_call(node, self.text)
        if self.peek().kind == lx.SLASH:
            self.fail(Message(N_("a path after a function call is not supported")), self.peek().pos,
                      ExprUnsupportedError)
        return node

    def instance_path(self, name: str, pos: int) -> Node:
        """``instance('id')`` followed by steps, each with optional [predicates]."""
        steps: list[tuple[str, tuple[Node, ...]]] = []
        while self.peek().kind == lx.SLASH:
            self.next()
            tok = self.peek()
            if tok.kind not in (lx.NAME, lx.DOT, lx.DOTDOT) or (
                    tok.kind == lx.NAME and self.tokens[self.i + 1].kind == lx.LPAREN):
                self.fail(Message(N_("expected a path step but found {found}"),
                                  found=_describe(tok)), tok.pos)
            self.next()
            steps.append((tok.value, self.predicate_list()))
        return InstancePath(name, tuple(steps), pos)

    def predicate_list(self) -> tuple[Node, ...]:
        """The ``[...]`` predicates after a step (none is fine)."""
        predicates: list[Node] = []
        while self.peek().kind == lx.LBRACKET:
            bracket = self.next()
            self.enter(bracket.pos)
            self.predicates += 1
            predicates.append(self.expression())
            self.predicates -= 1
            self.depth -= 1
            self.expect(lx.RBRACKET, "']'")
        return tuple(predicates)

    def steps(self) -> list[tuple[str, tuple[Node, ...]]]:
        """``step[pred]/step/...`` of a location path; './x' is 'x' (a '.' step without
        predicates is left out unless it is the only step)."""
        steps: list[tuple[str, tuple[Node, ...]]] = []
        while True:
            tok = self.peek()
            if tok.kind in (lx.DOT, lx.DOTDOT, lx.NAME):
                if tok.value.startswith("@") and not self.predicates:
                    self.fail(Message(N_("attributes (@name) are not supported")), tok.pos,
                              ExprUnsupportedError)
                if tok.kind == lx.NAME and self.tokens[self.i + 1].kind == lx.LPAREN:
                    self.fail(Message(N_("a function call cannot be a path step")), tok.pos,
                              ExprUnsupportedError)
                self.next()
                steps.append((tok.value, self.predicate_list()))
            else:
                self.fail(Message(N_("expected a path step but found {found}"),
                                  found=_describe(tok)), tok.pos)
            if self.peek().kind != lx.SLASH:
                break
            self.next()
        kept = [s for s in steps if s[0] != "." or s[1]]
        return kept or steps[:1]

    def path(self) -> Node:
        start = self.peek().pos
        absolute = self.peek().kind == lx.SLASH
        if absolute:
            self.next()
        steps = self.steps()
        if any(predicates for _name, predicates in steps):
            return FormPath("/" if absolute else ".", tuple(steps), start)
        names = [name for name, _p in steps]
        if names == ["."] and not absolute:
            return Current(start)
        return Path(("/" if absolute else "") + "/".join(names), start)


def _describe(tok: lx.Token) -> Message | str:
    if tok.kind == lx.EOF:
        return Message(N_("the end of the expression"))
    if tok.kind == lx.STR:
        return Message(N_("text '{text}'"), text=tok.value)
    return repr(tok.value)


def parse_tree(text: str) -> Node:
    """Parse ``text`` into a syntax tree (names and text NFC-normalised, a text literal's
    spelling kept beside as ``Literal.raw``); raises ExprSyntaxError."""
    parser = _Parser(text)
    if parser.peek().kind == lx.EOF:
        raise ExprSyntaxError(Message(N_("the expression is empty")), 0, text)
    node = parser.expression()
    tok = parser.peek()
    if tok.kind != lx.EOF:
        before = parser.tokens[parser.i - 1]
        if tok.kind == lx.COMMA and before.kind == lx.NUM:
            parser.fail(Message(N_(
                "unexpected ',' after a number (write decimals with '.', as in 1.5)")), tok.pos)
        parser.fail(Message(N_("unexpected {found} after a complete expression"),
                            found=_describe(tok)), tok.pos)
    return node
