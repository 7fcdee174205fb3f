"""What the second corpus of public forms tripped on (issue 26), each as JavaRosa and Collect do
it: the workbook's choice lists as instances, paths into the form's own repeats with
predicates, relative paths, spreadsheet booleans, jr:itext(), regex() beyond RE2, and what
loads with a warning (background-audio, choice_filter on a text question, pyxform's refusal)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from broken_forms.builders import form, write_md, write_xlsx

from fieldapp.cli import main
from fieldapp.core.forms import FormInstance, FormLoadError
from fieldapp.services.forms import check_forms, load_form_file

SETTINGS = [["form_id", "version"], ["wild", "1"]]


def load(tmp_path, survey, choices=None, name="w.xlsx"):
    return load_form_file(write_xlsx(tmp_path / name, form(survey, choices, SETTINGS)))


def test_a_choice_list_is_an_instance_with_its_extra_columns(tmp_path):
    f = load(tmp_path, [
        ["type", "name", "label", "calculation"],
        ["select_one stations", "station", "Trạm"],
        ["calculate", "lat", None, "instance('stations')/root/item[name = ${station}]/lat"],
        ["calculate", "n", None, "count(instance('stations')/root/item[lat > 21])"],
        ["calculate", "label", None, "instance('stations')/root/item[name = ${station}]/label"]],
        [["list_name", "name", "label", "lat"], ["stations", "tl", "Tà Lùng", "22.6"],
         ["stations", "cb", "Cao Bằng", "20.1"]])
    assert f.media == {}  # nothing to ship: the list is in the workbook
    inst = FormInstance(f)
    inst.set_value("station", "tl")
    assert (inst.get_value("lat"), inst.get_value("n"), inst.get_value("label")) == (
        "22.6", "1", "Tà Lùng")


def test_a_translated_list_has_itext_ids_that_jr_itext_reads_in_the_current_language(tmp_path):
    f = load(tmp_path, [
        ["type", "name", "label::English (en)", "label::Tiếng Việt (vi)", "calculation"],
        ["select_one income", "income", "Income", "Thu nhập"],
        ["calculate", "cls", None, None,
         "jr:itext(instance('income')/root/item[name = ${income}]/itextId)"],
        ["calculate", "plain", None, None, "instance('income')/root/item[name = ${income}]/label"],
        ["calculate", "q", None, None, "jr:itext('/wild/income:label')"]],
        [["list_name", "name", "label::English (en)", "label::Tiếng Việt (vi)"],
         ["income", "low", "Low", "Thấp"], ["income", "high", "High", "Cao"]])
    inst = FormInstance(f)
    inst.set_value("income", "high")
    assert inst.get_value("cls") == "Cao"  # the form's default language: Vietnamese
    assert inst.get_value("plain") == ""  # pyxform writes itextId, not label, for such a list
    assert inst.get_value("q") == "Thu nhập"


def test_an_instance_nothing_declares_is_refused_and_a_file_beside_it_loads_with_a_warning(
        tmp_path):
    survey = [["type", "name", "label", "calculation"], ["text", "code", "Mã"],
              ["calculate", "price", None, "instance('prices')/root/item[name = ${code}]/p"]]
    with pytest.raises(FormLoadError) as err:
        load(tmp_path, survey)
    [problem] = err.value.problems
    assert (problem.row, problem.column) == (3, "calculation")
    assert "instance('prices') is not a choice list" in problem.message
    (tmp_path / "prices.csv").write_text("name,p\nx,5\n", encoding="utf-8")
    f = load(tmp_path, survey)
    assert any("no row of the form declares" in w.message for w in f.warnings)
    inst = FormInstance(f)
    inst.set_value("code", "x")
    assert inst.get_value("price") == "5"


STOCK = [["type", "name", "label", "calculation", "relevant", "repeat_count"],
         ["begin group", "stock", "Kho"],
         ["begin repeat", "items", "Thuốc"],
         ["text", "item", "Tên"], ["integer", "quantity", "Số lượng"],
         ["calculate", "double", None, "${quantity} * 2"],
         ["end repeat", None], ["end group", None],
         ["calculate", "act", None, "coalesce(/wild/stock/items[item = 'act']/quantity, 0)"],
         ["calculate", "act2", None, "/wild/stock/items[item = 'act']/double"],
         ["calculate", "second", None, "../stock/items[2]/item"],
         ["calculate", "first", None, "${items}[1]/item"],
         ["calculate", "last", None, "/wild/stock/items[position() = last()]/item"],
         ["calculate", "big", None, "count(/wild/stock/items[quantity > 5])"]]


def test_predicates_on_paths_into_the_forms_own_repeats(tmp_path):
    STOCK_ = [r for r in STOCK if r[1] != "last"]  # last() is not a function ODK has
    inst = FormInstance(load(tmp_path, STOCK_))
    assert inst.get_value("act") == "0"
    for i, (item, qty) in enumerate([("zinc", "3"), ("act", "7"), ("ors", "9")]):
        inst.add_repeat_row("items")
        inst.set_value(f"items[{i}]/item", item)
        inst.set_value(f"items[{i}]/quantity", qty)
    values = {n: inst.get_value(n) for n in ("act", "act2", "second", "first", "big")}
    assert values == {"act": "7", "act2": "14", "second": "act", "first": "zinc", "big": "2"}


def test_an_absolute_path_from_inside_a_repeat_stays_in_its_own_row(tmp_path):
    inst = FormInstance(load(tmp_path, [
        ["type", "name", "label", "calculation"],
        ["begin repeat", "people", "Người"], ["text", "pname", "Tên"],
        ["calculate", "mine", None, "/wild/people/pname"],
        ["calculate", "other", None, "/wild/people[1]/pname"],
        ["end repeat", None]]))
    for i, name in enumerate(["Sơn", "Mai"]):
        inst.add_repeat_row("people")
        inst.set_value(f"people[{i}]/pname", name)
    assert inst.get_value("people[1]/mine") == "Mai"  # JavaRosa contextualises the path
    assert inst.get_value("people[1]/other") == "Sơn"  # a predicate takes that step out


def test_relative_paths_current_and_bare_names_as_javarosa_reads_them(tmp_path):
    f = load(tmp_path, [
        ["type", "name", "label", "calculation", "relevant"],
        ["begin group", "inputs", "Đầu vào", None, "./source = 'user'"],
        ["hidden", "source"], ["text", "source_id", "Mã"],
        ["end group", None],
        ["calculate", "patient", None, "../inputs/source_id"],
        ["calculate", "sibling", None, "current()/../inputs/source"],
        ["text", "q", "Q", None, "FALSE"],
        ["text", "r", "R", None, "source = 'user'"]])
    assert [w.row for w in f.warnings] == [9]  # 'source' from r reaches nothing: a warning
    inst = FormInstance(f, {"source": "user", "source_id": "p1"})
    assert inst.is_relevant("source_id") and inst.get_value("patient") == "p1"
    assert inst.get_value("sibling") == "user"
    assert not inst.is_relevant("q")  # FALSE is false() as pyxform writes it
    assert not inst.is_relevant("r")  # a path to nothing is empty, as in Collect
    inst = FormInstance(f, {"source": "task"})
    assert not inst.is_relevant("source_id")


def test_background_audio_and_choice_filter_on_text_load_with_a_warning(tmp_path):
    f = load(tmp_path, [
        ["type", "name", "label", "choice_filter"],
        ["background-audio", "rec"], ["text", "other", "Khác", "${rec} = 'x'"]])
    warned = {(w.row, w.column): w.message for w in f.warnings}
    assert "records nothing" in warned[(2, "type")] and "remove the row" in warned[(2, "type")]
    assert "choice_filter is ignored" in warned[(3, "choice_filter")]
    inst = FormInstance(f)
    assert inst.get_value("rec") == "" and not any(
        "rec" in page.paths for page in inst.pages())


def test_a_pattern_re2_cannot_run_runs_with_a_time_limit_and_a_timeout_is_not_a_pass(tmp_path):
    inst = FormInstance(load(tmp_path, [
        ["type", "name", "label", "constraint"],
        ["text", "pin", "PIN", "regex(., '^(?=.*[0-9])[a-z0-9]{4,}$')"],
        ["text", "slow", "Slow", "regex(., '^((a|a)*)*(?=b)$')"]]))
    inst.set_value("pin", "abc1")
    assert inst.error_for("pin") is None
    inst.set_value("pin", "abcd")
    assert inst.error_for("pin") is not None
    inst.set_value("slow", "a" * 30 + "!")  # catastrophic backtracking: stopped by the limit
    message = inst.error_for("slow")
    assert message is not None and "could not be checked" in message
    assert not inst.can_finalize()


def _warning_workbook(path: Path) -> Path:
    """A valid form whose sheet has a header openpyxl cannot parse (it warns when reading)."""
    write_xlsx(path, form([["type", "name", "label"], ["text", "a", "A"]], None, SETTINGS))
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].replace(
        b"</worksheet>", b"<headerFooter><oddHeader>no section code</oddHeader>"
        b"</headerFooter></worksheet>")
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_forms_check_lists_warnings_and_no_library_warning_leaks(tmp_path):
    lenient = write_md(tmp_path / "lenient.md", form(  # a spelling only the app reads
        [["type", "name", "label"], ["Select one from yn", "q", "Q"]],
        [["list_name", "name", "label"], ["yn", "a", "A"], ["yn", "b", "B"]], SETTINGS))
    report = check_forms([lenient])
    assert report.problems == []
    assert any("pyxform refuses this form" in w for w in report.warnings)
    noisy = _warning_workbook(tmp_path / "noisy.xlsx")
    done = subprocess.run([sys.executable, "-m", "fieldapp", "forms", "check", str(noisy),
                           str(lenient)], capture_output=True, text=True, timeout=120,
                          env={"FIELDAPP_LANG": "en", "PATH": "/usr/bin:/bin",
                               "HOME": str(tmp_path)}, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "openpyxl" not in done.stdout + done.stderr
    assert "lenient.md: warning: the XLSForm converter pyxform refuses this form" in done.stdout
    assert main(["forms", "check", str(noisy)]) == 0
