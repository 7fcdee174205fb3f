"""What every printed document shares: the font, the styles, tables, page numbers, the file.

- The bundled DejaVu Sans (regular and bold) is registered with reportlab and used for every
  text, table cell and chart label, so nothing falls back to Helvetica (which has no
  Vietnamese letters); only the glyphs used are embedded, and every text is NFC.
- :func:`build` runs reportlab in invariant mode (no creation time, no random document id):
  the same data printed on the same day gives the same bytes, so documents can be compared in
  tests.
- Tables repeat their header row on every page they run onto; every page carries the
  document's title and "Trang n/N" at its foot.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate, Frame, PageTemplate, Paragraph, Table, TableStyle)
from xml.sax.saxutils import escape

from fieldapp.errors import UserError, os_reason
from fieldapp.i18n import fonts
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc

FONT = fonts.PDF_FONT
BOLD = fonts.PDF_FONT_BOLD
PAGE = A4
MARGIN = 16 * mm
GREY = colors.Color(0.85, 0.85, 0.85)
LIGHT = colors.Color(0.95, 0.95, 0.95)
DARK = colors.Color(0.35, 0.35, 0.35)


UNREVIEWED = "°"
INHERITED = "‡"
FALLBACK = "↩"
"""The marks a label-pack text carries on paper; every document that prints one explains it in
a legend (fieldapp.reports.marks)."""


@dataclass(frozen=True)
class Label:
    """A form's text as printed: ``primary`` (the label pack's, or Vietnamese) with
    ``secondary`` (the Vietnamese) beneath when a pack is shown; ``unreviewed`` marks a pack
    text no native speaker has reviewed (°), ``inherited`` one shown from the parent pack
    because the chosen pack has none (‡: Tày for Nùng), ``fell_back`` a text the pack does not
    have, printed in Vietnamese (↩)."""

    primary: str
    secondary: str = ""
    unreviewed: bool = False
    inherited: bool = False
    fell_back: bool = False

    @property
    def marks(self) -> str:
        return ((INHERITED if self.inherited else "") + (UNREVIEWED if self.unreviewed else "")
                + (FALLBACK if self.fell_back else ""))

    def markup(self, small: float = 6.5) -> str:
        """Paragraph markup: the primary text, the secondary smaller on the next line."""
        main = text(self.primary) + self.marks
        if self.secondary:
            return f'{main}<br/><font size="{small}">{text(self.secondary)}</font>'
        return main

    def inline(self, small: float = 6.5) -> str:
        """Paragraph markup on one line: the primary text, the secondary in brackets."""
        main = text(self.primary) + self.marks
        if self.secondary:
            return f'{main} <font size="{small}">({text(self.secondary)})</font>'
        return main

    @property
    def plain(self) -> str:
        return f"{self.primary} / {self.secondary}" if self.secondary else self.primary


class OutputProblem(UserError):
    """The document cannot be written where asked; nothing was written."""


def register() -> str:
    """Register the bundled font with reportlab (idempotent) and return its name."""
    return fonts.register_pdf_fonts()


def styles(base: float = 9.0) -> dict[str, ParagraphStyle]:
    """Paragraph styles, all in DejaVu Sans."""
    register()
    body = ParagraphStyle("body", fontName=FONT, fontSize=base, leading=base * 1.3)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=base + 7,
                                leading=(base + 7) * 1.25, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=base + 1,
                                   leading=(base + 1) * 1.3, textColor=DARK),
        "h1": ParagraphStyle("h1", parent=body, fontName=BOLD, fontSize=base + 3,
                             leading=(base + 3) * 1.3, spaceBefore=5 * mm, spaceAfter=2 * mm),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=base + 1,
                             leading=(base + 1) * 1.3, spaceBefore=3 * mm, spaceAfter=1.5 * mm),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=base - 1.5,
                                leading=(base - 1.5) * 1.3, textColor=DARK),
        "cell": ParagraphStyle("cell", parent=body, fontSize=base - 1, leading=(base - 1) * 1.25),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=BOLD, fontSize=base - 1,
                                    leading=(base - 1) * 1.25),
        "cell_right": ParagraphStyle("cell_right", parent=body, fontSize=base - 1,
                                     leading=(base - 1) * 1.25, alignment=TA_RIGHT),
        "cell_center": ParagraphStyle("cell_center", parent=body, fontSize=base - 1,
                                      leading=(base - 1) * 1.25, alignment=TA_CENTER),
        "head": ParagraphStyle("head", parent=body, fontName=BOLD, fontSize=base - 1.5,
                               leading=(base - 1.5) * 1.25),
        "head_center": ParagraphStyle("head_center", parent=body, fontName=BOLD,
                                      fontSize=base - 1.5, leading=(base - 1.5) * 1.25,
                                      alignment=TA_CENTER),
    }


def day(value) -> str:
    """A date as printed on documents: 05/03/2026."""
    from fieldapp.i18n.formatting import format_date

    return format_date(value, "dd/MM/yyyy")


def text(value: Any) -> str:
    """Plain text made safe for a Paragraph (NFC, XML escaped, line breaks kept)."""
    return escape(nfc("" if value is None else str(value))).replace("\n", "<br/>")


def para(value: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(text(value), style)


def grid(rows: Sequence[Sequence[Any]], widths: Sequence[float], *, header_rows: int = 1,
         zebra: bool = True, extra: Sequence[tuple] = (), bold_rows: Sequence[int] = ()
         ) -> Table:
    """A bordered table whose header rows repeat on each page it runs onto. Cells may be
    Paragraphs or plain text (drawn in DejaVu Sans)."""
    table = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=header_rows,
                  hAlign="LEFT")
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header_rows:
        style += [("BACKGROUND", (0, 0), (-1, header_rows - 1), GREY),
                  ("FONTNAME", (0, 0), (-1, header_rows - 1), BOLD)]
    if zebra:
        for r in range(header_rows + 1, len(rows), 2):
            style.append(("BACKGROUND", (0, r), (-1, r), LIGHT))
    for r in bold_rows:
        style.append(("FONTNAME", (0, r), (-1, r), BOLD))
    table.setStyle(TableStyle(style + list(extra)))
    return table


def _numbered_canvas(title: str, footer: str):
    """A canvas class that writes "Trang n/N" and the title on each page once all are known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("initialFontName", FONT)
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _footer(self, number: int, total: int) -> None:
            width, _height = self._pagesize
            self.saveState()
            self.setStrokeColor(colors.black)
            self.setLineWidth(0.4)
            self.line(MARGIN, 11 * mm, width - MARGIN, 11 * mm)
            self.setFont(FONT, 7.5)
            self.drawString(MARGIN, 7 * mm, nfc(footer or title)[:110])
            self.drawRightString(width - MARGIN, 7 * mm,
                                 nfc(_("Page {page} of {pages}").format(page=number,
                                                                        pages=total)))
            self.restoreState()

    return NumberedCanvas


