"""The commune's report to sign and file (báo cáo, Decree 30/2020/NĐ-CP), built from
:class:`~fieldapp.reports.summary.ReportData` as an :class:`~fieldapp.reports.official.Document`
that fieldapp.reports.official draws as PDF and fieldapp.reports.official_docx as DOCX.

The body: how many of the registry's households were surveyed in the period; the key
indicators against their targets (each share beside n/N, the previous period and the change);
what the team did; how the figures were made (who was asked, rounds, not asked, don't know and
refused, the small-cell rule). The opening paragraphs are generated (results against targets,
the villages furthest behind, the team's work) and staff may rewrite them (in the DOCX, or
with their own text). After the signature, an appendix holds the detailed tables: every
indicator, by village, by ethnic group and sex, barriers, sessions, teams, training and data
completeness. Aggregates only: no person is named.
"""

from __future__ import annotations

from fieldapp.core.tabulation import IndicatorResult, Tally
from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import format_number
from fieldapp.reports import official
from fieldapp.reports.narrative import narrative
from fieldapp.reports.official import Closing, Document, Grid, Header, Para
from fieldapp.reports.summary import (
    ReportData, change, figure, pct, reasons_text, status_shown, suppression_note, target_text)

_UNITS = ("xã ", "phường ", "thị trấn ", "đặc khu ", "tỉnh ", "thành phố ")


def unit_name(commune: str) -> tuple[str, str]:
    """("XÃ KHÁNH XUÂN", "Khánh Xuân"): the unit as the issuing body writes it, and the
    place name of the date line."""
    name = commune.strip()
    lowered = name.lower()
    for unit in _UNITS:
        if lowered.startswith(unit):
            return name.upper(), name[len(unit):].strip()
    return f"XÃ {name}".upper(), name


def header(commune: str, province: str, day, subject: str) -> Header:
    """The heading of a report of ``commune`` (a province office: of the province)."""
    unit, place = unit_name(commune or _("(commune)"))
    province = province.strip()
    if province.lower().startswith("tỉnh "):
        province = province[5:]
    own_level = unit.startswith(("TỈNH", "THÀNH PHỐ"))
    return Header(
        parent=f"UBND TỈNH {province}".upper() if province and not own_level else "",
        issuer=f"UBND {unit}", number="Số: .../BC-UBND",
        place_date=f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
        kind="BÁO CÁO", subject=subject)


def closing(recipients: list[str]) -> Closing:
    return Closing(recipients, "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")


def _indicator_name(result: IndicatorResult) -> str:
    ind = result.indicator
    return f"{ind.name} ({ind.population_name.lower()})" if ind.population_name else ind.name


def key_results(data: ReportData) -> list[IndicatorResult]:
    return [r for r in data.results if r.indicator.key and r.indicator.group == "indicator"]


def _previous(data: ReportData, result: IndicatorResult) -> Tally | None:
    before = data.previous.result(result.indicator.id)
    return before.overall if before else None


def key_table(data: ReportData) -> Grid:
    small = data.current.small_cell
    rows = []
    for number, r in enumerate(key_results(data), start=1):
        before = _previous(data, r)
        rows.append([str(number), _indicator_name(r), figure(r.overall, small),
                     figure(before, small), change(r.overall, before, small),
                     target_text(r), status_shown(r, small)])
    return Grid(
        [[_("No."), _("Indicator (population)"), data.period.label(),
          data.previous.period.label(), _("Change (points)"), _("Target"), _("Assessment")]],
        rows, [0.06, 0.32, 0.14, 0.14, 0.09, 0.13, 0.12], align=["c", "l"] + ["c"] * 5)


def target_notes(results: list[IndicatorResult]) -> list[str]:
    """Where each target is set, by the document's name."""
    notes = []
    for r in results:
        ind = r.indicator
        if ind.target is not None:
            source = ind.target_source or _("no source given")
            notes.append(_("Target of “{name}”: {source}.").format(name=ind.name, source=source))
    return notes


