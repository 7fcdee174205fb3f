"""Load XLSForm files (.xlsx, pyxform .md and .csv) into checked :class:`Form` objects.

pyxform reads the workbook (its xls2json_backends give per-sheet lists of row dicts, one per
sheet row, so list index + 2 is the row number Excel shows) and validates it with
workbook_to_json. This module builds the form from those raw rows itself and runs its own
checks, so every problem comes with sheet, row and column and all problems are reported at once
(pyxform stops at its first error). pyxform's verdict is added when it finds something the
engine's own checks did not.
"""

from __future__ import annotations

import copy
import logging
import os
import re
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Iterable

from pyxform import aliases as px_aliases
from pyxform.errors import PyXFormError, PyXFormReadError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData, SupportedFileTypes

from fieldapp.core.forms import expressions as ex
from fieldapp.core.forms.model import (
    FIELD_TYPES,
    REGISTRY_FILES,
    Choice,
    ChoiceList,
    EntityDeclaration,
    Field,
    Form,
    Group,
    Node,
    Repeat,
    Texts,
)
from fieldapp.core.forms.problems import FormLoadError, FormProblem, Message
from fieldapp.i18n.catalog import N_
from fieldapp.i18n.text import nfc

log = logging.getLogger(__name__)

FORM_SUFFIXES = (".xlsx", ".xlsm", ".md", ".csv")
MAX_FILE_BYTES = 20 * 1024 * 1024  # shipped forms are ~50 kB; anything this big is not a form
MAX_NESTING = 30  # deeper nesting is a mistake in the sheet, and would exhaust recursion

SURVEY, CHOICES, SETTINGS, ENTITIES = "survey", "choices", "settings", "entities"

# Header spellings accepted by XLSForm tools, mapped to the column names used here.
_COLUMN_ALIASES = {
    "relevance": "relevant", "calculate": "calculation", "readonly": "read_only",
    "constraining_message": "constraint_message", "jr:constraintmsg": "constraint_message",
    "requiredmsg": "required_message", "jr:requiredmsg": "required_message",
    "count": "repeat_count", "jr:count": "repeat_count", "caption": "label",
    "bind::entities:saveto": "save_to", "value": "name",
}
_TEXT_COLUMNS = ("label", "hint", "constraint_message", "required_message")
_EXPR_COLUMNS = ("relevant", "required", "constraint", "calculation", "read_only",
                 "choice_filter", "repeat_count")
_BOOL_COLUMNS = ("required", "read_only")

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
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_TEXT_REF_RE = re.compile(r"\$\{([^}]*)\}")
_PYXFORM_ROW_RE = re.compile(r"\[row\s*:\s*(\d+)\]")
_PYXFORM_SHEET_RE = re.compile(r"'(survey|choices|settings|entities)' sheet", re.IGNORECASE)
_SELECT_PREFIXES = sorted(px_aliases.select, key=len, reverse=True)


# ----------------------------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------------------------

def load_form(path: str | os.PathLike[str], *, source_label: str | None = None) -> Form:
    """Read, check and build the form at ``path``.

    ``source_label`` names the file in problems (default: the file name). Raises FormLoadError
    listing every problem found; no other exception escapes for bad input.
    """
    label = source_label or Path(path).name
    try:
        data = _read_definition(Path(path), label)
        form, problems = _FormBuilder(label, data).build()
        problems.extend(_pyxform_problems(label, data, problems))
    except FormLoadError:
        raise
    except Exception as exc:  # a checker bug must not become a traceback for the user
        # Logged without the traceback at warning level (the CLI must never print one);
        # the traceback goes to debug logging for developers.
        log.warning("internal error while loading form %s: %r", path, exc)
        log.debug("traceback of the internal error", exc_info=True)
        raise FormLoadError([FormProblem(
            label, None, None, None,
            Message(N_("internal error while checking the form: {detail}"), detail=repr(exc)))])
    if problems or form is None:
        raise FormLoadError(_sorted(problems) or [
            FormProblem(label, None, None, None, Message(N_("the form could not be built")))])
    return form


