"""Values as the warehouse holds them, and back (for ``warehouse check``).

PostgreSQL's text and jsonb cannot hold U+0000, and a column of a declared type cannot hold a
value of another (SQLite can: a birth year typed as text arrives as it was written). Such a
value is not dropped: its column stays empty and ``wh_odd`` keeps it whole, as
``{field: {"text": base64 of UTF-8}}``, ``{"bytes": base64}``, ``{"int": "digits"}`` or
``{"real": "repr"}``. In ``history`` a value is JSON: text, a number or null; file contents are
``{"b64": ...}`` as in a package (fieldapp.sync.codec), and the odd ones as in ``wh_odd``.

:func:`canonical` gives one text for a row or a history group as SQLite or the warehouse holds
it, so that ``warehouse check`` compares what was meant, not how each engine spells JSON.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from fieldapp.core.kinds import BYTES, INTEGER, JSON, MAP, REAL, TEXT, TREE, Kind

_JSON_TYPES = (JSON, MAP, TREE)
_MIN, _MAX = -(2 ** 63), 2 ** 63 - 1
_dumps = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def odd_value(value: Any) -> dict[str, str]:
    """A value kept whole in ``wh_odd``."""
    if isinstance(value, bytes):
        return {"bytes": _b64(value)}
    if isinstance(value, bool) or isinstance(value, int):
        return {"int": str(int(value))}
    if isinstance(value, float):
        return {"real": repr(value)}
    return {"text": _b64(str(value).encode("utf-8", "surrogatepass"))}


def from_odd(item: dict[str, str]) -> Any:
    (kind, text), = item.items()
    if kind == "bytes":
        return base64.b64decode(text)
    if kind == "int":
        return int(text)
    if kind == "real":
        return float(text)
    return base64.b64decode(text).decode("utf-8", "surrogatepass")


def column_value(ftype: str, value: Any) -> tuple[Any, bool]:
    """(what the column holds, whether the value is odd: kept in wh_odd instead)."""
    if value is None:
        return None, False
    cls = value.__class__
    if ftype == TEXT:
        if cls is str and "\x00" not in value:
            return value, False
    elif ftype == INTEGER:
        if cls is int and _MIN <= value <= _MAX:
            return value, False
    elif ftype == REAL:
        if cls is float and math.isfinite(value):
            return value, False
        if cls is int and abs(value) < 2 ** 53:
            return float(value), False
    elif ftype == BYTES:
        if cls is bytes:
            return value, False
    elif ftype in _JSON_TYPES:
        if cls is str and "\\u0000" not in value and "\x00" not in value:
            return value, False  # JSON text: PostgreSQL parses it (or the batch is re-checked)
    return None, True


def checked_json(value: str) -> bool:
    """Whether JSON text is valid for jsonb (the careful pass after a batch was refused)."""
    try:
        json.loads(value, parse_constant=_refuse)
    except (ValueError, RecursionError):
        return False
    return True


def _refuse(name: str) -> Any:
    raise ValueError(name)


class RowEncoder:
    """SQLite rows of one kind (commune, id, fields..., sync columns...) as warehouse rows
    (wh_province, wh_commune, id, fields..., sync columns..., wh_odd)."""

    def __init__(self, kind: Kind, province: str, *, careful: bool = False):
        self.types = [f.type for f in kind.fields if not f.secret]
        self.names = [f.name for f in kind.fields if not f.secret]
        self.province = province
        self.careful = careful

    def row(self, sqlite_row: tuple) -> tuple:
        commune, rid, *values = sqlite_row
        n = len(self.types)
        out: list[Any] = [self.province, commune, rid]
        odd: dict[str, Any] | None = None
        for i, value in enumerate(values[:n]):
            held, is_odd = column_value(self.types[i], value)
            if not is_odd and self.careful and held is not None and \
                    self.types[i] in _JSON_TYPES and not checked_json(held):
                held, is_odd = None, True
            if is_odd:
                odd = odd or {}
                odd[self.names[i]] = odd_value(value)
            out.append(held)
        sync = values[n:]
        for i, value in enumerate(sync):
            ftype = INTEGER if i == 4 else TEXT  # deleted is the one number
            held, is_odd = column_value(ftype, value)
            if is_odd:
                odd = odd or {}
                odd[f"_{i}"] = odd_value(value)
            out.append(held)
        out.append(_dumps(odd) if odd else None)
        return tuple(out)


# -- history ------------------------------------------------------------------------------------

def history_value(value: Any) -> Any:
    cls = value.__class__
    if cls is bytes:
        return {"b64": _b64(value)}
    if cls is str:
        return {"text": _b64(value.encode("utf-8", "surrogatepass"))} if "\x00" in value \
            else value
    if cls is float and not math.isfinite(value):
        return {"real": repr(value)}
    return value


def history_json(fields: dict[str, Any]) -> str:
    """A group's {field: value} as JSON text for jsonb."""
    try:
        text = _dumps(fields)
    except (TypeError, ValueError):  # file contents, NaN
        return _dumps({k: history_value(v) for k, v in fields.items()})
    if "\\u0000" in text:
        return _dumps({k: history_value(v) for k, v in fields.items()})
    return text


def from_history(value: Any) -> Any:
    if isinstance(value, dict):
        if "b64" in value:
            return base64.b64decode(value["b64"])
        return from_odd(value)
    return value


def stamp_text(hlc: int, device: str) -> str:
    """The stamp as fieldapp.core.clock.Stamp writes it (as ``rev`` holds it)."""
    from fieldapp.core.clock import COUNTER_LIMIT

    wall, counter = divmod(hlc, COUNTER_LIMIT)
    return f"{wall:013d}-{counter:04d}-{device}"


def group_row(province: str, commune: str, group) -> tuple:
    """A history row (fieldapp.storage.changelog.LoggedGroup) for COPY."""
    prev = {k: stamp_text(*v) for k, v in group.prev.items()} if group.prev else None
    merges = ({k: [stamp_text(*m) for m in v] for k, v in group.merges.items()}
              if group.merges else None)
    return (province, commune, group.seq, group.table, group.record, group.hlc, group.device,
            history_json(group.fields), _dumps(prev) if prev else None,
            _dumps(merges) if merges else None)


# -- comparing ----------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """JSON values with every number as float (jsonb and Python spell numbers differently)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def canonical_row(types: list[str], values: list[Any]) -> str:
    """One text for a row's values (fields then sync columns), whichever engine held them:
    JSON columns compared as parsed JSON, bytes as base64, odd values restored."""
    out = []
    for i, value in enumerate(values):
        ftype = types[i] if i < len(types) else None
        if ftype in _JSON_TYPES and value is not None:
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    value = {"unparsed": value}
            value = _plain(value)
        elif ftype == REAL and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(value, (bytes, memoryview)):
            value = {"bytes": _b64(bytes(value))}
        elif isinstance(value, float) and not math.isfinite(value):
            value = {"real": repr(value)}
        out.append(value)
    return json.dumps(out, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_group(record: str, hlc: int, device: str, fields: dict[str, Any],
                    prev: dict[str, str] | None, merges: dict[str, list[str]] | None) -> str:
    """One text for a history group (values restored from their JSON form)."""
    values = {k: from_history(v) for k, v in fields.items()}
    values = {k: ({"bytes": _b64(v)} if isinstance(v, bytes) else
                  {"real": repr(v)} if isinstance(v, float) and not math.isfinite(v) else
                  float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
              for k, v in values.items()}
    return json.dumps([record, hlc, device, values, prev or {}, merges or {}],
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
