"""The bootstrap's Qt check: which platform the app will use, what ldd says is missing, which
Debian package has it, and the one apt-get line printed when it cannot install."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from fieldapp import bootstrap


@pytest.fixture(autouse=True)
def _english(monkeypatch):
    """These tests read the set-up's messages in English (FIELDAPP_LANG=en); its Vietnamese
    is tested below and in tests/ui/test_no_english.py."""
    monkeypatch.setenv("FIELDAPP_LANG", "en")
    monkeypatch.setattr(bootstrap, "_catalog", None)

# What Qt 6.11 prints when libqxcb.so cannot load (here libxcb-icccm4 was missing): it blames
# xcb-cursor0, which was installed.
QT_XCB_FAILURE = """\
qt.qpa.plugin: From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the Qt xcb platform plugin.
qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was found.
This application failed to start because no Qt platform plugin could be initialized. Reinstalling the application may fix this problem.

Available platform plugins are: minimal, linuxfb, offscreen, xcb, wayland-brcm, wayland-egl, wayland, eglfs, vnc, vkkhrdisplay, minimalegl.

Aborted
"""

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x7f60)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x7f60)
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x7f60)
"""


@pytest.mark.parametrize("environ, platforms", [
    ({"DISPLAY": ":0"}, ["xcb"]),
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, ["wayland", "xcb"]),  # XWayland after
    ({"WAYLAND_DISPLAY": "wayland-0"}, ["wayland"]),
    ({"XDG_SESSION_TYPE": "wayland", "DISPLAY": ":1"}, ["wayland", "xcb"]),
    ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, ["xcb"]),
    ({"QT_QPA_PLATFORM": "wayland;xcb"}, ["wayland", "xcb"]),
    ({"QT_QPA_PLATFORM": "offscreen"}, ["offscreen"]),
    ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, ["vnc"]),
    ({"DISPLAY": ""}, []),
    ({}, []),  # no display: no window can open
])
def test_the_platform_the_app_will_use(environ, platforms):
    assert bootstrap.qt_platforms(environ) == platforms


def test_ldd_not_found_once_each_in_order():
    assert bootstrap.not_found(LDD_OUTPUT) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_qt_reason_drops_the_message_that_blames_the_wrong_library():
    reason = bootstrap.qt_reason(QT_XCB_FAILURE)
    assert "xcb-cursor0" not in reason and "Reinstalling" not in reason
    assert reason == 'qt.qpa.plugin: Could not load the Qt platform plugin "xcb" in "" even though it was found.'


def test_qt_reason_keeps_what_names_the_problem():
    messages = "qt.qpa.xcb: could not connect to display :5\n" + QT_XCB_FAILURE
    assert bootstrap.qt_reason(messages) == "qt.qpa.xcb: could not connect to display :5"
    traceback = ("Traceback (most recent call last):\n  File \"<string>\", line 2, in <module>\n"
                 "ImportError: libGL.so.1: cannot open shared object file: No such file or directory\n")
    assert bootstrap.qt_reason(traceback).startswith("ImportError: libGL.so.1")


@pytest.mark.parametrize("soname, package", [
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libpng16.so.16", "libpng16-16"),
    ("libxcb.so.1", "libxcb1"),
    ("libfoo.so.2.1", "libfoo2"),
    ("ld-linux-x86-64.so.2", None),
])
def test_debian_policy_names(soname, package):
    assert bootstrap.debian_name(soname) == package


def test_package_for_takes_the_first_name_apt_knows(monkeypatch):
    known = {"libglib2.0-0", "libxcb-icccm4", "libbar3"}
    monkeypatch.setattr(bootstrap, "apt_knows", known.__contains__)
    assert bootstrap.package_for("libglib-2.0.so.0") == "libglib2.0-0"  # Debian 12: no t64 name
    known.add("libglib2.0-0t64")
    assert bootstrap.package_for("libglib-2.0.so.0") == "libglib2.0-0t64"
    assert bootstrap.package_for("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert bootstrap.package_for("libbar.so.3") == "libbar3"  # not in the table: policy name
    assert bootstrap.package_for("libunknown.so.1") is None


def test_every_platform_library_has_its_package():
    """The libraries ldd lists for the xcb and wayland plugins on Debian 12, all in the table."""
    for soname in ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0",
                   "libxkbcommon-x11.so.0", "libX11-xcb.so.1", "libEGL.so.1", "libGL.so.1",
                   "libfontconfig.so.1", "libdbus-1.so.3", "libglib-2.0.so.0",
                   "libwayland-cursor.so.0", "libwayland-egl.so.1"]:
        assert bootstrap.SONAME_PACKAGES[soname], soname


def test_without_root_one_apt_get_line_names_every_package(monkeypatch, capsys):
    monkeypatch.setattr(bootstrap, "apt_knows", lambda name: not name.endswith("t64"))
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    ok = bootstrap.fix_libraries({"wayland": ["libwayland-cursor.so.0"],
                                  "xcb": ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]},
                                 "Qt cannot start (DISPLAY=:0)")
    out = capsys.readouterr().out
    assert not ok
    assert "its xcb platform plugin needs libxcb-icccm.so.4 (package libxcb-icccm4)" in out
    assert "[fieldapp setup] Qt cannot start (DISPLAY=:0): its wayland" in out
    commands = [line.strip() for line in out.splitlines() if "apt-get install" in line]
    assert commands == ["sudo apt-get install -y libwayland-cursor0 libxcb-icccm4 libxcb-keysyms1"]


