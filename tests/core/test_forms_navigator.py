"""Moving through a form page by page without Qt: the page list follows the answers, the current
page stays put while it exists, rows are added and removed, problems and sections are found."""

from __future__ import annotations

import pytest

from fieldapp.core.forms import FormInstance, load_form
from fieldapp.core.forms.navigator import PageNavigator, RowPosition

FORM = """\
| survey |              |          |                 |           |             |          |
|        | type         | name     | label           | relevant  | repeat_count | required |
|        | text         | head     | Chủ hộ          |           |             | yes      |
|        | integer      | size     | Số người        |           |             |          |
|        | text         | why      | Vì sao trống?   | ${size}=0 |             |          |
|        | begin_repeat | members  | Thành viên      |           |             |          |
|        | text         | name     | Họ tên          |           |             |          |
|        | end_repeat   |          |                 |           |             |          |
|        | begin_group  | devices  | Thiết bị        |           |             |          |
|        | begin_repeat | phones   | Điện thoại      |           | 2           |          |
|        | text         | model    | Loại máy        |           |             |          |
|        | end_repeat   |          |                 |           |             |          |
|        | end_group    |          |                 |           |             |          |
| settings |         |         |
|          | form_id | version |
|          | nav     | 1       |
"""


@pytest.fixture
def nav():
    instance = FormInstance(load_form(FORM.encode("utf-8"), "nav.md"))
    navigator = PageNavigator(instance)
    navigator.refresh()
    return navigator


def keys(nav: PageNavigator) -> list[str]:
    return [p.key for p in nav.pages]


def test_pages_and_moving_within_them(nav):
    assert keys(nav) == ["head", "size", "members+", "phones[0]/model", "phones[1]/model"]
    assert nav.current.key == "head" and not nav.has_previous and nav.has_next
    assert nav.go(99) == 4 and not nav.has_next
    assert nav.go(-3) == 0


def test_the_current_page_stays_while_pages_appear_and_go(nav):
    nav.go(nav.index_of_key("members+"))
    nav.instance.set_value("size", "0")
    nav.refresh()
    assert "why" in keys(nav) and nav.current.key == "members+"
    nav.go(nav.index_of_key("why"))
    nav.instance.set_value("size", "3")
    nav.refresh()
    assert "why" not in keys(nav) and nav.index == 2  # the page went: same place in the list


def test_finding_pages(nav):
    assert nav.index_of_key("size") == 1 and nav.index_of_key("nothing") is None
    assert nav.index_of_path("phones[1]/model") == 4
    assert nav.index_of_add_page("members") == 2
    assert nav.first_page_of_section("devices") == 3
    assert nav.first_page_of_section("nothing") is None


def test_the_first_problem(nav):
    nav.go(3)
    assert nav.first_problem() == 0  # head is required
    nav.instance.set_value("head", "Hoàng Văn Sơn")
    assert nav.first_problem() is None


def test_adding_and_removing_rows(nav):
    row_path = nav.add_row("members")
    nav.refresh()
    assert row_path == "members[0]"
    nav.go(nav.index_of_row(row_path))
    assert nav.current.key == "members[0]/name"
    assert nav.row_position() == RowPosition("members", 0, True)
    assert nav.row_position().row_path == "members[0]"
    nav.instance.set_value("members[0]/name", "Nông Thị Hạnh")
    nav.refresh()
    assert nav.row_title("members[0]") == "1. Nông Thị Hạnh"
    assert nav.row_title("members[5]") == ""
    shown = nav.remove_row("members", 0)
    assert nav.pages[shown].key == "members+" and nav.index == shown
    assert nav.instance.repeat_rows("members") == 0


def test_rows_that_follow_a_count_are_not_added_or_removed_by_hand(nav):
    nav.go(nav.index_of_key("phones[1]/model"))
    assert nav.row_position() == RowPosition("phones", 1, False)
    assert nav.go(0) == 0 and nav.row_position() is None
    with pytest.raises(ValueError):
        nav.add_row("phones")


def test_progress_never_goes_back_while_answering(nav):
    """A new row (or a question an answer opens) adds questions; the bar keeps its place until
    the answers catch up, and goes back only when an answer is taken away."""
    inst = nav.instance
    assert nav.progress() == 0.0
    inst.set_value("head", "Lý Văn Páo")
    assert nav.progress() == 1.0  # every required question answered; optional ones left
    inst.set_value("size", "2")
    assert inst.progress() == 1.0 and nav.progress() == 1.0
    inst.set_value("size", None)
    inst.set_value("head", None)
    assert nav.progress() == 0.0  # answers taken back: the truth


def test_section_position_counts_every_section_relevant_or_not(nav):
    assert nav.section_position() == (1, 5)  # head, size, why, members, devices
    nav.go(nav.index_of_key("members+"))
    assert nav.section_position() == (4, 5)
    nav.instance.set_value("size", "0")  # "why" becomes relevant: the count stays
    nav.refresh()
    assert nav.section_position() == (4, 5)


def test_review_lists_missing_then_optional_questions(nav):
    items = nav.review_items()
    assert [(i.path, i.kind) for i in items] == [
        ("head", "missing"), ("size", "optional"), ("phones[0]/model", "optional"),
        ("phones[1]/model", "optional")]
    assert items[0].page == 0 and items[0].message
    nav.instance.set_value("size", "x")
    assert ("size", "invalid") in [(i.path, i.kind) for i in nav.review_items()]
