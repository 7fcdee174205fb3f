"""Loader checks: every kind of problem is reported with its sheet, row and column."""

from __future__ import annotations

import pytest
from broken_forms.builders import SETTINGS, form, write_md, write_xlsx

from fieldapp.core.forms import FormInstance, FormLoadError, FormProblem, Repeat
from fieldapp.services.forms import check_files, discover_forms, load_form_file

HEAD = ["type", "name", "label::Vietnamese (vi)", "label::English (en)", "relevant",
        "calculation", "constraint", "choice_filter", "repeat_count"]
YES_NO = [["list_name", "name", "label::Vietnamese (vi)", "label::English (en)"],
          ["yn", "yes", "Có", "Yes"], ["yn", "no", "Không", "No"]]


def row(type_, name, label="Nhãn", *, relevant=None, calculation=None, constraint=None,
        choice_filter=None, repeat_count=None, en="Label"):
    return [type_, name, label, en, relevant, calculation, constraint, choice_filter,
            repeat_count]


def problems_of(tmp_path, sheets, name="f.xlsx") -> list[FormProblem]:
    path = write_xlsx(tmp_path / name, sheets)
    with pytest.raises(FormLoadError) as err:
        load_form_file(path)
    return err.value.problems


def find(problems, sheet, row_n, column, text):
    hits = [p for p in problems if p.sheet == sheet and p.row == row_n and p.column == column
            and text in p.message]
    assert hits, f"no {sheet} row {row_n} column {column} '{text}' in:\n" + "\n".join(
        map(str, problems))
    return hits[0]


def test_valid_form_loads_with_languages_settings_and_structure(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", form(
        [HEAD, row("text", "head_name", "Chủ hộ"), row("integer", "hh_size"),
         row("begin repeat", "roster", "Thành viên", repeat_count="${hh_size}"),
         row("text", "member_name"), row("select_one yn", "has_phone"),
         row("end repeat", None, None, en=None),
         row("calculate", "n", None, calculation="count(${roster})", en=None)],
        YES_NO))
    f = load_form_file(path)
    assert (f.form_id, f.version, f.default_language) == ("test_form", "1", "Vietnamese (vi)")
    assert f.languages == ["Vietnamese (vi)", "English (en)"]
    assert f.language_codes == {"Vietnamese (vi)": "vi", "English (en)": "en"}
    assert f.language_for_code("en") == "English (en)"
    roster = f.nodes["roster"]
    assert isinstance(roster, Repeat) and roster.repeat_count.references() == {"hh_size"}
    assert f.fields["member_name"].repeat is roster
    assert f.fields["head_name"].label == {"Vietnamese (vi)": "Chủ hộ", "English (en)": "Label"}
    assert f.fields["head_name"].row == 2 and f.fields["member_name"].row == 5
    assert f.choice_lists["yn"].by_name("no").label["Vietnamese (vi)"] == "Không"
    assert [c.name for c in f.calculation_order] == ["n"]


def test_row_numbers_count_empty_rows_like_excel(tmp_path):
    problems = problems_of(tmp_path, form([HEAD, row("text", "a"), [], [],
                                           row("osm", "map")]))
    find(problems, "survey", 5, "type", "'osm' is refused: OpenStreetMap")


def test_unknown_and_refused_types(tmp_path):
    problems = problems_of(tmp_path, form([HEAD, row("frobnicate", "a"), row("osm", "b"),
                                           row("background-audio", "c"), row("text", "d"),
                                           row("begin loop over nolist", "e"),
                                           row("end loop", None)], YES_NO))
    find(problems, "survey", 2, "type", "unknown question type 'frobnicate'")
    find(problems, "survey", 3, "type", "geopoint or geoshape questions instead")
    find(problems, "survey", 6, "type", "'nolist' does not exist")
    assert len(problems) == 3  # background-audio loads (a warning: nothing is recorded)


def test_a_loop_over_a_choice_list_becomes_a_group_per_choice(tmp_path):
    path = write_xlsx(tmp_path / "loop.xlsx", form([
        HEAD + ["bind:relevant"], row("select_multiple yn", "which"),
        row("begin loop over yn", "each", "Mỗi lựa chọn"),
        row("integer", "count", "Bao nhiêu %(label)s?") + ["selected(${which}, '%(name)s')"],
        row("end loop", None)], YES_NO))
    f = load_form_file(path)
    assert [n for n in f.fields if n.endswith("count")] == ["count", "no.count"]
    assert f.text(f.fields["no.count"].label) == "Bao nhiêu Không?"
    assert f.fields["no.count"].source["relevant"] == "selected(${which}, 'no')"


