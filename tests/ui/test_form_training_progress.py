"""The training-progress sheet through the real widgets: relevance follows the answers at once,
field-list pages of skills, a draft saved and reopened; and the page reflows with large text."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldapp.services.surveys import SurveyService
from fieldapp.ui import fonts
from fieldapp.ui.forms.view import FormView
from test_form_driver import FormDriver, show_form_view, type_text

TODAY = dt.date(2026, 11, 23)
SKILLS = {f"s{i}": level for i, level in enumerate(
    ["alone", "with_help", "shown", "not_started"] * 3, start=1)}


@pytest.fixture
def service(commune):
    return SurveyService(commune, today=lambda: TODAY)


def make_view(qtbot, service, form, instance, saved, status="draft"):
    return show_form_view(qtbot, form, instance, service=service, saved=saved, status=status)


def section_names(view: FormView) -> list[str]:
    return [view.section_combo.itemData(i) for i in range(view.section_combo.count())]


def test_training_progress_end_to_end(qtbot, service, commune):
    form, instance = service.new_instance("training_progress")
    saved: dict[str, str | None] = {"id": None}
    view = make_view(qtbot, service, form, instance, saved)
    drive = FormDriver(view, qtbot)

    # A one-character class name breaks the form's length rule.
    drive.answer("class_name", "B")
    drive.next()
    assert drive.errors_shown() == {"class_name": "Tên lớp phải có từ 2 đến 100 ký tự."}
    drive.fill_pages({"class_name": "Bình dân học vụ số – Nà Lầu – đợt 1",
                      "village": "Thôn Nà Lầu", "learner_type": "citizen"},
                     until=lambda v: v.current_page.key == "learner")
    # Learners of the chosen village only; "enh" finds Ễnh.
    learner = view.editors["learner"]
    type_text(learner.search, "enh")
    visible = [learner.list.item(i).text() for i in range(learner.list.count())
               if not learner.list.item(i).isHidden()]
    assert visible == ["Nguyễn Văn Ễnh (2001)"]
    drive.fill_pages({"learner": "Nguyễn Văn Ễnh"},
                     until=lambda v: v.current_page.key == "attendance")

    # Relevance follows the answer at once: no skills for an absent learner.
    position = view.page_label.text()
    drive.answer("attendance", "absent")
    assert "skills_basic" not in section_names(view)
    assert view.page_label.text() == position  # the section count does not jump
    drive.answer("attendance", "present")
    assert section_names(view)[-4:] == ["skills_basic", "skills_services", "skills_life", "notes"]
    drive.next()

    # A field-list page: four skills at once; one left out blocks Next.
    assert view.current_page.key == "skills_basic"
    assert list(view.editors) == ["s1", "s2", "s3", "s4"]
    for name in ("s1", "s2", "s3"):
        drive.answer(name, SKILLS[name])
    drive.next()
    assert list(drive.errors_shown()) == ["s4"]
    assert view.focusWidget() in view.editors["s4"].focus_chain()  # focus on the problem
    drive.fill_pages(SKILLS, until=lambda v: v.current_page.key == "notes")

    # Save a draft, reopen it from the database, finish and finalize.
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert commune.submissions.get(saved["id"])["status"] == "draft"
    view.close()
    form2, instance2, status = service.open(saved["id"])
    view2 = make_view(qtbot, service, form2, instance2, saved, status)
    drive2 = FormDriver(view2, qtbot)
    assert view2.editors["class_name"].edit.text() == "Bình dân học vụ số – Nà Lầu – đợt 1"
    while view2.section_combo.currentData() != "notes":
        qtbot.keyClick(view2.section_combo, Qt.Key.Key_Down)
    drive2.answer("notes", "Cần luyện thêm chuyển tiền.")
    qtbot.mouseClick(view2.finalize_button, Qt.MouseButton.LeftButton)

    row = commune.submissions.get(saved["id"])
    assert row["status"] == "final"
    answers = json.loads(row["answers"])
    enh = next(p for p in commune.query("select * from persons") if p["full_name"] == "Nguyễn Văn Ễnh")
    assert answers["learner"] == enh["id"]
    assert answers["attendance"] == "present"
    assert answers["training_date"] == "2026-11-23"  # the default, today
    assert {k: answers[k] for k in SKILLS} == SKILLS
    assert answers["notes"] == "Cần luyện thêm chuyển tiền."
    assert "trainer" not in answers and "m1" not in answers


def test_pages_reflow_with_large_text(qtbot, service, qapp):
    """Large text: the page wraps inside the window instead of scrolling sideways."""
    previous = qapp.font()
    fonts.apply_app_font(qapp, 2.0)
    try:
        form, instance = service.new_instance("household_survey")
        view = make_view(qtbot, service, form, instance, {"id": None})
        view.resize(1000, 700)
        QApplication.processEvents()
        note = view.editors["purpose_note"].label
        assert note.height() > 2 * note.fontMetrics().lineSpacing()  # wrapped
        assert view.page.width() <= view.scroll.viewport().width()
        assert not view.scroll.horizontalScrollBar().isVisible()
        assert view.minimumSizeHint().width() < 1000
    finally:
        qapp.setFont(previous)


def test_a_field_list_page_with_the_keyboard_only(qtbot, service):
    """Tab goes question to question in page order, arrows and Space choose, Enter moves on."""
    form, instance = service.new_instance("training_progress")
    view = make_view(qtbot, service, form, instance, {"id": None})
    qtbot.keyClick(view.editors["class_name"].edit, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert view.current_page.key == "class_name"  # required: Alt+N does not skip it
    while view.section_combo.currentData() != "attendance":
        qtbot.keyClick(view.section_combo, Qt.Key.Key_Down)
    focused = QApplication.focusWidget()
    assert focused is view.editors["attendance"].rows["present"].button  # first editor focused
    qtbot.keyClick(focused, Qt.Key.Key_Space)
    qtbot.keyClick(focused, Qt.Key.Key_Return)
    assert view.current_page.key == "skills_basic"
    order = []
    for _ in range(4):
        QApplication.processEvents()  # lay the page out: arrow keys move by position
        widget = QApplication.focusWidget()
        order.append(widget.objectName())
        qtbot.keyClick(widget, Qt.Key.Key_Down)  # the second level of each skill
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        while QApplication.focusWidget().objectName().startswith("clear:"):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert order == ["choice:s1:not_started", "choice:s2:not_started",
                     "choice:s3:not_started", "choice:s4:not_started"]
    assert [instance.get_value(s) for s in ("s1", "s2", "s3", "s4")] == ["shown"] * 4
    assert QApplication.focusWidget() is view.back_button  # then the footer
    qtbot.keyClick(view.back_button, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert view.current_page.key == "skills_services"


def test_interface_language_switch_redraws_the_open_page(qtbot, service, marking):
    form, instance = service.new_instance("training_progress")
    view = make_view(qtbot, service, form, instance, {"id": None})
    FormDriver(view, qtbot).answer("class_name", "Lớp")
    assert view.next_button.text() == "Next"
    marking()  # every interface string now reads <<...>>
    view.retranslate()
    assert view.next_button.text() == "<<Next>>"
    assert view.progress.format() == "<<{percent} answered>>".format(percent="%p%")
    edit = view.editors["class_name"].edit
    assert edit.text() == "Lớp" and QApplication.focusWidget() is edit
    assert view.editors["class_name"].label.text().count("Tên lớp") == 1  # form text untouched
    view.go_to_key("training_date")
    assert view.editors["training_date"].button.text() == "<<Calendar…>>"
