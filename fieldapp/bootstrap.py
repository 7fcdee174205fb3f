"""Set-up from a fresh checkout with nothing but Python 3.11+ (standard library only).

    python3 -m fieldapp.bootstrap demo   # .venv, install, open the app on a demo commune
    python3 -m fieldapp.bootstrap test   # .venv, install with test tools, run the whole suite

It creates ``.venv`` in the checkout, installs fieldapp into it, compiles the interface
catalogs and the package's bytecode, checks that Qt finds the system libraries it needs (installing them with apt-get when
run as root on Debian/Ubuntu, otherwise printing the exact apt-get line), then runs the app or
the tests. Running it again reuses what is already there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# Debian/Ubuntu packages with the shared libraries PySide6's Qt loads (offscreen and xcb).
QT_APT_PACKAGES = [
    "libgl1", "libegl1", "libglib2.0-0", "libfontconfig1", "libfreetype6", "libdbus-1-3",
    "libxkbcommon0", "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0",
    "libxcb-keysyms1", "libxcb-randr0", "libxcb-render-util0", "libxcb-shape0",
    "libxcb-xinerama0", "libxcb-xkb1", "libx11-xcb1",
]
# Used by tests only: msgfmt checks the catalogs, pdftoppm renders reports.
TEST_APT_PACKAGES = ["gettext"]

QT_PROBE = (
    "import os; os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen');"
    "from PySide6.QtWidgets import QApplication, QWidget;"
    "app = QApplication([]); w = QWidget(); w.grab(); print('qt ok')"
)


def say(message: str) -> None:
    print(f"[fieldapp setup] {message}", flush=True)


def run(cmd: list[str], **kwargs) -> None:
    subprocess.run(cmd, check=True, **kwargs)


def apt_install(packages: list[str], why: str) -> bool:
    """Install Debian packages when we can (root + apt-get); else print the exact command."""
    line = "apt-get install -y " + " ".join(packages)
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say(f"installing {why}: {line}")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        return subprocess.run(line.split() + ["-qq"], env=env).returncode == 0
    say(f"{why} are missing. Install them with:\n    sudo {line}")
    return False


def ensure_venv() -> None:
    if PYTHON.exists():
        return
    say(f"creating the virtual environment in {VENV}")
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
    except (subprocess.CalledProcessError, OSError):
        shutil.rmtree(VENV, ignore_errors=True)
        version = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
        if not apt_install([version, "python3-venv"], "Python's venv module"):
            sys.exit(2)
        venv.EnvBuilder(with_pip=True).create(VENV)


def ensure_installed(with_tests: bool) -> None:
    extra = "[test]" if with_tests else ""
    say("installing fieldapp and its dependencies (first run takes a few minutes)")
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}{extra}"])
    run([str(PYTHON), "-m", "fieldapp.i18n.compile"])
    # An editable install leaves the package's bytecode to be written on first import, which
    # PYTHONDONTWRITEBYTECODE (set on some machines) prevents: every start would then compile
    # every module again (~30 ms of start-up). pip compiles a normal install; do the same here.
    run([str(PYTHON), "-m", "compileall", "-q", str(ROOT / "fieldapp")], stdout=subprocess.DEVNULL)


def ensure_qt() -> None:
    probe = subprocess.run([str(PYTHON), "-c", QT_PROBE], capture_output=True, text=True)
    if probe.returncode == 0:
        return
    say("Qt could not start: " + (probe.stderr.strip().splitlines() or ["?"])[-1])
    if not apt_install(QT_APT_PACKAGES, "the system libraries Qt needs"):
        sys.exit(2)


def ensure_test_tools() -> None:
    missing = [p for p, tool in zip(TEST_APT_PACKAGES, ["msgfmt"]) if not shutil.which(tool)]
    if missing:
        apt_install(missing, "test tools (GNU gettext's msgfmt)")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test"):
        print(__doc__)
        return 2
    if sys.version_info < (3, 11):
        say("fieldapp needs Python 3.11 or newer.")
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    ensure_installed(with_tests=command == "test")
    ensure_qt()
    if command == "test":
        ensure_test_tools()
        return subprocess.run([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT).returncode
    return subprocess.run([str(BIN / "fieldapp"), "--demo", *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
