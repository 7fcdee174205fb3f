"""Building a checked :class:`~fieldapp.core.forms.model.Form` from pyxform's raw sheet rows.

The builder reads the settings, the languages, the choices, the survey
(:mod:`~fieldapp.core.forms.survey`) and the entities (:mod:`~fieldapp.core.forms.entities`),
then checks what spans sheets: select lists, ${references} and dependency cycles
(:mod:`~fieldapp.core.forms.ordering`). Every problem comes with sheet, row and column, and all
of them are reported at once.
"""

from __future__ import annotations

import re

from fieldapp.core.forms import expressions as ex, tree
from fieldapp.core.forms.entities import EntitiesReader
from fieldapp.core.forms.files import FilesReader, choice_instance
from fieldapp.core.forms.model import Choice, ChoiceList, Field, Form, Group, Node
from fieldapp.core.forms.ordering import dependency_order
from fieldapp.core.forms.problems import FormProblem
from fieldapp.core.forms.sheets import (
    CHOICES, SETTINGS, SURVEY, NAME_RE, TEXT_COLUMNS, split_column)
from fieldapp.core.forms.survey import SurveyReader
from fieldapp.core.xpath.nodes import Path
from fieldapp.i18n.catalog import N_
from fieldapp.i18n.languages import language_code
from fieldapp.i18n.text import nfc

EXTERNAL_CHOICES = "external_choices"
_YES = ("yes", "true", "true()", "1")