def test_platform_files_of_a_pyside_tree(tmp_path):
    platforms = tmp_path / "Qt" / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    for name in ["libqxcb.so", "libqwayland.so", "libqoffscreen.so", "libqminimal.so",
                 "libqminimalegl.so"]:
        (platforms / name).touch()
    (tmp_path / "Qt" / "lib").mkdir()
    (tmp_path / "Qt" / "lib" / "libQt6XcbQpa.so.6").touch()
    (tmp_path / "QtWidgets.abi3.so").touch()
    names = lambda platform: [p.name for p in bootstrap.platform_files(tmp_path, platform)]
    assert names("xcb") == ["libqxcb.so", "libQt6XcbQpa.so.6", "QtWidgets.abi3.so"]
    assert names("wayland-egl") == ["libqwayland.so", "QtWidgets.abi3.so"]
    assert names("minimal") == ["libqminimal.so", "QtWidgets.abi3.so"]
    assert names("nosuch") == []


@pytest.mark.parametrize("rest, window", [
    ([], True), (["--debug"], True), (["--screenshot", "out"], False), (["--screenshot=out"], False)])
def test_demo_opens_a_window_unless_screenshots(rest, window):
    assert bootstrap.wants_window(rest) is window


@pytest.mark.skipif(not bootstrap.PYTHON.exists(), reason="no .venv (not set up by the bootstrap)")
def test_the_probe_reports_the_platform_qt_used():
    used, _messages = bootstrap.probe_qt(dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert used == "offscreen"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd is Linux's")
def test_no_window_without_a_display(monkeypatch, capsys):
    """demo with neither DISPLAY nor WAYLAND_DISPLAY: checked offscreen and says no window can open."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bootstrap, "probe_qt", lambda env, wrapper=(): (env["QT_QPA_PLATFORM"], ""))
    assert bootstrap.ensure_qt("demo")
    assert "no window can open" in capsys.readouterr().out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldd is Linux's")
def test_wayland_falling_back_to_xwayland_names_what_wayland_lacks(monkeypatch, tmp_path, capsys):
    """On a Wayland desktop with XWayland, Qt opens the window with xcb when its wayland plugin
    cannot load: the app works, and the bootstrap says which package would make it native."""
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(bootstrap, "probe_qt", lambda env, wrapper=(): ("xcb", ""))
    monkeypatch.setattr(bootstrap, "pyside_dir", lambda: tmp_path)
    monkeypatch.setattr(bootstrap, "platform_files", lambda pyside, platform: [tmp_path / platform])
    monkeypatch.setattr(bootstrap, "missing_libraries",
                        lambda files: ["libwayland-cursor.so.0"] if files[0].name == "wayland" else [])
    monkeypatch.setattr(bootstrap, "apt_knows", lambda name: True)
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    assert bootstrap.ensure_qt("demo")
    out = capsys.readouterr().out
    assert "through XWayland (xcb)" in out
    assert "sudo apt-get install -y libwayland-cursor0" in out


# -- its words ------------------------------------------------------------------------------

def test_the_set_up_speaks_vietnamese_by_default(monkeypatch, capsys):
    """Read from the interface catalog with the standard library (no babel before the venv)."""
    monkeypatch.delenv("FIELDAPP_LANG")
    monkeypatch.setenv("LANG", "C.UTF-8")
    bootstrap.say(bootstrap._("fieldapp needs Python 3.11 or newer."))
    assert capsys.readouterr().out == "[cài đặt fieldapp] fieldapp cần Python 3.11 trở lên.\n"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.setattr(bootstrap, "_catalog", None)
    bootstrap.say(bootstrap._("fieldapp needs Python 3.11 or newer."))
    assert capsys.readouterr().out == "[fieldapp setup] fieldapp needs Python 3.11 or newer.\n"


def test_the_po_reader_takes_what_msgfmt_takes(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('''msgid ""
msgstr "Content-Type: text/plain; charset=UTF-8\\n"

msgid "Two lines"
msgstr ""
"Hai "
"dòng\\n"

#, fuzzy
msgid "Unchecked"
msgstr "Chưa duyệt"

msgctxt "screen"
msgid "Sessions"
msgstr "Buổi hỗ trợ"

msgid "Say \\"{what}\\""
msgstr "Nói “{what}”"
''', encoding="utf-8")
    assert bootstrap.po_messages(po) == {"Two lines": "Hai dòng\n",
                                         'Say "{what}"': "Nói “{what}”"}
    assert bootstrap.po_messages(tmp_path / "missing.po") == {}


def test_every_message_of_the_set_up_is_in_the_catalog():
    """Each message the set-up marks is translated in the catalog it reads (fuzzy ones do
    not count, as for msgfmt)."""
    import ast

    source = Path(bootstrap.__file__).read_text(encoding="utf-8")
    marked = [node.args[0].value for node in ast.walk(ast.parse(source))
              if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_"
              and node.args and isinstance(node.args[0], ast.Constant)]
    assert len(marked) > 20
    vietnamese = bootstrap.po_messages(bootstrap.ROOT / "i18n" / "vi" / "LC_MESSAGES"
                                       / "fieldapp.po")
    assert [m for m in marked if m not in vietnamese] == []
