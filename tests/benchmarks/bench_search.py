"""Household search latency per keystroke over a 200,000-person demo commune (issue 10's
target: p95 <= 50 ms over a million persons, ``--persons 1000000``).

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_search.py [--persons 200000]
    .venv/bin/pytest tests/benchmarks/bench_search.py -s

The demo database is created once with fieldapp.services.demo.create_demo and cached under
$TMPDIR/fieldapp-bench/. Each name is typed one letter at a time (as the Households screen sends
queries: every successive prefix), with and without the village filter, and what one debounced
keystroke costs is timed: the plan of the query (fieldapp.storage.lookup: the count, and the
matches sorted or found in name order) and its first page of rows, as the screen's background
read does. The list is virtual: further rows are read as the view scrolls
(bench_workflows.py). The UI thread only pays for showing the result: that cost (model reset,
selection, the selected household's members) is measured separately on the real screen,
offscreen.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pytest

from fieldapp.services.demo import create_demo
from fieldapp.storage.store import Store
from fieldapp.services.workspace import Workspace

PERSONS_PER_HOUSEHOLD = 3.4  # what the demo generator produces on average
CACHE = Path(tempfile.gettempdir()) / "fieldapp-bench"
# Typed as users type them: with and without accents, upper case, a member's given name.
NAMES = ["nguyen van", "Hoàng Thị", "ĐẶNG", "dang van hung", "Triệu", "ly thi mai", "Nông",
         "vi van", "hà thị thu", "Bế"]


def demo_db(persons: int) -> Path:
    """A cached demo database with about ``persons`` persons."""
    households = max(1, round(persons / PERSONS_PER_HOUSEHOLD))
    path = CACHE / f"demo-{households}.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.db")
        if partial.exists():
            partial.unlink()
        started = time.perf_counter()
        summary = create_demo(partial, households=households, seed=7)
        partial.rename(path)
        print(f"created {path}: {summary['households']} households, {summary['persons']} persons "
              f"in {time.perf_counter() - started:.1f} s")
    return path


def prefixes(name: str) -> list[str]:
    return [name[:i] for i in range(1, len(name) + 1) if name[:i].strip()]


FIRST_PAGE = 64  # rows read with the plan (fieldapp.ui.workflow_widgets.PlanList.FIRST)


def keystroke(store: Store, query: str, village_id: str | None):
    """What the Households screen reads for one keystroke: the plan and its first page."""
    from fieldapp.storage.registry import HouseholdFilter

    plan = store.lists.household_plan(query, HouseholdFilter(village_id=village_id))
    return plan, store.lists.households(plan, 0, FIRST_PAGE)


def measure(store: Store, village_id: str | None) -> list[float]:
    timings = []
    for name in NAMES:
        for query in prefixes(name):
            started = time.perf_counter()
            keystroke(store, query, village_id)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def measure_ui(store: Store) -> list[float]:
    """Milliseconds the UI thread spends showing each result on the Households screen."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from fieldapp.ui import fonts
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.screens.households import HouseholdsScreen

    app = QApplication.instance() or QApplication([])
    fonts.register_fonts()
    fonts.apply_app_font(app)
    context = AppContext(Workspace(store))
    screen = HouseholdsScreen(context)
    screen.resize(1180, 700)
    screen.show()
    app.processEvents()
    timings = []
    for name in NAMES:
        for query in prefixes(name):
            result = keystroke(store, query, None)
            started = time.perf_counter()
            screen.list._show(query, result)
            app.processEvents()  # includes painting the table and the household's page
            timings.append((time.perf_counter() - started) * 1000)
    screen.close()
    context.dispose()
    return timings


def run(persons: int = 200_000) -> dict:
    path = demo_db(persons)
    store = Store.open(path)
    try:
        counts = store.counts()
        village = store.villages.list()[0]
        measure(store, None)  # warm the page cache once
        results = {}
        for label, village_id in (("all villages", None), (village["name"], village["id"])):
            timings = measure(store, village_id)
            results[label] = timings
            print(f"search over {counts['persons']:,} persons / {counts['households']:,} "
                  f"households, {label}: {len(timings)} keystrokes, "
                  f"median {statistics.median(timings):.1f} ms, p95 {p95(timings):.1f} ms, "
                  f"max {max(timings):.1f} ms")
        ui = measure_ui(store)
        results["ui"] = ui
        print(f"UI thread per result shown (Households screen, offscreen): median "
              f"{statistics.median(ui):.1f} ms, p95 {p95(ui):.1f} ms, max {max(ui):.1f} ms")
        return results
    finally:
        store.close()


@pytest.mark.benchmark
def test_search_latency():
    run()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=200_000)
    run(parser.parse_args().persons)
