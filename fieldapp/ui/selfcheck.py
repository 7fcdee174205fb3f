"""The self-check's Qt part: the bundled font shapes every letter of Vietnamese and the label
packs (HarfBuzz through QTextLayout, no glyph missing, no other font substituted), and a
screen's worth of text paints offscreen into an image."""

from __future__ import annotations

import os

from fieldapp.i18n.catalog import _


def paint() -> str:
    """Lay out and paint the letters with the app font; raise CheckFailed with what is wrong."""
    from fieldapp import host

    if not host.host().has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor, QImage, QPainter, QTextLayout
    from PySide6.QtWidgets import QApplication

    from fieldapp.services.selfcheck import CheckFailed, shown_characters
    from fieldapp.ui import fonts

    app = QApplication.instance() or QApplication(["fieldapp"])
    families = fonts.register_fonts()
    if fonts.FAMILY not in families:
        raise CheckFailed(_("the bundled font could not be loaded"))
    text = shown_characters()
    layout = QTextLayout(text, fonts.app_font())
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(100000)
    layout.endLayout()
    for run in layout.glyphRuns():
        family = run.rawFont().familyName()
        if family != fonts.FAMILY:
            raise CheckFailed(_("letters drawn with {family} instead of {font}").format(
                family=family, font=fonts.FAMILY))
        if 0 in run.glyphIndexes():
            raise CheckFailed(_("{font} lacks some letters").format(font=fonts.FAMILY))
    image = QImage(int(line.naturalTextWidth()) + 8, int(line.height()) + 8,
                   QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(QColor("black"))
    layout.draw(painter, QPointF(4, 4))
    painter.end()
    dark = sum(1 for x in range(0, image.width(), 2) for y in range(image.height())
               if image.pixelColor(x, y).lightness() < 128)
    if dark < len(text):
        raise CheckFailed(_("nothing was drawn ({platform})").format(
            platform=app.platformName()))
    return _("{count} letters shaped and drawn ({platform})").format(
        count=len(text), platform=app.platformName())


def show_lines(lines: list[str], failed: int) -> None:
    """The self-check's lines in a message box: the windowed app on Windows has no console."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(["fieldapp"])
    box = QMessageBox(QMessageBox.Icon.Warning if failed else QMessageBox.Icon.Information,
                      _("fieldapp"), "\n".join(lines))
    box.exec()
    del app
