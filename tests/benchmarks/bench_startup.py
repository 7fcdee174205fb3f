"""Start-up time to the first painted main window, against a bare PySide6 window; and memory.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_startup.py [--households 5000] [--repeat 9]
    .venv/bin/pytest tests/benchmarks/bench_startup.py -s

Each measurement is a fresh process, timed from the parent's clock just before the spawn, so the
interpreter's own start is in both figures:

- bare: a QMainWindow subclass, 1366x768, shown;
- signin: ``fieldapp --db PATH`` up to the first paint of the sign-in dialog, the first frame
  a user sees;
- fieldapp: ``fieldapp --db PATH`` through the command line's ``main()``, over a cached
  5,000-household demo database, signed in as its commune staff from FIELDAPP_USER and
  FIELDAPP_PIN (so the figure includes checking the PIN).

"First paint" is the end of the main window's first ``paintEvent``; both windows are timed the
same way, by wrapping their class's ``paintEvent`` (for fieldapp with tests/first_paint.py, which
keeps the real import order). An application-wide event filter would be simpler but is not
neutral: PySide6 then wraps every object of every event in its Python type, which costs the app,
with its many widgets, far more than the bare window.

fieldapp paints progressively (``MainWindow(progressive=True)``): the first frame is the window
with its title, the navigation titles and the status bar (commune, user, device, database); Home,
the navigation icons and the rest follow right after. So the child also reports **Home ready**:
the Home screen built and its counts by village read and shown. Resident memory (VmRSS) is taken
at first paint and after every screen has been shown and its background reads finished.

Runs alternate bare/fieldapp so both see the same machine state; the report gives medians and the
median of the per-pair ratios. The package's bytecode is compiled first, as an installed app's is
(pip and PyInstaller compile it; a checkout with PYTHONDONTWRITEBYTECODE=1 would otherwise
compile every module on each start). Offscreen platform (this also runs on servers).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

CACHE = Path(tempfile.gettempdir()) / "fieldapp-bench"
TESTS = Path(__file__).resolve().parents[1]
PACKAGE = TESTS.parent / "fieldapp"

CHILD = r"""
import json, sys, time
start = float(sys.argv[1])
mode = sys.argv[2]

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

result = {}

def painted(window):
    if "seconds" not in result:
        result["seconds"] = time.time() - start
        result["rss_first_paint_mb"] = rss_mb()
        from PySide6.QtCore import QTimer
        QTimer.singleShot(0, lambda: after_first_paint(window))

def after_first_paint(window):
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    if hasattr(window, "screen_keys"):
        # Home ready: built after the first frame, with its counts read on the worker.
        while not (window.started and window.current_key() == "home"
                   and not window.context.reader.pending()):
            app.processEvents()
        result["home_ready_seconds"] = time.time() - start
        for key in window.screen_keys():
            window.show_screen(key)
            app.processEvents()
            while window.context.reader.pending():
                app.processEvents()
    result["rss_all_screens_mb"] = rss_mb()
    print(json.dumps(result), flush=True)
    window.close()
    app.quit()

if mode == "bare":
    from PySide6.QtWidgets import QApplication, QMainWindow

    class Bare(QMainWindow):
        def paintEvent(self, event):
            super().paintEvent(event)
            painted(self)

    app = QApplication([sys.argv[0]])
    window = Bare()
    window.resize(1366, 768)
    window.show()
    app.exec()
elif mode == "signin":
    # The first frame a user sees: the sign-in dialog (no FIELDAPP_USER in the environment).
    sys.path.insert(0, sys.argv[4])
    from first_paint import on_first_paint

    def dialog_painted(dialog):
        print(json.dumps({"seconds": time.time() - start}), flush=True)
        import os
        os._exit(0)

    on_first_paint(dialog_painted, module="fieldapp.ui.signin_dialog", cls="SignInDialog")
    from fieldapp.cli import main
    main(["--db", sys.argv[3]])