def discover_forms(
    dirs: Iterable[str | os.PathLike[str]],
) -> list[tuple[Path, Form | list[FormProblem]]]:
    """Load every form file found directly in ``dirs`` (shipped forms/, the commune's folder).

    Returns (path, Form) for forms that load and (path, problems) for those that do not, in the
    order of ``dirs`` then by file name. Missing directories are skipped; Excel lock files
    (``~$name.xlsx``) and hidden files are ignored.
    """
    found: list[tuple[Path, Form | list[FormProblem]]] = []
    for d in dirs:
        directory = Path(d)
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir(), key=lambda p: p.name):
            if (not path.is_file() or path.suffix.lower() not in FORM_SUFFIXES
                    or path.name.startswith(("~$", "."))):
                continue
            try:
                found.append((path, load_form(path)))
            except FormLoadError as err:
                found.append((path, err.problems))
    return found


def check_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """One line per problem over all ``paths`` (empty when every form loads), e.g.
    "household_survey.xlsx: survey row 12, column relevant: unknown function 'foo()'"."""
    lines: list[str] = []
    for path in paths:
        try:
            load_form(path)
        except FormLoadError as err:
            lines.extend(" ".join(str(p).split()) for p in err.problems)
    return lines


# ----------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------

def _sorted(problems: list[FormProblem]) -> list[FormProblem]:
    order = {None: 0, SURVEY: 1, CHOICES: 2, SETTINGS: 3, ENTITIES: 4}
    return sorted(problems, key=lambda p: (order.get(p.sheet, 5), p.row or 0, p.column or ""))


