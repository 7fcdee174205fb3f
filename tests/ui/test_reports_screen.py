"""The Reports screen: options per report, Generate (background work run synchronously here),
the preview or the viewer, Save as, exports that warn about names, remembered choices."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from fieldapp.i18n import catalog
from fieldapp.services.demo import create_demo
from fieldapp.services.workspace import Workspace


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("ui-reports") / "demo.db"
    create_demo(path, households=40, seed=9)
    return path


@pytest.fixture
def screen(demo_path, tmp_path, qtbot):
    import shutil

    from fieldapp.ui.context import AppContext
    from fieldapp.ui.screens.reports import ReportsScreen

    catalog.set_language("vi")
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_path, path)
    context = AppContext(Workspace.open(path))
    widget = ReportsScreen(context)
    qtbot.addWidget(widget)
    widget.resize(1176, 700)
    widget.show()
    yield widget
    context.dispose()
    context.workspace.close()


def _choose(screen, kind):
    screen.kind.setCurrentIndex(screen.kind.findData(kind))


def test_options_follow_the_report_chosen(screen):
    layout = screen.form_layout
    _choose(screen, "commune")
    assert layout.isRowVisible(screen.labels["village"])
    assert not layout.isRowVisible(screen.labels["class"])
    _choose(screen, "progress")
    assert layout.isRowVisible(screen.labels["class"]) and layout.isRowVisible(
        screen.labels["language"])
    assert screen.training_class.count() > 1
    _choose(screen, "xlsx")
    assert layout.isRowVisible(screen.names) and not screen.save_button.isVisible()
    assert [screen.kind.itemText(i) for i in range(screen.kind.count())][:3] == [
        "Báo cáo của xã", "Báo cáo của tỉnh (mỗi xã một dòng)",
        "Phiếu theo dõi tiến độ học viên"]
    _choose(screen, "commune")
    periods = [screen.period.itemData(i) for i in range(screen.period.count())]
    year = str(__import__("datetime").date.today().year)
    assert periods[0] == year and f"{year}-H1" in periods and screen.period.itemText(0) == \
        f"Năm {year}"
    assert screen.language.itemText(0) == "Tiếng Việt" and "Tày" in [
        screen.language.itemText(i) for i in range(screen.language.count())]


def test_generate_then_save_as(screen, tmp_path):
    _choose(screen, "commune")
    screen.generate()
    assert screen.status.text() == "Báo cáo đã sẵn sàng."
    assert screen.current is not None and screen.current.is_file()
    assert screen.save_button.isEnabled() and screen.print_button.isEnabled()
    text = PdfReader(str(screen.current)).pages[0].extract_text()
    assert "BÁO CÁO" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    target = tmp_path / "saved.pdf"
    assert screen.save_to(target)
    assert target.read_bytes() == screen.current.read_bytes()
    editable = tmp_path / "saved.docx"  # the same report, to edit before signing
    assert screen.save_to(editable)
    assert editable.read_bytes().startswith(b"PK")
    assert screen.save_to(tmp_path / "no" / "x.pdf") is False
    assert "Không ghi được" in screen.status.text()


def test_a_household_handout_needs_a_household_code(screen):
    _choose(screen, "household")
    screen.household.setText("")
    screen.generate()
    assert screen.status.text() == "Hãy gõ mã của một hộ trước."
    household = screen.context.workspace.store.query(
        "select id, head_name, ethnicity from households where deleted = 0 and ethnicity = "
        "'tay' limit 1")[0]
    screen.household.setText(household["id"].replace("-", "")[:8].upper())
    assert screen.household_found.text() == f"Hộ {household['head_name']}"
    assert screen.language.currentData() == "tyz"  # the household's own pack
    screen.generate()
    assert screen.current.name.startswith("thong-tin-gui-ho-")  # a Vietnamese file name


def test_exports_say_they_hold_names_before_writing(screen, tmp_path, monkeypatch):
    _choose(screen, "xlsx")
    screen.names.setChecked(True)
    asked = []
    monkeypatch.setattr(screen, "confirm_names", lambda forms: asked.append(forms) or False)
    screen.export_to(tmp_path / "x.xlsx")
    assert asked and not (tmp_path / "x.xlsx").exists()
    monkeypatch.setattr(screen, "confirm_names", lambda forms: True)
    screen.export_to(tmp_path / "x.xlsx")
    assert (tmp_path / "x.xlsx").is_file()
    assert screen.status.text().startswith("Đã ghi ")
    screen.names.setChecked(False)
    asked.clear()
    _choose(screen, "csv")
    screen.export_to(tmp_path / "csv")
    assert not asked and (tmp_path / "csv" / "indicators.csv").is_file()


def test_an_excel_file_named_without_its_suffix_gets_it(screen, tmp_path, monkeypatch):
    """A name typed in the save dialog without .xlsx is written as a workbook Excel opens
    (the export refuses another suffix)."""
    from fieldapp.ui.screens import reports

    _choose(screen, "xlsx")
    chosen = []
    monkeypatch.setattr(reports.QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "bao cao"), ""))
    monkeypatch.setattr(screen, "export_to", chosen.append)
    screen.on_generate()
    assert chosen == [tmp_path / "bao cao.xlsx"]


def test_the_last_choices_are_remembered(screen, qtbot):
    from fieldapp.ui.screens.reports import ReportsScreen

    _choose(screen, "progress")
    screen._select(screen.language, "tyz")
    screen.generate()
    again = ReportsScreen(screen.context)
    qtbot.addWidget(again)
    assert again.kind.currentData() == "progress"
    assert again.language.currentData() == "tyz"


def test_a_cancelled_report_says_so_quietly(screen, monkeypatch):
    from fieldapp.services.indicators import ReportCancelled
    from fieldapp.services.reports import ReportsService

    def cancelled(self, *args, **kwargs):
        raise ReportCancelled("x")

    monkeypatch.setattr(ReportsService, "make", cancelled)
    _choose(screen, "commune")
    screen.generate()
    assert screen.status.text() == "Đã hủy."


def test_no_viewer_and_no_printer_say_so_on_the_screen(screen, monkeypatch):
    """A PC without a PDF program or a printer (Windows simulated): one line in the status,
    nothing raised."""
    from fieldapp import host

    def no_association(path, operation="open"):
        raise OSError(1155, "No application is associated with the specified file")

    pc = host.Host("nt", environ={"USERPROFILE": "C:\\Users\\an"}, startfile=no_association,
                   printers=lambda: 0)
    monkeypatch.setattr(host, "_host", pc)
    monkeypatch.setattr("PySide6.QtPrintSupport.QPrinterInfo.availablePrinters",
                        staticmethod(lambda: []))
    _choose(screen, "commune")
    screen.generate()
    screen.preview.setCurrentWidget(screen.placeholder)
    assert screen.open_in_viewer() is False
    # No viewer: the report is shown in the app's own preview, with a line saying why.
    assert "không tìm thấy chương trình xem PDF" in screen.status.text()
    assert screen.preview.currentWidget() is screen.pdf_view
    assert screen.pdf_view.page_count() >= 1
    assert screen.on_print() is False
    assert "chưa có máy in" in screen.status.text()
