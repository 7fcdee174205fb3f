"""The household survey as a doorstep interview: how many items a member handles, and that every
indicator of DOMAIN.md §1 can still be computed from its answers.

The key indicators (smartphone, internet, VNeID level 2, e-payment, online public services,
scam awareness) are asked of everyone of 15 and over in every round, once for the whole
household ("Ai trong nhà …?", a choice of the people listed); the per-person answers are
worked out from those choices (issue 21). Only the rest rotates.

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


# Everything the reference household would answer; only what the form asks is given. People
# are numbered in the roster's order: head 1, spouse 2, grandparent 3, child 4.
HEAD = dict(member_name="Hoàng Văn Sơn", sex="male", ethnicity="tay", same_ethnicity="yes")
SPOUSE = dict(member_name="Nông Thị Lan", sex="female", relation="spouse")
GRANDPARENT = dict(member_name="Hoàng Thị Nhất", sex="female", relation="parent")
CHILD = dict(member_name="Hoàng Văn Minh", sex="male", relation="child")
HOUSEHOLD = dict(roster_check="OK", absent_who="nobody", self_who="1 2", phone_own_who="1 2",
                 phone_shared_who="nobody", internet_who="1 2", vneid_who="1 2",
                 epay_who="1 2", dvc_self_who="nobody", dvc_helped_who="1", scam_who="1",
                 grid_power="yes", mobile_signal="mobile_4g", fibre="no", phone="0912345678",
                 poverty_status="neither", bhvs_who="1", digital_address="dont_know",
                 cccd_who="1 2 3", dvc_procedures="residence", dvc_satisfaction="satisfied",
                 sign_who="nobody", cashless_bills="electricity", sells_online="no",
                 has_shop="no", cds_who="1", cds_features="dvc", chatbot_who="nobody",
                 ehealth_who="dont_know", barriers="data_cost")


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


def test_key_questions_are_asked_of_everyone_of_15_every_round(form):
    """Every round, whatever the module: the key indicators of each person of 15 and over
    follow from the questions about everyone; nothing is asked about the child."""
    for age in (45, 46, 47, 48):
        instance = reference_household(form, age)
        grandparent = {k: instance.get_value(f"members[2]/{k}") for k in (
            "smartphone", "internet_use", "vneid_level2", "epayment", "dvc_use",
            "scam_awareness")}
        assert grandparent == {"smartphone": "none", "internet_use": "no",
                               "vneid_level2": "no", "epayment": "no", "dvc_use": "no",
                               "scam_awareness": "no"}
        assert instance.get_value("members[0]/smartphone") == "own"
        assert instance.get_value("members[0]/dvc_use") == "with_help"
        assert instance.get_value("members[3]/smartphone") == ""  # a child: not asked


def test_questions_about_everyone_offer_the_people_asked(form):
    instance = reference_household(form, 47)
    offered = [c.name for c in instance.choices_for("vneid_who")]
    assert offered == ["1", "2", "3", "nobody", "dont_know", "refused"]  # not the child (4)
    # Apps on the phone: only those who use a smartphone.
    instance = reference_household(form, 45)
    assert instance.get_value("module") == "3"
    assert [c.name for c in instance.choices_for("cds_who")][:2] == ["1", "2"]
    assert "3" not in [c.name for c in instance.choices_for("cds_who")]


def test_dont_know_refused_and_skipped_are_kept_apart_from_no(form):
    instance = reference_household(form, 46)
    instance.set_value("epay_who", "1 dont_know")
    instance.set_value("vneid_who", "refused")
    instance.set_value("scam_who", "")
    assert [instance.get_value(f"members[{i}]/epayment") for i in range(3)] == \
        ["yes", "dont_know", "dont_know"]
    assert instance.get_value("members[1]/vneid_level2") == "refused"
    assert instance.get_value("members[1]/scam_awareness") == "skipped"
    assert instance.can_finalize()  # a person may decline: not required


def test_declinable_questions_have_dont_know_and_refused_and_are_not_required(form):
    asked = [f for f in form.fields.values() if f.is_select and f.calculation is None
             and f.list_name and f.name not in DECLARED_BY_THE_MEMBER]
    assert len(asked) > 20
    for field in asked:
        names = {c.name for c in form.choice_lists[field.list_name].choices}
        assert "refused" in names, field.name
        assert field.required is None, field.name


# Questions the member answers from what is seen or from the commune's lists, not the
# respondent: the visit, the roster, who answers.
DECLARED_BY_THE_MEMBER = {"consent", "member_status", "sex", "relation", "ethnicity",
                          "same_ethnicity", "absent_who", "self_who", "poverty_status",
                          "online_channels"}


def test_the_consent_names_every_personal_item_collected(form):
    text = form.fields["purpose_note"].label["Vietnamese (vi)"]
    for item in ("họ tên", "giới tính", "năm sinh", "quan hệ với chủ hộ", "dân tộc",
                 "thôn, bản", "số điện thoại", "hộ nghèo, cận nghèo", "đã chuyển đi"):
        assert item in text, item


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
    only_head = {k: v.replace(" 2", "") for k, v in HOUSEHOLD.items()}
    fill(instance, [(HEAD, 46), (SPOUSE, 43)], {**only_head, "absent_who": "2"})
    assert instance.get_value("members[1]/answered_by") == "absent"
    assert instance.get_value("members[1]/smartphone") == ""
    assert "2" not in [c.name for c in instance.choices_for("epay_who")]
    assert instance.can_finalize()
    assert instance.get_value("interview_result") == "partly"


def test_questions_about_everyone_read_aloud_as_a_village_member_says_them(form):
    """"Ai trong nhà …?": one question for the household, its choices the people listed by
    name and age."""
    for name in ("phone_own_who", "internet_who", "vneid_who", "epay_who", "dvc_self_who",
                 "scam_who", "bhvs_who", "cccd_who", "sign_who", "cds_who", "chatbot_who",
                 "ehealth_who"):
        label = form.fields[name].label["Vietnamese (vi)"]
        assert label.startswith(("Ai ", "Trong ", "Nếu ", "Điện thoại của ai")), name
        assert " ai " in f" {label.lower()} ", name
    instance = reference_household(form, 46)
    from fieldapp.core.forms.labels import LabelSource
    labels = LabelSource(form, instance)
    shown = [labels.choice("vneid_who", c).primary for c in instance.choices_for("vneid_who")]
    assert shown[:3] == ["Hoàng Văn Sơn, 46", "Nông Thị Lan, 43", "Hoàng Thị Nhất, 74"]


# --------------------------------------------------------------------------- indicators
# DOMAIN.md §1: indicator -> the survey fields it is computed from (person fields are in the
# roster repeat). "module" says in which rotating module the fields are asked (None: every
# round); a commune computes a module's indicators over the households that met it.
INDICATORS = {
    1: ("smartphone ownership", ["smartphone"], None),
    2: ("mobile signal at home", ["mobile_signal"], None),
    3: ("fibre broadband at home", ["fibre"], None),
    4: ("grid electricity", ["grid_power"], None),
    5: ("e-payment account or e-wallet", ["epayment"], None),
    6: ("shop accepts QR payment", ["has_shop", "qr_payment"], "2"),
    7: ("cashless bills", ["cashless_bills"], "2"),
    8: ("has a chip ID card", ["cccd"], "1"),
    9: ("VNeID level 2", ["vneid_level2"], None),
    10: ("uses online public services", ["dvc_use"], None),
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
