"""The PDF preview inside the app (pypdfium2): the real pages drawn, paged through, zoomed and
printed (here to a PDF file printer, read back), and one clear error on a PC without a
printer."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtPrintSupport import QPrinter
from reportlab.platypus import PageBreak

from fieldapp import host
from fieldapp.reports import pdf
from fieldapp.ui.pdf_preview import PdfPreview, render_page


@pytest.fixture
def three_pages(tmp_path):
    styles = pdf.styles()
    story = []
    for number in range(1, 4):
        story += [pdf.para(f"Trang số {number}: Xã Tân Thành, Bản Khuông", styles["h1"]),
                  PageBreak()]
    path = tmp_path / "three.pdf"
    path.write_bytes(pdf.build(story[:-1], title="Ba trang"))
    return path


@pytest.fixture
def preview(three_pages, qtbot):
    widget = PdfPreview()
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    widget.load(three_pages)
    return widget


def _dark_pixels(image) -> int:
    return sum(1 for y in range(0, image.height(), 4) for x in range(0, image.width(), 4)
               if QColor(image.pixel(x, y)).lightness() < 100)


def test_pages_are_drawn_from_the_pdf(preview):
    image = render_page(preview.document, 0, 1.0)
    assert abs(image.width() - 595) <= 1 and abs(image.height() - 842) <= 1  # A4 in points
    assert _dark_pixels(image) > 20  # the heading's text, black on white
    assert preview.page_label.text() == "Page 1 of 3"
    assert not preview.previous_button.isEnabled() and preview.next_button.isEnabled()


def test_paging_through_with_buttons_and_keys(preview, qtbot):
    preview.next_button.click()
    assert preview.page == 1 and preview.page_label.text() == "Page 2 of 3"
    qtbot.keyClick(preview.scroll, Qt.Key.Key_PageDown)
    assert preview.page == 2 and not preview.next_button.isEnabled()
    preview.next_page()  # past the last page: stays
    assert preview.page == 2
    qtbot.keyClick(preview.scroll, Qt.Key.Key_PageUp)
    assert preview.page == 1


def test_zooming_in_and_out(preview):
    width = preview.image.pixmap().width()
    assert preview.zoom_label.text() == "100 %"
    preview.zoom_in_button.click()
    assert preview.image.pixmap().width() > width and preview.zoom_label.text() == "125 %"
    for _ in range(10):
        preview.zoom_out_button.click()
    assert preview.zoom_label.text() == "50 %" and not preview.zoom_out_button.isEnabled()
    assert preview.image.pixmap().width() < width


def test_printing_every_page(preview, tmp_path):
    out = tmp_path / "printed.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(out))
    assert preview.print_document(printer) is True
    assert len(PdfReader(out).pages) == 3


def test_a_pc_without_a_printer_is_told_so(preview, monkeypatch):
    monkeypatch.setattr("PySide6.QtPrintSupport.QPrinterInfo.availablePrinters",
                        staticmethod(lambda: []))
    with pytest.raises(host.NoPrinter, match="no printer"):
        preview.print_document()


def test_the_file_stays_free_while_shown(preview, three_pages):
    three_pages.unlink()  # read into memory: Windows could not delete an open file
    preview.next_page()
    assert preview.page == 1
