"""The order in which a form's nodes are evaluated, and the cycles that make an order impossible.

A node depends on the fields its relevant, calculation, dynamic default and repeat_count refer
to, and on its enclosing group (whose relevance it inherits). Evaluating the nodes in
:func:`dependency_order` brings every relevance, value and repeat count up to date in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.core.forms import expressions as ex, tree
from fieldapp.core.forms.model import Group, Node

Edges = dict[str, list[tuple[str, str]]]
"""{node name: [(column, name of the node it depends on)]}; column "parent" for the group."""


@dataclass(frozen=True)
class Cycle:
    """A circular dependency, to report at ``node``'s ``column`` ("relevant", "calculation",
    "default" or "repeat_count"); ``chain`` reads "${a} -> ${b} -> ${a}" starting there."""

    node: Node
    column: str
    chain: str


def dependency_order(root: Group, nodes: dict[str, Node]) -> tuple[list[Node], list[Cycle]]:
    """All nodes, each after the nodes it depends on, and every distinct cycle found."""
    deps = _dependencies(root, nodes)
    # Iterative DFS with colours; a grey target means a cycle.
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(deps, WHITE)
    order: list[str] = []
    cycles: list[Cycle] = []
    reported: set[frozenset[str]] = set()
    for start in deps:
        if colour[start] != WHITE:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        colour[start] = GREY
        while stack:
            name, i = stack[-1]
            edges = deps[name]
            if i < len(edges):
                stack[-1] = (name, i + 1)
                _column, target = edges[i]
                if colour[target] == WHITE:
                    colour[target] = GREY
                    stack.append((target, 0))
                    path.append(target)
                elif colour[target] == GREY:
                    cycle = path[path.index(target):]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        cycles.append(_located(cycle, deps, nodes))
            else:
                stack.pop()
                path.pop()
                colour[name] = BLACK
                order.append(name)
    return [nodes[n] for n in order], cycles


def _dependencies(root: Group, nodes: dict[str, Node]) -> Edges:
    deps: Edges = {}
    for node in nodes.values():
        edges: list[tuple[str, str]] = []
        for column, e in (("relevant", node.relevant),
                          ("calculation", getattr(node, "calculation", None)),
                          ("default", getattr(node, "default_expr", None)),
                          ("repeat_count", getattr(node, "repeat_count", None))):
            if e is not None:
                edges.extend((column, n) for n in ex.references(e)
                             if n in nodes and n != node.name)
                edges.extend((column, n) for n in _path_names(e, node, root, nodes)
                             if (column, n) not in edges)
        if node.parent is not None and node.parent is not root and node.parent.name in nodes:
            edges.append(("parent", node.parent.name))
        deps[node.name] = edges
    return deps


def _path_names(e: ex.Expr, node: Node, root: Group, nodes: dict[str, Node]) -> list[str]:
    """The nodes the paths of ``e`` read (``../x``, ``/data/rep[item = 'a']/qty``), except
    ``node`` and what it holds (a group's relevant that reads its own child is evaluated with
    the child's value from the last pass, as JavaRosa's relevance of a group does)."""
    names: list[str] = []
    for path in tree.expression_paths(e.tree):
        targets, read = tree.path_targets(path, node, root, nodes)
        for target in targets + read:
            if target is node or node in target.ancestors() or target is root:
                continue
            if target.name in nodes and target.name not in names:
                names.append(target.name)
    return names


def _located(cycle: list[str], deps: Edges, nodes: dict[str, Node]) -> Cycle:
    """The cycle placed at the first node whose own expression (not its group) closes it."""
    where: tuple[Node, str] | None = None
    for i, name in enumerate(cycle):
        nxt = cycle[(i + 1) % len(cycle)]
        column = next((c for c, t in deps[name] if t == nxt and c != "parent"), None)
        if column is not None:
            where = (nodes[name], column)
            break
    node, column = where or (nodes[cycle[0]], "relevant")
    chain = " -> ".join(f"${{{n}}}" for n in cycle[cycle.index(node.name):]
                        + cycle[:cycle.index(node.name)] + [node.name])
    return Cycle(node, column, chain)
