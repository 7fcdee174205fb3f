"""Dates as the XForm instance stores them ('YYYY-MM-DD', ISO date-times) and as numbers of days.

Like JavaRosa, a date used as a number is the count of days since 1970-01-01; a date-time adds the
fraction of the day. Date-times are taken at their wall-clock time (a UTC offset, if written, is
ignored), which is what users in one time zone expect of ``now() - ${start}``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache

EPOCH = dt.date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
_DATE_RE = re.compile(r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\s*\Z")
_DATETIME_RE = re.compile(
    r"\s*([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]+))?)?"
    r"\s*(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*\Z"
)
_TIME_RE = re.compile(
    r"\s*([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
    r"\s*(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*\Z")

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # date.weekday() order


@lru_cache(maxsize=4096)
def parse_datetime(text: str) -> dt.datetime | None:
    """A naive datetime for 'YYYY-MM-DD' or an ISO date-time string; None if it is neither."""
    m = _DATE_RE.match(text)
    try:
        if m:
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]))
        m = _DATETIME_RE.match(text)
        if m:
            micro = int((m[7] or "0")[:6].ljust(6, "0"))
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]),
                               int(m[6] or 0), micro)
    except ValueError:  # 2021-02-30, hour 25 ...
        return None
    return None


def utc_offset(text: str) -> dt.timedelta | None:
    """The UTC offset written in a date-time or time ('Z', '+07:00', '-0300'); None if none."""
    m = _DATETIME_RE.match(text) or _TIME_RE.match(text)
    if m is None or not m.lastindex:
        return None
    zone = m[m.re.groups]
    if not zone:
        return None
    if zone == "Z":
        return dt.timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        return None
    return sign * dt.timedelta(hours=hours, minutes=minutes)


def local_time_fraction(text: str, local: dt.tzinfo | None) -> float:
    """Fraction of the day of a time or date-time, taken in the zone ``local`` when ``text``
    carries a UTC offset (as JavaRosa's decimal-time() does), at its wall clock otherwise."""
    offset = utc_offset(text)
    fraction = time_fraction(text)
    if offset is None or local is None or fraction != fraction:
        return fraction
    here = dt.datetime.now(local).utcoffset() or dt.timedelta(0)
    shifted = fraction + (here - offset).total_seconds() / 86400.0
    return shifted - math.floor(shifted)


def is_date_text(text: str) -> bool:
    """True if ``text`` looks like a date or date-time (used before trying number parsing)."""
    return len(text) >= 10 and text.lstrip()[4:5] == "-" and parse_datetime(text) is not None


def days_from_datetime(value: dt.datetime) -> float:
    """Days (with fraction) since 1970-01-01 00:00 of a naive or aware datetime's wall clock."""
    day = value.toordinal() - _EPOCH_ORDINAL
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return day + seconds / 86400.0


def datetime_from_days(days: float) -> dt.datetime | None:
    """The naive datetime ``days`` after the epoch; None for NaN, infinities and absurd values."""
    if math.isnan(days) or math.isinf(days) or abs(days) > 3_000_000:
        return None
    whole = math.floor(days)
    millis = round((days - whole) * 86_400_000)
    try:
        return dt.datetime.combine(EPOCH + dt.timedelta(days=whole), dt.time()) + dt.timedelta(
            milliseconds=millis)
    except OverflowError:
        return None


def date_text(value: dt.date) -> str:
    """'YYYY-MM-DD' (years below 1000 are zero-padded, as ISO wants)."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def datetime_text(value: dt.datetime) -> str:
    """ISO 8601 with milliseconds, and the UTC offset when ``value`` is aware (JavaRosa style)."""
    text = (f"{date_text(value)}T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
            f".{value.microsecond // 1000:03d}")
    offset = value.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        minutes = abs(minutes)
        text += f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return text


@lru_cache(maxsize=1024)
def time_fraction(text: str) -> float:
    """Fraction of the day of 'HH:MM[:SS[.fff]]' (offset ignored) or a date-time; else NaN."""
    m = _TIME_RE.match(text)
    if m:
        h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
        if h > 23 or mi > 59 or s > 59:
            return math.nan
        frac = float("0." + m[4]) if m[4] else 0.0
        return (h * 3600 + mi * 60 + s + frac) / 86400.0
    value = parse_datetime(text)
    if value is None:
        return math.nan
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return seconds / 86400.0


def format_datetime(value: dt.datetime, pattern: str) -> str:
    """Format like ODK's format-date/format-date-time: %Y %y %m %n %b %d %e %a %H %h %M %S %3.

    Month and day names are the English abbreviations JavaRosa uses; unknown %x pass through.
    """
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch != "%" or i + 1 == n:
            out.append(ch)
            i += 1
            continue
        code = pattern[i + 1]
        i += 2
        if code == "Y":
            out.append(f"{value.year:04d}")
        elif code == "y":
            out.append(f"{value.year % 100:02d}")
        elif code == "m":
            out.append(f"{value.month:02d}")
        elif code == "n":
            out.append(str(value.month))
        elif code == "b":
            out.append(_MONTHS[value.month - 1])
        elif code == "d":
            out.append(f"{value.day:02d}")
        elif code == "e":
            out.append(str(value.day))
        elif code == "a":
            out.append(_DAYS[value.weekday()])
        elif code == "H":
            out.append(f"{value.hour:02d}")
        elif code == "h":
            out.append(str(value.hour))
        elif code == "M":
            out.append(f"{value.minute:02d}")
        elif code == "S":
            out.append(f"{value.second:02d}")
        elif code == "3":
            out.append(f"{value.microsecond // 1000:03d}")
        elif code == "%":
            out.append("%")
        else:
            out.append("%" + code)
    return "".join(out)
