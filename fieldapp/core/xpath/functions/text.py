"""Strings: concat(), join(), substrings, translate(), regex() (the whole value must match),
uuid(), digest() and base64-decode()."""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import string
import uuid as _uuid
from functools import lru_cache

import re2
import regex as backtracking

from fieldapp.core.xpath.errors import ExprTimeout, ExprUnsupportedError, Message
from fieldapp.core.xpath.functions.registry import flatten, register, truncate
from fieldapp.core.xpath.nodes import Call, Literal
from fieldapp.core.xpath.values import to_number, to_string
from fieldapp.i18n.catalog import N_


# regex() runs on RE2, whose matching time is linear in the text: a pattern with nested
# quantifiers such as ^([a-zA-Z0-9]+\s?)*$ cannot make the screen hang (Python's re, a
# backtracking engine, doubled its time per character). A pattern RE2 cannot run (a
# lookaround or a backreference, which Java's engine in ODK Collect takes) runs on the regex
# module, a backtracking engine, with a time limit per match; a match past it raises
# ExprTimeout (a constraint then tells the member the answer could not be checked), and the
# outcome, time-outs included, is remembered so re-evaluating after every keystroke does not
# run it again.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is our message, not a line on stderr
MATCH_TIME_LIMIT = 0.2
"""Seconds one match of a pattern RE2 cannot run may take on the backtracking engine."""
_TIMED_OUT = object()


def _compile(pattern: str):
    return re2.compile(pattern, _RE2_OPTIONS)


@lru_cache(maxsize=512)
def _regex(pattern: str):
    """The compiled pattern: RE2's, else the backtracking engine's, else None (invalid)."""
    try:
        return _compile(pattern)
    except (re2.error, ValueError, TypeError, OverflowError):
        pass
    try:
        return backtracking.compile(pattern, backtracking.V0)
    except (backtracking.error, ValueError, TypeError, OverflowError, RecursionError):
        return None


@lru_cache(maxsize=4096)
def _fullmatch(pattern: str, text: str) -> object:
    """True/False, or _TIMED_OUT when the backtracking engine ran past its time limit."""
    compiled = _regex(pattern)
    if compiled is None:
        return False
    if isinstance(compiled, backtracking.Pattern):
        try:
            return compiled.fullmatch(text, timeout=MATCH_TIME_LIMIT) is not None
        except TimeoutError:
            return _TIMED_OUT
    return compiled.fullmatch(text) is not None


@register("concat", 0, None)
def _concat(ctx, *values):
    return "".join(to_string(v) for v in flatten(values))


@register("join", 1, None)
def _join(ctx, sep, *values):
    return to_string(sep).join(to_string(v) for v in flatten(values))


@register("string-length", 0, 1, reads_current=True)
def _string_length(ctx, *a):
    return float(len(to_string(a[0]) if a else ctx.current()))


@register("normalize-space", 0, 1, reads_current=True)
def _normalize_space(ctx, *a):
    return " ".join((to_string(a[0]) if a else ctx.current()).split())


@register("contains", 2)
def _contains(ctx, a, b):
    return to_string(b) in to_string(a)


@register("starts-with", 2)
def _starts_with(ctx, a, b):
    return to_string(a).startswith(to_string(b))


@register("ends-with", 2)
def _ends_with(ctx, a, b):
    return to_string(a).endswith(to_string(b))


@register("substr", 2, 3)
def _substr(ctx, s, start, *end):
    text = to_string(s)
    n = len(text)
    a = truncate(to_number(start))
    b = truncate(to_number(end[0])) if end else float(n)
    if a != a or b != b:
        return ""
    a = max(-1e18, min(1e18, a))
    b = max(-1e18, min(1e18, b))
    a, b = int(a), int(b)
    if a < 0:
        a += n
    if b < 0:
        b += n
    a, b = min(max(0, a), n), min(max(0, b), n)
    return text[a:b] if a <= b else ""


@register("substring-before", 2)
def _substring_before(ctx, a, b):
    s, t = to_string(a), to_string(b)
    i = s.find(t)
    return s[:i] if i >= 0 else ""


