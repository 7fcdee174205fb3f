"""The app's own files changing under it (installed again while it is open): clicking Surveys
while its module, its forms or a catalog are gone or half-written says what to do, with Try
again, and never raises out of the click; once the files are whole again, it works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fieldapp import paths
from fieldapp.i18n import catalog
from fieldapp.services.workspace import Workspace
from fieldapp.ui import guard
from fieldapp.ui.app import build_app_window

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def resources(tmp_path, monkeypatch):
    """A copy of forms/, i18n/ and assets/ the test can break, as an installer would."""
    root = tmp_path / "installed"
    for name in paths.RESOURCE_DIRS:
        shutil.copytree(paths.resource_root() / name, root / name)
    monkeypatch.setattr(paths, "resource_root", lambda: root)
    return root


def _window(store, qtbot):
    window = build_app_window(Workspace(store))
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_screen_whose_module_is_gone_says_what_to_do(commune, qtbot, monkeypatch):
    window = _window(commune, qtbot)
    import fieldapp.ui.forms.surveys as module

    monkeypatch.setitem(sys.modules, "fieldapp.ui.forms.surveys", None)  # cannot be imported
    shown = window.show_screen("surveys")
    assert isinstance(shown, guard.ScreenProblem)
    assert "installed again" in shown.text.text() and "Try again" in shown.text.text()
    assert window.stack.currentWidget() is shown
    # The files are back (the module as it was: importing it again would make a second
    # SurveysScreen class, which other tests' patches would miss).
    monkeypatch.setitem(sys.modules, "fieldapp.ui.forms.surveys", module)
    shown.retry_button.click()
    surveys = window.screen("surveys")
    assert type(surveys).__name__ == "SurveysScreen"
    assert window.stack.currentWidget() is surveys and surveys.new_buttons


def test_surveys_while_the_forms_are_being_replaced(commune, resources, qtbot):
    forms = resources / "forms"
    shutil.move(forms, resources / "forms.old")  # the installer removed them
    window = _window(commune, qtbot)
    shown = window.show_screen("surveys")
    assert isinstance(shown, guard.ScreenProblem) and "installed again" in shown.text.text()
    shutil.move(resources / "forms.old", forms)  # and wrote the new ones
    shown.retry_button.click()
    surveys = window.screen("surveys")
    assert set(surveys.new_buttons) >= {"household_survey", "support_session"}


def test_a_half_written_form_is_not_taken_for_a_form(commune, resources, qtbot):
    workbook = resources / "forms" / "support_session.xlsx"
    good = workbook.read_bytes()
    workbook.write_bytes(good[:len(good) // 3])  # cut off mid-copy
    window = _window(commune, qtbot)
    shown = window.show_screen("surveys")
    assert isinstance(shown, guard.ScreenProblem)
    workbook.write_bytes(good)
    shown.retry_button.click()
    assert "support_session" in window.screen("surveys").new_buttons


def test_a_form_gone_after_the_screen_opened(commune, resources, qtbot):
    window = _window(commune, qtbot)
    surveys = window.show_screen("surveys")
    surveys.service.catalog.reload()  # as if its files were read again, now gone
    shutil.rmtree(resources / "forms")
    assert surveys.start("support_session") is None  # no error out of the click
    assert "installed again" in surveys.message.text()


def test_a_catalog_that_vanishes_keeps_the_language_in_use(resources):
    base = resources / "i18n"
    catalog.set_language("vi", locale_dir=base)
    assert catalog._("Households") == "Hộ gia đình"
    for po in base.glob("vi/LC_MESSAGES/*"):
        po.unlink()
    catalog.set_language("vi", locale_dir=base)  # files gone: Vietnamese stays
    assert catalog._("Households") == "Hộ gia đình"


def test_a_half_written_catalog_keeps_the_language_in_use(resources):
    base = resources / "i18n"
    catalog.set_language("vi", locale_dir=base)
    (base / "vi" / "LC_MESSAGES" / "fieldapp.po").unlink()
    mo = base / "vi" / "LC_MESSAGES" / "fieldapp.mo"
    mo.write_bytes(mo.read_bytes()[:200])
    catalog.set_language("vi", locale_dir=base)
    assert catalog._("Households") == "Hộ gia đình"


def test_an_error_in_a_click_is_a_message_not_a_crash(monkeypatch):
    said = []
    monkeypatch.setattr("fieldapp.ui.widgets.show_message",
                        lambda parent, kind, title, text, *a: said.append(text))
    restore = guard.install_excepthook()
    try:
        try:
            import fieldapp.ui.no_such_module  # noqa: F401 - what a replaced install looks like
        except ImportError:
            sys.excepthook(*sys.exc_info())
    finally:
        restore()
    assert len(said) == 1 and "installed again" in said[0]
    assert guard.problem_text(RuntimeError("boom")) == "Something went wrong: boom"


def test_clicking_surveys_while_the_app_is_reinstalled(tmp_path):
    """The real thing in a process of its own: the app runs from an installed folder, the
    installer deletes the survey screen's code and the forms, the member clicks Surveys."""
    installed = tmp_path / "app"
    shutil.copytree(ROOT / "fieldapp", installed / "fieldapp",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in paths.RESOURCE_DIRS:
        shutil.copytree(ROOT / name, installed / name)
    script = textwrap.dedent("""
        import logging, shutil, sys
        from pathlib import Path
        logging.basicConfig(filename=str(Path(sys.argv[1]) / "app.log"))  # as the app logs
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from fieldapp.services.setup import SetupRequest, run_setup
        from fieldapp.services.workspace import Workspace
        from fieldapp.storage.store import Store
        from fieldapp.ui.app import build_app_window
        from fieldapp.ui.guard import install_excepthook
        install_excepthook()
        store = Store.open(Path(sys.argv[1]) / "app.db")
        run_setup(store, SetupRequest("Xã Tân Thành", "Lạng Sơn", ["Bản Khuông"],
                                      "Hoàng Thị Mai", "commune_staff", "246813"))
        window = build_app_window(Workspace(store))
        window.show()
        app.processEvents()
        root = Path(sys.argv[1]) / "app"
        shutil.rmtree(root / "fieldapp" / "ui" / "forms")  # the installer at work
        shutil.rmtree(root / "forms")
        window.nav.setCurrentRow(window.screen_keys().index("surveys"))  # the click
        app.processEvents()
        shown = window.stack.currentWidget()
        print("SHOWN", type(shown).__name__, shown.text.text())
        window.close()
    """)
    env = {**os.environ, "PYTHONPATH": str(installed), "QT_QPA_PLATFORM": "offscreen",
           "FIELDAPP_HOME": str(tmp_path / "home"), "FIELDAPP_LANG": "en",
           "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    shown = [line for line in done.stdout.splitlines() if line.startswith("SHOWN")]
    assert shown and shown[0].startswith("SHOWN ScreenProblem"), done.stdout + done.stderr[-2000:]
    assert "installed again" in shown[0]
    assert "Traceback" not in done.stderr  # nothing escaped the click
    assert "could not be built" in (tmp_path / "app.log").read_text()  # the log has why
