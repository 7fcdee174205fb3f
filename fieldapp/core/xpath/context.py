"""What an expression may ask of the form: :class:`EvalContext`, and :class:`DictContext` for tests.

Every answer is a string, as in an XForm instance; unanswered or non-relevant questions are ''.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable


@runtime_checkable
class EvalContext(Protocol):
    """The form state seen from the node being evaluated (implemented by the form engine)."""

    def ref(self, name: str) -> Sequence[str]:
        """Values of ``${name}``.

        One value if ``name`` is outside any repeat or in the same repeat instance as the current
        node; every instance's value, in order, if ``name`` is in a repeat the current node is not
        in (limited to the current instance of any enclosing repeat they share). A repeat's own
        name gives one entry per instance (its string value), so ``count(${repeat})`` works.
        An unknown name gives an empty sequence.
        """
        ...

    def current(self) -> str:
        """Value of ``.``, the node being evaluated ('' if unanswered)."""
        ...

    def position(self, path: str = "..") -> int:
        """1-based index of the repeat instance ``path`` selects, seen from the current node.

        The engine calls ``position()`` (no argument) for the usual ``position(..)``; other paths
        (``../..``, ``${repeat}`` written literally) are passed as written.
        """
        ...

    def relative(self, path: str) -> Sequence[str]:
        """Values of the nodes a location path selects from the current node.

        ``path`` is normalised ('./x' -> 'x'): '..', '../name', '../../name', a bare 'name' (a
        child: in choice_filter, a column of the choice being filtered) or an absolute
        '/form_id/group/name'.
        """
        ...

    def indexed_repeat(self, name: str, repeat: str, index: int,
                       *outer: tuple[str, int]) -> str:
        """Value of ``name`` in instance ``index`` (1-based) of ``repeat``; '' if there is none.

        ``outer`` holds further (repeat, index) pairs of indexed-repeat() for nested repeats, in
        the order written; a repeat not given an index is taken at the current node's instance.
        """
        ...

    def today(self) -> dt.date:
        """Today's date (an injected clock)."""
        ...

    def now(self) -> dt.datetime:
        """The current date-time (aware datetimes are written with their UTC offset)."""
        ...

    def choice_label(self, field: str, value: str) -> str:
        """Label, in the current language, of choice ``value`` of select question ``field``."""
        ...


_FIELD = object()  # the current node when it is a plain field (not a choice item)


def _string_value(node: Any) -> str:
    """XPath string-value: a leaf's text, or the concatenated text of a group's descendants."""
    if isinstance(node, str):
        return node
    if isinstance(node, Mapping):
        return "".join(_string_value(v) for v in node.values())
    if isinstance(node, list):
        return "".join(_string_value(v) for v in node)
    return "" if node is None else str(node)


class DictContext:
    """An :class:`EvalContext` over plain dictionaries, for tests and tools.

    ``values`` maps top-level field names to strings. ``repeats`` maps a repeat name to its
    instances, each a dict of field -> string that may itself hold nested repeats (name -> list of
    dicts). ``current_repeat`` is ``(name, index)`` or a list of such pairs, outermost first, with
    1-based indexes. ``item`` is the choice row (column -> value) when evaluating a choice_filter,
    so that bare names like ``district`` resolve to its columns. ``choice_labels`` maps a select
    question to {value: label}.
    """

    def __init__(self, values: Mapping[str, str] | None = None,
                 repeats: Mapping[str, list[dict[str, Any]]] | None = None,
                 current_repeat: tuple[str, int] | Sequence[tuple[str, int]] | None = None,
                 current_value: str = "", today: dt.date | None = None,
                 now: dt.datetime | None = None,
                 choice_labels: Mapping[str, Mapping[str, str]] | None = None,
                 item: Mapping[str, str] | None = None) -> None:
        self.root: dict[str, Any] = {**(values or {}), **(repeats or {})}
        if current_repeat and isinstance(current_repeat[0], str):
            current_repeat = [current_repeat]  # type: ignore[list-item]
        self.path: list[tuple[str, int]] = list(current_repeat or [])  # type: ignore[arg-type]
        self.chain: list[Mapping[str, Any]] = [self.root]
        for name, index in self.path:
            instances = self.chain[-1].get(name) or []
            if not 1 <= index <= len(instances):
                raise IndexError(f"repeat {name!r} has no instance {index}")
            self.chain.append(instances[index - 1])
        self.current_value = current_value
        self._today = today
        self._now = now
        self.choice_labels = choice_labels or {}
        self.item = item

    # -- EvalContext ---------------------------------------------------------------------------
    def ref(self, name: str) -> list[str]:
        for container in reversed(self.chain):
            found = self._find(container, name)
            if found is not None:
                return found
        return []

    def current(self) -> str:
        return self.current_value

    def position(self, path: str = "..") -> int:
        steps = [s for s in path.split("/") if s]
        if steps and all(s == ".." for s in steps) and len(steps) <= len(self.path):
            return self.path[len(self.path) - len(steps)][1]
        if path.startswith("${") and path.endswith("}"):
            name = path[2:-1]
            for repeat, index in self.path:
                if repeat == name:
                    return index
        return 1

    def relative(self, path: str) -> list[str]:
        steps = path.split("/")
        if steps[0] == "":  # absolute: /form_id/...
            stacks: list[list[Any]] = [[self.root]]
            steps = steps[2:]
        elif self.item is not None:
            stacks = [[self.item]]
        else:
            stacks = [list(self.chain) + [_FIELD]]
        for step in steps:
            nxt: list[list[Any]] = []
            for stack in stacks:
                if step == "..":
                    if len(stack) > 1:
                        nxt.append(stack[:-1])
                elif step == ".":
                    nxt.append(stack)
                else:
                    node = stack[-1]
                    if isinstance(node, Mapping) and step in node:
                        child = node[step]
                        if isinstance(child, list):
                            nxt.extend(stack + [inst] for inst in child)
                        else:
                            nxt.append(stack + [child])
            stacks = nxt
        return [self.current_value if s[-1] is _FIELD else _string_value(s[-1]) for s in stacks]

    def indexed_repeat(self, name: str, repeat: str, index: int,
                       *outer: tuple[str, int]) -> str:
        wanted = dict([(repeat, index), *outer])
        current = dict(self.path)

        def search(container: Mapping[str, Any]) -> str | None:
            if name in container and not isinstance(container[name], list):
                return container[name]
            for key, child in container.items():
                if isinstance(child, list):
                    i = wanted.get(key, current.get(key, 1))
                    if not any(self._find(inst, name) is not None for inst in child):
                        continue
                    if not 1 <= i <= len(child):
                        return ""
                    return search(child[i - 1])
            return None

        found = search(self.root)
        return found if found is not None else ""

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def now(self) -> dt.datetime:
        return self._now or dt.datetime.now().astimezone()

    def choice_label(self, field: str, value: str) -> str:
        return self.choice_labels.get(field, {}).get(value, "")

    # -- helpers -------------------------------------------------------------------------------
    def _find(self, container: Mapping[str, Any], name: str) -> list[str] | None:
        """Values of ``name`` in ``container`` or, across all instances, in its repeats."""
        if name in container:
            v = container[name]
            return [_string_value(i) for i in v] if isinstance(v, list) else [_string_value(v)]
        found: list[str] | None = None
        for child in container.values():
            if isinstance(child, list):
                for inst in child:
                    if isinstance(inst, Mapping):
                        sub = self._find(inst, name)
                        if sub is not None:
                            found = (found or []) + sub
        return found
