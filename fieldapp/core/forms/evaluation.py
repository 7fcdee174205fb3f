"""Evaluating a form instance: relevance, repeat counts, calculations and dynamic defaults.

:class:`NodeContext` is the expression engine's view (:class:`fieldapp.core.xpath.EvalContext`)
of one node in one row. :class:`Evaluation` re-evaluates the whole instance after every change,
in the form's dependency order, and answers what follows from it: whether a question is
relevant, read-only or required, and its texts with ${references} filled in.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Callable, Sequence

from fieldapp.core.forms import tree
from fieldapp.core.forms.answers import MAX_ROWS, AnswerTree
from fieldapp.core.forms.model import REGISTRY_FILES, TEXT_REF_RE, Field, Group, Node, Repeat
from fieldapp.core.xpath.instances import Element, from_rows, select as select_items, values
from fieldapp.i18n.text import nfc


class NodeContext:
    """The EvalContext seen from one node instance (see fieldapp.core.xpath.EvalContext)."""

    __slots__ = ("inst", "node", "chain", "idx", "item")

    def __init__(self, inst: Evaluation, node: Node | None, chain: tuple[str, ...],
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

    def instance(self, name: str) -> Element | None:
        return self.inst._instance(name)

    def last_saved(self, name: str) -> str:
        return self.inst._last_saved_value(name)

    def itext(self, text_id: str) -> str:
        return self.inst._itext(text_id)

    def handle(self) -> tree.Handle:
        node = self.node if self.node is not None else self.inst.form.root
        return node, self.idx

    def select(self, start: str, steps: Sequence[tree.Step]) -> list[str]:
        """Values of the nodes a path with predicates (or one going on from ${name}) selects;
        see :mod:`fieldapp.core.forms.tree`."""
        inst = self.inst
        if self.item is not None and start == ".":  # a choice_filter: the choice's columns
            item = Element("item")
            for column, text in self.item.items():
                item.append(Element(column, text))
            return list(values(select_items(item, steps, self)))
        context = None
        if start == ".":
            handles = [self.handle()]
        elif start == "current()":
            outer = getattr(self, "outer", None) or self
            handles = [outer.handle()]
        else:
            context = (self.chain, self.idx)
            handles = [(inst.form.root, ())]
            if start.startswith("${"):
                target = inst.form.nodes.get(start[2:-1])
                if target is None:
                    return []
                named = [(name, ()) for name in tree.absolute_steps(target)]
                handles = tree.select(inst, handles, named, context, self._predicate_context)
            else:
                steps = steps[1:]  # the first step names the form's root element
        found = tree.select(inst, handles, steps, context, self._predicate_context)
        return [tree.value(inst, h) for h in found]

    def _predicate_context(self, handle: tree.Handle, index: int, size: int) -> NodeContext:
        node, idx = handle
        chain = self.inst._chains[node.name] if node.parent is not None else ()
        if isinstance(node, Repeat) and len(idx) > len(chain):
            chain = chain + (node.name,)
        return PredicateContext(self.inst, node, chain, idx, None,
                                getattr(self, "outer", None) or self, index, size)


class PredicateContext(NodeContext):
    """What a predicate on a path into the form sees: ``.`` and relative names are the
    candidate node, ``position()`` its place among the candidates, ``current()`` and
    ``${name}`` the node the expression belongs to (``outer``)."""

    __slots__ = ("outer", "index", "size")

    def __init__(self, inst: Evaluation, node: Node, chain: tuple[str, ...],
                 idx: tuple[int, ...], item: None, outer: NodeContext, index: int,
                 size: int) -> None:
        super().__init__(inst, node, chain, idx, item)
        self.outer, self.index, self.size = outer, index, size

    def ref(self, name: str) -> Sequence[str]:
        return self.outer.ref(name)

    def current(self) -> str:
        return tree.value(self.inst, self.handle())

    def position(self, path: str = "..") -> int:
        return self.index if path == ".." else super().position(path)


class Evaluation(AnswerTree):
    """Relevance, calculations and what follows from them (a mixin of FormInstance)."""

    _clock_today: _dt.date | Callable[[], _dt.date] | None
    _clock_now: _dt.datetime | Callable[[], _dt.datetime] | None
    last_saved: dict[str, Any] | None
    """Answers of this laptop's last submission of the form (``${last-saved#name}``)."""
    _registry_docs: dict[str, Element]
    _choice_label: Callable[[str, str, tuple[str, ...], tuple[int, ...]], str]
    """The label of a choice of a select (:class:`~fieldapp.core.forms.choices.Choices`)."""

    # -- data shipped with the form, the registries, the last submission ------------------------
    def _instance(self, name: str) -> Element | None:
        """instance('name'): a file shipped with the form, else a registry list."""
        doc = self.form.instances.get(name)
        if doc is not None:
            return doc
        if name + ".csv" not in REGISTRY_FILES:
            return None
        if name not in self._registry_docs:
            registry = getattr(self, "registry", None)
            rows = registry.list_rows(name + ".csv") if registry is not None else []
            self._registry_docs[name] = from_rows(rows)
        return self._registry_docs[name]

    def _itext(self, text_id: str) -> str:
        """jr:itext(id) as pyxform names its texts: ``list-3`` (the fourth choice of a choice
        list with translated labels), ``/data/group/q:label`` (a question's label, also
        ``:hint``, ``:jr:constraintMsg``, ``:jr:requiredMsg``), in the current language."""
        language = getattr(self, "language", None)
        form = self.form
        list_name, _sep, index = text_id.rpartition("-")
        clist = form.choice_lists.get(list_name)
        if clist is not None and index.isdigit() and int(index) < len(clist.choices):
            return form.text(clist.choices[int(index)].label, language)
        path, _sep, kind = text_id.partition(":")
        node = form.nodes.get(path.rstrip("/").rsplit("/", 1)[-1])
        attr = {"label": "label", "hint": "hint", "jr:constraintMsg": "constraint_message",
                "jr:requiredMsg": "required_message"}.get(kind)
        if node is None or attr is None:
            return ""
        return form.text(getattr(node, attr, None) or {}, language)

    def _last_saved_value(self, name: str) -> str:
        """The value of ``name`` in the last submission ('' if none or inside a repeat)."""
        value = (self.last_saved or {}).get(name, "")
        return value if isinstance(value, str) else ""

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
                    relevant = node.relevant.evaluate_bool(NodeContext(self, node, chain, idx))
                rel[(name, idx)] = relevant
                if not isinstance(node, Field) or not relevant:
                    continue
                if node.calculation is not None:
                    row = self._row(chain, idx)
                    ctx = NodeContext(self, node, chain, idx)
                    value = nfc(node.calculation.evaluate_str(ctx))
                    if row is not None and row.get(name, "") != value:
                        row[name] = value
                elif node.default_expr is not None:
                    row = self._row(chain, idx)
                    if row is not None and id(row) in self._fresh and not row.get(name):
                        row[name] = nfc(node.default_expr.evaluate_str(
                            NodeContext(self, node, chain, idx)))
        self._fresh.clear()

    def _update_repeat(self, node: Repeat, chain: tuple[str, ...], idx: tuple[int, ...],
                       relevant: bool, rel: dict[tuple[str, tuple[int, ...]], bool]) -> None:
        name = node.name
        rel[(name, idx)] = relevant
        row = self._row(chain, idx)
        if row is None:
            return
        if node.repeat_count is not None and relevant:
            count = node.repeat_count.evaluate_num(NodeContext(self, node, chain, idx))
            wanted = 0 if math.isnan(count) else max(0, min(MAX_ROWS, int(count)))
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
                ok = node.relevant.evaluate_bool(NodeContext(self, node, row_chain, ridx))
            rel[(name, ridx)] = ok

    def _interpolate(self, text: str, chain: tuple[str, ...], idx: tuple[int, ...]) -> str:
        if "${" not in text:
            return text
        return TEXT_REF_RE.sub(
            lambda m: ", ".join(v for v in self._ref(m.group(1).strip(), chain, idx) if v), text)

    # -- state of one node ----------------------------------------------------------------------
    def is_relevant(self, path: str) -> bool:
        """False when the node or any enclosing group is not relevant (then hidden and '')."""
        node, idx = self._parse(path)
        return self._visible(node, idx)

    def is_read_only(self, path: str) -> bool:
        """True for notes, calculated fields and fields whose read_only expression holds."""
        node, chain, idx = self._field(path)
        if node.type == "note" or node.calculation is not None or node.is_metadata:
            return True
        return node.read_only is not None and node.read_only.evaluate_bool(
            NodeContext(self, node, chain, idx))

    def is_required(self, path: str) -> bool:
        node, chain, idx = self._field(path)
        return node.required is not None and node.required.evaluate_bool(
            NodeContext(self, node, chain, idx))

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

    def choice_text(self, path: str, text: str, choice_name: str = "") -> str:
        """A choice label of the question at ``path`` (one choosing from a list) with
        ${references} filled in as seen from that question (XLSForm allows references in choice labels). A choice named by a number
        N whose label refers to a field of a repeat the question is not in shows that field
        of the repeat's row N: a question asked once about everyone offers the people listed
        by name without copying their names anywhere else in the answers."""
        if "${" not in text:
            return text
        node, chain, idx = self._field(path)
        row = int(choice_name) - 1 if choice_name.isdigit() and int(choice_name) > 0 else None

        def value(match) -> str:
            name = match.group(1).strip()
            target = self.form.fields.get(name)
            repeat = target.repeat if target is not None else None
            if row is not None and repeat is not None and repeat.repeat is None \
                    and repeat.name not in chain:
                if row >= self.repeat_rows(repeat.name):
                    return ""
                return self.get_value(f"{repeat.name}[{row}]/{name}")
            return ", ".join(v for v in self._ref(name, chain, idx) if v)

        return TEXT_REF_RE.sub(value, text)
