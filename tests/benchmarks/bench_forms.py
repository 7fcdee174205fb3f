"""Forms engine speed: loading the shipped forms, and the work after one keystroke.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_forms.py
    .venv/bin/python -m pytest tests/benchmarks/bench_forms.py -s

Targets from the issue: loading all shipped forms <= 0.5 s; re-evaluating all expressions of
the household survey with a 10-person roster after a keystroke <= 20 ms. Also: the public
corpora of tests/corpus (issues 12 and 26) per form, and hostile workbooks (issue 14: a zip bomb, a
LibreOffice workbook with styled rows down to row 1,048,576) refused or read at once.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from fieldapp.core.forms import FormInstance  # noqa: E402
from fieldapp.services.forms import discover_forms, load_form_file  # noqa: E402

FORMS = ROOT / "forms"
HOUSEHOLD = FORMS / "household_survey.xlsx"
PEOPLE = [("Hoàng Văn Sơn", "1991", "head", "m"), ("Lường Thị Mai", "1993", "spouse", "f"),
          ("Hoàng Văn An", "2015", "child", "m"), ("Hoàng Thị Lan", "2018", "child", "f"),
          ("Hoàng Văn Tùng", "1960", "parent", "m"), ("Nông Thị Hoa", "1962", "parent", "f"),
          ("Hoàng Văn Minh", "2001", "child", "m"), ("Hoàng Thị Hà", "2004", "child", "f"),
          ("Hoàng Văn Bình", "2021", "grandchild", "m"), ("Hoàng Thị Thu", "1999", "other", "f")]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def household_with_roster(form):
    inst = FormInstance(form, today=dt.date(2026, 11, 23))
    inst.set_value("consent", "yes")
    for i, (name, year, relation, sex) in enumerate(PEOPLE):
        inst.add_repeat_row("members")  # the first row is the head (head_name follows)
        inst.set_value(f"members[{i}]/member_name", name)
        inst.set_value(f"members[{i}]/birth_year", year)
        inst.set_value(f"members[{i}]/sex", sex)
        if inst.is_read_only(f"members[{i}]/relation"):
            continue
        first = inst.choices_for(f"members[{i}]/relation")
        names = {c.name for c in first}
        inst.set_value(f"members[{i}]/relation", relation if relation in names
                       else next(iter(names)))
    return inst


def bench_loading(repeats: int = 5) -> dict[str, float]:
    paths = sorted(p for p in FORMS.iterdir() if p.suffix in (".xlsx", ".md", ".csv"))
    start = time.perf_counter()
    found = discover_forms([FORMS])
    first = time.perf_counter() - start
    failed = [(p.name, r) for p, r in found if isinstance(r, list)]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for p in paths:
            load_form_file(p)
        times.append(time.perf_counter() - start)
    print(f"loading all {len(paths)} forms in forms/: first {_ms(first)} (includes imports), "
          f"then median {_ms(statistics.median(times))}, max {_ms(max(times))} "
          f"(target <= 500 ms)")
    for name, problems in failed:
        print(f"  {name} does not load: {len(problems)} problem(s), first: {problems[0]}")
    return {"first": first, "median": statistics.median(times)}


def bench_keystroke(rounds: int = 200) -> dict[str, float]:
    form = load_form_file(HOUSEHOLD)
    inst = household_with_roster(form)
    assert inst.repeat_rows("members") == 10
    name = "members[4]/member_name"
    times, with_page, everything = [], [], []
    for k in range(rounds):
        start = time.perf_counter()
        inst.set_value(name, PEOPLE[4][0] + ("x" * (k % 5)))  # one keystroke: full recompute
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        page = next(p for p in inst.pages() if name in p.paths)
        inst.errors(page)
        with_page.append(time.perf_counter() - start)
        start = time.perf_counter()
        inst.set_value(name, PEOPLE[4][0] + ("y" * (k % 5)))
        inst.errors()  # every required/constraint/type check of every relevant question
        everything.append(time.perf_counter() - start)
    print(f"household survey, 10-person roster, one keystroke (relevance + calculations of all "
          f"{len(form.evaluation_order)} nodes x rows): median {_ms(statistics.median(times))}, "
          f"p95 {_ms(sorted(times)[int(rounds * 0.95)])}, max {_ms(max(times))} "
          f"(target <= 20 ms)")
    print(f"  then pages() + errors(current page): median {_ms(statistics.median(with_page))}")
    print(f"  keystroke + errors() of the whole form (every expression of the form): median "
          f"{_ms(statistics.median(everything))}, max {_ms(max(everything))}")
    start = time.perf_counter()
    errors = inst.errors()
    print(f"  errors() over the whole form: {_ms(time.perf_counter() - start)} "
          f"({len(errors)} open questions)")
    return {"median": statistics.median(times)}


def bench_corpus() -> None:
    import io
    import logging
    import resource
    import warnings
    import zipfile

    from fieldapp.core.forms import FormLoadError, load_form

    sys.path.insert(0, str(ROOT / "tests" / "corpus"))
    import outcomes

    root = outcomes.corpus_root()
    if not outcomes.present_sets():
        print("public corpus: not here (see tests/corpus/README.md)")
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    times = []
    for corpus in outcomes.present_sets():
        for path in sorted((root / corpus).rglob("*")):
            if path.is_file() and path.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".md") \
                    and path.name not in outcomes.NOT_FORMS:
                start = time.perf_counter()
                try:
                    load_form_file(path)
                except FormLoadError:
                    pass
                times.append((time.perf_counter() - start, path.name))
    times.sort()
    if times:
        print(f"public corpus, {len(times)} workbooks: median {_ms(times[len(times) // 2][0])}, "
              f"slowest {_ms(times[-1][0])} ({times[-1][1]}), "
              f"total {_ms(sum(t for t, _ in times))}")
    sheet = (b"<worksheet><sheetData>" + b"<!-- padding -->" * 4_000_000
             + b"</sheetData></worksheet>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        load_form(buf.getvalue(), "bomb.xlsx")
    except FormLoadError:
        pass
    print(f"zip bomb ({len(buf.getvalue()) // 1024} kB unpacking to {len(sheet) // 2 ** 20} MB): "
          f"refused in {_ms(time.perf_counter() - start)}, peak memory "
          f"+{(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024} MB")
    logging.disable(logging.NOTSET)


@pytest.mark.benchmark
def test_bench_corpus():
    bench_corpus()


@pytest.mark.benchmark
def test_bench_loading():
    bench_loading()


@pytest.mark.benchmark
def test_bench_keystroke():
    bench_keystroke()


if __name__ == "__main__":
    bench_loading()
    bench_keystroke()
    bench_corpus()
