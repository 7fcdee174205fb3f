"""Forms and expression engine messages are catalog strings, translated when they are shown."""

from __future__ import annotations

import gettext

import pytest
from broken_forms.builders import form, write_xlsx

from fieldapp.core.forms import FormInstance, FormLoadError, FormProblem
from fieldapp.core.xpath import ExprSyntaxError, parse
from fieldapp.core.xpath.errors import Message
from fieldapp.i18n import catalog
from fieldapp.services.forms import check_files, load_form_file

# A few entries of the Vietnamese catalog, enough to see each kind of message translated.
VI = {
    "{sheet} row {row}, column {column}": "{sheet} dòng {row}, cột {column}",
    "unknown function '{name}()'": "không có hàm '{name}()'",
    "syntax error at character {position} of '{expression}': {problem}":
        "lỗi cú pháp ở ký tự {position} của '{expression}': {problem}",
    "empty parentheses": "cặp ngoặc rỗng",
    "{message} (at character {position})": "{message} (ở ký tự {position})",
    "{name}() takes {arity}, {given} given": "{name}() cần {arity}, đang có {given}",
    "exactly {count} arguments": "đúng {count} đối số",
    "This question requires an answer.": "Câu hỏi này bắt buộc phải trả lời.",
    "Enter a whole number.": "Hãy nhập một số nguyên.",
    "{problem} (and {count} more problem)": "{problem} (và {count} lỗi khác)",
}


class _Tiny(gettext.NullTranslations):
    def __init__(self, table: dict[str, str]) -> None:
        super().__init__()
        self.table = table

    def gettext(self, message):
        return self.table.get(message, message)

    def ngettext(self, singular, plural, n):
        return self.table.get(singular, singular if n == 1 else plural)


@pytest.fixture
def vietnamese():
    catalog.install_translations(_Tiny(VI), "vi")
    yield
    catalog.set_language("en")


HEAD = ["type", "name", "label::Vietnamese (vi)", "relevant", "required",
        "required_message::Vietnamese (vi)"]


def _broken(tmp_path):
    return write_xlsx(tmp_path / "f.xlsx", form([
        HEAD,
        ["text", "a", "A", "foo(1) = 2", None, None],
        ["text", "b", "B", "()", None, None],
    ]))


def test_form_problem_lines_are_translated_when_shown(tmp_path, vietnamese):
    lines = check_files([_broken(tmp_path)])
    assert "f.xlsx: survey dòng 2, cột relevant: không có hàm 'foo()'" in lines
    assert ("f.xlsx: survey dòng 3, cột relevant: lỗi cú pháp ở ký tự 2 của '()': "
            "cặp ngoặc rỗng") in lines


def test_problems_found_earlier_follow_a_language_switch(tmp_path):
    with pytest.raises(FormLoadError) as info:
        load_form_file(_broken(tmp_path))
    problem = next(p for p in info.value.problems if p.row == 2)
    assert str(problem) == "f.xlsx: survey row 2, column relevant: unknown function 'foo()'"
    catalog.install_translations(_Tiny(VI), "vi")
    try:
        assert str(problem) == "f.xlsx: survey dòng 2, cột relevant: không có hàm 'foo()'"
        assert "(và 1 lỗi khác)" in str(info.value)
    finally:
        catalog.set_language("en")
    assert "unknown function" in problem.message


def test_untranslated_message_falls_back_to_english(vietnamese):
    problem = FormProblem("f.xlsx", "choices", 4, "name",
                          Message("choice in list '{list}' has no name", list="yn"))
    assert str(problem) == "f.xlsx: choices dòng 4, cột name: choice in list 'yn' has no name"


def test_expression_errors_are_translated(vietnamese):
    with pytest.raises(ExprSyntaxError) as info:
        parse("if(1, 2)")
    assert info.value.message == "if() cần đúng 3 đối số, đang có 2"
    assert str(info.value) == "if() cần đúng 3 đối số, đang có 2 (ở ký tự 1)"


def test_built_in_messages_follow_the_interface_language_form_messages_win(tmp_path, vietnamese):
    path = write_xlsx(tmp_path / "ok.xlsx", form([
        HEAD,
        ["text", "name", "Tên", None, "yes", None],
        ["text", "head", "Chủ hộ", None, "yes", "Cần tên chủ hộ"],
        ["integer", "size", "Số người", None, None, None],
    ]))
    inst = FormInstance(load_form_file(path))
    inst.set_value("size", "1.5")
    errors = dict(inst.errors())
    assert errors["name"] == "Câu hỏi này bắt buộc phải trả lời."
    assert errors["head"] == "Cần tên chủ hộ"
    assert errors["size"] == "Hãy nhập một số nguyên."
    catalog.set_language("en")
    assert dict(inst.errors())["name"] == "This question requires an answer."


def test_the_shipped_vietnamese_catalog_translates_problems_and_messages(tmp_path):
    """The real vi catalog (extracted and translated by the i18n engineer) has these strings."""
    with pytest.raises(FormLoadError) as info:
        load_form_file(_broken(tmp_path))
    problem = next(p for p in info.value.problems if p.row == 2)
    catalog.set_language("vi")
    assert str(problem) == "f.xlsx: survey dòng 2, cột relevant: hàm 'foo()' không xác định"
    path = write_xlsx(tmp_path / "ok.xlsx", form([HEAD, ["text", "name", "Tên", None, "yes", None]]))
    assert FormInstance(load_form_file(path)).errors() == [
        ("name", "Câu hỏi này bắt buộc phải trả lời.")]
