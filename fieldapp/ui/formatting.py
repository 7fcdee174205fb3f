"""Numbers and code labels as the current interface language shows them."""

from __future__ import annotations

import json
from typing import Any

from fieldapp.i18n.catalog import _
from fieldapp.i18n.formatting import format_number


def fmt_int(value: int | None) -> str:
    """A count as the interface language writes it: 2,341 (en) or 2.341 (vi and the packs)."""
    if value is None:
        return ""
    return format_number(value)


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
