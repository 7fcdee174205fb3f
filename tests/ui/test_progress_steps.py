"""Progress that moves: the dialog says the real steps done and the time left; a report counts
its households, then lays out its pages, each step reported; Cancel stops it with nothing
written."""

from __future__ import annotations

import pytest

from fieldapp.services.demo import create_demo
from fieldapp.services.indicators import ReportCancelled
from fieldapp.services.workspace import Workspace
from fieldapp.ui import tasks
from fieldapp.ui.screens.sync_exchange import file_steps


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "demo.db"
    create_demo(path, households=60, seed=4)
    return path


@pytest.fixture
def workspace(demo_path, tmp_path):
    import shutil

    path = tmp_path / "demo.db"
    shutil.copyfile(demo_path, path)
    ws = Workspace.open(path)
    yield ws
    ws.close()


def _task(clock, **kwargs):
    return tasks.Task(lambda p, c: None, None, None, "Making the report…", True, None,
                      clock=clock, **kwargs)


def test_the_dialog_says_the_steps_and_the_time_left(qtbot):
    clock = Clock()
    task = _task(clock)
    task._show_dialog()
    qtbot.addWidget(task.dialog)
    task._on_progress(1200, 5000)
    # The first seconds say only the steps (too early to tell the time left).
    assert task.dialog.labelText() == "Making the report…\n1,200 of 5,000"
    assert (task.dialog.value(), task.dialog.maximum()) == (1200, 5000)
    clock.now += 30  # a quarter done in 30 s: about 90 s left
    task._on_progress(1250, 5000)
    assert task.dialog.labelText().endswith("1,250 of 5,000 · about 2 minutes left")
    clock.now += 60
    task._on_progress(4500, 5000)
    assert task.step_text().endswith("about 10 seconds left")
    task._finish()


def test_work_in_stages_says_which_step_in_words(qtbot):
    task = _task(Clock(), steps=file_steps)
    task._show_dialog()
    qtbot.addWidget(task.dialog)
    task._on_progress(1500, 3000)
    assert task.step_text() == "file 2 of 3"
    task._on_progress(700, 1000, "Laying out page 4")
    assert task.step_text() == "Laying out page 4"
    task.cancel()
    task._on_cancel_clicked()
    task._on_progress(800, 1000, "Laying out page 5")  # late reports do not hide "Cancelling"
    assert task.dialog.labelText() == "Cancelling…"
    task._finish()


def _report_steps(workspace, out) -> list[tuple[int, int, str]]:
    seen = []
    workspace.reports.make("commune", out, {}, lambda d, t, text=None: seen.append((d, t, text)))
    assert out.exists()
    done = [d for d, t, _text in seen]
    assert done == sorted(done) and seen[-1][:2] == (1000, 1000)  # it only moves forward
    pages = [text for *_n, text in seen if text.startswith("Laying out page")]
    assert len(pages) > 10 and "Laying out page 2" in pages  # real steps, page by page
    assert len(set(done)) > 10  # not stuck at one value
    return seen


def test_a_report_counts_households_then_lays_out_pages(workspace, tmp_path):
    # The demo's sums are up to date (as it is made): the bar is the layout's alone.
    seen = _report_steps(workspace, tmp_path / "commune.pdf")
    assert not any(text.startswith("Counting households") for *_n, text in seen)
    assert seen[0][0] < 300
    # Every household to count again (a new indicator set, a database of an older version):
    # the households counted first, then the pages.
    sums = workspace.store.indicator_sums
    with workspace.store.transaction():
        sums.reset(sums.digest())
    seen = _report_steps(workspace, tmp_path / "again.pdf")
    texts = [text for *_n, text in seen]
    assert texts[0].startswith("Counting households")
    assert max(d for d, _t, text in seen if text.startswith("Counting")) \
        <= min(d for d, _t, text in seen if text.startswith("Laying out"))


def test_cancel_during_the_layout_writes_nothing(workspace, tmp_path):
    out = tmp_path / "commune.pdf"
    pages = []

    def progress(done, total, text=None):
        if text and text.startswith("Laying out page"):
            pages.append(text)

    with pytest.raises(ReportCancelled):
        workspace.reports.make("commune", out, {}, progress, lambda: len(pages) > 3)
    assert not out.exists()
    assert not [p.name for p in tmp_path.iterdir() if not p.name.startswith("demo.db")]


def test_exports_report_their_rows(workspace, tmp_path):
    seen = []
    workspace.reports.make("xlsx", tmp_path / "all.xlsx", {"names": False},
                           lambda d, t, text=None: seen.append((d, t, text)))
    assert seen[-1][0] == seen[-1][1] > 0
    assert seen[-1][2].endswith("submissions written")
