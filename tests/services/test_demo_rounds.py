"""The demo commune's fieldwork is what the shipped forms make of it.

The demo offers each household's answers to the forms engine at once and keeps what the
engine keeps (fieldapp.services.demo_rounds). These tests check that this gives exactly the
answers a member gets by filling the form question by question in page order, that every
stored round reopens unchanged and without an error in the form it was made with, and that the
story holds: two rounds for some households, the next module at the second round, sessions
and classes recorded with their forms.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from readback import rows as _rows

from fieldapp.core import demo_data as dd
from fieldapp.core.forms import FormInstance, Repeat
from fieldapp.services import demo_rounds
from fieldapp.services.forms import load_form_file

FORMS = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture(scope="module")
def form():
    return load_form_file(FORMS / "household_survey.xlsx")


@pytest.fixture(scope="module")
def demo(make_demo):
    return make_demo(300, 21)


# A later round starts from the registry: the roster's saved values, then the person's id
# (as SurveyService prefills it), before the member goes through the questions.
PREFILLED = ("member_name", "sex", "birth_year", "relation", "ethnicity", "existing_person")


def fill_in_page_order(form, offered, day, registry, keys):
    """A member filling the form: each question in document order, answered (from
    ``offered``) only when it is shown and not read-only; roster rows added one by one."""
    key_iter = iter(keys)
    instance = FormInstance(form, today=day, registry=registry, new_key=lambda: next(key_iter))

    def answer(path, source, name):
        if name in source and instance.is_relevant(path) and not instance.is_read_only(path):
            instance.set_value(path, source[name])

    def walk(group, prefix, source):
        for node in group.children:
            if isinstance(node, Repeat):
                for row in source.get(node.name, []):
                    index = instance.add_repeat_row(prefix + node.name)
                    row_prefix = f"{prefix}{node.name}[{index}]/"
                    if "existing_person" in row:
                        for name in PREFILLED:
                            answer(row_prefix + name, row, name)
                    walk(node, row_prefix, row)
            elif hasattr(node, "children"):
                walk(node, prefix, source)
            elif node.is_input or node.type == "hidden":
                answer(prefix + node.name, source, node.name)

    walk(form.root, "", offered)
    return instance


def _same_both_ways(form, maker, offered, day):
    keys = [row["@key"] for row in offered["members"]]
    at_once = FormInstance(form, json.loads(json.dumps(offered)), today=day,
                           registry=maker.registry("v1"))
    by_hand = fill_in_page_order(form, offered, day, maker.registry("v1"), keys)
    assert at_once.errors() == [] and by_hand.errors() == []
    assert at_once.answers == by_hand.answers


def test_offering_all_answers_at_once_equals_filling_question_by_question(form):
    rng = random.Random(5)
    ids = random.Random(6)
    maker = demo_rounds.RoundMaker(form, {"v1": "Bản Khuông"}, {"v1": ["u1"]}, ids)
    checked = 0
    for template in dd.VILLAGE_TEMPLATES[:6]:
        for _i in range(12):
            household = demo_rounds.draw_household(rng, "v1", template)
            _same_both_ways(form, maker, maker.first_round_answers(household),
                            demo_rounds.draw_day(rng, demo_rounds.ROUND_1))
            # A year later, the registry's roster confirmed: the same holds.
            household.id = "h-1"
            for n, person in enumerate(household.persons):
                person.id = f"p-{n}"
            offered, _persons = maker.second_round_answers(rng, household)
            _same_both_ways(form, maker, offered, demo_rounds.draw_day(rng, demo_rounds.ROUND_2))
            checked += 1
    assert checked == 72


def test_every_stored_round_is_what_the_form_keeps(demo, form):
    rounds = _rows(demo, "select answers, finalized_at, village_id from submissions "
                         "where form_id = 'household_survey'")
    village_names = {v["id"]: v["name"] for v in _rows(demo, "select id, name from villages")}
    for r in rounds:
        answers = json.loads(r["answers"])
        day = dt.datetime.fromisoformat(r["finalized_at"]).date()
        registry = demo_rounds.ListRegistry(villages=[{"name": r["village_id"],
                                                       "label": village_names[r["village_id"]]}])
        instance = FormInstance(form, answers, today=day, registry=registry)
        assert instance.errors() == []
        assert instance.answers == answers  # nothing the form would not ask, nothing missing


KEY = ("smartphone", "internet_use", "vneid_level2", "epayment", "dvc_use", "scam_awareness")
MODULE_OF = {"bhvs_training": "0", "cccd": "1", "digital_signature": "2", "cds_installed": "3",
             "chatbot_used": "3", "ehealth_record": "3"}


def test_no_answer_the_form_never_asks(demo):
    """Every person of 15 and over who can be asked has the key indicators every round; a
    rotating part's answers only in that part's year; nothing for children."""
    seen = set()
    for r in _rows(demo, "select answers from submissions where form_id = 'household_survey'"):
        answers = json.loads(r["answers"])
        if answers["consent"] != "yes":
            assert "members" not in answers and "grid_power" not in answers
            continue
        for row in answers["members"]:
            age = int(row["age"])
            seen.update(row)
            left = row.get("member_status") in ("moved", "died")
            if age < 15 or left:
                assert not set(KEY) & set(row) and "answered_by" not in row
                continue
            if row["answered_by"] == "absent":
                assert not set(KEY) & set(row)
            else:
                assert set(KEY) <= set(row)  # every round, everyone asked
            for name, module in MODULE_OF.items():
                if name in row:
                    assert answers["module"] == module
            if row.get("smartphone") not in ("own", "shared"):
                assert "cds_installed" not in row  # an app on the phone: phone users only
        if "digital_address" in answers:
            assert answers["module"] == "0"
    assert {"vneid_level2", "epayment", "cds_installed", "scam_awareness", "cccd"} <= seen


def test_some_households_are_surveyed_twice_in_the_next_module(demo):
    rounds = _rows(demo, """select coalesce(household_id,
                                json_extract(answers, '$.existing_household')) as household,
                                finalized_at, json_extract(answers, '$.module') as module,
                                json_extract(answers, '$.interview_result') as result
                            from submissions where form_id = 'household_survey'
                            order by finalized_at""")
    by_household: dict[str, list[dict]] = {}
    for r in rounds:
        by_household.setdefault(r["household"], []).append(r)
    assert len(by_household) == 300
    twice = {h: rs for h, rs in by_household.items() if len(rs) >= 2}
    assert 0.2 * 300 <= len(twice) <= 0.45 * 300
    results = {r["result"] for r in rounds}
    assert {"completed", "partly"} <= results
    assert results & {"refused", "nobody_home"}
    for rs in twice.values():
        first, last = rs[0], rs[-1]
        assert first["finalized_at"] < "2026" <= last["finalized_at"]
        if last["result"] in ("completed", "partly"):
            assert int(last["module"]) == (int(first["module"]) + 1) % 4


def test_the_demo_year_holds_sessions_and_classes_of_registered_people(demo):
    sessions = _rows(demo, "select min(date) first, max(date) last, count(*) n from sessions")[0]
    assert sessions["n"] > 0 and "2025-12-01" <= sessions["first"] <= sessions["last"] \
        <= "2026-11-20"  # after the first round, up to the end of the second
    helped = _rows(demo, """select count(*) n, count(q.id) known from session_persons p
        left join persons q on q.id = p.person_id where p.person_id is not null""")[0]
    assert helped["n"] > 0 and helped["known"] == helped["n"]
    classes = {r["name"] for r in _rows(demo, "select name from classes")}
    assert any(name.startswith("Bình dân học vụ số") for name in classes)
    assert any("thành viên" in name for name in classes)


def test_nobody_under_fifteen_is_helped_in_a_session(demo):
    young = _rows(demo, """select count(*) n from session_persons p join persons q
        on q.id = p.person_id where q.birth_year > 2011""")[0]["n"]
    assert young == 0
