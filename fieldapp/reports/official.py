"""An administrative document (văn bản hành chính) laid out as Decree 30/2020/NĐ-CP asks, as
plain data (:class:`Document`) drawn to PDF here and to DOCX by fieldapp.reports.official_docx,
so both carry the same words and figures.

The layout (Nghị định 30/2020/NĐ-CP ngày 05/3/2020 về công tác văn thư, Phụ lục I): at the
top left the issuing body under its superior, the number and symbol ("Số: .../BC-UBND"); at
the top right the national name (Quốc hiệu) and motto (Tiêu ngữ), underlined, and the place
and date in italics; the kind of document ("BÁO CÁO") and its subject, centred; the body; at
the bottom "Nơi nhận:" with the recipients (left) and the signer's authority, title, room for
signature and seal, and name (right). A4, margins 20 mm top and bottom, 30 mm left, 15 mm
right; Times New Roman or a metric-compatible serif (here Liberation Serif, embedded), 13 pt
for the body; page numbers at the top centre from the second page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate, CondPageBreak, Frame, KeepTogether, NextPageTemplate, PageBreak,
    PageTemplate, Paragraph, Spacer, Table, TableStyle)

from fieldapp.i18n import fonts
from fieldapp.i18n.text import nfc
from fieldapp.reports import pdf

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
MARGINS = (20 * mm, 15 * mm, 20 * mm, 30 * mm)  # top, right, bottom, left
BODY_SIZE = 13
TABLE_SIZE = 11


@dataclass(frozen=True)
class Header:
    parent: str
    """The superior body ("UBND TỈNH LẠNG SƠN"), or ''."""
    issuer: str
    """The issuing body ("UBND XÃ KHÁNH XUÂN")."""
    number: str
    """"Số: .../BC-UBND"."""
    place_date: str
    """"Khánh Xuân, ngày 28 tháng 11 năm 2026"."""
    kind: str
    """"BÁO CÁO"."""
    subject: str


@dataclass(frozen=True)
class Para:
    text: str
    style: str = "body"
    """"body", "heading", "subheading", "note" (smaller, under a table) or "lead" (the
    generated narrative staff may rewrite)."""


@dataclass(frozen=True)
class Grid:
    """A table: header rows, then rows of text; widths as fractions of the text width;
    ``align`` per column ("l" or "c"); ``bold`` row indexes (of ``rows``)."""

    header: list[list[str]]
    rows: list[list[str]]
    widths: list[float]
    align: list[str] = field(default_factory=list)
    bold: list[int] = field(default_factory=list)
    landscape: bool = False
    """Printed on landscape pages of its own (a wide table)."""
    title: str = ""
    """A heading printed with the table (on its page, whatever the orientation)."""
    notes: list[str] = field(default_factory=list)
    """Lines printed under the table (footnotes)."""


@dataclass(frozen=True)
class Closing:
    recipients: list[str]
    authority: str
    """"TM. ỦY BAN NHÂN DÂN"."""
    title: str
    """"CHỦ TỊCH"."""
    signer: str = ""
    """The signer's name ('' leaves a line to write it)."""


@dataclass
class Document:
    header: Header
    blocks: list[Para | Grid]
    closing: Closing
    title: str
    author: str = ""
    appendix: list[Para | Grid] = field(default_factory=list)
    """After the signature, from a new page: the detailed tables (Phụ lục)."""


