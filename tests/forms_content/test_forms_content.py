"""Content checks for the shipped XLSForm workbooks in forms/.

These read the workbooks as commune staff edit them (openpyxl) and as the app reads them (pyxform),
and check the team's rules: bilingual vi/en text, NFC, ASCII choice codes, only the XLSForm
features the app's form engine supports, no field that could hold secrets, and the entity
declarations of the household survey.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"
FORM_IDS = ("household_survey", "support_session", "training_progress")
VI, EN = "Vietnamese (vi)", "English (en)"
TRANSLATED = ("label", "hint", "constraint_message", "required_message")

ALLOWED_TYPES = {
    "text", "integer", "decimal", "date", "select_one", "select_multiple", "note", "calculate",
    "acknowledge", "hidden", "begin_group", "end_group", "begin_repeat", "end_repeat",
    "select_one_from_file", "select_multiple_from_file",
}
ALLOWED_COLUMNS = {
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
    "constraint_message", "calculation", "default", "choice_filter", "read_only", "appearance",
    "repeat_count",
    "save_to",  # entity properties (ODK Entities convention), household survey only
}
ALLOWED_APPEARANCES = {"minimal", "multiline", "field-list"}
ALLOWED_FUNCTIONS = {
    "position", "selected", "count-selected", "if", "coalesce", "concat", "string-length",
    "regex", "int", "number", "round", "today", "format-date", "count", "sum",
    "indexed-repeat", "once", "not", "join",
}
OPERATORS = {"and", "or", "div", "mod"}  # may precede a parenthesis without being a call
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "default", "choice_filter",
                      "repeat_count")
REGISTRY_COLUMNS = {
    "villages.csv": {"name", "label"},
    "households.csv": {"name", "label", "village"},
    "persons.csv": {"name", "label", "household", "village"},
    "team_members.csv": {"name", "label"},
}
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# Choices may also be numbers: the people of a roster (by their place in it) and the parts
# of the survey that rotate.
CHOICE_CODE_RE = re.compile(r"^([a-z][a-z0-9_]*|[0-9]{1,3})$")
# Tokens of a field name that would mean it holds a secret or a full ID-card number.
SECRET_TOKENS = {"password", "passwd", "pwd", "pass", "matkhau", "otp", "pin", "credential",
                 "credentials", "login", "secret", "token"}
ID_TOKENS = {"cccd", "cmnd", "idcard", "national", "vneid"}
NUMBER_TOKENS = {"no", "num", "number", "so", "id", "code"}


def _path(form_id: str) -> Path:
    return FORMS_DIR / f"{form_id}.xlsx"


def _sheet_rows(form_id: str, sheet: str) -> list[dict[str, object]]:
    """Rows of one sheet as dicts keyed by header, with the sheet row number under '_row'."""
    wb = load_workbook(_path(form_id), read_only=True)
    try:
        if sheet not in wb.sheetnames:
            return []
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        row = {h: v for h, v in zip(header, values) if h and v not in (None, "")}
        if row:
            row["_row"] = number
            out.append(row)
    return out


def _survey(form_id: str) -> list[dict[str, object]]:
    return _sheet_rows(form_id, "survey")


def _type_parts(row: dict) -> list[str]:
    return str(row["type"]).split()


def _field_names(form_id: str) -> set[str]:
    return {str(r["name"]) for r in _survey(form_id) if "name" in r}


@pytest.fixture(scope="module", params=FORM_IDS)
def form_id(request) -> str:
    return request.param


def test_workbooks_exist():
    for form_id in FORM_IDS:
        assert _path(form_id).is_file(), form_id


def test_converts_with_pyxform_without_warnings(form_id):
    warnings: list[str] = []
    result = convert(xlsform=str(_path(form_id)), warnings=warnings, validate=False)
    assert result.xform.startswith("<?xml")
    assert warnings == []


def test_settings(form_id):
    (settings,) = _sheet_rows(form_id, "settings")
    assert settings["form_id"] == form_id
    assert re.fullmatch(r"20\d{8}", str(settings["version"]))
    assert settings["default_language"] == VI
    assert settings["form_title"]


def test_only_supported_types_columns_and_appearances(form_id):
    wb = load_workbook(_path(form_id), read_only=True)
    header = [h for h in next(wb["survey"].iter_rows(values_only=True)) if h]
    wb.close()
    for column in header:
        assert column.split("::")[0] in ALLOWED_COLUMNS, column
    for row in _survey(form_id):
        parts = _type_parts(row)
        assert parts[0] in ALLOWED_TYPES, (row["_row"], row["type"])
        if parts[0] in ("select_one", "select_multiple"):
            assert len(parts) == 2, (row["_row"], "or_other is not used: write an explicit other")
        if "appearance" in row:
            assert str(row["appearance"]) in ALLOWED_APPEARANCES, row
        if "save_to" in row:
            assert form_id == "household_survey", row


def test_every_text_column_is_bilingual(form_id):
    for row in _survey(form_id):
        for col in TRANSLATED:
            vi, en = row.get(f"{col}::{VI}"), row.get(f"{col}::{EN}")
            assert col not in row, (row["_row"], f"untranslated column {col}")
            assert bool(vi) == bool(en), (row["_row"], col, vi, en)
        if _type_parts(row)[0] not in ("calculate", "hidden") and not str(row["type"]).startswith("end_"):
            assert row.get(f"label::{VI}") and row.get(f"label::{EN}"), row["_row"]
        if row.get("required") == "yes":
            assert row.get(f"required_message::{VI}") and row.get(f"required_message::{EN}")
        if "constraint" in row:
            assert row.get(f"constraint_message::{VI}") and row.get(f"constraint_message::{EN}")
    for row in _sheet_rows(form_id, "choices"):
        assert row.get(f"label::{VI}") and row.get(f"label::{EN}"), row


def test_vietnamese_labels_are_really_vietnamese(form_id):
    """Catches a Vietnamese column filled with English: most vi labels carry diacritics."""
    labels = [str(r[f"label::{VI}"]) for r in _survey(form_id) if f"label::{VI}" in r]
    marked = [s for s in labels if any(unicodedata.decomposition(c) for c in s)]
    assert len(marked) >= 0.8 * len(labels)


def test_all_text_is_nfc(form_id):
    wb = load_workbook(_path(form_id), read_only=True)
    try:
        for ws in wb.worksheets:
            for values in ws.iter_rows(values_only=True):
                for v in values:
                    if isinstance(v, str):
                        assert unicodedata.normalize("NFC", v) == v, (ws.title, v)
    finally:
        wb.close()


def test_choice_names_are_unique_ascii_codes(form_id):
    seen: dict[str, set[str]] = {}
    for row in _sheet_rows(form_id, "choices"):
        name = str(row["name"])
        assert CHOICE_CODE_RE.fullmatch(name), row
        names = seen.setdefault(str(row["list_name"]), set())
        assert name not in names, row
        names.add(name)
    used = {_type_parts(r)[1] for r in _survey(form_id)
            if _type_parts(r)[0] in ("select_one", "select_multiple")}
    assert used == set(seen), "every list is used and every used list exists"


def test_field_names_are_codes_and_unique(form_id):
    names = [str(r["name"]) for r in _survey(form_id) if "name" in r]
    assert len(names) == len(set(names))
    for name in names:
        assert CODE_RE.fullmatch(name), name


def _is_secret_name(name: str) -> bool:
    tokens = name.lower().split("_")
    if SECRET_TOKENS & set(tokens) or "matkhau" in name.replace("_", ""):
        return True
    return bool(ID_TOKENS & set(tokens)) and bool(NUMBER_TOKENS & set(tokens))


@pytest.mark.parametrize("name", ["password", "vneid_otp", "mat_khau", "cccd_number",
                                  "so_cccd", "pin", "vneid_login"])
def test_secret_detector_catches(name):
    assert _is_secret_name(name)


def test_no_field_can_hold_secrets(form_id):
    for name in _field_names(form_id):
        assert not _is_secret_name(name), name


def test_expressions_use_supported_functions_and_known_fields(form_id):
    names = _field_names(form_id)
    for row in _survey(form_id):
        texts = [str(row[c]) for c in EXPRESSION_COLUMNS if c in row]
        texts += [str(row[k]) for k in row if str(k).startswith("label::")]
        for text in texts:
            for ref in re.findall(r"\$\{([^}]*)\}", text):
                assert ref in names, (row["_row"], ref)
        for text in (str(row[c]) for c in EXPRESSION_COLUMNS if c in row):
            bare = re.sub(r"'[^']*'", "''", text)  # ignore string literals such as '%Y'
            for fn in re.findall(r"([A-Za-z][\w-]*)\s*\(", bare):
                assert fn in ALLOWED_FUNCTIONS | OPERATORS, (row["_row"], fn)


def test_registry_files_and_filters_follow_the_contract(form_id):
    for row in _survey(form_id):
        parts = _type_parts(row)
        if parts[0].endswith("_from_file"):
            assert parts[1] in REGISTRY_COLUMNS, row
            if "choice_filter" in row:
                bare = re.sub(r"\$\{[^}]*\}|'[^']*'", "", str(row["choice_filter"]))
                words = set(re.findall(r"[a-z_][\w-]*", bare)) - ALLOWED_FUNCTIONS - OPERATORS
                assert words <= REGISTRY_COLUMNS[parts[1]], (row["_row"], words)


def test_every_form_warns_against_recording_secrets(form_id):
    notes = [r for r in _survey(form_id) if _type_parts(r)[0] == "note" or "hint::" + VI in r]
    vi = " ".join(str(r.get(f"label::{VI}", "")) + str(r.get(f"hint::{VI}", "")) for r in notes)
    en = " ".join(str(r.get(f"label::{EN}", "")) + str(r.get(f"hint::{EN}", "")) for r in notes)
    for word in ("mật khẩu", "OTP", "CCCD"):
        assert word in vi
    for word in ("password", "OTP", "CCCD"):
        assert word in en


# --------------------------------------------------------------------------- household survey

def _xform(form_id: str) -> ET.Element:
    return ET.fromstring(convert(xlsform=str(_path(form_id)), validate=False).xform)


def test_household_survey_declares_both_entity_lists():
    entities = _sheet_rows("household_survey", "entities")
    assert {str(e["list_name"]) for e in entities} == {"households", "persons"}
    for e in entities:
        assert e.get("label")

    ns = {"x": "http://www.w3.org/2002/xforms"}
    root = _xform("household_survey")
    data = root.find(".//x:model/x:instance/x:data", ns)
    parent_of = {child: parent for parent in data.iter() for child in parent}
    by_dataset = {}
    for parent in data.iter():
        meta = parent.find("x:meta", ns)
        if meta is not None and meta.find("x:entity", ns) is not None:
            by_dataset.setdefault(meta.find("x:entity", ns).get("dataset"), []).append(parent)

    def chain(element):
        tags = []
        while element is not None:
            tags.append(element.tag.rsplit("}", 1)[-1])
            element = parent_of.get(element)
        return tags

    assert set(by_dataset) == {"households", "persons"}
    # The person entity lives in the roster repeat (pyxform puts it in the row's field-list
    # group that holds its save_to fields): one person per row.
    assert by_dataset["persons"]
    assert all("members" in chain(e) for e in by_dataset["persons"])
    assert not any("members" in chain(e) for e in by_dataset["households"])


def test_household_survey_save_to_targets():
    rows = {str(r["name"]): r for r in _survey("household_survey") if "name" in r}
    assert rows["head_name"]["save_to"] == "households#head_name"
    assert rows["village"]["save_to"] == "households#village"
    assert rows["birth_year"]["save_to"] == "persons#birth_year"
    assert rows["member_village"]["save_to"] == "persons#village"
    for row in rows.values():
        if "save_to" in row:
            assert re.fullmatch(r"(households|persons)#[a-z][a-z0-9_]*", str(row["save_to"]))


def _top_level_after_consent(rows):
    depth, after = 0, False
    for row in rows:
        t = _type_parts(row)[0]
        if depth == 0 and after:
            yield row
        if t in ("begin_group", "begin_repeat"):
            depth += 1
        elif t in ("end_group", "end_repeat"):
            depth -= 1
            if depth == 0 and row is not None and not after:
                after = True


def test_household_survey_is_gated_on_consent():
    rows = _survey("household_survey")
    assert rows[0]["name"] == "visit" and rows[0].get("appearance") == "field-list"
    consent = next(r for r in rows if r.get("name") == "consent")
    assert _type_parts(consent) == ["select_one", "contact"] and consent["required"] == "yes"
    # The answer is also the visit's result: refusals and revisits are recorded, not lost.
    contact = {str(r["name"]) for r in _sheet_rows("household_survey", "choices")
               if r["list_name"] == "contact"}
    assert contact == {"yes", "no", "nobody_home", "moved", "vacant"}
    gated = [r for r in _top_level_after_consent(rows) if not str(r["type"]).startswith("end_")]
    assert gated
    for row in gated:
        if _type_parts(row)[0] != "calculate":
            assert str(row.get("relevant")).startswith("${consent} = 'yes'"), row


def test_household_survey_requires_exactly_one_head():
    rows = {str(r["name"]): r for r in _survey("household_survey") if "name" in r}
    assert rows["head_count"]["calculation"] == "sum(${is_head})"
    assert rows["roster_check"]["constraint"] == "${head_count} = 1"
    assert "${head_count}" in rows["relation"]["constraint"]


def _groups(form_id):
    """name -> (begin row, names of the fields directly or indirectly inside it)."""
    stack, out = [], {}
    for row in _survey(form_id):
        t = _type_parts(row)[0]
        if t in ("begin_group", "begin_repeat"):
            stack.append(str(row["name"]))
            out[str(row["name"])] = (row, [])
        elif t in ("end_group", "end_repeat"):
            stack.pop()
        elif "name" in row:
            for g in stack:
                out[g][1].append(str(row["name"]))
    return out


def test_household_survey_groups_questions_into_field_list_pages():
    groups = _groups("household_survey")
    household, _ = groups["household"]
    assert "field-list" not in str(household.get("appearance", ""))
    for name in ("visit", "member_basic", "everyone", "everyone_services", "m_identity",
                 "m_apps", "m_safety", "home", "m_business", "closing"):
        assert groups[name][0].get("appearance") == "field-list", name
    assert {"village", "purpose_note", "consent"} <= set(groups["visit"][1])
    assert {"grid_power", "mobile_signal", "fibre", "phone", "poverty_status"} <= set(
        groups["home"][1])
    assert set(groups["household"][1]) >= {"grid_power", "sells_online", "cashless_bills",
                                           "digital_address"}
    section, inside = groups["members_section"]
    assert section.get("relevant") == "${consent} = 'yes'"
    assert "members" in groups and set(groups["members"][1]) <= set(inside)
    assert {"member_name", "birth_year", "age", "relation", "ethnicity"} <= set(
        groups["member_basic"][1])
    # The key questions are asked of everyone every round; the rest turns with ${module};
    # app questions only when someone uses a smartphone.
    for name in ("everyone", "everyone_services"):
        assert "module" not in groups[name][0]["relevant"], name
    for name, module in (("m_identity", 1), ("m_business", 2), ("m_apps", 3), ("m_safety", 0)):
        assert f"${{module}} = {module}" in groups[name][0]["relevant"], name
    assert "${phone_users} > 0" in groups["m_apps"][0]["relevant"]
