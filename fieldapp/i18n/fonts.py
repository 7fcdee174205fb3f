"""The bundled fonts with full Vietnamese coverage (DejaVu Sans; Liberation Serif, metric-compatible
with Times New Roman, for administrative reports; assets/fonts) and their registration
with reportlab. Qt registration is in fieldapp.ui.i18n_qt.install_fonts (only ui imports Qt).

reportlab's built-in Helvetica and its bundled Vera lack most Vietnamese letters, and Qt
offscreen has almost no system fonts, so both get the bundled TTFs explicitly.
"""

from __future__ import annotations

from pathlib import Path

from fieldapp import paths

FAMILY = "DejaVu Sans"
PDF_FONT = "DejaVuSans"
PDF_FONT_BOLD = "DejaVuSans-Bold"
REGULAR_FILE = "DejaVuSans.ttf"
BOLD_FILE = "DejaVuSans-Bold.ttf"
LICENCE_FILE = "DejaVu-LICENSE.txt"
SERIF = "LiberationSerif"
SERIF_FILES = {SERIF: "LiberationSerif-Regular.ttf", f"{SERIF}-Bold": "LiberationSerif-Bold.ttf",
               f"{SERIF}-Italic": "LiberationSerif-Italic.ttf",
               f"{SERIF}-BoldItalic": "LiberationSerif-BoldItalic.ttf"}
SERIF_LICENCE_FILE = "LiberationSerif-LICENSE.txt"


def regular_path() -> Path:
    return paths.fonts_dir() / REGULAR_FILE


def bold_path() -> Path:
    return paths.fonts_dir() / BOLD_FILE


def font_files() -> list[Path]:
    """The TTF files to register (regular first)."""
    return [regular_path(), bold_path()]


def register_pdf_fonts() -> str:
    """Register DejaVu Sans (regular, bold) with reportlab; return the font name to draw with.

    Registers a family so ``<b>`` in Paragraphs picks the bold file, and is safe to call more
    than once. Use the returned name as the canvas / stylesheet base font so no text falls
    back to Helvetica.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    if PDF_FONT not in registered:
        pdfmetrics.registerFont(TTFont(PDF_FONT, str(regular_path())))
    if PDF_FONT_BOLD not in registered:
        pdfmetrics.registerFont(TTFont(PDF_FONT_BOLD, str(bold_path())))
    pdfmetrics.registerFontFamily(PDF_FONT, normal=PDF_FONT, bold=PDF_FONT_BOLD,
                                  italic=PDF_FONT, boldItalic=PDF_FONT_BOLD)
    # The family has no italic files: italic text is drawn upright rather than in Helvetica.
    addMapping(PDF_FONT, 0, 1, PDF_FONT)
    addMapping(PDF_FONT, 1, 1, PDF_FONT_BOLD)
    return PDF_FONT


def register_serif_fonts() -> str:
    """Register Liberation Serif (regular, bold, italic, bold italic) with reportlab as one
    family; return the regular face's name. Safe to call more than once."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    for name, file in SERIF_FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(paths.fonts_dir() / file)))
    pdfmetrics.registerFontFamily(SERIF, normal=SERIF, bold=f"{SERIF}-Bold",
                                  italic=f"{SERIF}-Italic", boldItalic=f"{SERIF}-BoldItalic")
    return SERIF


def missing_characters(text: str, font_path: Path | None = None) -> set[str]:
    """Characters of ``text`` the font has no glyph for (controls and line breaks ignored).

    Needs fontTools (a test dependency); used by tests and the label-pack checks.
    """
    from fontTools.ttLib import TTFont as FontToolsFont

    with FontToolsFont(str(font_path or regular_path()), lazy=True) as font:
        cmap = font.getBestCmap()
    return {ch for ch in set(text) if ord(ch) >= 0x20 and ch not in "\u2028\u2029"
            and ord(ch) not in cmap}
