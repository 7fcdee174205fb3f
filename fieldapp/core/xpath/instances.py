"""Secondary instances: the data files shipped with a form, read as XML-like trees.

``instance('fruits')/root/item[name = ${fruit}]/label`` walks an :class:`Element` tree: a CSV
file is ``root`` with one ``item`` per row and one child per column (as ODK Collect reads it),
an XML file is its own tree. :func:`select` follows the steps of such a path, filtering with
predicates; an :class:`ItemContext` is what a predicate sees: bare names are the children of
the candidate element, ``.`` its text, ``${name}`` and ``current()`` the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fieldapp.core.xpath.values import NodeSet, Value, to_boolean

MAX_NODES = 200_000
"""Most elements one path may select (a predicate over a huge file stops there)."""


class Element:
    """One element of a secondary instance: tag, text, attributes, children and parent."""

    __slots__ = ("tag", "text", "attrs", "children", "parent")

    def __init__(self, tag: str, text: str = "", attrs: dict[str, str] | None = None) -> None:
        self.tag = tag
        self.text = text
        self.attrs = attrs or {}
        self.children: list[Element] = []
        self.parent: Element | None = None

    def append(self, child: Element) -> Element:
        child.parent = self
        self.children.append(child)
        return child

    def string_value(self) -> str:
        """XPath string-value: the text of a leaf, the concatenated text below otherwise."""
        if not self.children:
            return self.text
        return self.text + "".join(c.string_value() for c in self.children)

    def child(self, tag: str) -> Element | None:
        return next((c for c in self.children if c.tag == tag), None)

    def columns(self) -> dict[str, str]:
        """{child tag: text} of an item (a CSV row), attributes included."""
        out = dict(self.attrs)
        for c in self.children:
            out.setdefault(c.tag, c.string_value())
        return out

    def __repr__(self) -> str:
        return f"Element({self.tag!r}, {len(self.children)} children)"


def document(root: Element) -> Element:
    """A document node above ``root``, where ``instance('x')/root/...`` starts."""
    doc = Element("#document")
    doc.children.append(root)
    root.parent = doc
    return doc


def from_rows(rows: Sequence[dict[str, str]], root: str = "root", item: str = "item") -> Element:
    """The tree of a table (a CSV file): root/item/column."""
    top = Element(root)
    for row in rows:
        node = top.append(Element(item))
        for column, value in row.items():
            node.append(Element(column, value))
    return document(top)


Step = tuple[str, tuple[Callable[[Any], Value], ...]]
"""(name, compiled predicates): a name, '*', '..', '.' or '@attribute'."""


def select(doc: Element, steps: Sequence[Step], outer: Any) -> list[Element | str]:
    """The elements (or attribute values, as strings) the steps select from ``doc``."""
    nodes: list[Element | str] = [doc]
    for name, predicates in steps:
        found = select_from(nodes, name)
        for predicate in predicates:
            found = filter_positional(
                [n for n in found if isinstance(n, Element)], predicate,
                lambda node, i, size: ItemContext(outer, node, i, size))
        nodes = found
    return nodes


T = TypeVar("T")


def filter_positional(found: Sequence[T], predicate: Callable[[Any], Value],
                      make_context: Callable[[T, int, int], Any]) -> list[T]:
    """The candidates a predicate keeps: a number keeps the candidate at that position (1
    first), anything else its boolean value, as XPath 1.0 reads ``[2]`` and ``[name = 'x']``."""
    size = len(found)
    kept: list[T] = []
    for i, node in enumerate(found, start=1):
        value = predicate(make_context(node, i, size))
        if isinstance(value, float):
            if value == i:
                kept.append(node)
        elif to_boolean(value):
            kept.append(node)
    return kept


def values(nodes: Sequence[Element | str]) -> NodeSet:
    return NodeSet(n if isinstance(n, str) else n.string_value() for n in nodes)


class ItemContext:
    """What a predicate sees: the candidate element (``.`` and bare names), its position, and
    the form (``${name}``, ``current()``, dates, other instances) through ``outer``."""

    __slots__ = ("outer", "element", "index", "size")

    def __init__(self, outer: Any, element: Element, index: int, size: int) -> None:
        self.outer = getattr(outer, "outer", None) or outer
        self.element = element
        self.index = index
        self.size = size

    def ref(self, name: str) -> Sequence[str]:
        return self.outer.ref(name)

    def current(self) -> str:
        return self.element.string_value()

    def position(self, path: str = "..") -> int:
        return self.index

    def relative(self, path: str) -> Sequence[str]:
        if path.startswith("/"):
            return self.outer.relative(path)
        nodes: list[Element | str] = [self.element]
        for name in path.split("/"):
            if name:
                nodes = select_from(nodes, name)
        return values(nodes)

    def indexed_repeat(self, name: str, repeat: str, index: int, *outer: tuple[str, int]) -> str:
        return self.outer.indexed_repeat(name, repeat, index, *outer)

    def today(self) -> dt.date:
        return self.outer.today()

    def now(self) -> dt.datetime:
        return self.outer.now()

    def choice_label(self, field: str, value: str) -> str:
        return self.outer.choice_label(field, value)

    def instance(self, name: str) -> Element | None:
        return instance_of(self.outer, name)

    def select(self, start: str, steps: Sequence[Step]) -> Sequence[str]:
        """A path with predicates inside this predicate: from the item when relative, from
        the form otherwise."""
        if start == ".":
            return values(select(self.element, steps, self.outer))
        get = getattr(self.outer, "select", None)
        return get(start, steps) if get is not None else ()

    def itext(self, text_id: str) -> str:
        get = getattr(self.outer, "itext", None)
        return get(text_id) if get is not None else ""

    def last_saved(self, name: str) -> str:
        return last_saved_of(self.outer, name)


def select_from(nodes: Sequence[Element | str], name: str) -> list[Element | str]:
    """One step without predicates from each of ``nodes``."""
    found: list[Element | str] = []
    for node in nodes:
        if not isinstance(node, Element):
            continue
        if name == "..":
            if node.parent is not None:
                found.append(node.parent)
        elif name == ".":
            found.append(node)
        elif name.startswith("@"):
            if name[1:] in node.attrs:
                found.append(node.attrs[name[1:]])
        else:
            found.extend(c for c in node.children if name == "*" or c.tag == name)
        if len(found) > MAX_NODES:
            del found[MAX_NODES:]
            break
    return found


def instance_of(ctx: Any, name: str) -> Element | None:
    """The document of secondary instance ``name`` from a context (None if it has none)."""
    get = getattr(ctx, "instance", None)
    return get(name) if get is not None else None


def last_saved_of(ctx: Any, name: str) -> str:
    """``${last-saved#name}`` from a context ('' when the context knows no last submission)."""
    get = getattr(ctx, "last_saved", None)
    return get(name) if get is not None else ""
