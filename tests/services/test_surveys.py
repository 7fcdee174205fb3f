"""Survey service: drafts, finalizing into the registry, later rounds, edits and old form versions."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from openpyxl import load_workbook

from fieldapp import paths
from fieldapp.errors import UserError
from fieldapp.services.forms import FormCatalog
from fieldapp.services.surveys import SurveyService

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def service(setup_store):
    return SurveyService(setup_store, FormCatalog([paths.forms_dir()]), today=lambda: TODAY,
                         now=lambda: dt.datetime(2026, 11, 23, 9, 0))


def add_member(instance, name, sex, year, relation, ethnicity="tay"):
    """A roster row; the first row is the head (its relation is fixed), later rows take the
    head's ethnicity unless told otherwise."""
    i = instance.add_repeat_row("members")
    instance.set_value(f"members[{i}]/member_name", name)
    instance.set_value(f"members[{i}]/sex", sex)
    instance.set_value(f"members[{i}]/birth_year", str(year))
    for field, value in (("relation", relation), ("ethnicity", ethnicity)):
        path = f"members[{i}]/{field}"
        if instance.is_relevant(path) and not instance.is_read_only(path):
            instance.set_value(path, value)
    return i


def household_answers(instance, village_id, members, complete):
    instance.set_value("consent", "yes")
    instance.set_value("village", village_id)
    for name, sex, year, relation in members:
        add_member(instance, name, sex, year, relation)
    complete(instance)


MEMBERS = [("Hoàng Văn Sơn", "male", 1990, "head"), ("Nông Thị Lan", "female", 1992, "spouse"),
           ("Hoàng Văn Minh", "male", 2015, "child")]


def test_finalized_survey_creates_household_and_persons(service, setup_store, complete_form):
    village = setup_store.villages.list()[0]
    form, instance = service.new_instance("household_survey")
    household_answers(instance, village["id"], MEMBERS, complete_form)
    sid = service.save(None, form, instance, finalize=True)
    row = service.repo.get(sid)
    assert row["status"] == "final" and row["form_version"] == form.version
    household = setup_store.households.get(row["household_id"])
    assert household["head_name"] == "Hoàng Văn Sơn" and household["village_id"] == village["id"]
    persons = setup_store.persons.of_household(household["id"])
    assert [p["full_name"] for p in persons] == ["Hoàng Văn Sơn", "Nông Thị Lan", "Hoàng Văn Minh"]
    assert persons[2]["birth_year"] == 2015 and persons[1]["sex"] == "female"
    assert json.loads(row["answers"])["members"][1]["member_name"] == "Nông Thị Lan"


def test_draft_does_not_touch_the_registry_and_reopens(service, setup_store):
    form, instance = service.new_instance("household_survey")
    instance.set_value("consent", "yes")
    add_member(instance, "Lý Văn Páo", "male", 1970, "head", "dao")
    sid = service.save(None, form, instance, finalize=False)
    assert setup_store.counts()["households"] == 0
    form2, reopened, status = service.open(sid)
    assert status == "draft" and reopened.get_value("head_name") == "Lý Văn Páo"


def test_finalize_refused_while_errors_remain(service):
    form, instance = service.new_instance("household_survey")
    instance.set_value("consent", "yes")
    with pytest.raises(UserError):
        service.save(None, form, instance, finalize=True)


def test_editing_a_finalized_round_updates_not_duplicates(service, setup_store, complete_form):
    village = setup_store.villages.list()[0]
    form, instance = service.new_instance("household_survey")
    household_answers(instance, village["id"], MEMBERS, complete_form)
    sid = service.save(None, form, instance, finalize=True)
    form, instance, status = service.open(sid)
    instance.set_value("members[1]/member_name", "Nông Thị Lanh")
    instance.remove_repeat_row("members", 2)
    service.save(sid, form, instance, finalize=True)
    assert setup_store.counts()["households"] == 1
    household_id = service.repo.get(sid)["household_id"]
    assert [p["full_name"] for p in setup_store.persons.of_household(household_id)] == [
        "Hoàng Văn Sơn", "Nông Thị Lanh"]
    history = service.history(sid)
    assert len(history) == 2
    assert json.loads(history[0]["answers"])["members"][1]["member_name"] == "Nông Thị Lan"


def test_removing_the_middle_member_keeps_every_persons_id(service, setup_store, complete_form):
    """Persons are mapped to roster rows by the rows' keys, not their positions: removing the
    middle one of three must not hand the third person's id to anyone."""
    village = setup_store.villages.list()[0]
    form, instance = service.new_instance("household_survey")
    household_answers(instance, village["id"], MEMBERS, complete_form)
    sid = service.save(None, form, instance, finalize=True)
    household_id = service.repo.get(sid)["household_id"]
    before = {p["full_name"]: p["id"] for p in setup_store.persons.of_household(household_id)}

    form, instance, _status = service.open(sid)
    instance.remove_repeat_row("members", 1)  # Nông Thị Lan
    add_member(instance, "Hoàng Thị Na", "female", 2024, "child")
    complete_form(instance)
    service.save(sid, form, instance, finalize=True)

    after = {p["full_name"]: p["id"] for p in setup_store.persons.of_household(household_id)}
    assert after["Hoàng Văn Sơn"] == before["Hoàng Văn Sơn"]
    assert after["Hoàng Văn Minh"] == before["Hoàng Văn Minh"]
    assert "Nông Thị Lan" not in after
    removed = setup_store.persons.get(before["Nông Thị Lan"])
    assert removed["deleted"] == 1 and removed["full_name"] == "Nông Thị Lan"
    assert after["Hoàng Thị Na"] not in before.values()
    # The row keys survived the edit: the same key, the same person.
    keys = [r["@key"] for r in json.loads(service.repo.get(sid)["answers"])["members"]]
    assert len(set(keys)) == 3


