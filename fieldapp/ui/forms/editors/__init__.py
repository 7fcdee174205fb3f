"""One editor widget per form field: label, hint, input, inline error.

Editors know nothing of the form engine: the view gives them texts and choices, and they emit
``edited(path, value)`` with the raw value typed or picked (the view NFC-normalises it before it
reaches the engine). Values follow the engine's conventions: strings, space-separated codes for
select_multiple, ``YYYY-MM-DD`` for dates, ``None`` to clear.

- :mod:`~fieldapp.ui.forms.editors.base`: :class:`FieldEditor`, notes, the rich text of a label;
- :mod:`~fieldapp.ui.forms.editors.text`: free text and numbers;
- :mod:`~fieldapp.ui.forms.editors.dates`: dates, times, dates with times;
- :mod:`~fieldapp.ui.forms.editors.choices`: radio buttons, check boxes, drop-down, acknowledge;
- :mod:`~fieldapp.ui.forms.editors.search`: long registry lists with a search box;
- :mod:`~fieldapp.ui.forms.editors.geo`: coordinates (geopoint, geotrace, geoshape);
- :mod:`~fieldapp.ui.forms.editors.files`: image, audio, video and file attachments;
- :mod:`~fieldapp.ui.forms.editors.slider`: range; :mod:`~fieldapp.ui.forms.editors.rank`: rank.

:func:`make_editor` picks the editor for a field's type and appearance.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from fieldapp.core.forms.labels import FALLBACK_MARK, UNREVIEWED_MARK, Text
from fieldapp.core.forms.model import ATTACHMENT_TYPES, METADATA_TYPES
from fieldapp.ui.forms.editors.base import (
    ERROR_COLOUR, EnterFilter, FieldEditor, NoteEditor, text_html)
from fieldapp.ui.forms.editors.choices import (
    AcknowledgeEditor, CheckboxesEditor, ComboEditor, RadioEditor)
from fieldapp.ui.forms.editors.dates import (
    DateEditor, DateTimeEditor, TimeEditor, format_date, parse_date)
from fieldapp.ui.forms.editors.files import FileEditor
from fieldapp.ui.forms.editors.geo import GeoListEditor, GeopointEditor
from fieldapp.ui.forms.editors.rank import RankEditor
from fieldapp.ui.forms.editors.search import SearchListEditor
from fieldapp.ui.forms.editors.slider import RangeEditor
from fieldapp.ui.forms.editors.text import NumberEditor, TextEditor

__all__ = [
    "ERROR_COLOUR", "FALLBACK_MARK", "UNREVIEWED_MARK", "AcknowledgeEditor", "CheckboxesEditor",
    "ComboEditor", "DateEditor", "DateTimeEditor", "EnterFilter", "FieldEditor", "FileEditor",
    "GeoListEditor", "GeopointEditor", "NoteEditor", "NumberEditor", "RadioEditor",
    "RangeEditor", "RankEditor", "SearchListEditor", "Text", "TextEditor", "TimeEditor",
    "format_date", "make_editor", "parse_date", "text_html",
]

_LONG_LIST = 12
"""A question choosing from a file (select_one_from_file) with more choices than this gets a
search box."""


def make_editor(path: str, field_type: str, appearance: frozenset[str], from_file: bool,
                parent: QWidget | None = None, *, parameters: dict[str, str] | None = None,
                choice_count: int = 0) -> FieldEditor | None:
    """The editor for a field, or None for fields that are not shown (calculate, hidden,
    metadata). ``choice_count`` is how many choices a question on a shipped file has (a long
    one gets a search box; registry lists always do)."""
    if field_type in ("calculate", "hidden") or field_type in METADATA_TYPES:
        return None
    if field_type == "note":
        return NoteEditor(path, field_type, parent)
    if field_type == "text":
        return TextEditor(path, field_type, "multiline" in appearance, parent)
    if field_type in ("integer", "decimal"):
        return NumberEditor(path, field_type, parent)
    if field_type == "date":
        return DateEditor(path, field_type, parent)
    if field_type == "time":
        return TimeEditor(path, field_type, parent)
    if field_type == "datetime":
        return DateTimeEditor(path, field_type, parent)
    if field_type == "geopoint":
        return GeopointEditor(path, field_type, parent)
    if field_type in ("geotrace", "geoshape"):
        return GeoListEditor(path, field_type, parent)
    if field_type in ATTACHMENT_TYPES:
        return FileEditor(path, field_type, parent)
    if field_type == "range":
        return RangeEditor(path, field_type, parameters or {}, "picker" in appearance, parent)
    if field_type == "rank":
        return RankEditor(path, field_type, parent)
    from_file = from_file and (choice_count == 0 or choice_count > _LONG_LIST)
    if field_type == "select_one":
        if from_file:
            return SearchListEditor(path, field_type, False, parent)
        if "minimal" in appearance:
            return ComboEditor(path, field_type, parent)
        return RadioEditor(path, field_type, parent)
    if field_type == "select_multiple":
        if from_file:
            return SearchListEditor(path, field_type, True, parent)
        return CheckboxesEditor(path, field_type, parent)
    if field_type == "acknowledge":
        return AcknowledgeEditor(path, field_type, parent)
    return TextEditor(path, field_type, False, parent)
