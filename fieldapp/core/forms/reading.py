"""Reading a form workbook's bytes with pyxform, and pyxform's own verdict on the result.

pyxform's readers (xls2json_backends, picked by the file name's suffix: .xlsx, .xlsm, pyxform
.md or .csv) turn the bytes into per-sheet lists of row dicts, one per sheet row, so list
index + 2 is the row number Excel shows. Every failure to read becomes a
:class:`~fieldapp.core.forms.problems.FormLoadError` about the whole file, in the user's words.
Nothing here touches the file system: the caller brings the bytes.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import warnings
from io import BytesIO

from pyxform.errors import PyXFormError, PyXFormReadError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData, SupportedFileTypes

from fieldapp.core.forms.problems import FormLoadError, FormProblem, Message, file_problem
from fieldapp.core.forms.sheets import SURVEY
from fieldapp.core.forms.workbook import check_workbook, formula_problems, trim_workbook
from fieldapp.i18n.catalog import N_

log = logging.getLogger(__name__)

# openpyxl warns of the parts of a workbook it leaves out (data validation extensions, headers
# and footers, unknown document properties): nothing a form author can act on, and never a
# line in a command's output (issue 26). The filter is the module's, so it holds in every
# thread that reads a workbook.
warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")

FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".md", ".csv")
MAX_FILE_BYTES = 20 * 1024 * 1024  # shipped forms are ~50 kB; anything this big is not a form

_PYXFORM_ROW_RE = re.compile(r"\[row\s*:\s*(\d+)\]")
_PYXFORM_SHEET_RE = re.compile(r"'(survey|choices|settings|entities)' sheet", re.IGNORECASE)


def check_suffix(filename: str, label: str) -> str:
    """The lower-cased suffix of ``filename`` if it is a form format; else FormLoadError."""
    suffix = os.path.splitext(filename)[1].lower()
    if suffix not in FORM_SUFFIXES:
        raise file_problem(label, N_("not a form file: expected {suffixes}"),
                           suffixes=", ".join(FORM_SUFFIXES))
    return suffix


def check_size(size: int, label: str) -> None:
    """Refuse an empty file, and one far too large to be a form."""
    if size == 0:
        raise file_problem(label, N_("the file is empty (0 bytes)"))
    if size > MAX_FILE_BYTES:
        raise file_problem(label, N_("the file is too large for a form ({size} MB)"),
                           size=size // 1024 // 1024)


_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _by_content(suffix: str, data: bytes) -> str:
    """The workbook format the bytes are, whatever the name says: an .xlsx renamed .xls (as
    lykmapipo/xlsform-template ships its forms) opens in Excel and converts in pyxform's
    online converters, so it is read as what it is, and an old .xls named .xlsx likewise."""
    if suffix == ".xls" and data.startswith(_ZIP_MAGIC):
        return ".xlsx"
    if suffix in (".xlsx", ".xlsm") and data.startswith(_OLE2_MAGIC):
        return ".xls"
    return suffix


def read_definition(data: bytes, filename: str, label: str) -> DefinitionData:
    """Read ``data`` with pyxform's reader for the suffix of ``filename``; ``label`` names the
    file in problems. Any failure becomes a FormLoadError."""
    suffix = _by_content(check_suffix(filename, label), data)
    check_size(len(data), label)
    kind = {".xlsx": Message(N_("an Excel workbook (.xlsx)")),
            ".xlsm": Message(N_("an Excel workbook (.xlsm)")),
            ".xls": Message(N_("an Excel 97-2003 workbook (.xls)")),
            ".md": Message(N_("a Markdown form (.md)")),
            ".csv": Message(N_("a CSV form (.csv)"))}[suffix]
    reader = SupportedFileTypes.get_processors()[SupportedFileTypes(suffix)]
    excel = suffix in (".xlsx", ".xlsm")
    formulas = check_workbook(data, label) if excel else False
    if excel:
        data = trim_workbook(data, label)
    try:
        book = reader(BytesIO(data))
    except PyXFormReadError as exc:
        raise file_problem(label, N_("cannot read the file as {kind}: {reason}"), kind=kind,
                           reason=_clean_reader_message(exc)) from None
    except UnicodeDecodeError:
        raise file_problem(label, N_("cannot read the file as {kind}: it is not UTF-8 text"),
                           kind=kind) from None
    except Exception as exc:  # pyxform errors on odd headers; openpyxl/zip/XML errors
        problems = _header_problems(label, data) if excel else []
        if problems:
            raise FormLoadError(problems) from None
        log.info("unreadable form file %s: %r", label, exc)
        detail = str(exc) if isinstance(exc, PyXFormError) else f"{type(exc).__name__}: {exc}"
        raise file_problem(label, N_("cannot read the file as {kind}: the file is damaged or not "
                                     "a form ({detail})"), kind=kind, detail=detail) from None
    if not isinstance(book, dict):
        raise file_problem(label, N_("cannot read the file as {kind}"), kind=kind)
    if formulas:
        problems = formula_problems(label, data)
        if problems:
            raise FormLoadError(problems)
    stem = os.path.splitext(os.path.basename(filename))[0]
    return DefinitionData(fallback_form_name=stem, **book)


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


def _header_problems(label: str, data: bytes) -> list[FormProblem]:
    """Locate header problems pyxform only names (or trips over): duplicates, non-text."""
    import openpyxl

    problems: list[FormProblem] = []
    try:
        wb = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
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


def pyxform_problems(label: str, data: DefinitionData,
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


def pyxform_refusal(data: bytes, filename: str) -> str | None:
    """pyxform's reason for not converting the workbook to an XForm (its own English
    wording, on one line), or None when it converts it. The engine loads some forms pyxform
    refuses; ODK Collect never sees those, so the form check says so."""
    from pyxform.xls2xform import convert

    suffix = _by_content(os.path.splitext(filename)[1].lower(), data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            convert(xlsform=data, warnings=[], file_type=suffix)
        except Exception as exc:  # noqa: BLE001 - any failure is pyxform's refusal
            return " ".join(str(exc).split()) or type(exc).__name__
    return None
