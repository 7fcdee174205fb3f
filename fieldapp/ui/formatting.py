"""Numbers and code labels as the current interface language shows them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from PySide6.QtCore import QLocale

from fieldapp.i18n import catalog
from fieldapp.i18n.catalog import _

_VIETNAMESE = QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)
_ENGLISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def fmt_int(value: int | None) -> str:
    """A count as the interface language writes it: 2,341 (en) or 2.341 (vi and the packs).

    Qt's CLDR data gives the same digits as fieldapp.i18n.formatting.format_number (babel;
    tests/ui/test_formatting.py checks it) without loading babel's locale data on the UI's
    start-up path, where it cost ~40 ms before the first paint.
    """
    if value is None:
        return ""
    english = catalog.current_language() == "en"
    return (_ENGLISH if english else _VIETNAMESE).toString(int(value))


def fmt_decimal(value: float, decimals: int = 1) -> str:
    """A measure with ``decimals`` digits after the point: 2.5 (en), 2,5 (vi and the packs)."""
    english = catalog.current_language() == "en"
    return (_ENGLISH if english else _VIETNAMESE).toString(float(value), "f", decimals)


def form_title(titles: dict[str, str], form_id: str) -> str:
    """A form's title in Vietnamese (forms are written in Vietnamese), else any language."""
    return titles.get("vi") or next((t for t in titles.values() if t), form_id)


def code_label(labels: dict[str, str], code: str | None) -> str:
    """Translated label of a stored code; unknown codes are shown as they are."""
    if not code:
        return ""
    label = labels.get(code)
    return _(label) if label else code


def parse_properties(value: Any) -> dict[str, Any]:
    """A row's ``properties`` column (JSON text) as a dict; anything unreadable gives {}."""
    if isinstance(value, dict):
        return value
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def stored_time(value: str | None, *, with_time: bool = True) -> str:
    """A stored UTC time as local "dd/mm/yyyy HH:MM" (or just the date); a plain date as it is.

    '' when missing; the stored text when it cannot be read.
    """
    if not value:
        return ""
    try:
        if len(value) == 10:  # a date without a time: no time zone to convert
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone().strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def age_text(value: str | None, now: dt.datetime | None = None) -> str:
    """How long ago a stored UTC time was, in words: "today", "yesterday", "12 days ago"."""
    from fieldapp.i18n.catalog import ngettext

    if not value:
        return ""
    then = dt.datetime.fromisoformat(value)
    now = now or dt.datetime.now(dt.timezone.utc)
    days = (now.date() - then.astimezone(dt.timezone.utc).date()).days
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("{count} day ago", "{count} days ago", days).format(count=fmt_int(days))
