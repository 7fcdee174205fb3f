"""Question types as XLSForm spells them, resolved to the engine's types.

The XLSForm tool chain accepts many spellings of one type ("photo", "q image", "add image
prompt"; "gps", "location"; "get start time"...). Rather than keep a list of our own, the
spelling is looked up in pyxform's own type table and classified by what the XForm would do
with it (its control, data type and preload), so every alias pyxform converts is understood.
What a desktop app deliberately does not offer is refused with the feature's name.
"""

from __future__ import annotations

from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from fieldapp.i18n.catalog import N_

_BY_LOWER = {k.lower(): v for k, v in QUESTION_TYPE_DICT.items()}

_OWN = {
    "text": "text", "string": "text", "integer": "integer", "int": "integer",
    "decimal": "decimal", "date": "date", "note": "note", "calculate": "calculate",
    "acknowledge": "acknowledge", "trigger": "acknowledge", "hidden": "hidden",
    "time": "time", "datetime": "datetime", "barcode": "barcode", "range": "range",
    "geopoint": "geopoint", "geotrace": "geotrace", "geoshape": "geoshape",
    "image": "image", "photo": "image", "audio": "audio", "video": "video", "file": "file",
    "start": "start", "end": "end", "today": "today", "audit": "audit",
    "start-geopoint": "start-geopoint", "background-geopoint": "background-geopoint",
    "background-audio": "background-audio",
}
_BIND_TYPES = {"int": "integer", "decimal": "decimal", "date": "date", "dateTime": "datetime",
               "time": "time", "geopoint": "geopoint", "geotrace": "geotrace",
               "geoshape": "geoshape", "barcode": "barcode", "string": "text"}
_PROPERTIES = {"deviceid", "simserial", "subscriberid", "phonenumber", "username", "email"}

# Features refused on purpose, each with what to do instead (type -> msgid of the reason).
REFUSED = {
    "osm": N_("OpenStreetMap questions (osm) need the ODK Collect map editor, which this "
              "desktop app does not have: use geopoint or geoshape questions instead"),
    "loop": N_("'begin loop' needs 'over' and a choice list, as in 'begin loop over "
               "transport_types'"),
    "include": N_("'include' (a question list from another file) is not supported: copy the "
                  "questions into this workbook"),
    "cascading select": N_("the old 'cascading select' type is not supported: use selects "
                           "with a choice_filter"),
}
EXTERNAL_INSTANCE_TYPES = ("xml-external", "csv-external")
"""Rows that attach a data file for ``instance('name')`` (the row's name, plus .xml/.csv)."""


def canonical_type(type_text: str) -> str | None:
    """The engine's type for an XLSForm type spelling (not a select, group or repeat), the
    key of :data:`REFUSED` for a refused feature, an external-instance type, or None when
    XLSForm does not know the spelling at all."""
    lowered = " ".join(type_text.split()).lower()
    if lowered in _OWN:
        return _OWN[lowered]
    if lowered in EXTERNAL_INSTANCE_TYPES:
        return lowered
    if lowered.split()[0] == "osm":
        return "osm"
    if lowered.startswith(("begin loop", "end loop")):
        return "loop"
    if lowered.split()[0] in ("include", "cascading") or lowered.startswith("cascading"):
        return "include" if lowered.startswith("include") else "cascading select"
    spec = _BY_LOWER.get(lowered)
    if spec is None:
        return None
    control = spec.get("control") or {}
    bind = spec.get("bind") or {}
    tag, data_type = control.get("tag"), bind.get("type")
    preload, params = bind.get("jr:preload"), bind.get("jr:preloadParams", "")
    if lowered in REFUSED:
        return lowered
    if preload == "timestamp":
        return "start" if params == "start" else "end"
    if preload == "date":
        return "today"
    if preload == "property":
        prop = params.removeprefix("uri:")
        return prop if prop in _PROPERTIES else None
    if tag == "upload":
        media = control.get("mediatype", "")
        if media.startswith("image"):
            return "image"
        if media.startswith("audio"):
            return "audio"
        if media.startswith("video"):
            return "video"
        return "file"
    if tag == "trigger" and data_type != "geopoint":
        return "acknowledge"
    if tag == "range":
        return "range"
    if tag == "action" and data_type == "geopoint":
        return "start-geopoint"
    if data_type == "geopoint" and tag == "trigger":
        return "background-geopoint"
    if tag is None and data_type in ("string", None):
        return "hidden" if lowered == "hidden" else "calculate"
    if tag == "input":
        if "note" in lowered:
            return "note"
        return _BIND_TYPES.get(data_type)
    return None