def test_expression_syntax_error_names_the_column(tmp_path):
    problems = problems_of(tmp_path, form([HEAD, row("integer", "age", constraint=". >= "),
                                           row("text", "b", relevant="${age} > 1 and")]))
    find(problems, "survey", 2, "constraint", "syntax error")
    find(problems, "survey", 3, "relevant", "syntax error")


def test_unknown_function(tmp_path):
    problems = problems_of(tmp_path, form([HEAD, row("integer", "a"),
                                           row("text", "b", relevant="foo(${a}) > 1")]))
    find(problems, "survey", 3, "relevant", "unknown function 'foo()'")


def test_reference_to_missing_field_in_expression_and_label(tmp_path):
    problems = problems_of(tmp_path, form([
        HEAD, row("integer", "a", calculation=None, constraint=". < ${max_age}"),
        row("note", "n", "Tuổi: ${agee}")]))
    find(problems, "survey", 2, "constraint", "missing field ${max_age}")
    find(problems, "survey", 3, "label::Vietnamese (vi)", "missing field ${agee}")


def test_bare_name_outside_choice_filter_loads_as_collect_reads_it_with_a_warning(tmp_path):
    # JavaRosa reads 'a' as the child 'a' of the question b: nothing, so b is never shown.
    f = load_form_file(write_xlsx(tmp_path / "f.xlsx", form(
        [HEAD, row("integer", "a"), row("text", "b", relevant="a > 1")])))
    find(f.warnings, "survey", 3, "relevant", "write ${a}")
    inst = FormInstance(f)
    inst.set_value("a", "5")
    assert not inst.is_relevant("b")


def test_calculation_cycle_reported_once(tmp_path):
    problems = problems_of(tmp_path, form([
        HEAD, row("calculate", "x", None, calculation="${z} + 1", en=None),
        row("calculate", "y", None, calculation="${x} * 2", en=None),
        row("calculate", "z", None, calculation="${y} - 1", en=None)]))
    cycles = [p for p in problems if "circular dependency" in p.message]
    assert len(cycles) == 1 and cycles[0].column == "calculation"
    assert "${x}" in cycles[0].message and "${z}" in cycles[0].message


def test_relevance_cycle_and_self_reference(tmp_path):
    problems = problems_of(tmp_path, form([
        HEAD, row("text", "a", relevant="${b} = 'x'"), row("text", "b", relevant="${a} = 'y'"),
        row("calculate", "c", None, calculation="${c} + 1", en=None)]))
    assert any("circular dependency" in p.message and p.column == "relevant" for p in problems)
    find(problems, "survey", 4, "calculation", "refers to itself")


def test_group_relevant_on_its_own_child_is_a_cycle(tmp_path):
    problems = problems_of(tmp_path, form([
        HEAD, row("begin group", "g", relevant="${inside} = 'x'"), row("text", "inside"),
        row("end group", None, None, en=None)]))
    find(problems, "survey", 2, "relevant", "circular dependency")


def test_choice_list_problems(tmp_path):
    choices = [["list_name", "name", "label::Vietnamese (vi)", "label::English (en)", "district"],
               ["yn", "yes", "Có", "Yes"], ["yn", "yes", "Có nữa", "Yes again"],
               ["yn", "no", None, None], ["other", None, "X", "X"]]
    problems = problems_of(tmp_path, form(
        [HEAD, row("select_one yn", "a"), row("select_multiple nolist", "b"),
         row("select_one yn", "c", choice_filter="village = ${a}")], choices))
    find(problems, "choices", 3, "name", "duplicate choice name 'yes'")
    find(problems, "choices", 5, "name", "has no name")
    find(problems, "survey", 3, "type", "'nolist' does not exist")
    # As pyxform and Collect: a choice without a label shows its name, and a choice_filter
    # naming a column the list lacks selects nothing.
    assert not [p for p in problems if p.column in ("label", "choice_filter")]


