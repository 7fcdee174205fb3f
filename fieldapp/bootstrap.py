"""Set-up from a fresh checkout with nothing but Python 3.11+ (standard library only).

    python3 -m fieldapp.bootstrap demo   # .venv, install, open the app on a demo commune
    python3 -m fieldapp.bootstrap test   # .venv, install with test tools, run the whole suite

It creates ``.venv`` in the checkout, installs fieldapp into it, compiles the interface
catalogs and the package's bytecode, then starts Qt once with the platform the command will
use: for ``demo`` the desktop's (QT_QPA_PLATFORM if set, else Wayland and/or X11 as Qt would
choose them), for ``test`` offscreen, plus X11 on Xvfb when FIELDAPP_REQUIRE_XCB=1. When Qt cannot
start, ldd on its platform plugin names the missing system libraries; as root on Debian/Ubuntu
their packages are installed with apt-get, otherwise the exact apt-get line is printed. Then it
runs the app or the tests. Running it again reuses what is already there.
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
# Exact versions with hashes of every dependency (the app's, its tests' and the build's), made
# from pyproject.toml's ranges by `uv pip compile` (the command is at the top of the file).
LOCK = ROOT / "requirements" / "lock.txt"

# Debian/Ubuntu package of each shared library that PySide6's Qt, its platform plugins (xcb,
# wayland, offscreen) and their dependencies load, by the name ldd prints for it. dpkg -S knows
# installed files only and apt-file is seldom there, hence a table: each row was checked on
# Debian 12 against the package's file list. Where Debian 13 and Ubuntu 24.04 renamed a package
# for 64-bit time_t the new name comes first; the first name apt knows is the one installed.
SONAME_PACKAGES = {
    # X11, xcb and xkb: the xcb platform plugin (an X11 desktop, or XWayland)
    "libX11.so.6": ["libx11-6"],
    "libX11-xcb.so.1": ["libx11-xcb1"],
    "libXau.so.6": ["libxau6"],
    "libXdmcp.so.6": ["libxdmcp6"],
    "libxcb.so.1": ["libxcb1"],
    "libxcb-cursor.so.0": ["libxcb-cursor0"],
    "libxcb-glx.so.0": ["libxcb-glx0"],
    "libxcb-icccm.so.4": ["libxcb-icccm4"],
    "libxcb-image.so.0": ["libxcb-image0"],
    "libxcb-keysyms.so.1": ["libxcb-keysyms1"],
    "libxcb-randr.so.0": ["libxcb-randr0"],
    "libxcb-render.so.0": ["libxcb-render0"],
    "libxcb-render-util.so.0": ["libxcb-render-util0"],
    "libxcb-shape.so.0": ["libxcb-shape0"],
    "libxcb-shm.so.0": ["libxcb-shm0"],
    "libxcb-sync.so.1": ["libxcb-sync1"],
    "libxcb-util.so.1": ["libxcb-util1"],
    "libxcb-xfixes.so.0": ["libxcb-xfixes0"],
    "libxcb-xinerama.so.0": ["libxcb-xinerama0"],
    "libxcb-xinput.so.0": ["libxcb-xinput0"],
    "libxcb-xkb.so.1": ["libxcb-xkb1"],
    "libxkbcommon.so.0": ["libxkbcommon0"],
    "libxkbcommon-x11.so.0": ["libxkbcommon-x11-0"],
    # Wayland: the wayland platform plugin and its shell integration
    "libwayland-client.so.0": ["libwayland-client0"],
    "libwayland-cursor.so.0": ["libwayland-cursor0"],
    "libwayland-egl.so.1": ["libwayland-egl1"],
    # OpenGL and EGL (libglvnd): QtGui links them on every platform
    "libGL.so.1": ["libgl1"],
    "libEGL.so.1": ["libegl1"],
    "libOpenGL.so.0": ["libopengl0"],
    "libGLX.so.0": ["libglx0"],
    "libGLdispatch.so.0": ["libglvnd0"],
    # fonts, D-Bus, GLib and what they load
    "libfontconfig.so.1": ["libfontconfig1"],
    "libfreetype.so.6": ["libfreetype6"],
    "libpng16.so.16": ["libpng16-16t64", "libpng16-16"],
    "libexpat.so.1": ["libexpat1"],
    "libbrotlidec.so.1": ["libbrotli1"],
    "libbrotlicommon.so.1": ["libbrotli1"],
    "libz.so.1": ["zlib1g"],
    "libzstd.so.1": ["libzstd1"],
    "libdbus-1.so.3": ["libdbus-1-3"],
    "libsystemd.so.0": ["libsystemd0"],
    "libglib-2.0.so.0": ["libglib2.0-0t64", "libglib2.0-0"],
    "libgthread-2.0.so.0": ["libglib2.0-0t64", "libglib2.0-0"],
    "libgobject-2.0.so.0": ["libglib2.0-0t64", "libglib2.0-0"],
    "libgio-2.0.so.0": ["libglib2.0-0t64", "libglib2.0-0"],
    "libpcre2-8.so.0": ["libpcre2-8-0"],
}
# Used by tests only: msgfmt checks the catalogs. FIELDAPP_REQUIRE_XCB=1 adds Xvfb, for the test
# that opens the real window on a virtual X display (tests/ui/test_real_display.py).
TEST_APT_PACKAGES = {"msgfmt": ["gettext"]}
XCB_TEST_APT_PACKAGES = {"xvfb-run": ["xvfb"], "xauth": ["xauth"]}
# Screen for xvfb-run: the window is 1366x768; xvfb-run's own default depth differs by release.
XVFB_SERVER_ARGS = "-screen 0 1600x900x24"
PROBE_TIMEOUT = 120  # seconds; a display that accepts the connection and never answers

# Starts Qt the way the app does: the platform comes from the environment, as in the app.
QT_PROBE = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication, QWidget\n"
    "app = QApplication(sys.argv[:1])\n"
    "QWidget().grab()\n"
    "print('qt ok', app.platformName())\n"
)


# -- its words: the interface catalogs, read with the standard library ---------------------
# The set-up runs before the venv (and babel) exist, so it reads the interface catalog's .po
# itself: its messages are marked with _() like the app's, extracted into i18n/fieldapp.pot
# and translated in i18n/<lang>/LC_MESSAGES/fieldapp.po; the language is chosen as the
# command line chooses it (FIELDAPP_LANG, else LC_ALL or LANG: English if it says en,
# otherwise Vietnamese). A message the catalog lacks is said in English.

def po_messages(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a gettext .po file (entries without a context, fuzzy ones left
    out, as msgfmt leaves them out): enough of the format for the set-up's own messages."""
    messages: dict[str, str] = {}
    entry: dict[str, str] = {}
    field = None
    fuzzy = False

    def finish() -> None:
        if entry.get("msgid") and entry.get("msgstr") and "msgctxt" not in entry \
                and not fuzzy:
            messages[entry["msgid"]] = entry["msgstr"]

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        return messages
    for line in [*lines, ""]:
        line = line.strip()
        if not line:
            finish()
            entry, field, fuzzy = {}, None, False
        elif line.startswith("#,"):
            fuzzy = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and field:
            entry[field] += _unquote(line)
        else:
            keyword, _space, rest = line.partition(" ")
            field = keyword if keyword in ("msgctxt", "msgid", "msgstr") else None
            if field:
                entry[field] = _unquote(rest)
    return messages


