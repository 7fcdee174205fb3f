"""The bundled DejaVu Sans: registered at start-up so Vietnamese renders on any machine.

Offscreen Qt and bare Windows installs may have no font with every Vietnamese letter; the app
therefore registers its own TTFs and makes DejaVu Sans the application font.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

from fieldapp import paths

log = logging.getLogger(__name__)

FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
FAMILY = "DejaVu Sans"
BASE_POINT_SIZE = 10.0
FONT_SCALES = (1.0, 1.25)  # normal and "large text"

_registered: list[str] = []


def register_fonts() -> list[str]:
    """Register the bundled TTFs once per process; return the families Qt found in them."""
    if _registered:
        return list(_registered)
    for name in FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(paths.fonts_dir() / name))
        if font_id < 0:
            log.warning("could not register font %s", name)
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in _registered:
                _registered.append(family)
    return list(_registered)


def app_font(scale: float = 1.0) -> QFont:
    font = QFont(FAMILY if FAMILY in register_fonts() else QApplication.font().family())
    font.setPointSizeF(BASE_POINT_SIZE * scale)
    return font


def apply_app_font(app: QApplication, scale: float = 1.0) -> None:
    """Set the application font (every widget without its own font follows).

    A widget with a style sheet of its own keeps the font it had when Qt polished it (Qt
    does not pass QApplication.setFont on to it): its style sheet is set again, so it takes
    the new size too, as the "Large text" switch in Settings expects."""
    font = app_font(scale)
    if font.pointSizeF() == app.font().pointSizeF():
        app.setFont(font)
        return
    app.setFont(font)
    for window in app.topLevelWidgets():
        for widget in (window, *window.findChildren(QWidget)):
            sheet = widget.styleSheet()
            if sheet:
                widget.setStyleSheet(sheet)


def scaled(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    """A heading font relative to ``base`` (so it follows the "large text" setting)."""
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * factor)
    font.setBold(bold)
    return font
