"""Progressive start-up: the shell's first frame, then the first screen right after it.

The first frame must stay cheap (no ``Qt`` namespace, no ``QStyle``: their Python enums cost more
than the rest of the window) and must already look like the finished window (same row heights,
the first entry highlighted), so nothing jumps when Home appears.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fieldapp.services.workspace import Workspace
from fieldapp.ui.app import build_app_window
from fieldapp.ui.screens.home import HomeScreen


def test_shell_before_the_first_frame_then_home(commune, qtbot):
    window = build_app_window(Workspace(commune), progressive=True)
    qtbot.addWidget(window)
    assert not window.started
    assert window.current_key() == "home"  # highlighted in the first frame already
    assert not isinstance(window.stack.currentWidget(), HomeScreen)
    assert window.status_commune.text() == "Commune: Xã Tân Thành"
    assert window.windowTitle() == "Xã Tân Thành – fieldapp"
    blank_height = window.nav.visualItemRect(window.nav.item(0)).height()

    window.show()  # the first paint schedules the rest
    qtbot.waitUntil(lambda: window.started)
    assert isinstance(window.stack.currentWidget(), HomeScreen)
    assert window.screen("home").model.totals() == {"households": 6, "persons": 11}
    assert all(not window.nav.item(i).icon().isNull() for i in range(window.nav.count()))
    # The blank placeholder icons kept the rows at their final height.
    assert window.nav.visualItemRect(window.nav.item(0)).height() == blank_height
    window.close()


def test_choosing_a_screen_before_the_first_frame_starts_at_once(commune, qtbot):
    window = build_app_window(Workspace(commune), progressive=True)
    qtbot.addWidget(window)
    settings = window.show_screen("settings")
    assert window.started and window.current_key() == "settings"
    assert window.stack.currentWidget() is settings
    window.finish_start()  # the scheduled call after the first paint changes nothing
    assert window.current_key() == "settings"
    window.close()


FIRST_FRAME_PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[2])  # tests/, for first_paint
from first_paint import on_first_paint

def report(window):
    import PySide6.QtCore, PySide6.QtWidgets
    print(json.dumps({
        "started": window.started,
        "qt_namespace": "Qt" in vars(PySide6.QtCore),
        "qstyle": "QStyle" in vars(PySide6.QtWidgets),
        "nav": [window.nav.item(i).text() for i in range(window.nav.count())],
        "status": window.status_commune.text(),
    }), flush=True)
    sys.exit(0)

on_first_paint(report)
from fieldapp.cli import main
main(["--db", sys.argv[1]])
"""


def test_first_frame_needs_neither_the_qt_namespace_nor_qstyle(tmp_path):
    """Guards the start-up path (tests/benchmarks/bench_startup.py has the figures): importing
    ``Qt`` from PySide6.QtCore, or touching QStyle, anywhere before the first frame costs
    ~20-30 ms of enum creation."""
    from fieldapp.services.demo import create_demo

    db = tmp_path / "small.db"
    create_demo(db, households=30, seed=3)
    from fieldapp.core.demo_data import DEMO_PIN
    from fieldapp.storage.store import Store

    store = Store.open(db)
    user = store.users.get(store.meta("current_user_id"))
    store.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FIELDAPP_HOME": str(tmp_path),
           "FIELDAPP_USER": user["id"], "FIELDAPP_PIN": DEMO_PIN}
    tests = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME_PROBE, str(db), str(tests)], env=env,
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-2000:]
    frame = json.loads(lines[0])
    assert frame["started"] is False
    assert frame["qt_namespace"] is False, "something imports PySide6.QtCore.Qt before the first frame"
    assert frame["qstyle"] is False, "something touches QStyle before the first frame"
    staff_only = ("Nhân sự tổ", "Nhật ký hoạt động", "Dịch")  # Dịch: translators too
    staff = list(staff_only) if user["role"] == "commune_staff" else []
    assert [n for n in frame["nav"] if n not in staff_only] == [
        "Trang chủ", "Hộ gia đình", "Khảo sát", "Buổi hỗ trợ", "Tập huấn", "Tổ công nghệ số",
        "Báo cáo", "Đồng bộ", "Cài đặt"]
    assert len(frame["nav"]) == 9 + len(staff)
    assert frame["status"].startswith("Xã: ")


SIGN_IN_PROBE = r"""
import json, os, sys
sys.path.insert(0, sys.argv[2])
from first_paint import on_first_paint

def painted(dialog):
    import PySide6.QtCore, PySide6.QtWidgets
    print(json.dumps({"qt_namespace": "Qt" in vars(PySide6.QtCore),
                      "qstyle": "QStyle" in vars(PySide6.QtWidgets),
                      "users": dialog.user.count()}), flush=True)
    os._exit(0)

on_first_paint(painted, module="fieldapp.ui.signin_dialog", cls="SignInDialog")
from fieldapp.cli import main
main(["--db", sys.argv[1]])
"""


def test_the_sign_in_frame_needs_neither_the_qt_namespace_nor_qstyle(tmp_path):
    """The app's first frame is now the sign-in dialog: the same guard as the main window's."""
    from fieldapp.services.demo import create_demo

    db = tmp_path / "small.db"
    create_demo(db, households=10, seed=3)
    env = {k: v for k, v in os.environ.items() if k not in ("FIELDAPP_USER", "FIELDAPP_PIN")}
    env.update(QT_QPA_PLATFORM="offscreen", FIELDAPP_HOME=str(tmp_path))
    tests = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", SIGN_IN_PROBE, str(db), str(tests)], env=env,
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stderr[-2000:]
    frame = json.loads(lines[0])
    assert frame["users"] > 0
    assert frame["qt_namespace"] is False, "something imports PySide6.QtCore.Qt before sign-in"
    assert frame["qstyle"] is False, "something touches QStyle before the sign-in frame"
