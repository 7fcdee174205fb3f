"""Numbers and code labels as the current interface language shows them."""

from __future__ import annotations

import json
from typing import Any

from babel.numbers import format_decimal

from fieldapp.i18n import catalog
from fieldapp.i18n.catalog import _


def number_locale() -> str:
    """babel locale for numbers: English for the English interface, else Vietnamese.

    Label packs (Tày, Nùng, Dao) have no CLDR data, so they format numbers the Vietnamese way.
    """
    return "en_US" if catalog.current_language() == "en" else "vi_VN"


def fmt_int(value: int | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=number_locale())


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
