"""Change-log entries as JSON lines, and the strict reading of them.

One line holds the changes of one record made at one stamp (what one save wrote), so record
and stamp are written once per line::

    {"t": "persons", "r": "<record id>", "s": "<stamp>",
     "c": [["full_name", "Hoàng Văn Sơn"], ["birth_year", 1990, "<stamp replaced>"],
           ["head_name", "X", "<stamp replaced>", ["<other head>", ...]]]}

Each item of ``c`` is ``[field, value]``, ``[field, value, prev]`` or ``[field, value, prev,
merges]``; a value is text, a number, null, or ``{"b64": "..."}`` for file contents.

Reading refuses anything else with :class:`EntryError` (which line and why): wrong types,
unknown tables, malformed stamps, over-long lines; text is normalised to NFC.
"""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from fieldapp.core.changes import Change, Group
from fieldapp.core.clock import Stamp
from fieldapp.core.kinds import RECORD_TYPES
from fieldapp.i18n.text import nfc

MAX_LINE = 48 * 1024 * 1024
"""Longest line read (a 32 MB attachment in base64, with room)."""
MAX_ID = 200
MAX_FIELD = 2000


class EntryError(ValueError):
    """A line of a package that is not a valid change."""


def _value_out(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"b64": base64.b64encode(value).decode("ascii")}
    return value


def encode(changes: Iterable[Change]) -> Iterator[bytes]:
    """JSON lines (UTF-8, newline-terminated) for changes in log order; consecutive changes of
    one record and stamp share a line."""
    key = None
    items: list[list[Any]] = []
    head: dict[str, Any] = {}
    for c in changes:
        here = (c.table, c.record, c.stamp)
        if here != key and items:
            yield _line(head, items)
            items = []
        if here != key:
            key = here
            head = {"t": c.table, "r": c.record, "s": str(c.stamp)}
        item: list[Any] = [c.field, _value_out(c.value)]
        if c.prev is not None or c.merges:
            item.append(str(c.prev) if c.prev is not None else None)
        if c.merges:
            item.append([str(m) for m in c.merges])
        items.append(item)
    if items:
        yield _line(head, items)


def _line(head: dict[str, Any], items: list[list[Any]]) -> bytes:
    return (json.dumps({**head, "c": items}, ensure_ascii=False, separators=(",", ":"))
            + "\n").encode("utf-8")


def _text(value: Any, what: str, limit: int) -> str:
    if value.__class__ is not str or not value or len(value) > limit:
        raise EntryError(f"{what} must be text of 1 to {limit} characters")
    return value if value.isascii() else nfc(value)


def _stamp(value: Any, what: str) -> Stamp:
    if value.__class__ is not str:
        raise EntryError(f"{what} is not a stamp")
    try:
        return Stamp.parse(value)
    except ValueError:
        raise EntryError(f"{what} is not a stamp") from None


def _value_in(value: Any) -> Any:
    kind = value.__class__
    if kind is str:
        return value if value.isascii() else nfc(value)
    if value is None or kind is int:
        return value
    if kind is float:
        if value != value:  # NaN is not a value
            raise EntryError("a value is not a number")
        return value
    if kind is dict and set(value) == {"b64"} and isinstance(value["b64"], str):
        try:
            return base64.b64decode(value["b64"], validate=True)
        except (binascii.Error, ValueError):
            raise EntryError("a file content is not valid base64") from None
    raise EntryError("a value must be text, a number, null or a file content")


def decode_group(raw: bytes) -> Group:
    """One line; EntryError for anything that is not exactly a line of changes."""
    if len(raw) > MAX_LINE:
        raise EntryError("the line is too long")
    try:
        # orjson: half the time of json on the lines every import reads; stricter (no NaN, no
        # lone surrogate), and an integer beyond 64 bits reads as a number with a fraction
        # (no laptop could have stored it as an integer: SQLite's are 64 bits).
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise EntryError("the line is not UTF-8") from None
        raise EntryError("the line is not JSON") from None
    if data.__class__ is not dict or data.keys() != {"t", "r", "s", "c"}:
        raise EntryError("a line must have exactly t, r, s and c")
    table = _text(data["t"], "t", 50)
    if table not in RECORD_TYPES:
        raise EntryError(f"unknown table {table!r}")
    record = _text(data["r"], "r", MAX_ID)
    stamp = _stamp(data["s"], "s")
    raw_items = data["c"]
    if raw_items.__class__ is not list or not raw_items:
        raise EntryError("c must be a non-empty list")
    fast = _first_values(raw_items)
    if fast is not None:
        return Group(table, record, stamp, None, fast)
    items = []
    creation: dict[str, Any] | None = {}
    # The common item, [field, value] with a text field and a text, integer or null value, is
    # checked inline: a package of a commune's records holds millions of them.
    for item in raw_items:
        if item.__class__ is not list or not 2 <= len(item) <= 4:
            raise EntryError("an item of c must be [field, value, prev?, merges?]")
        field = item[0]
        if field.__class__ is not str or not field or len(field) > MAX_FIELD:
            _text(field, "a field", MAX_FIELD)  # raises
        if not field.isascii():
            field = nfc(field)
        value = item[1]
        kind = value.__class__
        if kind is str:
            if not value.isascii():
                value = nfc(value)
        elif value is not None and kind is not int:
            value = _value_in(value)
        if len(item) == 2:
            if creation is not None:
                if field in creation:
                    creation = None
                else:
                    creation[field] = value
            items.append((field, value, None, ()))
            continue
        prev, merges = None, ()
        prev = _stamp(item[2], "prev") if item[2] is not None else None
        if len(item) == 4:
            if not isinstance(item[3], list) or len(item[3]) > 100:
                raise EntryError("merges must be a list of stamps")
            merges = tuple(_stamp(m, "merges") for m in item[3])
        if creation is not None:
            if prev is not None or merges or field in creation:
                creation = None
            else:
                creation[field] = value
        items.append((field, value, prev, merges))
    return Group(table, record, stamp, tuple(items), creation)


_PLAIN = {str, int, float, type(None)}
"""Value types a line's first values take in C-level passes (orjson reads no NaN)."""


def _first_values(raw_items: list) -> dict[str, Any] | None:
    """{field: value} of the common line, a record's first values: [field, value] pairs,
    text fields (ASCII, distinct, 1 to MAX_FIELD characters) and text, number or null values,
    checked and normalised by whole-line passes instead of item by item (a survey line holds
    a hundred of them). None for any other line: the item-by-item path then checks it and
    gives the reason it is refused."""
    if set(map(type, raw_items)) != {list} or set(map(len, raw_items)) != {2}:
        return None
    try:
        creation = dict(raw_items)  # TypeError: a field that is a list or an object
        if len(creation) != len(raw_items) or "" in creation:
            return None
        names = "".join(creation)  # TypeError: a field that is not text
    except TypeError:
        return None
    if not names.isascii() or max(map(len, creation)) > MAX_FIELD:
        return None
    values = creation.values()
    kinds = set(map(type, values))
    if not kinds <= _PLAIN:
        return None
    if str in kinds:
        texts = [v for v in values if v.__class__ is str]
        # NUL never combines with its neighbours: the joined text is NFC exactly when every
        # piece is.
        joined = "\x00".join(texts)
        if not joined.isascii() and not unicodedata.is_normalized("NFC", joined):
            creation = {k: nfc(v) if v.__class__ is str else v for k, v in creation.items()}
    return creation


def decode_line(raw: bytes) -> list[Change]:
    """The changes of one line; EntryError for anything that is not exactly that."""
    return decode_group(raw).changes()
