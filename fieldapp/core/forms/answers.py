"""The answer tree of a form instance: answers laid out as an XForm instance, addressed by paths.

Answers are strings by field name, repeats lists of row dicts::

    {"village": "ban_chang", "hh_size": "2",
     "roster": [{"@key": "5f0c…", "member_name": "Hoàng Văn Sơn", "age": "34"}, {...}]}

Every repeat row carries a key (``@key``, fieldapp.core.records.ROW_KEY), a UUID given when
the row is added and kept through drafts, reopening, edits and the removal of other rows: the
change log addresses a row's answers by it, and the registry maps the row's person by it.

A *path* addresses one value: a field name for top-level fields, and repeat rows with zero-based
indices for fields in repeats: ``"roster[1]/member_name"``; nested repeats chain:
``"roster[0]/children[2]/child_name"``. A repeat is addressed the same way without the field
(``"roster"``, ``"roster[0]/children"``), one of its rows as ``"roster[1]"``. Groups need no
segment: field names are unique across the form. Inside the engine a row is found by its
*chain* (the names of the enclosing repeats, outermost first) and *idx* (one row index per
repeat of the chain).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from typing import Any

from fieldapp.core.forms.model import Field, Form, Group, Node, Repeat
from fieldapp.core.records import ROW_KEY
from fieldapp.i18n.text import nfc

MAX_ROWS = 500  # a repeat_count beyond this is a typo (or a hostile form), not a household
ROW_SEGMENT_RE = re.compile(r"^(.+)\[(\d+)\]$")


class PathError(KeyError):
    """A path that names no field, group or repeat row of this form."""


def make_path(name: str, chain: tuple[str, ...], idx: tuple[int, ...]) -> str:
    """The path of ``name`` in the row (chain, idx): "age", ("roster",), (1,) -> "roster[1]/age"."""
    if not chain:
        return name
    return "/".join(f"{r}[{i}]" for r, i in zip(chain, idx)) + "/" + name


def split_row_path(row_path: str) -> tuple[str, int]:
    """"members[1]" -> ("members", 1); "a[0]/b[2]" -> ("a[0]/b", 2)."""
    match = ROW_SEGMENT_RE.match(row_path)
    if not match:
        raise ValueError(f"not a repeat row path: {row_path!r}")
    return match.group(1), int(match.group(2))


def node_name(path: str) -> str:
    """The node a path ends with: "members[1]/sex" -> "sex", "members[1]" -> "members"."""
    last = path.rsplit("/", 1)[-1]
    match = ROW_SEGMENT_RE.match(last)
    return match.group(1) if match else last


def as_value(value: Any) -> str:
    """An answer as the instance stores it: an NFC string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        return " ".join(as_value(v) for v in value if as_value(v))
    return nfc(str(value))