def _unquote(text: str) -> str:
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return ""


def language(environ=os.environ) -> str:
    """The set-up speaks as the command line does (fieldapp.cli)."""
    wanted = environ.get("FIELDAPP_LANG") or environ.get("LC_ALL") or environ.get("LANG", "")
    return "en" if wanted.lower().startswith("en") else "vi"


_catalog: dict[str, str] | None = None


def _(message: str) -> str:
    """``message`` in the set-up's language."""
    global _catalog
    if _catalog is None:
        lang = language()
        _catalog = {} if lang == "en" else po_messages(
            ROOT / "i18n" / lang / "LC_MESSAGES" / "fieldapp.po")
    return _catalog.get(message) or message


def say(message: str) -> None:
    print(_("[fieldapp setup] {message}").format(message=message), flush=True)


def run(cmd: list[str], **kwargs) -> None:
    subprocess.run(cmd, check=True, **kwargs)


def apt_install(packages: list[str], why: str) -> bool:
    """Install Debian packages when we can (root + apt-get); else print the exact command."""
    line = "apt-get install -y " + " ".join(packages)
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say(_("installing {what}: {command}").format(what=why, command=line))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        return subprocess.run(line.split() + ["-qq"], env=env).returncode == 0
    say(_("{what} are missing. Install them with:\n    sudo {command}").format(what=why,
                                                                               command=line))
    return False


