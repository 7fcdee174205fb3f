"""Fixed periods of the commune's reports: a year, a half-year or a quarter (dates in Vietnam),
each with the one before it. Pure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import VIETNAM_TIME

# -- periods -----------------------------------------------------------------------------------

_PERIOD_RE = re.compile(r"^\s*(\d{4})(?:\s*-\s*([QqHh])\s*([1-4]))?\s*$")


@dataclass(frozen=True)
class Period:
    """Dates in Vietnam, both included; None leaves a side open. A fixed period (a year, a
    half-year or a quarter, :meth:`parse`) also has its ``key`` ("2026", "2026-H2",
    "2026-Q4"): indicators are counted over fixed periods only."""

    start: dt.date | None = None
    end: dt.date | None = None
    key: str | None = None

    @classmethod
    def parse(cls, text: str) -> "Period":
        """"2026", "2026-H1" or "2026-Q3" (UserError otherwise)."""
        match = _PERIOD_RE.match(text or "")
        if not match or not 2000 <= int(match.group(1)) <= 2100 or (
                match.group(2) and match.group(2).upper() == "H" and int(match.group(3)) > 2):
            raise UserError(_("“{value}” is not a period: write a year (2026), a half-year "
                              "(2026-H2) or a quarter (2026-Q4).").format(value=text))
        year = int(match.group(1))
        if not match.group(2):
            return cls.of("year", year)
        kind = "half" if match.group(2).upper() == "H" else "quarter"
        return cls.of(kind, year, int(match.group(3)))

    @classmethod
    def of(cls, kind: str, year: int, number: int = 1) -> "Period":
        if kind == "year":
            return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
        months = 6 if kind == "half" else 3
        first = dt.date(year, (number - 1) * months + 1, 1)
        last_month = number * months
        last = (dt.date(year + 1, 1, 1) if last_month == 12
                else dt.date(year, last_month + 1, 1)) - dt.timedelta(days=1)
        letter = "H" if kind == "half" else "Q"
        return cls(first, last, f"{year}-{letter}{number}")

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> "Period":
        if kind == "year":
            return cls.of("year", day.year)
        months = 6 if kind == "half" else 3
        return cls.of(kind, day.year, (day.month - 1) // months + 1)

    @property
    def kind(self) -> str | None:
        if self.key is None:
            return None
        return "year" if len(self.key) == 4 else "half" if "H" in self.key else "quarter"

    @property
    def year(self) -> int | None:
        return int(self.key[:4]) if self.key else None

    @property
    def number(self) -> int:
        return int(self.key[-1]) if self.key and len(self.key) > 4 else 1

    def previous(self) -> "Period":
        """The fixed period just before (the same kind)."""
        if self.key is None or self.start is None:
            raise ValueError("only a fixed period has a previous one")
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def label(self) -> str:
        """"năm 2026", "6 tháng cuối năm 2026", "quý IV năm 2026"; dates otherwise."""
        kind, year = self.kind, self.year
        if kind == "year":
            return _("year {year}").format(year=year)
        if kind == "half":
            return (_("first half of {year}") if self.number == 1
                    else _("second half of {year}")).format(year=year)
        if kind == "quarter":
            return (_("first quarter of {year}"), _("second quarter of {year}"),
                    _("third quarter of {year}"),
                    _("fourth quarter of {year}"))[self.number - 1].format(year=year)
        from fieldapp.i18n.formatting import format_date

        if self.start and self.end:
            return _("from {start} to {end}").format(start=format_date(self.start, "dd/MM/yyyy"),
                                                     end=format_date(self.end, "dd/MM/yyyy"))
        return _("every round")

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


def period_keys(day: dt.date) -> tuple[str, str, str]:
    """The keys of the year, the half-year and the quarter a day falls in."""
    return (str(day.year), f"{day.year}-H{1 if day.month <= 6 else 2}",
            f"{day.year}-Q{(day.month - 1) // 3 + 1}")


def vietnam_day(stamp: str) -> dt.date:
    """The day in Vietnam of a stored ISO UTC time."""
    return dt.datetime.fromisoformat(stamp).astimezone(VIETNAM_TIME).date()


def default_period(today: dt.date) -> Period:
    """The year of ``today``."""
    return Period.of("year", today.year)
