"""One language: in Vietnamese, no screen, dialog or generated file shows a word of the app's
own English (tests/ui/english.py): every screen and dialog of the tour (fieldapp.ui.tour), the
PDFs (text read with pypdf), the XLSX export's sheet names and headers (openpyxl), the CSV
headers, the audit log's details, and the setup's own messages (fieldapp.bootstrap)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from english import EnglishFinder, database_words
from fieldapp.i18n import catalog
from fieldapp.services.demo import create_demo
from fieldapp.ui import tour
from fieldapp.ui.i18n_qt import install_qt_translator, qt_translator_installed, \
    uninstall_qt_translator
from test_pseudo_locale import visible_texts


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("no-english") / "demo.db"
    create_demo(path, households=60, seed=5)
    return path


@pytest.fixture
def workspace(demo, tmp_path, qapp):
    path = tmp_path / "demo.db"
    shutil.copyfile(demo, path)
    already = qt_translator_installed(qapp)
    install_qt_translator(qapp)
    catalog.set_language("vi")
    ws = tour._open(path, None)  # signed in as commune staff: every screen
    yield ws
    ws.close()
    if not already:
        uninstall_qt_translator(qapp)


@pytest.fixture
def finder(workspace):
    return EnglishFinder(database_words(workspace.path) | {workspace.device_name})


def _report(problems: list[str]) -> str:
    return "English in Vietnamese:\n" + "\n".join(problems[:60])


def test_the_finder_knows_the_apps_english(finder):
    assert finder.find("Lưu nháp – draft, answered_by") == ["draft", "answered", "by"]
    assert finder.find("In báo cáo, mã PIN, gửi qua Zalo hoặc USB") == []  # Vietnamese's own
    assert finder.find("Bản Khuông, Xã Hồng Phong") == []


def test_every_screen_and_dialog_in_vietnamese(workspace, finder, tmp_path):
    seen: list[tuple[str, str]] = []

    def visit(name, widget):
        seen.extend((f"{name}: {s.where}", s.text) for s in visible_texts(widget, shown_only=True))

    tour.tour(workspace, visit)
    tour.setup_tour(visit, tmp_path)
    assert len({where.split(":")[0] for where, _t in seen}) > 60  # the whole tour
    problems = finder.problems(seen)
    assert problems == [], _report(problems)


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_every_pdf_in_vietnamese(workspace, finder, tmp_path):
    reports = workspace.reports
    household = workspace.store.query("select id from households limit 1")[0]["id"]
    made = {"commune": reports.make("commune", tmp_path / "commune.pdf", {}),
            "progress": reports.make("progress", tmp_path / "progress.pdf", {}),
            "household": reports.make("household", tmp_path / "household.pdf",
                                      {"household_id": household, "language": "vi"})}
    for form_id, _title in reports.forms():
        made[form_id] = reports.make("questionnaire", tmp_path / f"{form_id}.pdf",
                                     {"form_id": form_id, "language": "vi"})
    seen = [(name, line) for name, printed in made.items()
            for line in _pdf_text(printed.path).splitlines()]
    assert len(seen) > 200
    problems = finder.problems(seen)
    assert problems == [], _report(problems)


def test_the_exports_headers_in_vietnamese(workspace, finder, tmp_path):
    import openpyxl

    workspace.reports.make("xlsx", tmp_path / "all.xlsx", {"names": True})
    book = openpyxl.load_workbook(tmp_path / "all.xlsx", read_only=True)
    seen = []
    for sheet in book.worksheets:
        # Sheet names are identifiers, as the CSV files' names (a form's id, "sessions"):
        # codes for the tools that read them, like the "(mã)" columns. Headers are words.
        header = next(sheet.iter_rows(values_only=True), ())
        seen += [(f"{sheet.title} header", str(h)) for h in header if h]
    book.close()
    workspace.reports.make("csv", tmp_path / "csv", {"names": True})
    for path in sorted((tmp_path / "csv").glob("*.csv")):
        with path.open(encoding="utf-8-sig") as f:
            seen += [(f"{path.name} header", h) for h in next(csv.reader(f), [])]
    assert len(seen) > 50
    problems = finder.problems(seen)
    assert problems == [], _report(problems)


def test_the_audit_log_in_vietnamese(workspace, finder, tmp_path, qtbot):
    """Every kind of event the app records, as the audit screen shows it."""
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.screens.audit import AuditScreen

    store = workspace.store
    village = workspace.villages()[0]["id"]
    household = store.query("select id from households limit 1")[0]["id"]
    workspace.reports.make("commune", tmp_path / "c.pdf", {})
    workspace.reports.make("household", tmp_path / "h.pdf", {"household_id": household})
    workspace.reports.make("xlsx", tmp_path / "a.xlsx", {"names": False})
    workspace.reports.make("xlsx", tmp_path / "b.xlsx", {"names": True})
    workspace.households.delete(household, "Nhập nhầm")
    member = workspace.team.add("Lý Thị Hoa", "member", village, "975318")
    workspace.team.change_role(member, "trainer", None)
    workspace.team.reset_pin(member, "864213")
    workspace.team.retire(member)
    workspace.backups.back_up()
    training = workspace.training
    from fieldapp.services.training import ClassRequest

    klass = training.save_class(ClassRequest("Lớp", "2026-01-05", "2026-01-06",
                                             skills=("s1",), learner_type="citizen"))
    training.remove_class(klass, "entered by mistake")
    context = AppContext(workspace)
    screen = AuditScreen(context)
    qtbot.addWidget(screen)
    screen.show()
    rows = screen.model.rowCount()
    assert rows >= 10
    seen = [(f"audit [{r},{c}]", screen.model.index(r, c).data())
            for r in range(rows) for c in range(screen.model.columnCount())]
    kinds = {screen.model.index(r, 5).data().split(" ")[0] for r in range(rows)
             if screen.model.index(r, 5).data()}
    assert "classes" not in kinds  # a class is named in Vietnamese, not by its table
    problems = finder.problems([(w, t) for w, t in seen if isinstance(t, str)])
    context.dispose()
    assert problems == [], _report(problems)


def test_the_set_up_speaks_vietnamese(monkeypatch, capsys):
    """python3 -m fieldapp.bootstrap, run before any venv: its messages, in Vietnamese."""
    import os
    import sys

    from fieldapp import bootstrap

    monkeypatch.delenv("FIELDAPP_LANG", raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setattr(bootstrap, "_catalog", None)
    assert bootstrap.main([]) == 2  # the usage
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    monkeypatch.setattr(bootstrap, "apt_knows", lambda name: name != "libnosuch1")
    bootstrap.fix_libraries({"xcb": ["libxcb-icccm.so.4", "libnosuch.so.1"]},
                            bootstrap._("Qt cannot start{where}").format(where=" (DISPLAY=:0)"))
    bootstrap.apt_install(["python3-venv"], bootstrap._("Python's venv module"))
    if sys.platform.startswith("linux"):
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_QPA_PLATFORM"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setattr(bootstrap, "probe_qt", lambda env, wrapper=(): (None, "boom"))
        monkeypatch.setattr(bootstrap, "pyside_dir", lambda: None)
        assert not bootstrap.ensure_qt("demo")
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) >= 6 and all("[cài đặt fieldapp]" in line or line.startswith(" ")
                                   for line in lines[4:])
    finder = EnglishFinder({"boom", "libnosuch", "libxcb", "icccm"})
    # A command to type is a command ("sudo apt-get install …"), not words to read.
    problems = finder.problems([("bootstrap", line) for line in lines
                                if not line.strip().startswith(("sudo ", "python3 "))])
    assert problems == [], _report(problems)