class FormBuilder(SurveyReader, EntitiesReader, FilesReader):
    """Builds a Form from pyxform's raw sheet rows, collecting every problem on the way.

    ``fallback_id`` is the form_id when the settings give none (pyxform takes the file name),
    ``content_version`` the version when none is given (derived from the workbook's bytes, so
    a changed form is a new version); ``media`` serves the data files shipped with the form.
    """

    fallback_id = "data"
    content_version = ""

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
        self.allow_duplicates = settings.get("allow_choice_duplicates", "").lower() in _YES
        choice_lists = self.read_choices()
        root, nodes = self.read_survey(settings.get("form_id", ""))
        self.root = root
        fields = {n.name: n for n in nodes.values() if isinstance(n, Field)}
        for name in sorted(self.external_lists):
            choice_lists.setdefault(name, self.read_external_choices(name))
        instances = self.read_files(fields, choice_lists)
        for name, clist in choice_lists.items():
            if name not in instances and name not in self.external_lists and "#" not in name:
                instances[name] = choice_instance(clist)  # pyxform: a file of that name wins
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
            instances=instances,
            media=self.media_hashes,
            uses_last_saved=self.uses_last_saved,
            warnings=self.warnings,
        )
        return (None if self.problems else form), self.problems

    # -- settings and languages ----------------------------------------------------------------
    def read_settings(self) -> dict[str, str]:
        rows = self.rows(SETTINGS)
        settings: dict[str, str] = {}
        if rows:
            row_n, row = rows[0]
            for key, value in row.items():
                base = split_column(key)[0].lower()
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
            # pyxform's default: the file name (made a valid name).
            settings["form_id"] = _valid_name(self.fallback_id)
        elif len(settings["form_id"]) > 200 or "/" in settings["form_id"] or any(
                not ch.isprintable() for ch in settings["form_id"]):
            self.problem(SETTINGS, row_n, "form_id",
                         N_("form_id '{form_id}' must be at most 200 characters, without '/' "
                            "or control characters"), form_id=settings["form_id"][:200])
        if not settings.get("version"):
            settings["version"] = self.content_version  # a changed workbook is a new version
        self.settings_row = row_n
        if settings.get("public_key"):
            # Collect encrypts each submission to the key before it leaves the phone; here the
            # submissions stay in the (encrypted) database, readable by the commune's staff.
            self.warning(SETTINGS, row_n, "public_key", N_(
                "public_key is not used: submissions are kept in this laptop's encrypted "
                "database and commune staff can read and export them, unlike ODK Collect, "
                "which encrypts them so that only the key's owner can"))
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
            # "English" names the column "label::English (en)" too, as pyxform takes it.
            configured = next((lang for lang in self.languages if lang == configured), None) or \
                next((lang for lang in self.languages
                      if lang.split(" (")[0].lower() == configured.lower()
                      or language_code(lang) == configured.lower()), configured)
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
    def read_external_choices(self, list_name: str) -> ChoiceList:
        """The choices of a select_one_external list, from the external_choices sheet."""
        clist = ChoiceList(list_name, [], 0)
        for row_n, row in self.rows(EXTERNAL_CHOICES):
            cols = self.columns(row)
            if cols.get("list_name", ("", ""))[1] != list_name:
                continue
            name = cols.get("name", ("", ""))[1]
            if not name:
                self.problem(EXTERNAL_CHOICES, row_n, "name",
                             N_("choice in list '{list}' has no name"), list=list_name)
                continue
            extra = {k: v for k, (_h, v) in cols.items() if k not in ("list_name", "name")
                     and k != "label"}
            clist.choices.append(Choice(name, self.texts(row, "label") or
                                        {self.default_language: name}, row_n, extra))
        return clist

    def read_choices(self) -> dict[str, ChoiceList]:
        lists: dict[str, ChoiceList] = {}
        for row_n, row in self.rows(CHOICES):
            cols = self.columns(row)
            list_name = cols.get("list_name", ("", ""))[1]
            name = cols.get("name", ("", ""))[1]
            if not list_name:
                if name:  # a row with only a stray label or note is skipped, as pyxform does
                    self.problem(CHOICES, row_n, "list_name", N_("choice has no list_name"))
                continue
            if not name:
                self.problem(CHOICES, row_n, "name", N_("choice in list '{list}' has no name"),
                             list=list_name)
                continue
            label = self.texts(row, "label") or {self.default_language: name}
            extra = {k: v for k, (_h, v) in cols.items()
                     if k not in ("list_name", "name", "label", "image", "audio", "video",
                                  "big-image")}
            clist = lists.setdefault(list_name, ChoiceList(list_name, [], row_n))
            previous = clist.by_name(name)
            if previous is not None and not self.allow_duplicates \
                    and previous.extra == extra:
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
            if f.from_file is not None and f.list_name is None:
                continue  # a registry list, served from the database
            if f.list_name is None:
                continue
            used.add(f.list_name)
            clist = lists.get(f.list_name)
            if clist is None:
                self.problem(SURVEY, f.row, "type",
                             N_("choice list '{list}' does not exist in the choices sheet"),
                             list=f.list_name)
            elif not clist.choices:
                if f.from_file is None:
                    self.problem(SURVEY, f.row, "type", N_("choice list '{list}' is empty"),
                                 list=f.list_name)
            # A choice_filter naming a column the list does not have selects nothing there,
            # as in Collect (pyxform does not check it either).

    def check_references(self, nodes: dict[str, Node], lists: dict[str, ChoiceList]) -> None:
        for parsed, sheet, row, header, owner in self.exprs:
            column = split_column(header)[0]
            for name in sorted(parsed.last_saved_references()):
                self.uses_last_saved = True
                if name not in nodes:
                    self.problem(sheet, row, header, N_("reference to a missing field {reference}"),
                                 reference=f"${{last-saved#{name}}}")
            for name in sorted(ex.references(parsed)):
                if name in self.duplicated:
                    self.problem(sheet, row, header,
                                 N_("{reference} is ambiguous: more than one question is named "
                                    "'{name}' (in different groups); rename one of them"),
                                 reference=f"${{{name}}}", name=name)
                elif name not in nodes:
                    self.problem(sheet, row, header, N_("reference to a missing field {reference}"),
                                 reference=f"${{{name}}}")
                elif owner is not None and name == owner.name and column in (
                        "calculation", "relevant"):
                    self.problem(sheet, row, header,
                                 N_("'{name}' refers to itself in its {column}"),
                                 name=owner.name, column=column)
            self.check_paths(parsed, sheet, row, header, owner, nodes)
        for name, sheet, row, column in self.text_refs:
            if name not in nodes:
                self.problem(sheet, row, column, N_("reference to a missing field {reference}"),
                             reference=f"${{{name}}}")

    uses_last_saved = False

    def check_paths(self, parsed: ex.Expr, sheet: str, row: int, header: str,
                    owner: Node | None, nodes: dict[str, Node]) -> None:
        """Paths into the form are read as JavaRosa reads them (from the node the expression
        belongs to); one that reaches no node of the form loads but reads as empty, as in
        ODK Collect, and is a warning: it is usually ${name} without its ${}, or TRUE/FALSE
        from a spreadsheet."""
        column = split_column(header)[0]
        root = self.root
        for path in tree.expression_paths(parsed.tree):
            relative = isinstance(path, Path) and not path.absolute and not path.from_current
            if column == "choice_filter" and relative:
                continue  # the columns of the choice being filtered
            targets, _read = tree.path_targets(path, owner or root, root, nodes)
            if targets:
                continue
            name = path.path if relative and "/" not in path.path else None
            if name is not None and name.lower() in ("true", "false"):
                self.warning(sheet, row, header,
                             N_("'{name}' is read as a path to nothing, so as empty (false), as "
                                "ODK Collect reads it: write {function}"),
                             name=name, function=f"{name.lower()}()")
            elif name is not None and name in nodes:
                self.warning(sheet, row, header,
                             N_("'{name}' is read as a path from this question and reaches "
                                "nothing, so it is empty, as in ODK Collect: to read the question "
                                "'{name}', write {reference}"),
                             name=name, reference=f"${{{name}}}")
            else:
                self.warning(sheet, row, header,
                             N_("the path '{path}' reaches no question of the form, so it is "
                                "empty, as in ODK Collect"), path=str(path))

    def dependency_order(self, root: Group, nodes: dict[str, Node]) -> list[Node]:
        """Every node in dependency order; each cycle reported where its expression closes it."""
        order, cycles = dependency_order(root, nodes)
        for cycle in cycles:
            header = next((h for h in self.headers(SURVEY) if split_column(h)[0] == cycle.column),
                          cycle.column)
            self.problem(SURVEY, cycle.node.row, header, N_("circular dependency: {chain}"),
                         chain=cycle.chain)
        return order


def _valid_name(text: str) -> str:
    """A file name made a valid form_id ("Khảo sát hộ (1)" -> "Khảo_sát_hộ_1")."""
    return re.sub(r"[^\w.\-]+", "_", nfc(text)).strip("_.-")[:200] or "data"
