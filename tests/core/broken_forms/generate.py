"""Generate broken form files: damaged files, broken workbooks and one-fault mutations of a
valid form. Each case says where the loader should point (row/column) when that is known.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import openpyxl

from broken_forms.builders import SETTINGS, Sheets, write_md, write_xlsx

HEAD = ["type", "name", "label::Vietnamese (vi)", "label::English (en)", "relevant",
        "calculation", "constraint", "choice_filter", "repeat_count", "save_to"]
COL = {h: i for i, h in enumerate(HEAD)}


def _row(type_, name, label="Nhãn", **cols) -> list[Any]:
    out: list[Any] = [type_, name, label, "Label"] + [None] * (len(HEAD) - 4)
    for key, value in cols.items():
        out[COL[key]] = value
    return out


def base_form() -> Sheets:
    """A small valid form using every feature the mutations break."""
    return {
        "survey": [
            HEAD,
            _row("select_one village", "village"),                                   # 2
            _row("select_one hamlet", "hamlet", choice_filter="village = ${village}"),  # 3
            _row("text", "head_name", save_to="households#head_name"),               # 4
            _row("integer", "hh_size", constraint=". > 0 and . < 40"),                # 5
            _row("begin group", "g", relevant="${hh_size} > 0"),                      # 6
            _row("date", "visit", constraint=". <= today()"),                        # 7
            _row("end group", None, None),                                            # 8
            _row("begin repeat", "roster", repeat_count="${hh_size}"),                # 9
            _row("text", "member_name", save_to="persons#full_name"),                 # 10
            _row("integer", "age", relevant="${member_name} != ''"),                  # 11
            _row("calculate", "adult", None, calculation="if(${age} >= 18, 1, 0)"),   # 12
            _row("end repeat", None, None),                                           # 13
            _row("calculate", "adults", None, calculation="sum(${adult})"),           # 14
            _row("note", "summary", "Người lớn: ${adults}"),                          # 15
            _row("select_one_from_file households.csv", "other_hh"),                  # 16
        ],
        "choices": [
            ["list_name", "name", "label::Vietnamese (vi)", "label::English (en)", "village"],
            ["village", "a", "Thôn A", "Village A", None],
            ["village", "b", "Thôn B", "Village B", None],
            ["hamlet", "h1", "Xóm 1", "Hamlet 1", "a"],
            ["hamlet", "h2", "Xóm 2", "Hamlet 2", "b"],
        ],
        "settings": copy.deepcopy(SETTINGS),
        "entities": [["list_name", "label"], ["households", "${head_name}"],
                     ["persons", "${member_name}"]],
    }


@dataclass
class Case:
    name: str
    path: Path
    row: int | None = None
    column: str | None = None
    sheet: str | None = None


# Types still refused: unknown spellings, features refused on purpose (osm, loops, include), selects without a list, and a file the form does not ship.
BAD_TYPES = ["frobnicate", "osm", "begin loop over nothing", "begin loop over village", "include x",
             "range frob", "select_one", "select_one nolist", "select_multiple",
             "select_one a b c", "begin", "end frob", "begin grp",
             "select_one_from_file people.csv", "select_one village.csv", "calculate_x",
             "rank nolist", "start frob", "geopoint trace", "xml-externals"]
BAD_EXPRESSIONS = ["${hh_size} >", "foo(1)", "${nope} = 1", "((${hh_size})", "'unclosed",
                   "${hh_size} = = 2", "1 +", "and 1", "${}", "count()", "if(1, 2)",
                   "pulldata('x', 'y', 'z', 'w')", "${hh_size} div", "/data/x/ = 1", "concat(,)",
                   "${hh_size} ++ 1", "selected(${village})", "today(1)", "@#!", "1 2"]
EXPR_COLUMNS = ["relevant", "constraint", "calculation"]


def _mutations() -> list[tuple[str, Callable[[Sheets], None], str | None, int | None,
                               str | None]]:
    """(name, mutate(sheets), sheet, row, column) of one-fault mutations of base_form()."""
    muts: list[tuple[str, Callable[[Sheets], None], str | None, int | None, str | None]] = []

    def set_cell(sheet: str, r: int, col: str, value: Any) -> Callable[[Sheets], None]:
        def apply(s: Sheets) -> None:
            header = s[sheet][0]
            if col not in header:
                header.append(col)
            i = header.index(col)
            row = s[sheet][r - 1]
            row.extend([None] * (i + 1 - len(row)))
            row[i] = value
        return apply

    for k, bad in enumerate(BAD_TYPES):
        r = [2, 4, 5, 7, 10, 11, 16][k % 7]
        muts.append((f"type-{k}", set_cell("survey", r, "type", bad), "survey", r, "type"))
    for k, bad in enumerate(BAD_EXPRESSIONS):
        for j, col in enumerate(EXPR_COLUMNS):
            r = [4, 5, 11][j]
            if col == "calculation":
                r = 14  # a calculate row
            muts.append((f"expr-{col}-{k}", set_cell("survey", r, col, bad), "survey", r, col))
        muts.append((f"repeat_count-{k}", set_cell("survey", 9, "repeat_count", bad),
                     "survey", 9, "repeat_count"))
    for k, bad in enumerate(["${hh_size} = 'x", "village = ", "concat(${village}"]):
        muts.append((f"choice_filter-{k}", set_cell("survey", 3, "choice_filter", bad),
                     "survey", 3, "choice_filter"))

    def delete_row(sheet: str, r: int) -> Callable[[Sheets], None]:
        return lambda s: s[sheet].__setitem__(r - 1, [])

    muts += [
        ("no-end-group", delete_row("survey", 8), "survey", 6, "type"),
        ("no-end-repeat", delete_row("survey", 13), "survey", 9, "type"),
        ("extra-end-group", lambda s: s["survey"].append(_row("end group", None, None)),
         "survey", 17, "type"),
        ("end-repeat-for-group", set_cell("survey", 8, "type", "end repeat"), "survey", 8, "type"),
        ("dup-name", set_cell("survey", 5, "name", "head_name"), "survey", 5, "name"),
        ("dup-name-in-repeat", set_cell("survey", 11, "name", "member_name"), "survey", 11,
         "name"),
        ("no-name", set_cell("survey", 4, "name", None), "survey", 4, "name"),
        ("bad-name", set_cell("survey", 4, "name", "1 head"), "survey", 4, "name"),
        ("no-type", set_cell("survey", 4, "type", None), "survey", 4, "type"),
        ("calc-cycle", set_cell("survey", 12, "calculation", "${adults} + ${age}"), None, None,
         None),
        ("self-cycle", set_cell("survey", 14, "calculation", "${adults} + 1"), "survey", 14,
         "calculation"),
        ("relevant-cycle", set_cell("survey", 5, "relevant", "${visit} != ''"), None, None, None),
        ("group-relevant-on-child", set_cell("survey", 6, "relevant", "${visit} != ''"),
         "survey", 6, "relevant"),
        ("calc-without-calculation", set_cell("survey", 14, "calculation", None),
         "survey", 14, "calculation"),
        ("missing-list", set_cell("survey", 2, "type", "select_one villages"), "survey", 2,
         "type"),
        ("dup-choice", set_cell("choices", 3, "name", "a"), "choices", 3, "name"),
        ("choice-no-name", set_cell("choices", 4, "name", None), "choices", 4, "name"),
        ("choice-no-list", set_cell("choices", 4, "list_name", None), "choices", 4, "list_name"),
        ("label-missing-ref", set_cell("survey", 15, "label::Vietnamese (vi)", "${adultz}"),
         "survey", 15, "label::Vietnamese (vi)"),
        ("bad-form-id", set_cell("settings", 2, "form_id", "a/b"), "settings", 2, "form_id"),
        ("save-to-unknown-list", set_cell("survey", 4, "save_to", "farms#owner"), "survey", 4,
         "save_to"),
        ("save-to-reserved", set_cell("survey", 4, "save_to", "households#name"), "survey", 4,
         "save_to"),
        ("entity-no-list-name", set_cell("entities", 2, "list_name", None), "entities", 2,
         "list_name"),
        ("entity-update-without-id", set_cell("entities", 2, "update_if", "true()"),
         "entities", 2, "update_if"),
        ("entity-bad-label", set_cell("entities", 3, "label", "concat(${member_name}"),
         "entities", 3, "label"),
        ("repeat-count-on-field", set_cell("survey", 4, "repeat_count", "2"), "survey", 4,
         "repeat_count"),
        ("number-as-type", set_cell("survey", 5, "type", 42), "survey", 5, "type"),
        ("date-as-name", set_cell("survey", 5, "name", dt.datetime(2026, 1, 1)), "survey", 5,
         "name"),
        ("or-other-from-file", set_cell("survey", 16, "type",
                                        "select_one_from_file households.csv or_other"),
         "survey", 16, "type"),
    ]
    return muts


def _xlsx_bytes(sheets: Sheets) -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(buf)
    return buf.getvalue()


def generate(directory: Path, seed: int = 20261123) -> list[Case]:
    """Write every broken case into ``directory`` and describe it."""
    rng = random.Random(seed)
    cases: list[Case] = []
    n = 0

    def path(name: str, suffix: str = ".xlsx") -> Path:
        nonlocal n
        n += 1
        return directory / f"{n:03d}_{name}{suffix}"

    # Damaged files and things that are not workbooks.
    p = path("zero_bytes"); p.write_bytes(b""); cases.append(Case("zero bytes", p))
    p = path("text_named_xlsx"); p.write_text("type,name\ntext,a\n"); cases.append(Case("text", p))
    p = path("html_named_xlsx"); p.write_text("<html><body>survey</body></html>")
    cases.append(Case("html", p))
    for k in range(12):
        p = path(f"random_bytes_{k}")
        p.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4000))))
        cases.append(Case("random bytes", p))
    valid = _xlsx_bytes(base_form())
    for k in range(15):
        p = path(f"truncated_{k}")
        p.write_bytes(valid[: rng.randrange(1, len(valid) - 1)])
        cases.append(Case("truncated workbook", p))
    for k in range(8):
        data = bytearray(valid)
        for _ in range(20):
            data[rng.randrange(len(data))] = rng.randrange(256)
        p = path(f"bitflips_{k}")
        p.write_bytes(bytes(data))
        cases.append(Case("corrupted bytes", p))
    p = path("zip_not_xlsx")
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    cases.append(Case("zip that is not a workbook", p))
    for k, member in enumerate(["xl/worksheets/sheet1.xml", "xl/workbook.xml",
                                "[Content_Types].xml", "xl/worksheets/sheet3.xml",
                                "xl/_rels/workbook.xml.rels"]):
        p = path(f"bad_xml_{k}")
        with zipfile.ZipFile(io.BytesIO(valid)) as src, zipfile.ZipFile(p, "w") as dst:
            for info in src.infolist():
                body = src.read(info.filename)
                if info.filename == member:
                    body = b"<broken><xml"
                dst.writestr(info, body)
        cases.append(Case(f"workbook with damaged {member}", p))
    p = path("empty_md", ".md"); p.write_text(""); cases.append(Case("empty md", p))
    p = path("prose_md", ".md"); p.write_text("# Survey\n\nJust some text.\n")
    cases.append(Case("md without tables", p))
    p = path("binary_md", ".md"); p.write_bytes(b"\xff\xfe\x00| survey |\x80\x81")
    cases.append(Case("md that is not UTF-8", p))
    p = path("garbage_csv", ".csv"); p.write_bytes(b"\x00\x01\x02,,,\n\xff")
    cases.append(Case("binary csv", p))
    p = path("csv_no_survey", ".csv"); p.write_text("choices,list_name,name,label\n,yn,1,Yes\n")
    cases.append(Case("csv without survey", p))
    # (an .xlsx named .xls is read as the workbook it is: tests/core/test_forms_wild3.py)
    for suffix in (".ods", ".txt", ".json", ""):
        p = path("wrong_suffix", suffix)
        p.write_bytes(valid)
        cases.append(Case(f"suffix {suffix or 'none'}", p))
    p = path("a_directory")
    p.mkdir()
    cases.append(Case("directory named .xlsx", p))
    cases.append(Case("missing file", directory / "does_not_exist.xlsx"))

    # Workbooks that open but are not forms.
    wb = openpyxl.Workbook()
    p = path("empty_workbook"); wb.save(p); cases.append(Case("empty workbook", p))
    structural: list[tuple[str, Sheets, str | None, int | None, str | None]] = [
        ("only_choices", {"choices": base_form()["choices"], "settings": SETTINGS}, None, None,
         None),
        ("headers_only", {"survey": [HEAD], "settings": SETTINGS}, None, None, None),
        ("no_type_column", {"survey": [["name", "label"], ["a", "A"]], "settings": SETTINGS},
         "survey", 1, "type"),
        ("no_name_column", {"survey": [["type", "label"], ["text", "A"]], "settings": SETTINGS},
         "survey", 1, "name"),
        ("numbers_as_headers", {"survey": [[1, 2, 3], ["text", "a", "A"]],
                                "settings": SETTINGS}, "survey", 1, None),
        ("dup_header_label", {"survey": [["type", "name", "label", "label"],
                                         ["text", "a", "A", "B"]], "settings": SETTINGS},
         "survey", 1, "label"),
        ("dup_header_name", {"survey": [["type", "name", "name"], ["text", "a", "b"]],
                             "settings": SETTINGS}, "survey", 1, "name"),
        ("dup_header_choices", {"survey": [["type", "name", "label"],
                                           ["select_one yn", "a", "A"]],
                                "choices": [["list_name", "name", "label", "name"],
                                            ["yn", "1", "Có", "2"]],
                                "settings": SETTINGS}, "choices", 1, "name"),
        ("dup_header_settings", {"survey": [["type", "name", "label"], ["text", "a", "A"]],
                                 "settings": [["form_id", "form_id"], ["a", "b"]]},
         "settings", 1, "form_id"),
        ("settings_two_rows", {"survey": [["type", "name", "label"], ["text", "a", "A"]],
                               "settings": SETTINGS + [["other", "2", None]]},
         "settings", 3, None),
        ("wrong_sheet_names", {"Sheet1": [["type", "name"]], "Sheet2": [["x"]]}, None, None,
         None),
        ("select_without_choices_sheet", {"survey": [["type", "name", "label"],
                                                     ["select_one yn", "a", "A"]],
                                          "settings": SETTINGS}, "survey", 2, "type"),
    ]
    for name, sheets, sheet, r, col in structural:
        p = path(name)
        write_xlsx(p, sheets)
        cases.append(Case(name, p, r, col, sheet))

    # One-fault mutations of a valid form, as .xlsx and (every fourth) as .md.
    for k, (name, mutate, sheet, r, col) in enumerate(_mutations()):
        sheets = base_form()
        mutate(sheets)
        p = path(name)
        write_xlsx(p, sheets)
        cases.append(Case(name, p, r, col, sheet))
        if k % 4 == 0 and name not in ("date-as-name", "number-as-type"):
            p = path(name, ".md")
            write_md(p, sheets)
            cases.append(Case(name + " (md)", p, r, col, sheet))
    return cases


def valid_form(directory: Path) -> Path:
    """The unbroken base form, to prove the mutations start from something that loads."""
    return write_xlsx(directory / "valid.xlsx", base_form())
