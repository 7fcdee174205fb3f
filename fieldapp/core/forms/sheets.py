"""The XLSForm sheets as the builder reads them: sheet and column names, and :class:`SheetReader`.

Column headers are canonicalised by :func:`split_column` ("label::Vietnamese (vi)" -> ("label",
"Vietnamese (vi)"), aliases such as "relevance" resolved). :class:`SheetReader` is the common
part of the form builder: the raw rows of each sheet, texts and columns of a row, expressions
parsed with their location, and every problem found, so all of them are reported at once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pyxform import aliases as px_aliases
from pyxform.xls2json_backends import DefinitionData

from fieldapp.core.forms import expressions as ex
from fieldapp.core.forms.model import TEXT_REF_RE, Node, Texts
from fieldapp.core.forms.problems import FormProblem, Message
from fieldapp.i18n.text import nfc

SURVEY, CHOICES, SETTINGS, ENTITIES = "survey", "choices", "settings", "entities"

# Header spellings accepted by XLSForm tools, mapped to the column names used here.
_COLUMN_ALIASES = {
    "relevance": "relevant", "calculate": "calculation", "readonly": "read_only",
    "constraining_message": "constraint_message", "jr:constraintmsg": "constraint_message",
    "requiredmsg": "required_message", "jr:requiredmsg": "required_message",
    "count": "repeat_count", "jr:count": "repeat_count", "caption": "label",
    "bind::entities:saveto": "save_to", "value": "name",
}
TEXT_COLUMNS = ("label", "hint", "constraint_message", "required_message")
_LANGUAGE_COLUMNS = frozenset(TEXT_COLUMNS) | {"image", "audio", "video", "big-image",
                                               "guidance_hint", "media"}
KNOWN_COLUMNS = frozenset({
    "type", "name", "label", "hint", "guidance_hint", "relevant", "required", "constraint",
    "calculation", "read_only", "choice_filter", "repeat_count", "default", "appearance",
    "parameters", "save_to", "list_name", "constraint_message", "required_message", "image",
    "audio", "video", "big-image", "media", "trigger", "entity_id", "create_if", "update_if",
    "dataset", "form_id", "id_string", "set_form_id", "form_title", "set_form_title", "title",
    "version", "default_language", "allow_choice_duplicates", "instance_name", "style",
    "public_key", "submission_url", "auto_send", "auto_delete", "namespaces",
    "clean_text_values", "body::accuracythreshold", "body::intent", "note", "flat", "tag",
    "autoplay", "choice_name", "order", "value", "caption", "count", "calculate", "relevance",
    "readonly", "requiredmsg", "constraining_message", "bind::entities:saveto",
    "jr:constraintmsg", "jr:requiredmsg", "jr:count", "command", "prefix", "sms_keyword",
    "sms_field", "sms_separator", "sms_allow_media", "sms_date_format", "sms_datetime_format",
    "sms_response", "compact_tag", "compact_delimiter", "sms_option", "instance_id"})
EXPR_COLUMNS = ("relevant", "required", "constraint", "calculation", "read_only",
                "choice_filter", "repeat_count")
_CONVERTIBLE = frozenset({"relevant", "required", "constraint", "calculation", "read_only"})
"""Columns whose whole value yes/no/TRUE/FALSE pyxform converts (its CONVERTIBLE_BIND_ATTRIBUTES)."""
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


_TAG_RE = re.compile(r"</?(?:span|font|b|i|u|strong|em|p|div|small|big|sub|sup|h[1-6])\b[^<>]*>",
                     re.IGNORECASE)
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_LINK_RE = re.compile(r"\[([^\]\n]+)\]\((?:https?://|mailto:)[^)\s]*\)")
_HEADING_RE = re.compile(r"^#{1,6}\s+", re.MULTILINE)


_BIND_PREFIX_RE = re.compile(r"^(?:bind|control|body)::?(?=\S)", re.IGNORECASE)


def plain_text(text: str) -> str:
    """A label as plain text: the HTML spans and Markdown emphasis ODK Collect renders
    (``<span style="color:red">``, ``**bold**``, ``*em*``, ``# heading``, ``[text](url)``)
    are taken out, so they neither show as code nor get interpreted (form text is data)."""
    if "<" not in text and "*" not in text and "_" not in text and "#" not in text \
            and "[" not in text:
        return text
    text = _BR_RE.sub("\n", text)
    text = _TAG_RE.sub("", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _STRONG_RE.sub(r"\2", text)
    text = _EM_RE.sub(r"\1", text)
    text = _HEADING_RE.sub("", text)
    return text.strip()


@lru_cache(maxsize=2048)
def split_column(header: str) -> tuple[str, str | None]:
    """"label::Vietnamese (vi)" -> ("label", "Vietnamese (vi)"); aliases resolved."""
    header = " ".join(str(header).split())
    prefix = _BIND_PREFIX_RE.match(header)
    if prefix and not header.lower().endswith("entities:saveto"):
        header = header[prefix.end():]  # "bind:relevant", "control::appearance" (old XLSForm)
    if "::" not in header and ":" in header:
        # The older single-colon language columns ("label:English"), as pyxform reads them.
        first, _colon, rest = header.partition(":")
        if first.strip().lower() in _LANGUAGE_COLUMNS and rest.strip():
            header = f"{first}::{rest}"
    base, sep, lang = header.partition("::")
    if base.lower() == "bind" and lang:  # bind::entities:saveto
        base, lang, sep = f"bind::{lang}", "", ""
    base_l = base.strip().lower()
    base_l = _COLUMN_ALIASES.get(base_l, base_l).replace(" ", "_")
    base_l = _COLUMN_ALIASES.get(base_l, base_l)
    if base_l not in KNOWN_COLUMNS and not sep:
        # A column of the form's own (a choice_filter key such as "YES_NO") keeps its
        # spelling, as pyxform keeps it, so expressions that name it still find it.
        return base.strip(), None
    return base_l, (lang.strip() or None) if sep else None


class SheetReader:
    """Rows, texts and expressions of a workbook's sheets, collecting every problem on the way."""

    def __init__(self, label: str, data: DefinitionData) -> None:
        self.label = label
        self.data = data
        self.problems: list[FormProblem] = []
        # What loads but will not work as the author meant, or not in ODK Collect.
        self.warnings: list[FormProblem] = []
        self.languages: list[str] = []
        self.default_language = ""
        self.has_untranslated = False
        # (expr, sheet, row, column, owner node or None) for reference checks after the build.
        self.exprs: list[tuple[Any, str, int, str, Node | None]] = []
        self.text_refs: list[tuple[str, str, int, str]] = []
        # Names used by questions in two groups (their second use was renamed).
        self.duplicated: set[str] = set()
        # Data files the form needs: {file name: (sheet, row, column) of the first use}.
        self.needed_files: dict[str, tuple[str, int, str]] = {}
        # csv-external/xml-external declarations: {instance id: file name}.
        self.external_instances: dict[str, str] = {}
        # Lists of select_one_external questions (their choices are on external_choices).
        self.external_lists: set[str] = set()

    def problem(self, sheet: str | None, row: int | None, column: str | None,
                message: str | Message, /, **values: Any) -> None:
        """Record a problem; ``message`` is an N_()-marked msgid filled with ``values`` (or a
        ready Message), translated when the problem is shown."""
        if not isinstance(message, Message):
            message = Message(message, **values)
        self.problems.append(FormProblem(self.label, sheet, row, column, message))

    def warning(self, sheet: str | None, row: int | None, column: str | None,
                message: str | Message, /, **values: Any) -> None:
        """Record a warning: the form loads, and the form check lists it."""
        if not isinstance(message, Message):
            message = Message(message, **values)
        self.warnings.append(FormProblem(self.label, sheet, row, column, message))

    # -- rows ----------------------------------------------------------------------------------
    def rows(self, sheet: str) -> list[tuple[int, dict[str, Any]]]:
        """(Excel row number, {column: value}) for the non-empty rows of ``sheet``, NFC
        normalised; expressions are normalised by the parser, which keeps a text literal's
        spelling for regex() (normalising a pattern changes its character ranges)."""
        raw = getattr(self.data, sheet, None) or []
        out = []
        for i, row in enumerate(raw):
            if not isinstance(row, dict):
                continue
            clean = {}
            for k, v in row.items():
                if k is None or v is None:
                    continue
                text = str(v) if split_column(str(k))[0] in EXPR_COLUMNS else nfc(str(v))
                text = text.strip()
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

    # -- texts and columns of a row ------------------------------------------------------------
    def texts(self, row: dict[str, str], column: str) -> Texts:
        out: Texts = {}
        for key, value in row.items():
            base, lang = split_column(key)
            if base == column:
                out[lang or self.default_language] = plain_text(value)
        return out

    def columns(self, row: dict[str, str]) -> dict[str, tuple[str, str]]:
        """{canonical column: (original header, value)} for language-less columns."""
        out: dict[str, tuple[str, str]] = {}
        for key, value in row.items():
            base, lang = split_column(key)
            if lang is None:
                out[base] = (key, value)
        return out

    # -- expressions ---------------------------------------------------------------------------
    def expr(self, text: str, sheet: str, row: int, column: str, owner: Node | None,
             *, boolean: bool = False) -> Any:
        """Parse an expression column; problems are recorded and None returned on failure."""
        if boolean or split_column(column)[0] in _CONVERTIBLE:
            # pyxform writes a whole yes/no/TRUE/FALSE value of these columns as true()/false().
            text = px_aliases.BINDING_CONVERSIONS.get(text, text)
        if boolean and text == "false()":
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
            for name in TEXT_REF_RE.findall(text):
                self.text_refs.append((name.strip(), sheet, row, col))
