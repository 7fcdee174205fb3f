"""Checks of an .xlsx workbook before and beside pyxform's reader: zip bombs and formulas.

An .xlsx is a zip: :func:`check_workbook` refuses one that unpacks to far more than a form
(counting each entry and the total, not the compressed bytes) or whose sheets span absurdly
many cells, before openpyxl parses it. pyxform reads cached values only, so a spreadsheet
formula typed where an expression belongs (``=IF(...)`` in ``relevant``) would vanish
silently: :func:`formula_problems` names each such cell.
"""

from __future__ import annotations

import re
from io import BytesIO

from fieldapp.core.forms.problems import FormProblem, Message, file_problem
from fieldapp.core.forms.sheets import EXPR_COLUMNS, split_column
from fieldapp.i18n.catalog import N_

# The limits count what an .xlsx unpacks to, each entry and in all, and the cells a sheet spans
# (rows times columns: a reader may pad rows up to the last column). A large real form (2,000
# rows, 10,000 choices) unpacks to about 5 MB and spans about 300,000 cells.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_ENTRY_BYTES = 25 * 1024 * 1024
MAX_ENTRIES = 1000
MAX_SHEET_CELLS = 2_000_000
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f[ >/]")
_CELL_REF_RE = re.compile(rb'<(?:\w+:)?(?:row|c)\b[^>]*?\br="([A-Z]*)([0-9]+)"')


def check_workbook(data: bytes, label: str) -> bool:
    """Refuse a zip bomb before any reader opens it: what the workbook unpacks to (each entry
    and in all, from the zip's directory, which the zip reader then holds each entry to) and
    the cells its sheets span (from a quick scan of the sheets' cell references). Returns
    True when a sheet holds spreadsheet formulas (see :func:`formula_problems`)."""
    import zipfile

    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return False  # not a zip: the reader says so in its words
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise file_problem(label, N_("the workbook holds {count} parts (at most {limit}): it "
                                         "is not a form"), count=len(entries), limit=MAX_ENTRIES)
        total = 0
        for entry in entries:
            total += entry.file_size
            if entry.file_size > MAX_ENTRY_BYTES or total > MAX_UNPACKED_BYTES:
                raise file_problem(
                    label, N_("the workbook unpacks to more than {limit} MB (part {part}: {size} "
                              "MB): it is too large for a form"),
                    limit=(MAX_ENTRY_BYTES if entry.file_size > MAX_ENTRY_BYTES
                           else MAX_UNPACKED_BYTES) // 1024 // 1024,
                    part=entry.filename, size=entry.file_size // 1024 // 1024)
        formulas = False
        for entry in entries:
            if entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml"):
                try:
                    xml = archive.read(entry)
                    rows, columns = _sheet_extent(xml)
                    formulas = formulas or _FORMULA_RE.search(xml) is not None
                except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                    return False  # damaged: the reader reports it
                if rows * max(columns, 1) > MAX_SHEET_CELLS:
                    raise file_problem(
                        label, N_("a sheet of the workbook reaches row {rows} and column "
                                  "{columns}: it is too large for a form (at most {limit} "
                                  "cells); delete the rows and columns after the form's last "
                                  "cell"), rows=rows, columns=columns, limit=MAX_SHEET_CELLS)
    return formulas


def _sheet_extent(xml: bytes) -> tuple[int, int]:
    """(last row number, last column number) referenced by a sheet's rows and cells."""
    rows = columns = 0
    for match in _CELL_REF_RE.finditer(xml):
        letters, number = match.group(1), int(match.group(2))
        rows = max(rows, number)
        if letters:
            col = 0
            for ch in letters[:4]:
                col = col * 26 + ch - 64
            columns = max(columns, col)
    return rows, columns


_FORMULA_SHEETS = ("survey", "choices", "settings", "entities")
_FORMULA_COLUMNS = frozenset(EXPR_COLUMNS) | {"type", "name", "default", "list_name",
                                              "form_id", "version"}


def formula_problems(label: str, data: bytes) -> list[FormProblem]:
    """Cells holding a spreadsheet formula in a column the form engine reads as an
    expression, a type or a name (pyxform would see only the formula's last result)."""
    import openpyxl

    problems: list[FormProblem] = []
    try:
        wb = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - the reader reports a damaged workbook itself
        return []
    try:
        for ws in wb.worksheets:
            if ws.title.strip().lower() not in _FORMULA_SHEETS:
                continue
            headers: list[str] = []
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if r == 1:
                    headers = ["" if v is None else " ".join(str(v).split()) for v in row]
                    continue
                for header, value in zip(headers, row):
                    if isinstance(value, str) and value.startswith("=") and header and \
                            split_column(header)[0] in _FORMULA_COLUMNS:
                        problems.append(FormProblem(label, ws.title.strip().lower(), r, header, Message(
                            N_("the cell holds a spreadsheet formula ({formula}), which XLSForm "
                               "tools read as its last result only: type the expression as "
                               "text, without the leading '='"), formula=value[:60])))
    except Exception:  # noqa: BLE001 - a damaged sheet: the reader's verdict stands
        return []
    finally:
        wb.close()
    return problems
