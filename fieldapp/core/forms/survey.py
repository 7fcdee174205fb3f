"""The survey sheet: begin/end group and repeat rows into a tree, each question into a Field.

:class:`SurveyReader` is the part of the form builder that reads the survey sheet: question
types (with XLSForm's aliases and its select spellings), names, texts, expressions and the
"specify other" question pyxform adds after ``select ... or_other``.
"""

from __future__ import annotations

import re

from pyxform import aliases as px_aliases

from fieldapp.core.forms import expressions as ex
from fieldapp.core.forms.model import REGISTRY_FILES, Field, Group, Node, Repeat
from fieldapp.core.forms.problems import Message
from fieldapp.core.forms.sheets import (
    CHOICES, EXPR_COLUMNS, NAME_RE, SURVEY, SheetReader, split_column)
from fieldapp.core.forms.types import EXTERNAL_INSTANCE_TYPES, REFUSED, canonical_type
from fieldapp.i18n.catalog import N_

MAX_NESTING = 30  # deeper nesting is a mistake in the sheet, and would exhaust recursion

_GROUP_RE = re.compile(r"^(begin|end)[ _](group|repeat|lgroup|looped group)$", re.IGNORECASE)
_SELECT_PREFIXES = sorted(px_aliases.select, key=len, reverse=True)
_SPECIFY_OTHER = ["or", "specify", "other"]
_LOOP_RE = re.compile(r"^begin[ _]loop over (\S+)$", re.IGNORECASE)
_END_LOOP_RE = re.compile(r"^end[ _]loop$", re.IGNORECASE)


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
        root = Group(name=form_id if form_id and NAME_RE.match(form_id) else "data",
                     type="survey", row=1)
        nodes: dict[str, Node] = {}
        stack: list[Group] = [root]
        for row_n, row in self.expand_loops(self.rows(SURVEY)):
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
                kind = "group" if kind == "group" else "repeat"
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
            if "_".join(type_text.lower().split()) in px_aliases.settings_header:
                continue  # "set form title" on the survey sheet: a setting, not a question
            if canonical_type(type_text) in EXTERNAL_INSTANCE_TYPES:
                self.declare_external(type_text, name, row_n)
                continue
            if not name and type_text.lower() == "note":
                name = f"generated_note_name_{row_n}"  # pyxform names an unnamed note so
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

    def expand_loops(self, rows: list[tuple[int, dict[str, str]]]
                     ) -> list[tuple[int, dict[str, str]]]:
        """"begin loop over LIST" ... "end loop" as pyxform expands it: a group named after
        the loop holding one group per choice of LIST, each with the loop's questions, where
        %(name)s and %(label)s stand for the choice's name and label. Rows keep their
        numbers; the questions' names repeat in each group (told apart inside the engine)."""
        out: list[tuple[int, dict[str, str]]] = []
        i = 0
        while i < len(rows):
            row_n, row = rows[i]
            type_text = " ".join(self.columns(row).get("type", ("", ""))[1].split())
            match = _LOOP_RE.match(type_text)
            if not match:
                out.append((row_n, row))
                i += 1
                continue
            depth, j = 1, i + 1
            while j < len(rows) and depth:
                inner = " ".join(self.columns(rows[j][1]).get("type", ("", ""))[1].split())
                depth += 1 if _LOOP_RE.match(inner) else -1 if _END_LOOP_RE.match(inner) else 0
                j += 1
            if depth:
                self.problem(SURVEY, row_n, "type",
                             N_("'begin loop' has no matching 'end loop'"))
                return out
            body = self.expand_loops(rows[i + 1:j - 1])
            choices = [r for _n, r in self.rows(CHOICES)
                       if self.columns(r).get("list_name", ("", ""))[1] == match.group(1)]
            if not choices:
                self.problem(SURVEY, row_n, "type",
                             N_("choice list '{list}' does not exist in the choices sheet"),
                             list=match.group(1))
            group = {k: v for k, v in row.items() if split_column(k)[0] != "type"}
            out.append((row_n, {**group, "type": "begin group"}))
            for choice in choices:
                name = self.columns(choice).get("name", ("", ""))[1]
                label = next(iter(self.texts(choice, "label").values()), name)
                out.append((row_n, {"type": "begin group", "name": name, "label": label}))
                for body_n, body_row in body:
                    out.append((body_n, {k: v.replace("%(name)s", name).replace(
                        "%(label)s", label) for k, v in body_row.items()}))
                out.append((rows[j - 1][0], {"type": "end group"}))
            out.append((rows[j - 1][0], {"type": "end group"}))
            i = j
        return out

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
            other = nodes[node.name]
            if other.parent is node.parent or (isinstance(node, Repeat)
                                               and isinstance(other, Repeat)):
                self.problem(SURVEY, row_n, "name",
                             N_("duplicate name '{name}' (also in row {row})"), name=node.name,
                             row=other.row)
                return
            # pyxform allows a name again in another group: the engine needs unique names, so
            # this one gets its group's name in front; ${name} is then ambiguous (refused).
            self.duplicated.add(node.name)
            source, unique = node.name, f"{node.parent.name}.{node.name}"
            while unique in nodes:
                unique += "_"
            node.name = unique
            if isinstance(node, Field):
                node.source_name = source
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

    def triggers(self, node: Field, row_n: int, column: tuple[str, str]) -> None:
        """The ``trigger`` column: one ${question} or several separated by commas (pyxform)."""
        header, text = column
        names = []
        for part in text.split(","):
            parsed = self.expr(part.strip(), SURVEY, row_n, header, node)
            if parsed is None:
                continue
            refs = ex.references(parsed)
            if len(refs) != 1 or part.strip() != "${" + next(iter(refs)) + "}":
                self.problem(SURVEY, row_n, header, N_("a trigger names a question as "
                                                       "${{name}}, several separated by commas"))
                continue
            names.extend(refs)
        node.trigger = tuple(names)

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
        # pyxform ignores what means nothing on a group; only a calculation is surely a mistake.
        for column in ("calculation",):
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

    def parse_type(self, type_text: str, row_n: int
                   ) -> tuple[str, str | None, str | None, bool] | None:
        """(type, list_name, from_file, or_other), or None after recording a problem."""
        lowered = type_text.lower()
        for prefix in _SELECT_PREFIXES:
            if lowered == prefix or lowered.startswith(prefix + " "):
                base = px_aliases.select[prefix]
                kind = {"select one": "select_one", "select all that apply": "select_multiple",
                        "select one external": "select_one", "rank": "rank"}.get(base)
                if kind is None:
                    break
                rest = type_text[len(prefix):].split()
                or_other = False
                if rest and rest[-1].lower() == "or_other":
                    or_other, rest = True, rest[:-1]
                elif [w.lower() for w in rest[-3:]] == _SPECIFY_OTHER:
                    or_other, rest = True, rest[:-3]
                if len(rest) != 1:
                    self.problem(SURVEY, row_n, "type",
                                 N_("'{type}': give exactly one choice list name after "
                                    "'{prefix}'"), type=type_text, prefix=prefix)
                    return None
                if prefix in px_aliases.select_from_file:
                    if or_other:
                        self.problem(SURVEY, row_n, "type",
                                     N_("or_other cannot be used with a select from a file"))
                    if not rest[0].lower().endswith((".csv", ".xml", ".geojson")):
                        self.problem(SURVEY, row_n, "type",
                                     N_("'{file}' is not a data file: choose from a .csv, .xml "
                                        "or .geojson file shipped with the form"),
                                     file=rest[0])
                        return None
                    return kind, None, rest[0], False
                if rest[0].lower().endswith((".csv", ".xml", ".geojson")):
                    self.problem(SURVEY, row_n, "type",
                                 N_("'{type}': to choose from a file use '{suggestion}'"),
                                 type=type_text, suggestion=f"{kind}_from_file {rest[0]}")
                    return None
                if base == "select one external":
                    self.external_lists.add(rest[0])
                return kind, rest[0], None, or_other
        canonical = canonical_type(type_text)
        if canonical in REFUSED:
            self.problem(SURVEY, row_n, "type", N_("'{type}' is refused: {reason}"),
                         type=type_text, reason=Message(REFUSED[canonical]))
            return None
        if canonical is not None and canonical not in EXTERNAL_INSTANCE_TYPES:
            return canonical, None, None, False
        self.problem(SURVEY, row_n, "type",
                     N_("unknown question type '{type}': see the type column of XLSForm "
                        "(text, integer, select_one list, geopoint, image, ...)"),
                     type=type_text)
        return None

    def declare_external(self, type_text: str, name: str, row_n: int) -> None:
        """A csv-external/xml-external row: instance('name') reads name.csv/name.xml."""
        if not name:
            self.problem(SURVEY, row_n, "name", N_("the {type} row needs the name of the file "
                                                   "(without .csv or .xml)"), type=type_text)
            return
        suffix = ".csv" if type_text.strip().lower() == "csv-external" else ".xml"
        self.needed_files.setdefault(name + suffix, (SURVEY, row_n, "name"))
        self.external_instances[name] = name + suffix

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
        if "parameters" in cols:
            node.parameters = self.parameters(cols["parameters"], row_n)
        if kind == "range":
            self.check_range(node, row_n, cols.get("parameters", ("parameters", ""))[0])
        if from_file is not None and from_file not in REGISTRY_FILES:
            self.needed_files.setdefault(from_file, (SURVEY, row_n, "type"))
            node.instance = from_file.rsplit(".", 1)[0]
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
                # pyxform writes nothing for it and ODK Collect ignores it: so does this app.
                self.warning(SURVEY, row_n, cols["choice_filter"][0],
                             N_("choice_filter is ignored on a {type} question: only select "
                                "questions have choices to filter"), type=type_text)
            else:
                node.choice_filter = self.expr(cols["choice_filter"][1], SURVEY, row_n,
                                               cols["choice_filter"][0], node)
        if "trigger" in cols:
            self.triggers(node, row_n, cols["trigger"])
        if "calculation" in cols:
            header, text = cols["calculation"]
            if node.trigger:
                node.trigger_value = self.expr(text, SURVEY, row_n, header, node)
            else:
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
        # A question without a label is only a warning for pyxform: the screen shows its name.
        if kind == "background-audio":
            self.warning(SURVEY, row_n, "type",
                         N_("background-audio: ODK Collect records the sound of the whole "
                            "interview; this app records nothing, so '{name}' stays empty in "
                            "every submission (remove the row if a recording is needed)"),
                         name=name)
        if "save_to" in cols:
            value = cols["save_to"][1]
            dataset, sep, prop = value.partition("#")
            node.save_to_dataset, node.save_to = (dataset, prop) if sep else (None, value)
        return node

    def parameters(self, column: tuple[str, str], row_n: int) -> dict[str, str]:
        """The parameters column: "start=1 end=5 step=1", "value=id, label=name"."""
        header, text = column
        out: dict[str, str] = {}
        for part in text.replace(",", " ").replace(";", " ").split():
            key, sep, value = part.partition("=")
            if not sep or not key.strip() or not value.strip():
                self.problem(SURVEY, row_n, header,
                             N_("'{part}' is not a parameter: write name=value, as in "
                                "{example}"), part=part, example="start=0 end=10 step=1")
                continue
            out[key.strip().lower()] = value.strip()
        return out

    def check_range(self, node: Field, row_n: int, header: str) -> None:
        """range: numbers start, end and step (pyxform's defaults 1, 10, 1), step > 0."""
        values = {}
        for key, default in (("start", "1"), ("end", "10"), ("step", "1")):
            text = node.parameters.get(key, default)
            try:
                values[key] = float(text)
            except ValueError:
                values[key] = float("nan")
            if values[key] != values[key] or abs(values[key]) > 1e12:
                self.problem(SURVEY, row_n, header,
                             N_("range parameter {name}={value} must be a number"),
                             name=key, value=text)
                return
        if values["step"] <= 0 or values["step"] > abs(values["end"] - values["start"]) > 0:
            self.problem(SURVEY, row_n, header,
                         N_("range step={step} must be more than 0 and at most end - start"),
                         step=node.parameters.get("step", "1"))
        elif values["start"] == values["end"]:
            self.problem(SURVEY, row_n, header, N_("range start and end must differ"))
        elif abs(values["end"] - values["start"]) / values["step"] > 100_000:
            self.problem(SURVEY, row_n, header,
                         N_("range has more than 100,000 steps: use a larger step"))

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
