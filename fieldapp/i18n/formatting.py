"""Dates and numbers formatted for the interface language with babel (CLDR data).

Vietnamese (and the pseudo-locale) format as vi_VN: short dates d/M/yy, numbers 1.234.567,891.
Label-pack languages (tyz, nut, ium, mji) have no CLDR data, so they always format as vi_VN too;
English formats as en_GB (day before month, as Vietnamese readers expect).
Every result is NFC.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from typing import TYPE_CHECKING

from fieldapp.i18n import catalog
from fieldapp.i18n.text import nfc

if TYPE_CHECKING:  # babel is imported when a value is first formatted, not at start-up
    from babel import Locale

VIETNAMESE = "vi_VN"
ENGLISH = "en_GB"
# Vietnam keeps UTC+7 all year (no daylight saving); a fixed offset needs no tz database,
# which Windows Pythons lack.
VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7), "ICT")


def babel_locale(language: str | None = None) -> "Locale":
    """The babel Locale for an interface or label-pack language (default: the current one).

    English is en_GB; everything else (vi, the pseudo-locale, the label packs without CLDR
    data) is vi_VN, because the app's users read Vietnamese dates and numbers.
    """
    from babel import Locale

    language = (language or catalog.current_language()).replace("-", "_")
    if language == "en" or language.startswith("en_"):
        return Locale.parse(ENGLISH)
    return Locale.parse(VIETNAMESE)


def format_date(value: dt.date, format: str = "short", *, language: str | None = None) -> str:
    """``5/3/26`` (vi, short), ``5 thg 3, 2026`` (vi, medium); ``05/03/2026`` in English."""
    if isinstance(value, dt.datetime):
        value = _local(value).date()
    from babel.dates import format_date as babel_format_date

    return nfc(babel_format_date(value, format, locale=babel_locale(language)))


def format_datetime(value: dt.datetime, format: str = "short", *,
                    language: str | None = None) -> str:
    """A date and time; aware values are shown in Vietnam time (UTC+7)."""
    from babel.dates import format_datetime as babel_format_datetime

    return nfc(babel_format_datetime(_local(value), format, locale=babel_locale(language)))


def format_number(value: int | float | Decimal, *, decimals: int | None = None,
                  language: str | None = None) -> str:
    """``1.234.567,891`` (vi); ``decimals`` fixes the number of digits after the comma."""
    pattern = None
    if decimals is not None:
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    from babel.numbers import format_decimal

    return nfc(format_decimal(value, format=pattern, locale=babel_locale(language)))


def format_percent(value: float, *, decimals: int = 0, language: str | None = None) -> str:
    """``0.256`` -> ``26%`` (vi); ``decimals`` digits after the comma."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    from babel.numbers import format_percent as babel_format_percent

    return nfc(babel_format_percent(value, format=pattern, locale=babel_locale(language)))


def _local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(VIETNAM_TIME).replace(tzinfo=None)
