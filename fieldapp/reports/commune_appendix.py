"""The appendix of the commune report (Phụ lục): the detailed tables, after the signature, on
landscape pages where they are wide. Every share is printed beside its n/N, "–" for a small
cell; the previous period and the change stand beside each indicator.
"""

from __future__ import annotations

from fieldapp.i18n.catalog import _, pgettext
from fieldapp.i18n.formatting import format_datetime, format_number
from fieldapp.reports import pdf
from fieldapp.reports.official import Grid, Para
from fieldapp.reports.summary import (
    SUPPRESSED, ReportData, change, figure, pct, reasons_text, status_shown, suppression_note,
    target_text)


def _all_indicators(data: ReportData) -> list:
    small = data.current.small_cell
    rows, notes, not_asked = [], [], {}
    results = [r for r in data.results if r.indicator.group == "indicator"]
    for number, r in enumerate(results, start=1):
        o = r.overall
        before = data.previous.result(r.indicator.id)
        before_tally = before.overall if before else None
        population = format_number(o.population) if o.population else _("nobody")
        rows.append([str(number), r.indicator.name, r.indicator.population_name, population,
                     figure(o, small), format_number(o.not_asked), format_number(o.dont_know),
                     format_number(o.refused), figure(before_tally, small),
                     change(o, before_tally, small), target_text(r), status_shown(r, small)])
        if o.not_asked:  # indicators with the same reasons share one line
            not_asked.setdefault(reasons_text(o), []).append(str(number))
        if r.indicator.note:
            notes.append(f"{number}. {r.indicator.note}")
    notes = [_("Not asked, rows {rows}: {reasons}.").format(rows=", ".join(numbers),
                                                           reasons=reasons)
             for reasons, numbers in not_asked.items()] + notes
    references = [f"{n}. {r.indicator.reference}" for n, r in enumerate(results, start=1)
                  if r.indicator.reference]
    header = [[_("No."), _("Indicator"), _("Population"), _("People or households in it"),
               data.period.label(), _("Not asked"), _("Don't know"), _("Refused or no answer"),
               data.previous.period.label(), _("Change (points)"), _("Target"),
               _("Assessment")]]
    table = Grid(header, rows, [0.04, 0.195, 0.1, 0.06, 0.1, 0.055, 0.055, 0.06, 0.1, 0.06,
                                0.085, 0.09],
                 align=["c", "l", "l"] + ["c"] * 9, landscape=True, title=_("Table 1. Every indicator, {period} and {previous}")
                 .format(period=data.period.label(), previous=data.previous.period.label()),
                 notes=[suppression_note(small),
                        _("Not asked, don't know and refused or no answer are counts of people "
                          "(or households) of the population; they are not in n/N.")] + notes
                 + ([_("Figures to compare with: ") + "; ".join(references)] if references
                    else []))
    return [table]


def _by_village(data: ReportData) -> Grid:
    small = data.current.small_cell
    keys = [r for r in data.results if r.indicator.key and r.indicator.group == "indicator"]
    villages = [data.village] if data.village else data.villages
    cur = data.current
    rows = []
    for v in villages:
        surveyed = cur.surveyed_by_village.get(v.id, 0)
        registry = cur.registry_by_village.get(v.id, v.households)
        name = v.name + (" *" if v.remote else "")
        rows.append([name, f"{format_number(surveyed)}/{format_number(registry)}"] +
                    [figure(r.by_village.get(v.id), small) for r in keys])
    if not data.village:
        rows.append([_("Whole commune"), f"{format_number(cur.households_surveyed)}/"
                     f"{format_number(cur.registry_households)}"] +
                    [figure(r.overall, small) for r in keys])
    width = 0.78 / max(1, len(keys))
    one = len([v for v in villages if cur.surveyed_by_village.get(v.id)]) <= 1
    notes = [suppression_note(small), _("*: remote village.")]
    if one and not data.village:
        notes.insert(0, _("Only one village has figures in this period: villages cannot be "
                          "compared yet."))
    return Grid([[_("Village"), _("Households surveyed / in the registry")] +
                 [r.indicator.name for r in keys]], rows, [0.13, 0.09] + [width] * len(keys),
                bold=[len(rows) - 1] if not data.village else [], landscape=True,
                title=_("Table 2. Key indicators by village, {period}").format(
                    period=data.period.label()), notes=notes)


