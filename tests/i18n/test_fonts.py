"""The bundled font covers every character the app can show: catalogs, forms, label packs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from fieldapp import paths
from fieldapp.i18n import fonts

pytest.importorskip("fontTools")


def _po_texts(po: Path):
    with po.open("rb") as f:
        catalog = read_po(f)
    for message in catalog:
        for part in (message.id, message.string, message.context):
            if isinstance(part, tuple):
                yield from part
            elif part:
                yield part


def _xlsx_texts(workbook: Path):
    import openpyxl

    book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            yield sheet.title
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        yield value
    finally:
        book.close()


def _shipped_sources():
    """Every text file the app can show: interface catalogs, label packs (.po), form workbooks."""
    i18n = paths.i18n_dir()
    sources = [(po, _po_texts) for po in sorted(i18n.rglob("*.po"))]
    sources.append((i18n / "fieldapp.pot", _po_texts))
    sources += [(x, _xlsx_texts) for x in sorted(paths.forms_dir().glob("*.xlsx"))]
    return sources


def test_the_font_files_and_licence_are_shipped():
    for path in fonts.font_files():
        assert path.is_file()
    assert (paths.fonts_dir() / fonts.LICENCE_FILE).is_file()


@pytest.mark.parametrize("font", ["regular", "bold"])
def test_every_shipped_character_is_in_the_font(font):
    font_path = fonts.regular_path() if font == "regular" else fonts.bold_path()
    sources = _shipped_sources()
    assert any(path.suffix == ".xlsx" for path, _ in sources)
    assert any(path.name == "fieldapp.po" for path, _ in sources)
    missing = {}
    for path, read in sources:
        text = "".join(read(path))
        gaps = fonts.missing_characters(text, font_path)
        if gaps:
            missing[str(path.relative_to(paths.resource_root()))] = sorted(
                f"U+{ord(c):04X} {c}" for c in gaps)
    assert missing == {}


def test_every_vietnamese_letter_is_in_the_font():
    lower = ("aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstu"
             "ùủũúụưừửữứựvxyỳỷỹýỵfjwz")
    assert fonts.missing_characters(lower + lower.upper() + "₫") == set()


def test_coverage_check_can_fail():
    # CJK (Nôm Dao is written with Chinese characters) is not in DejaVu Sans.
    assert fonts.missing_characters("Bản 中文") == {"中", "文"}
    assert fonts.missing_characters("line\nbreak\ttab") == set()


def test_reportlab_draws_vietnamese_with_the_bundled_font():
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    name = fonts.register_pdf_fonts()
    assert fonts.register_pdf_fonts() == name  # safe to call twice
    text = "Tổ công nghệ số cộng đồng – Hộ gia đình ở Bản Pò Mục"
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, initialFontName=name)
    pdf.setFont(name, 12)
    pdf.drawString(72, 720, text)
    pdf.setFont(fonts.PDF_FONT_BOLD, 12)
    pdf.drawString(72, 700, "Đặng Văn Ưng")
    pdf.save()
    data = buffer.getvalue()
    assert b"DejaVuSans" in data and b"Helvetica" not in data
    extracted = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert text in extracted
    assert "Đặng Văn Ưng" in extracted


def test_reportlab_bold_markup_uses_the_bold_file():
    from reportlab.lib.fonts import tt2ps

    name = fonts.register_pdf_fonts()
    assert tt2ps(name, 1, 0) == fonts.PDF_FONT_BOLD
    assert tt2ps(name, 0, 0) == fonts.PDF_FONT
