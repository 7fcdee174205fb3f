"""Households screen: accent-insensitive search, village filter, members of a household."""

import unicodedata

import pytest
from PySide6.QtCore import Qt

from fieldapp.ui.screens.households import HouseholdsScreen
from fieldapp.services.workspace import Workspace


@pytest.fixture
def screen(context, qtbot):
    widget = HouseholdsScreen(context)
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    return widget


def heads(screen):
    return [r["head_name"] for r in screen.model.rows()]


def type_query(screen, qtbot, text):
    """Type one character at a time; the debounce timer then runs the search.

    (QTest's keyClicks aborts on letters outside Latin-1, so characters are inserted.)
    """
    screen.search.clear()
    for ch in text:
        screen.search.insert(ch)
    qtbot.waitUntil(lambda: not screen._timer.isActive())


def test_lists_every_household_in_vietnamese_order(screen):
    # Vietnamese name order: by given name first (An, Dũng, Hoa, Hùng, Mai, Yến).
    assert heads(screen) == ["Dương Văn An", "Hoàng Văn Dũng", "Nguyễn Thị Hoa", "Đặng Văn Hùng",
                             "Nông Thị Mai", "Triệu Thị Yến"]
    assert screen.count.text() == "6 households"


@pytest.mark.parametrize("query", ["ĐẶNG", "dang", "Đặng", "đặng văn"])
def test_search_is_accent_and_case_insensitive(screen, qtbot, query):
    type_query(screen, qtbot, query)
    assert heads(screen) == ["Đặng Văn Hùng"]
    assert screen.count.text() == "1 household"


def test_decomposed_input_is_normalised(screen, qtbot):
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    screen.search.setText(nfd)
    assert screen.query_text() == "Nguyễn"
    screen.run_search()
    # Nguyễn Thị Hoa is a head; Nguyễn Văn Ễnh is a member of Hoàng Văn Dũng's household.
    assert heads(screen) == ["Hoàng Văn Dũng", "Nguyễn Thị Hoa"]


def test_typing_waits_for_a_pause_then_searches_once(screen, qtbot):
    calls = []
    registry = screen.context.workspace.registry
    original = registry.plan

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    registry.plan = counting
    try:
        type_query(screen, qtbot, "trieu")
    finally:
        del registry.plan
    assert len(calls) == 1
    assert heads(screen) == ["Triệu Thị Yến"]


def test_village_filter(screen, qtbot):
    assert screen.village.itemText(0) == "All villages"
    assert [screen.village.itemText(i) for i in range(1, screen.village.count())] == [
        "Bản Khuông", "Bản Pò Mục", "Thôn Nà Lầu"]
    screen.village.setCurrentIndex(screen.village.findText("Thôn Nà Lầu"))
    assert heads(screen) == ["Hoàng Văn Dũng", "Nông Thị Mai"]
    type_query(screen, qtbot, "nguyen")
    assert heads(screen) == ["Hoàng Văn Dũng"]
    screen.village.setCurrentIndex(0)
    assert heads(screen) == ["Hoàng Văn Dũng", "Nguyễn Thị Hoa"]


def test_no_match_shows_an_empty_state(screen, qtbot):
    type_query(screen, qtbot, "xyz")
    assert heads(screen) == []
    assert screen.results.currentWidget() is screen.empty
    assert screen.empty.text() == "No households match “xyz”."
    assert screen.count.text() == "No matches"
    assert screen.detail.pages.currentWidget() is screen.detail.placeholder


def test_the_list_is_virtual_every_household_is_there(screen, monkeypatch):
    """No cap: the model holds the total and reads a page when the view asks for a row."""
    monkeypatch.setattr(type(screen.model), "PAGE", 2)
    screen.run_search()
    assert screen.model.rowCount() == 6
    assert len(screen.model.loaded_rows()) == 6  # the first rows came with the plan
    screen.model.reset(6, lambda offset, limit: screen.context.workspace.registry.page(
        screen.list.plan, offset, limit))
    assert screen.model.loaded_rows() == []
    assert screen.model.row(5)["head_name"] == "Triệu Thị Yến"
    assert [r["head_name"] for r in screen.model.loaded_rows()] == [
        "Nông Thị Mai", "Triệu Thị Yến"]  # only that page was read
    assert screen.count.text() == "6 households"


