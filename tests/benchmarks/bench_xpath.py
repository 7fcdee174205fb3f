"""Expression engine throughput: parsing, and re-evaluating a household form after a keystroke.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_xpath.py
    .venv/bin/pytest tests/benchmarks/bench_xpath.py -s

The expressions are those of forms/household_survey.xlsx (relevant, constraint, calculation)
plus the kind of extra logic other forms carry, ~100 in all; roster expressions are evaluated
once per member of a 10-person roster, as a form engine does after each keystroke.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest

from fieldapp.core.xpath import DictContext, parse
from fieldapp.core.xpath.expr import Expr
from fieldapp.core.xpath.parser import parse_tree

HOUSEHOLD = [
    "${consent} = 'no'", "${consent} = 'yes'",
    "string-length(.) >= 2 and string-length(.) <= 100",
    "${hh_ethnicity} = 'other'", "string-length(.) <= 50", "${sells_online} = 'yes'",
    "selected(${online_channels}, 'other')", "string-length(.) <= 200", "${has_shop} = 'yes'",
    "${has_shop} = 'yes'", "${has_shop} = 'yes'",
    "not(selected(., 'none')) or count-selected(.) = 1", "regex(., '^0[0-9]{9}$')",
    "${consent} = 'yes'", "count(${members})", "sum(${is_head})", "${consent} = 'yes'",
    "${head_count} = 1", "${consent} = 'yes'", "not(selected(., 'none')) or count-selected(.) = 1",
    "selected(${barriers}, 'other')", "string-length(.) <= 200", "${consent} = 'yes'",
    "string-length(.) <= 1000",
    # typical extras: summaries over the roster, dates, choice names
    "count(${members}) = ${hh_size}", "sum(${age}) div count(${members})",
    "max(${age}) >= 15", "min(${age}) < 6", "count-non-empty(${phone_m})",
    "if(${hh_size} > 5, 'large', 'small')", "concat(${head_name}, ' - ', ${village})",
    "format-date(today(), '%d/%m/%Y')", "today() - ${visit_date} <= 30",
    "${visit_date} <= today()", "jr:choice-name(${hh_ethnicity}, '${hh_ethnicity}')",
    "coalesce(${hh_phone}, 'none')", "${income} > 0 and ${income} < 1000000000",
    "round(${income} div ${hh_size}, 0)", "join(', ', ${member_name})",
    "checklist(1, -1, ${sells_online} = 'yes', ${has_shop} = 'yes', ${qr} = 'yes')",
]
ROSTER = [
    "string-length(.) >= 2 and string-length(.) <= 100",
    ". >= 1900 and . <= int(format-date(today(), '%Y'))",
    "int(format-date(today(), '%Y')) - ${birth_year}",
    "concat(${member_name}, ' (', ${birth_year}, ')')",
    ". != 'head' or ${head_count} <= 1", "if(${relation} = 'head', 1, 0)",
    "${ethnicity} = 'other'", "string-length(.) <= 50", "${village}", "${age} < 6",
    "${age} >= 6", "${age} >= 14", "${age} >= 15",
    "${dvc_use} = 'alone' or ${dvc_use} = 'with_help'", "selected(${dvc_procedures}, 'other')",
    "string-length(.) <= 200", "${dvc_use} = 'alone' or ${dvc_use} = 'with_help'",
    "${cds_installed} = 'yes'", "not(selected(., 'none')) or count-selected(.) = 1",
    "${age} >= 10", "position(..)", "indexed-repeat(${member_name}, ${members}, 1)",
    "${age} >= 15 and selected(${apps}, 'zalo')", "regex(${phone_m}, '^0[0-9]{9}$')",
    "../relation = 'spouse' and ${age} < 16", "${sex} = '2' and ${age} >= 15 and ${age} <= 49",
    "not(${age} < 18 and ${relation} = 'head')", "count-selected(${apps}) <= 10",
    "if(${age} >= 60, 'elder', if(${age} >= 15, 'adult', 'child'))",
    "once(concat(${member_name}, '-', position(..)))",
    "${age} < 6 or ${birth_year} != ''", "abs(${age} - ${age_reported}) <= 1",
    "selected-at(${apps}, 0)", "string-length(${member_name}) > 1",
    "${edu} != 'none' or ${age} < 6", "${dvc_satisfaction} != ''",
    "contains(${member_name}, ' ')", "${age} >= 18 or ${relation} != 'head'",
    "date(${dob} + 365) <= today()", "decimal-date-time(${dob}) < decimal-date-time(today())",
    "boolean-from-string(${consent_m})", "sum(../score) > 0",
    "translate(${phone_m}, ' .-', '') != ''", "normalize-space(${member_name}) != ''",
    "min(${age}, 120) = ${age}", "round(${age} div 10) * 10",
    "substr(${phone_m}, 0, 3) = '091'", "starts-with(${phone_m}, '0')",
    "ends-with(${member_name}, 'An')", "${apps} != '' and not(selected(${apps}, 'none'))",
    "weighted-checklist(1, 10, ${age} >= 15, 2, ${sex} = '2', 1)",
    "${income_m} >= 0", "number(${income_m}) > 0", "coalesce(${phone_m}, ${hh_phone})",
    "format-date(${dob}, '%e/%n/%Y')", "${age} * 12",
    "count(${members}) > 1", "concat('TV', position(..))",
    "jr:choice-name(${relation}, '${relation}')", "${relation} = 'child' and ${age} > 40",
]
ROSTER_SIZE = 10


def household_values() -> tuple[dict, dict]:
    values = {
        "consent": "yes", "hh_ethnicity": "tay", "sells_online": "yes",
        "online_channels": "zalo facebook", "has_shop": "no", "barriers": "cost skills",
        "head_count": "1", "hh_size": "10", "head_name": "Hoàng Văn A", "village": "Nà Lẹng",
        "visit_date": "2026-11-20", "hh_phone": "0912345678", "income": "45000000", "qr": "no",
    }
    members = []
    for i in range(ROSTER_SIZE):
        age = 5 + 7 * i
        members.append({
            "member_name": f"Nông Thị {chr(65 + i)}", "birth_year": str(2026 - age),
            "age": str(age), "age_reported": str(age), "relation": "head" if i == 0 else "child",
            "is_head": "1" if i == 0 else "0", "ethnicity": "tay", "dvc_use": "alone",
            "dvc_procedures": "birth_cert other", "cds_installed": "yes",
            "apps": "zalo facebook" if age >= 15 else "", "phone_m": "0987654321",
            "sex": str(1 + i % 2), "edu": "primary", "dvc_satisfaction": "3",
            "dob": f"{2026 - age}-05-01", "consent_m": "true", "score": "2",
            "income_m": "1500000" if age >= 18 else "",
        })
    return values, {"members": members}


class FastContext:
    """A form-engine-like context: plain dict lookups, no searching (to time the engine alone)."""

    def __init__(self, top: dict, roster: list[dict], index: int | None, today: dt.date) -> None:
        self.top, self.roster, self.index, self._today = top, roster, index, today
        self.columns = {k: [m[k] for m in roster] for k in roster[0]}
        self.member = roster[index - 1] if index else None

    def ref(self, name):
        if self.member is not None and name in self.member:
            return (self.member[name],)
        if name in self.top:
            return (self.top[name],)
        if name == "members":
            return ("",) * len(self.roster)
        return self.columns.get(name, ())

    def current(self):
        return "x"

    def position(self, path=".."):
        return self.index or 1

    def relative(self, path):
        return (self.member.get(path[3:], ""),) if self.member and path.startswith("../") else ()

    def indexed_repeat(self, name, repeat, index, *outer):
        return self.roster[index - 1].get(name, "") if 0 < index <= len(self.roster) else ""

    def today(self):
        return self._today

    def now(self):
        return dt.datetime.combine(self._today, dt.time(9))

    def choice_label(self, field, value):
        return value.upper()


def _timeit(fn, repeat: int = 30) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), min(samples)


def run() -> dict[str, float]:
    texts = HOUSEHOLD + ROSTER
    results: dict[str, float] = {}

    def parse_all():
        for t in texts:
            Expr(t, parse_tree(t))  # bypasses parse()'s cache: the real cost of a form load

    med, best = _timeit(parse_all, 20)
    results["parse_ms_all"] = med * 1000
    print(f"parse + compile {len(texts)} expressions (uncached): median {med * 1000:.2f} ms, "
          f"best {best * 1000:.2f} ms, {len(texts) / med:,.0f} expr/s")

    household = [parse(t) for t in HOUSEHOLD]
    roster = [parse(t) for t in ROSTER]
    values, repeats = household_values()
    today = dt.date(2026, 11, 23)
    evaluations = len(household) + len(roster) * ROSTER_SIZE

    for label, make in (
        ("DictContext", lambda i: DictContext(values, repeats,
                                              current_repeat=("members", i) if i else None,
                                              current_value="x", today=today)),
        ("fast dict context", lambda i: FastContext(values, repeats["members"], i, today)),
    ):
        top_ctx = make(None)
        member_ctxs = [make(i) for i in range(1, ROSTER_SIZE + 1)]

        def keystroke():
            for e in household:
                e.evaluate(top_ctx)
            for c in member_ctxs:
                for e in roster:
                    e.evaluate(c)

        med, best = _timeit(keystroke, 50)
        results[f"keystroke_ms_{label}"] = med * 1000
        print(f"re-evaluate household form ({len(household)} + {len(roster)} x {ROSTER_SIZE} = "
              f"{evaluations} evaluations) with {label}: median {med * 1000:.2f} ms, "
              f"best {best * 1000:.2f} ms, {evaluations / med:,.0f} eval/s "
              f"(target < 20 ms per keystroke)")
    return results


@pytest.mark.benchmark
def test_bench_xpath():
    results = run()
    assert all(v > 0 for v in results.values())


if __name__ == "__main__":
    run()