else:
    sys.path.insert(0, sys.argv[4])  # tests/, for first_paint
    from first_paint import on_first_paint

    on_first_paint(painted)
    from fieldapp.cli import main
    main(["--db", sys.argv[3]])  # signed in from FIELDAPP_USER and FIELDAPP_PIN
"""


def demo_db(households: int) -> Path:
    from fieldapp.services.demo import create_demo

    path = CACHE / f"demo-{households}.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.db")
        if partial.exists():
            partial.unlink()
        summary = create_demo(partial, households=households, seed=7)
        partial.rename(path)
        print(f"created {path}: {summary['households']} households, {summary['persons']} persons")
    return path


def _staff(db: Path) -> str:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("select value from app_meta where key = 'current_user_id'"
                            ).fetchone()[0]


def spawn(mode: str, db: Path | None = None) -> dict:
    from fieldapp.core.demo_data import DEMO_PIN

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("FIELDAPP_USER", None)
    env.pop("FIELDAPP_PIN", None)
    if mode == "fieldapp":  # signs in as the demo's commune staff (Argon2id: by design slow)
        env.update(FIELDAPP_USER=_staff(db), FIELDAPP_PIN=DEMO_PIN)
    extra = [] if db is None else [str(db), str(TESTS)]
    args = [sys.executable, "-c", CHILD, repr(time.time()), mode, *extra]  # time last
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{mode} run failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def run(households: int = 5000, repeat: int = 9) -> dict:
    db = demo_db(households)
    compileall.compile_dir(PACKAGE, quiet=1)
    spawn("bare")  # warm the file cache for both kinds
    spawn("fieldapp", db)
    bare, app, ratios, signin = [], [], [], []
    for _ in range(repeat):
        b = spawn("bare")
        s = spawn("signin", db)
        a = spawn("fieldapp", db)
        bare.append(b)
        signin.append(s["seconds"] / b["seconds"])
        app.append(a)
        ratios.append(a["seconds"] / b["seconds"])
    median = statistics.median
    figures = {
        "bare_s": median(r["seconds"] for r in bare),
        "fieldapp_s": median(r["seconds"] for r in app),
        "fieldapp_home_ready_s": median(r["home_ready_seconds"] for r in app),
        "home_ready_ratio": median(a["home_ready_seconds"] / b["seconds"]
                                   for a, b in zip(app, bare)),
        "ratio": median(ratios),
        "signin_ratio": median(signin),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "bare_rss_mb": median(r["rss_first_paint_mb"] for r in bare),
        "fieldapp_rss_first_paint_mb": median(r["rss_first_paint_mb"] for r in app),
        "fieldapp_rss_all_screens_mb": median(r["rss_all_screens_mb"] for r in app),
    }
    print(f"first paint, {repeat} runs each (offscreen): bare PySide6 window "
          f"{figures['bare_s'] * 1000:.0f} ms, fieldapp with {households:,} households "
          f"{figures['fieldapp_s'] * 1000:.0f} ms; median ratio {figures['ratio']:.2f} "
          f"(per pair {figures['ratio_min']:.2f}-{figures['ratio_max']:.2f})")
    print(f"the first frame a user sees, the sign-in dialog: median "
          f"{figures['signin_ratio']:.2f}x the bare window's first paint; the main window's "
          f"figure above includes checking the PIN (Argon2id, slow by design)")
    print(f"fieldapp Home ready (screen built, counts by village shown): "
          f"{figures['fieldapp_home_ready_s'] * 1000:.0f} ms, "
          f"{figures['home_ready_ratio']:.2f}x the bare window's first paint")
    print(f"resident memory: bare window {figures['bare_rss_mb']:.0f} MB; fieldapp at first paint "
          f"{figures['fieldapp_rss_first_paint_mb']:.0f} MB, after showing every screen "
          f"{figures['fieldapp_rss_all_screens_mb']:.0f} MB")
    return figures


@pytest.mark.benchmark
def test_startup():
    run()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=9)
    options = parser.parse_args()
    run(options.households, options.repeat)