def _by_group(data: ReportData) -> Grid:
    small = data.current.small_cell
    keys = [r for r in data.results if r.indicator.key and r.indicator.group == "indicator"]
    sizes: dict[str, int] = {}
    for r in keys:
        for code, tally in r.by_ethnicity.items():
            sizes[code] = max(sizes.get(code, 0), tally.population)
    ethnic = sorted(sizes, key=lambda c: (-sizes[c], c))
    columns = [("ethnicity", c, data.ethnicity_labels.get(c, c)) for c in ethnic] + \
              [("sex", c, data.sex_labels.get(c, c)) for c in ("male", "female")]
    rows = []
    for r in keys:
        rows.append([r.indicator.name] + [
            figure((r.by_ethnicity if kind == "ethnicity" else r.by_sex).get(code), small)
            for kind, code, _label in columns])
    rest = 0.78 / max(1, len(columns))
    return Grid([[_("Indicator")] + [label for _k, _c, label in columns]], rows,
                [0.22] + [rest] * len(columns), landscape=True,
                title=_("Table 3. Key indicators by ethnic group and sex, {period}").format(
                    period=data.period.label()),
                notes=[suppression_note(small),
                       _("Household indicators are shown by the head's ethnic group; sex "
                         "applies to person indicators only.")] if rows else
                [_("No data.")])


def _barriers(data: ReportData) -> Grid:
    small = data.current.small_cell
    rows = []
    for r in (r for r in data.results if r.indicator.group == "barrier"):
        before = data.previous.result(r.indicator.id)
        before_tally = before.overall if before else None
        rows.append([r.indicator.name, figure(r.overall, small), figure(before_tally, small),
                     change(r.overall, before_tally, small)])
    return Grid([[_("Barrier named by the household"), data.period.label(),
                  data.previous.period.label(), _("Change (points)")]], rows,
                [0.46, 0.2, 0.2, 0.14], landscape=True,
                title=_("Table 4. Barriers named by households"),
                notes=[suppression_note(small)])


def _sessions(data: ReportData) -> list:
    s = data.sessions
    title = _("Table 5. Support sessions by activity and month")
    if s is None or not s.sessions:
        return [Para(title, "heading"),
                Para(_("No support session was recorded in this period."))]
    months = s.months
    header = [[_("Activity")] + [f"{m}/{y % 100:02d}" for y, m in months] + [_("Total")]]
    rows = []
    for code, label in s.activity_labels.items():
        counts = s.by_activity.get(code, {})
        rows.append([label] + [format_number(counts.get(m, 0)) for m in months] +
                    [format_number(sum(counts.values()))])
    rows.append([_("Sessions")] + [format_number(s.by_month.get(m, 0)) for m in months] +
                [format_number(s.sessions)])
    rest = 0.7 / max(1, len(months) + 1)
    out = [Grid(header, rows, [0.3] + [rest] * (len(months) + 1), bold=[len(rows) - 1],
                landscape=True, title=title,
                notes=[data.activity_source] if data.activity_source else [])]
    outcome_rows = [[s.outcome_labels.get(code, code), format_number(n)]
                    for code, n in sorted(s.outcomes.items(), key=lambda kv: (-kv[1], kv[0]))]
    out.append(Grid([[_("Result"), _("Entries (people and whole households)")]],
                    outcome_rows or [[_("No result recorded"), "0"]], [0.7, 0.3],
                    landscape=True, title=_("Table 6. Results for those helped"),
                    notes=[_("{persons} entries for a person, {households} for a household "
                             "as a whole.").format(persons=format_number(s.persons_helped),
                                                   households=format_number(
                                                       s.households_helped))]))
    return out


