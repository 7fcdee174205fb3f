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
    "consent": "yes", "village": "Bản Khuông", "head_name": "Hoàng Văn Sơn",
    "hh_ethnicity": "tay", "grid_power": "yes", "mobile_signal": "mobile_4g", "fibre": "no",
    "digital_address": "dont_know", "sells_online": "yes", "online_channels": "zalo facebook",
    "has_shop": "no", "cashless_bills": "electricity water", "phone": "0912345678",
}
ADULT = {
    "smartphone": "own", "internet_use": "yes", "has_cccd": "yes", "vneid_level": "level2",
    "ehealth_record": "dont_know", "epayment": "yes_transfers", "dvc_use": "with_help",
    "dvc_procedures": "birth_registration", "dvc_satisfaction": "satisfied",
    "digital_signature": "no", "cds_installed": "yes", "cds_features": "dvc",
    "chatbot_used": "no", "scam_awareness": "yes", "bhvs_training": "yes",
}
# The spouse's name is typed decomposed (NFD), as the Windows Vietnamese keyboard sends it.
MEMBERS = [
    {"member_name": "Hoàng Văn Sơn", "sex": "male", "birth_year": "1992", "relation": "head",
     "ethnicity": "tay", **ADULT},
    {"member_name": unicodedata.normalize("NFD", "Nông Thị Hạnh"), "sex": "female",
     "birth_year": "1995", "relation": "spouse", "ethnicity": "nung", **ADULT,
     "dvc_use": "no", "cds_installed": "no"},
    {"member_name": "Hoàng Văn Đức", "sex": "male", "birth_year": "2014", "relation": "child",
     "ethnicity": "tay", "smartphone": "shared", "internet_use": "yes",
     "scam_awareness": "unsure", "bhvs_training": "no"},
    {"member_name": "Hoàng Thị Mai Anh", "sex": "female", "birth_year": "2022",
     "relation": "child", "ethnicity": "tay"},
]
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

    # Consent page: the field-list group shows the notes and the question together.
    assert set(view.editors) == {"purpose_note", "privacy_note", "consent"}
    assert "*" in view.editors["consent"].label.text()  # required mark
    drive.answer("consent", "yes")
    qtbot.keyClick(view.editors["consent"].rows["yes"].button, Qt.Key.Key_Return)  # Enter = Next
    assert view.current_page.key == "household_id"

    # Household pages, up to the roster: one field-list page per topic. Questions that
    # depend on an answer on the same page appear on it at once.
    assert {"village", "head_name", "hh_ethnicity", "poverty_status", "phone"} <= set(view.editors)
    assert view.page_title.text() == "Hộ gia đình và chủ hộ"
    drive.fill_pages(HOUSEHOLD, until=lambda v: v.current_page.key == "business")
    assert "online_channels" not in view.editors
    drive.answer("sells_online", "yes")
    assert "online_channels" in view.editors  # shown as soon as "yes" is ticked
    drive.fill_pages(HOUSEHOLD, until=at_roster_end)
    assert view.findChild(type(view.add_row_here_button), "add_row_here").isVisible()

    # Four members; the second first gets an impossible year of birth.
    for number, member in enumerate(MEMBERS):
        qtbot.mouseClick(view.add_row_here_button, Qt.MouseButton.LeftButton)
        assert view.current_page.repeat_path == f"members[{number}]"
        # A member's basic details are one page.
        assert view.current_page.key == f"members[{number}]/member_basic"
        assert {f"members[{number}]/{n}" for n in ("member_name", "sex", "birth_year",
                                                    "relation", "ethnicity")} <= set(view.editors)
        assert view.row_bar.isVisible()
        if number == 1:
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
            assert view.current_page.key == "members[1]/devices"
            assert set(view.editors) == {"members[1]/smartphone", "members[1]/internet_use"}
        if number == 3:  # under 6: the note, and no further pages for this member
            drive.fill_page(member)
            assert "members[3]/young_child_note" in view.editors
            drive.next()
            assert at_roster_end(view)
        drive.fill_pages(member, until=at_roster_end)

    # Field-list pages: consent, 3 household pages, 5 + 5 + 3 (aged 12) + 1 (aged 4) member
    # pages, the roster page, roster check, barriers, notes.
    assert len(view.pages) == 22

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
    drive.fill_pages(END)
    assert view.current_page.key == "notes"
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
    assert view2.current_page.key == "consent_group"
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
    assert answers["members"][1]["dvc_use"] == "no"
    assert "has_cccd" not in answers["members"][2]  # 12 years old: not asked
    village = next(v for v in commune.villages.list() if v["name"] == "Bản Khuông")
    assert answers["village"] == village["id"]

    # Finalizing put the household and its four members into the registry.
    household = commune.households.get(row["household_id"])
    assert household["head_name"] == "Hoàng Văn Sơn"
    assert household["village_id"] == village["id"]
    persons = commune.persons.of_household(row["household_id"])
    assert sorted(p["full_name"] for p in persons) == sorted(names)
    assert len(service.history(saved["id"])) == 2
