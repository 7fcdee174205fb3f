"""Tables written as a stream: an XLSX workbook (openpyxl's write-only mode, rows go straight
to disk) or a folder of CSV files (UTF-8 with a byte-order mark, so Excel reads the Vietnamese
letters). Each table has two header rows: the columns' labels, then their codes.

Files are written under temporary names and put in place only when everything is written, so
a cancelled or failed export leaves nothing half-written behind.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldapp.errors import os_reason
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc
from fieldapp.reports.pdf import OutputProblem

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    width: float = 14.0


def sheet_name(wanted: str, taken: set[str], limit: int = 31) -> str:
    """An Excel sheet name: at most 31 characters (``limit``), none of []:*?/\\, unique.

    A repeat's table ("form_id.repeat") keeps its repeat's name whole and shortens the form's
    id: a partner form's id of 50 characters (onadata's transportation_with_a_very_very_long_
    id_string) made every table of it the same 31 characters, told apart by ~2, ~3."""
    base = _SHEET_BAD.sub("_", wanted) or "sheet"
    if len(base) > limit:
        head, dot, tail = base.rpartition(".")
        base = (head[:limit - len(tail) - 1] + dot + tail) if dot and len(tail) <= limit // 2 \
            else base[:limit]
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = f"~{n}"
        name = base[:limit - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    return value


class XlsxTables:
    """Sheets of one workbook; ``table()`` returns a handle for ``append()``."""

    def __init__(self, path: Path):
        from openpyxl import Workbook

        self.path = Path(path)
        self.workbook = Workbook(write_only=True)
        self._taken: set[str] = set()

    def table(self, name: str, columns: Sequence[Column]):
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        sheet = self.workbook.create_sheet(sheet_name(name, self._taken))
        for i, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = column.width
        sheet.freeze_panes = "A3"
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDDDDD")
        wrap = Alignment(wrap_text=True, vertical="top")
        labels = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=nfc(column.label))
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
            labels.append(cell)
        codes = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.code)
            cell.font = Font(italic=True, color="555555")
            codes.append(cell)
        sheet.append(labels)
        sheet.append(codes)
        return sheet

    @staticmethod
    def append(handle, values: Sequence[Any]) -> None:
        handle.append([_cell(v) for v in values])

    def close(self) -> Path:
        path = self.path
        try:
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".fieldapp-",
                                             suffix=".xlsx", delete=False) as tmp:
                pass
            self.workbook.save(tmp.name)
            os.replace(tmp.name, path)
        except OSError as exc:
            _remove(Path(tmp.name))
            raise OutputProblem(_("Cannot write {path}: {reason}").format(
                path=path, reason=os_reason(exc))) from None
        finally:
            self._remove_sheet_files()
        return path

    def abandon(self) -> None:
        """Stop writing: finish and remove the sheets' temporary files."""
        for sheet in self.workbook.worksheets:
            try:
                sheet.close()
            except Exception:  # noqa: BLE001 - a sheet already closed or never written
                pass
        self._remove_sheet_files()

    def _remove_sheet_files(self) -> None:
        """openpyxl writes each sheet to a temporary file first; remove them now rather than
        when the app exits (a large export's sheets take room)."""
        for sheet in self.workbook.worksheets:
            writer = getattr(sheet, "_writer", None)
            out = getattr(writer, "out", None)
            if isinstance(out, str):
                _remove(Path(out))


class CsvTables:
    """One CSV file per table in a folder."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._files: list[tuple[Any, Path, Path]] = []
        self._taken: set[str] = set()

    def table(self, name: str, columns: Sequence[Column]):
        # a file name has no 31-character limit: the form's whole id (a file system takes 255)
        stem = sheet_name(re.sub(r"[^\w.-]", "_", name), self._taken, limit=120)
        final = self.folder / f"{stem}.csv"
        tmp = self.folder / f".{stem}.csv.part"
        try:
            handle = tmp.open("w", encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise OutputProblem(_("Cannot write {path}: {reason}").format(
                path=final, reason=os_reason(exc))) from None
        writer = csv.writer(handle)
        writer.writerow([nfc(c.label) for c in columns])
        writer.writerow([c.code for c in columns])
        self._files.append((handle, tmp, final))
        return writer

    @staticmethod
    def append(handle, values: Sequence[Any]) -> None:
        handle.writerow(["" if v is None else _cell(v) for v in values])

    def close(self) -> Path:
        for handle, tmp, final in self._files:
            handle.close()
            os.replace(tmp, final)
        return self.folder

    def abandon(self) -> None:
        for handle, tmp, _final in self._files:
            handle.close()
            _remove(tmp)


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