def ensure_venv() -> None:
    if PYTHON.exists():
        return
    say(_("creating the virtual environment in {folder}").format(folder=VENV))
    try:
        venv.EnvBuilder(with_pip=True).create(VENV)
    except (subprocess.CalledProcessError, OSError):
        shutil.rmtree(VENV, ignore_errors=True)
        version = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
        if not apt_install([version, "python3-venv"], _("Python's venv module")):
            sys.exit(2)
        venv.EnvBuilder(with_pip=True).create(VENV)


def ensure_installed(with_tests: bool) -> None:
    extra = "[test]" if with_tests else ""
    say(_("installing fieldapp and its dependencies (the first run takes a few minutes)"))
    if LOCK.exists():  # the versions CI and the built app use, checked against their hashes
        run([str(PYTHON), "-m", "pip", "install", "--quiet", "--require-hashes", "-r", str(LOCK)])
    else:
        run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}{extra}"])
    run([str(PYTHON), "-m", "fieldapp.i18n.compile"])
    # An editable install leaves the package's bytecode to be written on first import, which
    # PYTHONDONTWRITEBYTECODE (set on some machines) prevents: every start would then compile
    # every module again (~30 ms of start-up). pip compiles a normal install; do the same here.
    run([str(PYTHON), "-m", "compileall", "-q", str(ROOT / "fieldapp")], stdout=subprocess.DEVNULL)


def qt_platforms(environ: dict[str, str]) -> list[str]:
    """The platforms Qt tries for the app's window on Linux, in Qt 6's order: QT_QPA_PLATFORM when
    set (a ';' list, each name maybe with ':options'); else wayland when WAYLAND_DISPLAY is set or
    the session is a Wayland one, then xcb when DISPLAY is set (XWayland on a Wayland desktop).
    Empty: there is no display, so no window can open."""
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return [name.split(":")[0].strip() for name in chosen.split(";") if name.strip()]
    platforms = []
    if environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland":
        platforms.append("wayland")
    if environ.get("DISPLAY"):
        platforms.append("xcb")
    return platforms


