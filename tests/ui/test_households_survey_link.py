"""Households → "Survey this household again": the Surveys screen opens a household survey
prefilled from the registry; the detail lists the household's earlier survey rounds."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QApplication

from fieldapp.services.surveys import SurveyService
from fieldapp.ui.app import build_app_window, build_main_window
from test_form_driver import FormDriver
from fieldapp.services.workspace import Workspace

TODAY = dt.date(2026, 11, 23)
HEAD = "Đặng Văn Hùng"


@pytest.fixture
def app_window(commune, qtbot, monkeypatch):
    monkeypatch.setattr("fieldapp.ui.forms.surveys.SurveyService",
                        lambda store: SurveyService(store, today=lambda: TODAY))
    win = build_app_window(Workspace(commune))
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def households_showing(window, head: str):
    screen = window.show_screen("households")
    screen.search.setText(head)
    screen.run_search()
    assert screen.detail.household["head_name"] == head
    QApplication.processEvents()
    return screen


def test_survey_again_opens_the_form_prefilled_from_the_registry(app_window, qtbot):
    screen = households_showing(app_window, HEAD)
    button = screen.detail.survey_button
    # Never surveyed yet (registered outside a survey): the first round starts the same way.
    assert button.isVisible() and button.text() == "Start the household survey"
    household_id = screen.detail.household["id"]

    button.click()

    assert app_window.current_key() == "surveys"
    surveys = app_window.screen("surveys")
    view = surveys.form_view
    assert view is not None and view.form.form_id == "household_survey"
    instance = view.instance
    # The answers are there; the form shows them once the household has agreed to the survey.
    driver = FormDriver(view, qtbot)
    driver.answer("consent", "yes")
    assert instance.get_value("head_name") == HEAD
    members = [instance.get_value(f"members[{i}]/member_name")
               for i in range(instance.repeat_rows("members"))]
    assert members == [p["full_name"] for p in app_window.context.workspace.store.persons.of_household(household_id)]
    assert members == [HEAD, "Đặng Thị Lan", "Đặng Văn Phúc"]
    assert instance.get_value("village") == screen.detail.household["village_id"]
    # The name is in the widget the surveyor sees, not only in the answers: the roster opens
    # on the head, shown for confirmation (read-only) with one question about them.
    driver.next()
    assert view.current_page.key == "members[0]/member_basic"
    assert driver.editor("member_name").edit.text() == HEAD
    assert not driver.editor("member_name").edit.isEnabled()
    assert driver.editor("member_status").isEnabled()


def test_detail_lists_the_finalized_rounds(app_window, complete_form):
    store = app_window.context.workspace.store
    screen = households_showing(app_window, HEAD)
    household_id = screen.detail.household["id"]
    assert screen.detail.rounds_text.text() == \
        "No finalized household survey for this household yet."

    service = SurveyService(store, today=lambda: TODAY)
    for _round in range(2):
        form, instance = service.new_instance("household_survey", household_id=household_id)
        instance.set_value("consent", "yes")
        complete_form(instance)
        service.save(None, form, instance, finalize=True)
    app_window.context.data_changed.emit(store.writer.changed.take())
    screen = households_showing(app_window, HEAD)

    lines = screen.detail.rounds_text.text().splitlines()
    today = dt.date.today().strftime("%d/%m/%Y")  # finalized now, shown as the local date
    assert lines == [f"{today} – Finalized"] * 2
    timeline = [screen.detail.timeline.item(i).text()
                for i in range(screen.detail.timeline.count())]
    assert timeline == [f"{today} · Household survey round (Completed) – Hoàng Thị Mai"] * 2
    assert screen.detail.timeline_heading.text() == "Survey rounds, sessions and classes"
    assert screen.detail.survey_button.text() == "Survey this household again"


def test_button_hidden_where_there_is_no_surveys_screen(commune, qtbot):
    window = build_main_window(Workspace(commune))  # the foundation's screens only
    qtbot.addWidget(window)
    window.show()
    try:
        screen = households_showing(window, HEAD)
        assert not screen.detail.survey_button.isVisible()
        assert screen.survey_again(screen.detail.household["id"]) is None
    finally:
        window.close()


def test_button_and_rounds_follow_the_interface_language(app_window):
    screen = households_showing(app_window, HEAD)
    app_window.context.set_language("vi")
    assert screen.detail.survey_button.text() == "Khảo sát hộ lần đầu"
    assert screen.detail.timeline_heading.text() == "Các đợt khảo sát, buổi hỗ trợ và lớp học"
    app_window.context.set_language("en")
    assert screen.detail.survey_button.text() == "Start the household survey"


def test_dates_in_the_detail_are_day_month_year():
    from fieldapp.ui.workflow_widgets import dmy as format_date

    assert format_date("2026-11-03") == "03/11/2026"
    noon_utc = dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.timezone.utc)
    assert format_date(noon_utc.isoformat()) == noon_utc.astimezone().strftime("%d/%m/%Y")
    assert format_date("") == "" and format_date("not a date") == "not a date"
