"""Labels for the household properties the registry stores: what a form saves to the registry
(``save_to``) beyond its columns, under the household survey's field and choice codes. Marked
with N_, translated when shown.

Unknown keys (a commune's own form may add some) are shown as written.
"""

from __future__ import annotations

from typing import Any

from fieldapp.core import codes
from fieldapp.i18n.catalog import N_, _, pgettext
from fieldapp.ui.formatting import code_label

HOUSEHOLD_PROPERTIES = {
    "grid_power": N_("Grid electricity"),
    "mobile_signal": N_("Mobile signal"),
    "fibre": N_("Fibre internet"),
    "digital_address": N_("Digital address"),
    "sells_online": N_("Sells online"),
    "qr_payment": N_("Takes QR payments"),
    "barriers": N_("Barriers to digital services"),
}

# Order in the household pane: the survey's order, then anything else alphabetically.
_ORDER = {key: i for i, key in enumerate(HOUSEHOLD_PROPERTIES)}

SIGNAL = {"none": N_("No signal"), "weak": N_("Weak"), "mobile_4g": N_("4G"),
          "mobile_5g": N_("5G")}


def property_label(key: str) -> str:
    label = HOUSEHOLD_PROPERTIES.get(key)
    return _(label) if label else key.replace("_", " ").strip().capitalize()


def property_value(key: str, value: Any) -> str:
    """A property's value for display: yes/no, code lists and barrier lists get labels."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return pgettext("answer", "Yes") if value else pgettext("answer", "No")
    if key == "barriers":
        items = value.split() if isinstance(value, str) else list(value)
        return ", ".join(code_label(codes.BARRIERS, str(v)) for v in items)
    if key == "mobile_signal":
        return code_label(SIGNAL, str(value))
    if value == "yes":
        return pgettext("answer", "Yes")
    if value == "no":
        return pgettext("answer", "No")
    if value == "dont_know":
        return pgettext("answer", "Don't know")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def ordered_properties(properties: dict[str, Any]) -> list[tuple[str, Any]]:
    return sorted(properties.items(), key=lambda kv: (_ORDER.get(kv[0], len(_ORDER)), kv[0]))
