"""The household survey as a doorstep interview: how many items a member handles, and that every
indicator of DOMAIN.md §1 can still be computed from its answers.

"Items a member handles" are the questions and notes shown on the survey's pages that the
member reads out or fills in; a value shown read-only (a confirmed roster row, the head's
relation, the head's ethnicity carried to the others) is not one. The reference household
of issue 13: two adults with smartphones, a grandparent without one and a child of 12. On main
it met 81 items (79 questions, 2 notes); the limit is 45 (about 15 minutes).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fieldapp.core.forms import FormInstance
from fieldapp.services.forms import load_form_file

FORM = Path(__file__).resolve().parents[2] / "forms" / "household_survey.xlsx"
TODAY = dt.date(2026, 11, 23)
LIMIT = 45


class Villages:
    """The registry lists the survey reads: one village."""

    def list_rows(self, csv_name):
        return [{"name": "v1", "label": "Bản Khuông"}] if csv_name == "villages.csv" else []


@pytest.fixture(scope="module")
def form():
    return load_form_file(FORM)


def new_instance(form, today=TODAY):
    return FormInstance(form, today=today, registry=Villages())


# Everything the reference household would answer; only what the form asks is given.
HEAD = dict(member_name="Hoàng Văn Sơn", sex="male", ethnicity="tay", same_ethnicity="yes",
            answered_by="self", smartphone="own", internet_use="yes", id_status="level2",
            dvc_use="with_help", dvc_procedures="residence", dvc_satisfaction="satisfied",
            epayment="yes", digital_signature="no", cds_installed="yes", cds_features="dvc",
            chatbot_used="no", ehealth_record="dont_know", scam_awareness="yes",
            bhvs_training="yes")
SPOUSE = dict(member_name="Nông Thị Lan", sex="female", relation="spouse", answered_by="self",
              smartphone="own", internet_use="yes", id_status="level2", dvc_use="no",
              epayment="yes", digital_signature="no", cds_installed="no", chatbot_used="no",
              ehealth_record="no", scam_awareness="unsure", bhvs_training="no")
GRANDPARENT = dict(member_name="Hoàng Thị Nhất", sex="female", relation="parent",
                   answered_by="proxy", smartphone="none", id_status="cccd_only",
                   bhvs_training="no")
CHILD = dict(member_name="Hoàng Văn Minh", sex="male", relation="child", smartphone="shared",
             internet_use="yes", scam_awareness="unsure")
HOUSEHOLD = dict(roster_check="OK", grid_power="yes", mobile_signal="mobile_4g", fibre="no",
                 phone="0912345678", poverty_status="neither", cashless_bills="electricity",
                 sells_online="no", has_shop="no", digital_address="dont_know",
                 barriers="data_cost")


def answer_if_asked(instance, path, value):
    if instance.is_relevant(path) and not instance.is_read_only(path):
        instance.set_value(path, value)


def fill(instance, people, household=HOUSEHOLD, year=TODAY.year):
    """Fill the survey as a member does: the visit, then each person (basic details, then the
    questions the form asks of them), then the household; each answer only if asked."""
    instance.set_value("village", "v1")
    instance.set_value("consent", "yes")
    for person, age in people:
        i = instance.add_repeat_row("members")
        answer_if_asked(instance, f"members[{i}]/birth_year", str(year - age))
        for name, value in person.items():
            answer_if_asked(instance, f"members[{i}]/{name}", value)
    for name, value in household.items():
        answer_if_asked(instance, name, value)


def handled_items(instance) -> list[str]:
    """Paths of the questions and notes a member handles (see the module's docstring)."""
    return [path for page in instance.pages() for path in page.paths
            if instance.field_at(path).type == "note" or not instance.is_read_only(path)]


def reference_household(form, head_age):
    instance = new_instance(form)
    fill(instance, [(HEAD, head_age), (SPOUSE, 43), (GRANDPARENT, 74), (CHILD, 12)])
    return instance


@pytest.mark.parametrize("head_age", [45, 46, 47, 48])
def test_reference_household_takes_at_most_45_items_in_every_module(form, head_age):
    """The module turns with the year and the head's year of birth: four heads' ages in one
    year meet the four modules."""
    instance = reference_household(form, head_age)
    assert instance.errors() == []  # complete: nothing more to ask
    assert instance.can_finalize()
    items = handled_items(instance)
    assert len(items) <= LIMIT, items
    # One entry for the head: name and ethnicity come from the roster, never asked twice.
    assert instance.get_value("head_name") == "Hoàng Văn Sơn"
    assert instance.get_value("hh_ethnicity") == "tay"
    assert "head_name" not in items and "hh_ethnicity" not in items
    assert instance.get_value("interview_result") == "completed"


def test_the_four_rounds_meet_the_four_modules(form):
    modules = {reference_household(form, age).get_value("module") for age in (45, 46, 47, 48)}
    assert modules == {"0", "1", "2", "3"}
    # The same household meets the next module a year later.
    instance = new_instance(form, today=dt.date(2027, 5, 1))
    fill(instance, [(HEAD, 47)], year=2027)  # born 1980, as the head of age 46 in 2026
    first = reference_household(form, 46).get_value("module")
    assert int(instance.get_value("module")) == (int(first) + 1) % 4


def test_app_questions_are_gated_on_smartphone_use(form):
    instance = reference_household(form, 47)  # module 1: identity and public services
    assert instance.get_value("module") == "1"
    assert instance.is_relevant("members[2]/id_status")  # no smartphone: the e-ID is asked
    assert not instance.is_relevant("members[2]/dvc_use")  # ... online services are not
    assert not instance.is_relevant("members[2]/internet_use")
    assert instance.is_relevant("members[0]/dvc_use")


def test_members_take_the_heads_ethnicity_unless_the_household_is_mixed(form):
    instance = new_instance(form)
    fill(instance, [(HEAD, 46), (SPOUSE, 43)])
    assert instance.get_value("members[1]/ethnicity") == "tay"
    assert instance.is_read_only("members[1]/ethnicity")
    instance.set_value("members[0]/same_ethnicity", "no")
    assert not instance.is_read_only("members[1]/ethnicity")
    instance.set_value("members[1]/ethnicity", "nung")
    assert instance.get_value("members[1]/ethnicity") == "nung"
    assert instance.get_value("hh_ethnicity") == "tay"


def test_the_first_person_is_the_head_and_nobody_else_can_be(form):
    instance = new_instance(form)
    fill(instance, [(HEAD, 46), (SPOUSE, 43)])
    assert instance.get_value("members[0]/relation") == "head"
    assert instance.is_read_only("members[0]/relation")
    assert "head" not in [c.name for c in instance.choices_for("members[1]/relation")]
    assert {"child_in_law", "parent_in_law"} <= {c.name for c in
                                                 instance.choices_for("members[1]/relation")}


@pytest.mark.parametrize("contact, result", [("no", "refused"), ("nobody_home", "nobody_home"),
                                             ("moved", "moved"), ("vacant", "vacant")])
def test_a_visit_without_an_interview_is_finalized_with_its_result(form, contact, result):
    instance = new_instance(form)
    instance.set_value("village", "v1")
    instance.set_value("consent", contact)
    assert instance.can_finalize()
    assert instance.get_value("interview_result") == result
    assert instance.entity_operations() == []


def test_a_person_nobody_can_answer_for_makes_the_interview_partial(form):
    instance = new_instance(form)
    fill(instance, [(HEAD, 46), ({**SPOUSE, "answered_by": "absent"}, 43)])
    assert not instance.is_relevant("members[1]/smartphone")
    assert instance.can_finalize()
    assert instance.get_value("interview_result") == "partly"


def test_person_questions_name_the_person(form):
    """Read aloud in a proxy interview, a question says whom it is about."""
    for name in ("smartphone", "internet_use", "id_status", "dvc_use", "epayment",
                 "digital_signature", "cds_installed", "chatbot_used", "ehealth_record",
                 "scam_awareness", "bhvs_training", "answered_by"):
        assert "${member_name}" in form.fields[name].label["Vietnamese (vi)"], name
        assert "của mình" not in form.fields[name].label["Vietnamese (vi)"], name


# --------------------------------------------------------------------------- indicators
# DOMAIN.md §1: indicator -> the survey fields it is computed from (person fields are in the
# roster repeat). "module" says in which rotating module the fields are asked (None: every
# round); a commune computes a module's indicators over the households that met it.
INDICATORS = {
    1: ("smartphone ownership", ["smartphone"], None),
    2: ("mobile signal at home", ["mobile_signal"], None),
    3: ("fibre broadband at home", ["fibre"], None),
    4: ("grid electricity", ["grid_power"], None),
    5: ("e-payment account or e-wallet", ["epayment"], "2"),
    6: ("shop accepts QR payment", ["has_shop", "qr_payment"], "2"),
    7: ("cashless bills", ["cashless_bills"], "2"),
    8: ("has a chip ID card", ["id_status"], "1"),  # any answer but no_cccd and dont_know
    9: ("VNeID level 2", ["id_status"], "1"),
    10: ("uses online public services", ["dvc_use", "dvc_procedures", "dvc_satisfaction"], "1"),
    11: ("personal digital signature", ["digital_signature"], "2"),
    12: ("Công dân số Xứ Lạng app", ["cds_installed", "cds_features"], "3"),
    13: ("government virtual assistant", ["chatbot_used"], "3"),
    14: ("sells online", ["sells_online", "online_channels"], "2"),
    15: ("digital address", ["digital_address"], "0"),
    16: ("electronic health record", ["ehealth_record"], "3"),
    17: ("internet use, past 30 days", ["internet_use"], None),
    18: ("tax app and e-invoices", ["tax_app", "e_invoice"], "2"),
    19: ("scam awareness and training", ["scam_awareness", "bhvs_training"], "0"),
}
# Every person field is asked with who answered (self or proxy).
PERSON_CONTEXT = ["answered_by", "age", "sex", "ethnicity"]


def test_every_domain_indicator_maps_to_survey_fields(form):
    assert sorted(INDICATORS) == list(range(1, 20))
    for number, (_title, fields, _module) in INDICATORS.items():
        for name in fields:
            assert name in form.fields, (number, name)
    for name in PERSON_CONTEXT + ["barriers", "interview_result"]:
        assert name in form.fields, name


def test_every_indicator_is_computable_from_a_round_of_its_module(form):
    """A household with a shop that sells online, surveyed in each module, gives a value to
    every field of every indicator at least once; core indicators in every round."""
    busy = {**HOUSEHOLD, "sells_online": "yes", "online_channels": "zalo", "has_shop": "yes",
            "qr_payment": "yes", "tax_app": "no", "e_invoice": "dont_know"}
    answered: dict[str, set[str]] = {}
    for head_age in (45, 46, 47, 48):
        instance = new_instance(form)
        fill(instance, [(HEAD, head_age), (SPOUSE, 43), (GRANDPARENT, 74), (CHILD, 12)], busy)
        assert instance.can_finalize(), instance.errors()[:3]
        module = instance.get_value("module")
        answers = instance.answers
        values = {k: v for k, v in answers.items() if not isinstance(v, list)}
        for row in answers["members"]:
            values.update({f"members/{k}": v for k, v in row.items() if not isinstance(v, list)})
        for name in values:
            answered.setdefault(name.rsplit("/", 1)[-1], set()).add(module)
    for number, (title, fields, module) in INDICATORS.items():
        for name in fields:
            expected = {"0", "1", "2", "3"} if module is None else {module}
            assert expected <= answered.get(name, set()), (number, title, name)
