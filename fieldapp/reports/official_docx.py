"""The administrative document of fieldapp.reports.official as an editable Word file (python-docx),
for staff to edit before it is signed: the same header, body, tables and signature block, in
Times New Roman 13 pt (LibreOffice and Word without that font use a metric-compatible one),
page numbers at the top centre from the second page.
"""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from fieldapp.i18n.text import nfc
from fieldapp.reports.official import (
    BODY_SIZE, MARGINS, MOTTO, NATIONAL_NAME, TABLE_SIZE, Document, Grid, Para)

FONT = "Times New Roman"
CELL = "Table text"
CELL_BOLD = "Table heading"
_PT_PER_MM = 72 / 25.4


def _font(run, size: float, bold: bool = False, italic: bool = False) -> None:
    """The run's size and weight; the font itself is the document's (see _styles)."""
    if size != BODY_SIZE:
        run.font.size = Pt(size)
    if bold:
        run.bold = True
    if italic:
        run.italic = True


def _styles(word) -> None:
    """Times New Roman 13 pt for every text (Word and LibreOffice use a metric-compatible font
    where it is missing), Vietnamese as the language."""
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE)
    props = normal.element.get_or_add_rPr()
    fonts = props.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "vi-VN")
    props.append(language)
    from docx.enum.style import WD_STYLE_TYPE

    for name, bold in ((CELL, False), (CELL_BOLD, True)):
        style = word.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(TABLE_SIZE)
        style.font.bold = bold
        style.paragraph_format.space_after = Pt(0)


def _paragraph(container, text: str, size: float = BODY_SIZE, *, bold: bool = False,
               italic: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT, indent: bool = False,
               after: float = 3, underline_rule: bool = False):
    p = container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(after)
    p.paragraph_format.space_before = Pt(0)
    if indent:
        p.paragraph_format.first_line_indent = Mm(10)
    _font(p.add_run(nfc(text)), size, bold, italic)
    if underline_rule:
        _bottom_border(p)
    return p


def _bottom_border(paragraph, indent_mm: float = 18) -> None:
    """A short rule under a centred title (drawn as the paragraph's bottom border, as wide as
    the paragraph between its indents)."""
    props = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    props.append(borders)
    paragraph.paragraph_format.left_indent = Mm(indent_mm)
    paragraph.paragraph_format.right_indent = Mm(indent_mm)


def _widths(table, widths) -> None:
    """Fixed column widths, in the table's grid (what LibreOffice reads) and in each cell
    (what Word reads)."""
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _whole_rows(table) -> None:
    """Rows are never split across pages (the signature block stays whole)."""
    for row in table.rows:
        element = OxmlElement("w:cantSplit")
        element.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(element)


def _no_borders(table) -> None:
    props = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    props.append(borders)


def _cell_text(cell, text: str, size: float, *, bold=False, italic=False,
               align=WD_ALIGN_PARAGRAPH.CENTER, style=None) -> None:
    first = True
    for line in (text.split("\n") if text else [""]):
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        p.alignment = align
        if style is not None:  # a table's text: size and weight from the style (by its id:
            p._p.get_or_add_pPr().style = style  # python-docx's setter searches every style)
            p.add_run(nfc(line))
        else:
            _font(p.add_run(nfc(line)), size, bold, italic)


def _page_number_header(section) -> None:
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _font(run, BODY_SIZE)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _margins(section, wide: bool) -> None:
    top, right, bottom, left = (m / _PT_PER_MM for m in MARGINS)
    if wide:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    section.header_distance = Mm(10)


