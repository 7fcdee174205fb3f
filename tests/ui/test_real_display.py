"""The real entry point opens the main window on an X display (Qt's xcb platform, on Xvfb) and
saves a picture of it: a system library xcb needs and the machine lacks fails here, in CI, rather
than on the first desktop the app is installed on (where Qt blames the wrong library).

Skipped when xvfb-run is missing, unless FIELDAPP_REQUIRE_XCB=1 (set by .ci/run): then it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import PySide6
import pytest
from PySide6.QtGui import QImage

from fieldapp import bootstrap

REQUIRED = os.environ.get("FIELDAPP_REQUIRE_XCB") == "1"
HANG_GUARD = 600  # seconds: a broken X server must not hang the suite; not a speed limit


def fieldapp_command() -> list[str]:
    """The installed ``fieldapp`` script beside this Python (.venv/bin/fieldapp)."""
    script = Path(sys.executable).with_name("fieldapp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "fieldapp"]


def xvfb_run() -> str:
    if not sys.platform.startswith("linux"):
        pytest.skip("Qt's xcb platform is Linux's")
    path = shutil.which("xvfb-run")
    if path is None:
        message = "xvfb-run is missing (apt-get install xvfb xauth)"
        if REQUIRED:
            pytest.fail(f"FIELDAPP_REQUIRE_XCB=1 but {message}")
        pytest.skip(message)
    return path


def xcb_diagnosis() -> str:
    """The bootstrap's account of what Qt's xcb plugin lacks (ldd), for the failure message."""
    if not shutil.which("ldd"):
        return ""
    files = bootstrap.platform_files(Path(PySide6.__file__).parent, "xcb")
    missing = bootstrap.missing_libraries(files)
    return "".join(f"\nmissing {soname} (package {bootstrap.package_for(soname) or '?'})"
                   for soname in missing)


def distinct_colours(image: QImage) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = memoryview(bytes(image.constBits())[:image.sizeInBytes()]).cast("I")
    return len(set(pixels))


def test_main_window_opens_on_an_x_display(tmp_path):
    xvfb = xvfb_run()
    env = {**os.environ, "FIELDAPP_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "xcb"}
    env.pop("FIELDAPP_LANG", None)
    db = tmp_path / "demo.db"
    made = subprocess.run([*fieldapp_command(), "demo", "--db", str(db), "--households", "50"],
                          env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    assert made.returncode == 0, made.stderr

    # QT_QPA_PLATFORM=xcb: --screenshot shows the windows on Xvfb's display instead of
    # rendering offscreen, and Qt aborts rather than fall back when xcb cannot load.
    shots = tmp_path / "shots"
    shown = subprocess.run([xvfb, "-a", "-s", bootstrap.XVFB_SERVER_ARGS, *fieldapp_command(),
                            "--db", str(db), "--screenshot", str(shots)],
                           env=env, capture_output=True, text=True, timeout=HANG_GUARD)
    assert shown.returncode == 0, (
        f"the app could not open its window on X (xcb), exit {shown.returncode}:"
        + xcb_diagnosis() + "\nQt said:\n" + shown.stderr[-3000:])

    home = QImage(str(shots / "home.png"))
    assert not home.isNull(), "no picture of the main window"
    assert (home.width(), home.height()) == (1366, 768)
    assert distinct_colours(home) > 16, "the picture of the main window is blank"
