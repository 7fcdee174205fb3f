"""Journeys through the real widgets of the field workflows (issue 10, "Done when"):

- log a session for three persons (one new) in the quick log;
- create a class, enrol ten learners, record two attendance dates and fill the progress grid
  with the keyboard alone;
- correct a household's village and a person's birth year outside a survey;
- survey a household again and see two rounds in its timeline;
- the offer of a registered household when a survey starts for a family already there.

Bad input (a session dated in the future, a date outside the class, a level outside the scale,
a tombstoned person) is refused with a message beside the field and nothing saved.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from fieldapp.services.workspace import Workspace
from fieldapp.ui.app import build_app_window
from fieldapp.ui.screens.registry_dialogs import (
    DuplicateDialog, MoveDialog, PersonDialog, StartSurveyDialog)
from fieldapp.ui.workflow_widgets import set_date
from test_form_driver import FormDriver, type_text

TODAY = dt.date.today()


@pytest.fixture
def app(commune, qtbot):
    window = build_app_window(Workspace(commune))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    yield window
    window.close()


def store_of(window):
    return window.context.workspace.store


def modal(qtbot, kind):
    """The dialog of ``kind`` a click opened (window-modal, not blocking)."""
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), kind), timeout=2000)
    return QApplication.activeModalWidget()


def click_save(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)


def search_and_enter(qtbot, plan_list, text: str) -> None:
    plan_list.search.clear()
    type_text(plan_list.search, text)
    qtbot.waitUntil(lambda: not plan_list._timer.isActive())
    qtbot.keyClick(plan_list.search, Qt.Key.Key_Return)


# -- support sessions ----------------------------------------------------------------------------

def test_log_a_session_for_three_persons_one_new(app, qtbot):
    store = store_of(app)
    screen = app.show_screen("sessions")
    qtbot.mouseClick(screen.log_button, Qt.MouseButton.LeftButton)
    log = screen.log
    assert screen.stack.currentWidget() is log
    me = store.meta("current_user_id")
    assert log.members_ticked() == (me,)  # the current user is ticked
    assert log.village.currentText() == "Bản Khuông"

    search_and_enter(qtbot, log.finder.persons, "dang thi")
    search_and_enter(qtbot, log.finder.persons, "tran van")
    assert [h["text"] for h in log.helped] == ["Đặng Thị Lan (1982)", "Trần Văn Bình (1975)"]
    qtbot.mouseClick(log.new_person_button, Qt.MouseButton.LeftButton)
    dialog = modal(qtbot, PersonDialog)
    type_text(dialog.full_name, "Lò Văn Mới")
    dialog.birth_year.setValue(1990)
    click_save(qtbot, dialog)
    assert [h["text"] for h in log.helped][-1] == "Lò Văn Mới (new)"

    qtbot.mouseClick(log.activities.boxes["cccd_eid_enrolment"], Qt.MouseButton.LeftButton)
    for row, outcome in enumerate(("vneid_level2_activated", "cccd_eid_registered", "none")):
        log.helped_list.setCurrentRow(row)
        box = log.outcomes.boxes[outcome]
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    log.follow_check.setChecked(True)

    # A session dated tomorrow is refused beside the date; nothing is written.
    set_date(log.date, TODAY + dt.timedelta(days=1))
    qtbot.mouseClick(log.save_button, Qt.MouseButton.LeftButton)
    assert log.messages.text("date") == "The session date cannot be in the future."
    assert store.scalar("select count(*) from sessions") == 0
    assert store.scalar("select count(*) from persons where full_name = 'Lò Văn Mới'") == 0

    set_date(log.date, TODAY)
    qtbot.mouseClick(log.save_button, Qt.MouseButton.LeftButton)
    assert screen.stack.currentWidget() is screen.list_page
    session = store.query("select * from sessions")[0]
    assert session["date"] == TODAY.isoformat() and session["members"] == me
    assert session["activities"] == "cccd_eid_enrolment"
    helped = {h["full_name"]: h["outcomes"] for h in store.session_persons.of_session(
        session["id"])}
    assert helped == {"Đặng Thị Lan": "vneid_level2_activated",
                      "Trần Văn Bình": "cccd_eid_registered", "Lò Văn Mới": "none"}
    new = store.query("select * from persons where full_name = 'Lò Văn Mới'")[0]
    household = store.households.get(new["household_id"])
    assert household["head_name"] == "Lò Văn Mới"
    assert household["village_id"] == session["village_id"]
    assert screen.model.total() == 1
    assert "3 persons helped:" in screen.detail.text()
    # The follow-up a week later is listed on Home.
    home = app.show_screen("home")
    assert home.follow_ups.number.text() == "1"


# -- training ------------------------------------------------------------------------------------

def test_class_enrol_ten_attendance_and_the_grid_by_keyboard(app, qtbot):
    store = store_of(app)
    screen = app.show_screen("training")
    qtbot.mouseClick(screen.new_button, Qt.MouseButton.LeftButton)
    dialog = modal(qtbot, type(screen.new_class(show=False)))
    type_text(dialog.name, "Bình dân học vụ số – đợt 1")
    set_date(dialog.start, TODAY - dt.timedelta(days=2))
    set_date(dialog.end, TODAY)
    for skill in ("s1", "s3", "s10"):
        box = dialog.skills.boxes[skill]
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)
    assert dialog.skills.checked() == ("s1", "s3", "s10")
    click_save(qtbot, dialog)
    page = screen.page
    assert screen.stack.currentWidget() is page and page.title.text() == "Bình dân học vụ số – đợt 1"

    names = ["dang van hung", "dang thi lan", "dang van phuc", "nguyen thi hoa", "tran van",
             "hoang van dung", "nguyen van enh", "nong thi", "duong van", "ly thi anh"]
    for name in names:
        search_and_enter(qtbot, page.finder.persons, name)
    assert page.learners.rowCount() == 10
    # A person removed from the registry cannot be enrolled: the message is beside the search.
    gone = store.query("select id from persons where full_name = 'Triệu Thị Yến'")[0]["id"]
    store.persons.tombstone(gone, "moved away")
    page.enrol(person_id=gone)
    assert "was removed from the registry and cannot be enrolled" in page.enrol_message.text()
    assert page.learners.rowCount() == 10

    page.tabs.setCurrentIndex(1)
    # The date field opens on today, within the class's dates, and goes no further.
    assert page.new_date.date().toPython() == TODAY
    set_date(page.new_date, TODAY - dt.timedelta(days=5))
    assert page.new_date.date().toPython() == TODAY - dt.timedelta(days=2)
    set_date(page.new_date, TODAY + dt.timedelta(days=5))
    assert page.new_date.date().toPython() == TODAY
    assert page.attendance.columnCount() == 0
    grid = page.attendance_grid
    for day, keys in ((TODAY - dt.timedelta(days=2), "C" * 9 + "V"),
                      (TODAY - dt.timedelta(days=1), "C" * 8 + "DC")):
        set_date(page.new_date, day)
        qtbot.mouseClick(page.add_date_button, Qt.MouseButton.LeftButton)
        assert grid.hasFocus() or grid.currentIndex().isValid()
        for key in keys:
            qtbot.keyClick(grid, getattr(Qt.Key, f"Key_{key}"))
    assert store.scalar("select count(*) from attendance where status = 'present'") == 18
    assert store.scalar("select count(*) from attendance where status = 'late'") == 1
    assert store.scalar("select count(*) from attendance where status = 'absent'") == 1

    page.tabs.setCurrentIndex(2)
    grid = page.progress_grid
    grid.setFocus()
    assert grid.currentIndex().row() == 0 and grid.currentIndex().column() == 0
    for column, level in enumerate("231"):  # S1 with help, S3 alone, S10 shown
        grid.setCurrentIndex(page.progress.index(0, column))
        for _row in range(10):
            qtbot.keyClick(grid, getattr(Qt.Key, f"Key_{level}"))
    asked = []
    page.confirm_overwrite = lambda grid, column: asked.append(column) or True
    qtbot.keyClick(grid, Qt.Key.Key_Up)
    qtbot.keyClick(grid, Qt.Key.Key_Delete)  # the last learner's S10 cleared again
    assert asked == [2]  # over a saved level: asked first
    qtbot.keyClick(grid, Qt.Key.Key_7)  # outside the scale: refused
    assert "is not a level of the scale" in page.progress_message.text()
    levels = dict(((r["skill"], r["level"]), r["n"]) for r in store.query(
        "select skill, level, count(*) as n from progress where level is not null "
        "group by skill, level"))
    assert levels == {("s1", "with_help"): 10, ("s3", "alone"): 10, ("s10", "shown"): 9}
    assert page.progress.data(page.progress.index(0, 0)) == "Does it with help"

    page.tabs.setCurrentIndex(0)
    page.learners_table.setCurrentIndex(page.learners.index(0, 0))
    assert "Bình dân học vụ số – đợt 1" in page.history.text()
    assert "present 2 of 2 days" in page.history.text()


# -- the registry outside a survey ----------------------------------------------------------------

def test_correct_a_households_village_and_a_persons_birth_year(app, qtbot):
    store = store_of(app)
    screen = app.show_screen("households")
    screen.search.setText("dang van hung")
    screen.run_search()
    household = screen.detail.household
    assert household["head_name"] == "Đặng Văn Hùng"
    qtbot.mouseClick(screen.detail.buttons["move"], Qt.MouseButton.LeftButton)
    dialog = modal(qtbot, MoveDialog)
    dialog.village.setCurrentIndex(dialog.village.findText("Bản Pò Mục"))
    click_save(qtbot, dialog)
    moved = store.households.get(household["id"])
    assert store.villages.get(moved["village_id"])["name"] == "Bản Pò Mục"
    assert any(c.field == "village_id" for c in store.households.history(household["id"]))
    assert screen.detail.summary.text().startswith("Bản Pò Mục")

    screen.detail.persons_table.setCurrentIndex(screen.detail.persons.index(1, 0))
    qtbot.mouseClick(screen.detail.person_buttons["edit_person"], Qt.MouseButton.LeftButton)
    dialog = modal(qtbot, PersonDialog)
    assert dialog.full_name.text() == "Đặng Thị Lan"
    dialog.birth_year.setValue(1850)
    click_save(qtbot, dialog)  # refused beside the field; the dialog stays open
    assert "between 1900 and" in dialog.messages.text("birth_year")
    assert dialog.isVisible()
    dialog.birth_year.setValue(1983)
    click_save(qtbot, dialog)
    lan = store.query("select * from persons where full_name = 'Đặng Thị Lan'")[0]
    assert lan["birth_year"] == 1983
    assert [c.value for c in store.persons.history(lan["id"]) if c.field == "birth_year"] == [
        1982, 1983]


def test_survey_a_household_again_and_see_two_rounds(app, qtbot, complete_form):
    store = store_of(app)
    screen = app.show_screen("households")
    screen.search.setText("nong thi mai")
    screen.run_search()
    household_id = screen.detail.household["id"]
    for expected in ("Start the household survey", "Survey this household again"):
        screen = app.show_screen("households")
        screen.show_household(household_id)
        assert screen.detail.survey_button.text() == expected
        qtbot.mouseClick(screen.detail.survey_button, Qt.MouseButton.LeftButton)
        view = app.screen("surveys").form_view
        FormDriver(view, qtbot).answer("consent", "yes")
        complete_form(view.instance)
        view.go_to_first_problem()  # none left: the footer now offers Finalize
        qtbot.mouseClick(view.finalize_button, Qt.MouseButton.LeftButton)
        assert view.status == "final"
        app.screen("surveys").close_form()
    screen = app.show_screen("households")
    screen.show_household(household_id)
    rounds = [screen.detail.timeline.item(i).text()
              for i in range(screen.detail.timeline.count())]
    assert len(rounds) == 2 and all("Household survey round" in r for r in rounds)
    assert store.scalar("select count(*) from households where deleted = 0") == 6
    assert screen.detail.summary.text().startswith("Thôn Nà Lầu  ·  Surveyed ")


def test_starting_a_survey_for_a_registered_family_offers_it_first(app, qtbot):
    store = store_of(app)
    screen = app.show_screen("households")
    qtbot.mouseClick(screen.new_survey_button, Qt.MouseButton.LeftButton)
    dialog = modal(qtbot, StartSurveyDialog)
    dialog.village.setCurrentIndex(dialog.village.findText("Bản Khuông"))
    type_text(dialog.head, "Đặng Văn Hung")  # one tone mark off
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.offer.isVisible()
    assert dialog.alike.item(0).text().startswith("Đặng Văn Hùng – Bản Khuông")
    qtbot.mouseClick(dialog.existing_button, Qt.MouseButton.LeftButton)
    view = app.screen("surveys").form_view
    registered = store.query("select id from households where head_name = 'Đặng Văn Hùng'")[0]
    assert view.instance.get_value("existing_household") == registered["id"]


def test_finalizing_a_new_survey_of_a_registered_family_asks_first(app, qtbot, complete_form,
                                                                  monkeypatch):
    store = store_of(app)
    asked = []

    def answer(self, alike):
        asked.append([c["head_name"] for c in alike.candidates])
        return alike.candidates[0]["id"]  # "it is this household"

    monkeypatch.setattr("fieldapp.ui.forms.surveys.SurveysScreen.ask_duplicate", answer)
    screen = app.show_screen("households")
    dialog = screen.start_new_survey(show=False)
    dialog.village.setCurrentIndex(dialog.village.findText("Bản Khuông"))
    dialog.head.setText("Nguyen Thi Hoa")  # no new name check: continue as a new family
    dialog.accept()
    view = app.screen("surveys").form_view
    FormDriver(view, qtbot).answer("consent", "yes")
    for name, value in (("member_name", "Nguyễn Thị Hoa"), ("sex", "female"),
                        ("birth_year", "1970"), ("relation", "head"), ("ethnicity", "kinh")):
        view.instance.set_value(f"members[0]/{name}", value)
    complete_form(view.instance)
    view.go_to_first_problem()
    qtbot.mouseClick(view.finalize_button, Qt.MouseButton.LeftButton)
    assert asked == [["Nguyễn Thị Hoa"]]
    assert view.status == "final"
    assert store.scalar("select count(*) from households") == 6  # no second household
    hoa = store.query("select id from households where head_name = 'Nguyễn Thị Hoa'")[0]["id"]
    assert store.scalar("select finals from household_rounds where household_id = ?",
                        [hoa]) == 1


def test_the_duplicate_dialog_offers_each_alike_household(commune, qtbot):
    from fieldapp.services.surveys import NEW_HOUSEHOLD

    registry = Workspace(commune).registry
    alike = registry.similar_households(commune.villages.list()[0]["id"], "Đặng Văn Hung")
    dialog = DuplicateDialog(alike, "Đặng Văn Hung", registry.round_start())
    qtbot.addWidget(dialog)
    assert dialog.alike.count() == 1
    dialog._new()
    assert dialog.choice == NEW_HOUSEHOLD


def test_the_surveys_screens_new_household_button_asks_the_head_first(app, qtbot):
    surveys = app.show_screen("surveys")
    qtbot.mouseClick(surveys.new_buttons["household_survey"], Qt.MouseButton.LeftButton)
    dialog = modal(qtbot, StartSurveyDialog)
    dialog.village.setCurrentIndex(dialog.village.findText("Thôn Nà Lầu"))
    type_text(dialog.head, "Lò Văn Mới")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)  # nobody alike: it starts
    view = surveys.form_view
    assert view is not None and view.form.form_id == "household_survey"
    assert view.instance.get_value("village") == store_of(app).query(
        "select id from villages where name = 'Thôn Nà Lầu'")[0]["id"]
