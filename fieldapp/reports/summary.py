"""The commune summary: indicators against the provincial targets, by village, ethnic group and
sex, support sessions, team activity, training progress and how complete the data is.

Aggregates only: no person's name is printed. Every section says "no data" when it has none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer

from fieldapp.core.tabulation import IndicatorResult, Tally
from fieldapp.i18n.catalog import _, pgettext
from fieldapp.i18n.formatting import format_datetime, format_number, format_percent
from fieldapp.reports import pdf
from fieldapp.reports.charts import Bar, BarChart


@dataclass(frozen=True)
class Village:
    id: str
    name: str
    remote: bool = False
    households: int = 0


@dataclass(frozen=True)
class Freshness:
    device: str
    user: str
    last_received: dt.datetime | None


@dataclass
class Sessions:
    months: list[tuple[int, int]] = field(default_factory=list)
    by_activity: dict[str, dict[tuple[int, int], int]] = field(default_factory=dict)
    activity_labels: dict[str, str] = field(default_factory=dict)
    outcome_labels: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    by_month: dict[tuple[int, int], int] = field(default_factory=dict)
    persons_helped: int = 0
    households_helped: int = 0


@dataclass(frozen=True)
class TeamRow:
    name: str
    members: int
    sessions: int
    persons_helped: int
    achieved: int
    """Outcomes reached (everything but "no result yet")."""
    last_session: dt.date | None


@dataclass
class Training:
    classes: int = 0
    learners: int = 0
    days: int = 0
    attendance: tuple[int, int] = (0, 0)
    """(present or late, records)."""
    skills: list[tuple[str, str]] = field(default_factory=list)
    """(code, label) in order."""
    levels: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    """skill -> level -> learners whose latest record is at that level."""


@dataclass
class SummaryData:
    commune: str
    province: str
    printed_on: dt.date
    printed_by: str
    results: list[IndicatorResult]
    villages: list[Village]
    start: dt.date | None = None
    end: dt.date | None = None
    village: Village | None = None
    first_round: str | None = None
    last_round: str | None = None
    households_interviewed: int = 0
    persons: int = 0
    registry_households: int = 0
    visits: dict[str, int] = field(default_factory=dict)
    result_labels: dict[str, str] = field(default_factory=dict)
    ethnicity_labels: dict[str, str] = field(default_factory=dict)
    sex_labels: dict[str, str] = field(default_factory=dict)
    freshness: list[Freshness] = field(default_factory=list)
    this_device: str = ""
    sessions: Sessions | None = None
    teams: list[TeamRow] = field(default_factory=list)
    training: Training | None = None
    drafts: int = 0
    conflicts: int = 0
    activity_source: str = ""


def pct(value: float | None, decimals: int = 1) -> str:
    return "—" if value is None else format_percent(value, decimals=decimals)


def n_of(tally: Tally) -> str:
    return f"{format_number(tally.n)}/{format_number(tally.denominator)}"


def status_text(status: str) -> str:
    return {"met": _("Met"), "not_met": _("Not met"), "no_target": _("No target"),
            "no_data": _("No data")}[status]


def target_text(result: IndicatorResult) -> str:
    indicator = result.indicator
    if indicator.target is None:
        return "—"
    target = format_percent(indicator.target / 100)
    return _("{target} by {year}").format(target=target, year=indicator.target_year) \
        if indicator.target_year else target


def period_text(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return _("from {start} to {end}").format(start=pdf.day(start),
                                                 end=pdf.day(end))
    if start:
        return _("from {start}").format(start=pdf.day(start))
    if end:
        return _("until {end}").format(end=pdf.day(end))
    return _("latest survey round of each household")


class _Doc:
    def __init__(self, data: SummaryData):
        self.data = data
        self.s = pdf.styles()
        self.width = pdf.frame_width()
        self.story: list = []

    def p(self, value, style: str = "body") -> Paragraph:
        return pdf.para(value, self.s[style])

    def add(self, *flowables) -> None:
        self.story.extend(flowables)

    def heading(self, value: str) -> None:
        self.add(CondPageBreak(40 * mm), self.p(value, "h1"))

    def no_data(self, value: str | None = None) -> None:
        self.add(self.p(value or _("No data."), "body"))

    # -- sections ---------------------------------------------------------------------------
    def header(self) -> None:
        d = self.data
        title = ParagraphStyle("summary_title", parent=self.s["title"], fontSize=14, leading=18)
        self.add(pdf.para(_("Community digital transformation: commune summary").upper(), title),
                 self.p(f"{d.commune} – {d.province}" if d.province else d.commune, "subtitle"))
        lines = [_("Period: {period}").format(period=period_text(d.start, d.end))]
        if d.village:
            lines.append(_("Village: {village}").format(village=d.village.name))
        lines.append(_("Printed on {date} by {name}").format(
            date=pdf.day(d.printed_on), name=d.printed_by or "—"))
        if d.households_interviewed:
            lines.append(_("Data: the latest interviewed round of {households} households "
                           "({persons} persons), surveyed from {first} to {last}.").format(
                households=format_number(d.households_interviewed),
                persons=format_number(d.persons),
                first=pdf.day(dt.datetime.fromisoformat(d.first_round)),
                last=pdf.day(dt.datetime.fromisoformat(d.last_round))))
        else:
            lines.append(_("Data: no household was interviewed in this period."))
        if d.freshness:
            fresh = "; ".join(
                f"{f.device}{' (' + f.user + ')' if f.user else ''}: " + (
                    format_datetime(f.last_received, "short") if f.last_received
                    else _("no package yet")) for f in d.freshness)
            lines.append(_("How fresh: last package from each member laptop: {list}").format(
                list=fresh))
        else:
            lines.append(_("How fresh: no package from member laptops has been received; the "
                           "data are those entered on this laptop ({device}).").format(
                device=d.this_device))
        lines.append(_("Aggregates only: this summary names no person."))
        for line in lines:
            self.add(self.p(line, "body"))

    def key_table(self) -> None:
        self.heading(_("1. Key indicators"))
        keys = [r for r in self.data.results if r.indicator.key and r.indicator.group ==
                "indicator"]
        self.indicator_table(keys, reference=False)
        self.add(Spacer(1, 1.5 * mm), self.p(_(
            "n/N: people or households counted in the indicator / those asked who answered. "
            "Not asked: in the population but not asked in their round (another rotating "
            "module, nobody could answer). Refused: refused or did not know."), "small"))

    def indicator_table(self, results: list[IndicatorResult], *, reference: bool) -> None:
        s = self.s
        head = [pdf.para("#", s["head"]), pdf.para(_("Indicator"), s["head"]),
                pdf.para(_("Value"), s["head_center"]), pdf.para("n/N", s["head_center"]),
                pdf.para(_("Not asked"), s["head_center"]),
                pdf.para(_("Refused"), s["head_center"]),
                pdf.para(_("Target"), s["head"]), pdf.para(_("Status"), s["head"])]
        rows = [head]
        for r in results:
            ind = r.indicator
            name = pdf.text(ind.name) + f'<br/><font size="6.5">{pdf.text(ind.population_name)}'\
                                        f'</font>'
            if reference and ind.reference:
                note = _("Reference: {text}").format(text=ind.reference)
                name += f'<br/><font size="6.5">{pdf.text(note)}</font>'
            target = target_text(r)
            if ind.target_source and ind.target is not None:
                target += f'<br/><font size="6">{pdf.text(ind.target_source)}</font>'
            rows.append([pdf.para(ind.number or "", s["cell"]), Paragraph(name, s["cell"]),
                         pdf.para(pct(r.overall.value), s["cell_center"]),
                         pdf.para(n_of(r.overall), s["cell_center"]),
                         pdf.para(pct(r.overall.not_asked_share, 0), s["cell_center"]),
                         pdf.para(pct(r.overall.unknown_share, 0), s["cell_center"]),
                         Paragraph(target, s["cell"]),
                         pdf.para(status_text(r.status), s["cell_bold"])])
        widths = [7 * mm, 54 * mm, 14 * mm, 23 * mm, 13 * mm, 13 * mm, 33 * mm]
        widths.append(self.width - sum(widths))
        self.add(pdf.grid(rows, widths))

    def charts(self) -> None:
        d = self.data
        heading = self.p(_("2. Key indicators by village"), "h1")
        villages = [d.village] if d.village else d.villages
        marked = _("remote village")
        keys = [r for r in d.results if r.indicator.key and r.indicator.group == "indicator"]
        if not keys:
            self.add(heading)
            self.no_data()
        for index, r in enumerate(keys):
            bars = []
            for v in villages:
                tally = r.by_village.get(v.id)
                value = tally.value if tally else None
                note = f"{pct(value, 0)} ({n_of(tally)})" if value is not None else ""
                bars.append(Bar(v.name, value, note, v.remote))
            chart = [BarChart(r.indicator.name, bars, self.width, r.indicator.target, marked),
                     Spacer(1, 3 * mm)]
            self.add(KeepTogether(([heading] if index == 0 else []) + chart))

    def breakdown(self) -> None:
        d = self.data
        s = self.s
        self.heading(_("3. Key indicators by ethnic group and sex"))
        keys = [r for r in d.results if r.indicator.key and r.indicator.group == "indicator"]
        groups: dict[str, int] = {}
        for r in keys:
            for code, tally in r.by_ethnicity.items():
                groups[code] = max(groups.get(code, 0), tally.population)
        ethnic = sorted(groups, key=lambda c: (-groups[c], c))
        if not ethnic:
            self.no_data()
            return
        columns = [(("ethnicity", c), d.ethnicity_labels.get(c, c)) for c in ethnic]
        columns += [(("sex", c), d.sex_labels.get(c, c)) for c in ("male", "female")]
        head = [pdf.para(_("Indicator"), s["head"])] + [pdf.para(label, s["head_center"])
                                                       for _key, label in columns]
        rows = [head]
        for r in keys:
            row = [pdf.para(r.indicator.name, s["cell"])]
            for (kind, code), _label in columns:
                tally = (r.by_ethnicity if kind == "ethnicity" else r.by_sex).get(code)
                if tally is None or tally.value is None:
                    row.append(pdf.para("—", s["cell_center"]))
                else:
                    size = "N=" + format_number(tally.denominator)
                    row.append(Paragraph(f"{pdf.text(pct(tally.value, 0))}<br/>"
                                         f'<font size="6">{pdf.text(size)}</font>',
                                         s["cell_center"]))
            rows.append(row)
        first = 48 * mm
        rest = (self.width - first) / len(columns)
        self.add(pdf.grid(rows, [first] + [rest] * len(columns)))
        self.add(Spacer(1, 1.5 * mm), self.p(_(
            "Under each share, N: those asked who answered. Household indicators are shown by "
            "the head's ethnic group; sex applies to person indicators only. Groups with few "
            "people give uncertain shares."), "small"))

    def all_indicators(self) -> None:
        self.heading(_("4. All indicators"))
        rows = [r for r in self.data.results if r.indicator.group == "indicator"]
        self.indicator_table(rows, reference=True)
        barriers = [r for r in self.data.results if r.indicator.group == "barrier"]
        if barriers:
            s = self.s
            self.add(self.p(_("Barriers named by households"), "h2"))
            table = [[pdf.para(_("Barrier"), s["head"]), pdf.para(_("Share"), s["head_center"]),
                      pdf.para("n/N", s["head_center"])]]
            for r in barriers:
                table.append([pdf.para(r.indicator.name, s["cell"]),
                              pdf.para(pct(r.overall.value), s["cell_center"]),
                              pdf.para(n_of(r.overall), s["cell_center"])])
            self.add(pdf.grid(table, [100 * mm, 25 * mm, 30 * mm]))

    def sessions(self) -> None:
        s = self.s
        self.heading(_("5. Support sessions"))
        data = self.data.sessions
        if data is None or not data.sessions:
            self.no_data(_("No data: no support session was recorded in this period."))
            return
        self.add(self.p(_("{sessions} sessions helped {persons} people in {households} "
                          "households.").format(sessions=format_number(data.sessions),
                                                persons=format_number(data.persons_helped),
                                                households=format_number(data.households_helped)),
                        "body"), Spacer(1, 1.5 * mm))
        months = data.months
        head = [pdf.para(_("Activity"), s["head"])] + [
            # month over year ("12" above "/25"): a year of months fits the page's width
            Paragraph(f"{m}<br/>/{y % 100:02d}", s["head_center"]) for y, m in months] + [
            pdf.para(_("Total"), s["head_center"])]
        rows = [head]
        for code, label in data.activity_labels.items():
            counts = data.by_activity.get(code, {})
            rows.append([pdf.para(label, s["cell"])] + [
                pdf.para(format_number(counts.get(m, 0)), s["cell_center"]) for m in months] +
                [pdf.para(format_number(sum(counts.values())), s["cell_center"])])
        rows.append([pdf.para(_("Sessions"), s["cell_bold"])] + [
            pdf.para(format_number(data.by_month.get(m, 0)), s["cell_center"]) for m in months]
            + [pdf.para(format_number(data.sessions), s["cell_center"])])
        first, total = 56 * mm, 13 * mm
        rest = (self.width - first - total) / max(1, len(months))
        self.add(pdf.grid(rows, [first] + [rest] * len(months) + [total],
                          bold_rows=[len(rows) - 1]))
        if data.outcomes:
            self.add(self.p(_("Results for the people helped"), "h2"))
            table = [[pdf.para(_("Result"), s["head"]), pdf.para(_("People"), s["head_center"])]]
            for code, count in sorted(data.outcomes.items(), key=lambda kv: -kv[1]):
                table.append([pdf.para(data.outcome_labels.get(code, code), s["cell"]),
                              pdf.para(format_number(count), s["cell_center"])])
            self.add(pdf.grid(table, [110 * mm, 25 * mm]))
        self.source_note()

    def source_note(self) -> None:
        if self.data.activity_source:
            self.add(Spacer(1, 1 * mm), self.p(self.data.activity_source, "small"))

    def teams(self) -> None:
        s = self.s
        self.heading(_("6. Team activity"))
        if not self.data.teams:
            self.no_data()
            return
        head = [pdf.para(h, s["head"] if i == 0 else s["head_center"]) for i, h in enumerate((
            _("Team"), pgettext("team", "Members"), _("Sessions"), _("Sessions per member"),
            _("People helped"), _("Results reached"), _("Last session")))]
        rows = [head]
        for t in self.data.teams:
            rows.append([pdf.para(t.name, s["cell"]),
                         pdf.para(format_number(t.members), s["cell_center"]),
                         pdf.para(format_number(t.sessions), s["cell_center"]),
                         pdf.para(format_number(t.sessions / t.members, decimals=1)
                                  if t.members else "—", s["cell_center"]),
                         pdf.para(format_number(t.persons_helped), s["cell_center"]),
                         pdf.para(format_number(t.achieved), s["cell_center"]),
                         pdf.para(pdf.day(t.last_session) if t.last_session else "—",
                                  s["cell_center"])])
        first = 52 * mm
        rest = (self.width - first) / 6
        self.add(pdf.grid(rows, [first] + [rest] * 6))

    def training(self) -> None:
        s = self.s
        self.heading(_("7. Training progress"))
        t = self.data.training
        if t is None or not t.learners:
            self.no_data(_("No data: no training record was found."))
            return
        present, records = t.attendance
        self.add(self.p(_("{classes} classes, {learners} learners, {days} class days; "
                          "attendance {rate}.").format(
            classes=format_number(t.classes), learners=format_number(t.learners),
            days=format_number(t.days), rate=pct(present / records if records else None, 0)),
            "body"), Spacer(1, 1.5 * mm))
        head = [pdf.para(_("Skill"), s["head"])] + [pdf.para(label, s["head_center"])
                                                   for _c, label in t.levels]
        rows = [head]
        for code, label in t.skills:
            counts = t.counts.get(code, {})
            if not counts:
                continue
            rows.append([pdf.para(label, s["cell"])] + [
                pdf.para(format_number(counts.get(level, 0)), s["cell_center"])
                for level, _label in t.levels])
        first = 78 * mm
        rest = (self.width - first) / len(t.levels)
        self.add(pdf.grid(rows, [first] + [rest] * len(t.levels)))
        self.add(Spacer(1, 1 * mm), self.p(_(
            "Learners by the level of their latest record in each skill."), "small"))
        self.source_note()

    def completeness(self) -> None:
        d = self.data
        s = self.s
        self.heading(_("8. Data completeness and open conflicts"))
        rows = [[pdf.para(_("Item"), s["head"]), pdf.para(_("Number"), s["head_center"])]]

        def line(label: str, value: str) -> None:
            rows.append([pdf.para(label, s["cell"]), pdf.para(value, s["cell_center"])])

        line(_("Households in the registry"), format_number(d.registry_households))
        covered = d.households_interviewed / d.registry_households \
            if d.registry_households else None
        line(_("Households with an interview in the period"),
             f"{format_number(d.households_interviewed)} ({pct(covered, 0)})")
        for code, label in d.result_labels.items():
            if d.visits.get(code):
                line(_("Visits: {result}").format(result=label), format_number(d.visits[code]))
        line(_("Forms saved as drafts, not finalized"), format_number(d.drafts))
        line(_("Open conflicts to review (Sync screen)"), format_number(d.conflicts))
        self.add(pdf.grid(rows, [110 * mm, 35 * mm]))


def render(data: SummaryData) -> bytes:
    doc = _Doc(data)
    doc.header()
    doc.key_table()
    doc.charts()
    doc.breakdown()
    doc.all_indicators()
    doc.sessions()
    doc.teams()
    doc.training()
    doc.completeness()
    title = _("Commune summary – {commune}").format(commune=data.commune)
    footer = title + (f" – {data.village.name}" if data.village else "") + " – " + \
        period_text(data.start, data.end)
    return pdf.build(doc.story, title=title, author=data.printed_by,
                     subject=_("Community digital transformation: commune summary"),
                     footer=footer)


__all__ = ["Freshness", "Sessions", "SummaryData", "TeamRow", "Training", "Village", "render"]
