"""Checks of an .xlsx workbook before and beside pyxform's reader: zip bombs and formulas.

An .xlsx is a zip: :func:`check_workbook` refuses one that unpacks to far more than a form
(counting each entry and the total, not the compressed bytes) or whose sheets span absurdly
many cells, before openpyxl parses it. pyxform reads a formula's cached result, so a
spreadsheet formula typed where an expression belongs (``=IF(...)`` in ``relevant``) whose
workbook holds no result (one written by a program, not saved by Excel) would vanish
silently: :func:`formula_problems` names each such cell.
"""

from __future__ import annotations

import re
from io import BytesIO

from fieldapp.core.forms.problems import FormProblem, Message, file_problem
from fieldapp.core.forms.sheets import EXPR_COLUMNS, split_column
from fieldapp.i18n.catalog import N_

# The limits count what an .xlsx unpacks to, each entry and in all (a sheet of 25 MB holds
# over a million cells). A large real form (2,000 rows, 10,000 choices) unpacks to about 5 MB.
MAX_UNPACKED_BYTES = 40 * 1024 * 1024
MAX_ENTRY_BYTES = 25 * 1024 * 1024
MAX_ENTRIES = 1000
# A cell with a formula and no stored result (an empty or missing <v>): a workbook a program
# wrote, never recalculated by a spreadsheet.
_FORMULA_RE = re.compile(rb"<(?:\w+:)?c\b[^>]*>\s*<(?:\w+:)?f\b[^>]*(?:/>|>[^<]*</(?:\w+:)?f>)"
                         rb"\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*"
                         rb"</(?:\w+:)?c>")
_ROW_RE = re.compile(rb"<(?:\w+:)?row\b[^>]*?(?:/>|>.*?</(?:\w+:)?row>)", re.DOTALL)
_VALUE_RE = re.compile(rb"<(?:\w+:)?(?:v|is|f)\b")
_END_RE = re.compile(rb"</(?:\w+:)?sheetData>")
_ROW_NUMBER_RE = re.compile(rb'\br="([0-9]+)"')
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
TRIM_AFTER = 1000
MAX_SHEET_ROWS = 200_000
"""The last row a sheet may hold a value in (a country's villages as choices fit)."""
"""Empty rows reaching this far past the last value are dropped before reading."""


def check_workbook(data: bytes, label: str) -> bool:
    """Refuse a zip bomb before any reader opens it: what the workbook unpacks to (each entry
    and in all, from the zip's directory, which the zip reader then holds each entry to).
    Returns True when a sheet holds a formula without a result (see
    :func:`formula_problems`)."""
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
                    formulas = formulas or _FORMULA_RE.search(xml) is not None
                except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                    return False  # damaged: the reader reports it
    return formulas


_FORMULA_SHEETS = ("survey", "choices", "settings", "entities")
_FORMULA_COLUMNS = frozenset(EXPR_COLUMNS) | {"type", "name", "default", "list_name",
                                              "form_id", "version"}


def formula_problems(label: str, data: bytes) -> list[FormProblem]:
    """Cells holding a spreadsheet formula without a stored result, in a column the form
    engine reads as an expression, a type or a name (pyxform would see an empty cell). A
    formula with a result (a workbook Excel saved) counts as that result, as in pyxform."""
    import openpyxl

    problems: list[FormProblem] = []
    try:
        wb = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=False)
        cached = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - the reader reports a damaged workbook itself
        return []
    try:
        for ws in wb.worksheets:
            if ws.title.strip().lower() not in _FORMULA_SHEETS:
                continue
            headers: list[str] = []
            results = cached[ws.title].iter_rows(values_only=True)
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                result = next(results, ())
                if r == 1:
                    headers = ["" if v is None else " ".join(str(v).split()) for v in row]
                    continue
                for header, value, shown in zip(headers, row, [*result, *[None] * len(row)]):
                    if isinstance(value, str) and value.startswith("=") and header and \
                            shown in (None, "") and \
                            split_column(header)[0] in _FORMULA_COLUMNS:
                        problems.append(FormProblem(label, ws.title.strip().lower(), r, header, Message(
                            N_("the cell holds a spreadsheet formula ({formula}), which XLSForm "
                               "tools read as its last result only: type the expression as "
                               "text, without the leading '='"), formula=value[:60])))
    except Exception:  # noqa: BLE001 - a damaged sheet: the reader's verdict stands
        return []
    finally:
        wb.close()
        cached.close()
    return problems


def trim_workbook(data: bytes, label: str) -> bytes:
    """The workbook without the empty rows after its last value. A workbook saved by
    LibreOffice may carry styled empty rows down to row 1,048,576; the reader walks every row
    up to the last one (40 s for a 40 kB form), so they are dropped, with the sheet's
    declared dimension. Row numbers of the rows kept do not change. A value beyond row
    :data:`MAX_SHEET_ROWS` is refused (FormLoadError): no form is that long."""
    import zipfile

    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return data
    changed: dict[str, bytes] = {}
    with archive:
        for entry in archive.infolist():
            name = entry.filename
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            try:
                xml = archive.read(entry)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                return data
            rows = list(_ROW_RE.finditer(xml))
            end = _END_RE.search(xml)
            if not rows or end is None:
                continue
            last = max((i for i, m in enumerate(rows) if _VALUE_RE.search(m.group(0))),
                       default=-1)
            numbers = [int(n.group(1)) for n in (_ROW_NUMBER_RE.search(m.group(0)[:200])
                                                 for m in rows[last + 1:]) if n]
            last_number = 0
            if last >= 0:
                found = _ROW_NUMBER_RE.search(rows[last].group(0)[:200])
                last_number = int(found.group(1)) if found else 0
            if last_number > MAX_SHEET_ROWS:
                raise file_problem(label, N_("a sheet of the workbook has a value in row {row}; "
                                             "a form has at most {limit} rows: delete the rows "
                                             "after the form's last row"),
                                   row=last_number, limit=MAX_SHEET_ROWS)
            if not numbers or max(numbers) - last_number <= TRIM_AFTER:
                continue
            cut_from = rows[last].end() if last >= 0 else rows[0].start()
            trimmed = xml[:cut_from] + xml[end.start():]
            changed[name] = _DIMENSION_RE.sub(b"", trimmed, count=1)
        if not changed:
            return data
        out = BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
            for entry in archive.infolist():
                copy.writestr(entry, changed.get(entry.filename) or archive.read(entry))
    return out.getvalue()