def test_empty_choice_list(tmp_path):
    choices = [["list_name", "name", "label"], ["other", "a", "A"]]
    sheets = form([["type", "name", "label"], ["select_one yn", "q", "Q"]], choices,
                  [["form_id", "version"], ["t", "1"]])
    sheets["choices"].append(["yn", None, "orphan label"])
    problems = problems_of(tmp_path, sheets)
    find(problems, "choices", 3, "name", "has no name")
    find(problems, "survey", 2, "type", "'yn' does not exist")


def test_duplicate_names_and_invalid_names(tmp_path):
    problems = problems_of(tmp_path, form([HEAD, row("text", "a"), row("integer", "a"),
                                           row("text", "2bad"), row("text", None)]))
    find(problems, "survey", 3, "name", "duplicate name 'a' (also in row 2)")
    find(problems, "survey", 4, "name", "invalid name '2bad'")
    find(problems, "survey", 5, "name", "has no name")


def test_unbalanced_groups(tmp_path):
    problems = problems_of(tmp_path, form([
        HEAD, row("begin group", "g"), row("text", "a"), row("end repeat", None, None, en=None),
        row("end group", None, None, en=None), row("begin repeat", "r"), row("text", "b")]))
    find(problems, "survey", 4, "type", "'end repeat' closes 'begin group g'")
    find(problems, "survey", 5, "type", "without a matching 'begin group'")
    find(problems, "survey", 6, "type", "begin repeat 'r' has no matching 'end repeat'")


def test_repeat_count_must_be_an_expression(tmp_path):
    problems = problems_of(tmp_path, form([
        HEAD, row("integer", "n"), row("begin repeat", "r", repeat_count="${n} +* 2"),
        row("text", "a"), row("end repeat", None, None, en=None),
        row("text", "b", repeat_count="3")]))
    find(problems, "survey", 3, "repeat_count", "syntax error")
    find(problems, "survey", 6, "repeat_count", "only allowed on 'begin repeat'")


def test_select_from_file_registry_lists_or_a_file_shipped_with_the_form(tmp_path):
    problems = problems_of(tmp_path, form([
        HEAD, row("select_one_from_file households.csv", "hh"),
        row("select_one_from_file communes.csv", "c"),
        row("select_multiple_from_file persons.csv", "p")]))
    assert len(problems) == 1
    find(problems, "survey", 3, "type", "the form needs the file communes.csv")


def test_settings_problems(tmp_path):
    problems = problems_of(tmp_path, form([HEAD, row("text", "a")], settings=[
        ["form_id", "default_language"], ["bad/id", "Tày (tyz)"]]))
    find(problems, "settings", 2, "form_id", "without '/'")


def test_missing_settings_take_pyxform_defaults(tmp_path):
    sheets = {"survey": [["type", "name", "label"], ["text", "a", "A"]]}
    path = write_xlsx(tmp_path / "Khảo sát (1).xlsx", sheets)
    first = load_form_file(path)
    assert first.form_id == "Khảo_sát_1"  # the file name, as pyxform takes it
    assert first.version.startswith("h")  # from the workbook's bytes
    sheets["survey"].append(["integer", "b", "B"])
    write_xlsx(path, sheets)
    assert load_form_file(path).version != first.version  # a changed form is a new version


def test_missing_type_and_name_columns(tmp_path):
    problems = problems_of(tmp_path, {"survey": [["label", "hint"], ["A", "h"]],
                                      "settings": SETTINGS})
    find(problems, "survey", 1, "type", "no 'type' column")
    find(problems, "survey", 1, "name", "no 'name' column")


def test_all_problems_are_gathered_not_just_the_first(tmp_path):
    problems = problems_of(tmp_path, form([
        HEAD, row("frobnicate", "a"), row("text", "b", relevant="${nope}"),
        row("integer", "c", constraint="(("), row("select_one none", "d")]))
    assert {p.row for p in problems} >= {2, 3, 4, 5}


def test_entities_allocated_to_root_and_repeat(tmp_path):
    survey = [HEAD + ["save_to"],
              row("text", "head_name") + ["households#head_name"],
              row("begin repeat", "roster") + [None],
              row("text", "member_name") + ["persons#full_name"],
              row("integer", "age") + ["persons#age"],
              row("end repeat", None, None, en=None) + [None]]
    entities = [["list_name", "label", "create_if"],
                ["households", "${head_name}", None],
                ["persons", "${member_name}", "${age} >= 0"]]
    f = load_form_file(write_xlsx(tmp_path / "e.xlsx", form(survey, entities=entities)))
    by = {e.dataset: e for e in f.entities}
    assert by["households"].repeat is None
    assert by["households"].properties == {"head_name": "head_name"}
    assert by["persons"].repeat is f.nodes["roster"]
    assert by["persons"].properties == {"full_name": "member_name", "age": "age"}
    assert by["persons"].create_if.references() == {"age"}


