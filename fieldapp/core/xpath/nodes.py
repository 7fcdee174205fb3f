"""The syntax tree. ``str(node)`` writes it back as an expression that parses to an equal tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union

from fieldapp.core.xpath.values import number_to_string


@dataclass(frozen=True, slots=True)
class Literal:
    """A string literal; ``raw`` is its spelling before NFC normalisation."""

    value: str
    pos: int = field(default=0, compare=False)
    raw: str = field(default="", compare=False)

    def __str__(self) -> str:
        quote = '"' if any(q in self.value for q in "'\u2018\u2019") else "'"
        return f"{quote}{self.value}{quote}"


@dataclass(frozen=True, slots=True)
class Number:
    """A number literal (never negative: '-1' is Neg(Number(1)))."""

    value: float
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return number_to_string(self.value)


@dataclass(frozen=True, slots=True)
class Ref:
    """``${name}``: a form field (or repeat) by name."""

    name: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return "${" + self.name + "}"


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the value of the node being evaluated."""

    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return "."


@dataclass(frozen=True, slots=True)
class LastSaved:
    """``${last-saved#name}``: the value of ``name`` in this laptop's last submission."""

    name: str
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return "${last-saved#" + self.name + "}"


@dataclass(frozen=True, slots=True)
class Path:
    """A location path such as ``..``, ``../name``, ``name`` (choice_filter) or ``/data/x``;
    with ``from_current`` it starts at ``current()`` (the form node, also inside a predicate)."""

    path: str
    pos: int = field(default=0, compare=False)
    from_current: bool = False

    @property
    def absolute(self) -> bool:
        return self.path.startswith("/")

    def __str__(self) -> str:
        return f"current()/{self.path}" if self.from_current else self.path


@dataclass(frozen=True, slots=True)
class InstancePath:
    """``instance('id')/root/item[predicate]/column``: a path into a secondary instance; each
    step is (name, predicates)."""

    instance: str
    steps: tuple[tuple[str, tuple["Node", ...]], ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        parts = [f"instance('{self.instance}')"]
        for name, predicates in self.steps:
            parts.append(name + "".join(f"[{p}]" for p in predicates))
        return "/".join(parts)


@dataclass(frozen=True, slots=True)
class FormPath:
    """A path into the form's own answers that a plain :class:`Path` cannot say: one with
    predicates (``/data/stock/items[item = 'act']/qty``, ``../rep[2]/x``) or one that goes on
    from ``${name}`` (``${rep}[1]/x``). ``start`` is ``/`` (absolute), ``.`` (the node being
    evaluated), ``current()`` or a field name (``${name}``); each step is (name, predicates)
    with name a child's name, ``*``, ``..`` or ``.``."""

    start: str
    steps: tuple[tuple[str, tuple["Node", ...]], ...]
    pos: int = field(default=0, compare=False)
    ref: bool = False
    """True when ``start`` is a field name written as ``${name}``."""

    def __str__(self) -> str:
        head = {"/": "", ".": ".", "current()": "current()"}.get(self.start, self.start)
        if self.ref:
            head = "${" + self.start + "}"
        parts = [name + "".join(f"[{p}]" for p in predicates) for name, predicates in self.steps]
        if self.ref and self.steps and self.steps[0][0] == ".":
            return head + "".join(f"[{p}]" for p in self.steps[0][1]) + "".join(
                "/" + part for part in parts[1:])
        return head + "/" + "/".join(parts)


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus."""

    operand: "Node"
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"-({self.operand})"


@dataclass(frozen=True, slots=True)
class Binary:
    """A binary operator: or and = != < <= > >= + - * div mod."""

    op: str
    left: "Node"
    right: "Node"
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; ``name`` keeps its prefix (``jr:choice-name``)."""

    name: str
    args: tuple["Node", ...]
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"{self.name}({', '.join(str(a) for a in self.args)})"


Node = Union[Literal, Number, Ref, LastSaved, Current, Path, InstancePath, FormPath, Neg, Binary,
             Call]


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, Binary):
            stack.append(n.right)
            stack.append(n.left)
        elif isinstance(n, Neg):
            stack.append(n.operand)
        elif isinstance(n, Call):
            stack.extend(reversed(n.args))
        elif isinstance(n, (InstancePath, FormPath)):
            for _name, predicates in reversed(n.steps):
                stack.extend(reversed(predicates))
