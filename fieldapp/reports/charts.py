"""A horizontal bar chart that prints well in black and white: one bar per group (a village),
its share as a grey bar on a 0-100% scale with gridlines, the share and n/N written after it,
and the target as a dashed line. Groups without data say so instead of a bar."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc
from fieldapp.reports.pdf import BOLD, FONT


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    """0..1, None without data."""
    note: str = ""
    """Written after the bar (e.g. "75% (120/160)")."""
    marked: bool = False
    """Drawn hatched (e.g. a remote village), explained in the legend."""


class BarChart(Flowable):
    """See the module's docstring; ``target`` is a percentage or None."""

    ROW = 5.2 * mm
    LABEL = 44 * mm
    NOTE = 30 * mm

    def __init__(self, title: str, bars: list[Bar], width: float, target: float | None = None,
                 marked_legend: str = ""):
        super().__init__()
        self.title = nfc(title)
        self.bars = bars
        self.width = width
        self.target = target
        self.marked_legend = nfc(marked_legend)
        self.height = self.ROW * (len(bars) + 2) + 4 * mm

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def _fit(self, text: str, font: str, size: float, width: float) -> str:
        text = nfc(text)
        canv = self.canv
        if canv.stringWidth(text, font, size) <= width:
            return text
        while text and canv.stringWidth(text + "…", font, size) > width:
            text = text[:-1]
        return text + "…"

    def draw(self):
        c = self.canv
        top = self.height
        c.setFont(BOLD, 8.5)
        c.drawString(0, top - 4 * mm, self._fit(self.title, BOLD, 8.5, self.width))
        x0 = self.LABEL
        span = self.width - self.LABEL - self.NOTE
        axis_top = top - 6 * mm
        rows_bottom = axis_top - self.ROW * len(self.bars)
        # Gridlines every 25%, labelled below.
        c.setLineWidth(0.3)
        c.setStrokeColor(colors.Color(0.6, 0.6, 0.6))
        c.setFont(FONT, 6.5)
        c.setFillColor(colors.black)
        for step in range(5):
            x = x0 + span * step / 4
            c.line(x, rows_bottom, x, axis_top)
            c.drawCentredString(x, rows_bottom - 3 * mm, f"{step * 25}%")
        for i, bar in enumerate(self.bars):
            y = axis_top - self.ROW * (i + 1)
            c.setFillColor(colors.black)
            c.setFont(FONT, 7.5)
            c.drawString(0, y + 1.5 * mm, self._fit(bar.label, FONT, 7.5, self.LABEL - 2 * mm))
            if bar.value is None:
                c.setFont(FONT, 7)
                c.drawString(x0 + 1.5 * mm, y + 1.5 * mm, _("no data"))
                continue
            length = max(0.0, min(1.0, bar.value)) * span
            c.setStrokeColor(colors.black)
            c.setLineWidth(0.5)
            c.setFillColor(colors.Color(0.55, 0.55, 0.55))
            c.rect(x0, y + 0.8 * mm, length, self.ROW - 1.8 * mm, stroke=1, fill=1)
            if bar.marked and length > 0:
                self._hatch(x0, y + 0.8 * mm, length, self.ROW - 1.8 * mm)
            c.setFillColor(colors.black)
            c.setFont(FONT, 7)
            c.drawString(x0 + span + 1.5 * mm, y + 1.5 * mm,
                         self._fit(bar.note, FONT, 7, self.NOTE - 2 * mm))
        if self.target is not None:
            x = x0 + span * max(0.0, min(100.0, self.target)) / 100
            c.setDash(2, 1.5)
            c.setLineWidth(1)
            c.setStrokeColor(colors.black)
            c.line(x, rows_bottom, x, axis_top + 1 * mm)
            c.setDash()
            c.setFont(FONT, 6.5)
            label = _("target {value}%").format(value=f"{self.target:g}")
            c.drawRightString(min(x, x0 + span), axis_top + 1.6 * mm, nfc(label))
        if self.marked_legend and any(b.marked for b in self.bars):
            c.setFont(FONT, 6.5)
            c.drawString(0, rows_bottom - 3 * mm, self._fit("▨ " + self.marked_legend, FONT,
                                                            6.5, self.LABEL - 2 * mm))

    def _hatch(self, x: float, y: float, w: float, h: float) -> None:
        c = self.canv
        c.saveState()
        path = c.beginPath()
        path.rect(x, y, w, h)
        c.clipPath(path, stroke=0, fill=0)
        c.setStrokeColor(colors.white)
        c.setLineWidth(0.6)
        step = 1.6 * mm
        start = x - h
        while start < x + w:
            c.line(start, y, start + h, y + h)
            start += step
        c.restoreState()
