"""The filling-in runtime: relevance, calculations, validation, repeats, choices, pages, entities."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from broken_forms.builders import form, write_xlsx

from fieldapp.core.forms import FormInstance, PathError
from fieldapp.services.forms import load_form_file

VI, EN = "Vietnamese (vi)", "English (en)"
HEAD = ["type", "name", "label::Vietnamese (vi)", "label::English (en)", "relevant",
        "calculation", "constraint", "constraint_message::Vietnamese (vi)", "required",
        "required_message::Vietnamese (vi)", "choice_filter", "repeat_count", "default",
        "appearance", "read_only", "save_to"]


def r(type_, name, label=None, en=None, **cols):
    values = {"type": type_, "name": name, "label::Vietnamese (vi)": label,
              "label::English (en)": en}
    for key, value in cols.items():
        values[{"constraint_message": "constraint_message::Vietnamese (vi)",
                "required_message": "required_message::Vietnamese (vi)"}.get(key, key)] = value
    return [values.get(h) for h in HEAD]


CHOICES = [["list_name", "name", "label::Vietnamese (vi)", "label::English (en)", "village"],
           ["village", "na_pan", "Nà Pàn", "Na Pan", None],
           ["village", "ban_chang", "Bản Chang", "Ban Chang", None],
           ["hamlet", "h1", "Xóm 1", "Hamlet 1", "na_pan"],
           ["hamlet", "h2", "Xóm 2", "Hamlet 2", "na_pan"],
           ["hamlet", "h3", "Xóm 3", "Hamlet 3", "ban_chang"],
           ["apps", "zalo", "Zalo", "Zalo", None], ["apps", "vneid", "VNeID", "VNeID", None],
           ["sex", "m", "Nam", "Male", None], ["sex", "f", "Nữ", "Female", None]]

SURVEY = [
    HEAD,
    r("begin group", "hh", "Hộ gia đình", "Household", appearance="field-list"),
    r("select_one village", "village", "Thôn", "Village", required="yes"),
    r("select_one hamlet", "hamlet", "Xóm", "Hamlet", choice_filter="village = ${village}"),
    r("text", "head_name", "Chủ hộ", "Head", required="yes",
      required_message="Cần tên chủ hộ"),
    r("end group", None),
    r("integer", "hh_size", "Số người", "Size", constraint=". >= 1 and . <= 30",
      constraint_message="Từ 1 đến 30 người"),
    r("date", "visit_date", "Ngày", "Date", default="today()"),
    r("text", "note_text", "Ghi chú", "Notes", default="không"),
    r("begin repeat", "roster", "${member_name}, ${age}", "Member", repeat_count="${hh_size}"),
    r("text", "member_name", "Họ tên", "Name", required="yes", save_to="persons#full_name"),
    r("integer", "age", "Tuổi", "Age", constraint=". < 120", save_to="persons#age"),
    r("select_one sex", "sex", "Giới tính", "Sex"),
    r("select_multiple apps", "apps", "Ứng dụng", "Apps", relevant="${age} >= 15"),
    r("calculate", "is_adult", calculation="if(${age} >= 18, 1, 0)"),
    r("calculate", "pos", calculation="position(..)"),
    r("end repeat", None),
    r("calculate", "adults", calculation="sum(${is_adult})"),
    r("calculate", "zalo_users",
      calculation="count-selected(${apps})"),
    r("note", "summary", "Người lớn: ${adults}", "Adults: ${adults}"),
    r("text", "id_card", "CCCD", "ID", relevant="${adults} > 0", read_only="${adults} > 5"),
    r("begin repeat", "visits", "Lần thăm", "Visit"),
    r("date", "when", "Ngày thăm", "When"),
    r("end repeat", None),
    r("calculate", "hh_label", calculation="concat(${head_name}, ' (', ${village}, ')')",
      save_to="households#head_name"),
]
ENTITIES = [["list_name", "label", "create_if", "update_if", "entity_id"],
            ["households", "${head_name}", None, None, None],
            ["persons", "${member_name}", "${age} != ''", None, None]]

TODAY = dt.date(2026, 11, 23)


class Registry:
    def __init__(self):
        self.rows = {
            "households.csv": [
                {"name": "hh-1", "label": "Hoàng Văn Sơn", "village": "na_pan"},
                {"name": "hh-2", "label::Vietnamese (vi)": "Lường Thị Mai", "village": "ban_chang"},
            ],
        }

    def list_rows(self, csv_name):
        return self.rows.get(csv_name, [])


@pytest.fixture(scope="module")
def hh_form(tmp_path_factory):
    path = tmp_path_factory.mktemp("forms") / "hh.xlsx"
    return load_form_file(write_xlsx(path, form(SURVEY, CHOICES, entities=ENTITIES)))


@pytest.fixture
def inst(hh_form):
    return FormInstance(hh_form, today=TODAY, registry=Registry())


def fill_roster(inst, people):
    inst.set_value("hh_size", str(len(people)))
    for i, (name, age) in enumerate(people):
        inst.set_value(f"roster[{i}]/member_name", name)
        inst.set_value(f"roster[{i}]/age", str(age))


def test_defaults_static_and_dynamic_applied_on_creation(inst):
    assert inst.get_value("visit_date") == "2026-11-23"
    assert inst.get_value("note_text") == "không"


def test_reopened_submission_keeps_cleared_defaults(hh_form):
    again = FormInstance(hh_form, {"hh_size": "1"}, today=TODAY)
    assert again.get_value("note_text") == ""
    assert again.get_value("visit_date") == ""


def test_set_value_normalises_to_nfc(inst):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hà")
    inst.set_value("head_name", decomposed)
    assert inst.get_value("head_name") == unicodedata.normalize("NFC", "Nguyễn Thị Hà")
    inst.set_value("visit_date", dt.date(2026, 1, 2))
    assert inst.get_value("visit_date") == "2026-01-02"


def test_repeat_count_keeps_rows_in_sync(inst):
    inst.set_value("hh_size", "3")
    assert inst.repeat_rows("roster") == 3
    inst.set_value("roster[2]/member_name", "Lò Văn Tủa")
    inst.set_value("hh_size", "2")
    assert inst.repeat_rows("roster") == 2
    with pytest.raises(PathError):
        inst.get_value("roster[2]/member_name")
    with pytest.raises(ValueError):
        inst.add_repeat_row("roster")
    inst.set_value("hh_size", "nonsense")
    assert inst.repeat_rows("roster") == 0


def test_user_driven_repeat_add_and_remove(inst):
    assert inst.repeat_rows("visits") == 0
    assert inst.add_repeat_row("visits") == 0
    assert inst.add_repeat_row("visits") == 1
    inst.set_value("visits[0]/when", "2026-01-01")
    inst.set_value("visits[1]/when", "2026-02-01")
    inst.remove_repeat_row("visits", 0)
    assert inst.repeat_rows("visits") == 1
    assert inst.get_value("visits[0]/when") == "2026-02-01"
    with pytest.raises(PathError):
        inst.remove_repeat_row("visits", 5)


def test_calculations_in_dependency_order_across_repeat_rows(inst):
    fill_roster(inst, [("Hoàng Văn Sơn", 34), ("Hoàng Thị Lan", 30), ("Hoàng Văn An", 8)])
    assert inst.get_value("roster[2]/is_adult") == "0"
    assert inst.get_value("roster[1]/pos") == "2"
    assert inst.get_value("adults") == "2"
    assert inst.label("summary") == "Người lớn: 2"
    assert inst.label("summary", EN) == "Adults: 2"
    inst.set_value("roster[2]/age", "19")
    assert inst.get_value("adults") == "3"
    with pytest.raises(ValueError):
        inst.set_value("adults", "7")


def test_relevance_hides_and_blanks_values(inst):
    fill_roster(inst, [("Hoàng Văn An", 20)])
    inst.set_value("roster[0]/apps", ["zalo", "vneid"])
    assert inst.get_value("roster[0]/apps") == "zalo vneid"
    assert inst.get_value("zalo_users") == "2"
    inst.set_value("roster[0]/age", "10")
    assert not inst.is_relevant("roster[0]/apps")
    assert inst.get_value("roster[0]/apps") == ""
    assert "apps" not in inst.answers["roster"][0]
    assert inst.get_value("zalo_users") == "0"
    inst.set_value("roster[0]/age", "16")  # the answer comes back when relevant again
    assert inst.get_value("roster[0]/apps") == "zalo vneid"


def test_read_only_expression(inst):
    fill_roster(inst, [(f"Người {i}", 30) for i in range(6)])
    assert inst.is_read_only("id_card") and inst.is_read_only("summary")
    with pytest.raises(ValueError):
        inst.set_value("id_card", "0123")


def test_required_and_constraint_messages_per_language(inst):
    """The form's own messages follow the form language; built-in ones the interface language
    (English in tests, see tests/core/test_forms_i18n.py for Vietnamese)."""
    inst.set_value("hh_size", "40")
    errors = dict(inst.errors())
    assert errors["head_name"] == "Cần tên chủ hộ"
    assert errors["village"] == "This question requires an answer."
    assert errors["hh_size"] == "Từ 1 đến 30 người"
    assert dict(inst.errors(language=EN))["village"] == "This question requires an answer."
    assert not inst.can_finalize()
    inst.set_value("hh_size", "1.5")
    assert dict(inst.errors(language=EN))["hh_size"] == "Enter a whole number."


def test_errors_on_one_page_and_finalize(inst):
    first = inst.pages()[0]
    assert first.paths == ("village", "hamlet", "head_name")
    assert {p for p, _m in inst.errors(first)} == {"village", "head_name"}
    inst.set_value("village", "na_pan")
    inst.set_value("head_name", "Hoàng Văn Sơn")
    fill_roster(inst, [("Hoàng Văn Sơn", 34)])
    assert inst.errors() == []
    assert inst.can_finalize()
    inst.set_value("village", "nowhere")
    assert dict(inst.errors())["village"] == "This choice is not in the list."


def test_choice_filter(inst):
    assert inst.choices_for("hamlet") == []
    inst.set_value("village", "na_pan")
    assert [c.name for c in inst.choices_for("hamlet")] == ["h1", "h2"]
    inst.set_value("village", "ban_chang")
    assert [c.name for c in inst.choices_for("hamlet")] == ["h3"]
    assert inst.choices_for("head_name") == []


def test_pages_sections_and_row_titles(inst):
    fill_roster(inst, [("Hoàng Văn Sơn", 34), ("Hoàng Thị Lan", 30)])
    pages = inst.pages()
    keys = [p.key for p in pages]
    assert keys[:4] == ["hh", "hh_size", "visit_date", "note_text"]
    assert "roster[1]/age" in keys and "roster[0]/apps" in keys
    assert "roster[0]/is_adult" not in keys  # calculates are not shown
    lan = next(p for p in pages if p.key == "roster[1]/member_name")
    assert lan.row_title == "2. Hoàng Thị Lan, 30" and lan.repeat_path == "roster[1]"
    add = next(p for p in pages if p.add_row)
    assert add.add_row == "visits" and add.paths == ()
    assert pages[0].title == "Hộ gia đình"
    sections = inst.sections()
    assert [s.name for s in sections][:3] == ["hh", "hh_size", "visit_date"]
    roster = next(s for s in sections if s.name == "roster")
    assert pages[roster.first_page].key == "roster[0]/member_name"
    assert "id_card" in keys  # relevant once the roster has adults


def test_pages_leave_out_non_relevant_questions(inst):
    assert "id_card" not in [p.key for p in inst.pages()]
    fill_roster(inst, [("Hoàng Văn An", 8)])
    keys = [p.key for p in inst.pages()]
    assert "id_card" not in keys and "roster[0]/apps" not in keys


def test_row_title_falls_back_to_first_text_answer(tmp_path):
    f = load_form_file(write_xlsx(tmp_path / "r.xlsx", form([
        HEAD, r("begin repeat", "kids", "Trẻ em"), r("integer", "kid_age", "Tuổi"),
        r("text", "kid_name", "Tên"), r("end repeat", None)])))
    inst = FormInstance(f)
    inst.add_repeat_row("kids")
    inst.add_repeat_row("kids")
    inst.set_value("kids[1]/kid_name", "Mai")
    titles = [p.row_title for p in inst.pages() if p.repeat_path]
    assert titles == ["1. Trẻ em", "1. Trẻ em", "2. Mai", "2. Mai"]


def test_progress(inst):
    before = inst.progress()
    inst.set_value("village", "na_pan")
    assert inst.progress() > before
    assert 0.0 <= inst.progress() <= 1.0


def test_json_round_trip(hh_form, inst):
    inst.set_value("village", "na_pan")
    fill_roster(inst, [("Hoàng Văn Sơn", 34)])
    data = inst.to_json()
    assert data["form_id"] == "test_form" and data["version"] == "1"
    again = FormInstance.from_json(hh_form, data, today=TODAY)
    assert again.answers == inst.answers
    assert again.get_value("roster[0]/member_name") == "Hoàng Văn Sơn"
    with pytest.raises(ValueError):
        FormInstance.from_json(hh_form, {**data, "form_id": "other"})
    with pytest.raises(ValueError):
        FormInstance.from_json(hh_form, {**data, "version": "0"})


def test_unknown_paths(inst):
    for bad in ("nope", "roster/member_name", "member_name", "roster[x]/age", "hh_size[0]", ""):
        with pytest.raises(PathError):
            inst.get_value(bad)


def test_entity_operations(inst):
    inst.set_value("village", "na_pan")
    inst.set_value("head_name", "Hoàng Văn Sơn")
    inst.set_value("hh_size", "2")
    inst.set_value("roster[0]/member_name", "Hoàng Văn Sơn")
    inst.set_value("roster[0]/age", "34")
    inst.set_value("roster[1]/member_name", "Bé chưa rõ tuổi")
    ops = inst.entity_operations()
    assert ops == [
        {"dataset": "households", "action": "create", "entity_id": None,
         "label": "Hoàng Văn Sơn", "properties": {"head_name": "Hoàng Văn Sơn (na_pan)"},
         "repeat_path": None, "row_index": None, "row_key": None},
        {"dataset": "persons", "action": "create", "entity_id": None, "label": "Hoàng Văn Sơn",
         "properties": {"full_name": "Hoàng Văn Sơn", "age": "34"},
         "repeat_path": "roster", "row_index": 0,
         "row_key": inst.answers["roster"][0]["@key"]},
    ]


def test_entity_update_with_entity_id_and_registry_choices(tmp_path):
    survey = [HEAD,
              r("select_one_from_file households.csv", "household", "Hộ", "Household",
                choice_filter="village = ${village}"),
              r("select_one village", "village", "Thôn", "Village"),
              r("text", "phone", "Điện thoại", "Phone", save_to="households#phone")]
    entities = [["list_name", "label", "entity_id", "update_if"],
                ["households", "jr:choice-name(${household}, '${household}')", "${household}",
                 "${phone} != ''"]]
    f = load_form_file(write_xlsx(tmp_path / "u.xlsx", form(survey, CHOICES, entities=entities)))
    inst = FormInstance(f, registry=Registry())
    inst.set_value("village", "ban_chang")
    choices = inst.choices_for("household")
    assert [(c.name, c.label) for c in choices] == [("hh-2", {VI: "Lường Thị Mai"})]
    inst.set_value("household", "hh-2")
    assert inst.entity_operations() == []  # update_if does not hold yet
    inst.set_value("phone", "0912345678")
    assert inst.entity_operations() == [
        {"dataset": "households", "action": "update", "entity_id": "hh-2",
         "label": "Lường Thị Mai", "properties": {"phone": "0912345678"},
         "repeat_path": None, "row_index": None, "row_key": None}]


def test_or_other_adds_choice_and_specify_field(tmp_path):
    f = load_form_file(write_xlsx(tmp_path / "o.xlsx", form(
        [HEAD, r("select_one sex or_other", "g", "Giới", "Gender")], CHOICES)))
    inst = FormInstance(f)
    assert [c.name for c in inst.choices_for("g")] == ["m", "f", "other"]
    assert not inst.is_relevant("g_other")
    inst.set_value("g", "other")
    assert inst.is_relevant("g_other")
    assert ("g_other", "This question requires an answer.") in inst.errors()


def test_languages_by_name_or_code(inst):
    assert inst.label("hh_size", EN) == "Size"
    assert inst.label("hh_size", "en") == "Size"
    assert inst.label("hh_size", "tyz") == "Số người"  # no Tày label: the default language


def test_set_values_recomputes_once_and_checks_every_path_first(inst):
    inst.set_values({"village": "na_pan", "hh_size": "2", "head_name": "Sơn"})
    assert inst.repeat_rows("roster") == 2
    with pytest.raises(PathError):
        inst.set_values({"head_name": "Mai", "nope": "1"})
    assert inst.get_value("head_name") == "Sơn"


def test_once_keeps_the_first_value(tmp_path):
    f = load_form_file(write_xlsx(tmp_path / "once.xlsx", form([
        HEAD, r("text", "name", "Tên"),
        r("calculate", "first_name", calculation="once(${name})")])))
    inst = FormInstance(f)
    inst.set_value("name", "An")
    assert inst.get_value("first_name") == "An"
    inst.set_value("name", "Bình")
    assert inst.get_value("first_name") == "An"
    assert f.fields["first_name"].once


def test_indexed_repeat_and_relative_paths(tmp_path):
    f = load_form_file(write_xlsx(tmp_path / "ix.xlsx", form([
        HEAD, r("begin repeat", "kids", "Trẻ"), r("text", "kid", "Tên"),
        r("calculate", "prev", calculation="indexed-repeat(${kid}, ${kids}, position(..) - 1)"),
        r("calculate", "me", calculation="../kid"),
        r("end repeat", None),
        r("calculate", "second", calculation="indexed-repeat(${kid}, ${kids}, 2)")])))
    inst = FormInstance(f)
    for name in ("An", "Bình", "Chi"):
        i = inst.add_repeat_row("kids")
        inst.set_value(f"kids[{i}]/kid", name)
    assert inst.get_value("second") == "Bình"
    assert inst.get_value("kids[2]/prev") == "Bình"
    assert inst.get_value("kids[0]/prev") == "An"  # JavaRosa reads index 0 as 1
    assert inst.get_value("kids[1]/me") == "Bình"


def test_questions_in_plain_groups_carry_the_group_title(tmp_path):
    f = load_form_file(write_xlsx(tmp_path / "g.xlsx", form([
        HEAD, r("begin group", "outer", "Hộ"), r("text", "a", "A"),
        r("begin group", "inner", "Điện"), r("text", "b", "B"), r("end group", None),
        r("end group", None), r("text", "c", "C")])))
    crumbs = {p.key: p.group_title for p in FormInstance(f).pages()}
    assert crumbs == {"a": "Hộ", "b": "Điện", "c": ""}
