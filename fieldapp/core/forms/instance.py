"""A form being filled in: answers, relevance, calculations, validation, pages and entities.

The UI drives a :class:`FormInstance`; it holds no Qt and no storage. Answers are kept like an
XForm instance: strings by field name, repeats as lists of row dicts::

    {"village": "ban_chang", "hh_size": "2",
     "roster": [{"member_name": "Hoàng Văn Sơn", "age": "34"}, {...}]}

A *path* addresses one value: a field name for top-level fields, and repeat rows with zero-based
indices for fields in repeats: ``"roster[1]/member_name"``; nested repeats chain:
``"roster[0]/children[2]/child_name"``. A repeat is addressed the same way without the field
(``"roster"``, ``"roster[0]/children"``), one of its rows as ``"roster[1]"``. Groups need no
segment: field names are unique across the form. Values are strings: select_multiple answers
are space-separated codes, dates ``YYYY-MM-DD``, numbers as typed (``"34"``, ``"1.5"``).
"""

from __future__ import annotations

import copy
import datetime as _dt
import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, Sequence

from fieldapp.core.forms.model import (
    Choice, Field, Form, Group, Node, Repeat, Texts, pick_text)
from fieldapp.core.xpath import Expr
from fieldapp.i18n.catalog import N_, _
from fieldapp.i18n.text import nfc


class RegistryLookup(Protocol):
    """Serves the registry lists that ``select_*_from_file NAME.csv`` questions choose from.

    ``list_rows("households.csv")`` returns rows with at least ``name`` (the value stored) and
    ``label`` (shown), plus any columns a choice_filter tests (``village``, ``household`` ...).
    Labels may be per language as ``label::Vietnamese (vi)`` keys.
    """

    def list_rows(self, csv_name: str) -> list[dict[str, str]]: ...


class EmptyRegistry:
    """A registry with no rows (for previews, tests and forms that use no registry list)."""

    def list_rows(self, csv_name: str) -> list[dict[str, str]]:
        return []


@dataclass(frozen=True)
class Page:
    """One screen of the form.

    ``paths`` are the fields shown (one for a plain question, several for a field-list group).
    ``title`` is the group/row title (empty for a lone question: its label is the title).
    For pages inside a repeat row, ``repeat_path`` is that row's path (``"roster[1]"``) and
    ``row_title`` the row's title, e.g. "2. Hoàng Văn Sơn, 34".
    """

    key: str
    section: str
    paths: tuple[str, ...]
    title: str = ""
    repeat_path: str | None = None
    row_title: str = ""
    add_row: str | None = None
    """Set (to the repeat's path) on the page after a user-driven repeat's rows, where the UI
    offers "add a row"; such a page has no paths."""
    group_title: str = ""
    """Label of the innermost enclosing (non field-list) group, as a breadcrumb above a
    question that is not on a field-list page; empty at top level."""


@dataclass(frozen=True)
class Section:
    """A jump target: a top-level group, repeat or question, and the index of its first page."""

    name: str
    title: str
    first_page: int


@dataclass
class EntityOperation:
    """What a finalized submission creates or updates in a registry (see entity_operations)."""

    dataset: str
    action: str  # "create" or "update"
    entity_id: str | None
    label: str
    properties: dict[str, str]
    repeat_path: str | None = None
    row_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset, "action": self.action, "entity_id": self.entity_id,
            "label": self.label, "properties": dict(self.properties),
            "repeat_path": self.repeat_path, "row_index": self.row_index,
        }


class PathError(KeyError):
    """A path that names no field, group or repeat row of this form."""