def probe_qt(env: dict[str, str], wrapper: tuple[str, ...] = ()) -> tuple[str | None, str]:
    """Start Qt in the venv as the app would under ``env`` (inside ``wrapper``, e.g. xvfb-run):
    (the platform Qt used, its messages), or (None, its messages) when it could not start."""
    try:
        done = subprocess.run([*wrapper, str(PYTHON), "-c", QT_PROBE], env=env,
                              capture_output=True, text=True, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, _("Qt did not start within {seconds} seconds").format(
            seconds=PROBE_TIMEOUT)
    for line in done.stdout.splitlines():
        if line.startswith("qt ok"):
            return line[len("qt ok"):].strip() or "?", done.stderr
    return None, done.stderr + done.stdout


def qt_reason(messages: str) -> str:
    """What Qt (or Python) said went wrong, without Qt's generic lines: the list of plugins,
    "Reinstalling the application may fix this problem", and the xcb-cursor0 hint that Qt 6.5+
    prints whatever made xcb fail. Qt's "Could not load the Qt platform plugin" line is kept only
    when nothing more precise is left."""
    lines = [line.strip() for line in messages.splitlines() if line.strip()]
    if any(line.startswith("Traceback (most recent call last)") for line in lines):
        return lines[-1]  # e.g. ImportError: libGL.so.1: cannot open shared object file
    generic = ("This application failed", "Available platform plugins", "Aborted")
    lines = [line for line in lines if not line.startswith(generic) and "xcb-cursor0" not in line]
    precise = [line for line in lines if not line.startswith("qt.qpa.plugin:")]
    return "; ".join(dict.fromkeys(precise or lines))


def pyside_dir() -> Path | None:
    """PySide6's folder in the venv, found without importing it (which loads Qt)."""
    code = ("import importlib.util as u; s = u.find_spec('PySide6');"
            "print(s.submodule_search_locations[0] if s else '')")
    done = subprocess.run([str(PYTHON), "-c", code], capture_output=True, text=True)
    path = done.stdout.strip()
    return Path(path) if done.returncode == 0 and path else None


def platform_files(pyside: Path, platform: str) -> list[Path]:
    """What Qt loads to open a window on ``platform``: its platform plugin (and for xcb the Qt
    library behind it, for wayland the xdg-shell integration without which no window shows) and
    the QtWidgets module the app imports. Empty when PySide6 has no plugin by that name."""
    folder = pyside / "Qt" / "plugins" / "platforms"
    base = platform.split("-")[0]  # wayland-egl and wayland-brcm are in the wayland plugin
    plugin = (sorted(folder.glob(f"libq{platform}.so")) or sorted(folder.glob(f"libq{base}.so"))
              or sorted(folder.glob(f"libq{base}-*.so")))
    if not plugin:
        return []
    extra = []
    if base == "xcb":
        extra = sorted((pyside / "Qt" / "lib").glob("libQt6XcbQpa.so*"))
    elif base == "wayland":
        shells = pyside / "Qt" / "plugins" / "wayland-shell-integration"
        extra = sorted(shells.glob("libxdg-shell*.so"))
    return plugin + extra + sorted(pyside.glob("QtWidgets*.so"))


def available_platforms(pyside: Path) -> list[str]:
    folder = pyside / "Qt" / "plugins" / "platforms"
    return sorted(path.name[len("libq"):-len(".so")] for path in folder.glob("libq*.so"))


def not_found(ldd_output: str) -> list[str]:
    """The libraries ldd reports as "not found", in its order, once each."""
    names = [line.split("=>")[0].strip() for line in ldd_output.splitlines()
             if line.rstrip().endswith("=> not found")]
    return list(dict.fromkeys(names))


def missing_libraries(files: list[Path]) -> list[str]:
    """The shared libraries the files need (directly or through each other) that are missing."""
    missing = []
    for path in files:
        try:
            done = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
        except OSError:
            return []
        missing += not_found(done.stdout)
    return list(dict.fromkeys(missing))


def debian_name(soname: str) -> str | None:
    """The package name Debian policy gives a library (libfoo.so.4 in libfoo4, libfoo-1.so.3 in
    libfoo-1-3): the guess for a library missing from SONAME_PACKAGES."""
    name, dot_so, version = soname.partition(".so.")
    version = version.split(".")[0]
    if not dot_so or not version.isdigit() or not name.startswith("lib"):
        return None
    name = name.lower().replace("_", "-")
    return f"{name}{'-' if name[-1].isdigit() else ''}{version}"


def apt_knows(package: str) -> bool:
    """Whether apt has a real (not purely virtual) package of this name."""
    if not shutil.which("apt-cache"):
        return False
    done = subprocess.run(["apt-cache", "show", "--no-all-versions", package],
                          capture_output=True, text=True)
    return done.returncode == 0 and "Package:" in done.stdout


def package_for(soname: str) -> str | None:
    """The Debian/Ubuntu package that provides ``soname``: from SONAME_PACKAGES, else the
    policy name, whichever apt knows first; None when apt knows none (or there is no apt)."""
    candidates = SONAME_PACKAGES.get(soname) or [debian_name(soname)]
    return next((name for name in candidates if name and apt_knows(name)), None)


def fix_libraries(missing: dict[str, list[str]], problem: str) -> bool:
    """Say which libraries each platform plugin in ``missing`` lacks and which packages have
    them; install those as root with apt-get, or print one apt-get line naming them all.
    True when every one of them was installed."""
    packages = {}
    for platform, libraries in missing.items():
        found = {soname: package_for(soname) for soname in libraries}
        packages.update(found)
        listed = ", ".join(_("{library} (package {package})").format(
            library=soname, package=package) if package else
            _("{library} (no Debian package known for it)").format(library=soname)
            for soname, package in found.items())
        say(_("{problem}: its {platform} platform plugin needs {libraries}, not installed.")
            .format(problem=problem, platform=platform, libraries=listed))
    unknown = [soname for soname, package in packages.items() if package is None]
    if unknown:
        say(_("Install the packages that provide {libraries}.").format(
            libraries=", ".join(unknown)))
    wanted = list(dict.fromkeys(package for package in packages.values() if package))
    if not wanted:
        return False
    return apt_install(wanted, _("the libraries of Qt's platform {platforms}").format(
        platforms=", ".join(missing))) and not unknown


def ensure_platform(env: dict[str, str], platforms: list[str], wrapper: tuple[str, ...] = (),
                    where: str = "") -> str | None:
    """Start Qt under ``env``; when it cannot, find the missing libraries of the ``platforms``
    it tries (ldd), install their packages (root) or print the apt-get line, and try again.
    Returns the platform Qt used, or None after saying why it cannot start."""
    pyside = pyside_dir() if shutil.which("ldd") else None
    installed: set[str] = set()
    for _attempt in range(3):  # an installed library may reveal the next missing one
        used, messages = probe_qt(env, wrapper)
        if used is not None:
            return used
        if pyside is None:
            break
        missing = {}
        for platform in platforms:
            files = platform_files(pyside, platform)
            if not files:
                say(_("PySide6 has no Qt platform plugin named {platform} (QT_QPA_PLATFORM="
                      "{chosen}); it has {available}.").format(
                    platform=repr(platform), chosen=env.get("QT_QPA_PLATFORM", ""),
                    available=", ".join(available_platforms(pyside))))
                return None
            libraries = missing_libraries(files)
            if libraries:
                missing[platform] = libraries
        if not missing:
            break
        again = sorted(installed & {name for found in missing.values() for name in found})
        if again:
            say(_("Qt cannot start{where}: {libraries} still missing after installing the "
                  "packages named above.").format(where=where, libraries=", ".join(again)))
            return None
        if not fix_libraries(missing, _("Qt cannot start{where}").format(where=where)):
            return None
        installed.update(*missing.values())
    reason = qt_reason(messages) or _("it printed no reason")
    say(_("Qt cannot start{where} with the platform {platforms}: {reason}").format(
        where=where, platforms=", ".join(platforms), reason=reason))
    return None


def display_note(environ: dict[str, str]) -> str:
    names = [f"{name}={environ[name]}" for name in ("WAYLAND_DISPLAY", "DISPLAY")
             if environ.get(name)]
    return f" ({', '.join(names)})" if names else ""


def ensure_qt(command: str) -> bool:
    """Check that Qt starts on the platform the command will use; False when it cannot.

    ``test`` runs the suite offscreen, so it checks offscreen, plus a real X display (xcb
    under xvfb-run) when FIELDAPP_REQUIRE_XCB=1. ``demo`` checks the platform its window
    will use: QT_QPA_PLATFORM if set, else wayland and/or xcb as the desktop offers them.
    """
    if command == "test":
        if ensure_platform(dict(os.environ, QT_QPA_PLATFORM="offscreen"), ["offscreen"]) is None:
            return False
        return os.environ.get("FIELDAPP_REQUIRE_XCB") != "1" or ensure_xcb_for_tests()
    if not sys.platform.startswith("linux"):  # Windows, macOS: Qt brings what it needs
        used, messages = probe_qt(dict(os.environ))
        if used is None:
            say(_("Qt cannot start: {reason}").format(
                reason=qt_reason(messages) or _("it printed no reason")))
        return used is not None
    platforms = qt_platforms(os.environ)
    if not platforms:
        say(_("no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so no window can open "
              "here. Checking Qt with the offscreen platform only."))
        offscreen = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        return ensure_platform(offscreen, ["offscreen"]) is not None
    if platforms == ["offscreen"]:
        say(_("QT_QPA_PLATFORM=offscreen: the app runs without a window."))
    used = ensure_platform(dict(os.environ), platforms, where=display_note(os.environ))
    if used is None:
        return False
    if used != platforms[0] and platforms[0].startswith("wayland"):
        explain_fallback(platforms[0], used)
    return True


def explain_fallback(wanted: str, used: str) -> None:
    """Qt could not use Wayland and opened the window through XWayland: say why, and install
    (root) or name what the wayland plugin lacks, so that the next start is native."""
    pyside = pyside_dir() if shutil.which("ldd") else None
    libraries = missing_libraries(platform_files(pyside, wanted)) if pyside else []
    if libraries:
        fix_libraries({wanted: libraries},
                      _("Qt opens the window through XWayland ({platform}) instead of Wayland")
                      .format(platform=used))
    else:
        say(_("Qt cannot use {wanted} here; the window opens through XWayland ({platform}).")
            .format(wanted=wanted, platform=used))


def ensure_xcb_for_tests() -> bool:
    """FIELDAPP_REQUIRE_XCB=1: Qt must open windows on a real X display, checked with xcb on
    a virtual one (Xvfb), so that a missing xcb library fails set-up rather than the test."""
    if not sys.platform.startswith("linux"):
        return True
    if not shutil.which("xvfb-run"):
        say(_("FIELDAPP_REQUIRE_XCB=1 but xvfb-run is missing."))
        return False
    wrapper = ("xvfb-run", "-a", "-s", XVFB_SERVER_ARGS)
    used = ensure_platform(dict(os.environ, QT_QPA_PLATFORM="xcb"), ["xcb"], wrapper,
                           where=_(" on Xvfb (FIELDAPP_REQUIRE_XCB=1)"))
    return used is not None


def ensure_test_tools() -> None:
    tools = dict(TEST_APT_PACKAGES)
    if os.environ.get("FIELDAPP_REQUIRE_XCB") == "1" and sys.platform.startswith("linux"):
        tools.update(XCB_TEST_APT_PACKAGES)
    absent = [tool for tool in tools if not shutil.which(tool)]
    if absent:
        apt_install([package for tool in absent for package in tools[tool]],
                    _("test tools ({tools})").format(tools=", ".join(absent)))


def wants_window(rest: list[str]) -> bool:
    """Whether ``fieldapp --demo REST`` opens a window (--screenshot renders offscreen)."""
    return not any(arg == "--screenshot" or arg.startswith("--screenshot=") for arg in rest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test"):
        print(_("Set-up from a fresh checkout with nothing but Python 3.11+:\n"
                "    python3 -m fieldapp.bootstrap demo   # .venv, install, open the app on a "
                "demo commune\n"
                "    python3 -m fieldapp.bootstrap test   # .venv, install with test tools, run "
                "the whole suite"))
        return 2
    if sys.version_info < (3, 11):
        say(_("fieldapp needs Python 3.11 or newer."))
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    ensure_installed(with_tests=command == "test")
    if command == "test":
        ensure_test_tools()
    if not ensure_qt(command):
        return 2
    if command == "test":
        return subprocess.run([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT).returncode
    if sys.platform.startswith("linux") and not qt_platforms(os.environ) and wants_window(rest):
        say(_("set-up is done, but there is no display to open the window on: run this "
              "command again in a desktop session (X11 or Wayland), or add --screenshot DIR to "
              "save the screens as PNG files."))
        return 2
    return subprocess.run([str(BIN / "fieldapp"), "--demo", *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
