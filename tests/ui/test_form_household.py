"""The household survey filled in through the real widgets, saved as a draft, reopened from the
database and finalized; the stored answers and the registry rows are checked."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import pytest
from PySide6.QtCore import Qt

from fieldapp.services.surveys import SurveyService
from fieldapp.ui.forms.view import FormView
from test_form_driver import FormDriver, show_form_view, type_text

TODAY = dt.date(2026, 11, 23)

HOUSEHOLD = {
    "consent": "yes", "village": "Bản Khuông", "grid_power": "yes", "mobile_signal": "mobile_4g",
    "fibre": "no", "phone": "0912345678", "cashless_bills": "electricity water",
    "sells_online": "yes", "online_channels": "zalo facebook", "has_shop": "no",
}
# The head, born 1992, surveyed in 2026: this round's module is 2 (payments and signature).
# The spouse's name is typed decomposed (NFD), as the Windows Vietnamese keyboard sends it.
MEMBERS = [
    {"member_name": "Hoàng Văn Sơn", "sex": "male", "birth_year": "1992", "ethnicity": "tay",
     "same_ethnicity": "no"},
    {"member_name": unicodedata.normalize("NFD", "Nông Thị Hạnh"), "sex": "female",
     "birth_year": "1995", "relation": "spouse", "ethnicity": "nung"},
    {"member_name": "Hoàng Văn Đức", "sex": "male", "birth_year": "2014", "relation": "child",
     "ethnicity": "tay"},
    {"member_name": "Hoàng Thị Mai Anh", "sex": "female", "birth_year": "2022",
     "relation": "child", "ethnicity": "tay"},
]
# Asked once about everyone of 15 and over (the head 1, the spouse 2), by their number.
EVERYONE = {
    "absent_who": "nobody", "self_who": "1", "phone_own_who": "1 2",
    "phone_shared_who": "nobody", "internet_who": "1 2", "vneid_who": "1",
    "epay_who": "1 dont_know", "dvc_self_who": "nobody", "dvc_helped_who": "1",
    "scam_who": "1 2", "sign_who": "nobody",
}
END = {"roster_check": "OK", "barriers": "data_cost no_signal",
       "notes": "Cần hướng dẫn thêm về VNeID."}


def at_roster_end(view: FormView) -> bool:
    return view.current_page.add_row == "members"


@pytest.fixture
def service(commune):
    return SurveyService(commune, today=lambda: TODAY)


def open_view(qtbot, service, form, instance, status="draft"):
    saved: dict[str, str | None] = {"id": None}
    view = show_form_view(qtbot, form, instance, service=service, saved=saved, status=status)
    return view, saved


def test_household_survey_end_to_end(qtbot, service, commune):
    form, instance = service.new_instance("household_survey")
    view, saved = open_view(qtbot, service, form, instance)
    drive = FormDriver(view, qtbot)

    # The visit page: the village, the introduction read aloud, and the household's answer.
    assert set(view.editors) == {"village", "purpose_note", "consent"}
    assert "*" in view.editors["consent"].label.text()  # required mark
    drive.fill_page({"village": "Bản Khuông"})
    drive.answer("consent", "yes")
    qtbot.keyClick(view.editors["consent"].rows["yes"].button, Qt.Key.Key_Return)  # Enter = Next
    # The roster comes first: the head is its first person, entered once.
    assert at_roster_end(view)

    # Four members; the second first gets an impossible year of birth.
    for number, member in enumerate(MEMBERS):
        qtbot.mouseClick(view.add_row_here_button, Qt.MouseButton.LeftButton)
        assert view.current_page.repeat_path == f"members[{number}]"
        # A member's basic details are one page.
        assert view.current_page.key == f"members[{number}]/member_basic"
        assert {f"members[{number}]/{n}" for n in ("member_name", "sex", "birth_year",
                                                    "relation", "ethnicity")} <= set(view.editors)
        assert view.row_bar.isVisible()
        if number == 0:  # the first person is the head: the relation is shown, not asked
            assert not view.editors["members[0]/relation"].isEnabled() or \
                not view.editors["members[0]/relation"].rows["head"].button.isEnabled()
        if number == 1:
            assert view.editors["members[1]/ethnicity"].rows["tay"].button.isChecked()
            drive.fill_page({**member, "birth_year": "1800"})
            drive.next()
            assert view.current_page.key == "members[1]/member_basic"  # blocked
            assert drive.errors_shown() == {
                "members[1]/birth_year": "Năm sinh phải từ 1900 đến năm hiện tại."}
            assert view.banner.isVisible()
            drive.answer("birth_year", "1995")
            assert drive.errors_shown() == {}  # cleared as soon as it is corrected
            assert view.row_title.text().endswith("Nông Thị Hạnh, 31")
            qtbot.keyClick(view.editors["members[1]/birth_year"].edit, Qt.Key.Key_N,
                           Qt.KeyboardModifier.AltModifier)
            assert at_roster_end(view)  # nothing else is asked person by person
        if number == 3:
            drive.fill_page(member)
            drive.next()
            assert at_roster_end(view)
        drive.fill_pages(member, until=at_roster_end)

    # Field-list pages: visit, one per member, the roster page, the roster check, the two
    # pages about everyone, the household's two pages, the closing.
    assert len(view.pages) == 1 + 4 + 1 + 1 + 2 + 2 + 1

    # The roster page lists every member by the title the form gives a row: name, age.
    titles = [b.text() for b in view._row_buttons]
    assert titles == ["1. Hoàng Văn Sơn, 34", "2. Nông Thị Hạnh, 31",  # typed NFD, shown NFC
                      "3. Hoàng Văn Đức, 12", "4. Hoàng Thị Mai Anh, 4"]

    # A fifth member added by mistake is removed after confirming.
    qtbot.mouseClick(view.add_row_here_button, Qt.MouseButton.LeftButton)
    type_text(view.editors["members[4]/member_name"].edit, "Nhầm")
    assert "Nhầm" in view.row_title.text()  # the row title follows the typing
    qtbot.mouseClick(view.remove_row_button, Qt.MouseButton.LeftButton)
    assert view.confirm_bar.isVisible()
    qtbot.mouseClick(view.confirm_remove_button, Qt.MouseButton.LeftButton)
    assert instance.repeat_rows("members") == 4
    assert at_roster_end(view)

    drive.next()
    drive.fill_pages({**END, **HOUSEHOLD}, until=lambda v: v.current_page.key == "everyone")
    # The people of 15 and over, by name and age; not the children.
    offered = {path.rsplit("/", 1)[-1] for path in view.editors}
    assert offered >= {"absent_who", "phone_own_who", "internet_who"}
    drive.fill_pages(EVERYONE, until=lambda v: v.current_page.key == "home")
    assert view.page_title.text() == "Điện và internet tại nhà"
    drive.fill_pages({**HOUSEHOLD, **EVERYONE},
                     until=lambda v: v.current_page.key == "m_business")
    assert "online_channels" not in view.editors
    drive.answer("sells_online", "yes")
    assert "online_channels" in view.editors  # shown as soon as "yes" is ticked
    drive.fill_pages({**HOUSEHOLD, **EVERYONE, **END},
                     until=lambda v: v.current_page.key == "closing")
    drive.fill_page(END)
    assert view.finalize_button.isEnabled()

    # Save a draft with the keyboard.
    qtbot.keyClick(view.editors["notes"].edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved["id"] is not None
    assert view.banner.text() == "Draft saved."
    row = commune.submissions.get(saved["id"])
    assert row["status"] == "draft"
    view.close()

    # Reopen from the database and finalize.
    form2, instance2, status = service.open(saved["id"])
    assert status == "draft"
    view2, saved2 = open_view(qtbot, service, form2, instance2, status=status)
    saved2["id"] = saved["id"]
    # Jump to the roster with the section list, from the keyboard.
    assert view2.current_page.key == "visit"
    while view2.section_combo.currentData() != "members_section":
        qtbot.keyClick(view2.section_combo, Qt.Key.Key_Down)
    assert view2.current_page.key == "members[0]/member_basic"
    assert view2.editors["members[0]/member_name"].edit.text() == "Hoàng Văn Sơn"
    assert view2.finalize_button.isEnabled()
    qtbot.mouseClick(view2.finalize_button, Qt.MouseButton.LeftButton)
    assert view2.banner.text() == "Finalized and saved."

    row = commune.submissions.get(saved["id"])
    assert row["status"] == "final"
    answers = json.loads(row["answers"])
    assert answers["consent"] == "yes"
    assert answers["head_name"] == "Hoàng Văn Sơn"
    assert answers["online_channels"] == "zalo facebook"
    assert answers["barriers"] == "no_signal data_cost"  # in the form's choice order
    assert answers["notes"] == "Cần hướng dẫn thêm về VNeID."
    names = [m["member_name"] for m in answers["members"]]
    assert names == ["Hoàng Văn Sơn", "Nông Thị Hạnh", "Hoàng Văn Đức", "Hoàng Thị Mai Anh"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert [m["birth_year"] for m in answers["members"]] == ["1992", "1995", "2014", "2022"]
    assert answers["members"][0]["relation"] == "head"
    assert answers["members"][1]["answered_by"] == "proxy"
    assert answers["members"][1]["ethnicity"] == "nung"
    # Each person's answers, worked out from the questions about everyone.
    assert [answers["members"][i]["epayment"] for i in (0, 1)] == ["yes", "dont_know"]
    assert answers["members"][0]["dvc_use"] == "with_help"
    assert "answered_by" not in answers["members"][2]  # under 15: not asked about
    assert "smartphone" not in answers["members"][3]
    assert answers["interview_result"] == "completed"
    village = next(v for v in commune.villages.list() if v["name"] == "Bản Khuông")
    assert answers["village"] == village["id"]

    # Finalizing put the household and its four members into the registry.
    household = commune.households.get(row["household_id"])
    assert household["head_name"] == "Hoàng Văn Sơn"
    assert household["village_id"] == village["id"]
    persons = commune.persons.of_household(row["household_id"])
    assert sorted(p["full_name"] for p in persons) == sorted(names)
    assert len(service.history(saved["id"])) == 2
