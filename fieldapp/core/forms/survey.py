"""The survey sheet: begin/end group and repeat rows into a tree, each question into a Field.

:class:`SurveyReader` is the part of the form builder that reads the survey sheet: question
types (with XLSForm's aliases and its select spellings), names, texts, expressions and the
"specify other" question pyxform adds after ``select ... or_other``.
"""

from __future__ import annotations

import re

from pyxform import aliases as px_aliases

from fieldapp.core.forms import expressions as ex
from fieldapp.core.forms.model import FIELD_TYPES, Field, Group, Node, Repeat
from fieldapp.core.forms.sheets import EXPR_COLUMNS, NAME_RE, SURVEY, SheetReader, split_column
from fieldapp.i18n.catalog import N_

MAX_NESTING = 30  # deeper nesting is a mistake in the sheet, and would exhaust recursion

_TYPE_ALIASES = {
    "text": "text", "string": "text", "integer": "integer", "int": "integer",
    "decimal": "decimal", "date": "date", "note": "note", "calculate": "calculate",
    "acknowledge": "acknowledge", "trigger": "acknowledge", "hidden": "hidden",
}
# Types XLSForm knows that this app deliberately does not offer: refused with a clear message.
_KNOWN_UNSUPPORTED = {
    "geopoint", "geotrace", "geoshape", "image", "photo", "audio", "video", "file", "barcode",
    "background-audio", "background-geopoint", "dateTime", "datetime", "time", "range", "rank",
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
    "email", "audit", "xml-external", "csv-external", "start-geopoint", "select_one_external",
    "osm", "imei", "add image prompt", "add photo prompt", "add audio prompt",
    "add video prompt", "add file prompt", "begin loop", "end loop", "begin_loop", "end_loop",
    "loop", "begin lgroup", "end lgroup", "cascading select", "cascading_select",
}
_GROUP_RE = re.compile(r"^(begin|end)[ _](group|repeat)$", re.IGNORECASE)
_SELECT_PREFIXES = sorted(px_aliases.select, key=len, reverse=True)


