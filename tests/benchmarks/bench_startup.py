"""Start-up time to the first painted main window, against a bare PySide6 window; and memory.

Run on demand (prints figures, asserts nothing about time):

    .venv/bin/python tests/benchmarks/bench_startup.py [--households 5000] [--repeat 5]
    .venv/bin/pytest tests/benchmarks/bench_startup.py -s

Each measurement is a fresh process (spawned with the parent's time of spawning): a bare
QMainWindow, or ``fieldapp.ui.app.run()`` over a cached 5,000-household demo database. The child
prints the seconds from spawn to the first paint event of its main window, and its resident
memory (VmRSS) then and after every screen has been shown and its background reads finished.
Runs alternate bare/fieldapp so both see the same machine state; the report gives the medians
and the median of the per-pair ratios. Offscreen platform (this also runs on servers).
"""

from __future__ import annotations

import argparse
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

CHILD = r"""
import json, os, sys, time
start = float(sys.argv[1])
mode = sys.argv[2]

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication([sys.argv[0]])
result = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if (not result and event.type() == QEvent.Type.Paint
                and isinstance(obj, QMainWindow)):
            result["seconds"] = time.time() - start
            result["rss_first_paint_mb"] = rss_mb()
            QTimer.singleShot(0, after_first_paint)
        return False

def after_first_paint():
    window = next(w for w in app.topLevelWidgets() if isinstance(w, QMainWindow))
    if hasattr(window, "screen_keys"):
        for key in window.screen_keys():
            window.show_screen(key)
            app.processEvents()
            while window.context.reader.pending():
                app.processEvents()
    result["rss_all_screens_mb"] = rss_mb()
    print(json.dumps(result), flush=True)
    window.close()
    app.quit()

watcher = FirstPaint()
app.installEventFilter(watcher)
if mode == "bare":
    window = QMainWindow()
    window.resize(1366, 768)
    window.show()
    app.exec()
else:
    from pathlib import Path
    from fieldapp.ui.app import run
    run(Path(sys.argv[3]))
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


def spawn(mode: str, db: Path | None = None) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    args = [sys.executable, "-c", CHILD, repr(time.time()), mode]
    if db is not None:
        args.append(str(db))
    args[3] = repr(time.time())
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{mode} run failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def run(households: int = 5000, repeat: int = 5) -> dict:
    db = demo_db(households)
    spawn("bare")  # warm the file cache for both kinds
    spawn("fieldapp", db)
    bare, app, ratios = [], [], []
    for _ in range(repeat):
        b = spawn("bare")
        a = spawn("fieldapp", db)
        bare.append(b)
        app.append(a)
        ratios.append(a["seconds"] / b["seconds"])
    median = statistics.median
    figures = {
        "bare_s": median(r["seconds"] for r in bare),
        "fieldapp_s": median(r["seconds"] for r in app),
        "ratio": median(ratios),
        "bare_rss_mb": median(r["rss_first_paint_mb"] for r in bare),
        "fieldapp_rss_first_paint_mb": median(r["rss_first_paint_mb"] for r in app),
        "fieldapp_rss_all_screens_mb": median(r["rss_all_screens_mb"] for r in app),
    }
    print(f"first paint, {repeat} runs each (offscreen): bare PySide6 window "
          f"{figures['bare_s'] * 1000:.0f} ms, fieldapp with {households:,} households "
          f"{figures['fieldapp_s'] * 1000:.0f} ms; median ratio {figures['ratio']:.2f}")
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
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    run(options.households, options.repeat)
