"""The form screen as a member meets it at a door: a progress bar that never goes back while
answers are given (not even when a member is added), a section count that does not jump,
100% once finalized, and a review before finalizing that lists what is missing and leads to it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from fieldapp.services.surveys import SurveyService
from test_form_driver import FormDriver, show_form_view

TODAY = dt.date(2026, 11, 23)

# The reference household of issue 13 (see tests/forms_content/test_household_doorstep.py).
VISIT = {"village": "Bản Khuông", "consent": "yes"}
PEOPLE = [
    {"member_name": "Hoàng Văn Sơn", "sex": "male", "birth_year": "1980", "ethnicity": "tay",
     "same_ethnicity": "yes"},
    {"member_name": "Nông Thị Lan", "sex": "female", "birth_year": "1983", "relation": "spouse"},
    {"member_name": "Hoàng Thị Nhất", "sex": "female", "birth_year": "1952",
     "relation": "parent"},
    {"member_name": "Hoàng Văn Minh", "sex": "male", "birth_year": "2014", "relation": "child"},
]
HOUSEHOLD = {"roster_check": "OK", "absent_who": "nobody", "self_who": "1 2",
             "phone_own_who": "1 2", "phone_shared_who": "nobody", "internet_who": "1 2",
             "vneid_who": "1 2", "epay_who": "1 2", "dvc_self_who": "nobody",
             "dvc_helped_who": "1", "scam_who": "1", "sign_who": "nobody",
             "grid_power": "yes", "mobile_signal": "weak", "fibre": "no",
             "cashless_bills": "electricity", "sells_online": "no", "has_shop": "no",
             "barriers": "data_cost"}


@pytest.fixture
def service(commune):
    return SurveyService(commune, today=lambda: TODAY)


def at_roster_end(view) -> bool:
    return view.current_page.add_row == "members"


def open_household(qtbot, service):
    saved = {"id": None}
    form, instance = service.new_instance("household_survey")
    view = show_form_view(qtbot, form, instance, service=service, saved=saved)
    return view, FormDriver(view, qtbot), saved


def fill_reference_household(qtbot, view, drive) -> None:
    drive.fill_pages(VISIT, until=at_roster_end)
    for number, person in enumerate(PEOPLE):
        qtbot.mouseClick(view.add_row_here_button, Qt.MouseButton.LeftButton)
        assert view.current_page.repeat_path == f"members[{number}]"
        drive.fill_pages(person, until=at_roster_end)
    drive.next()
    drive.fill_pages(HOUSEHOLD, until=lambda v: v.current_page.key == "closing")
    drive.fill_page(HOUSEHOLD)


def test_progress_never_goes_back_while_answering_the_reference_household(qtbot, service):
    view, drive, saved = open_household(qtbot, service)
    seen = [view.progress.value()]
    view.progress.valueChanged.connect(seen.append)
    sections = {view.page_label.text()}
    view.page_changed.connect(lambda _i: sections.add(view.page_label.text()))

    fill_reference_household(qtbot, view, drive)

    assert seen == sorted(seen), seen  # never decreases, members added included
    assert len(set(seen)) > 5  # and it moved
    assert view.progress.value() == 100  # every required question is answered
    # The count of sections stays the same from the first page to the last.
    assert sections == {f"Section {n} of 6" for n in range(1, 7)}
    assert view.finalize_button.isEnabled()
    qtbot.mouseClick(view.finalize_button, Qt.MouseButton.LeftButton)
    assert view.banner.text() == "Finalized and saved."
    assert view.progress.value() == 100
    assert view.progress.text() == "100% answered"


def test_review_lists_a_missing_answer_and_leads_to_it(qtbot, service):
    view, drive, saved = open_household(qtbot, service)
    fill_reference_household(qtbot, view, drive)
    # Who cannot be asked today is taken back: required (the member's record), now missing.
    path = "absent_who"
    view.go_to_path(path)
    assert view.current_page.key == "everyone"
    view.instance.set_value(path, None)

    # Finalize is not possible; pressing it (or Next after the last page) shows the review.
    view.go_to_key("closing")
    assert not view.finalize_button.isEnabled()
    drive.next()
    assert view.reviewing and view.review_page is not None
    assert view.page_label.text() == "Review"
    assert not view.next_button.isEnabled() and view.back_button.isEnabled()
    assert view.review_page.findChild(QWidget, "review_missing") is not None
    button = view.review_page.buttons[path]
    row_text = button.parent().layout().itemAtPosition(1, 0).widget().text()
    assert row_text.startswith("Trong những người từ 15 tuổi, có ai mà hôm nay không hỏi được")
    # Optional questions left blank are listed too, apart, not as problems.
    assert "phone" in view.review_page.buttons and "notes" in view.review_page.buttons

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not view.reviewing
    assert view.current_page.key == "everyone"
    assert drive.errors_shown() == {path: "Vui lòng trả lời câu hỏi này."}
    drive.answer("absent_who", "nobody")
    assert view.finalize_button.isEnabled()

    # Back from the review returns to the last page of the form.
    view.show_review()
    assert set(view.review_page.buttons) == {"phone", "poverty_status", "notes"}
    qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
    assert not view.reviewing and view.current_page.key == "closing"


def test_finalize_with_something_missing_shows_the_review(qtbot, service):
    view, drive, saved = open_household(qtbot, service)
    drive.fill_pages(VISIT, until=at_roster_end)
    view.finalize()
    assert view.reviewing and "roster_check" in view.review_page.buttons
    assert saved["id"] is None