def test_later_round_updates_registry_and_keeps_the_earlier_round(service, setup_store,
                                                                  complete_form):
    village = setup_store.villages.list()[0]
    form, instance = service.new_instance("household_survey")
    household_answers(instance, village["id"], MEMBERS, complete_form)
    first = service.save(None, form, instance, finalize=True)
    household_id = service.repo.get(first)["household_id"]

    form, again = service.new_instance("household_survey", household_id=household_id)
    again.set_value("consent", "yes")
    assert again.get_value("head_name") == "Hoàng Văn Sơn"
    assert again.repeat_rows("members") == 3
    assert again.get_value("members[1]/member_name") == "Nông Thị Lan"
    add_member(again, "Hoàng Thị Na", "female", 2024, "child")
    complete_form(again)
    second = service.save(None, form, again, finalize=True)

    assert second != first
    assert setup_store.counts()["households"] == 1
    assert service.repo.get(second)["household_id"] == household_id
    names = [p["full_name"] for p in setup_store.persons.of_household(household_id)]
    assert len(names) == 4 and "Hoàng Thị Na" in names
    rounds = service.rounds(household_id)
    assert [r["id"] for r in rounds] == [first, second]
    assert len(json.loads(rounds[0]["answers"])["members"]) == 3


def test_old_submission_opens_after_the_form_changes(setup_store, tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    shutil.copy(paths.forms_dir() / "household_survey.xlsx", forms)
    svc = SurveyService(setup_store, FormCatalog([forms]), today=lambda: TODAY)
    form, instance = svc.new_instance("household_survey")
    instance.set_value("consent", "yes")
    add_member(instance, "Triệu Văn Quý", "male", 1968, "head", "dao")
    sid = svc.save(None, form, instance, finalize=False)

    # Staff edit the workbook: new version, a question renamed away.
    wb = load_workbook(forms / "household_survey.xlsx")
    settings = wb["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(2, header.index("version") + 1, "2099010101")
    wb.save(forms / "household_survey.xlsx")

    svc2 = SurveyService(setup_store, FormCatalog([forms]), today=lambda: TODAY)
    assert svc2.catalog.current("household_survey")[1].version == "2099010101"
    old_form, reopened, status = svc2.open(sid)
    assert old_form.version == form.version
    assert reopened.get_value("head_name") == "Triệu Văn Quý"


def test_registry_lists_serve_from_the_database(service, setup_store):
    village = setup_store.villages.list()[0]
    hid = setup_store.households.add_household(village["id"], "Đặng Văn Ân")
    setup_store.persons.add_person(hid, "Đặng Văn Ân", birth_year=1950, relation="head")
    form, instance = service.new_instance("support_session")
    instance.set_value("village", village["id"])
    names = [c.name for c in instance.choices_for("households_helped")]
    assert names == [hid]


SIX = [("Hoàng Văn Sơn", "male", 1980, "head"), ("Nông Thị Lan", "female", 1983, "spouse"),
       ("Hoàng Thị Nhất", "female", 1952, "parent"), ("Hoàng Văn Minh", "male", 2014, "child"),
       ("Hoàng Thị Hoa", "female", 2018, "child"), ("Lương Thị Duyên", "female", 2003,
                                                     "child_in_law")]
BASIC = ("member_name", "sex", "birth_year", "relation", "ethnicity")


def test_a_later_round_shows_the_roster_as_confirmation(service, setup_store, complete_form):
    """Six people known from the last round: each row asks one question (is this still
    right?) and shows the details read-only; asked to correct, the details open again."""
    village = setup_store.villages.list()[0]
    form, instance = service.new_instance("household_survey")
    household_answers(instance, village["id"], SIX, complete_form)
    household_id = service.repo.get(service.save(None, form, instance, finalize=True))[
        "household_id"]

    form, again = service.new_instance("household_survey", household_id=household_id)
    again.set_value("consent", "yes")
    assert again.repeat_rows("members") == 6
    pages = {page.key: page.paths for page in again.pages()}
    for i in range(6):
        shown = pages[f"members[{i}]/member_basic"]
        assert f"members[{i}]/member_status" in shown
        asked = [p for p in shown if not again.is_read_only(p)]
        assert asked == [f"members[{i}]/member_status"], asked
        for name in BASIC:
            assert again.is_read_only(f"members[{i}]/{name}")
    row = {again.get_value(f"members[{i}]/member_name"): i for i in range(6)}
    assert row["Hoàng Văn Sơn"] == 0  # the head first, the others by age
    assert again.get_value(f"members[{row['Lương Thị Duyên']}]/relation") == "child_in_law"
    lan, nhat = row["Nông Thị Lan"], row["Hoàng Thị Nhất"]
    again.set_value(f"members[{lan}]/member_status", "fix")
    assert not again.is_read_only(f"members[{lan}]/member_name")
    again.set_value(f"members[{lan}]/member_name", "Nông Thị Lanh")
    again.set_value(f"members[{nhat}]/member_status", "died")
    # Someone who died is asked about no more (not among the people offered).
    assert again.get_value(f"members[{nhat}]/smartphone") == ""
    assert str(nhat + 1) not in [c.name for c in again.choices_for("phone_own_who")]
    complete_form(again)
    service.save(None, form, again, finalize=True)
    persons = setup_store.persons.of_household(household_id)
    names = [p["full_name"] for p in persons]
    assert "Nông Thị Lanh" in names and "Hoàng Thị Nhất" not in names and len(names) == 5
    assert all("presence" not in (p["properties"] or "") for p in persons)
