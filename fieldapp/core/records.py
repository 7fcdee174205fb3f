"""How a synced record's columns map to change-log fields (the kinds themselves are declared in
fieldapp.core.kinds).

Every synced record is a set of *fields*, each with its own history in the change log
(fieldapp.core.changes). Most fields are columns. Two kinds of columns hold several fields:

- a *map* column (``properties``) is a JSON object; each key is its own field,
  ``properties.smartphone``, so two laptops that change different properties both keep theirs;
- the *tree* column of submissions (``answers``) holds the answers of a form; each answer is its
  own field addressed by its question path with repeat-row keys
  (``answers/roster@<row key>/member_name``), and each repeat row has an existence field
  (``answers/roster@<row key>``) whose value is the row's position (None once removed).

Columns not listed here (search keys, sort keys, device_id, created_at, updated_at, rev,
deleted) are derived from the fields and their stamps, never logged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

ROW_KEY = "@key"
# The JSON text of map and answers columns (json.dumps with these options; one encoder made
# once, since an import writes hundreds of thousands).
_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
"""The key of a repeat row inside stored answers (not a valid XML name, so never a question)."""
ANSWERS = "answers"
TOMBSTONE_FIELDS = ("deleted", "deleted_reason")


@dataclass(frozen=True)
class RecordType:
    table: str
    columns: tuple[str, ...]
    """Plain columns, each one field (JSON lists are stored as their JSON text)."""
    maps: tuple[str, ...] = ()
    """JSON-object columns, one field per key (``column.key``)."""
    tree: str | None = None
    """The answers column of submissions, one field per answer (``answers/path``)."""
    json_columns: tuple[str, ...] = ()
    """Plain columns whose value is JSON (lists, small objects) kept as one field."""
    automatic: tuple[str, ...] = ()
    """Fields the app sets itself (a time of finalizing, of the last verification): when two
    laptops set them differently the newest wins silently, with no conflict to review."""
    append_only: bool = False
    """Records written once and never changed (the audit log, erasures): the writer refuses
    an edit, a deletion, and a received change that replaces a value."""

    def fields_of(self, row: dict[str, Any]) -> dict[str, Any]:
        """The fields of a (partial) row: {field name: value}, None for an absent value.

        A map or tree column given in ``row`` stands for its whole content: its keys that are
        not in it are not returned here (see :func:`changed_fields` for clearing them).
        """
        out: dict[str, Any] = {}
        for column, value in row.items():
            if column in self.maps:
                for key, item in _as_object(value).items():
                    out[f"{column}.{key}"] = _scalar(item)
            elif column == self.tree:
                out.update(flatten_answers(_as_object(value)))
            elif column in self.columns or column in TOMBSTONE_FIELDS:
                if column in self.json_columns and value is not None \
                        and not isinstance(value, str):
                    value = _json(value)
                out[column] = value
            else:
                raise KeyError(f"{self.table} has no column {column!r}")
        return out

    def new_record(self, values: dict[str, Any], clean: Callable[[Any], Any]
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The fields and the columns of a new record in one pass (the writer's fast path):
        ({field: value} without empty values, {column: value} as :meth:`assemble` gives)."""
        fields: dict[str, Any] = {}
        row: dict[str, Any] = {c: None for c in self.columns}
        for column, value in values.items():
            if column in self.maps:
                content = {}
                for key, item in _as_object(value).items():
                    item = clean(_scalar(item))
                    if item is not None:
                        fields[f"{column}.{key}"] = content[key] = item
                row[column] = _json(content)
            elif column == self.tree:
                tree = {k: clean(v) for k, v in flatten_answers(_as_object(value)).items()}
                fields.update((k, v) for k, v in tree.items() if v is not None)
                row[column] = _json(build_answers(fields_with(fields, ANSWERS)))
            elif column in self.columns or column in TOMBSTONE_FIELDS:
                if column in self.json_columns and value is not None \
                        and not isinstance(value, str):
                    value = _json(value)
                value = clean(value)
                row[column] = value
                if value is not None:
                    fields[column] = value
            else:
                raise KeyError(f"{self.table} has no column {column!r}")
        for column in self.maps:
            row.setdefault(column, None)
            if row[column] is None:
                row[column] = "{}"
        if self.tree and row.get(self.tree) is None:
            row[self.tree] = "{}"
        return fields, row

    def owner_column(self, field: str) -> str:
        """The column a field belongs to."""
        if field.startswith(ANSWERS + "/"):
            return ANSWERS
        head = field.split(".", 1)[0]
        return head if head in self.maps else field

    def assemble(self, winners: dict[str, Any], template: dict[str, Any] | None = None
                 ) -> dict[str, Any]:
        """Columns from the winning value of each field (absent map/tree keys left out).

        ``template``: {column: None} to start from (a writer's, with its table's other
        columns too, copied here). One pass over the fields: the plain ones go in with one
        dict update when no map or tree key is among them, the answers are gathered for one
        pass of :func:`_tree_of` (an import assembles a hundred thousand records)."""
        row = dict.fromkeys(self.columns) if template is None else template.copy()
        if not self.maps and not self.tree:
            row.update(winners)  # every field is a column of its own here
            return row
        if not self.tree and winners.keys() <= row.keys():
            row.update(winners)  # no map key among them: every map is empty
            for column in self.maps:
                row[column] = "{}"
            return row
        maps: dict[str, dict[str, Any]] = {m: {} for m in self.maps}
        answers: list[tuple[str, Any]] = []
        prefix = ANSWERS + "/"
        start = len(prefix)
        tree = self.tree
        for field, value in winners.items():
            if tree and field.startswith(prefix):
                answers.append((field[start:], value))
            elif field in row:
                row[field] = value
            else:
                owner = self.owner_column(field)
                if owner in maps:
                    if value is not None:
                        maps[owner][field[len(owner) + 1:]] = value
                else:
                    row[field] = value
        for column, content in maps.items():
            row[column] = _json(content)
        if tree:
            row[tree] = _json(_tree_of(answers))
        return row


