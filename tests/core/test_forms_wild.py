"""Forms written for ODK Collect and KoboToolbox: the features they use load and work, the data
files shipped with them are checked at load, and hostile workbooks are refused quickly."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from broken_forms.builders import form, write_md, write_xlsx

from fieldapp.core.forms import FormInstance, FormLoadError, load_form
from fieldapp.core.xpath import DictContext, ExprSyntaxError, parse
from fieldapp.services.forms import check_files, discover_forms, load_form_file

SETTINGS = [["form_id", "version"], ["wild", "1"]]
NOW = dt.datetime(2026, 11, 23, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def problems(path):
    with pytest.raises(FormLoadError) as err:
        load_form_file(path)
    return [(p.sheet, p.row, p.column, p.message) for p in err.value.problems]


def test_metadata_aliases_and_language_columns_as_collect_forms_write_them(tmp_path):
    path = write_xlsx(tmp_path / "kobo.xlsx", {
        "survey": [["type", "name", "label:English", "label:Tiếng Việt", "relevant"],
                   ["start", "start"], ["end", "end"], ["today", "today"],
                   ["deviceid", "deviceid"], ["phonenumber", "phone"], ["audit", "audit"],
                   ["start-geopoint", "where"], ["get device id", "dev2"],
                   ["select one from yn or specify other", "q", "Q?", "Hỏi?"],
                   ["note", None, "A note without a name", "Ghi chú"],
                   ["q int", "age", "Age", "Tuổi", "${q} = ‘yes’"],
                   ["photo", "pic", "Photo", "Ảnh"], ["gps", "gps", "Where", "Ở đâu"]],
        "choices": [["list_name", "name", "label:English", "label:Tiếng Việt"],
                    ["yn", "yes", "Yes", "Có"], ["yn", "no", "No", "Không"]]})
    f = load_form_file(path)
    assert f.form_id == "kobo" and f.version.startswith("h")
    assert f.languages == ["English", "Tiếng Việt"]
    types = {n: x.type for n, x in f.fields.items()}
    assert types["dev2"] == "deviceid" and types["age"] == "integer"
    assert types["pic"] == "image" and types["gps"] == "geopoint"
    assert types["where"] == "start-geopoint" and f.fields["q"].or_other
    assert "generated_note_name_11" in f.fields
    inst = FormInstance(f, now=NOW, today=NOW.date(), metadata={"deviceid": "fieldapp:x"})
    assert inst.get_value("deviceid") == "fieldapp:x" and inst.get_value("today") == "2026-11-23"
    assert inst.get_value("phone") == "" and inst.get_value("where") == ""
    assert not any(p for page in inst.pages() for p in page.paths if p in ("start", "deviceid"))
    inst.set_value("q", "yes")
    assert inst.is_relevant("age")  # the typographic quotes read as straight ones


def test_a_name_used_again_in_another_group_loads_and_a_reference_to_it_is_ambiguous(tmp_path):
    survey = [["type", "name", "label", "relevant"],
              ["begin group", "a", "A"], ["text", "name", "Tên"], ["end group", None],
              ["begin group", "b", "B"], ["text", "name", "Tên"], ["end group", None],
              ["integer", "n", "N"]]
    f = load_form_file(write_xlsx(tmp_path / "dup.xlsx", form(survey, settings=SETTINGS)))
    assert {"name", "b.name"} <= set(f.fields)
    assert f.fields["b.name"].source_name == "name"
    survey[-1] = ["integer", "n", "N", "${name} != ''"]
    found = problems(write_xlsx(tmp_path / "dup2.xlsx", form(survey, settings=SETTINGS)))
    assert any(r == 8 and "ambiguous" in m for _s, r, _c, m in found)


CROPS = "name,label,price\nlua,Lúa,8000\nngo,Ngô,6500\n"
LOOKUP = [["type", "name", "label", "calculation", "choice_filter"],
          ["select_one_from_file crops.csv", "crop", "Cây"],
          ["calculate", "price", None, "instance('crops')/root/item[name = ${crop}]/price"],
          ["calculate", "p2", None, "pulldata('crops', 'price', 'name', ${crop})"],
          ["calculate", "n", None, "count(instance('crops')/root/item[price > 7000])"],
          ["calculate", "first", None, "instance('crops')/root/item[1]/label"]]


def test_csv_shipped_with_the_form_choices_lookups_and_pulldata(tmp_path):
    write_xlsx(tmp_path / "wild.xlsx", form(LOOKUP, settings=SETTINGS))
    media = tmp_path / "wild-media"
    media.mkdir()
    (media / "crops.csv").write_text(CROPS, encoding="utf-8")
    f = load_form_file(tmp_path / "wild.xlsx")
    assert set(f.media) == {"crops.csv"}
    inst = FormInstance(f)
    assert [c.name for c in inst.choices_for("crop")] == ["lua", "ngo"]
    inst.set_value("crop", "ngo")
    assert (inst.get_value("price"), inst.get_value("p2")) == ("6500", "6500")
    assert (inst.get_value("n"), inst.get_value("first")) == ("1", "Lúa")
    assert inst.errors() == []
    # The CSV beside the workbook (not in -media) is found too, and is no form of its own.
    (tmp_path / "crops.csv").write_text(CROPS, encoding="utf-8")
    (media / "crops.csv").unlink()
    found = discover_forms([tmp_path])
    assert [(p.name, type(r).__name__) for p, r in found] == [("wild.xlsx", "Form")]


@pytest.mark.parametrize("content, fragment", [
    ("name,label,price\nlua,L\xfaa,1\n".encode("latin-1"), "is not UTF-8 text"),
    (b"id,title\n1,a\n", "has no column 'name'"),
    (b"name,label\na,A\na,B\n", "has the value 'a' twice"),
    (b"", "is empty"),
])
def test_a_bad_choice_file_gets_a_located_message(tmp_path, content, fragment):
    write_xlsx(tmp_path / "wild.xlsx", form(LOOKUP[:2], settings=SETTINGS))
    (tmp_path / "crops.csv").write_bytes(content)
    found = problems(tmp_path / "wild.xlsx")
    assert any(s == "survey" and r == 2 and c == "type" and fragment in m
               for s, r, c, m in found), found


def test_xml_and_geojson_files_and_external_choices(tmp_path):
    survey = [["type", "name", "label", "calculation", "choice_filter"],
              ["xml-external", "places"],
              ["select_one_from_file plots.geojson", "plot", "Mảnh"],
              ["calculate", "where", None, "instance('plots')/root/item[id = ${plot}]/geometry"],
              ["calculate", "district", None,
               "instance('places')/root/commune[@code = '01']/district"],
              ["select_one dist", "d", "Huyện"],
              ["select_one_external villages", "v", "Thôn", None, "district = ${d}"]]
    sheets = form(survey, [["list_name", "name", "label"], ["dist", "tr", "Tràng Định"]],
                  SETTINGS, external_choices=[["list_name", "name", "label", "district"],
                                              ["villages", "kh", "Bản Khuông", "tr"],
                                              ["villages", "xx", "Khác", "zz"]])
    write_xlsx(tmp_path / "wild.xlsx", sheets)
    (tmp_path / "places.xml").write_text(
        '<root><commune code="01"><district>Tràng Định</district></commune></root>',
        encoding="utf-8")
    (tmp_path / "plots.geojson").write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "id": "p1", '
        '"geometry": {"type": "Point", "coordinates": [106.7, 21.8]}, '
        '"properties": {"title": "Ruộng 1"}}]}', encoding="utf-8")
    inst = FormInstance(load_form_file(tmp_path / "wild.xlsx"))
    assert inst.get_value("district") == "Tràng Định"
    inst.set_value("plot", "p1")
    assert inst.get_value("where") == "21.8 106.7 0 0"
    inst.set_value("d", "tr")
    assert [c.name for c in inst.choices_for("v")] == ["kh"]


def test_a_missing_data_file_names_the_file_and_where_to_put_it(tmp_path):
    write_xlsx(tmp_path / "wild.xlsx", form(LOOKUP, settings=SETTINGS))
    found = problems(tmp_path / "wild.xlsx")
    assert [(s, r, c) for s, r, c, _m in found] == [("survey", 2, "type")]
    assert "put it beside the workbook" in found[0][3]


def test_refused_features_name_themselves_and_forms_check_never_prints_a_traceback(tmp_path):
    bad = write_md(tmp_path / "refused.md", form(
        [["type", "name", "label"], ["osm", "building", "B"], ["text", "rec", "R"],
         ["begin loop", "l", "L"], ["text", "x", "X"], ["end loop", None, None]],
        [["list_name", "name", "label"], ["yn", "yes", "Yes"]], SETTINGS))
    lines = check_files([bad])
    assert any("row 2, column type" in line and "OpenStreetMap" in line for line in lines)
    assert any("row 4" in line and "needs 'over' and a choice list" in line for line in lines)
    assert not any("Traceback" in line for line in lines)


def _zip_bomb(tmp_path):
    sheet = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData>' + b"<!-- padding -->" * 4_000_000
             + b"</sheetData></worksheet>")
    buf = io.BytesIO()
    good = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.title = "survey"
    wb.active.append(["type", "name", "label"])
    wb.save(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = sheet if item.filename.endswith("sheet1.xml") else src.read(item)
            dst.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_by_what_it_unpacks_to(tmp_path):
    data = _zip_bomb(tmp_path)
    assert len(data) < 1024 * 1024  # small on disk: the limit must count what it unpacks to
    with pytest.raises(FormLoadError) as err:
        load_form(data, "bomb.xlsx")
    assert "unpacks to more than" in str(err.value)


def test_a_formula_where_an_expression_belongs_is_named(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "relevant"])
    ws.append(["integer", "a", "A"])
    ws.append(["text", "b", "B", '=IF(A2>1,"x","y")'])
    path = tmp_path / "formula.xlsx"
    wb.save(path)
    found = problems(path)
    assert [(s, r, c) for s, r, c, _m in found] == [("survey", 3, "relevant")]
    assert "spreadsheet formula" in found[0][3]


def test_deep_nesting_is_a_located_error_and_a_sum_of_a_thousand_fields_works(tmp_path):
    with pytest.raises(ExprSyntaxError) as err:
        parse("(" * 330 + "1" + ")" * 330)
    assert "nested more than" in err.value.message
    names = [f"f{i}" for i in range(1000)]
    expr = parse(" + ".join(f"${{{n}}}" for n in names))
    assert expr.evaluate(DictContext({n: "1" for n in names})) == 1000.0
    survey = [["type", "name", "label", "calculation", "relevant"]]
    survey += [["integer", n, n] for n in names]
    survey.append(["calculate", "total", None, " + ".join(f"${{{n}}}" for n in names)])
    survey.append(["text", "deep", "D", None, "(" * 330 + "1" + ")" * 330])
    path = write_xlsx(tmp_path / "big.xlsx", form(survey, settings=SETTINGS))
    found = problems(path)
    assert [(s, r, c) for s, r, c, _m in found] == [("survey", 1003, "relevant")]


@pytest.mark.parametrize("text", ["round(${x}, 1 div 0)", "round(${x}, -1 div 0)",
                                  "sum(${r})", "pow(10, 400) * 10"])
def test_evaluation_does_not_raise_where_it_promises_not_to(text):
    ctx = DictContext({"x": "2.5", "r": None}, {"rep": [{"r": str(10 ** 308)}] * 2})
    assert isinstance(parse(text).evaluate_str(ctx), str)


def test_expression_semantics_as_javarosa_gives_them():
    assert parse("6.1 - 7.8 = -1.7").evaluate(DictContext()) is True
    assert parse("${t} = ${a} + ${b}").evaluate(
        DictContext({"t": "0.3", "a": "0.1", "b": "0.2"})) is True
    assert parse("decimal-date-time('-1000')").evaluate_str(DictContext()) == "NaN"
    utc = DictContext(now=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert parse("decimal-time('2000-01-01T10:20:30.000+03:00')").evaluate(utc) == \
        pytest.approx(0.30590277777810115, abs=1e-12)


def test_a_value_far_down_a_sheet_is_refused_and_styled_empty_rows_are_skipped(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label"])
    ws.append(["text", "a", "A"])
    ws["C1000000"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(FormLoadError) as err:
        load_form(buf.getvalue(), "far.xlsx")
    assert "has a value in row 1000000" in str(err.value)
    # LibreOffice writes styled empty rows down to row 1,048,576; they are dropped unread.
    ws["C1000000"] = None
    for r in (1048575, 1048576):
        ws.row_dimensions[r].height = 13
        ws.cell(row=r, column=1).style = "Note"
    buf = io.BytesIO()
    wb.save(buf)
    assert load_form(buf.getvalue(), "styled.xlsx").fields["a"].row == 2


def test_allow_choice_duplicates_setting(tmp_path):
    survey = [["type", "name", "label"], ["select_one l", "q", "Q"]]
    choices = [["list_name", "name", "label"], ["l", "a", "A"], ["l", "a", "A again"]]
    found = problems(write_xlsx(tmp_path / "dup.xlsx", form(survey, choices, SETTINGS)))
    assert [(s, r, c) for s, r, c, _m in found] == [("choices", 3, "name")]
    settings = [["form_id", "version", "allow_choice_duplicates"], ["wild", "1", "yes"]]
    f = load_form_file(write_xlsx(tmp_path / "dup2.xlsx", form(survey, choices, settings)))
    assert len(f.choice_lists["l"].choices) == 2


def test_markup_in_labels_is_taken_out_and_randomized_choices_keep_one_order(tmp_path):
    survey = [["type", "name", "label", "parameters"],
              ["select_one l", "q", '<span style="color:red">**Chọn**</span> một', "randomize=true"]]
    choices = [["list_name", "name", "label"]] + [["l", f"c{i}", f"*C{i}*"] for i in range(8)]
    f = load_form_file(write_xlsx(tmp_path / "m.xlsx", form(survey, choices, SETTINGS)))
    assert f.text(f.fields["q"].label) == "Chọn một"
    inst = FormInstance(f)
    order = [c.name for c in inst.choices_for("q")]
    assert sorted(order) == [f"c{i}" for i in range(8)]
    assert [c.name for c in inst.choices_for("q")] == order
    assert f.text(inst.choices_for("q")[0].label).startswith("C")
    assert parse("count(randomize(${r}, 3))").evaluate(
        DictContext(repeats={"rep": [{"r": "a"}, {"r": "b"}]})) == 2.0
