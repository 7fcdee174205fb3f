"""Data files shipped with a form (its "media"): CSV, XML and GeoJSON read into instances.

A form that chooses from ``fruits.csv`` (``select_one_from_file``), looks rows up with
``instance('fruits')/root/item[...]`` or ``pulldata('fruits', ...)``, or declares
``csv-external``/``xml-external``, needs the file beside it. The engine reads no files: the
caller passes a :data:`MediaSource` that returns a file's bytes by name (the services look in
the form's folder). Each file becomes an :class:`~fieldapp.core.xpath.instances.Element` tree
(``root/item/column`` for a table); every problem is a :class:`Message` for the row that
needs the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from fieldapp.core.xpath.errors import Message
from fieldapp.core.xpath.instances import Element, document, from_rows
from fieldapp.i18n.catalog import N_
from fieldapp.i18n.text import nfc

MediaSource = Callable[[str], "bytes | None"]
"""Returns the bytes of a file shipped with the form, by file name; None if there is none."""

MAX_MEDIA_BYTES = 20 * 1024 * 1024
"""Largest data file read (a choice list of 100,000 villages is about 5 MB)."""
MAX_ROWS = 200_000
MAX_XML_DEPTH = 40
DATA_SUFFIXES = (".csv", ".xml", ".geojson")


class MediaProblem(Exception):
    """A data file that cannot be used; ``message`` says why and what to do."""

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.message = message


def no_media(name: str) -> bytes | None:
    return None


def read_data_file(name: str, data: bytes) -> Element:
    """The document tree of data file ``name``; raises MediaProblem."""
    if len(data) > MAX_MEDIA_BYTES:
        raise MediaProblem(Message(N_("the file {file} is too large ({size} MB, at most {limit} "
                                      "MB)"), file=name, size=len(data) // 1024 // 1024,
                                   limit=MAX_MEDIA_BYTES // 1024 // 1024))
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return from_rows(read_csv(name, data))
    if lowered.endswith(".xml"):
        return read_xml(name, data)
    if lowered.endswith(".geojson"):
        return read_geojson(name, data)
    raise MediaProblem(Message(N_("{file} is not a data file (expected {suffixes})"),
                               file=name, suffixes=", ".join(DATA_SUFFIXES)))


def _text(name: str, data: bytes) -> str:
    try:
        return nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise MediaProblem(Message(
            N_("{file} is not UTF-8 text (byte {position}): save it as \"CSV UTF-8\" or UTF-8"),
            file=name, position=exc.start + 1)) from None


def read_csv(name: str, data: bytes) -> list[dict[str, str]]:
    """Rows of a CSV file as {column: value}; the first row names the columns."""
    text = _text(name, data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise MediaProblem(Message(N_("{file} is empty: its first row must name the "
                                          "columns"), file=name))
        columns = [" ".join(h.split()) for h in header]
        seen: set[str] = set()
        for column in columns:
            if column and column in seen:
                raise MediaProblem(Message(N_("{file} has the column '{column}' twice"),
                                           file=name, column=column))
            seen.add(column)
        rows = []
        for line, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise MediaProblem(Message(N_("{file} has more than {count} rows"), file=name,
                                           count=MAX_ROWS))
            rows.append({c: v.strip() for c, v in zip(columns, values) if c})
    except csv.Error as exc:
        raise MediaProblem(Message(N_("{file} is not a valid CSV file: {detail}"), file=name,
                                   detail=str(exc))) from None
    return rows


def read_xml(name: str, data: bytes) -> Element:
    import defusedxml.ElementTree as safe_xml
    from defusedxml import DefusedXmlException
    from xml.etree.ElementTree import ParseError

    try:
        root = safe_xml.fromstring(data)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MediaProblem(Message(N_("{file} is not valid XML: {detail}"), file=name,
                                   detail=str(exc))) from None

    def convert(node, depth: int) -> Element:
        if depth > MAX_XML_DEPTH:
            raise MediaProblem(Message(N_("{file} is nested more than {depth} levels deep"),
                                       file=name, depth=MAX_XML_DEPTH))
        tag = node.tag.rsplit("}", 1)[-1]
        out = Element(tag, nfc((node.text or "").strip()),
                      {k.rsplit("}", 1)[-1]: nfc(v) for k, v in node.attrib.items()})
        for child in node:
            out.append(convert(child, depth + 1))
        return out

    return document(convert(root, 0))


def read_geojson(name: str, data: bytes) -> Element:
    """A GeoJSON FeatureCollection as root/item with the properties as columns and the
    geometry as ODK writes it ("lat lon 0 0; ...")."""
    try:
        doc = json.loads(_text(name, data))
        features = doc["features"]
        rows = []
        for i, feature in enumerate(features):
            props = {str(k): "" if v is None else str(v)
                     for k, v in (feature.get("properties") or {}).items()}
            geometry = feature.get("geometry") or {}
            coords = geometry.get("coordinates")
            if geometry.get("type") == "Point":
                coords = [coords]
            elif geometry.get("type") == "Polygon":
                coords = coords[0]
            props["geometry"] = "; ".join(f"{c[1]} {c[0]} 0 0" for c in coords or [])
            if "id" in feature and "id" not in props:
                props["id"] = str(feature["id"])
            props.setdefault("name", props.get("id", str(i + 1)))
            props.setdefault("label", props.get("title", props["name"]))
            rows.append(props)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise MediaProblem(Message(N_("{file} is not a GeoJSON feature collection: {detail}"),
                                   file=name, detail=repr(exc))) from None
    return from_rows(rows)


def items(doc: Element) -> list[Element]:
    """The items of a table-like instance: the children of its root element."""
    return doc.children[0].children if doc.children else []
