"""What the commune report prints, as plain data (:class:`ReportData`), and how its figures are
written: every share beside its counts (n/N), "–" for a share over fewer cases than the
indicator file's small-cell threshold, the change against the previous period in percentage
points. The same helpers write the PDF, the DOCX, the XLSX indicator sheet and Home's chart,
so a figure reads the same everywhere.

fieldapp.reports.commune_report lays the data out as an administrative report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from fieldapp.core.periods import Period
from fieldapp.core.tabulation import Figures, IndicatorResult, Tally
from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import format_number, format_percent

SUPPRESSED = "–"
"""Printed instead of a share over too few cases (with a footnote)."""


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
    """Outcome -> entries that reached it: persons and households helped as a whole."""
    sessions: int = 0
    by_month: dict[tuple[int, int], int] = field(default_factory=dict)
    persons_helped: int = 0
    """Entries for a person."""
    households_helped: int = 0
    """Entries for a household as a whole (no person named)."""


@dataclass(frozen=True)
class TeamRow:
    name: str
    members: int
    sessions: int
    persons_helped: int
    achieved: int
    """Outcomes reached (everything but "no result yet"), for persons and households."""
    last_session: dt.date | None
    households_helped: int = 0


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
class ReportData:
    commune: str
    province: str
    printed_on: dt.date
    printed_by: str
    period: Period
    current: Figures
    previous: Figures
    villages: list[Village]
    village: Village | None = None
    ethnicity_labels: dict[str, str] = field(default_factory=dict)
    sex_labels: dict[str, str] = field(default_factory=dict)
    result_labels: dict[str, str] = field(default_factory=dict)
    freshness: list[Freshness] = field(default_factory=list)
    this_device: str = ""
    sessions: Sessions | None = None
    previous_sessions: Sessions | None = None
    teams: list[TeamRow] = field(default_factory=list)
    training: Training | None = None
    drafts: int = 0
    conflicts: int = 0
    activity_source: str = ""
    narrative: list[str] | None = None
    """Paragraphs written by staff to replace the generated ones (None: generated)."""

    @property
    def results(self) -> list[IndicatorResult]:
        return self.current.results


# -- figures as printed ------------------------------------------------------------------------

def pct(value: float | None, decimals: int = 1) -> str:
    return "—" if value is None else format_percent(value, decimals=decimals)


def shown(tally: Tally | None, small_cell: int) -> bool:
    return tally is not None and tally.shown(small_cell)


def share(tally: Tally | None, small_cell: int, decimals: int = 1) -> str:
    """The share n/N as a percentage; "–" for a small cell; "—" without anyone asked."""
    if tally is None or tally.denominator == 0:
        return "—"
    return pct(tally.value, decimals) if tally.shown(small_cell) else SUPPRESSED


def n_of(tally: Tally | None, small_cell: int | None = None) -> str:
    """"n/N" (hidden with the share for a small cell)."""
    if tally is None:
        return "0/0"
    if small_cell is not None and 0 < tally.denominator < small_cell:
        return SUPPRESSED
    return f"{format_number(tally.n)}/{format_number(tally.denominator)}"


def figure(tally: Tally | None, small_cell: int, decimals: int = 1) -> str:
    """"65,6% (149/227)": the share beside its counts; "–" alone for a small cell."""
    text = share(tally, small_cell, decimals)
    if text == SUPPRESSED or text == "—":
        return text
    return f"{text} ({n_of(tally)})"


def change(now: Tally | None, before: Tally | None, small_cell: int) -> str:
    """The change in percentage points ("+3,2"), or "–" when either share is not printed."""
    if not (shown(now, small_cell) and shown(before, small_cell)):
        return SUPPRESSED
    points = (now.value - before.value) * 100
    text = format_number(abs(points), decimals=1)
    return ("+" if points > 0.05 else "−" if points < -0.05 else "±") + text


def target_text(result: IndicatorResult) -> str:
    indicator = result.indicator
    if indicator.target is None:
        return _("No target")
    target = format_percent(indicator.target / 100)
    return _("{target} by {year}").format(target=target, year=indicator.target_year) \
        if indicator.target_year else target


def status_text(status: str) -> str:
    return {"met": _("Met"), "not_met": _("Not met"), "no_target": _("No target"),
            "no_data": _("No data")}[status]


def status_shown(result: IndicatorResult, small_cell: int) -> str:
    """Met / not met / no target; "–" when the share itself is not printed."""
    if result.overall.denominator and not result.overall.shown(small_cell):
        return SUPPRESSED
    return status_text(result.status)


def suppression_note(small_cell: int) -> str:
    return _("“–”: a share over fewer than {n} people or households is not printed (too few "
             "to be reliable, and it could reveal someone's answer).").format(n=small_cell)


def reasons_text(tally: Tally) -> str:
    """Not asked, by reason: "73 (Phần C hỏi theo vòng…); 3 (Vắng nhà…)"."""
    parts = []
    for reason, count in sorted(tally.reasons.items(), key=lambda kv: -kv[1]):
        parts.append(f"{format_number(count)} ({reason or _('not in the round’s questionnaire')})")
    return "; ".join(parts)


__all__ = ["Freshness", "ReportData", "SUPPRESSED", "Sessions", "TeamRow", "Training",
           "Village", "change", "figure", "n_of", "pct", "share", "status_text",
           "suppression_note", "target_text"]
