"""The form's own answers as the node tree XPath paths walk, as JavaRosa walks its main instance.

Most expressions read fields by ``${name}`` (:meth:`AnswerTree._ref`). Paths that need the tree
itself, such as ``/data/stock/items[item = 'act']/quantity`` (a predicate on a repeat's rows),
``../rep[2]/x`` or ``${rep}[1]/x``, go through :func:`select`: a node is a *handle*
``(node, idx)``, the form node and the row indices of its enclosing repeats (a repeat's handle
is one of its rows, its own index last). An absolute path (and ``${name}``) is taken in the
context of the node being evaluated as JavaRosa contextualises it: a step into a repeat that
the node is in, without a predicate, stays in the node's own row. A non-relevant field reads
as ''.

:func:`path_targets` answers the same question without answers: which form nodes a path may
reach, for the evaluation order and for the warnings of the form check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from fieldapp.core.forms.model import Field, Group, Node, Repeat
from fieldapp.core.xpath.instances import filter_positional
from fieldapp.core.xpath.nodes import FormPath, InstancePath, Path, walk

if TYPE_CHECKING:  # pragma: no cover - typing only
    from fieldapp.core.forms.answers import AnswerTree

Handle = tuple[Node, tuple[int, ...]]
Step = tuple[str, tuple[Callable[[Any], Any], ...]]
MakeContext = Callable[[Handle, int, int], Any]
"""Builds what a predicate sees for a candidate handle, its position and the candidates' count."""


def _own_row(node: Node, idx: tuple[int, ...], chains: dict[str, tuple[str, ...]]) -> bool:
    """True when the handle of a repeat names one of its rows (not the repeat as a whole)."""
    return isinstance(node, Repeat) and len(idx) == len(chains[node.name]) + 1


def children(inst: AnswerTree, handle: Handle, name: str,
             context: tuple[tuple[str, ...], tuple[int, ...]] | None) -> list[Handle]:
    """The children of ``handle`` named ``name`` ('*' for all). With ``context`` (the chain and
    rows of the node being evaluated) a repeat the node is in gives only the node's own row."""
    node, idx = handle
    if not isinstance(node, Group) or (isinstance(node, Repeat)
                                       and not _own_row(node, idx, inst._chains)):
        return []
    found: list[Handle] = []
    row: dict[str, Any] | None = None
    for child in node.children:
        if name != "*" and child.name != name and getattr(child, "source_name", "") != name:
            continue
        if not isinstance(child, Repeat):
            found.append((child, idx))
            continue
        if row is None:
            row = inst._row(inst._chains[child.name], idx) or {}
        rows = row.get(child.name) or ()
        if context is not None and child.name in context[0]:
            k = context[0].index(child.name)
            if context[1][:k] == idx and k < len(context[1]) and context[1][k] < len(rows):
                found.append((child, idx + (context[1][k],)))
                continue
        found.extend((child, idx + (j,)) for j in range(len(rows)))
    return found


def parent(inst: AnswerTree, handle: Handle) -> Handle | None:
    node, idx = handle
    if node.parent is None:
        return None
    if _own_row(node, idx, inst._chains):
        idx = idx[:-1]
    return node.parent, idx


def value(inst: AnswerTree, handle: Handle) -> str:
    """The XPath string value: a field's answer ('' when not relevant), a group's or a row's
    answers joined in document order."""
    node, idx = handle
    if isinstance(node, Field):
        if not inst._rel.get((node.name, idx), True):
            return ""
        row = inst._row(inst._chains[node.name], idx)
        return row.get(node.name, "") if row is not None else ""
    return "".join(value(inst, h) for h in children(inst, handle, "*", None))


def select(inst: AnswerTree, start: list[Handle], steps: Sequence[Step],
           context: tuple[tuple[str, ...], tuple[int, ...]] | None,
           make_context: MakeContext) -> list[Handle]:
    """The handles ``steps`` lead to from ``start``, in document order without repeats.
    ``context`` contextualises repeat steps without predicates (absolute paths only)."""
    handles = start
    for name, predicates in steps:
        found: dict[tuple[int, tuple[int, ...]], Handle] = {}
        for h in handles:
            if name == "..":
                nxt = parent(inst, h)
                step = [nxt] if nxt is not None else []
            elif name == ".":
                step = [h]
            else:
                step = children(inst, h, name, None if predicates else context)
            for s in step:
                found.setdefault((id(s[0]), s[1]), s)
        selected = list(found.values())
        for predicate in predicates:
            selected = filter_positional(selected, predicate, make_context)
        handles = selected
    return handles


def absolute_steps(node: Node) -> list[str]:
    """The names from below the root down to ``node`` (the path pyxform writes for ${name})."""
    names = []
    while node.parent is not None:
        names.append(node.name)
        node = node.parent
    return names[::-1]


# -- without answers: which nodes a path may reach ----------------------------------------------

def _step_nodes(nodes: Iterable[Node], name: str, root: Group) -> list[Node]:
    out: list[Node] = []
    for node in nodes:
        if name == "..":
            if node.parent is not None:
                out.append(node.parent)
        elif name == ".":
            out.append(node)
        elif isinstance(node, Group):
            out.extend(c for c in node.children
                       if name == "*" or c.name == name or getattr(c, "source_name", "") == name)
    return out


def path_targets(path: Path | FormPath, owner: Node, root: Group,
                 nodes: dict[str, Node]) -> tuple[list[Node], list[Node]]:
    """(the nodes ``path`` may reach from ``owner``, the nodes its predicates read): the form's
    tree walked by names, rows left aside. A path that leaves the form gives no node."""
    if isinstance(path, Path):
        names = [s for s in path.path.split("/") if s]
        steps: list[tuple[str, tuple]] = [(n, ()) for n in names]
        start = "/" if path.absolute else "."
    else:
        steps = list(path.steps)
        start = path.start
        if path.ref:
            target = nodes.get(path.start)
            if target is None:
                return [], []
            current: list[Node] = [target]
            start = "${}"
    if start == "/":
        current = [root]
        steps = steps[1:]  # the first step names the form's root element
    elif start != "${}":
        current = [owner]
    read: list[Node] = []
    for name, predicates in steps:
        current = _step_nodes(current, name, root)
        for predicate in predicates:
            for sub in walk(predicate):
                if isinstance(sub, (Path, FormPath)) and not getattr(sub, "from_current", False) \
                        and not (isinstance(sub, FormPath) and sub.start == "current()"):
                    for here in current:
                        read.extend(path_targets(sub, here, root, nodes)[0])
    return current, read


def expression_paths(tree: Any) -> list[Path | FormPath]:
    """The paths into the form of an expression (not those inside ``instance()`` predicates,
    which read the instance's items, nor those inside a form path's predicates)."""
    found: list[Path | FormPath] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (Path, FormPath)):
            found.append(node)
            continue
        if isinstance(node, InstancePath):
            continue
        for child in _operands(node):
            stack.append(child)
    return found


def _operands(node: Any) -> list[Any]:
    from fieldapp.core.xpath.nodes import Binary, Call, Neg

    if isinstance(node, Binary):
        return [node.left, node.right]
    if isinstance(node, Neg):
        return [node.operand]
    if isinstance(node, Call):
        return list(node.args)
    return []
