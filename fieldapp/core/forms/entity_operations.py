"""What a finalized submission creates or updates in the registries (ODK Entities).

One :class:`EntityOperation` per entity the form declares (per relevant row for an entity
declared in a repeat) whose create_if/update_if holds; the caller applies them to the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldapp.core.forms.answers import make_path
from fieldapp.core.records import ROW_KEY
from fieldapp.core.forms.evaluation import Evaluation, NodeContext
from fieldapp.core.xpath import Expr


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
    row_key: str | None = None
    """The key of the repeat row (stable through edits; see fieldapp.core.forms.answers)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset, "action": self.action, "entity_id": self.entity_id,
            "label": self.label, "properties": dict(self.properties),
            "repeat_path": self.repeat_path, "row_index": self.row_index,
            "row_key": self.row_key,
        }


class EntityOperations(Evaluation):
    """The registry changes a submission makes (a mixin of FormInstance)."""

    def entity_operations(self) -> list[dict[str, Any]]:
        """What the submission creates/updates in the registries, one dict per entity.

        Each dict: dataset ("households", "persons"), action ("create"/"update"), entity_id
        (the entity_id expression's value for updates, None for creates: the caller assigns a
        new UUID), label, properties {property: value} from save_to fields, and for entities
        declared in a repeat the repeat_path, row_index and row_key of the row. Rows that are not
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
                ctx = NodeContext(self, None, chain, idx)

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
                    repeat_path=(make_path(decl.repeat.name, chain[:-1], idx[:-1])
                                 if decl.repeat is not None else None),
                    row_index=idx[-1] if decl.repeat is not None else None,
                    row_key=(self._row(chain, idx) or {}).get(ROW_KEY)
                    if decl.repeat is not None else None)
                ops.append(op.as_dict())
        return ops