def test_entity_problems(tmp_path):
    survey = [HEAD + ["save_to"], row("text", "a") + ["nowhere#x"],
              row("text", "b") + ["households#label"]]
    entities = [["list_name", "label", "update_if"], ["households", "${a}", "${b} = 'x'"],
                ["households", "${a}", None]]
    problems = problems_of(tmp_path, form(survey, entities=entities))
    find(problems, "survey", 2, "save_to", "'nowhere' is not declared")
    find(problems, "survey", 3, "save_to", "'label' cannot be a property name")
    find(problems, "entities", 2, "update_if", "needs an entity_id")
    find(problems, "entities", 3, "list_name", "declared twice")


def test_markdown_forms_load(tmp_path):
    path = write_md(tmp_path / "m.md", form([["type", "name", "label"], ["text", "a", "A"],
                                             ["integer", "b", "B"]]))
    f = load_form_file(path)
    assert list(f.fields) == ["a", "b"]
    assert f.languages == ["Vietnamese (vi)"]  # unsuffixed columns: the default language
    assert f.fields["a"].label == {"Vietnamese (vi)": "A"}


def test_problem_text_and_check_files(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", form([HEAD, row("text", "a")]))
    bad = write_xlsx(tmp_path / "household_survey.xlsx", form(
        [HEAD, row("integer", "a"), [], [], [], [], [], [], [], [], [],
         row("text", "b", relevant="foo(${a})")]))
    assert check_files([good]) == []
    lines = check_files([good, bad])
    assert lines == ["household_survey.xlsx: survey row 12, column relevant: "
                     "unknown function 'foo()'"]


def test_discover_forms_lists_good_and_bad_and_skips_lock_files(tmp_path):
    shipped, commune = tmp_path / "forms", tmp_path / "commune"
    shipped.mkdir()
    commune.mkdir()
    write_xlsx(shipped / "a.xlsx", form([HEAD, row("text", "a")]))
    (shipped / "~$a.xlsx").write_bytes(b"lock")
    (shipped / "notes.txt").write_text("not a form")
    (commune / "b.xlsx").write_bytes(b"garbage")
    found = discover_forms([shipped, commune, tmp_path / "missing"])
    assert [p.name for p, _ in found] == ["a.xlsx", "b.xlsx"]
    assert found[0][1].form_id == "test_form"
    assert isinstance(found[1][1], list) and found[1][1]


def test_pyxform_verdict_is_added_when_own_checks_pass(tmp_path):
    # An entity declaration with entity_id and create_if but no update_if: pyxform refuses it.
    survey = [HEAD, row("text", "hid")]
    entities = [["list_name", "label", "entity_id", "create_if"],
                ["households", "${hid}", "${hid}", "true()"]]
    problems = problems_of(tmp_path, form(survey, entities=entities))
    assert any(p.sheet == "entities" and p.row == 2 for p in problems)


def test_a_checker_bug_becomes_a_problem_not_a_traceback(tmp_path, monkeypatch, capsys):
    from fieldapp.core.forms import building

    def broken_build(self):
        raise RuntimeError("bug in a check")

    monkeypatch.setattr(building.FormBuilder, "build", broken_build)
    path = write_xlsx(tmp_path / "ok.xlsx", form([HEAD, row("text", "a")]))
    lines = check_files([path])
    assert len(lines) == 1 and "internal error" in lines[0] and "bug in a check" in lines[0]
    assert "Traceback" not in capsys.readouterr().err


def test_csv_forms_load(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("survey,,,\n,type,name,label\n,text,a,Tên\n,integer,b,Tuổi\n"
                    "settings,,,\n,form_id,version,\n,csv_form,1,\n", encoding="utf-8")
    f = load_form_file(path)
    assert (f.form_id, list(f.fields)) == ("csv_form", ["a", "b"])
    assert f.fields["a"].label == {"default": "Tên"}
