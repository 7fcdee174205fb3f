"""The choices a select question offers: its choice list, or a registry list, after its filter.

Registry lists (``select_*_from_file households.csv``) come from a :class:`RegistryLookup` that
the caller passes in (the app serves them from the database); the engine reads no files.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, Protocol

from fieldapp.core.forms.answers import as_value
from fieldapp.core.forms.evaluation import Evaluation, NodeContext
from fieldapp.core.forms.model import Choice, Field, Texts, pick_text
from fieldapp.core.row_filter import TRUE, RowFilter, translate
from fieldapp.i18n.catalog import N_, _
from fieldapp.i18n.text import fold

# Translators: the extra choice of a "select ... or_other" question.
OTHER = N_("Other")


class RegistryLookup(Protocol):
    """Serves the registry lists that ``select_*_from_file NAME.csv`` questions choose from.

    ``list_rows("households.csv")`` returns rows with at least ``name`` (the value stored) and
    ``label`` (shown), plus any columns a choice_filter tests (``village``, ``household`` ...).
    Labels may be per language as ``label::Vietnamese (vi)`` keys.
    """

    def list_rows(self, csv_name: str) -> list[dict[str, str]]: ...


class RegistryQuery(Protocol):
    """What a registry may offer beyond :class:`RegistryLookup`: the rows of a list a page at a
    time, filtered by a predicate on its columns (fieldapp.core.row_filter) and by what
    the user typed (word prefixes, accents ignored), in the list's order; and the rows of given
    names. A registry of a commune's or province's households and persons answers these from
    its indexes instead of handing over every row. Both return rows as ``list_rows`` does, and
    raise KeyError for a column they cannot filter on (the engine then filters row by row)."""

    def query_rows(self, csv_name: str, where: RowFilter, text: str, offset: int,
                   limit: int) -> list[dict[str, str]]: ...

    def rows_named(self, csv_name: str, names: Sequence[str],
                   where: RowFilter) -> list[dict[str, str]]: ...


class EmptyRegistry:
    """A registry with no rows (for previews, tests and forms that use no registry list)."""

    def list_rows(self, csv_name: str) -> list[dict[str, str]]:
        return []


def _searchable(registry: Any) -> bool:
    return callable(getattr(registry, "query_rows", None)) \
        and callable(getattr(registry, "rows_named", None))


def _words(text: str) -> list[str]:
    return fold(text).split()


class RegistryChoices:
    """The choices of a select from a registry list (households.csv, persons.csv ...), a page
    at a time: what an editor of a long list asks for while the user scrolls and types.

    ``where`` is the question's choice_filter as a predicate on the list's columns, with the
    form's answers as they are now; None when the filter cannot be said that way, and the
    rows are then filtered one by one as :meth:`Choices.choices_for` does."""

    def __init__(self, instance: "Choices", node: Field, chain: tuple[str, ...],
                 idx: tuple[int, ...], where: RowFilter | None):
        self._instance = instance
        self._node = node
        self._chain = chain
        self._idx = idx
        self.csv_name = node.from_file or ""
        self.where = where
        self._all: list[Choice] | None = None

    @property
    def indexed(self) -> bool:
        """True when the registry answers each page itself (no list held here)."""
        return self.where is not None and _searchable(self._instance.registry)

    def _everything(self) -> list[Choice]:
        if self._all is None:
            self._all = self._instance._choices(self._node, self._chain, self._idx)
        return self._all

    def page(self, text: str = "", offset: int = 0, limit: int = 50) -> list[Choice]:
        """Choices ``offset`` to ``offset + limit`` of those whose label has words starting with
        what ``text`` holds (accents and case ignored)."""
        if self.indexed:
            try:
                rows = self._instance.registry.query_rows(self.csv_name, self.where, text,
                                                          offset, limit)
                return self._instance._row_choices(rows)
            except KeyError:
                self.where = None  # a column the registry does not know: row by row
        words = _words(text)
        found = [c for c in self._everything()
                 if not words or _label_matches(self._instance._plain_label(c), words)]
        return found[offset:offset + limit]

    def find(self, names: Sequence[str]) -> dict[str, Choice]:
        """The choices among ``names`` that the question offers now, by name."""
        wanted = [n for n in dict.fromkeys(names) if n]
        if not wanted:
            return {}
        if self.indexed:
            try:
                rows = self._instance.registry.rows_named(self.csv_name, wanted, self.where)
                return {c.name: c for c in self._instance._row_choices(rows)}
            except KeyError:
                self.where = None
        keep = set(wanted)
        return {c.name: c for c in self._everything() if c.name in keep}


def _label_matches(label: str, words: list[str]) -> bool:
    key = fold(label)
    return all(w in key for w in words)


class Choices(Evaluation):
    """Choices of the select questions (a mixin of FormInstance)."""

    registry: RegistryLookup
    language: str

    def _base_choices(self, node: Field) -> list[Choice]:
        if _from_registry(node):
            return self._row_choices(self.registry.list_rows(node.from_file or ""))
        clist = self.form.choice_lists.get(node.list_name or "")
        return list(clist.choices) if clist else []

    def _row_choices(self, rows: list[dict[str, Any]]) -> list[Choice]:
        """Registry rows as choices: ``name`` the value, ``label`` (per language as
        ``label::Language (xx)``) the text, every other column an extra the filter can test."""
        out = []
        for r in rows:
            name = as_value(r.get("name"))
            if not name:
                continue
            label: Texts = {}
            for key, value in r.items():
                base, _sep, lang = str(key).partition("::")
                if base == "label" and value:
                    label[lang or self.form.default_language] = as_value(value)
            extra = {k: as_value(v) for k, v in r.items()
                     if k != "name" and not str(k).startswith("label")}
            out.append(Choice(name, label, 0, extra))
        return out

    def _plain_label(self, choice: Choice) -> str:
        return pick_text(choice.label, self.language, self.form.default_language) or choice.name

    def registry_choices(self, path: str) -> RegistryChoices | None:
        """For a select from a registry list (households.csv, persons.csv ...): its choices a
        page at a time, filtered by the choice_filter with the answers as they are now. None
        for other questions (their choices are :meth:`choices_for`)."""
        node, chain, idx = self._field(path)
        if not node.is_select or not _from_registry(node) or node.type == "rank" \
                or node.parameters.get("randomize", "").lower() in ("true", "yes", "true()"):
            return None
        where = (None if node.or_other
                 else translate(node.choice_filter, NodeContext(self, node, chain, idx)))
        return RegistryChoices(self, node, chain, idx, where)

    def _registry_has(self, node: Field, chain: tuple[str, ...], idx: tuple[int, ...],
                      codes: list[str]) -> bool | None:
        """Whether the registry list offers every one of ``codes`` at this question now (one
        indexed lookup instead of the whole list); None when the registry cannot tell."""
        if not _from_registry(node) or not _searchable(self.registry) or node.or_other:
            return None
        where = translate(node.choice_filter, NodeContext(self, node, chain, idx))
        if where is None:
            return None
        try:
            rows = self.registry.rows_named(node.from_file or "", codes, where)
        except KeyError:
            return None
        found = {str(r.get("name")) for r in rows}
        return all(c in found for c in codes)

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
                if node.choice_filter.evaluate_bool(NodeContext(self, node, chain, idx, item)):
                    kept.append(c)
            choices = kept
        if node.parameters.get("randomize", "").lower() in ("true", "yes", "true()"):
            # parameters randomize=true [seed=N]: the same order for this submission.
            seed = node.parameters.get("seed") or getattr(self, "_shuffle_seed", node.name)
            random.Random(f"{seed}/{node.name}").shuffle(choices)
        if node.or_other:
            other = _(OTHER)
            choices.append(Choice("other", {lang: other for lang in self.form.languages}, 0))
        return choices

    def _choice_label(self, field: str, value: str, chain: tuple[str, ...],
                      idx: tuple[int, ...]) -> str:
        node = self.form.fields.get(field)
        if node is None or not node.is_select:
            return ""
        if _from_registry(node) and _searchable(self.registry):
            try:
                rows = self.registry.rows_named(node.from_file or "", [value], TRUE)
            except KeyError:
                rows = None
            if rows is not None:
                found = self._row_choices(rows)
                return pick_text(found[0].label, self.language,
                                 self.form.default_language) if found else ""
        for c in self._base_choices(node):
            if c.name == value:
                return pick_text(c.label, self.language, self.form.default_language)
        return _(OTHER) if node.or_other and value == "other" else ""


def _from_registry(node: Field) -> bool:
    """A select whose choices are a registry list the app serves (not a file of the form)."""
    return node.from_file is not None and node.list_name is None


__all__ = ["OTHER", "Choices", "EmptyRegistry", "RegistryChoices", "RegistryLookup",
           "RegistryQuery"]