def test_filters_by_survey_status_ethnicity_and_poverty(screen, qtbot):
    assert [screen.status.itemText(i) for i in range(screen.status.count())] == [
        "Any survey status", "Never surveyed", "Draft waiting", "Surveyed this round",
        "Not surveyed this round", "Removed from the registry"]
    screen.status.setCurrentIndex(screen.status.findData("never"))
    assert len(heads(screen)) == 6
    screen.status.setCurrentIndex(screen.status.findData("this_round"))
    assert heads(screen) == []
    assert screen.empty.text() == "No households match these filters."
    screen.status.setCurrentIndex(0)
    screen.ethnicity.setCurrentIndex(screen.ethnicity.findData("dao"))
    assert heads(screen) == ["Đặng Văn Hùng", "Triệu Thị Yến"]
    screen.poor.setCurrentIndex(screen.poor.findData("poor"))
    assert heads(screen) == []
    screen.poor.setCurrentIndex(screen.poor.findData("poor_or_near"))
    assert heads(screen) == ["Đặng Văn Hùng", "Triệu Thị Yến"]


def test_selecting_a_household_shows_its_members(screen, qtbot):
    type_query(screen, qtbot, "dang")
    index = screen.model.index(0, 0)
    screen.table.setCurrentIndex(index)
    detail = screen.detail
    assert detail.name.text() == "Đặng Văn Hùng"
    persons = [[detail.persons.index(r, c).data() for c in (0, 2)]
               for r in range(detail.persons.rowCount())]
    assert persons == [["Đặng Văn Hùng", "Head of household"],
                       ["Đặng Thị Lan", "Spouse"],
                       ["Đặng Văn Phúc", "Child"]]
    # A dot per key indicator; nothing known yet for these people.
    assert detail.persons.index(0, 3).data(Qt.ItemDataRole.ToolTipRole) == \
        "Smartphone: Not known"
    assert detail.members_heading.text() == "3 members"
    assert detail.summary.text() == "Bản Khuông  ·  Never surveyed  ·  Near-poor household"
    labels = [detail.fields.itemAt(i, detail.fields.ItemRole.LabelRole).widget().text()
              for i in range(detail.fields.rowCount())]
    values = [detail.fields.itemAt(i, detail.fields.ItemRole.FieldRole).widget().text()
              for i in range(detail.fields.rowCount())]
    assert dict(zip(labels, values))["Poverty status:"] == "Near-poor household"
    assert dict(zip(labels, values))["Barriers to digital services:"] == (
        "Mobile data too expensive, No signal")
    assert dict(zip(labels, values))["Mobile signal:"] == "Weak"
    assert dict(zip(labels, values))["Grid electricity:"] == "Yes"


def test_clicking_another_row_changes_the_detail(screen, qtbot):
    row = heads(screen).index("Nông Thị Mai")
    rect = screen.table.visualRect(screen.model.index(row, 0))
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert screen.detail.name.text() == "Nông Thị Mai"
    assert screen.detail.members_heading.text() == "1 member"


def test_search_in_the_background_shows_the_last_query(screen, qtbot):
    """As in the app: queries run on the reader's worker thread; only the last one is shown."""
    from fieldapp.ui import tasks

    tasks.set_synchronous(False)
    try:
        for query in ("n", "ng", "nguy", "nguyen"):
            screen.search.setText(query)
            screen.run_search()
        qtbot.waitUntil(lambda: not screen.context.reader.pending())
    finally:
        tasks.set_synchronous(True)
    assert heads(screen) == ["Hoàng Văn Dũng", "Nguyễn Thị Hoa"]
    assert screen.count.text() == "2 households"


def test_commune_staff_erase_a_household_on_request(screen, context):
    household = next(r for r in screen.model.rows() if r["head_name"] == "Nông Thị Mai")
    assert screen.select_household(household["id"])
    detail = screen.detail
    assert detail.erase_button.isVisibleTo(screen)
    detail.ask_erasure_reason = lambda: None  # cancelled: nothing happens
    detail.erase_household()
    assert context.workspace.households.get(household["id"]) is not None
    detail.ask_erasure_reason = lambda: "the family asked"
    detail.erase_household()
    assert context.workspace.households.get(household["id"]) is None
    screen.refresh()  # as the main window does on data_changed
    assert "Nông Thị Mai" not in heads(screen)
    erasure = context.workspace.store.erasures.list()[0]
    assert (erasure["target_id"], erasure["reason"]) == (household["id"], "the family asked")
