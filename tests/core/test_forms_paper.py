"""A form laid out for paper: numbering, skip instructions derived from relevance, conditions
in words, the roster as a table and the per-person questions as a grid."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldapp.core.forms.paper import Question, Roster, layout
from fieldapp.i18n import catalog
from fieldapp.services.forms import load_form, load_form_file

FORMS = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture(autouse=True)
def vietnamese():
    catalog.set_language("vi")


def _questions(paper):
    for section in paper.sections:
        for item in section.items:
            if isinstance(item, Question):
                yield item
            elif isinstance(item, Roster):
                yield from item.columns
                yield from (q for q in item.grid if isinstance(q, Question))


def test_household_survey_skips_follow_its_relevance():
    paper = layout(load_form_file(FORMS / "household_survey.xlsx"))
    questions = {q.field.name: q for q in _questions(paper)}
    numbers = paper.questions
    assert numbers["village"] == 1 and sorted(numbers.values()) == list(
        range(1, len(numbers) + 1))
    # No smartphone: the internet question is skipped, straight to the e-ID module.
    assert questions["smartphone"].skips == {"none": numbers["id_status"]}
    # Not using online services: its follow-up questions (and the "other" text) are skipped.
    assert questions["dvc_use"].skips["no"] == numbers["epayment"]
    assert questions["has_shop"].skips == {"no": numbers["digital_address"]}
    # A refusal ends the interview; nobody to answer for a person ends that person's part.
    assert set(questions["consent"].skips) == {"no", "nobody_home", "moved", "vacant"}
    assert questions["answered_by"].skips == {"absent": None}
    assert questions["online_channels"].condition == \
        f"câu {numbers['sells_online']} = 1 “Có”"
    assert "[module] = 2" in next(h.condition for s in paper.sections for i in s.items
                                  if isinstance(i, Roster) for h in i.grid
                                  if not isinstance(h, Question) and h.node.name == "m_payments")
    worked = {node.name: text for node, text in paper.worked_out}
    assert worked["age"] == f"năm nay − câu {numbers['birth_year']}"
    assert "chia lấy dư cho 4" in worked["module"]


def test_the_roster_is_a_table_and_the_rest_a_grid():
    paper = layout(load_form_file(FORMS / "household_survey.xlsx"))
    roster = next(i for s in paper.sections for i in s.items if isinstance(i, Roster))
    assert [q.field.name for q in roster.columns][:5] == [
        "member_status", "member_name", "sex", "birth_year", "relation"]
    assert roster.rows == 8
    assert "smartphone" in [q.field.name for q in roster.grid if isinstance(q, Question)]


def test_any_form_lays_out_even_a_repeat_without_groups():
    source = (b"| survey |\n| | type | name | label | relevant |\n"
              b"| | select_one yn | ok | Ok? | |\n| | text | why | Why? | ${ok} = 'no' |\n"
              b"| | begin repeat | kids | Kids | |\n| | text | kid | Name | |\n"
              b"| | integer | kid_age | Age | |\n| | end repeat | | | |\n"
              b"| choices |\n| | list_name | name | label |\n| | yn | yes | Yes |\n"
              b"| | yn | no | No |\n")
    paper = layout(load_form(source, "tiny.md"))
    questions = {q.field.name: q for q in _questions(paper)}
    assert questions["ok"].skips == {"yes": 3}
    roster = next(i for s in paper.sections for i in s.items if isinstance(i, Roster))
    assert [q.field.name for q in roster.columns] == ["kid", "kid_age"]
