"""The support-session log filled in through the real widgets: dates typed and checked, registry
lists searched without accents and filtered by the chosen village, a roster of people helped."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt

from fieldapp.services.surveys import SurveyService
from test_form_driver import FormDriver, clear_text, show_form_view, type_text

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def service(commune):
    return SurveyService(commune, today=lambda: TODAY)


def test_support_session_end_to_end(qtbot, service, commune):
    form, instance = service.new_instance("support_session")
    saved: dict[str, str | None] = {"id": None}
    view = show_form_view(qtbot, form, instance, service=service, saved=saved)
    drive = FormDriver(view, qtbot)

    # The session is one field-list page: privacy note and the session's questions.
    assert view.current_page.key == "session"
    assert list(view.editors) == ["privacy_note", "session_date", "village", "team_present",
                                  "households_helped", "activities"]

    # The date defaults to today, shown day/month/year; a date that does not exist is refused
    # beside the question, and Next stays on the page.
    date_edit = view.editors["session_date"].edit
    assert date_edit.text() == "23/11/2026"
    clear_text(qtbot, date_edit)
    type_text(date_edit, "31/11/2026")
    drive.next()
    assert view.current_page.key == "session"
    errors = drive.errors_shown()
    assert "day/month/year" in errors["session_date"]
    assert {"village", "team_present", "activities"} <= set(errors)  # required, unanswered
    drive.answer("session_date", "20/11/2026")
    assert "session_date" not in drive.errors_shown()

    # Only the households of the chosen village are offered, found without accents.
    drive.fill_page({"village": "Bản Khuông", "team_present": ["Hoàng Thị Mai"]})
    households = view.editors["households_helped"]
    assert households.list.count() == 2
    type_text(households.search, "dang van hung")
    shown = [households.list.item(i).text() for i in range(households.list.count())
             if not households.list.item(i).isHidden()]
    assert shown == ["Đặng Văn Hùng – Bản Khuông"]
    drive.fill_page({"households_helped": ["Đặng Văn Hùng"],
                     "activities": "device_and_lookup cccd_eid_enrolment"})
    assert drive.errors_shown() == {}  # each message cleared as its answer was given
    # Enter moves to the next question of the page, not off the page.
    qtbot.keyClick(date_edit, Qt.Key.Key_Return)
    assert view.current_page.key == "session"
    village = view.editors["village"]
    assert any(w.hasFocus() for w in village.focus_chain())
    drive.next()
    assert view.current_page.add_row == "persons_helped"

    # One page per person helped.
    qtbot.mouseClick(view.add_row_here_button, Qt.MouseButton.LeftButton)
    assert view.current_page.key == "persons_helped[0]"
    person = view.editors["persons_helped[0]/person"]
    labels = sorted(person.list.item(i).text() for i in range(person.list.count()))
    assert labels == ["Đặng Thị Lan (1982)", "Đặng Văn Hùng (1970)", "Đặng Văn Phúc (2008)"]
    drive.fill_pages({"person": "Đặng Thị Lan",
                      "outcomes": "vneid_level2_activated bank_app_installed"},
                     until=lambda v: v.current_page.add_row == "persons_helped")
    assert [b.text() for b in view._row_buttons] and len(view._row_buttons) == 1
    drive.next()

    # Follow-up page; a follow-up date before the session is a constraint error shown beside
    # the question, which appears on the page once "yes" is chosen.
    assert view.current_page.key == "follow_up_group"
    assert "follow_up_date" not in view.editors
    drive.answer("follow_up", "yes")
    drive.answer("follow_up_date", "01/11/2026")
    drive.fill_page({"duration_min": "45", "notes": "Hướng dẫn bà Lan kích hoạt VNeID."})
    drive.next()
    assert view.current_page.key == "follow_up_group"
    assert drive.errors_shown() == {"follow_up_date": "Ngày hẹn phải từ ngày hỗ trợ trở đi."}
    drive.answer("follow_up_date", "30/11/2026")
    assert drive.errors_shown() == {}
    assert len(view.pages) == 4 and view.index == 3  # session, 1 person, roster, follow-up

    qtbot.mouseClick(view.finalize_button, Qt.MouseButton.LeftButton)
    assert view.banner.text() == "Finalized and saved."
    row = commune.submissions.get(saved["id"])
    assert row["status"] == "final"
    answers = json.loads(row["answers"])
    village = next(v for v in commune.villages.list() if v["name"] == "Bản Khuông")
    lan = next(p for p in commune.query("select * from persons") if p["full_name"] == "Đặng Thị Lan")
    user = commune.users.list()[0]
    assert answers["session_date"] == "2026-11-20"
    assert answers["village"] == village["id"]
    assert answers["team_present"] == user["id"]
    assert answers["households_helped"] == lan["household_id"]
    assert answers["activities"] == "device_and_lookup cccd_eid_enrolment"
    [helped] = answers["persons_helped"]
    assert len(helped.pop("@key")) == 36  # each row has its key
    assert helped == {"person": lan["id"], "outcomes": "vneid_level2_activated bank_app_installed"}
    assert answers["follow_up_date"] == "2026-11-30"
    assert answers["duration_min"] == "45"
    assert answers["notes"] == "Hướng dẫn bà Lan kích hoạt VNeID."