def _methods(data: ReportData) -> list[Para]:
    cur = data.current
    small = cur.small_cell
    lines = [
        _("Who was asked: every household of the registry visited in the period; in each "
          "household the key questions (smartphone, internet, VNeID level 2, e-payment, online "
          "public services, scam calls) are asked once about everyone of 15 and over, in every "
          "round; the other questions rotate in four parts (A to D), one part a year for each "
          "household, so each of them covers about a quarter of the households."),
        _("Rounds: in {period} each household counts once, with its latest interview in the "
          "period; {surveyed} of the registry's {registry} households ({share}) were "
          "interviewed, {persons} people in them. In {previous}: {surveyed_before} of "
          "{registry_before} households.").format(
            period=data.period.label(), surveyed=format_number(cur.households_surveyed),
            registry=format_number(cur.registry_households), share=pct(cur.coverage, 0),
            persons=format_number(cur.persons), previous=data.previous.period.label(),
            surveyed_before=format_number(data.previous.households_surveyed),
            registry_before=format_number(data.previous.registry_households)),
        _("Each share is n/N: n people or households counted in the indicator out of N asked "
          "who answered. People of the population who were not asked (another rotating part "
          "this year, nobody at home could answer for them, or the round's questionnaire did "
          "not have the question) are counted as “not asked” with the reason, never as “no”; "
          "“don't know” and “refused or no answer” are counted apart too (Appendix, table "
          "1)."),
        suppression_note(small),
        _("Changes are in percentage points against {previous}, where both shares are "
          "printed.").format(previous=data.previous.period.label()),
    ]
    by_reasons: dict[str, list[str]] = {}
    for r in data.results:
        if r.overall.not_asked and r.indicator.key:
            by_reasons.setdefault(reasons_text(r.overall), []).append(r.indicator.name)
    if by_reasons:
        lines.append(_("Not asked among the key indicators: {list}.").format(list="; ".join(
            _("{reasons} for {names}").format(reasons=reasons, names=", ".join(names))
            for reasons, names in by_reasons.items())))
    return [Para(line, "body") for line in lines]


def _sessions_paragraph(data: ReportData) -> Para:
    s = data.sessions
    if s is None or not s.sessions:
        return Para(_("No support session was recorded in {period}.").format(
            period=data.period.label()))
    return Para(_("{sessions} support sessions: {persons} entries for a person helped and "
                  "{households} entries for a household helped as a whole.").format(
        sessions=format_number(s.sessions), persons=format_number(s.persons_helped),
        households=format_number(s.households_helped)))


def build(data: ReportData) -> Document:
    """The report as an administrative document."""
    where = f" – {data.village.name}" if data.village else ""
    subject = _("Results of community digital transformation, {period}").format(
        period=data.period.label()) + where
    cur = data.current
    blocks: list = [Para(_("The People's Committee of {commune} reports the results of "
                           "community digital transformation in {period} as follows.").format(
                         commune=data.commune + where, period=data.period.label())),
                    Para(_("I. SURVEY AND RESULTS"), "heading")]
    blocks += [Para(text, "lead") for text in (data.narrative or narrative(data))]
    blocks.append(Para(_("II. KEY INDICATORS"), "heading"))
    if cur.households_surveyed:
        table = key_table(data)
        table.notes.extend([_("Each cell: the share and, in brackets, n/N.") + " " +
                            suppression_note(cur.small_cell)] + target_notes(key_results(data)))
        blocks.append(table)
    else:
        blocks.append(Para(_("No household was interviewed in {period}: there are no "
                             "figures for the indicators.").format(period=data.period.label())))
    blocks.append(Para(_("III. THE TEAMS' WORK"), "heading"))
    blocks.append(_sessions_paragraph(data))
    blocks.append(Para(_("IV. HOW THE FIGURES WERE MADE"), "heading"))
    blocks += _methods(data)
    recipients = [_("Provincial People's Committee (to report)"),
                  _("Department of Science and Technology"), _("Archive: clerical office")]
    from fieldapp.reports.commune_appendix import appendix

    return Document(header(data.commune, data.province, data.printed_on, subject), blocks,
                    closing(recipients),
                    title=_("Report – {commune}").format(commune=data.commune) + where + " – "
                    + data.period.label(), author=data.printed_by, appendix=appendix(data))


def render_pdf(data: ReportData) -> bytes:
    return official.render(build(data))


def render_docx(data: ReportData) -> bytes:
    from fieldapp.reports import official_docx

    return official_docx.render(build(data))


__all__ = ["build", "header", "key_table", "render_docx", "render_pdf", "unit_name"]