class SurveyReader(SheetReader):
    """Reads the survey sheet into the form's tree of groups, repeats and fields."""

    def read_survey(self, form_id: str) -> tuple[Group, dict[str, Node]]:
        headers = {split_column(h)[0] for h in self.headers(SURVEY)}
        if not headers and not self.rows(SURVEY):
            self.problem(SURVEY, None, None, N_("the survey sheet is empty"))
        for needed in ("type", "name"):
            if headers and needed not in headers:
                self.problem(SURVEY, 1, needed, N_("the survey sheet has no '{column}' column"),
                             column=needed)
        root = Group(name=form_id or "data", type="survey", row=1)
        nodes: dict[str, Node] = {}
        stack: list[Group] = [root]
        for row_n, row in self.rows(SURVEY):
            cols = self.columns(row)
            type_text = " ".join(cols.get("type", ("", ""))[1].split())
            name = cols.get("name", ("", ""))[1]
            if not type_text:
                if name or any(k in cols for k in ("label", "calculation", "relevant")) \
                        or self.texts(row, "label"):
                    self.problem(SURVEY, row_n, "type", N_("the row has no question type"))
                continue
            group_match = _GROUP_RE.match(type_text)
            if group_match:
                begin, kind = group_match.group(1).lower(), group_match.group(2).lower()
                if begin == "begin" and len(stack) > MAX_NESTING:
                    self.problem(SURVEY, row_n, "type",
                                 N_("groups and repeats are nested more than {depth} deep"),
                                 depth=MAX_NESTING)
                    return root, nodes
                if begin == "begin":
                    node = self.make_group(kind, name, row_n, row, cols, stack, nodes)
                    stack[-1].children.append(node)
                    stack.append(node)
                else:
                    self.close_group(kind, row_n, stack)
                continue
            node = self.make_field(type_text, name, row_n, row, cols, stack, nodes)
            if node is not None:
                stack[-1].children.append(node)
                if node.or_other and node.name:
                    self.add_other_field(node, nodes)
        if not nodes and {"type", "name"} <= headers:
            self.problem(SURVEY, None, None, N_("the survey sheet has no questions"))
        for open_group in stack[1:]:
            if isinstance(open_group, Repeat):
                self.problem(SURVEY, open_group.row, "type",
                             N_("begin repeat '{name}' has no matching 'end repeat'"),
                             name=open_group.name)
            else:
                self.problem(SURVEY, open_group.row, "type",
                             N_("begin group '{name}' has no matching 'end group'"),
                             name=open_group.name)
        return root, nodes

    def register(self, node: Node, row_n: int, nodes: dict[str, Node]) -> None:
        if not node.name:
            if isinstance(node, Repeat):
                self.problem(SURVEY, row_n, "name", N_("the repeat has no name"))
            elif isinstance(node, Group):
                self.problem(SURVEY, row_n, "name", N_("the group has no name"))
            else:
                self.problem(SURVEY, row_n, "name", N_("the {type} question has no name"),
                             type=node.type)
            return
        if not NAME_RE.match(node.name):
            self.problem(SURVEY, row_n, "name",
                         N_("invalid name '{name}': use letters, digits and '_', starting "
                            "with a letter"), name=node.name)
        if node.name in nodes:
            self.problem(SURVEY, row_n, "name",
                         N_("duplicate name '{name}' (also in row {row})"), name=node.name,
                         row=nodes[node.name].row)
            return
        nodes[node.name] = node

    def common(self, node: Node, row_n: int, row: dict[str, str],
               cols: dict[str, tuple[str, str]], stack: list[Group]) -> None:
        parent = stack[-1]
        node.parent = parent
        node.repeat = parent if isinstance(parent, Repeat) else parent.repeat
        node.label = self.texts(row, "label")
        node.hint = self.texts(row, "hint")
        self.note_text_refs(node.label, SURVEY, row_n, "label")
        self.note_text_refs(node.hint, SURVEY, row_n, "hint")
        node.appearance = frozenset(cols.get("appearance", ("", ""))[1].split())
        node.source = {k: v for k, (_h, v) in cols.items() if k in EXPR_COLUMNS
                       or k in ("default", "save_to")}
        if "relevant" in cols:
            node.relevant = self.expr(cols["relevant"][1], SURVEY, row_n, cols["relevant"][0], node)

    def make_group(self, kind: str, name: str, row_n: int, row: dict[str, str],
                   cols: dict[str, tuple[str, str]], stack: list[Group],
                   nodes: dict[str, Node]) -> Group:
        node: Group = Repeat(name=name, type="repeat", row=row_n) if kind == "repeat" \
            else Group(name=name, type="group", row=row_n)
        self.common(node, row_n, row, cols, stack)
        self.register(node, row_n, nodes)
        if isinstance(node, Repeat) and "repeat_count" in cols:
            header, text = cols["repeat_count"]
            node.repeat_count = self.expr(text, SURVEY, row_n, header, node)
        elif "repeat_count" in cols:
            self.problem(SURVEY, row_n, cols["repeat_count"][0],
                         N_("repeat_count is only allowed on 'begin repeat'"))
        for column in ("calculation", "constraint", "required", "choice_filter", "default"):
            if column in cols:
                self.problem(SURVEY, row_n, cols[column][0],
                                 N_("'{column}' is not allowed on a repeat") if kind == "repeat"
                             else N_("'{column}' is not allowed on a group"), column=column)
        return node

    def close_group(self, kind: str, row_n: int, stack: list[Group]) -> None:
        if len(stack) == 1:
            self.problem(SURVEY, row_n, "type",
                         N_("'end {kind}' without a matching 'begin {kind}'"), kind=kind)
            return
        current = stack[-1]
        current_kind = "repeat" if isinstance(current, Repeat) else "group"
        if current_kind != kind:
            self.problem(SURVEY, row_n, "type",
                         N_("'end {kind}' closes 'begin {open_kind} {name}' (row {row})"),
                         kind=kind, open_kind=current_kind, name=current.name, row=current.row)
        stack.pop()

    def parse_type(self, type_text: str, row_n: int) -> tuple[str, str | None, str | None, bool] | None:
        """(type, list_name, from_file, or_other), or None after recording a problem."""
        lowered = type_text.lower()
        for prefix in _SELECT_PREFIXES:
            if lowered == prefix or lowered.startswith(prefix + " "):
                base = px_aliases.select[prefix]
                kind = "select_one" if base == "select one" else (
                    "select_multiple" if base == "select all that apply" else base)
                if kind not in ("select_one", "select_multiple"):
                    break
                rest = type_text[len(prefix):].split()
                or_other = False
                if rest and rest[-1].lower() == "or_other":
                    or_other, rest = True, rest[:-1]
                if len(rest) != 1:
                    self.problem(SURVEY, row_n, "type",
                                 N_("'{type}': give exactly one choice list name after "
                                    "'{prefix}'"), type=type_text, prefix=prefix)
                    return None
                if prefix in px_aliases.select_from_file:
                    if or_other:
                        self.problem(SURVEY, row_n, "type",
                                     N_("or_other cannot be used with a select from a file"))
                    return kind, None, rest[0], False
                if rest[0].lower().endswith((".csv", ".xml", ".geojson")):
                    self.problem(SURVEY, row_n, "type",
                                 N_("'{type}': to choose from a file use '{suggestion}'"),
                                 type=type_text, suggestion=f"{kind}_from_file {rest[0]}")
                    return None
                return kind, rest[0], None, or_other
        canonical = _TYPE_ALIASES.get(lowered)
        if canonical:
            return canonical, None, None, False
        if lowered in {t.lower() for t in _KNOWN_UNSUPPORTED} or lowered.split()[0] in (
                "select_one_external", "rank", "range"):
            self.problem(SURVEY, row_n, "type",
                         N_("question type '{type}' is not supported by this app (supported: "
                            "{types}, groups and repeats)"), type=type_text,
                         types=", ".join(sorted(FIELD_TYPES)))
        else:
            self.problem(SURVEY, row_n, "type", N_("unknown question type '{type}'"),
                         type=type_text)
        return None

    def make_field(self, type_text: str, name: str, row_n: int, row: dict[str, str],
                   cols: dict[str, tuple[str, str]], stack: list[Group],
                   nodes: dict[str, Node]) -> Field | None:
        parsed = self.parse_type(type_text, row_n)
        if parsed is None:
            if name and name not in nodes:  # keep the name known so references to it resolve
                nodes[name] = Field(name=name, type="hidden", row=row_n, parent=stack[-1])
            return None
        kind, list_name, from_file, or_other = parsed
        node = Field(name=name, type=kind, row=row_n, list_name=list_name,
                     from_file=from_file, or_other=or_other)
        self.common(node, row_n, row, cols, stack)
        self.register(node, row_n, nodes)
        node.required_message = self.texts(row, "required_message")
        node.constraint_message = self.texts(row, "constraint_message")
        self.note_text_refs(node.required_message, SURVEY, row_n, "required_message")
        self.note_text_refs(node.constraint_message, SURVEY, row_n, "constraint_message")
        for column in ("required", "read_only"):
            if column in cols:
                setattr(node, column, self.expr(cols[column][1], SURVEY, row_n, cols[column][0],
                                                node, boolean=True))
        if "constraint" in cols:
            node.constraint = self.expr(cols["constraint"][1], SURVEY, row_n,
                                        cols["constraint"][0], node)
        if "choice_filter" in cols:
            if not node.is_select:
                self.problem(SURVEY, row_n, cols["choice_filter"][0],
                             N_("choice_filter is only allowed on select questions"))
            else:
                node.choice_filter = self.expr(cols["choice_filter"][1], SURVEY, row_n,
                                               cols["choice_filter"][0], node)
        if "calculation" in cols:
            header, text = cols["calculation"]
            node.calculation = self.expr(text, SURVEY, row_n, header, node)
            node.once = node.calculation is not None and ex.is_once(node.calculation)
        elif kind == "calculate":
            self.problem(SURVEY, row_n, "calculation", N_("a calculate row needs a calculation"))
        if "default" in cols:
            header, text = cols["default"]
            if ex.is_dynamic_default(text, kind):
                node.default_expr = self.expr(text, SURVEY, row_n, header, node)
            else:
                node.default = text
        if "repeat_count" in cols:
            self.problem(SURVEY, row_n, cols["repeat_count"][0],
                         N_("repeat_count is only allowed on 'begin repeat'"))
        if not node.label and kind in ("text", "integer", "decimal", "date", "select_one",
                                       "select_multiple", "acknowledge", "note") \
                and not node.hint:
            self.problem(SURVEY, row_n, "label", N_("question '{name}' has no label"), name=name)
        if "save_to" in cols:
            value = cols["save_to"][1]
            dataset, sep, prop = value.partition("#")
            node.save_to_dataset, node.save_to = (dataset, prop) if sep else (None, value)
        return node

    def add_other_field(self, select: Field, nodes: dict[str, Node]) -> None:
        """The "specify other" text question pyxform adds after a select ... or_other."""
        other = Field(name=f"{select.name}_other", type="text", row=select.row,
                      parent=select.parent, repeat=select.repeat,
                      label={lang: "Khác (ghi rõ)" if lang.endswith("(vi)") or lang == "default"
                             else "Specify other" for lang in self.languages},
                      relevant=ex.parse(f"selected(${{{select.name}}}, 'other')"),
                      required=ex.parse("true()"))
        other.source = {"relevant": other.relevant.text}
        select.parent.children.append(other)
        self.register(other, select.row, nodes)
