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
    # Not selling online: the channels are skipped; no shop: its questions are skipped.
    assert questions["sells_online"].skips["no"] == numbers["has_shop"]
    assert questions["has_shop"].skips["no"] == numbers["cds_who"]
    # A refusal ends the interview.
    assert set(questions["consent"].skips) == {"no", "nobody_home", "moved", "vacant"}
    assert questions["online_channels"].condition == \
        f"câu {numbers['sells_online']} = 1 “Có”"


def test_the_rotation_is_said_in_words_and_nothing_internal_is_printed():
    """The rotating part is a question of its own (the app works it out; paper says which
    part in words), and conditions use the words of the values' labels: no field name, no
    formula."""
    paper = layout(load_form_file(FORMS / "household_survey.xlsx"))
    numbers = paper.questions
    part = numbers["module"]
    headings = {i.node.name: i.condition for s in paper.sections for i in s.items
                if not isinstance(i, (Question, Roster)) and hasattr(i, "node")}
    assert headings["m_identity"].startswith(f"câu {part} = 2 “Phần B")
    assert paper.worked_out == []
    texts = [q.condition for q in _questions(paper)] + list(headings.values()) + [
        s.condition for s in paper.sections]
    for text in texts:
        assert "[" not in text and "mod" not in text and "_" not in text, text
    statuses = {q.field.name: q.condition for q in _questions(paper)}
    assert statuses["member_status"] == "có mã người trong danh sách của xã (in sẵn)"


def test_the_roster_is_a_table_and_the_rest_a_grid():
    paper = layout(load_form_file(FORMS / "household_survey.xlsx"))
    roster = next(i for s in paper.sections for i in s.items if isinstance(i, Roster))
    assert [q.field.name for q in roster.columns][:5] == [
        "member_status", "member_name", "sex", "birth_year", "relation"]
    assert roster.rows == 8
    assert roster.grid == []  # everything else is asked once about everyone


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
