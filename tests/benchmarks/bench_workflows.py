"""The field workflows at scale (issue 10's targets), on cached demo communes.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_workflows.py [--households 50000] [--sessions 50000]
    .venv/bin/pytest tests/benchmarks/bench_workflows.py -s

Figures (milliseconds; median, p95 and max over the repetitions):

- **household page**: a household of 10 persons with 5 finalized survey rounds (made through
  the household form), read (``Workspace.household_page``) and shown on the Households screen's
  pane (offscreen, painted). Target <= 100 ms.
- **sessions filter**: a list of ``--sessions`` sessions (about three people each): count and
  first page for a village, an activity, a team member, a period, and all four together.
  Target <= 100 ms.
- **household list scroll**: the Households screen over ``--households`` households at
  1366x768; one visible page further (page down), painted, from the top to the end, and jumps
  to a random place (the scroll bar dragged). Target <= 16 ms per visible page.
- **choosing from the registry** at ``--households`` households: in the quick log, a keystroke
  in the person search (plan and first page) and ticking the person found (Enter); in the
  support session form, opening the session page (households.csv filtered by village) and
  ticking a household, opening the page of a person helped (persons.csv filtered by village
  and household), a keystroke in its search; in the training form, opening the learner page.
  Target <= 100 ms per interaction.

The search per keystroke over a million persons is bench_search.py's.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CACHE = Path(tempfile.gettempdir()) / "fieldapp-bench"
TODAY_SESSIONS = "2026-11-20"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def report(label: str, values: list[float], target: float) -> dict:
    figures = {"median": statistics.median(values), "p95": p95(values), "max": max(values)}
    verdict = "ok" if figures["p95"] <= target else "OVER"
    print(f"{label}: median {figures['median']:.1f} ms, p95 {figures['p95']:.1f} ms, "
          f"max {figures['max']:.1f} ms (target {target:g} ms: {verdict}; n={len(values)})")
    return figures


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def demo_db(households: int) -> Path:
    from fieldapp.services.demo import create_demo

    path = CACHE / f"workflows-{households}.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.db")
        for leftover in CACHE.glob(partial.name + "*"):
            leftover.unlink()
        started = time.perf_counter()
        summary = create_demo(partial, households=households, seed=7)
        partial.rename(path)
        print(f"created {path}: {summary['households']} households, {summary['persons']} "
              f"persons, {summary['sessions']} sessions in {time.perf_counter() - started:.0f} s")
    return path


def qt_app():
    from PySide6.QtWidgets import QApplication

    from fieldapp.ui import fonts

    app = QApplication.instance() or QApplication([])
    fonts.register_fonts()
    fonts.apply_app_font(app)
    return app


def settle(app, context=None) -> None:
    for _ in range(3):
        app.processEvents()
    while context is not None and context.reader.pending():
        app.processEvents()
        time.sleep(0.001)


# -- the household page --------------------------------------------------------------------------

def big_household(workspace) -> str:
    """A household of 10 persons with 5 finalized rounds (made once, kept in the cache)."""
    from fieldapp.core import demo_data as dd
    from fieldapp.services.demo_surveys import fill_household_survey
    from fieldapp.services.surveys import NEW_HOUSEHOLD

    store = workspace.store
    found = store.meta("bench_household")
    if found:
        return found
    rng = random.Random(5)
    village = store.villages.list()[0]["id"]
    members = [dd.Member("head", "male", 1960, "tay", "Hoàng", "Hoàng Văn Mười")]
    for i in range(9):
        members.append(dd.Member("child" if i else "spouse", "female" if i % 2 else "male",
                                 1962 + i * 4, "tay", "Hoàng", f"Hoàng Thị Con {i}"))
    service = workspace.surveys
    form, instance = fill_household_survey(service, rng, village, members)
    submission = service.save(None, form, instance, finalize=True,
                              household_choice=NEW_HOUSEHOLD)
    household = store.submissions.get(submission)["household_id"]
    for _round in range(4):
        form, instance = service.new_instance("household_survey", household_id=household)
        instance.set_value("consent", "yes")
        for row in range(instance.repeat_rows("members")):
            instance.set_value(f"members[{row}]/member_status", "same")
        for _step in range(400):
            errors = instance.errors()
            if not errors:
                break
            path, _message = errors[0]
            field = instance.field_at(path)
            choices = instance.choices_for(path) if field.is_select else []
            instance.set_value(path, choices[0].name if choices else
                               "OK" if field.type == "acknowledge" else "1")
        service.save(None, form, instance, finalize=True)
    store.set_meta("bench_household", household)
    return household


def household_page(path: Path, repeat: int) -> dict:
    from fieldapp.services.workspace import Workspace
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.screens.household_page import HouseholdPane

    app = qt_app()
    workspace = Workspace.open(path)
    household = big_household(workspace)
    page = workspace.household_page(household)
    print(f"household page: {len(page.persons)} persons, {len(page.rounds)} rounds, "
          f"{len(page.timeline)} timeline entries")
    context = AppContext(workspace)
    pane = HouseholdPane(context)
    pane.resize(560, 700)
    pane.show()
    row = workspace.registry.household(household)
    reads, shows = [], []
    for _ in range(repeat):
        reads.append(timed(lambda: workspace.household_page(household)))
        shows.append(timed(lambda: (pane.show_household(row), pane.repaint(), settle(app))))
    result = {"read": report("household page, read (10 persons, 5 rounds)", reads, 100),
              "shown": report("household page, read and shown (UI thread, painted)", shows,
                              100)}
    pane.close()
    context.dispose()
    workspace.close()
    return result


# -- sessions --------------------------------------------------------------------------------------

def sessions_db(households: int, sessions: int) -> Path:
    """The demo commune with ``sessions`` sessions (about three people helped each)."""
    from fieldapp.storage.store import Store

    path = CACHE / f"workflows-{households}-sessions-{sessions}.db"
    if path.exists():
        return path
    import sqlite3

    source = demo_db(households)
    partial = path.with_suffix(".partial.db")
    for leftover in CACHE.glob(partial.name + "*"):
        leftover.unlink()
    conn = sqlite3.connect(str(source))
    target = sqlite3.connect(str(partial))
    conn.backup(target)
    target.close()
    conn.close()
    store = Store.open(partial)
    rng = random.Random(9)
    villages = [v["id"] for v in store.villages.list()]
    users = [u["id"] for u in store.users.list()]
    persons = store.query("select p.id, p.household_id, h.village_id from persons p "
                          "join households h on h.id = p.household_id")
    by_village: dict[str, list] = {}
    for p in persons:
        by_village.setdefault(p["village_id"], []).append(p)
    codes = ("device_and_lookup", "cccd_eid_enrolment", "cds_app_and_epayment",
             "dvc_and_signature", "ecommerce_stall")
    have = store.scalar("select count(*) from sessions")
    batch_s, batch_p = [], []
    for i in range(max(0, sessions - have)):
        village = rng.choice(villages)
        day = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
        sid = f"bench-session-{i:06d}"
        batch_s.append({"id": sid, "date": day, "village_id": village,
                        "members": " ".join(rng.sample(users, 2)),
                        "activities": " ".join(rng.sample(codes, rng.randint(1, 2))),
                        "user_id": users[0]})
        for p in rng.sample(by_village[village], 3):
            batch_p.append({"id": f"{sid}-{p['id']}", "session_id": sid,
                            "person_id": p["id"], "household_id": p["household_id"],
                            "outcomes": "none"})
        if len(batch_s) >= 5000:
            store.sessions.add_many(batch_s)
            store.session_persons.add_many(batch_p)
            batch_s, batch_p = [], []
    store.sessions.add_many(batch_s)
    store.session_persons.add_many(batch_p)
    store.close()
    partial.rename(path)
    return path


def sessions_filter(path: Path, repeat: int) -> dict:
    from fieldapp.services.workspace import Workspace

    workspace = Workspace.open(path)
    sessions = workspace.sessions
    store = workspace.store
    total = store.scalar("select count(*) from sessions")
    village = store.villages.list()[0]["id"]
    member = store.users.list()[3]["id"]
    cases = {
        "all": sessions.filters(),
        "village": sessions.filters(village_id=village),
        "activity": sessions.filters(activity="dvc_and_signature"),
        "member": sessions.filters(member_id=member),
        "period": sessions.filters(date_from="2026-06-01", date_to="2026-08-31"),
        "all four": sessions.filters(village_id=village, activity="cccd_eid_enrolment",
                                     member_id=member, date_from="2025-12-01"),
    }
    results = {}
    print(f"sessions: {total:,} in the database")
    for label, filters in cases.items():
        values = [timed(lambda f=filters: (sessions.count(f), sessions.page(f, 0, 64)))
                  for _ in range(repeat)]
        results[label] = report(f"sessions filter, {label} (count + first page)", values, 100)
    workspace.close()
    return results


# -- the household list ------------------------------------------------------------------------------

def household_scroll(path: Path, pages: int) -> dict:
    from fieldapp.services.workspace import Workspace
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.screens.households import HouseholdsScreen

    app = qt_app()
    workspace = Workspace.open(path)
    context = AppContext(workspace)
    screen = HouseholdsScreen(context)
    screen.resize(1176, 720)
    screen.show()
    settle(app, context)
    total = screen.model.total()
    bar = screen.table.verticalScrollBar()
    steps = []
    for _ in range(pages):
        if bar.value() >= bar.maximum():
            break
        steps.append(timed(lambda: (bar.setValue(bar.value() + bar.pageStep()),
                                    screen.table.viewport().repaint())))
    rng = random.Random(3)
    jumps = [timed(lambda: (bar.setValue(rng.randint(0, bar.maximum())),
                            screen.table.viewport().repaint())) for _ in range(60)]
    print(f"household list: {total:,} households, {bar.pageStep()} rows a page")
    result = {"page": report("household list, one visible page further (read + paint)", steps,
                             16),
              "jump": report("household list, a jump anywhere (scroll bar dragged)", jumps,
                             16)}
    screen.close()
    context.dispose()
    workspace.close()
    return result


# -- choosing from the registry ------------------------------------------------------------------------

def choosing(path: Path, repeat: int) -> dict:
    from PySide6.QtCore import Qt

    from fieldapp.services.workspace import Workspace
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.forms.view import FormView
    from fieldapp.ui.screens.session_log import QuickLog

    app = qt_app()
    workspace = Workspace.open(path)
    store = workspace.store
    context = AppContext(workspace)
    results: dict[str, dict] = {}
    village = max(store.villages.list(), key=lambda v: store.scalar(
        "select count(*) from households where village_id = ?", [v["id"]]))
    people = store.query("select p.full_name, p.household_id from persons p join households h "
                         "on h.id = p.household_id where h.village_id = ? and p.deleted = 0 "
                         "order by p.rowid limit 40", [village["id"]])
    print(f"choosing: {store.scalar('select count(*) from households'):,} households, "
          f"village {village['name']} with {store.scalar('select count(*) from households where village_id = ?', [village['id']]):,}")

    # The quick log: a keystroke in the person search (plan + first page), then Enter.
    log = QuickLog(context)
    log.resize(1176, 720)
    log.show()
    log.start(village_id=village["id"])
    settle(app, context)
    finder = log.finder.persons
    keys, ticks = [], []
    for person in people[:repeat]:
        name = person["full_name"]
        for end in range(1, len(name) + 1):
            text = name[:end]
            if not text.strip():
                continue
            finder.search.blockSignals(True)
            finder.search.setText(text)
            finder.search.blockSignals(False)
            keys.append(timed(lambda: (finder.run(), settle(app, context))))
        ticks.append(timed(lambda: (finder._pick_current(), app.processEvents())))
    results["quick log keystroke"] = report("quick log, a keystroke in the person search",
                                            keys, 100)
    results["quick log tick"] = report("quick log, ticking the person found (Enter)", ticks,
                                       100)
    log.close()

    # The support session form: the session page, ticking households, a person's page.
    service = workspace.surveys
    opens, ticks, person_pages, person_keys = [], [], [], []
    households = store.query("select id from households where village_id = ? and deleted = 0 "
                             "order by head_sort limit 20", [village["id"]])
    for round_ in range(max(5, repeat // 3)):
        form, instance = service.new_instance("support_session")
        instance.set_value("village", village["id"])
        view = FormView(form, instance)
        view.resize(1176, 720)
        opens.append(timed(lambda: (view.show(), view._show_page(0), app.processEvents())))
        editor = view.editors["households_helped"]
        for i in range(3):
            item = editor.list.item(i + round_ * 3)
            ticks.append(timed(lambda it=item: (it.setCheckState(Qt.CheckState.Checked),
                                                app.processEvents())))
        instance.set_value("activities", "device_and_lookup")
        instance.set_value("team_present", store.users.list()[0]["id"])
        view._pages_changed()
        index = view.nav.index_of_key("session")
        view.go_to_page(index + 1)
        person_pages.append(timed(lambda: (view.add_row("persons_helped"),
                                           app.processEvents())))
        person = view.editors.get("persons_helped[0]/person")
        for text in ("h", "ho", "hoa"):
            person_keys.append(timed(lambda t=text: (person.search.setText(t),
                                                     app.processEvents())))
        view.close()
        view.deleteLater()
    results["form session page"] = report(
        "support session form, opening the session page (households.csv by village)", opens,
        100)
    results["form tick"] = report("support session form, ticking a household", ticks, 100)
    results["form person page"] = report(
        "support session form, opening a person's page (persons.csv by village, households)",
        person_pages, 100)
    results["form person keystroke"] = report(
        "support session form, a keystroke in the person search", person_keys, 100)

    learner_pages = []
    for _ in range(max(5, repeat // 3)):
        form, instance = service.new_instance("training_progress")
        instance.set_value("class_name", "Lớp thử")
        instance.set_value("village", village["id"])
        instance.set_value("learner_type", "citizen")
        view = FormView(form, instance)
        view.resize(1176, 720)
        view.show()
        learner_pages.append(timed(lambda: (view.go_to_key("learner"), app.processEvents())))
        view.close()
        view.deleteLater()
    results["form learner page"] = report(
        "training form, opening the learner page (persons.csv by village)", learner_pages, 100)
    context.dispose()
    workspace.close()
    return results


PARTS = ("page", "sessions", "scroll", "choosing")


def run(households: int = 50_000, sessions: int = 50_000, repeat: int = 30,
        parts: tuple[str, ...] = PARTS) -> dict:
    path = demo_db(households)
    results = {}
    if "page" in parts:
        results["household page"] = household_page(path, repeat)
    if "sessions" in parts:
        results["sessions"] = sessions_filter(sessions_db(households, sessions), repeat)
    if "scroll" in parts:
        results["scroll"] = household_scroll(path, 200)
    if "choosing" in parts:
        results["choosing"] = choosing(path, repeat)
    return results


@pytest.mark.benchmark
def test_workflows_at_scale():
    run()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", nargs="*", choices=PARTS, default=list(PARTS))
    args = parser.parse_args()
    run(args.households, args.sessions, args.repeat, tuple(args.only))
