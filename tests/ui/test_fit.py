"""Nothing cut off at 1366x768 and 1280x720, and at 125% scaling of both: every screen and
dialog of the tour (fieldapp.ui.tour), each widget's text checked against its rect
(fieldapp.ui.fit), no main list scrolling sideways, no window larger than the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from fieldapp.i18n import catalog
from fieldapp.services.demo import create_demo
from fieldapp.ui import tour
from fieldapp.ui.fit import cut_texts
from fieldapp.ui.widgets import table_view


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("fit") / "demo.db"
    create_demo(path, households=60, seed=6)
    return path


@pytest.fixture
def workspace(demo, tmp_path):
    path = tmp_path / "demo.db"
    shutil.copyfile(demo, path)
    catalog.set_language("vi")
    ws = tour._open(path, None)
    yield ws
    ws.close()


def test_the_check_sees_what_is_cut(qtbot):
    top = QWidget()
    qtbot.addWidget(top)
    top.resize(110, 200)
    layout = QVBoxLayout(top)
    label = QLabel("Hộ gia đình và nhân khẩu theo thôn/bản")
    label.setMinimumWidth(10)
    label.setSizePolicy(label.sizePolicy().Policy.Ignored, label.sizePolicy().Policy.Fixed)
    button = QPushButton("Khảo sát lại hộ này")
    button.setMinimumWidth(10)
    button.setSizePolicy(button.sizePolicy().Policy.Ignored, button.sizePolicy().Policy.Fixed)
    layout.addWidget(label)
    layout.addWidget(button)
    top.show()
    qtbot.waitExposed(top)
    cut = {c.text for c in cut_texts(top, QSize(1366, 768))}
    assert {"Hộ gia đình và nhân khẩu theo thôn/bản", "Khảo sát lại hộ này"} <= cut


def test_a_list_elides_with_a_tooltip_and_never_scrolls_sideways(qtbot):
    model = QStandardItemModel(3, 2)
    model.setHorizontalHeaderLabels(["Chủ hộ", "Hoạt động"])
    for row in range(3):
        model.setItem(row, 0, QStandardItem("Nguyễn Thị Phương"))
        model.setItem(row, 1, QStandardItem("Cài ứng dụng “Công dân số Xứ Lạng”, mở tài khoản "
                                            "thanh toán điện tử " * 2))
    view = table_view()
    qtbot.addWidget(view)
    view.setModel(model)
    view.fit.keep = {0}
    view.resize(300, 200)
    view.show()
    qtbot.waitExposed(view)
    view.fit.fit()
    header = view.horizontalHeader()
    assert header.sectionSize(0) + header.sectionSize(1) <= view.viewport().width()
    assert header.sectionSize(0) >= view.fontMetrics().horizontalAdvance("Nguyễn Thị Phương")
    assert not view.horizontalScrollBar().isVisible()
    # The long value is elided; QStandardItemModel has no tooltip for it: the check says so.
    assert [c.where.endswith("[0,1]") for c in cut_texts(view, QSize(1366, 768))][:1] == [True]


@pytest.mark.parametrize("width, height", [(1366, 768), (1280, 720)])
def test_every_screen_and_dialog_fits(workspace, tmp_path, width, height):
    size = QSize(width, height)
    problems, stops = [], []

    def visit(name, widget):
        stops.append(name)
        problems.extend(f"{name}: {cut}" for cut in cut_texts(widget, size))

    tour.tour(workspace, visit, size=size)
    tour.setup_tour(visit, tmp_path)
    assert len(stops) > 70
    assert problems == [], "\n".join(problems[:50])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's offscreen screens")
def test_at_125_percent(demo, tmp_path):
    """QT_SCALE_FACTOR=1.25 in a process of its own (Qt reads it at start): a 1366x768
    screen leaves 1093x614 to lay out, a 1280x720 one 1024x576; the window opens maximized."""
    runs = []
    for size in ("1366x768", "1280x720"):
        env = {**os.environ, "QT_SCALE_FACTOR": "1.25", "FIELDAPP_HOME": str(tmp_path / "home")}
        db = tmp_path / f"{size}.db"
        shutil.copyfile(demo, db)
        runs.append((size, subprocess.Popen(
            [sys.executable, "-m", "fieldapp.ui.tour", str(db), str(tmp_path / size),
             "--size", size, "--check"], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)))
    for size, run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, f"{size} at 125%:\n{out[-4000:]}{err[-2000:]}"
        assert "0 texts cut" in err
        pictures = list((tmp_path / size).glob("*.png"))
        assert len(pictures) > 70
