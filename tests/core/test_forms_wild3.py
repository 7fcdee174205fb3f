"""What a third sweep of public forms (onaio/onadata's and pyxform's older fixtures, kobotoolbox
and lykmapipo workbooks; /tmp corpus, not committed) tripped on once a form was walked, saved,
exported and printed as a commune does it, each written here as a small form of its own."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from broken_forms.builders import form, write_xlsx
from pypdf import PdfReader

from fieldapp import paths
from fieldapp.core.forms import FormInstance, FormLoadError
from fieldapp.services import reports
from fieldapp.services.forms import check_forms, load_form_file

SETTINGS = [["form_id", "version"], ["wild3", "1"]]


def load(tmp_path, survey, choices=None, name="w.xlsx"):
    return load_form_file(write_xlsx(tmp_path / name, form(survey, choices, SETTINGS)))


def test_enclosed_area_is_javarosas_name_for_area(tmp_path):
    # pyxform's own area.xlsx: JavaRosa names the function enclosed-area(), area() is its alias.
    f = load(tmp_path, [
        ["type", "name", "label", "calculation"],
        ["geoshape", "plot", "Mảnh ruộng"],
        ["calculate", "a1", None, "enclosed-area(${plot})"],
        ["calculate", "a2", None, "area(${plot})"]])
    inst = FormInstance(f)
    inst.set_value("plot", "21.5 105.8 0 0;21.501 105.8 0 0;21.501 105.801 0 0;21.5 105.8 0 0")
    assert inst.get_value("a1") == inst.get_value("a2")
    assert 5000 < float(inst.get_value("a1")) < 6000  # half of a ~111 m x 104 m rectangle


def test_a_question_longer_than_a_page_is_printed_over_several_pages(tmp_path):
    # onadata's select_one_choices_test.xlsx: a select of 200 villages stopped the printing
    # with reportlab's LayoutError (one table cell taller than the page).
    choices = [["list_name", "name", "label"]] + [
        ["village", f"v{i}", f"Thôn số {i} của xã Tân Thành"] for i in range(200)]
    target = paths.commune_forms_dir() / "long.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(target, form([["type", "name", "label"],
                             ["select_one village", "village", "Thôn nào?"],
                             ["text", "note_after", "Ghi chú"]], choices,
                            [["form_id", "version"], ["long_select", "1"]]))
    out = reports.questionnaire("long_select", tmp_path / "q.pdf", language="vi").path
    pages = PdfReader(io.BytesIO(Path(out).read_bytes())).pages
    text = "\n".join(p.extract_text() for p in pages)
    assert len(pages) >= 3
    assert "Thôn số 0 của xã Tân Thành" in text and "Thôn số 199 của xã Tân Thành" in text
    assert "Ghi chú" in text


def test_a_workbook_is_read_as_what_its_bytes_are_whatever_its_name_says(tmp_path):
    # lykmapipo/xlsform-template ships .xlsx workbooks named .xls; Excel opens them.
    survey = [["type", "name", "label"], ["text", "ten", "Họ và tên"]]
    f = load(tmp_path, survey, name="renamed.xls")
    assert [n.name for n in f.fields.values()] == ["ten"]
    assert check_forms([tmp_path / "renamed.xls"]).warnings == []  # pyxform reads it too
    (tmp_path / "broken.xls").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FormLoadError) as err:
        load_form_file(tmp_path / "broken.xls")
    [problem] = err.value.problems
    assert "xlsx" in problem.message and "Traceback" not in problem.message


def test_trigger_sets_a_question_when_another_changes_and_leaves_it_editable(tmp_path):
    # HOT's field-mapping forms and Kobo templates (29 public forms) use the trigger column:
    # ODK sets the question when the trigger changes (setvalue on xforms-value-changed), and
    # the member may still correct it. It used to be ignored: the question became calculated.
    f = load(tmp_path, [
        ["type", "name", "label", "calculation", "trigger"],
        ["integer", "adults", "Số người lớn"],
        ["integer", "meals", "Số suất ăn (gợi ý: gấp đôi)", "${adults} * 2", "${adults}"],
        ["select_one kind", "kind", "Loại nhà"],
        ["text", "detail", "Chi tiết loại nhà", None, "${kind}"],
        ["calculate", "changed_at", None, "concat('lần ', ${adults})", "${adults}, ${kind}"]],
        [["list_name", "name", "label"], ["kind", "a", "Nhà sàn"], ["kind", "b", "Nhà xây"]])
    inst = FormInstance(f)
    assert not inst.is_read_only("meals") and inst.get_value("meals") == ""
    inst.set_value("adults", "3")
    assert inst.get_value("meals") == "6" and inst.get_value("changed_at") == "lần 3"
    inst.set_value("meals", "7")  # corrected by the member, and kept ...
    inst.set_value("kind", "a")
    assert inst.get_value("meals") == "7" and inst.get_value("changed_at") == "lần 3"
    inst.set_value("detail", "hai tầng")
    inst.set_value("kind", "b")  # ... a trigger without a calculation clears its question
    assert inst.get_value("detail") == ""
    inst.set_value("adults", "4")  # until the trigger changes again
    assert inst.get_value("meals") == "8"


def test_trigger_inside_a_repeat_sets_the_same_row(tmp_path):
    f = load(tmp_path, [
        ["type", "name", "label", "calculation", "trigger"],
        ["begin repeat", "people", "Người"],
        ["integer", "birth", "Năm sinh"],
        ["integer", "age", "Tuổi", "2026 - ${birth}", "${birth}"],
        ["end repeat"]])
    inst = FormInstance(f)
    first, second = inst.add_repeat_row("people"), inst.add_repeat_row("people")
    inst.set_value(f"people[{second}]/birth", "1990")
    assert (inst.get_value(f"people[{first}]/age"),
            inst.get_value(f"people[{second}]/age")) == ("", "36")


def test_a_trigger_that_names_no_question_is_refused_where_it_is(tmp_path):
    survey = [["type", "name", "label", "calculation", "trigger"],
              ["integer", "a", "A"], ["integer", "b", "B", "${a}", "${nope}"],
              ["integer", "c", "C", "${a}", "a"]]
    with pytest.raises(FormLoadError) as err:
        load(tmp_path, survey)
    found = {(p.row, p.column): p.message for p in err.value.problems}
    assert set(found) == {(3, "trigger"), (4, "trigger")}, found
    assert "nope" in found[(3, "trigger")]
    assert "${name}" in found[(4, "trigger")]


def test_a_calculated_select_outside_its_list_does_not_stop_finalizing(tmp_path):
    f = load(tmp_path, [
        ["type", "name", "label", "calculation", "read_only"],
        ["integer", "score", "Điểm"],
        ["select_one level", "level", "Mức", "if(${score} > 9, '4', '1')", "yes"],
        ["select_one level", "chosen", "Mức tự chọn"]],
        [["list_name", "name", "label"], ["level", "4", "Khẩn cấp"], ["level", "3", "Khủng hoảng"]])
    inst = FormInstance(f)
    inst.set_value("score", "2")
    inst.set_value("chosen", "3")
    assert inst.get_value("level") == "1"  # kept as the form works it out, as JavaRosa does
    assert inst.errors() == [] and inst.can_finalize()
    inst.set_value("chosen", "9")  # a member's own answer must still be one of the choices
    assert [p for p, _m in inst.errors()] == ["chosen"]


def test_a_public_key_the_app_does_not_use_is_said(tmp_path):
    # onadata's encrypted-form: Collect encrypts each submission to the key; this app keeps
    # them readable to commune staff, so the form check must say so instead of staying silent.
    path = write_xlsx(tmp_path / "enc.xlsx", form(
        [["type", "name", "label"], ["text", "ten", "Họ và tên"]], None,
        [["form_id", "version", "public_key"], ["enc", "1", "MIIBIjANBgkqhkiG9w0BAQEF"]]))
    report = check_forms([path])
    assert report.problems == []
    [warning] = [w for w in report.warnings if "public_key" in w]
    assert "settings" in warning and "2" in warning


def test_a_form_that_requires_nothing_is_not_shown_as_answered_before_anything_is(tmp_path):
    # Most of onadata's and pyxform's forms require no question: the progress bar said
    # "answered 100%" on the first page of an untouched form.
    f = load(tmp_path, [["type", "name", "label"], ["text", "a", "A"], ["integer", "b", "B"],
                        ["note", "n", "Ghi chú"]])
    inst = FormInstance(f)
    assert inst.progress_counts() == (0, 2)
    inst.set_value("a", "x")
    assert inst.progress() == 0.5
    inst.set_value("b", "3")
    assert inst.progress() == 1.0


def test_a_roster_of_many_questions_is_printed_in_tables_that_fit_the_page(tmp_path):
    # mathieubossaert's suivi_maille_bota: a repeat of 148 species made columns narrower than
    # their padding and reportlab stopped the printing.
    survey = [["type", "name", "label"], ["begin repeat", "plots", "Ô mẫu"]]
    survey += [["integer", f"sp{i}", f"Loài số {i}"] for i in range(60)]
    survey += [["end repeat"]]
    target = paths.commune_forms_dir() / "wide.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(target, form(survey, None, [["form_id", "version"], ["wide_roster", "1"]]))
    out = reports.questionnaire("wide_roster", tmp_path / "w.pdf", language="vi").path
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(
        io.BytesIO(Path(out).read_bytes())).pages).split())
    assert "Loài số 0" in text and "Loài số 59" in text


def test_the_tables_of_a_form_with_a_long_id_keep_their_names(setup_store, tmp_path):
    import openpyxl

    from fieldapp.services.exports import export_csv, export_xlsx
    from fieldapp.services.forms import FormCatalog
    from fieldapp.services.surveys import SurveyService

    form_id = "transportation_with_a_very_very_long_id_string_2011_07_25"
    target = paths.commune_forms_dir() / "long_id.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(target, form([["type", "name", "label"], ["text", "place", "Nơi đến"],
                             ["begin repeat", "trips", "Chuyến đi"],
                             ["integer", "km", "Số km"], ["end repeat"]], None,
                            [["form_id", "version"], [form_id, "1"]]))
    service = SurveyService(setup_store, FormCatalog())
    f, inst = service.new_instance(form_id)
    inst.set_value("place", "Cao Bằng")
    inst.set_value(f"trips[{inst.add_repeat_row('trips')}]/km", "12")
    service.save(None, f, inst, finalize=True)
    export_xlsx(setup_store, tmp_path / "all.xlsx")
    sheets = openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True).sheetnames
    assert form_id[:31] in sheets
    assert any(s.endswith(".trips") and s.startswith("transportation") for s in sheets)
    export_csv(setup_store, tmp_path / "csv")
    assert (tmp_path / "csv" / f"{form_id}.csv").exists()
    assert (tmp_path / "csv" / f"{form_id}.trips.csv").exists()
