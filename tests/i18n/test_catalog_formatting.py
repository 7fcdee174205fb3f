"""Dates and numbers in the interface language (fieldapp.i18n.formatting)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest

from fieldapp.i18n import catalog
from fieldapp.i18n.formatting import (babel_locale, format_date, format_datetime, format_number,
                                      format_percent)


def test_vietnamese_formats():
    catalog.set_language("vi")
    assert format_date(dt.date(2026, 3, 5)) == "5/3/26"
    assert format_date(dt.date(2026, 3, 5), "long") == "5 tháng 3, 2026"
    assert format_number(1234567.891) == "1.234.567,891"
    assert format_number(Decimal("1234567.891"), decimals=1) == "1.234.567,9"
    assert format_number(1500000) == "1.500.000"
    assert format_percent(0.256) == "26%"
    assert format_datetime(dt.datetime(2026, 3, 5, 14, 7)) == "14:07 5/3/26"


def test_english_formats_follow_the_interface_language():
    catalog.set_language("en")
    assert format_date(dt.date(2026, 3, 5)) == "05/03/2026"
    assert format_number(1234567.891) == "1,234,567.891"
    catalog.set_language("vi")
    assert format_number(1234567.891) == "1.234.567,891"


@pytest.mark.parametrize("language", ["tyz", "nut", "ium", "mji", "tyz-VN", "pseudo"])
def test_languages_without_cldr_data_format_as_vietnamese(language):
    assert str(babel_locale(language)) == "vi_VN"
    assert format_date(dt.date(2026, 11, 23), language=language) == "23/11/26"
    assert format_number(1234567.891, language=language) == "1.234.567,891"


def test_aware_times_are_shown_in_vietnam_time():
    utc = dt.datetime(2026, 3, 5, 20, 30, tzinfo=dt.timezone.utc)
    assert format_datetime(utc, language="vi") == "03:30 6/3/26"
    assert format_date(utc, language="vi") == "6/3/26"


def test_results_are_nfc():
    text = format_date(dt.date(2026, 3, 5), "full", language="vi")
    assert unicodedata.is_normalized("NFC", text)
    assert "tháng" in text
