"""Property tests: random forms either load or are refused, and loaded ones run without errors."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from broken_forms.builders import SETTINGS, write_md
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fieldapp.core.forms import FormInstance, FormLoadError
from fieldapp.services.forms import load_form_file

TYPES = ["text", "integer", "decimal", "date", "note", "calculate", "hidden", "acknowledge",
         "select_one yn", "select_multiple yn", "select_one yn or_other", "begin group",
         "end group", "begin repeat", "end repeat", "geopoint", "select_one nolist",
         "select_one_from_file households.csv", "bogus"]
NAMES = ["a", "b", "c", "d", "e", "r", "g", "a", "", "1x"]
EXPRS = ["", "", "", "${a} > 1", "${b} = 'yes'", "count(${r})", "${c} + ${d}",
         ". > 0", "selected(${e}, 'yes')", "if(${a} = '', 0, 1)", "once(today())",
         "position(..)", "${zz}", "foo(1)", "(", "sum(${a})", "concat(${a}, ${b})",
         "indexed-repeat(${a}, ${r}, 1)", "yes"]
VALUES = ["", "1", "yes", "no", "2026-01-02", "yes no", "-3.5", "Nguyễn", "x" * 50, "0"]

row = st.tuples(st.sampled_from(TYPES), st.sampled_from(NAMES), st.sampled_from(EXPRS),
                st.sampled_from(EXPRS), st.sampled_from(EXPRS), st.sampled_from(EXPRS))


HEADER = ["type", "name", "label", "relevant", "calculation", "constraint", "repeat_count"]
CHOICES = [["list_name", "name", "label"], ["yn", "yes", "Có"], ["yn", "no", "Không"]]


def answered(form, answers, *, rows_per_repeat: int = 1, check: bool = False) -> FormInstance:
    """An instance of ``form`` with ``rows_per_repeat`` rows in each repeat the user sizes, then
    each ``(k, value)`` answered at the k-th (modulo) path shown. With ``check``, an answer must
    read back unless its question is not relevant."""
    inst = FormInstance(form, today=dt.date(2026, 11, 23))
    for repeat in form.repeats:
        if repeat.repeat_count is None and repeat.repeat is None:
            for _row in range(rows_per_repeat):
                inst.add_repeat_row(repeat.name)
    for k, value in answers:
        paths = [p for page in inst.pages() for p in page.paths]
        if not paths:
            break
        path = paths[k % len(paths)]
        if not inst.is_read_only(path):
            inst.set_value(path, value)
            if check:
                assert inst.get_value(path) == value or not inst.is_relevant(path)
    return inst


def build(rows) -> dict:
    survey = [HEADER]
    for type_, name, rel, calc, cons, count in rows:
        survey.append([type_, name, f"Q {name} ${{a}}" if name else "Q", rel,
                       calc if type_ == "calculate" else "", cons,
                       count if type_ == "begin repeat" else ""])
    return {"survey": survey, "choices": CHOICES, "settings": SETTINGS}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, min_size=1, max_size=12),
       answers=st.lists(st.tuples(st.integers(0, 30), st.sampled_from(VALUES)), max_size=12))
def test_random_forms_load_or_are_refused_and_run(rows, answers):
    with tempfile.TemporaryDirectory() as d:
        path = write_md(Path(d) / "f.md", build(rows))
        try:
            form = load_form_file(path)
        except FormLoadError as err:
            event("refused")
            assert err.problems and all(p.message for p in err.problems)
            return
    event("loaded")
    inst = answered(form, answers)
    inst.errors()
    inst.progress()
    inst.sections()
    inst.entity_operations()
    again = FormInstance.from_json(form, inst.to_json(), today=dt.date(2026, 11, 23))
    assert again.answers == inst.answers


VALID_TYPES = ["text", "integer", "decimal", "date", "note", "calculate", "hidden",
               "acknowledge", "select_one yn", "select_multiple yn", "select_one yn or_other",
               "begin group", "begin repeat", "end"]
EXPR_TEMPLATES = ["", "", "${%s} != ''", "${%s} > 1", "selected(${%s}, 'yes')",
                  "count(${%s})", "if(${%s} = 'yes', 1, 0)", "string-length(${%s}) < 10",
                  "sum(${%s})", "once(${%s})"]


@st.composite
def valid_rows(draw):
    """Forms that should load: unique names, balanced groups, references to earlier fields."""
    n = draw(st.integers(1, 14))
    rows, open_groups, names = [], [], []
    for i in range(n):
        type_ = draw(st.sampled_from(VALID_TYPES))
        if type_ == "end":
            if open_groups:
                rows.append([f"end {open_groups.pop()}", "", "", "", "", "", ""])
            continue
        name = f"q{i}"

        def expr():
            template = draw(st.sampled_from(EXPR_TEMPLATES))
            return template % draw(st.sampled_from(names)) if template and names else ""

        relevant = expr()
        calc = expr() or "1" if type_ == "calculate" else ""
        constraint = ". != 'x'" if draw(st.booleans()) and type_ == "text" else ""
        count = ""
        if type_ == "begin repeat" and names and draw(st.booleans()):
            count = f"if(${{{names[0]}}} = '', 2, 1)"
        rows.append([type_, name, f"Câu {i}", relevant, calc, constraint, count])
        if type_.startswith("begin"):
            open_groups.append(type_.split()[1])
        else:
            names.append(name)
    rows += [[f"end {g}", "", "", "", "", "", ""] for g in reversed(open_groups)]
    if not names:  # a form needs at least one question
        rows.append(["text", "only", "Câu", "", "", "", ""])
    return rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=valid_rows(),
       answers=st.lists(st.tuples(st.integers(0, 30), st.sampled_from(VALUES)), max_size=15))
def test_generated_valid_forms_run(rows, answers):
    sheets = {"survey": [HEADER] + rows, "choices": CHOICES, "settings": SETTINGS}
    with tempfile.TemporaryDirectory() as d:
        try:
            form = load_form_file(write_md(Path(d) / "f.md", sheets))
        except FormLoadError as err:
            # Only cycles through group relevance may legitimately refuse these forms.
            assert all("circular" in p.message for p in err.problems), err.problems
            event("refused (cycle)")
            return
    event("loaded")
    inst = answered(form, answers, rows_per_repeat=2, check=True)
    for page in inst.pages():
        inst.errors(page)
    inst.can_finalize()
    assert 0.0 <= inst.progress() <= 1.0
    again = FormInstance.from_json(form, inst.to_json(), today=dt.date(2026, 11, 23))
    assert again.answers == inst.answers