def _grid(word, grid: Grid, width_mm: float) -> None:
    columns = len(grid.widths)
    table = word.add_table(rows=len(grid.header) + len(grid.rows), cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    aligns = grid.align or ["l"] + ["c"] * (columns - 1)
    widths = [Mm(width_mm * fraction) for fraction in grid.widths]
    heads = len(grid.header)
    plain, bold = word.styles[CELL].style_id, word.styles[CELL_BOLD].style_id
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
    for r, (row, texts) in enumerate(zip(table.rows, grid.header + grid.rows)):
        cells = row.cells
        for j, (cell, text) in enumerate(zip(cells, texts)):
            cell.width = widths[j]
            strong = r < heads or ((r - heads) in grid.bold and aligns[j] == "l")
            _cell_text(cell, text, TABLE_SIZE, style=bold if strong else plain,
                       align=WD_ALIGN_PARAGRAPH.LEFT if r >= heads and aligns[j] == "l"
                       else WD_ALIGN_PARAGRAPH.CENTER)
        if r < heads:
            _repeat_header(row)


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    props.append(element)


def render(doc: Document) -> bytes:
    """The document as the bytes of a .docx file."""
    from docx.enum.section import WD_SECTION

    word = WordDocument()
    _styles(word)
    word.styles["Normal"].paragraph_format.space_after = Pt(0)
    core = word.core_properties
    core.title, core.author, core.subject = nfc(doc.title), nfc(doc.author), nfc(
        doc.header.subject)
    section = word.sections[0]
    _margins(section, False)
    _page_number_header(section)
    width = 210 - (MARGINS[1] + MARGINS[3]) / _PT_PER_MM
    h = doc.header
    top = word.add_table(rows=1, cols=2)
    _no_borders(top)
    _widths(top, [Mm(width * 0.42), Mm(width * 0.58)])
    left, right = top.rows[0].cells
    lines = ([(h.parent.upper(), False)] if h.parent else []) + [(h.issuer.upper(), True)]
    _cell_text(left, "\n".join(t for t, _b in lines), BODY_SIZE)
    for paragraph, (_text, bold) in zip(left.paragraphs, lines):
        for run in paragraph.runs:
            run.bold = bold
    _bottom_border(left.paragraphs[-1], 4)
    _paragraph(left, h.number, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _cell_text(right, NATIONAL_NAME, 12, bold=True)
    motto = _paragraph(right, MOTTO, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    _bottom_border(motto, 10)
    _paragraph(right, h.place_date, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(word, h.kind, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _paragraph(word, h.subject, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12,
               underline_rule=True)
    wide = _blocks(word, doc.blocks, False)
    if wide:
        section = word.add_section(WD_SECTION.NEW_PAGE)
        _margins(section, False)
    closing = word.add_table(rows=1, cols=2)
    _no_borders(closing)
    _widths(closing, [Mm(width * 0.5), Mm(width * 0.5)])
    _whole_rows(closing)
    left, right = closing.rows[0].cells
    _cell_text(left, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for recipient in doc.closing.recipients:
        _paragraph(left, f"- {recipient}", 11, after=0)
    _cell_text(right, f"{doc.closing.authority}\n{doc.closing.title}", BODY_SIZE, bold=True)
    for _i in range(5):
        _paragraph(right, "", after=0)
    _paragraph(right, doc.closing.signer or "……………………………", bold=True,
               align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    if doc.appendix:
        first = next((b for b in doc.appendix if isinstance(b, Grid)), None)
        wide = bool(first is not None and first.landscape)
        _margins(word.add_section(WD_SECTION.NEW_PAGE), wide)
        _blocks(word, doc.appendix, wide)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _blocks(word, blocks: list, wide: bool) -> bool:
    from docx.enum.section import WD_SECTION

    for block in blocks:
        if isinstance(block, Para):
            style = block.style
            _paragraph(word, block.text, 11 if style == "note" else BODY_SIZE,
                       bold=style == "heading", italic=style in ("subheading", "note"),
                       align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                       indent=style in ("body", "lead"), after=3)
            continue
        if block.landscape != wide:
            wide = block.landscape
            _margins(word.add_section(WD_SECTION.NEW_PAGE), wide)
        if block.title:
            _paragraph(word, block.title, bold=True, after=3)
        _grid(word, block, (297 if wide else 210) - (MARGINS[1] + MARGINS[3]) / _PT_PER_MM)
        for note in block.notes:
            _paragraph(word, note, 11, italic=True, after=0)
        _paragraph(word, "", after=2)
    return wide