def _styles() -> dict[str, ParagraphStyle]:
    base = fonts.register_serif_fonts()
    body = ParagraphStyle("o_body", fontName=base, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.25,
                          alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=1.5 * mm)
    center = ParagraphStyle("o_center", parent=body, alignment=TA_CENTER, firstLineIndent=0,
                            spaceAfter=0)
    cell = ParagraphStyle("o_cell", fontName=base, fontSize=TABLE_SIZE,
                          leading=TABLE_SIZE * 1.2)
    return {
        "body": body, "lead": body,
        "heading": ParagraphStyle("o_heading", parent=body, fontName=f"{base}-Bold",
                                  firstLineIndent=0, spaceBefore=3 * mm, keepWithNext=1),
        "subheading": ParagraphStyle("o_sub", parent=body, fontName=f"{base}-BoldItalic",
                                     firstLineIndent=0, keepWithNext=1),
        "table_title": ParagraphStyle("o_tt", parent=body, fontName=f"{base}-Bold",
                                      firstLineIndent=0, spaceBefore=3 * mm),
        "note": ParagraphStyle("o_note", parent=body, fontName=f"{base}-Italic", fontSize=11,
                               leading=13.5, firstLineIndent=0),
        "center": center,
        "center_bold": ParagraphStyle("o_cb", parent=center, fontName=f"{base}-Bold"),
        "center_italic": ParagraphStyle("o_ci", parent=center, fontName=f"{base}-Italic"),
        "kind": ParagraphStyle("o_kind", parent=center, fontName=f"{base}-Bold", fontSize=14,
                               leading=17, spaceBefore=6 * mm),
        "subject": ParagraphStyle("o_subject", parent=center, fontName=f"{base}-Bold",
                                  fontSize=14, leading=17, spaceAfter=1 * mm),
        "cell": cell,
        "cell_center": ParagraphStyle("o_cellc", parent=cell, alignment=TA_CENTER),
        "cell_bold": ParagraphStyle("o_cellb", parent=cell, fontName=f"{base}-Bold"),
        "head": ParagraphStyle("o_head", parent=cell, fontName=f"{base}-Bold",
                               alignment=TA_CENTER),
        "recipients_title": ParagraphStyle("o_rt", fontName=f"{base}-BoldItalic", fontSize=12,
                                           leading=14, alignment=TA_LEFT),
        "recipients": ParagraphStyle("o_r", fontName=base, fontSize=11, leading=13),
    }


class _Line(Paragraph):
    """A centred paragraph with a short rule beneath (the motto's and the subject's)."""

    def __init__(self, text: str, style: ParagraphStyle, width: float):
        super().__init__(text, style)
        self.rule = width

    def draw(self):
        super().draw()
        canvas = self.canv
        canvas.saveState()
        canvas.setLineWidth(0.6)
        mid = self.width / 2
        canvas.line(mid - self.rule / 2, -2.2 * mm, mid + self.rule / 2, -2.2 * mm)
        canvas.restoreState()


def _header(doc: Document, s: dict, width: float) -> list:
    h = doc.header
    left_width = width * 0.42
    left = []
    if h.parent:
        left.append(pdf.para(h.parent.upper(), s["center"]))
    left.append(_Line(pdf.text(h.issuer.upper()), s["center_bold"],
                      min(30 * mm, left_width * 0.5)))
    left += [Spacer(1, 3 * mm), pdf.para(h.number, s["center"])]
    right = [pdf.para(NATIONAL_NAME, ParagraphStyle("o_nat", parent=s["center_bold"],
                                                      fontSize=12, leading=14.5)),
             _Line(pdf.text(MOTTO), s["center_bold"], 58 * mm),
             Spacer(1, 3 * mm), pdf.para(h.place_date, s["center_italic"])]
    table = Table([[left, right]], colWidths=[left_width, width - left_width])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (-1, -1), fonts.SERIF),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return [table, pdf.para(h.kind, s["kind"]),
            _Line(pdf.text(h.subject), s["subject"], 40 * mm), Spacer(1, 4 * mm)]


