"""Gathering the commune report: indicators of a fixed period and of the one before, activity,
completeness (fieldapp.reports.commune_report lays them out).

Indicators come from :func:`fieldapp.services.indicators.indicator_figures` (the one
computation every screen and document uses); support sessions, teams and training from
:func:`fieldapp.services.activity.activity_source`. Labels of codes come from the forms
themselves, in the interface language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fieldapp.core import codes
from fieldapp.core.forms import Form
from fieldapp.i18n import catalog
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import fold, sort_key
from fieldapp.reports import summary as doc
from fieldapp.services.activity import (
    CITIZEN_SKILLS, LEVELS, MEMBER_SKILLS, PROGRESS_FORM, SESSION_FORM, ActivitySource,
    activity_source)
from fieldapp.services.forms import FormCatalog
from fieldapp.services.indicators import (
    Period, default_period, indicator_figures, load_indicators)
from fieldapp.storage.store import Store


def language() -> str:
    current = catalog.current_language()
    return current if current in ("vi", "en") else "vi"


def choice_labels(form: Form | None, list_name: str) -> dict[str, str]:
    """{code: label} of a choice list in the interface language ({} without the form)."""
    if form is None or list_name not in form.choice_lists:
        return {}
    return {c.name: form.text(c.label, language()) or c.name
            for c in form.choice_lists[list_name].choices}


def field_label(form: Form | None, name: str) -> str:
    if form is None or name not in form.fields:
        return name
    return form.text(form.fields[name].label, language()) or name


def _form(catalog_: FormCatalog, form_id: str) -> Form | None:
    try:
        return catalog_.current(form_id)[1]
    except KeyError:
        return None


def find_village(store: Store, wanted: str | None) -> dict | None:
    """A village by id or by name (accents and case ignored); None for no filter. Raises
    UserError naming the villages when none matches."""
    from fieldapp.errors import UserError

    if not wanted:
        return None
    villages = store.villages.list()
    for v in villages:
        if v["id"] == wanted or fold(v["name"]) == fold(wanted):
            return v
    raise UserError(_("No village {village}; the villages are: {names}").format(
        village=wanted, names=", ".join(v["name"] for v in villages) or "—"))


def sessions_summary(source: ActivitySource, session_form: Form | None, period: Period,
                     village_id: str | None) -> tuple[doc.Sessions, dict[str, dict]]:
    """Sessions by month and activity, entries for a person and for a household as a whole
    (counted apart), outcomes of both, and per team; from the sums of the sessions."""
    data = doc.Sessions(activity_labels=choice_labels(session_form, "activity"),
                        outcome_labels=choice_labels(session_form, "outcome"))
    counts = source.session_counts(period.start, period.end, village_id)
    per_team: dict[str, dict] = {}

    def team(team_id: str) -> dict:
        return per_team.setdefault(team_id, {"sessions": 0, "persons": 0, "households": 0,
                                             "achieved": 0, "last": counts.last.get(team_id)})

    for (month, team_id, activities), n in counts.sessions.items():
        data.sessions += n
        data.by_month[month] = data.by_month.get(month, 0) + n
        for activity in activities:
            by_month = data.by_activity.setdefault(activity, {})
            by_month[month] = by_month.get(month, 0) + n
            data.activity_labels.setdefault(activity, activity)
        team(team_id)["sessions"] += n
    for (_month, team_id, outcomes, person), n in counts.entries.items():
        if person:
            data.persons_helped += n
            team(team_id)["persons"] += n
        else:
            data.households_helped += n
            team(team_id)["households"] += n
        for outcome in outcomes:
            data.outcomes[outcome] = data.outcomes.get(outcome, 0) + n
        team(team_id)["achieved"] += n * sum(1 for o in outcomes if o != "none")
    if data.by_month:
        first, last = min(data.by_month), max(data.by_month)
        months, (y, m) = [], first
        while (y, m) <= last:
            months.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        data.months = months[-12:]  # a page holds a year of months
    return data, per_team


def team_rows(store: Store, source: ActivitySource, per_team: dict[str, dict],
              village_id: str | None) -> list[doc.TeamRow]:
    villages = {v["id"]: v["name"] for v in store.villages.list()}
    rows = []
    for team in source.teams():
        if village_id and team.village_id != village_id:
            continue
        stats = per_team.get(team.id, {})
        name = team.name or _("Team of {village}").format(
            village=villages.get(team.village_id or "", "—"))
        rows.append(doc.TeamRow(name, len(team.members), stats.get("sessions", 0),
                                stats.get("persons", 0), stats.get("achieved", 0),
                                stats.get("last"), stats.get("households", 0)))
    return sorted(rows, key=lambda r: sort_key(r.name))


def training_summary(source: ActivitySource, progress_form: Form | None,
                     village_id: str | None) -> doc.Training:
    data = doc.Training(
        levels=[(code, choice_labels(progress_form, "level").get(code, code)) for code in LEVELS],
        skills=[(s, field_label(progress_form, s)) for s in CITIZEN_SKILLS + MEMBER_SKILLS])
    classes = [c for c in source.classes() if not village_id or c.village_id == village_id]
    wanted = {c.id for c in classes}
    latest: dict[tuple[str, str], dict[str, str]] = {}
    present = records = 0
    for a in source.assessments():
        if a.class_id not in wanted:
            continue
        if a.attendance:  # a day with only a level assessed is not an attendance record
            records += 1
            present += a.attendance in ("present", "late")
        if a.levels:
            latest.setdefault((a.class_id, a.learner_id), {}).update(a.levels)
    data.classes = len(classes)
    data.learners = len({(c.id, learner) for c in classes for learner in c.learners})
    data.days = sum(len(c.days) for c in classes)
    data.attendance = (present, records)
    for levels in latest.values():
        for skill, level in levels.items():
            counts = data.counts.setdefault(skill, {})
            counts[level] = counts.get(level, 0) + 1
    return data


def gather(store: Store, *, village: str | None = None, period: Period | None = None,
           today: dt.date | None = None, printed_by: str | None = None,
           narrative: list[str] | None = None,
           progress: Callable[[int, int], None] = lambda d, t: None,
           cancelled: Callable[[], bool] = lambda: False,
           catalog_: FormCatalog | None = None) -> doc.ReportData:
    """Everything the commune report prints, for a fixed ``period`` (default: this year)."""
    today = today or dt.date.today()
    if period is None or period.key is None:
        period = default_period(today)
    forms = catalog_ or FormCatalog()
    indicators = load_indicators(forms)
    chosen = find_village(store, village)
    village_id = chosen["id"] if chosen else None
    scope = [village_id] if village_id else None
    households = store.indicator_sums.registry_households()
    current = indicator_figures(store, period, village_ids=scope, indicators=indicators,
                                today=today, registry=households, progress=progress,
                                cancelled=cancelled)
    previous = indicator_figures(store, period.previous(), village_ids=scope,
                                 indicators=indicators, today=today, registry=households)
    survey = _form(forms, indicators.form_id)
    ordered = sorted(store.villages.list(), key=lambda v: (v.get("position") is None,
                                                            v.get("position") or 0))
    villages = [doc.Village(v["id"], v["name"], bool(v.get("remote")),
                            households.get(v["id"], 0)) for v in ordered]
    commune = store.commune() or {}
    user = store.users.get(store.meta("current_user_id") or "")
    source = activity_source(store)
    session_form = _form(forms, SESSION_FORM)
    progress_form = _form(forms, PROGRESS_FORM)
    sessions, per_team = sessions_summary(source, session_form, period, village_id)
    drafts = store.indicator_sums.drafts()
    from fieldapp.services.sync.service import SyncService

    freshness = [doc.Freshness(d.name, d.user_name,
                               dt.datetime.fromisoformat(d.last_received_at)
                               if d.last_received_at else None)
                 for d in SyncService(store).devices() if d.kind == "member"]
    ethnicity = choice_labels(survey, "ethnicity") or {k: _(v) for k, v in
                                                       codes.ETHNICITIES.items()}
    return doc.ReportData(
        commune=commune.get("name", ""), province=commune.get("province", "") or "",
        printed_on=today, printed_by=printed_by if printed_by is not None else
        (user["name"] if user else ""), period=period, current=current, previous=previous,
        villages=villages, village=next((v for v in villages if v.id == village_id), None),
        result_labels={k: _(v) for k, v in codes.INTERVIEW_RESULTS.items()},
        ethnicity_labels=ethnicity, sex_labels={k: _(v) for k, v in codes.SEXES.items()},
        freshness=freshness, this_device=store.device_name, sessions=sessions,
        teams=team_rows(store, source, per_team, village_id),
        training=training_summary(source, progress_form, village_id),
        drafts=drafts, conflicts=len(store.conflicts.list()), narrative=narrative,
        activity_source=_("Sessions and training are read from the records of the Sessions and "
                          "Training screens and from the finalized forms “{sessions}” and "
                          "“{training}”.").format(
            sessions=session_form.title_in(language()) if session_form else SESSION_FORM,
            training=progress_form.title_in(language()) if progress_form else PROGRESS_FORM))