class AnswerTree:
    """The answers of a :class:`~fieldapp.core.forms.instance.FormInstance` and how paths find
    them (a mixin: the instance sets these attributes up)."""

    form: Form
    _data: dict[str, Any]
    _chains: dict[str, tuple[str, ...]]
    """Every node's chain: the names of its enclosing repeats, outermost first."""
    _row_fields: dict[tuple[str, ...], list[Field]]
    """The fields of the rows of each chain."""
    _rel: dict[tuple[str, tuple[int, ...]], bool]
    """Relevance of each (node name, row indices), from the last evaluation."""
    _fresh: set[int]
    """ids of the rows created since the last evaluation (dynamic defaults apply to them)."""
    _path_cache: dict[str, tuple[Node, tuple[int, ...]]]
    _new_key: Callable[[], str]
    """Makes the key of a new repeat row (a UUID)."""

    # -- rows -----------------------------------------------------------------------------------
    def _normalise(self, data: Any, chain: tuple[str, ...]) -> dict[str, Any]:
        """A clean copy of stored answers: NFC strings, repeats as lists of row dicts, each
        row with its key (a row stored without one, by an older version or another tool,
        gets a new key)."""
        out: dict[str, Any] = {}
        if not isinstance(data, dict):
            return out
        if chain:
            key = data.get(ROW_KEY)
            out[ROW_KEY] = key if isinstance(key, str) and key else self._new_key()
        for key, value in data.items():
            key = nfc(str(key))
            if key == ROW_KEY:
                continue
            node = self.form.nodes.get(key)
            if isinstance(node, Repeat):
                if isinstance(value, list):
                    out[key] = [self._normalise(r, chain + (key,)) for r in value
                                if isinstance(r, dict)][:MAX_ROWS]
                continue
            if isinstance(value, dict):
                continue  # a group written as a nested dict by another tool: not our layout
            text = as_value(value)
            if text:
                out[key] = text
        return out

    def _new_row(self, row: dict[str, Any], chain: tuple[str, ...]) -> None:
        """Give a new repeat row its key and apply static defaults to it (or to the new
        instance); dynamic defaults follow."""
        if chain:
            row[ROW_KEY] = self._new_key()
        for f in self._row_fields.get(chain, ()):
            if f.default is not None and f.name not in row:
                row[f.name] = nfc(f.default)
        self._fresh.add(id(row))

    def _row(self, chain: tuple[str, ...], idx: tuple[int, ...]) -> dict[str, Any] | None:
        row = self._data
        for name, i in zip(chain, idx):
            rows = row.get(name)
            if not isinstance(rows, list) or not 0 <= i < len(rows):
                return None
            row = rows[i]
        return row

    def _scopes(self, chain: tuple[str, ...]) -> list[tuple[int, ...]]:
        """Every index tuple of the rows that ``chain`` (repeat names) leads to."""
        scopes: list[tuple[tuple[int, ...], dict[str, Any]]] = [((), self._data)]
        for name in chain:
            scopes = [(idx + (i,), r) for idx, row in scopes
                      for i, r in enumerate(row.get(name) or ())]
        return [idx for idx, _row in scopes]

    def _ref(self, name: str, chain: tuple[str, ...], idx: tuple[int, ...]) -> list[str]:
        """Values of ${name} seen from the row (chain, idx): see EvalContext.ref."""
        node = self.form.nodes.get(name)
        if node is None:
            return []
        target = self._chains[name]
        conts: list[tuple[dict[str, Any], tuple[int, ...]]] = [(self._data, ())]
        same = True
        for k, rep in enumerate(target):
            same = same and k < len(chain) and chain[k] == rep
            nxt = []
            for row, ci in conts:
                rows = row.get(rep) or ()
                if same:
                    i = idx[k]
                    if i < len(rows):
                        nxt.append((rows[i], ci + (i,)))
                else:
                    nxt.extend((r, ci + (j,)) for j, r in enumerate(rows))
            conts = nxt
        rel = self._rel
        if isinstance(node, Repeat):
            return [self._string_value(r) if rel.get((name, ci + (j,)), True) else ""
                    for row, ci in conts for j, r in enumerate(row.get(name) or ())]
        if isinstance(node, Group):
            return ["" for _ in conts]
        return [row.get(name, "") if rel.get((name, ci), True) else "" for row, ci in conts]

    def _string_value(self, row: dict[str, Any]) -> str:
        parts = []
        for k, v in row.items():
            if k != ROW_KEY:
                parts.append(v if isinstance(v, str)
                             else "".join(self._string_value(r) for r in v))
        return "".join(parts)

    # -- paths ----------------------------------------------------------------------------------
    def _parse(self, path: str) -> tuple[Node, tuple[int, ...]]:
        """(node, repeat indices) for a path; a trailing [i] addresses a repeat row."""
        hit = self._path_cache.get(path)
        if hit is not None:
            return hit
        if not isinstance(path, str) or not path:
            raise PathError(path)
        segments = path.split("/")
        chain: list[str] = []
        idx: list[int] = []
        for seg in segments[:-1]:
            m = ROW_SEGMENT_RE.match(seg)
            if not m or not isinstance(self.form.nodes.get(m.group(1)), Repeat):
                raise PathError(path)
            chain.append(m.group(1))
            idx.append(int(m.group(2)))
        last = segments[-1]
        m = ROW_SEGMENT_RE.match(last)
        if m and isinstance(self.form.nodes.get(m.group(1)), Repeat):
            node = self.form.nodes[m.group(1)]
            expected = self._chains[node.name] + (node.name,)
            chain.append(node.name)
            idx.append(int(m.group(2)))
        else:
            node = self.form.nodes.get(last)
            if node is None:
                raise PathError(path)
            expected = self._chains[node.name]
        if tuple(chain) != expected:
            raise PathError(path)
        result = (node, tuple(idx))
        if len(self._path_cache) < 100_000:
            self._path_cache[path] = result
        return result

    def _field(self, path: str) -> tuple[Field, tuple[str, ...], tuple[int, ...]]:
        node, idx = self._parse(path)
        if not isinstance(node, Field):
            raise PathError(path)
        return node, self._chains[node.name], idx

    def _repeat(self, repeat_path: str) -> tuple[Repeat, tuple[str, ...], tuple[int, ...]]:
        node, idx = self._parse(repeat_path)
        if not isinstance(node, Repeat) or len(idx) != len(self._chains[node.name]):
            raise PathError(repeat_path)
        return node, self._chains[node.name], idx

    # -- relevance as last evaluated ------------------------------------------------------------
    def _visible(self, node: Node, idx: tuple[int, ...]) -> bool:
        return self._rel.get((node.name, idx), True)

    def _export(self, row: dict[str, Any], chain: tuple[str, ...],
                idx: tuple[int, ...]) -> dict[str, Any]:
        """A copy of ``row`` without the values of fields that are not relevant."""
        out: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, list):
                sub = chain + (key,)
                out[key] = [self._export(r, sub, idx + (i,)) for i, r in enumerate(value)]
            elif value != "" and self._rel.get((key, idx), True):
                out[key] = value
        return out
