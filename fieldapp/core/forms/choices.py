"""The choices a select question offers: its choice list, or a registry list, after its filter.

Registry lists (``select_*_from_file households.csv``) come from a :class:`RegistryLookup` that
the caller passes in (the app serves them from the database); the engine reads no files.
"""

from __future__ import annotations

import random
from typing import Protocol

from fieldapp.core.forms.answers import as_value
from fieldapp.core.forms.evaluation import Evaluation, NodeContext
from fieldapp.core.forms.model import Choice, Field, Texts, pick_text
from fieldapp.i18n.catalog import N_, _

# Translators: the extra choice of a "select ... or_other" question.
OTHER = N_("Other")


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


class Choices(Evaluation):
    """Choices of the select questions (a mixin of FormInstance)."""

    registry: RegistryLookup
    language: str

    def _base_choices(self, node: Field) -> list[Choice]:
        if node.from_file is not None and node.list_name is None:  # a registry list
            out = []
            for r in self.registry.list_rows(node.from_file):
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
        for c in self._base_choices(node):
            if c.name == value:
                return pick_text(c.label, self.language, self.form.default_language)
        return _(OTHER) if node.or_other and value == "other" else ""