def fields_with(fields: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The fields under ``prefix/``."""
    start = prefix + "/"
    return {k: v for k, v in fields.items() if k.startswith(start)}


def _as_object(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object, got {type(value).__name__}")
    return value


def _scalar(value: Any) -> Any:
    """A map entry as stored: None for empty, JSON text for a nested structure."""
    if value is None or value == "":
        return None
    if isinstance(value, (list, dict)):
        return _json(value)
    return value


# -- answers: tree <-> fields ---------------------------------------------------------------

def flatten_answers(tree: dict[str, Any], prefix: str = ANSWERS) -> dict[str, Any]:
    """Answers as fields: ``answers/q`` for values, ``answers/rep@key`` (position) for rows.

    Every repeat row must carry its key (:data:`ROW_KEY`); the row's position is its index.
    Empty values are left out (an absent field is an empty answer).
    """
    out: dict[str, Any] = {}
    for name, value in tree.items():
        if name == ROW_KEY:
            continue
        if isinstance(value, list):
            for position, row in enumerate(value):
                if not isinstance(row, dict) or not row.get(ROW_KEY):
                    raise ValueError(f"a row of {name!r} has no key")
                row_path = f"{prefix}/{name}@{row[ROW_KEY]}"
                out[row_path] = position
                out.update(flatten_answers(row, row_path))
        elif value is not None and value != "":
            out[f"{prefix}/{name}"] = value
    return out


def build_answers(fields: dict[str, Any]) -> dict[str, Any]:
    """The answers tree from ``answers/...`` fields (inverse of :func:`flatten_answers`).

    Rows are ordered by position, then key (two laptops that each appended a row at the same
    position keep both, in the same order everywhere). A removed row (position None) is left
    out with everything in it; so are fields of rows that do not exist. One pass sorts the
    fields into rows and values (every survey an import receives goes through here).
    """
    start = len(ANSWERS) + 1
    return _tree_of([(path[start:], value) for path, value in fields.items()])


def _tree_of(answers: list[tuple[str, Any]]) -> dict[str, Any]:
    """The answers tree from (path under ``answers/``, value) pairs, sorted into rows and
    values in one pass."""
    values: list[tuple[str, str, Any]] = []
    row_fields: list[tuple[int, str, str, str, Any]] = []
    for rel, value in answers:
        parent, _, name = rel.rpartition("/")
        if "@" in name:
            row_fields.append((rel.count("/"), rel, parent, name, value))
        elif value is not None and value != "":
            values.append((parent, name, value))
    return _answers_tree(values, row_fields)


def _answers_tree(values: list[tuple[str, str, Any]],
                  row_fields: list[tuple[int, str, str, str, Any]]) -> dict[str, Any]:
    """The tree from the answers sorted by :func:`_tree_of`: (parent row, name, value)
    of each value, (depth, path, parent row, name@key, position) of each repeat row."""
    root: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {"": root}
    if row_fields:
        # Shallowest first, so that a row's parent row is known before the row.
        row_fields.sort(key=itemgetter(0))
        children: dict[str, list[tuple[float, str, str]]] = {}
        for _depth, rel, parent, name, value in row_fields:
            if value is None or parent not in rows:
                continue
            key = name.split("@", 1)[1]
            rows[rel] = {ROW_KEY: key}
            children.setdefault(parent, []).append((_position(value), key, rel))
        for parent, items in children.items():
            for _pos, _key, rel in sorted(items):
                name = rel.rpartition("/")[2].split("@", 1)[0]
                rows[parent].setdefault(name, []).append(rows[rel])
    for parent, name, value in values:
        target = rows.get(parent)
        if target is not None:
            target[name] = value
    return root


def _position(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("inf")


def is_known_field(rtype: RecordType, field: str) -> bool:
    """Whether ``field`` can belong to a record of ``rtype`` (the writer refuses others)."""
    if field.startswith(ANSWERS + "/"):
        return rtype.tree == ANSWERS and is_answer_path(field)
    if field in rtype.columns or field in TOMBSTONE_FIELDS:
        return True
    head, _, key = field.partition(".")
    return head in rtype.maps and bool(key)


def is_answer_path(field: str) -> bool:
    """Whether ``field`` is an answer's path as :func:`flatten_answers` makes them: question
    names (XML names) and ``name@key`` rows, none empty, none ``.`` or ``..``, no control
    character. Another laptop's ``answers/../x`` or ``answers//x`` would otherwise be kept in
    the log and either vanish from the answers or stand for ``answers/x`` (a second field for
    one answer, whichever comes last winning: not the same on every laptop)."""
    segments = field.split("/")
    if segments[0] != ANSWERS or len(segments) < 2 or not field.isprintable():
        return False
    for segment in segments[1:]:
        if segment in ("", ".", ".."):
            return False
        name, at, key = segment.partition("@")
        if at and (not name or not key):
            return False
    return True
