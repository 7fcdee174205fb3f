"""Indicators over the stored survey rounds: which file declares them, which rounds count.

The shipped ``forms/indicators.toml`` declares the commune summary's indicators
(fieldapp.core.indicators describes the format); a province adds or replaces indicators with its
own ``indicators.toml`` in the data folder's ``forms/`` folder, without code. Every ``${field}``
is checked against the form it counts when the file is loaded; a file with a mistake is refused
with its file, line and key.

:func:`tabulate` picks the rounds: for each household its latest round with an interview
(completed or partly) finalized in the period (no period: ever), and counts them with
:class:`fieldapp.core.tabulation.Tabulation`. Visits without an interview (refused, nobody at
home, moved, empty house) are counted apart, for the summary's completeness section.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp import paths
from fieldapp.core.indicators import IndicatorFileError, IndicatorSet, parse_indicators
from fieldapp.core.tabulation import IndicatorResult, RoundCounts, Tabulation
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import VIETNAM_TIME
from fieldapp.services.forms import FormCatalog
from fieldapp.storage.store import Store

INDICATOR_FILE = "indicators.toml"
INTERVIEWED = ("completed", "partly")


class ReportCancelled(UserError):
    """The user cancelled making a report or an export; nothing was written."""


class IndicatorFileProblem(UserError):
    """An indicator file that cannot be used; the message names every problem's place."""


def indicator_files() -> list[Path]:
    """The shipped file, then the commune's (if it has one)."""
    found = [paths.forms_dir() / INDICATOR_FILE]
    commune = paths.commune_forms_dir() / INDICATOR_FILE
    if commune.is_file():
        found.append(commune)
    return found


def load_indicators(catalog: FormCatalog | None = None,
                    files: list[Path] | None = None) -> IndicatorSet:
    """The indicator set of the household survey: the shipped file extended by the commune's.
    Raises IndicatorFileProblem (a UserError) naming the file, line and key of each mistake."""
    catalog = catalog or FormCatalog()
    result: IndicatorSet | None = None
    for path in files or indicator_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise IndicatorFileProblem(_("{file}: cannot be read ({error})").format(
                file=path, error=getattr(exc, "strerror", None) or exc)) from None
        try:
            form_id = tomllib.loads(text).get("form")
        except tomllib.TOMLDecodeError:
            form_id = None  # parse_indicators locates the error
        known = None
        if isinstance(form_id, str):
            try:
                known = set(catalog.current(form_id)[1].nodes)
            except KeyError:
                raise IndicatorFileProblem(_("{file}: no form {form} to count").format(
                    file=path.name, form=form_id)) from None
        try:
            found = parse_indicators(text, path.name, known)
        except IndicatorFileError as err:
            raise IndicatorFileProblem("\n".join(str(p) for p in err.problems)) from None
        result = found if result is None else result.extended(found)
    if result is None:
        raise IndicatorFileProblem(_("No indicator file was found."))
    missing = result.undeclared_levels()
    if missing:
        raise IndicatorFileProblem("\n".join(
            _("{file}, line {line}, level: no [levels.{level}] table declares this level")
            .format(file=i.source, line=i.line, level=i.level) for i in missing))
    return result


@dataclass(frozen=True)
class Period:
    """Dates in Vietnam, both included; None leaves a side open (no period: the latest round
    of every household, whenever it was)."""

    start: dt.date | None = None
    end: dt.date | None = None

    def bounds(self) -> tuple[str | None, str | None]:
        """[start, end) as ISO UTC texts comparable with stored finalized_at values."""
        def utc(day: dt.date) -> str:
            local = dt.datetime.combine(day, dt.time(0), VIETNAM_TIME)
            return local.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")

        return (utc(self.start) if self.start else None,
                utc(self.end + dt.timedelta(days=1)) if self.end else None)

    @property
    def is_open(self) -> bool:
        return self.start is None and self.end is None


@dataclass
class Tabulated:
    """Indicator results and what they were computed from."""

    indicators: IndicatorSet
    results: list[IndicatorResult]
    counts: RoundCounts
    visits: dict[str, int] = field(default_factory=dict)
    """Every visit in the period by interview result (interviewed or not)."""
    households_interviewed: int = 0
    first: str | None = None
    last: str | None = None
    """finalized_at of the earliest and latest round counted."""

    def result(self, indicator_id: str) -> IndicatorResult | None:
        return next((r for r in self.results if r.indicator.id == indicator_id), None)


def tabulate(store: Store, indicators: IndicatorSet, *, period: Period = Period(),
             village_id: str | None = None, today: dt.date | None = None,
             progress: Callable[[int, int], None] = lambda d, t: None,
             cancelled: Callable[[], bool] = lambda: False) -> Tabulated:
    """Count the indicators over each household's latest interviewed round in ``period``
    (in ``village_id`` only, if given)."""
    start, end = period.bounds()
    latest: dict[str, tuple] = {}
    visits: dict[str, int] = {}
    for row in store.submissions.round_index(indicators.form_id, start, end):
        submission_id, household, village, finalized, result = row
        if village_id and village != village_id:
            continue
        result = result or "unknown"
        visits[result] = visits.get(result, 0) + 1
        if result in INTERVIEWED and household:
            latest[household] = (finalized or "", submission_id, village)  # newest wins
    chosen = sorted(latest.values())
    village_of = {submission_id: village for _f, submission_id, village in chosen}
    table = Tabulation(indicators, today or dt.date.today())
    total = len(chosen)
    done = 0
    for submission_id, text in store.submissions.answers_of([r[1] for r in chosen]):
        answers = json.loads(text)
        table.add_round(answers, village_of[submission_id] or answers.get("village") or "")
        done += 1
        if done % 500 == 0:
            if cancelled():
                raise ReportCancelled(_("Cancelled."))
            progress(done, total)
    progress(total, total)
    return Tabulated(indicators, table.results(), table.counts, visits, len(chosen),
                     chosen[0][0] if chosen else None, chosen[-1][0] if chosen else None)