def _teams(data: ReportData) -> list:
    title = _("Table 7. Team activity")
    if not data.teams:
        return [Para(title, "heading"), Para(_("No data."))]
    rows = []
    for t in data.teams:
        rows.append([t.name, format_number(t.members), format_number(t.sessions),
                     format_number(t.sessions / t.members, decimals=1) if t.members else "—",
                     format_number(t.persons_helped), format_number(t.households_helped),
                     format_number(t.achieved),
                     pdf.day(t.last_session) if t.last_session else "—"])
    return [Grid([[_("Team"), pgettext("team", "Members"), _("Sessions"),
                   _("Sessions per member"), _("People helped"),
                   _("Households helped as a whole"), _("Results reached"),
                   _("Last session")]], rows,
                 [0.28, 0.08, 0.09, 0.1, 0.1, 0.12, 0.11, 0.12], landscape=True, title=title)]


def _training(data: ReportData) -> list:
    t = data.training
    title = _("Table 8. Training progress")
    if t is None or not t.learners:
        return [Para(title, "heading"), Para(_("No data: no training record was found."))]
    present, records = t.attendance
    rows = []
    for code, label in t.skills:
        counts = t.counts.get(code, {})
        if counts:
            rows.append([label] + [format_number(counts.get(level, 0)) for level, _l in t.levels])
    rest = 0.55 / max(1, len(t.levels))
    return [Grid([[_("Skill")] + [label for _c, label in t.levels]], rows,
                 [0.45] + [rest] * len(t.levels), landscape=True, title=title,
                 notes=[_("{classes} classes, {learners} learners, {days} class days; "
                          "attendance {rate}. Learners by the level of their latest record in "
                          "each skill.").format(
                     classes=format_number(t.classes), learners=format_number(t.learners),
                     days=format_number(t.days),
                     rate=pct(present / records if records else None, 0))])]


def _completeness(data: ReportData) -> Grid:
    cur = data.current
    rows = [[_("Households in the registry"), format_number(cur.registry_households)],
            [_("Households with an interview in the period"),
             f"{format_number(cur.households_surveyed)} ({pct(cur.coverage, 0)})"]]
    for code, label in data.result_labels.items():
        if cur.visits.get(code):
            rows.append([_("Visits: {result}").format(result=label),
                         format_number(cur.visits[code])])
    rows += [[_("Forms saved as drafts, not finalized"), format_number(data.drafts)],
             [_("Open conflicts to review (Sync screen)"), format_number(data.conflicts)]]
    if data.freshness:
        fresh = "; ".join(f"{f.device}{' (' + f.user + ')' if f.user else ''}: " + (
            format_datetime(f.last_received, "short") if f.last_received else
            _("no package yet")) for f in data.freshness)
        note = _("How fresh: last package from each member laptop: {list}").format(list=fresh)
    else:
        note = _("How fresh: no package from member laptops has been received; the data are "
                 "those entered on this laptop ({device}).").format(device=data.this_device)
    return Grid([[_("Item"), _("Number")]], rows, [0.7, 0.3], landscape=True,
                title=_("Table 9. Data completeness, {period}").format(
                    period=data.period.label()),
                notes=[note, _("Aggregates only: this report names no person.")])


def appendix(data: ReportData) -> list:
    blocks: list = [Para(_("APPENDIX: DETAILED FIGURES (attached to report No. …/BC-UBND)"),
                         "heading")]
    if data.current.households_surveyed:
        blocks += _all_indicators(data)
        blocks += [_by_village(data), _by_group(data), _barriers(data)]
    else:
        blocks.append(Para(_("No household was interviewed in {period}: there are no "
                             "figures for the indicators.").format(period=data.period.label())))
    blocks += _sessions(data) + _teams(data) + _training(data)
    blocks.append(_completeness(data))
    return blocks


__all__ = ["appendix", "SUPPRESSED"]
