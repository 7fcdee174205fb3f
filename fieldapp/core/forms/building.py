"""Building a checked :class:`~fieldapp.core.forms.model.Form` from pyxform's raw sheet rows.

The builder reads the settings, the languages, the choices, the survey
(:mod:`~fieldapp.core.forms.survey`) and the entities (:mod:`~fieldapp.core.forms.entities`),
then checks what spans sheets: select lists, ${references} and dependency cycles
(:mod:`~fieldapp.core.forms.ordering`). Every problem comes with sheet, row and column, and all
of them are reported at once.
"""

from __future__ import annotations

from fieldapp.core.forms import expressions as ex
from fieldapp.core.forms.entities import EntitiesReader
from fieldapp.core.forms.model import REGISTRY_FILES, Choice, ChoiceList, Field, Form, Group, Node
from fieldapp.core.forms.ordering import dependency_order
from fieldapp.core.forms.problems import FormProblem
from fieldapp.core.forms.sheets import (
    CHOICES, SETTINGS, SURVEY, NAME_RE, TEXT_COLUMNS, split_column)
from fieldapp.core.forms.survey import SurveyReader
from fieldapp.i18n.catalog import N_
from fieldapp.i18n.text import nfc


class FormBuilder(SurveyReader, EntitiesReader):
    """Builds a Form from pyxform's raw sheet rows, collecting every problem on the way."""

    def build(self) -> tuple[Form | None, list[FormProblem]]:
        if self.data.survey is None:
            names = ", ".join(self.data.sheet_names or [])
            if names:
                self.problem(None, None, None,
                             N_("the workbook has no 'survey' sheet (sheets found: {names})"),
                             names=names)
            else:
                self.problem(None, None, None, N_("the workbook has no 'survey' sheet"))
            return None, self.problems
        settings = self.read_settings()
        self.collect_languages()
        self.default_language = self.choose_default_language(settings.get("default_language"))
        choice_lists = self.read_choices()
        root, nodes = self.read_survey(settings.get("form_id", ""))
        fields = {n.name: n for n in nodes.values() if isinstance(n, Field)}
        self.check_selects(fields, choice_lists)
        entities = self.read_entities(nodes)
        self.check_references(nodes, choice_lists)
        order = self.dependency_order(root, nodes)
        calculated = [n for n in order if isinstance(n, Field)
                      and (n.calculation is not None or n.default_expr is not None)]
        title_text = settings.get("title") or settings.get("form_id") or ""
        form = Form(
            form_id=settings.get("form_id", ""),
            version=settings.get("version", ""),
            title={self.default_language: title_text} if title_text else {},
            default_language=self.default_language,
            languages=list(self.languages),
            root=root,
            fields=fields,
            nodes=nodes,
            choice_lists=choice_lists,
            entities=entities,
            source_label=self.label,
            calculation_order=calculated,
            evaluation_order=order,
        )
        return (None if self.problems else form), self.problems

    # -- settings and languages ----------------------------------------------------------------
    def read_settings(self) -> dict[str, str]:
        rows = self.rows(SETTINGS)
        settings: dict[str, str] = {}
        if rows:
            row_n, row = rows[0]
            for key, value in row.items():
                base, _lang = split_column(key)
                base = {"id_string": "form_id", "set_form_id": "form_id", "form_title": "title",
                        "set_form_title": "title"}.get(base, base)
                settings[base] = value
            if len(rows) > 1:
                self.problem(SETTINGS, rows[1][0], None,
                             N_("the settings sheet must have one row of values under its "
                                "headers"))
        else:
            row_n = 2
        if not settings.get("form_id"):
            self.problem(SETTINGS, row_n if rows else None, "form_id",
                         N_("form_id is missing: submissions are stored under this id"))
        elif not NAME_RE.match(settings["form_id"]):
            self.problem(SETTINGS, row_n, "form_id",
                         N_("form_id '{form_id}' must start with a letter and contain only "
                            "letters, digits, '_', '-' and '.'"), form_id=settings["form_id"])
        if not settings.get("version"):
            self.problem(SETTINGS, row_n if rows else None, "version",
                         N_("version is missing: every change of the form needs a new version"))
        self.settings_row = row_n
        return settings

    def collect_languages(self) -> None:
        langs: list[str] = []
        for sheet in (SURVEY, CHOICES):
            for header in self.headers(sheet):
                base, lang = split_column(header)
                if base in TEXT_COLUMNS:
                    if lang is None:
                        self.has_untranslated = True
                    elif lang not in langs:
                        langs.append(nfc(lang))
        self.languages = langs

    def choose_default_language(self, configured: str | None) -> str:
        if configured:
            configured = nfc(configured)
            if self.languages and configured not in self.languages and not self.has_untranslated:
                self.problem(SETTINGS, self.settings_row, "default_language",
                             N_("default_language '{language}' is not one of the form's "
                                "languages ({languages})"), language=configured,
                             languages=", ".join(self.languages))
            if configured not in self.languages:
                self.languages.insert(0, configured)
            return configured
        if self.has_untranslated or not self.languages:
            self.languages.insert(0, "default")
            return "default"
        for lang in self.languages:
            if lang.endswith("(vi)"):
                return lang
        return self.languages[0]

    # -- choices -------------------------------------------------------------------------------
    def read_choices(self) -> dict[str, ChoiceList]:
        lists: dict[str, ChoiceList] = {}
        for row_n, row in self.rows(CHOICES):
            cols = self.columns(row)
            list_name = cols.get("list_name", ("", ""))[1]
            name = cols.get("name", ("", ""))[1]
            if not list_name:
                self.problem(CHOICES, row_n, "list_name", N_("choice has no list_name"))
                continue
            if not name:
                self.problem(CHOICES, row_n, "name", N_("choice in list '{list}' has no name"),
                             list=list_name)
                continue
            label = self.texts(row, "label")
            if not label:
                self.problem(CHOICES, row_n, "label",
                             N_("choice '{name}' in list '{list}' has no label"), name=name,
                             list=list_name)
            extra = {k: v for k, (_h, v) in cols.items()
                     if k not in ("list_name", "name", "label", "image", "audio", "video",
                                  "big-image")}
            clist = lists.setdefault(list_name, ChoiceList(list_name, [], row_n))
            previous = clist.by_name(name)
            if previous is not None:
                self.problem(CHOICES, row_n, "name",
                             N_("duplicate choice name '{name}' in list '{list}' (also in row "
                                "{row})"), name=name, list=list_name, row=previous.row)
                continue
            clist.choices.append(Choice(name, label, row_n, extra))
        return lists


    # -- cross checks ---------------------------------------------------------------------------
    def check_selects(self, fields: dict[str, Field], lists: dict[str, ChoiceList]) -> None:
        used: set[str] = set()
        for f in fields.values():
            if f.from_file is not None:
                if f.from_file not in REGISTRY_FILES:
                    self.problem(SURVEY, f.row, "type",
                                 N_("'{file}' is not a registry list of this app (use one of "
                                    "{files})"), file=f.from_file,
                                 files=", ".join(sorted(REGISTRY_FILES)))
                continue
            if f.list_name is None:
                continue
            used.add(f.list_name)
            clist = lists.get(f.list_name)
            if clist is None:
                self.problem(SURVEY, f.row, "type",
                             N_("choice list '{list}' does not exist in the choices sheet"),
                             list=f.list_name)
            elif not clist.choices:
                self.problem(SURVEY, f.row, "type", N_("choice list '{list}' is empty"),
                             list=f.list_name)
            elif f.choice_filter is not None:
                columns = set().union(*(c.extra.keys() for c in clist.choices))
                for col_name in ex.relative_names(f.choice_filter):
                    if col_name not in columns and col_name not in ("name", "label"):
                        self.problem(SURVEY, f.row, "choice_filter",
                                     N_("choice_filter uses column '{column}', which the "
                                        "choice list '{list}' does not have"),
                                     column=col_name, list=f.list_name)

    def check_references(self, nodes: dict[str, Node], lists: dict[str, ChoiceList]) -> None:
        for parsed, sheet, row, header, owner in self.exprs:
            column = split_column(header)[0]
            for name in sorted(ex.references(parsed)):
                if name not in nodes:
                    self.problem(sheet, row, header, N_("reference to a missing field {reference}"),
                                 reference=f"${{{name}}}")
                elif owner is not None and name == owner.name and column in (
                        "calculation", "relevant"):
                    self.problem(sheet, row, header,
                                 N_("'{name}' refers to itself in its {column}"),
                                 name=owner.name, column=column)
            for name in sorted(ex.relative_names(parsed)):
                # Bare names are choice columns in a choice_filter; elsewhere they are XPath
                # paths that mean nothing in an XLSForm expression.
                if column != "choice_filter":
                    self.problem(sheet, row, header,
                                 N_("'{name}' is not a reference: write {reference}")
                                 if name in nodes else
                                 N_("unknown name '{name}': refer to fields as {reference}"),
                                 name=name,
                                 reference=f"${{{name}}}" if name in nodes else "${name}")
        for name, sheet, row, column in self.text_refs:
            if name not in nodes:
                self.problem(sheet, row, column, N_("reference to a missing field {reference}"),
                             reference=f"${{{name}}}")

    def dependency_order(self, root: Group, nodes: dict[str, Node]) -> list[Node]:
        """Every node in dependency order; each cycle reported where its expression closes it."""
        order, cycles = dependency_order(root, nodes)
        for cycle in cycles:
            header = next((h for h in self.headers(SURVEY) if split_column(h)[0] == cycle.column),
                          cycle.column)
            self.problem(SURVEY, cycle.node.row, header, N_("circular dependency: {chain}"),
                         chain=cycle.chain)
        return order
