"""Write XLSForm test forms as real .xlsx workbooks (openpyxl) or pyxform .md tables.

A form is given as {sheet name: [header row, data row, ...]}; ``None`` cells stay empty and an
empty list is an empty row (so row numbers in tests match what Excel would show).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

Sheets = dict[str, list[list[Any]]]

SETTINGS = [["form_id", "version", "default_language"], ["test_form", "1", "Vietnamese (vi)"]]


def write_xlsx(path: Path, sheets: Sheets) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def write_md(path: Path, sheets: Sheets) -> Path:
    lines = []
    for name, rows in sheets.items():
        lines.append(f"| {name} |")
        width = max((len(r) for r in rows), default=0)
        for row in rows:
            cells = [("" if v is None else str(v)) for v in row] + [""] * (width - len(row))
            lines.append("| | " + " | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def form(survey: list[list[Any]], choices: list[list[Any]] | None = None,
         settings: list[list[Any]] | None = None, **extra: list[list[Any]]) -> Sheets:
    """Sheets for a form with the default settings sheet unless one is given."""
    sheets: Sheets = {"survey": survey}
    if choices is not None:
        sheets["choices"] = choices
    sheets["settings"] = settings if settings is not None else SETTINGS
    sheets.update(extra)
    return sheets