@register("substring-after", 2)
def _substring_after(ctx, a, b):
    s, t = to_string(a), to_string(b)
    i = s.find(t)
    return s[i + len(t):] if i >= 0 else ""


@register("translate", 3)
def _translate(ctx, a, b, c):
    s, src, dst = to_string(a), to_string(b), to_string(c)
    table: dict[int, int | None] = {}
    for i, ch in enumerate(src):
        if ord(ch) not in table:  # XPath: the first occurrence in the second argument wins
            table[ord(ch)] = ord(dst[i]) if i < len(dst) else None
    return s.translate(table)


def _regex_check(node: Call, text: str) -> None:
    """A literal pattern neither engine can compile (a syntax error) is a load-time error,
    as Java's engine refuses it in Collect, not a constraint that silently never matches."""
    arg = node.args[1]
    if isinstance(arg, Literal) and _regex(arg.raw or arg.value) is None:
        try:
            backtracking.compile(arg.raw or arg.value, backtracking.V0)
            detail: object = ""
        except Exception as err:  # noqa: BLE001 - its wording is the detail shown
            detail = err
        # The engine's own (English) wording of the pattern error, framed by the sentence.
        raise ExprUnsupportedError(
            Message(N_("regex() pattern '{pattern}' is not a valid pattern: {detail}"),
                    pattern=arg.value, detail=str(detail)), arg.pos, text) from None


@register("regex", 2, lazy=True, check=_regex_check)
def _regex_fn(args, nodes):
    # JavaRosa uses Pattern.matches: the whole value must match. An invalid pattern matches
    # nothing. A literal pattern is used as written: NFC normalisation would change its
    # character ranges (Java's engine takes it as it is).
    value_of, pattern_of = args
    literal = nodes[1].raw or nodes[1].value if isinstance(nodes[1], Literal) else None

    def run(ctx):
        pattern = literal if literal is not None else to_string(pattern_of(ctx))
        found = _fullmatch(pattern, to_string(value_of(ctx)))
        if found is _TIMED_OUT:
            raise ExprTimeout(Message(N_("regex() took more than {seconds} s on this answer"),
                                      seconds=MATCH_TIME_LIMIT))
        return found

    return run


_UUID_ALPHABET = string.ascii_letters + string.digits


@register("uuid", 0, 1)
def _uuid_fn(ctx, *length):
    if not length:
        return str(_uuid.uuid4())
    n = truncate(to_number(length[0]))
    if n != n or n <= 0 or n > 10_000:
        return ""
    return "".join(secrets.choice(_UUID_ALPHABET) for _ in range(int(n)))


_DIGESTS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384",
            "SHA-512": "sha512"}


def _digest_check(node: Call, text: str) -> None:
    algorithm = node.args[1]
    if isinstance(algorithm, Literal) and algorithm.value.strip().upper() not in _DIGESTS:
        raise ExprUnsupportedError(
            Message(N_("digest() algorithm '{algorithm}' is not one of {known}"),
                    algorithm=algorithm.value, known=", ".join(_DIGESTS)), algorithm.pos, text)
    if len(node.args) == 3:
        encoding = node.args[2]
        if isinstance(encoding, Literal) and encoding.value.strip().lower() not in (
                "base64", "hex"):
            raise ExprUnsupportedError(
                Message(N_("digest() encoding '{encoding}' is not base64 or hex"),
                        encoding=encoding.value), encoding.pos, text)


@register("digest", 2, 3, check=_digest_check)
def _digest(ctx, data, algorithm, *encoding):
    algo = _DIGESTS.get(to_string(algorithm).strip().upper())
    enc = to_string(encoding[0]).strip().lower() if encoding else "base64"
    if algo is None or enc not in ("base64", "hex"):
        return ""
    raw = hashlib.new(algo, to_string(data).encode("utf-8")).digest()
    return raw.hex() if enc == "hex" else base64.b64encode(raw).decode("ascii")


@register("base64-decode", 1)
def _base64_decode(ctx, a):
    try:
        return base64.b64decode(to_string(a), validate=False).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