def _plain(text: str, room: float) -> str | None:
    """A centred figure as plain cell text (drawn far faster than a paragraph) when it fits
    the column, on two lines if need be ("65,6%" over "(149/227)"); None otherwise."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines = nfc(text).split("\n")
    if all(stringWidth(line, fonts.SERIF, TABLE_SIZE) <= room for line in lines):
        return "\n".join(lines)
    if len(lines) == 1 and " (" in text:
        first, rest = text.split(" (", 1)
        parts = [first, "(" + rest]
        if all(stringWidth(p, fonts.SERIF, TABLE_SIZE) <= room for p in parts):
            return "\n".join(parts)
    return None


def _grid(grid: Grid, s: dict, width: float) -> Table:
    aligns = grid.align or ["l"] + ["c"] * (len(grid.widths) - 1)
    widths = [w * width for w in grid.widths]
    rows = [[pdf.para(text, s["head"]) for text in row] for row in grid.header]
    for i, row in enumerate(grid.rows):
        cells = []
        for j, text in enumerate(row):
            plain = _plain(text, widths[j] - 6) if aligns[j] == "c" else None
            if plain is not None:
                cells.append(plain)
            else:
                style = (s["cell_bold"] if i in grid.bold and aligns[j] == "l" else
                         s["cell_center"] if aligns[j] == "c" else s["cell"])
                cells.append(pdf.para(text, style))
        rows.append(cells)
    table = Table(rows, colWidths=widths, repeatRows=len(grid.header), hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.SERIF),
        ("FONTSIZE", (0, 0), (-1, -1), TABLE_SIZE),
        ("LEADING", (0, 0), (-1, -1), TABLE_SIZE * 1.2),
        ("ALIGN", (0, len(grid.header)), (-1, -1), "CENTER"),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5), ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, len(grid.header) - 1), colors.Color(0.9, 0.9, 0.9))]))
    return table


def _closing(closing: Closing, s: dict, width: float) -> Table:
    left = [pdf.para("Nơi nhận:", s["recipients_title"])]
    left += [pdf.para(f"- {r}", s["recipients"]) for r in closing.recipients]
    right = [pdf.para(closing.authority, s["center_bold"]),
             pdf.para(closing.title, s["center_bold"]), Spacer(1, 28 * mm),
             pdf.para(closing.signer or "……………………………", s["center_bold"])]
    table = Table([[left, right]], colWidths=[width * 0.5, width * 0.5])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("FONTNAME", (0, 0), (-1, -1), fonts.SERIF),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether([Spacer(1, 4 * mm), table])


def _canvas(title: str):
    """Page numbers at the top centre, from the second page (Decree 30)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("initialFontName", fonts.SERIF)
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                if number > 1:
                    width, height = self._pagesize
                    self.setFont(fonts.SERIF, BODY_SIZE)
                    self.drawCentredString(width / 2, height - 12 * mm, str(number))
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def _template(name: str, size: tuple[float, float]) -> PageTemplate:
    top, right, bottom, left = MARGINS
    frame = Frame(left, bottom, size[0] - left - right, size[1] - top - bottom,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=name)
    return PageTemplate(id=name, frames=[frame], pagesize=size)


def text_width(wide: bool = False) -> float:
    size = landscape(A4) if wide else A4
    return size[0] - MARGINS[1] - MARGINS[3]


def _blocks(blocks: list, s: dict, wide: bool) -> tuple[list, bool]:
    story: list = []
    for block in blocks:
        if isinstance(block, Para):
            story.append(Paragraph(pdf.text(block.text), s.get(block.style, s["body"])))
            continue
        if block.landscape != wide:
            wide = block.landscape
            story += [NextPageTemplate("landscape" if wide else "portrait"), PageBreak()]
        else:
            story.append(CondPageBreak(45 * mm))
        # The title goes with the table's first rows (the break above), while a long table
        # still starts on the page it is reached on: a heading kept with a whole table would
        # push it to the next page and leave a page with a heading alone.
        title = [Paragraph(pdf.text(block.title), s["table_title"])] if block.title else []
        story += title + [_grid(block, s, text_width(wide))]
        story += [Paragraph(pdf.text(n), s["note"]) for n in block.notes]
        story.append(Spacer(1, 2 * mm))
    return story, wide


def render(doc: Document) -> bytes:
    """The document as PDF bytes (the same bytes for the same document: invariant mode)."""
    s = _styles()
    story = _header(doc, s, text_width())
    body, wide = _blocks(doc.blocks, s, False)
    story += body
    if wide:
        story += [NextPageTemplate("portrait"), PageBreak()]
    story.append(_closing(doc.closing, s, text_width()))
    if doc.appendix:
        first = next((b for b in doc.appendix if isinstance(b, Grid)), None)
        if first is not None and first.landscape:
            story.append(NextPageTemplate("landscape"))
        story.append(PageBreak())
        more, _wide = _blocks(doc.appendix, s, bool(first is not None and first.landscape))
        story += more
    buffer = io.BytesIO()
    with pdf._invariant():
        built = BaseDocTemplate(
            buffer, pagesize=A4, title=nfc(doc.title), author=nfc(doc.author),
            subject=nfc(doc.header.subject), creator="fieldapp", producer="fieldapp (reportlab)",
            initialFontName=fonts.SERIF, invariant=1,
            pageTemplates=[_template("portrait", A4), _template("landscape", landscape(A4))])
        pdf.follow_build(built)  # the report's progress, page by page
        built.build(story, canvasmaker=_canvas(doc.title))
    return buffer.getvalue()
