"""The commune's indicators: which file declares them, the fixed periods they are counted over,
and :func:`indicator_figures`, the one computation that Home, the commune report (PDF and
DOCX), the XLSX indicator sheet and the province's table per commune all call.

The shipped ``forms/indicators.toml`` declares the indicators (fieldapp.core.indicators
describes the format); a province adds or replaces indicators with its own ``indicators.toml``
in the data folder's ``forms/`` folder, without code. Every ``${field}`` is checked against the
form it counts when the file is loaded; a file with a mistake is refused with its file, line
and key.

A period is a year, a half-year or a quarter (dates in Vietnam). In a period each household
counts with its latest round with an interview (completed or partly) finalized in it. The
counts of those rounds are kept summed per period and village in the database
(fieldapp.services.indicator_cache keeps them up to date), so a report reads sums, not rounds.
Visits without an interview (refused, nobody at home, moved, empty house) are counted apart,
for the report's completeness section.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import tomllib
from collections.abc import Callable
from pathlib import Path

from fieldapp import paths
from fieldapp.core.indicators import IndicatorFileError, IndicatorSet, parse_indicators
from fieldapp.core.periods import Period, default_period, period_keys, vietnam_day
from fieldapp.core.tabulation import CASES, Figures, results
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.textfile import read_text_file
from fieldapp.services.forms import FormCatalog
from fieldapp.services.indicator_cache import INTERVIEWED, ReportCancelled, refresh
from fieldapp.storage.store import Store

__all__ = ["Figures", "INTERVIEWED", "IndicatorFileProblem", "Period", "ReportCancelled",
           "default_period", "indicator_figures", "load_indicators", "period_keys",
           "vietnam_day"]

INDICATOR_FILE = "indicators.toml"


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
    Raises IndicatorFileProblem (a UserError) naming the file, line and key of each mistake.
    The set's ``digest`` changes whenever a file's text does."""
    catalog = catalog or FormCatalog()
    result: IndicatorSet | None = None
    digest = hashlib.sha256()
    for path in files or indicator_files():
        try:
            text = read_text_file(path)
        except UserError as exc:
            raise IndicatorFileProblem(str(exc)) from None
        digest.update(text.encode("utf-8") + b"\0")
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
    return dataclasses.replace(result, digest=digest.hexdigest()[:16])


# -- the one computation -----------------------------------------------------------------------

def indicator_figures(store: Store, period: Period, *, village_ids: list[str] | None = None,
                      indicators: IndicatorSet | None = None, today: dt.date | None = None,
                      registry: dict[str, int] | None = None,
                      progress: Callable[[int, int], None] = lambda d, t: None,
                      cancelled: Callable[[], bool] = lambda: False) -> Figures:
    """The indicators of a fixed ``period`` over ``village_ids`` (None: every village): the
    one computation behind every figure the app shows or prints. ``registry``: the live
    households per village, when the caller has them already."""
    if period.key is None:
        raise UserError(_("Indicators are counted over a year, a half-year or a quarter."))
    indicators = indicators or load_indicators()
    refresh(store, indicators, today=today, progress=progress, cancelled=cancelled)
    sums = store.indicator_sums
    by_village = sums.totals([period.key], village_ids)[period.key]
    visits_by_village = sums.visits(indicators.form_id, period.start.isoformat(),
                                    period.end.isoformat(), village_ids)
    registry = dict(registry) if registry is not None else sums.registry_households()
    if village_ids is not None:
        registry = {v: registry.get(v, 0) for v in village_ids}
    visits: dict[str, int] = {}
    for counts in visits_by_village.values():
        for outcome, n in counts.items():
            visits[outcome] = visits.get(outcome, 0) + n
    surveyed = {v: f.get(CASES, [0, 0])[0] for v, f in by_village.items()}
    return Figures(indicators, period, results(indicators, by_village), by_village,
                   sum(surveyed.values()),
                   sum(f.get(CASES, [0, 0])[1] for f in by_village.values()),
                   sum(registry.values()), surveyed, registry, visits)
