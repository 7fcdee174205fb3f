"""The opening paragraphs of the commune report, written from its figures: how many households
were surveyed, the key indicators against their targets, the villages furthest behind, what the
teams did. Staff may rewrite them (in the DOCX, or by giving their own text); every figure in
them is one the report's tables print too.
"""

from __future__ import annotations

from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import format_number
from fieldapp.reports.summary import ReportData, change, figure, n_of, pct, status_text


def _coverage(data: ReportData) -> str:
    cur, prev = data.current, data.previous
    if not cur.households_surveyed:
        return _("In {period} no household was interviewed ({registry} households in the "
                 "registry): the indicators have no figures for this period.").format(
            period=data.period.label(), registry=format_number(cur.registry_households))
    return _("In {period} the community digital technology teams interviewed {surveyed} of "
             "the registry's {registry} households ({share}), {persons} people; in {previous} "
             "they interviewed {surveyed_before} households.").format(
        period=data.period.label(), surveyed=format_number(cur.households_surveyed),
        registry=format_number(cur.registry_households), share=pct(cur.coverage, 0),
        persons=format_number(cur.persons), previous=data.previous.period.label(),
        surveyed_before=format_number(prev.households_surveyed))


def _targets(data: ReportData) -> list[str]:
    small = data.current.small_cell
    keys = [r for r in data.results if r.indicator.key and r.indicator.group == "indicator"]
    with_target = [r for r in keys if r.indicator.target is not None]
    parts, met = [], 0
    for r in with_target:
        before = data.previous.result(r.indicator.id)
        text = figure(r.overall, small)
        if text in ("–", "—"):
            text = _("no figure ({count} answers)").format(count=n_of(r.overall))
        else:
            met += r.status == "met"
        parts.append(_("{name}: {figure}, change {change}; target {target}: {status}").format(
            name=r.indicator.name, figure=text,
            change=change(r.overall, before.overall if before else None, small),
            target=pct(r.indicator.target / 100, 0) + (
                f" ({r.indicator.target_year})" if r.indicator.target_year else ""),
            status=status_text(r.status).lower()))
    out = []
    if parts:
        out.append(_("Against the provincial targets ({met} of {count} met): {list}.").format(
            met=met, count=len(with_target), list="; ".join(parts)))
    missing = [r.indicator.name for r in keys if r.indicator.target is None]
    if missing:
        out.append(_("No provincial target is set for: {list}; they are shown for "
                     "following up only.").format(list="; ".join(missing)))
    empty = [r.indicator.name for r in data.results
             if r.indicator.group == "indicator" and r.overall.population == 0]
    if empty and data.current.households_surveyed:
        out.append(_("Nobody surveyed in the period belongs to the population of: {list}; "
                     "these indicators have no figure.").format(list="; ".join(empty)))
    return out


def _villages(data: ReportData) -> str | None:
    """The villages furthest behind on the key person indicators."""
    if data.village is not None or not data.current.households_surveyed:
        return None
    small = data.current.small_cell
    keys = [r for r in data.results if r.indicator.key and r.indicator.level == "person"]
    names = {v.id: v.name for v in data.villages}
    scores = []
    for village_id in data.current.by_village:
        shares = []
        for r in keys:
            tally = r.by_village.get(village_id)
            if tally is not None and tally.shown(small):
                shares.append((tally.value, r.indicator.id, r))
        if shares:
            mean = sum(v for v, _i, _r in shares) / len(shares)
            scores.append((mean, names.get(village_id, village_id or "—"), village_id,
                           min(shares, key=lambda x: (x[0], x[1]))))
    if len(scores) <= 1:
        only = scores[0][1] if scores else next(iter(names.values()), "—")
        return _("In {period} only one village has figures ({village}): villages cannot be "
                 "compared yet.").format(period=data.period.label(), village=only)
    scores.sort(key=lambda s: (s[0], s[1]))
    behind = []
    for _mean, name, village_id, (_value, _id, result) in scores[:2]:
        behind.append(_("{village} (lowest: {indicator}, {share})").format(
            village=name, indicator=result.indicator.name,
            share=figure(result.by_village[village_id], small)))
    return _("Furthest behind on the key indicators: {list}.").format(list="; ".join(behind))


def _team(data: ReportData) -> str:
    s = data.sessions
    if s is None or not s.sessions:
        return _("No support session was recorded in {period}.").format(
            period=data.period.label())
    top = sorted(((n, code) for code, n in s.outcomes.items() if code != "none"), reverse=True)
    results = "; ".join(f"{s.outcome_labels.get(code, code)} ({format_number(n)})"
                        for n, code in top[:3]) or _("none recorded")
    text = _("The teams held {sessions} support sessions: {persons} entries for a person and "
             "{households} for a household as a whole; results most often reached: "
             "{results}.").format(sessions=format_number(s.sessions),
                                  persons=format_number(s.persons_helped),
                                  households=format_number(s.households_helped),
                                  results=results)
    t = data.training
    if t is not None and t.classes:
        text += " " + _("{classes} training classes, {learners} learners.").format(
            classes=format_number(t.classes), learners=format_number(t.learners))
    return text


def narrative(data: ReportData) -> list[str]:
    """The generated opening paragraphs."""
    paragraphs = [_coverage(data)]
    if data.current.households_surveyed:
        paragraphs += _targets(data)
        villages = _villages(data)
        if villages:
            paragraphs.append(villages)
    paragraphs.append(_team(data))
    return paragraphs
