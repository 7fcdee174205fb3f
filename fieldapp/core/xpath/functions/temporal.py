"""Dates and times: today(), now(), date(), date-time(), decimal-date-time(), decimal-time(),
format-date() and format-date-time(); a number converts as days since 1970-01-01."""

from __future__ import annotations

import math

from fieldapp.core.xpath import dates
from fieldapp.core.xpath.functions.registry import register, truncate
from fieldapp.core.xpath.values import NAN, NodeSet, Value, string_to_number, to_string


def _date_of(value: Value) -> "dates.dt.datetime | None":
    """A datetime from a date/date-time string or a number of days; None if it is neither.

    An answer (a node) holding a number counts as days, since answers are stored as text; a
    string literal that is not a date is not a date (``decimal-date-time('-1000')``), as in
    JavaRosa.
    """
    node = isinstance(value, NodeSet)
    if node:
        value = value[0] if value else ""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        parsed = dates.parse_datetime(value)
        if parsed is not None or not node:
            return parsed
        number = string_to_number(value)
        return dates.datetime_from_days(number) if number == number else None
    return dates.datetime_from_days(value)


@register("today", 0)
def _today(ctx):
    return dates.date_text(ctx.today())


@register("now", 0)
def _now(ctx):
    return dates.datetime_text(ctx.now())


@register("date", 1)
def _date(ctx, a):
    if isinstance(a, NodeSet):
        a = a[0] if a else ""
        if a.strip() and dates.parse_datetime(a) is None:
            a = string_to_number(a)  # an answer holding a number of days
    if isinstance(a, float):
        a = truncate(a)  # JavaRosa truncates a day count toward zero
    value = _date_of(a)
    return dates.date_text(value) if value is not None else ""


@register("date-time", 1)
def _date_time(ctx, a):
    value = _date_of(a)
    return dates.datetime_text(value) if value is not None else ""


@register("decimal-date-time", 1)
def _decimal_date_time(ctx, a):
    value = _date_of(a)
    return dates.days_from_datetime(value) if value is not None else NAN


@register("decimal-time", 1)
def _decimal_time(ctx, a):
    if isinstance(a, float):
        return a - math.floor(a) if a == a and not math.isinf(a) else NAN
    return dates.local_time_fraction(to_string(a), ctx.now().tzinfo)


@register("format-date", 2)
def _format_date(ctx, a, fmt):
    value = _date_of(a)
    return dates.format_datetime(value, to_string(fmt)) if value is not None else ""


@register("format-date-time", 2)
def _format_date_time(ctx, a, fmt):
    value = _date_of(a)
    return dates.format_datetime(value, to_string(fmt)) if value is not None else ""