_MAX_ROWS = 500  # a repeat_count beyond this is a typo (or a hostile form), not a household
_SEGMENT_RE = re.compile(r"^(.+)\[(\d+)\]$")
_TEXT_REF_RE = re.compile(r"\$\{([^}]*)\}")
_INTEGER_RE = re.compile(r"^[+-]?\d+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HIDDEN_TYPES = ("calculate", "hidden")

# Built-in messages when the form gives none (XLSForm required_message / constraint_message,
# per form language, take precedence). They are interface text: msgids translated into the
# interface language when shown, whatever language the form is displayed in.
_MESSAGES = {
    "required": N_("This question requires an answer."),
    "constraint": N_("This answer is not valid."),
    "integer": N_("Enter a whole number."),
    "decimal": N_("Enter a number (with a point for decimals)."),
    "date": N_("Enter a valid date."),
    "choice": N_("This choice is not in the list."),
    # Translators: the extra choice of a "select ... or_other" question.
    "other": N_("Other"),
}


def _message(key: str) -> str:
    """A built-in message in the current interface language."""
    return _(_MESSAGES[key])


def _plain(text: str) -> str:
    """A label without its ${references} (for a repeat's title outside its rows)."""
    return " ".join(_TEXT_REF_RE.sub("", text).split()).strip(" ,;:-–")


def _as_value(value: Any) -> str:
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
        return " ".join(_as_value(v) for v in value if _as_value(v))
    return nfc(str(value))


class _Context:
    """The EvalContext seen from one node instance (see fieldapp.core.xpath.EvalContext)."""

    __slots__ = ("inst", "node", "chain", "idx", "item")

    def __init__(self, inst: FormInstance, node: Node | None, chain: tuple[str, ...],
                 idx: tuple[int, ...], item: dict[str, str] | None = None) -> None:
        self.inst, self.node, self.chain, self.idx, self.item = inst, node, chain, idx, item

    def ref(self, name: str) -> Sequence[str]:
        return self.inst._ref(name, self.chain, self.idx)

    def current(self) -> str:
        node = self.node
        if isinstance(node, Field):
            row = self.inst._row(self.inst._chains[node.name], self.idx)
            return row.get(node.name, "") if row is not None else ""
        return ""

    def position(self, path: str = "..") -> int:
        if path.startswith("${") and path.endswith("}"):
            target: Node | None = self.inst.form.nodes.get(path[2:-1].strip())
        else:
            target = self.node
            for step in path.split("/"):
                if step == "..":
                    target = target.parent if target is not None else None
                elif step not in ("", "."):
                    target = None
        if isinstance(target, Repeat) and target.name in self.chain:
            return self.idx[self.chain.index(target.name)] + 1
        return 1

    def relative(self, path: str) -> Sequence[str]:
        if self.item is not None and "/" not in path and path not in (".", ".."):
            return [self.item[path]] if path in self.item else []
        steps = path.split("/")
        if steps[0] == "":  # absolute /form_id/.../name: names are unique, take the last step
            return self.inst._ref(steps[-1], self.chain, self.idx) if len(steps) > 2 else []
        node: Node | None = self.node
        for step in steps:
            if node is None:
                return []
            if step == "..":
                node = node.parent
            elif step != ".":
                children = node.children if isinstance(node, Group) else []
                node = next((c for c in children if c.name == step), None)
        if node is None or node is self.inst.form.root:
            return []
        if node is self.node:
            return [self.current()]
        return self.inst._ref(node.name, self.chain, self.idx)

    def indexed_repeat(self, name: str, repeat: str, index: int, *outer: tuple[str, int]) -> str:
        inst = self.inst
        if name not in inst.form.nodes:
            return ""
        wanted = {repeat: index, **dict(outer)}
        chain = inst._chains[name]
        idx = []
        for k, rep in enumerate(chain):
            if rep in wanted:
                try:
                    i = int(wanted[rep]) - 1
                except (TypeError, ValueError, OverflowError):  # NaN or text from bad data
                    return ""
            elif k < len(self.chain) and self.chain[k] == rep:
                i = self.idx[k]
            else:
                i = 0
            if i < 0:
                return ""
            idx.append(i)
        values = inst._ref(name, chain, tuple(idx))
        return values[0] if values else ""

    def today(self) -> _dt.date:
        return self.inst._today()

    def now(self) -> _dt.datetime:
        return self.inst._now()

    def choice_label(self, field: str, value: str) -> str:
        return self.inst._choice_label(field, value, self.chain, self.idx)


class FormInstance:
    """The runtime of one submission of ``form``.

    ``today``/``now`` are clocks (callables) or fixed values used by today()/now() so tests and
    re-opened submissions are deterministic; ``registry`` serves select_*_from_file lists.
    Creating an instance applies defaults (only when ``answers`` is None: a reopened submission
    keeps what the user cleared), syncs repeat_count repeats and runs calculations.
    ``language`` (an XLSForm language name) is used by jr:choice-name(); built-in messages
    follow the interface language (fieldapp.i18n.catalog).
    """

    def __init__(
        self,
        form: Form,
        answers: dict[str, Any] | None = None,
        *,
        today: _dt.date | Callable[[], _dt.date] | None = None,
        now: _dt.datetime | Callable[[], _dt.datetime] | None = None,
        registry: RegistryLookup | None = None,
    ) -> None:
        self.form = form
        self.registry: RegistryLookup = registry if registry is not None else EmptyRegistry()
        self.language: str = form.default_language
        self._clock_today = today
        self._clock_now = now
        self._chains: dict[str, tuple[str, ...]] = {}
        for node in form.nodes.values():
            chain, r = [], node.repeat
            while r is not None:
                chain.append(r.name)
                r = r.repeat
            self._chains[node.name] = tuple(reversed(chain))
        self._row_fields: dict[tuple[str, ...], list[Field]] = {}
        for f in form.fields.values():
            self._row_fields.setdefault(self._chains[f.name], []).append(f)
        self._path_cache: dict[str, tuple[Node, tuple[int, ...]]] = {}
        self._rel: dict[tuple[str, tuple[int, ...]], bool] = {}
        self._fresh: set[int] = set()
        if answers is None:
            self._data: dict[str, Any] = {}
            self._new_row(self._data, ())
        else:
            self._data = self._normalise(answers, ())
        self._recompute()

    # -- clocks ---------------------------------------------------------------------------------
    def _today(self) -> _dt.date:
        c = self._clock_today
        if c is None:
            return _dt.date.today()
        return c() if callable(c) else c

    def _now(self) -> _dt.datetime:
        c = self._clock_now
        if c is None:
            return _dt.datetime.now().astimezone()
        return c() if callable(c) else c

    # -- data layout ----------------------------------------------------------------------------
    def _normalise(self, data: Any, chain: tuple[str, ...]) -> dict[str, Any]:
        """A clean copy of stored answers: NFC strings, repeats as lists of row dicts."""
        out: dict[str, Any] = {}
        if not isinstance(data, dict):
            return out
        for key, value in data.items():
            key = nfc(str(key))
            node = self.form.nodes.get(key)
            if isinstance(node, Repeat):
                if isinstance(value, list):
                    out[key] = [self._normalise(r, chain + (key,)) for r in value
                                if isinstance(r, dict)][:_MAX_ROWS]
                continue
            if isinstance(value, dict):
                continue  # a group written as a nested dict by another tool: not our layout
            text = _as_value(value)
            if text:
                out[key] = text
        return out

    def _new_row(self, row: dict[str, Any], chain: tuple[str, ...]) -> None:
        """Apply static defaults to a new row (or the new instance); dynamic ones follow."""
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

    def _relevant(self, name: str, idx: tuple[int, ...]) -> bool:
        return self._rel.get((name, idx), True)

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
        for v in row.values():
            parts.append(v if isinstance(v, str) else "".join(self._string_value(r) for r in v))
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
            m = _SEGMENT_RE.match(seg)
            if not m or not isinstance(self.form.nodes.get(m.group(1)), Repeat):
                raise PathError(path)
            chain.append(m.group(1))
            idx.append(int(m.group(2)))
        last = segments[-1]
        m = _SEGMENT_RE.match(last)
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

    def _make_path(self, name: str, chain: tuple[str, ...], idx: tuple[int, ...]) -> str:
        if not chain:
            return name
        return "/".join(f"{r}[{i}]" for r, i in zip(chain, idx)) + "/" + name

    def _field(self, path: str) -> tuple[Field, tuple[str, ...], tuple[int, ...]]:
        node, idx = self._parse(path)
        if not isinstance(node, Field):
            raise PathError(path)
        return node, self._chains[node.name], idx

    # -- evaluation -----------------------------------------------------------------------------
    def _recompute(self) -> None:
        """Relevance, repeat counts and calculations for every node instance, in dependency
        order (the form's evaluation_order puts each node after what it depends on)."""
        rel: dict[tuple[str, tuple[int, ...]], bool] = {}
        self._rel = rel
        root = self.form.root
        for node in self.form.evaluation_order:
            name = node.name
            chain = self._chains[name]
            parent = node.parent
            parent_name = parent.name if parent is not None and parent is not root else None
            for idx in self._scopes(chain):
                relevant = True if parent_name is None else rel.get((parent_name, idx), True)
                if isinstance(node, Repeat):
                    self._update_repeat(node, chain, idx, relevant, rel)
                    continue
                if relevant and node.relevant is not None:
                    relevant = node.relevant.evaluate_bool(_Context(self, node, chain, idx))
                rel[(name, idx)] = relevant
                if not isinstance(node, Field) or not relevant:
                    continue
                if node.calculation is not None:
                    row = self._row(chain, idx)
                    value = nfc(node.calculation.evaluate_str(_Context(self, node, chain, idx)))
                    if row is not None and row.get(name, "") != value:
                        row[name] = value
                elif node.default_expr is not None:
                    row = self._row(chain, idx)
                    if row is not None and id(row) in self._fresh and not row.get(name):
                        row[name] = nfc(node.default_expr.evaluate_str(
                            _Context(self, node, chain, idx)))
        self._fresh.clear()

    def _update_repeat(self, node: Repeat, chain: tuple[str, ...], idx: tuple[int, ...],
                       relevant: bool, rel: dict[tuple[str, tuple[int, ...]], bool]) -> None:
        name = node.name
        rel[(name, idx)] = relevant
        row = self._row(chain, idx)
        if row is None:
            return
        if node.repeat_count is not None and relevant:
            count = node.repeat_count.evaluate_num(_Context(self, node, chain, idx))
            wanted = 0 if math.isnan(count) else max(0, min(_MAX_ROWS, int(count)))
            rows = row.setdefault(name, [])
            while len(rows) < wanted:
                new: dict[str, Any] = {}
                self._new_row(new, chain + (name,))
                rows.append(new)
            del rows[wanted:]
        row_chain = chain + (name,)
        for i in range(len(row.get(name) or ())):
            ridx = idx + (i,)
            ok = relevant
            if ok and node.relevant is not None:
                ok = node.relevant.evaluate_bool(_Context(self, node, row_chain, ridx))
            rel[(name, ridx)] = ok

    def _interpolate(self, text: str, chain: tuple[str, ...], idx: tuple[int, ...]) -> str:
        if "${" not in text:
            return text
        return _TEXT_REF_RE.sub(
            lambda m: ", ".join(v for v in self._ref(m.group(1).strip(), chain, idx) if v), text)

    # -- values -------------------------------------------------------------------------------
    def get_value(self, path: str) -> str:
        """The stored value at ``path`` ('' when unanswered or not relevant)."""
        node, chain, idx = self._field(path)
        if not self._visible(node, idx):
            return ""
        row = self._row(chain, idx)
        if row is None:
            raise PathError(path)
        return row.get(node.name, "")

    def set_value(self, path: str, value: Any) -> None:
        """Store an answer (NFC-normalised string; None clears) and recompute what depends on it.

        Lists (select_multiple) are joined with spaces, dates written YYYY-MM-DD. Raises
        PathError for an unknown path and ValueError for a note, calculated or read-only field.
        """
        node, chain, idx = self._field(path)
        if node.type == "note" or node.calculation is not None:
            raise ValueError(_("'{name}' is calculated and cannot be set").format(name=node.name))
        row = self._row(chain, idx)
        if row is None:
            raise PathError(path)
        if node.read_only is not None and node.read_only.evaluate_bool(
                _Context(self, node, chain, idx)):
            raise ValueError(_("'{name}' is read-only").format(name=node.name))
        text = _as_value(value)
        if row.get(node.name, "") == text:
            return
        if text:
            row[node.name] = text
        else:
            row.pop(node.name, None)
        self._recompute()

    def set_values(self, values: dict[str, Any]) -> None:
        """Set several answers, recomputing once (prefilling a round from the registry).

        All paths are checked first, so nothing is stored when one is invalid; repeat rows
        that a value here creates (through repeat_count) are not yet addressable.
        """
        targets = []
        for path, value in values.items():
            node, chain, idx = self._field(path)
            if node.type == "note" or node.calculation is not None:
                raise ValueError(_("'{name}' is calculated and cannot be set").format(
                    name=node.name))
            row = self._row(chain, idx)
            if row is None:
                raise PathError(path)
            targets.append((row, node.name, _as_value(value)))
        for row, name, text in targets:
            if text:
                row[name] = text
            else:
                row.pop(name, None)
        self._recompute()

    def _visible(self, node: Node, idx: tuple[int, ...]) -> bool:
        return self._rel.get((node.name, idx), True)

    def _export(self, row: dict[str, Any], chain: tuple[str, ...],
                idx: tuple[int, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, list):
                sub = chain + (key,)
                out[key] = [self._export(r, sub, idx + (i,)) for i, r in enumerate(value)]
            elif value != "" and self._rel.get((key, idx), True):
                out[key] = value
        return out

    @property
    def answers(self) -> dict[str, Any]:
        """A deep copy of the answers, without values of non-relevant fields."""
        return self._export(self._data, (), ())

    # -- repeats ------------------------------------------------------------------------------
    def _repeat(self, repeat_path: str) -> tuple[Repeat, tuple[str, ...], tuple[int, ...]]:
        node, idx = self._parse(repeat_path)
        if not isinstance(node, Repeat) or len(idx) != len(self._chains[node.name]):
            raise PathError(repeat_path)
        return node, self._chains[node.name], idx

    def repeat_rows(self, repeat_path: str) -> int:
        """Number of rows of the repeat at ``repeat_path`` ("roster", "roster[0]/children")."""
        node, chain, idx = self._repeat(repeat_path)
        row = self._row(chain, idx)
        if row is None:
            raise PathError(repeat_path)
        return len(row.get(node.name) or ())

    def add_repeat_row(self, repeat_path: str) -> int:
        """Append a row (defaults applied) and return its index.

        Raises ValueError for a repeat driven by repeat_count (its rows follow the count).
        """
        node, chain, idx = self._repeat(repeat_path)
        if node.repeat_count is not None:
            raise ValueError(_("the rows of '{name}' follow its repeat_count").format(
                name=node.name))
        row = self._row(chain, idx)
        if row is None:
            raise PathError(repeat_path)
        rows = row.setdefault(node.name, [])
        if len(rows) >= _MAX_ROWS:
            raise ValueError(_("'{name}' cannot have more than {count} rows").format(
                name=node.name, count=_MAX_ROWS))
        new: dict[str, Any] = {}
        self._new_row(new, chain + (node.name,))
        rows.append(new)
        self._recompute()
        return len(rows) - 1

    def remove_repeat_row(self, repeat_path: str, index: int) -> None:
        """Delete row ``index`` of a user-driven repeat; later rows move up."""
        node, chain, idx = self._repeat(repeat_path)
        if node.repeat_count is not None:
            raise ValueError(_("the rows of '{name}' follow its repeat_count").format(
                name=node.name))
        row = self._row(chain, idx)
        rows = row.get(node.name) if row is not None else None
        if not rows or not 0 <= index < len(rows):
            raise PathError(f"{repeat_path}[{index}]")
        del rows[index]
        self._recompute()

    # -- state of one field --------------------------------------------------------------------
    def is_relevant(self, path: str) -> bool:
        """False when the node or any enclosing group is not relevant (then hidden and '')."""
        node, idx = self._parse(path)
        return self._visible(node, idx)

    def is_read_only(self, path: str) -> bool:
        """True for notes, calculated fields and fields whose read_only expression holds."""
        node, chain, idx = self._field(path)
        if node.type == "note" or node.calculation is not None:
            return True
        return node.read_only is not None and node.read_only.evaluate_bool(
            _Context(self, node, chain, idx))

    def is_required(self, path: str) -> bool:
        node, chain, idx = self._field(path)
        return node.required is not None and node.required.evaluate_bool(
            _Context(self, node, chain, idx))

    def _texts(self, path: str, attr: str, language: str | None) -> str:
        node, idx = self._parse(path)
        chain = self._chains[node.name]
        if len(idx) > len(chain):  # a repeat row path: its texts, seen from inside the row
            chain = chain + (node.name,)
        text = self.form.text(getattr(node, attr), language)
        return self._interpolate(text, chain, idx)

    def label(self, path: str, language: str | None = None) -> str:
        """The node's label with ${references} filled in."""
        return self._texts(path, "label", language)

    def hint(self, path: str, language: str | None = None) -> str:
        return self._texts(path, "hint", language)

    def field_at(self, path: str) -> Field:
        """The form field a path points to."""
        return self._field(path)[0]

    # -- choices --------------------------------------------------------------------------------
    def _base_choices(self, node: Field) -> list[Choice]:
        if node.from_file is not None:
            out = []
            for r in self.registry.list_rows(node.from_file):
                name = _as_value(r.get("name"))
                if not name:
                    continue
                label: Texts = {}
                for key, value in r.items():
                    base, _sep, lang = str(key).partition("::")
                    if base == "label" and value:
                        label[lang or self.form.default_language] = _as_value(value)
                extra = {k: _as_value(v) for k, v in r.items()
                         if k != "name" and not str(k).startswith("label")}
                out.append(Choice(name, label, 0, extra))
            return out
        clist = self.form.choice_lists.get(node.list_name or "")
        return list(clist.choices) if clist else []

    def choices_for(self, path: str) -> list[Choice]:
        """Choices offered at ``path`` after its choice_filter (registry rows for from_file).

        For select ... or_other the list ends with an "other" choice.
        """
        node, chain, idx = self._field(path)
        return self._choices(node, chain, idx)

    def _choices(self, node: Field, chain: tuple[str, ...], idx: tuple[int, ...]) -> list[Choice]:
        if not node.is_select:
            return []
        choices = self._base_choices(node)
        if node.choice_filter is not None:
            lang = self.language
            kept = []
            for c in choices:
                item = {**c.extra, "name": c.name,
                        "label": pick_text(c.label, lang, self.form.default_language)}
                if node.choice_filter.evaluate_bool(_Context(self, node, chain, idx, item)):
                    kept.append(c)
            choices = kept
        if node.or_other:
            other = _message("other")
            choices.append(Choice("other", {lang: other for lang in self.form.languages}, 0))
        return choices

    def _choice_label(self, field: str, value: str, chain: tuple[str, ...],
                      idx: tuple[int, ...]) -> str:
        node = self.form.fields.get(field)
        if node is None or not node.is_select:
            return ""
        for c in self._base_choices(node):
            if c.name == value:
                return pick_text(c.label, self.language, self.form.default_language)
        return _message("other") if node.or_other and value == "other" else ""

    # -- navigation ---------------------------------------------------------------------------
    def pages(self, language: str | None = None) -> list[Page]:
        """Pages to show now, in order: one per question or per field-list group, repeats
        expanded per row (plus an "add a row" page after a user-driven repeat); non-relevant
        questions, groups and rows are left out."""
        pages: list[Page] = []
        self._walk_pages(self.form.root, (), (), "", None, "", language, pages)
        return pages

    def _shown(self, node: Node) -> bool:
        return isinstance(node, Field) and node.type not in _HIDDEN_TYPES

    def _flat_fields(self, group: Group, chain: tuple[str, ...], idx: tuple[int, ...]) -> list[str]:
        """Paths of the visible, relevant fields of a field-list group (nested groups flattened)."""
        out = []
        for child in group.children:
            if isinstance(child, Repeat) or not self._visible(child, idx):
                continue
            if isinstance(child, Group):
                out.extend(self._flat_fields(child, chain, idx))
            elif self._shown(child):
                out.append(self._make_path(child.name, chain, idx))
        return out

    def _walk_pages(self, group: Group, chain: tuple[str, ...], idx: tuple[int, ...],
                    section: str, repeat_path: str | None, row_title: str,
                    language: str | None, pages: list[Page], group_title: str = "") -> None:
        root = self.form.root
        for child in group.children:
            sec = child.name if group is root else section
            if not self._visible(child, idx):
                continue
            if isinstance(child, Repeat):
                rchain = chain + (child.name,)
                row = self._row(chain, idx) or {}
                base = self._make_path(child.name, chain, idx)
                # A label of only ${references} titles the rows; the group around the repeat
                # then names it ("Thành viên hộ gia đình").
                title = _plain(self.form.text(child.label, language)) or (
                    _plain(self.form.text(group.label, language)) if group is not root else "")
                for i in range(len(row.get(child.name) or ())):
                    ridx = idx + (i,)
                    if not self._visible(child, ridx):
                        continue
                    rpath = f"{base}[{i}]"
                    rtitle = self._row_title(child, rchain, ridx, i, language)
                    if child.field_list:
                        paths = self._flat_fields(child, rchain, ridx)
                        if paths:
                            pages.append(Page(rpath, sec, tuple(paths), title, rpath, rtitle))
                    else:
                        self._walk_pages(child, rchain, ridx, sec, rpath, rtitle, language, pages,
                                         "")
                if child.repeat_count is None:
                    pages.append(Page(base + "+", sec, (), title, repeat_path, row_title,
                                      add_row=base))
            elif isinstance(child, Group):
                if child.field_list:
                    paths = self._flat_fields(child, chain, idx)
                    if paths:
                        key = self._make_path(child.name, chain, idx)
                        title = self._interpolate(self.form.text(child.label, language),
                                                  chain, idx)
                        pages.append(Page(key, sec, tuple(paths), title, repeat_path, row_title,
                                          group_title=group_title))
                else:
                    crumb = self._interpolate(self.form.text(child.label, language), chain, idx)
                    self._walk_pages(child, chain, idx, sec, repeat_path, row_title, language,
                                     pages, crumb or group_title)
            elif self._shown(child):
                path = self._make_path(child.name, chain, idx)
                pages.append(Page(path, sec, (path,), "", repeat_path, row_title,
                                  group_title=group_title))

    def _row_title(self, repeat: Repeat, chain: tuple[str, ...], idx: tuple[int, ...],
                   i: int, language: str | None) -> str:
        """"2. Hoàng Văn Sơn, 34": the repeat label filled in for the row when it refers to
        fields, else the row's first text answer, else the label with the row number."""
        label = self.form.text(repeat.label, language)
        if "${" in label:
            text = self._interpolate(label, chain, idx).strip(" ,;:-–")
            if text and _plain(label) != text:
                return f"{i + 1}. {text}"
        row = self._row(chain, idx) or {}
        for f in self._row_fields.get(chain, ()):
            if f.type == "text" and row.get(f.name) and self._visible(f, idx):
                return f"{i + 1}. {row[f.name]}"
        plain = _plain(label)
        return f"{i + 1}. {plain}" if plain else f"{i + 1}."

    def sections(self, language: str | None = None) -> list[Section]:
        """Top-level groups/repeats (and loose questions) with the index of their first page."""
        first: dict[str, int] = {}
        for i, page in enumerate(self.pages(language)):
            first.setdefault(page.section, i)
        out = []
        for node in self.form.root.children:
            if node.name in first:
                title = self.form.text(node.label, language)
                if isinstance(node, Repeat):
                    title = _plain(title)
                out.append(Section(node.name, self._interpolate(title, (), ()) or node.name,
                                   first[node.name]))
        return out

    # -- validation ---------------------------------------------------------------------------
    def _all_paths(self) -> Iterator[str]:
        for page in self.pages():
            yield from page.paths

    def error_for(self, path: str, language: str | None = None) -> str | None:
        """The message for the value at ``path``, or None when it is fine (or not relevant)."""
        node, chain, idx = self._field(path)
        if not self._visible(node, idx):
            return None
        row = self._row(chain, idx) or {}
        value = row.get(node.name, "")
        ctx = _Context(self, node, chain, idx)
        if value == "":
            if node.required is not None and node.required.evaluate_bool(ctx):
                return self.form.text(node.required_message, language) or _message("required")
            return None
        problem = self._type_problem(node, chain, idx, value)
        if problem:
            return _message(problem)
        if node.constraint is not None and not node.constraint.evaluate_bool(ctx):
            return self.form.text(node.constraint_message, language) or _message("constraint")
        return None

    def _type_problem(self, node: Field, chain: tuple[str, ...], idx: tuple[int, ...],
                      value: str) -> str | None:
        kind = node.type
        if kind == "integer":
            return None if _INTEGER_RE.match(value.strip()) else "integer"
        if kind == "decimal":
            try:
                ok = math.isfinite(float(value.strip()))
            except ValueError:
                ok = False
            return None if ok and "_" not in value else "decimal"
        if kind == "date":
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                return "date"
            return None if _DATE_RE.match(value) else "date"
        if node.is_select:
            names = {c.name for c in self._choices(node, chain, idx)}
            codes = value.split() if kind == "select_multiple" else [value]
            return None if all(c in names for c in codes) else "choice"
        return None

    def errors(self, page: Page | None = None, language: str | None = None) -> list[tuple[str, str]]:
        """(path, message) for every relevant question (on ``page``, or in the whole form) that is
        required but empty, fails its constraint or holds a value of the wrong kind."""
        paths = page.paths if page is not None else self._all_paths()
        out = []
        for path in paths:
            message = self.error_for(path, language)
            if message:
                out.append((path, message))
        return out

    def can_finalize(self) -> bool:
        """True when the whole form has no errors."""
        return all(self.error_for(p) is None for p in self._all_paths())

    def progress(self) -> float:
        """Fraction (0..1) of the relevant questions shown that have a value (notes excluded)."""
        total = answered = 0
        for path in self._all_paths():
            node, chain, idx = self._field(path)
            if node.type == "note":
                continue
            total += 1
            row = self._row(chain, idx) or {}
            answered += 1 if row.get(node.name) else 0
        return answered / total if total else 1.0

    # -- persistence and registries -----------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """{"form_id", "version", "answers"}: everything needed to reopen the submission."""
        return {"form_id": self.form.form_id, "version": self.form.version,
                "answers": self.answers}

    @classmethod
    def from_json(cls, form: Form, data: dict[str, Any], **kwargs: Any) -> FormInstance:
        """Reopen a submission saved by :meth:`to_json` (kwargs as for the constructor).

        Raises ValueError when ``data`` belongs to another form id or version: the caller
        loads the form version the submission was made with.
        """
        if not isinstance(data, dict) or data.get("form_id") != form.form_id:
            raise ValueError(_("the submission is not for form '{form_id}'").format(
                form_id=form.form_id))
        if str(data.get("version", "")) != form.version:
            raise ValueError(_("the submission was made with version {version} of '{form_id}', "
                               "not {current}").format(version=repr(data.get("version")),
                                                       form_id=form.form_id,
                                                       current=repr(form.version)))
        return cls(form, copy.deepcopy(data.get("answers") or {}), **kwargs)

    def entity_operations(self) -> list[dict[str, Any]]:
        """What the submission creates/updates in the registries, one dict per entity.

        Each dict: dataset ("households", "persons"), action ("create"/"update"), entity_id
        (the entity_id expression's value for updates, None for creates: the caller assigns a
        new UUID), label, properties {property: value} from save_to fields, and for entities
        declared in a repeat the repeat_path and row_index of the row. Rows that are not
        relevant, and entities whose create_if/update_if do not hold, produce nothing.
        """
        ops: list[dict[str, Any]] = []
        for decl in self.form.entities:
            if decl.repeat is None:
                scopes = [((), ())]
            else:
                chain = self._chains[decl.repeat.name] + (decl.repeat.name,)
                scopes = [(chain, idx) for idx in self._scopes(chain)
                          if self._visible(decl.repeat, idx)]
            for chain, idx in scopes:
                ctx = _Context(self, None, chain, idx)

                def holds(e: Expr | None) -> bool:
                    return e is None or e.evaluate_bool(ctx)

                entity_id = decl.entity_id.evaluate_str(ctx).strip() if decl.entity_id else None
                if decl.entity_id is None:
                    action = "create" if holds(decl.create_if) else None
                elif decl.create_if is not None and decl.create_if.evaluate_bool(ctx):
                    action, entity_id = "create", None
                elif entity_id and holds(decl.update_if):
                    action = "update"
                else:
                    action = None
                if action is None:
                    continue
                props = {}
                for prop, fname in decl.properties.items():
                    values = self._ref(fname, chain, idx)
                    props[prop] = values[0] if len(values) == 1 else " ".join(v for v in values if v)
                op = EntityOperation(
                    dataset=decl.dataset, action=action, entity_id=entity_id,
                    label=decl.label.evaluate_str(ctx) if decl.label is not None else "",
                    properties=props,
                    repeat_path=(self._make_path(decl.repeat.name, chain[:-1], idx[:-1])
                                 if decl.repeat is not None else None),
                    row_index=idx[-1] if decl.repeat is not None else None)
                ops.append(op.as_dict())
        return ops
