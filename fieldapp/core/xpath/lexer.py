"""Tokenizer for the XLSForm expression language (XPath 1.0 plus ``${name}`` references)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from fieldapp.core.xpath.errors import ExprSyntaxError, ExprUnsupportedError, Message
from fieldapp.i18n.catalog import N_
from fieldapp.i18n.text import nfc

# Token kinds
NUM, STR, REF, NAME, OP, LPAREN, RPAREN, COMMA, SLASH, DOT, DOTDOT, EOF = (
    "number", "string", "reference", "name", "operator", "(", ")", ",", "/", ".", "..", "end")
LAST_SAVED, LBRACKET, RBRACKET = "last-saved reference", "[", "]"
LAST_SAVED_PREFIX = "last-saved#"

KEYWORD_OPS = _KEYWORD_OPS = frozenset({"and", "or", "div", "mod"})
# Tokens after which '*', 'and', 'or', 'div', 'mod' are operators (XPath 1.0, section 3.7).
_OPERAND_END = frozenset({NUM, STR, REF, LAST_SAVED, NAME, RPAREN, RBRACKET, DOT, DOTDOT})
_WHITESPACE = " \t\r\n\u00a0\u2007\u202f"
# Typographic quotes (Excel's autocorrect types them) delimit text like straight ones, as
# pyxform and Collect read them: ‘yes’ is 'yes'; inside text of the other kind they are text.
SINGLE_QUOTES = "'\u2018\u2019"
DOUBLE_QUOTES = '"\u201c\u201d'
_QUOTE_PAIRS = {q: SINGLE_QUOTES for q in SINGLE_QUOTES} | {q: DOUBLE_QUOTES for q in DOUBLE_QUOTES}
_DIGITS = frozenset("0123456789")  # str.isdigit() would also accept '❶' and other scripts' digits


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: str
    pos: int
    raw: str = ""
    """A text literal as written, before NFC normalisation (a regex() pattern keeps it)."""


def _name_start(ch: str) -> bool:
    return ch == "_" or ch.isalpha()


def _name_char(ch: str) -> bool:
    # Combining marks too: names are read before NFC normalisation ("Hộ" typed decomposed).
    return ch in "_-." or ch.isalnum() or unicodedata.category(ch).startswith("M")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; raises ExprSyntaxError with the character position."""
    tokens: list[Token] = []
    i, n = 0, len(text)

    def fail(message: Message, pos: int, cls: type[ExprSyntaxError] = ExprSyntaxError) -> None:
        raise cls(message, pos, text)

    while i < n:
        ch = text[i]
        if ch in _WHITESPACE:
            i += 1
            continue
        start = i
        prev = tokens[-1].kind if tokens else None
        if ch == "$":
            if i + 1 >= n or text[i + 1] != "{":
                fail(Message(N_("'$' must start a reference like {example}"), example="${name}"), i)
            j = text.find("}", i + 2)
            if j < 0:
                fail(Message(N_("the reference {start} is not closed with '{end}'"),
                             start="${...", end="}"), i)
            name = nfc(text[i + 2:j].strip())
            kind = REF
            if name.startswith(LAST_SAVED_PREFIX):
                kind, name = LAST_SAVED, name[len(LAST_SAVED_PREFIX):].strip()
            if not name or not _name_start(name[0]) or not all(_name_char(c) for c in name):
                fail(Message(N_("'{text}' is not a valid field reference"),
                             text=text[i:j + 1]), i)
            tokens.append(Token(kind, name, start))
            i = j + 1
        elif ch in _QUOTE_PAIRS:
            closing = _QUOTE_PAIRS[ch]
            j = next((k for k in range(i + 1, n) if text[k] in closing), -1)
            if j < 0:
                fail(Message(N_("text starting with {quote} is not closed"), quote=ch), i)
            tokens.append(Token(STR, nfc(text[i + 1:j]), start, text[i + 1:j]))
            i = j + 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            j = i
            while j < n and text[j] in _DIGITS:
                j += 1
            if j < n and text[j] == ".":
                j += 1
                while j < n and text[j] in _DIGITS:
                    j += 1
            if j < n and _name_start(text[j]):
                fail(Message(N_("'{text}' is not a number"), text=text[i:j + 1]), i)
            tokens.append(Token(NUM, text[i:j], start))
            i = j
        elif ch == ".":
            if text.startswith("..", i):
                tokens.append(Token(DOTDOT, "..", start))
                i += 2
            else:
                tokens.append(Token(DOT, ".", start))
                i += 1
        elif _name_start(ch):
            j = i + 1
            while j < n and _name_char(text[j]):
                j += 1
            # A name may end with '.' only as part of the name; 'a.' is fine XPath, keep it.
            if j + 1 < n and text[j] == ":" and _name_start(text[j + 1]):
                j += 2
                while j < n and _name_char(text[j]):
                    j += 1
            word = nfc(text[i:j])
            if word in _KEYWORD_OPS and prev in _OPERAND_END:
                tokens.append(Token(OP, word, start))
            else:
                tokens.append(Token(NAME, word, start))
            i = j
        elif ch == "(":
            tokens.append(Token(LPAREN, ch, start))
            i += 1
        elif ch == ")":
            tokens.append(Token(RPAREN, ch, start))
            i += 1
        elif ch == ",":
            tokens.append(Token(COMMA, ch, start))
            i += 1
        elif ch == "/":
            if text.startswith("//", i):
                fail(Message(N_("'//' (descendant paths) is not supported")), i,
                     ExprUnsupportedError)
            tokens.append(Token(SLASH, ch, start))
            i += 1
        elif ch in "+-=|":
            tokens.append(Token(OP, ch, start))
            i += 1
        elif ch == "*":
            if prev not in _OPERAND_END:
                fail(Message(N_(
                    "'*' needs a value on both sides (wildcard paths are not supported)")), i)
            tokens.append(Token(OP, ch, start))
            i += 1
        elif ch == "!":
            if not text.startswith("!=", i):
                fail(Message(N_("'!' must be followed by '=' (use not(...) for negation)")), i)
            tokens.append(Token(OP, "!=", start))
            i += 2
        elif ch in "<>":
            if text.startswith("=", i + 1):
                tokens.append(Token(OP, ch + "=", start))
                i += 2
            else:
                tokens.append(Token(OP, ch, start))
                i += 1
        elif ch in "[]":
            tokens.append(Token(LBRACKET if ch == "[" else RBRACKET, ch, start))
            i += 1
        elif ch == "@":
            j = i + 1
            if j >= n or not _name_start(text[j]):
                fail(Message(N_("'@' must start an attribute name, as in @id")), i)
            while j < n and _name_char(text[j]):
                j += 1
            tokens.append(Token(NAME, nfc(text[i:j]), start))
            i = j
        else:
            fail(Message(N_("unexpected character {character}"), character=repr(ch)), i)
    tokens.append(Token(EOF, "", n))
    return tokens
