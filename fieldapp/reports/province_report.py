"""The province's report (Decree 30 layout, PDF or DOCX): the key indicators of each commune, one
row per commune, with the households surveyed, the previous period and the change; small cells
"–" as in every commune report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fieldapp.core.periods import Period
from fieldapp.core.tabulation import Figures, IndicatorResult
from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import format_number
from fieldapp.reports import official
from fieldapp.reports.commune_report import closing, header, target_notes
from fieldapp.reports.official import Document, Grid, Para
from fieldapp.reports.summary import change, figure, pct, suppression_note


@dataclass
class CommuneRow:
    name: str
    current: Figures
    previous: Figures


@dataclass
class ProvinceData:
    office: str
    province: str
    printed_on: dt.date
    printed_by: str
    period: Period
    previous_period: Period
    communes: list[CommuneRow]
    small_cell: int


def _keys(data: ProvinceData) -> list[IndicatorResult]:
    if not data.communes:
        return []
    return [r for r in data.communes[0].current.results
            if r.indicator.key and r.indicator.group == "indicator"]


def table(data: ProvinceData) -> Grid:
    small = data.small_cell
    keys = _keys(data)
    rows = []
    for row in data.communes:
        cells = [row.name, f"{format_number(row.current.households_surveyed)}/"
                           f"{format_number(row.current.registry_households)}"]
        for key in keys:
            now = row.current.result(key.indicator.id)
            before = row.previous.result(key.indicator.id)
            now_t = now.overall if now else None
            before_t = before.overall if before else None
            cells.append(f"{figure(now_t, small)}\n{change(now_t, before_t, small)}")
        rows.append(cells)
    width = 0.76 / max(1, len(keys))
    return Grid([[_("Commune"), _("Households surveyed / in the registry")] +
                 [k.indicator.name for k in keys]], rows, [0.14, 0.1] + [width] * len(keys),
                landscape=True,
                title=_("Key indicators by commune, {period} (under each share: the change "
                        "in points against {previous})").format(
                    period=data.period.label(), previous=data.previous_period.label()),
                notes=[suppression_note(small)] + target_notes(keys))


def build(data: ProvinceData) -> Document:
    subject = _("Community digital transformation in the communes, {period}").format(
        period=data.period.label())
    surveyed = sum(r.current.households_surveyed for r in data.communes)
    registry = sum(r.current.registry_households for r in data.communes)
    reporting = sum(1 for r in data.communes if r.current.households_surveyed)
    blocks: list = [Para(_("I. SURVEY"), "heading")]
    if not data.communes:
        blocks.append(Para(_("No commune's data has reached this database yet.")))
    else:
        blocks.append(Para(_("{reporting} of {communes} communes surveyed households in "
                             "{period}: {surveyed} of the {registry} households of their "
                             "registries ({share}).").format(
            reporting=reporting, communes=len(data.communes), period=data.period.label(),
            surveyed=format_number(surveyed), registry=format_number(registry),
            share=pct(surveyed / registry if registry else None, 0)), "lead"))
        silent = [r.name for r in data.communes if not r.current.households_surveyed]
        if silent:
            blocks.append(Para(_("No household interviewed in {period}: {list}.").format(
                period=data.period.label(), list="; ".join(silent)), "lead"))
        blocks.append(Para(_("The key indicators of each commune are in the appendix, one row "
                             "per commune.")))
    blocks.append(Para(_("II. HOW THE FIGURES WERE MADE"), "heading"))
    blocks.append(Para(_("Each commune's figures are those of its own report: each household "
                         "counts once in the period with its latest interview; each share "
                         "is n/N of those asked who answered; people not asked, don't know "
                         "and refused are counted apart, never as “no”.")))
    blocks.append(Para(suppression_note(data.small_cell)))
    appendix = [Para(_("APPENDIX: DETAILED FIGURES (attached to report No. …/BC-UBND)"),
                     "heading"), table(data)] if data.communes else []
    return Document(header(data.office, data.province, data.printed_on, subject), blocks,
                    closing([_("Department of Science and Technology"),
                             _("Archive: clerical office")]),
                    title=subject, author=data.printed_by, appendix=appendix)


def render_pdf(data: ProvinceData) -> bytes:
    return official.render(build(data))


def render_docx(data: ProvinceData) -> bytes:
    from fieldapp.reports import official_docx

    return official_docx.render(build(data))
