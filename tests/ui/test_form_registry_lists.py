"""A form's registry lists at commune scale: a page at a time from the database, filtered by the
question's choice_filter there, checked by lookup; the whole list is never built."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from fieldapp.services.surveys import DatabaseRegistry, SurveyService
from test_form_driver import FormDriver, show_form_view, type_text

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def big_village(commune):
    village = sorted(commune.villages.list(), key=lambda v: v["position"])[0]["id"]
    with commune.transaction():
        for i in range(250):
            household = commune.households.add_household(village, f"Lò Văn Số {i:03d}")
            commune.persons.add_person(household, f"Lò Văn Số {i:03d}", relation="head",
                                       birth_year=1960 + i % 40)
    return commune


def test_long_registry_lists_are_paged_and_never_listed_whole(big_village, qtbot, monkeypatch):
    def whole(self, csv_name):
        if csv_name in ("households.csv", "persons.csv"):
            raise AssertionError(f"the whole {csv_name} was read")
        return type(self).__dict__["_original"](self, csv_name)

    monkeypatch.setattr(DatabaseRegistry, "_original", DatabaseRegistry.list_rows,
                        raising=False)
    monkeypatch.setattr(DatabaseRegistry, "list_rows", whole)
    service = SurveyService(big_village, today=lambda: TODAY)
    form, instance = service.new_instance("support_session")
    view = show_form_view(qtbot, form, instance)
    drive = FormDriver(view, qtbot)
    drive.fill_page({"village": "Bản Khuông", "team_present": ["Hoàng Thị Mai"]})
    households = view.editors["households_helped"]
    assert households.list.count() == 100  # the first page of 252
    assert households.count.text() == "Scroll for more, or type to search."
    households.list.doItemsLayout()  # as it does before it is painted
    bar = households.list.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())  # scrolled to the end: the next page is read
    assert households.list.count() == 200
    type_text(households.search, "so 24")
    labels = [households.list.item(i).text() for i in range(households.list.count())]
    assert labels == [f"Lò Văn Số {i} – Bản Khuông" for i in range(240, 250)]
    item = households.list.item(9)
    households.list.setCurrentItem(item)
    qtbot.keyClick(households.list, Qt.Key.Key_Space)
    chosen = instance.get_value("households_helped")
    assert chosen and households.chosen.text() == "Chosen: Lò Văn Số 249 – Bản Khuông"
    # The choice stays chosen (and shown) when the search changes.
    type_text(households.search, "x")
    assert households.list.count() == 0 and "Số 249" in households.chosen.text()
    assert instance.get_value("households_helped") == chosen
    assert view.instance.errors(view.current_page) == [] or all(
        p != "households_helped" for p, _m in view.instance.errors(view.current_page))

    # The person question lists only the chosen household's people (its choice_filter,
    # answered by the database).
    drive.fill_page({"activities": "device_and_lookup"})
    drive.next()
    view.add_row("persons_helped")
    person = view.editors["persons_helped[0]/person"]
    assert [person.list.item(i).text() for i in range(person.list.count())] == [
        "Lò Văn Số 249 (1969)"]
    registry = instance.registry_choices("persons_helped[0]/person")
    assert registry.indexed
