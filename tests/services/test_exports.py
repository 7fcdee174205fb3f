"""XLSX and CSV exports: a table per form and per repeat (rows keyed by row key and
submission), codes with their labels, the indicator table with codes; names only when asked;
cancel writes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import json

import openpyxl
import pytest
from readback import rows

from fieldapp.services import exports
from fieldapp.services.indicators import Period, ReportCancelled

TODAY = dt.date(2026, 11, 28)


pytestmark = pytest.mark.usefixtures("vietnamese")


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(60, 12)


@pytest.fixture
def store(demo, open_store):
    return open_store(demo)


def _sheet(workbook, name):
    return [list(r) for r in workbook[name].iter_rows(values_only=True)]


def test_xlsx_has_a_sheet_per_form_and_repeat_with_labels_and_codes(store, demo, tmp_path):
    result = exports.export_xlsx(store, tmp_path / "x.xlsx", today=TODAY)
    book = openpyxl.load_workbook(result.path, read_only=True)
    assert book.sheetnames == ["household_survey", "household_survey.members", "sessions",
                               "sessions.persons_helped", "classes", "classes.attendance",
                               "classes.progress", "indicators"]
    stored = rows(demo, "select id, answers from submissions where form_id = "
                        "'household_survey' and deleted = 0")
    survey = _sheet(book, "household_survey")
    labels, codes = survey[0], survey[1]
    assert "Nhà có mạng internet cáp quang không?" in labels and "fibre" in codes
    assert codes[codes.index("fibre") + 1] == "fibre_label"
    assert len(survey) - 2 == len(stored)
    assert result.rows == sum(len(_sheet(book, name)) - 2 for name in book.sheetnames
                              if name not in ("indicators", "household_survey.members"))
    by_id = {row[0]: dict(zip(codes, row)) for row in survey[2:]}
    members = _sheet(book, "household_survey.members")
    member_codes = members[1]
    assert member_codes[:3] == ["_parent", "_row_key", "_row"]
    total_rows = 0
    for r in stored:
        answers = json.loads(r["answers"])
        line = by_id[r["id"]]
        if "fibre" in answers:
            assert line["fibre"] == answers["fibre"]
            assert line["fibre_label"] == {"yes": "Có", "no": "Không"}[answers["fibre"]]
        total_rows += len(answers.get("members", []))
    assert len(members) - 2 == total_rows
    first = dict(zip(member_codes, members[2]))
    parent = json.loads(next(r["answers"] for r in stored if r["id"] == first["_parent"]))
    row = next(m for m in parent["members"] if m["@key"] == first["_row_key"])
    assert first["member_name"] == row["member_name"] and first["sex_label"] in ("Nam", "Nữ")
    assert isinstance(first["birth_year"], int)


def test_the_indicator_table_carries_codes_for_reporting_upward(store, tmp_path):
    book = openpyxl.load_workbook(exports.export_xlsx(store, tmp_path / "x.xlsx",
                                                      today=TODAY).path, read_only=True)
    table = _sheet(book, "indicators")
    codes = table[1]
    lines = [dict(zip(codes, r)) for r in table[2:] if r and len(r) > 3 and r[3]]
    commune = [line for line in lines if not line["village"]]
    assert {line["indicator"] for line in commune} >= {"smartphone", "epayment",
                                                       "barrier_no_device"}
    epayment = next(line for line in commune if line["indicator"] == "epayment")
    assert epayment["target"] == 80 and epayment["status"] in ("met", "not_met", "no_data")
    assert epayment["denominator"] == epayment["population"] - epayment["not_asked"] - \
        epayment["dont_know"] - epayment["refused"]
    assert epayment["period"] == str(TODAY.year)  # this year unless asked otherwise
    assert epayment["target_source"].startswith("Nghị quyết 49-NQ/TU ngày 28/9/2021")
    villages = {line["village"] for line in lines if line["village"]}
    assert villages and all(line["village_label"] for line in lines if line["village"])


def test_without_names_leaves_out_names_notes_and_what_comes_from_them(store, tmp_path):
    assert "Khảo sát kỹ năng số hộ gia đình" in exports.personal_columns(store)
    book = openpyxl.load_workbook(exports.export_xlsx(store, tmp_path / "x.xlsx", names=False,
                                                      today=TODAY).path, read_only=True)
    survey_codes = _sheet(book, "household_survey")[1]
    member_codes = _sheet(book, "household_survey.members")[1]
    assert "head_name" not in survey_codes and "phone" not in survey_codes
    assert "notes" not in survey_codes and "_user_label" not in survey_codes
    assert "member_name" not in member_codes and "member_label" not in member_codes
    assert "fibre" in survey_codes and "sex" in member_codes
    helped = _sheet(book, "sessions.persons_helped")[1]
    assert "person_id" in helped and "full_name" not in helped and "head_name" not in helped
    assert "notes" not in _sheet(book, "sessions")[1]
    assert "learner_name" not in _sheet(book, "classes.progress")[1]


def test_sessions_and_classes_are_exported_with_labels_beside_codes(store, demo, tmp_path):
    book = openpyxl.load_workbook(exports.export_xlsx(store, tmp_path / "x.xlsx",
                                                      today=TODAY).path, read_only=True)

    def lines(name):
        table = _sheet(book, name)
        return [dict(zip(table[1], r)) for r in table[2:]]

    sessions = lines("sessions")
    assert len(sessions) == rows(demo, "select count(*) n from sessions where deleted = 0")[0]["n"]
    assert [s["date"] for s in sessions] == sorted(s["date"] for s in sessions)
    enrol = next(s for s in sessions if "cccd_eid_enrolment" in s["activities"].split())
    assert "Đưa người dân" in enrol["activities_label"]
    helped = lines("sessions.persons_helped")
    stored = rows(demo, "select p.id, p.outcomes, q.full_name from session_persons p "
                        "left join persons q on q.id = p.person_id where p.deleted = 0")
    assert {h["_id"] for h in helped} == {r["id"] for r in stored}
    by_id = {r["id"]: r for r in stored}
    assert all(h["full_name"] == by_id[h["_id"]]["full_name"] for h in helped)
    assert all(h["_parent"] in {s["_id"] for s in sessions} for h in helped)
    progress = lines("classes.progress")
    assert len(progress) == rows(demo, "select count(*) n from progress where deleted = 0 "
                                       "and level is not null")[0]["n"]
    labels = {"not_started": "Chưa học", "shown": "Đã được hướng dẫn",
              "with_help": "Làm được khi có hỗ trợ", "alone": "Tự làm được"}
    assert all(labels[p["level"]] == p["level_label"] for p in progress)
    assert {c["name"] for c in lines("classes")} == {
        r["name"] for r in rows(demo, "select name from classes where deleted = 0")}
    june = exports.export_xlsx(store, tmp_path / "june.xlsx", today=TODAY,
                               period=Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30)))
    book = openpyxl.load_workbook(june.path, read_only=True)
    assert all(s["date"].startswith("2026-06") for s in lines("sessions"))
    assert all(a["date"].startswith("2026-06") for a in lines("classes.attendance"))


def test_csv_is_a_folder_of_files_excel_reads(store, tmp_path):
    result = exports.export_csv(store, tmp_path / "csv", today=TODAY)
    names = sorted(p.name for p in result.path.iterdir())
    assert names == ["classes.attendance.csv", "classes.csv", "classes.progress.csv",
                     "household_survey.csv", "household_survey.members.csv", "indicators.csv",
                     "sessions.csv", "sessions.persons_helped.csv"]
    raw = (result.path / "household_survey.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Vietnamese letters
    with (result.path / "household_survey.csv").open(encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    assert table[1][0] == "_id" and "Nhà có điện lưới quốc gia không?" in table[0]


def test_cancel_and_a_bad_destination_write_nothing(store, tmp_path):
    calls = iter(range(10_000))
    with pytest.raises(ReportCancelled):
        exports.export_xlsx(store, tmp_path / "x.xlsx", cancelled=lambda: next(calls) >= 0)
    with pytest.raises(ReportCancelled):
        exports.export_csv(store, tmp_path / "csv", cancelled=lambda: True)
    assert not (tmp_path / "x.xlsx").exists()
    assert list((tmp_path / "csv").iterdir()) == []
    (tmp_path / "file").write_text("x")
    from fieldapp.reports.pdf import OutputProblem

    with pytest.raises(OutputProblem):
        exports.export_csv(store, tmp_path / "file")
    with pytest.raises(OutputProblem):
        exports.export_xlsx(store, tmp_path / "nowhere" / "x.xlsx")


def test_each_export_is_in_the_audit_log(store, tmp_path):
    before = len(store.audit.list())
    exports.export_xlsx(store, tmp_path / "named.xlsx", today=TODAY)
    exports.export_csv(store, tmp_path / "csv", names=False, today=TODAY)
    events = store.audit.list()[:len(store.audit.list()) - before]
    assert sorted(e["action"] for e in events) == ["export_file", "export_named"]
    named = next(e for e in events if e["action"] == "export_named")
    assert named["detail"]["file"] == "named.xlsx"
