"""A PDF shown inside the app: PDFium (pypdfium2) renders its pages; the reader pages through
it, zooms and prints it from here, so a PC without a PDF program still shows and prints the
commune's reports.

Printing draws each page, rendered at the printer's resolution, through Qt's print dialog;
a PC with no printer at all gets :class:`fieldapp.host.NoPrinter` (one line for the screen).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout,
                               QWidget)

from fieldapp import host
from fieldapp.i18n.catalog import _
from fieldapp.ui.fit import SIDEWAYS
from fieldapp.ui.flow import FlowLayout

ZOOMS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0)
"""Zoom steps, as a share of the page fitted to the width of the preview."""
POINTS_PER_INCH = 72


def render_page(document, index: int, scale: float) -> QImage:
    """Page ``index`` of a pypdfium2 document at ``scale`` (1.0: 72 dots per inch), as an
    image on white."""
    page = document[index]
    try:
        bitmap = page.render(scale=scale, rev_byteorder=True, prefer_bgrx=True)
        try:
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                           QImage.Format.Format_RGBX8888)
            return image.copy()  # the bitmap's memory goes with it
        finally:
            bitmap.close()
    finally:
        page.close()


class PdfPreview(QWidget):
    """A PDF's pages, one at a time: previous/next (Page Up/Down), zoom (Ctrl+plus/minus,
    fitted to the width at 100%), and print."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pdf_preview")
        self.document = None
        self.path: Path | None = None
        self.page = 0
        self.zoom = ZOOMS.index(1.0)
        self.previous_button = self._button("pdf_previous", self.previous_page)
        self.next_button = self._button("pdf_next", self.next_page)
        self.page_label = QLabel()
        self.page_label.setObjectName("pdf_page")
        self.zoom_out_button = self._button("pdf_zoom_out", lambda: self.set_zoom(self.zoom - 1))
        self.zoom_label = QLabel()
        self.zoom_label.setObjectName("pdf_zoom")
        self.zoom_in_button = self._button("pdf_zoom_in", lambda: self.set_zoom(self.zoom + 1))
        self.print_button = self._button("pdf_print", None)
        bar = FlowLayout(spacing=6)  # on two lines in a narrow preview
        for widget in (self.previous_button, self.page_label, self.next_button,
                       self.zoom_out_button, self.zoom_label, self.zoom_in_button,
                       self.print_button):
            bar.addWidget(widget)
        self.image = QLabel()
        self.image.setObjectName("pdf_page_image")
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("pdf_pages")
        self.scroll.setWidgetResizable(True)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.scroll.setStyleSheet("#pdf_pages { background: palette(dark); }")
        self.scroll.setWidget(self.image)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, 1)
        for keys, action in ((QKeySequence.StandardKey.MoveToPreviousPage, self.previous_page),
                             (QKeySequence.StandardKey.MoveToNextPage, self.next_page),
                             (QKeySequence.StandardKey.ZoomIn, lambda: self.set_zoom(self.zoom + 1)),
                             (QKeySequence.StandardKey.ZoomOut,
                              lambda: self.set_zoom(self.zoom - 1))):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self.retranslate()

    def _button(self, name: str, action) -> QPushButton:
        button = QPushButton()
        button.setObjectName(name)
        if action is not None:
            button.clicked.connect(action)
        return button

    # -- the document ------------------------------------------------------------------------
    def load(self, path: Path) -> None:
        """Show ``path`` from its first page (read into memory: the file stays free to save,
        replace or delete)."""
        import pypdfium2

        self.close_document()
        self.document = pypdfium2.PdfDocument(Path(path).read_bytes())
        self.path = Path(path)
        self.page = 0
        self.show_page()

    def close_document(self) -> None:
        if self.document is not None:
            self.document.close()
        self.document = None
        self.path = None
        self.image.clear()
        self._update_controls()

    def page_count(self) -> int:
        return len(self.document) if self.document is not None else 0

    def scale(self) -> float:
        """Dots per PDF point: the page fitted to the preview's width, times the zoom."""
        if self.document is None:
            return 1.0
        width, _height = self.document.get_page_size(self.page)
        room = max(200, self.scroll.viewport().width() - 24)
        return room / width * ZOOMS[self.zoom] * self.devicePixelRatioF()

    def show_page(self, index: int | None = None) -> None:
        if self.document is None:
            return
        if index is not None:
            self.page = max(0, min(index, self.page_count() - 1))
        image = render_page(self.document, self.page, self.scale())
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.image.setPixmap(pixmap)
        self.image.setMinimumSize(pixmap.deviceIndependentSize().toSize())
        self.scroll.verticalScrollBar().setValue(0)
        # At 100% the page fits the width; zoomed in, it scrolls sideways as a page does.
        self.scroll.setProperty(SIDEWAYS, ZOOMS[self.zoom] > 1.0)
        self._update_controls()

    def previous_page(self) -> None:
        self.show_page(self.page - 1)

    def next_page(self) -> None:
        self.show_page(self.page + 1)

    def set_zoom(self, step: int) -> None:
        self.zoom = max(0, min(step, len(ZOOMS) - 1))
        self.show_page()
        self._update_controls()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.document is not None and event.oldSize().width() != event.size().width():
            self.show_page()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.document is not None:  # loaded while hidden: fit the width it has now
            self.show_page()

    # -- printing ----------------------------------------------------------------------------
    def print_document(self, printer=None) -> bool:
        """Print every page: through the print dialog, or on ``printer`` as given (a file
        printer in tests). False when the dialog was cancelled; host.NoPrinter when the PC
        has no printer."""
        from PySide6.QtGui import QPainter
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo

        if self.document is None:
            return False
        if printer is None:
            if not QPrinterInfo.availablePrinters():
                raise host.no_printer()
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            dialog = QPrintDialog(printer, self)
            if dialog.exec() != QPrintDialog.DialogCode.Accepted:
                return False
        painter = QPainter()
        if not painter.begin(printer):
            raise host.no_printer()
        try:
            dots = printer.resolution() / POINTS_PER_INCH
            for index in range(self.page_count()):
                if index:
                    printer.newPage()
                image = render_page(self.document, index, dots)
                area = painter.viewport()
                size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setViewport(area.x(), area.y(), size.width(), size.height())
                painter.setWindow(image.rect())
                painter.drawImage(0, 0, image)
                painter.setViewport(area)
        finally:
            painter.end()
        return True

    # -- texts -------------------------------------------------------------------------------
    def _update_controls(self) -> None:
        count = self.page_count()
        self.page_label.setText(_("Page {page} of {pages}").format(page=self.page + 1,
                                                                   pages=count) if count else "")
        self.zoom_label.setText(f"{round(ZOOMS[self.zoom] * 100)} %")
        self.previous_button.setEnabled(count > 0 and self.page > 0)
        self.next_button.setEnabled(count > 0 and self.page < count - 1)
        self.zoom_out_button.setEnabled(count > 0 and self.zoom > 0)
        self.zoom_in_button.setEnabled(count > 0 and self.zoom < len(ZOOMS) - 1)
        self.print_button.setEnabled(count > 0)

    def retranslate(self) -> None:
        self.previous_button.setText(_("‹ Previous page"))
        self.next_button.setText(_("Next page ›"))
        self.zoom_out_button.setText("−")
        self.zoom_out_button.setToolTip(_("Zoom out (Ctrl+minus)"))
        self.zoom_in_button.setText("+")
        self.zoom_in_button.setToolTip(_("Zoom in (Ctrl+plus)"))
        self.print_button.setText(_("Print…"))
        for button in (self.zoom_out_button, self.zoom_in_button):
            button.setFixedWidth(button.fontMetrics().horizontalAdvance("+") + 28)
        self._update_controls()