@contextlib.contextmanager
def _invariant() -> Iterator[None]:
    previous = rl_config.invariant
    rl_config.invariant = 1
    try:
        yield
    finally:
        rl_config.invariant = previous


def _template(name: str, pagesize: tuple[float, float]) -> PageTemplate:
    frame = Frame(MARGIN, 16 * mm, pagesize[0] - 2 * MARGIN, pagesize[1] - MARGIN - 16 * mm,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=name)
    return PageTemplate(id=name, frames=[frame], pagesize=pagesize)


BuildStep = Callable[[int, int, int], None]
"""``step(parts_done, parts_total, page)`` while a document is laid out."""
_build_step: contextvars.ContextVar[BuildStep | None] = contextvars.ContextVar(
    "pdf_build_step", default=None)


@contextlib.contextmanager
def reporting(step: BuildStep) -> Iterator[None]:
    """Call ``step(parts_done, parts_total, page)`` as the documents built inside this
    block are laid out (the parts are the story's flowables, the page the one being filled):
    a long report's progress. ``step`` may raise to stop the build; nothing is written."""
    token = _build_step.set(step)
    try:
        yield
    finally:
        _build_step.reset(token)


def _progress_callback(step: BuildStep):
    state = {"total": 0, "page": 1, "done": 0}

    def callback(kind: str, value: int) -> None:
        if kind == "SIZE_EST":
            state["total"] = value
        elif kind == "PAGE":
            state["page"] = value + 1
        elif kind == "PROGRESS":
            # A table split across pages puts its rest back in the story: never go back.
            state["done"] = max(state["done"], min(value, state["total"]))
            step(state["done"], state["total"], state["page"])

    return callback


def follow_build(doc: BaseDocTemplate) -> None:
    """Report ``doc``'s layout to the step of :func:`reporting`, if one is listening (every
    document template the reports build goes through here)."""
    step = _build_step.get()
    if step is not None:
        doc.setProgressCallBack(_progress_callback(step))


def build(story: list, *, title: str, author: str = "", subject: str = "", footer: str = "",
          landscape_pages: bool = False) -> bytes:
    """The PDF of ``story`` (platypus flowables) as bytes on A4. Pages are portrait (landscape
    with ``landscape_pages``); ``NextPageTemplate("landscape")`` / ``("portrait")`` in the
    story switches for the pages after the next break."""
    register()
    buffer = io.BytesIO()
    templates = [_template("portrait", PAGE), _template("landscape", landscape(PAGE))]
    if landscape_pages:
        templates.reverse()
    with _invariant():
        doc = BaseDocTemplate(buffer, pagesize=templates[0].pagesize, leftMargin=MARGIN,
                              rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=16 * mm,
                              title=nfc(title), author=nfc(author), subject=nfc(subject),
                              creator="fieldapp", producer="fieldapp (reportlab)",
                              initialFontName=FONT, invariant=1, pageTemplates=templates)
        follow_build(doc)
        doc.build(story, canvasmaker=_numbered_canvas(title, footer))
    return buffer.getvalue()


def frame_width(landscape_pages: bool = False) -> float:
    width = (landscape(PAGE) if landscape_pages else PAGE)[0]
    return width - 2 * MARGIN


def check_output(path: Path) -> Path:
    """Refuse at once (before any work) an output path that cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise OutputProblem(_("{path} is a folder; give a file name.").format(path=path))
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputProblem(_("Cannot write {path}: the folder {folder} does not exist.")
                            .format(path=path, folder=parent))
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputProblem(_("Cannot write {path}: permission denied.").format(path=path))
    return path


def write_file(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` through a temporary file beside it, so a failure leaves
    no half-written document."""
    path = check_output(path)
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".fieldapp-", suffix=".tmp",
                                         delete=False) as tmp:
            tmp.write(content)
        os.replace(tmp.name, path)
    except OSError as exc:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp.name)
        raise OutputProblem(_("Cannot write {path}: {reason}").format(
            path=path, reason=os_reason(exc))) from None
    return path
