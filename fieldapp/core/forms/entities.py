"""The entities sheet (ODK Entities): which registry entities a form creates or updates.

:class:`EntitiesReader` is the part of the form builder that reads the ``entities`` sheet into
:class:`~fieldapp.core.forms.model.EntityDeclaration` objects, gives each the properties its
``save_to`` fields fill, and allocates it to the deepest repeat it refers to (ODK's rule).
"""

from __future__ import annotations

from fieldapp.core.forms import expressions as ex
from fieldapp.core.forms.model import EntityDeclaration, Field, Node
from fieldapp.core.forms.sheets import ENTITIES, NAME_RE, SURVEY, SheetReader
from fieldapp.i18n.catalog import N_


class EntitiesReader(SheetReader):
    """Reads the entities sheet and checks the survey's save_to columns against it."""

    def read_entities(self, nodes: dict[str, Node]) -> list[EntityDeclaration]:
        declarations: dict[str, EntityDeclaration] = {}
        for row_n, row in self.rows(ENTITIES):
            cols = self.columns(row)
            dataset = cols.get("list_name", cols.get("dataset", ("", "")))[1]
            if not dataset:
                self.problem(ENTITIES, row_n, "list_name", N_("the entity has no list_name"))
                continue
            if dataset in declarations:
                self.problem(ENTITIES, row_n, "list_name",
                             N_("entity list '{list}' is declared twice"), list=dataset)
                continue
            decl = EntityDeclaration(dataset=dataset, row=row_n,
                                     source={k: v for k, (_h, v) in cols.items()})
            for column in ("label", "entity_id", "create_if", "update_if"):
                if column in cols:
                    setattr(decl, column, self.expr(cols[column][1], ENTITIES, row_n,
                                                    cols[column][0], None))
            if decl.entity_id is None and "update_if" in cols:
                self.problem(ENTITIES, row_n, "update_if",
                             N_("update_if needs an entity_id column"))
            if decl.entity_id is None and "label" not in cols:
                self.problem(ENTITIES, row_n, "label",
                             N_("an entity that is created needs a label"))
            declarations[dataset] = decl
        fields = [n for n in nodes.values() if isinstance(n, Field) and n.save_to]
        for f in fields:
            dataset = f.save_to_dataset
            if dataset is None:
                if len(declarations) == 1:
                    dataset = f.save_to_dataset = next(iter(declarations))
                else:
                    self.problem(SURVEY, f.row, "save_to",
                                 N_("save_to must name the entity list (e.g. {example})")
                                 if declarations else
                                 N_("save_to used but the form has no entities sheet"),
                                 example="households#head_name")
                    continue
            decl = declarations.get(dataset)
            if decl is None:
                self.problem(SURVEY, f.row, "save_to",
                             N_("entity list '{list}' is not declared in the entities sheet"),
                             list=dataset)
                continue
            if f.save_to in ("name", "label") or f.save_to.startswith("__") \
                    or not NAME_RE.match(f.save_to):
                self.problem(SURVEY, f.row, "save_to", N_("'{name}' cannot be a property name"),
                             name=f.save_to)
                continue
            if f.save_to in decl.properties:
                other = nodes[decl.properties[f.save_to]]
                self.problem(SURVEY, f.row, "save_to",
                             N_("property '{name}' of '{list}' is also saved by row {row}"),
                             name=f.save_to, list=dataset, row=other.row)
                continue
            decl.properties[f.save_to] = f.name
        for decl in declarations.values():
            repeats = {nodes[name].repeat for name in decl.properties.values()}
            for e in (decl.label, decl.entity_id, decl.create_if, decl.update_if):
                if e is not None:
                    repeats.update(nodes[n].repeat for n in ex.references(e) if n in nodes)
            repeats_named = [r for r in repeats if r is not None]
            # The entity belongs to the deepest repeat it refers to (ODK's allocation rule).
            deepest = max(repeats_named, key=lambda r: r.depth, default=None)
            for r in repeats_named:
                chain = []
                x = deepest
                while x is not None:
                    chain.append(x)
                    x = x.repeat
                if r not in chain:
                    self.problem(ENTITIES, decl.row, "list_name",
                                 N_("entity '{list}' refers to fields of two unrelated repeats "
                                    "('{first}' and '{second}')"), list=decl.dataset,
                                 first=r.name, second=deepest.name)
            decl.repeat = deepest
        return list(declarations.values())