def _read_definition(path: Path, label: str) -> DefinitionData:
    """Read the file with pyxform's reader for its suffix; any failure becomes a FormProblem."""

    def fail(msgid: str, /, **values: Any) -> FormLoadError:
        return FormLoadError([FormProblem(label, None, None, None, Message(msgid, **values))])

    suffix = path.suffix.lower()
    if suffix not in FORM_SUFFIXES:
        if suffix == ".xls":
            raise fail(N_("old Excel format (.xls) is not supported: save the workbook as .xlsx"))
        raise fail(N_("not a form file: expected {suffixes}"), suffixes=", ".join(FORM_SUFFIXES))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise fail(N_("cannot open the file: {detail}"), detail=exc.strerror or exc) from None
    if not path.is_file():
        raise fail(N_("not a file"))
    if size == 0:
        raise fail(N_("the file is empty (0 bytes)"))
    if size > MAX_FILE_BYTES:
        raise fail(N_("the file is too large for a form ({size} MB)"), size=size // 1024 // 1024)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(N_("cannot read the file: {detail}"), detail=exc.strerror or exc) from None

    kind = {".xlsx": Message(N_("an Excel workbook (.xlsx)")),
            ".xlsm": Message(N_("an Excel workbook (.xlsm)")),
            ".md": Message(N_("a Markdown form (.md)")),
            ".csv": Message(N_("a CSV form (.csv)"))}[suffix]
    reader = SupportedFileTypes.get_processors()[SupportedFileTypes(suffix)]
    excel = suffix in (".xlsx", ".xlsm")
    try:
        book = reader(BytesIO(raw))
    except PyXFormReadError as exc:
        raise fail(N_("cannot read the file as {kind}: {reason}"), kind=kind,
                   reason=_clean_reader_message(exc)) from None
    except UnicodeDecodeError:
        raise fail(N_("cannot read the file as {kind}: it is not UTF-8 text"), kind=kind) from None
    except Exception as exc:  # pyxform errors on odd headers; openpyxl/zip/XML errors
        problems = _header_problems(label, raw) if excel else []
        if problems:
            raise FormLoadError(problems) from None
        log.info("unreadable form file %s: %r", path, exc)
        detail = str(exc) if isinstance(exc, PyXFormError) else f"{type(exc).__name__}: {exc}"
        raise fail(N_("cannot read the file as {kind}: the file is damaged or not a form "
                      "({detail})"), kind=kind, detail=detail) from None
    if not isinstance(book, dict):
        raise fail(N_("cannot read the file as {kind}"), kind=kind)
    return DefinitionData(fallback_form_name=path.stem, **book)


def _clean_reader_message(exc: Exception) -> Message:
    text = str(exc)
    for prefix in ("Error reading .xlsx file: ", "Error reading .md file: ",
                   "Error reading .csv file: "):
        text = text.replace(prefix, "")
    if "not a zip file" in text.lower():
        return Message(N_("it is not an .xlsx workbook (not a zip archive)"))
    if "valid xlsform" in text.lower():
        return Message(N_("it holds no XLSForm tables"))
    # The reader's own words (English, from pyxform/openpyxl) inside a translated frame.
    return Message(N_("the file is damaged ({detail})"), detail=text.strip(chr(34)))


def _header_problems(label: str, raw: bytes) -> list[FormProblem]:
    """Locate header problems pyxform only names (or trips over): duplicates, non-text."""
    import openpyxl

    problems: list[FormProblem] = []
    try:
        wb = openpyxl.load_workbook(BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # the file already failed once; the caller reports that failure
        return []
    try:
        for ws in wb.worksheets:
            first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
            seen: dict[str, int] = {}
            for i, value in enumerate(first, start=1):
                if value is None or str(value).strip() == "":
                    continue
                header = " ".join(str(value).split())
                if not isinstance(value, str):
                    problems.append(FormProblem(
                        label, ws.title, 1, header,
                        Message(N_("column header in column {letter} must be text, not "
                                   "{kind} {value}"), letter=_col_letter(i),
                                kind=type(value).__name__, value=repr(value))))
                elif header in seen:
                    problems.append(FormProblem(
                        label, ws.title, 1, header,
                        Message(N_("duplicate column header '{header}' (columns {first} and "
                                   "{second})"), header=header,
                                first=_col_letter(seen[header]), second=_col_letter(i))))
                else:
                    seen[header] = i
    except Exception:  # damaged sheet XML: nothing more precise to say
        return []
    finally:
        wb.close()
    return problems


def _col_letter(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _pyxform_problems(label: str, data: DefinitionData,
                      own: list[FormProblem]) -> list[FormProblem]:
    """Run pyxform's own conversion as a second opinion; report what our checks missed."""
    try:
        workbook_to_json(copy.deepcopy(data), fallback_form_name=data.fallback_form_name,
                         warnings=[])
    except PyXFormError as exc:
        message = " ".join(str(exc).split())
        row_match = _PYXFORM_ROW_RE.search(message)
        sheet_match = _PYXFORM_SHEET_RE.search(message)
        row = int(row_match.group(1)) if row_match else None
        sheet = sheet_match.group(1).lower() if sheet_match else (SURVEY if row else None)
        if own and (row is None or any(p.row == row and p.sheet == sheet for p in own)):
            return []  # our own checks already describe this more precisely
        message = _PYXFORM_ROW_RE.sub("", message).strip()
        # pyxform's own (English) wording, framed so the line still reads in the user's language.
        return [FormProblem(label, sheet, row, None,
                            Message(N_("the form converter reported: {detail}"), detail=message))]
    except Exception as exc:  # pyxform bugs on odd input: ours are the checks that count
        log.info("pyxform failed on %s: %r", label, exc)
        if own:
            return []
        return [FormProblem(label, None, None, None,
                            Message(N_("the form converter could not convert the form: {detail}"),
                                    detail=str(exc)))]
    return []


# ----------------------------------------------------------------------------------------------
# Building and checking
# ----------------------------------------------------------------------------------------------

@lru_cache(maxsize=2048)
def _split_column(header: str) -> tuple[str, str | None]:
    """"label::Vietnamese (vi)" -> ("label", "Vietnamese (vi)"); aliases resolved."""
    header = " ".join(str(header).split())
    base, sep, lang = header.partition("::")
    if base.lower() == "bind" and lang:  # bind::entities:saveto
        base, lang, sep = f"bind::{lang}", "", ""
    base_l = base.strip().lower()
    base_l = _COLUMN_ALIASES.get(base_l, base_l).replace(" ", "_")
    base_l = _COLUMN_ALIASES.get(base_l, base_l)
    return base_l, (lang.strip() or None) if sep else None


class _FormBuilder:
    """Builds a Form from pyxform's raw sheet rows, collecting every problem on the way."""

    def __init__(self, label: str, data: DefinitionData) -> None:
        self.label = label
        self.data = data
        self.problems: list[FormProblem] = []
        self.languages: list[str] = []
        self.default_language = ""
        self.has_untranslated = False
        # (expr, sheet, row, column, owner node or None) for reference checks after the build.
        self.exprs: list[tuple[Any, str, int, str, Node | None]] = []
        self.text_refs: list[tuple[str, str, int, str]] = []

    def problem(self, sheet: str | None, row: int | None, column: str | None,
                message: str | Message, /, **values: Any) -> None:
        """Record a problem; ``message`` is an N_()-marked msgid filled with ``values`` (or a
        ready Message), translated when the problem is shown."""
        if not isinstance(message, Message):
            message = Message(message, **values)
        self.problems.append(FormProblem(self.label, sheet, row, column, message))

    # -- rows ----------------------------------------------------------------------------------
    def rows(self, sheet: str) -> list[tuple[int, dict[str, Any]]]:
        """(Excel row number, {column: value}) for the non-empty rows of ``sheet``."""
        raw = getattr(self.data, sheet, None) or []
        out = []
        for i, row in enumerate(raw):
            if not isinstance(row, dict):
                continue
            clean = {}
            for k, v in row.items():
                if k is None or v is None:
                    continue
                text = nfc(str(v)).strip()
                if text:
                    clean[" ".join(str(k).split())] = text
            if clean:
                out.append((i + 2, clean))
        return out

    def headers(self, sheet: str) -> list[str]:
        header = getattr(self.data, f"{sheet}_header", None) or []
        names: list[str] = []
        for entry in header:
            if isinstance(entry, dict):
                names.extend(str(k) for k in entry if k is not None)
        return names

    # -- the whole build -------------------------------------------------------------------------
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
                base, _lang = _split_column(key)
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
        elif not _NAME_RE.match(settings["form_id"]):
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
                base, lang = _split_column(header)
                if base in _TEXT_COLUMNS:
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

    def texts(self, row: dict[str, str], column: str) -> Texts:
        out: Texts = {}
        for key, value in row.items():
            base, lang = _split_column(key)
            if base == column:
                out[lang or self.default_language] = value
        return out

    def columns(self, row: dict[str, str]) -> dict[str, tuple[str, str]]:
        """{canonical column: (original header, value)} for language-less columns."""
        out: dict[str, tuple[str, str]] = {}
        for key, value in row.items():
            base, lang = _split_column(key)
            if lang is None:
                out[base] = (key, value)
        return out

    # -- expressions ---------------------------------------------------------------------------
    def expr(self, text: str, sheet: str, row: int, column: str, owner: Node | None,
             *, boolean: bool = False) -> Any:
        """Parse an expression column; problems are recorded and None returned on failure."""
        if boolean:
            text = px_aliases.BINDING_CONVERSIONS.get(text, text)
            if text == "false()":
                return None
        try:
            parsed = ex.parse(text)
        except ex.ExprSyntaxError as err:
            self.problem(sheet, row, column, ex.describe_error(err, text))
            return None
        for message in ex.unsupported(parsed):
            self.problem(sheet, row, column, message)
        self.exprs.append((parsed, sheet, row, column, owner))
        return parsed

    def note_text_refs(self, texts: Texts, sheet: str, row: int, column: str) -> None:
        for lang, text in texts.items():
            col = column if lang == self.default_language and len(texts) == 1 else f"{column}::{lang}"
            for name in _TEXT_REF_RE.findall(text):
                self.text_refs.append((name.strip(), sheet, row, col))

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

    # -- survey --------------------------------------------------------------------------------
    def read_survey(self, form_id: str) -> tuple[Group, dict[str, Node]]:
        headers = {_split_column(h)[0] for h in self.headers(SURVEY)}
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
        if not _NAME_RE.match(node.name):
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
        node.source = {k: v for k, (_h, v) in cols.items() if k in _EXPR_COLUMNS
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
            column = _split_column(header)[0]
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
                    or not _NAME_RE.match(f.save_to):
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

    def dependency_order(self, root: Group, nodes: dict[str, Node]) -> list[Node]:
        """Check for cycles among values and relevance; return all nodes in dependency order.

        A node depends on the fields its relevant, calculation, dynamic default and
        repeat_count refer to, and on its enclosing group (whose relevance it inherits).
        """
        deps: dict[str, list[tuple[str, str]]] = {}
        for node in nodes.values():
            edges: list[tuple[str, str]] = []
            for column, e in (("relevant", node.relevant),
                              ("calculation", getattr(node, "calculation", None)),
                              ("default", getattr(node, "default_expr", None)),
                              ("repeat_count", getattr(node, "repeat_count", None))):
                if e is not None:
                    edges.extend((column, n) for n in ex.references(e)
                                 if n in nodes and n != node.name)
            if node.parent is not None and node.parent is not root and node.parent.name in nodes:
                edges.append(("parent", node.parent.name))
            deps[node.name] = edges
        # Iterative DFS with colours; a grey target means a cycle.
        WHITE, GREY, BLACK = 0, 1, 2
        colour = dict.fromkeys(deps, WHITE)
        order: list[str] = []
        reported: set[frozenset[str]] = set()
        for start in deps:
            if colour[start] != WHITE:
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            path: list[str] = [start]
            colour[start] = GREY
            while stack:
                name, i = stack[-1]
                edges = deps[name]
                if i < len(edges):
                    stack[-1] = (name, i + 1)
                    column, target = edges[i]
                    if colour[target] == WHITE:
                        colour[target] = GREY
                        stack.append((target, 0))
                        path.append(target)
                    elif colour[target] == GREY:
                        cycle = path[path.index(target):]
                        key = frozenset(cycle)
                        if key not in reported:
                            reported.add(key)
                            self.report_cycle(cycle, deps, nodes)
                else:
                    stack.pop()
                    path.pop()
                    colour[name] = BLACK
                    order.append(name)
        return [nodes[n] for n in order]

    def report_cycle(self, cycle: list[str], deps: dict[str, list[tuple[str, str]]],
                     nodes: dict[str, Node]) -> None:
        """Report a cycle at the first node whose own expression (not its group) closes it."""
        where: tuple[Node, str] | None = None
        for i, name in enumerate(cycle):
            nxt = cycle[(i + 1) % len(cycle)]
            column = next((c for c, t in deps[name] if t == nxt and c != "parent"), None)
            if column is not None:
                where = (nodes[name], column)
                break
        node, column = where or (nodes[cycle[0]], "relevant")
        header = next((h for h in self.headers(SURVEY) if _split_column(h)[0] == column), column)
        chain = " -> ".join(f"${{{n}}}" for n in cycle[cycle.index(node.name):]
                            + cycle[:cycle.index(node.name)] + [node.name])
        self.problem(SURVEY, node.row, header, N_("circular dependency: {chain}"), chain=chain)
