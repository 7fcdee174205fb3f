"""Per-laptop preferences, declared once with their defaults; never synced.

Preferences of this laptop (interface language, text size) and of each of its users (the label
pack of forms and how it is shown) are local: switching them must not create changes that
travel and conflict with commune staff's edits of the user. They live in ``app_meta`` under
their key (``key@user`` for per-user ones); reading an undeclared key is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fieldapp.storage.store import Store

DISPLAY_MODES = ("bilingual", "pack_only", "vietnamese_only")
REPORT_KINDS = ("commune", "province", "progress", "questionnaire", "household", "xlsx", "csv")


@dataclass(frozen=True)
class Option:
    key: str
    default: Any
    kind: type = str
    per_user: bool = False
    choices: tuple[Any, ...] | None = None

    def parse(self, text: str | None) -> Any:
        if text is None:
            return self.default
        try:
            value = self.kind(text)
        except (TypeError, ValueError):
            return self.default
        if self.choices is not None and value not in self.choices:
            return self.default
        return value


OPTIONS: dict[str, Option] = {o.key: o for o in (
    Option("language", "vi", choices=("vi", "en")),
    Option("ui_font_scale", 1.0, float),
    Option("form_pack", None, per_user=True),
    Option("form_pack_mode", "bilingual", per_user=True, choices=DISPLAY_MODES),
    # The Reports screen's last choices on this laptop (fieldapp.ui.screens.reports).
    Option("report_kind", "commune", choices=REPORT_KINDS),
    Option("report_village", ""),
    Option("report_period", ""),
    Option("report_class", ""),
    Option("report_language", "vi"),
    Option("report_form", "household_survey"),
    Option("report_household", ""),
    Option("export_names", "yes", choices=("yes", "no")),
    # Minutes without a key press or click before the app locks (0: never).
    Option("idle_lock_minutes", 10, int, choices=(0, 2, 5, 10, 15, 30, 60)),
    # Years after which a household not updated is listed for review (privacy).
    Option("retention_years", 5, int, choices=(1, 2, 3, 5, 10)),
)}


class LocalSettings:
    def __init__(self, store: "Store"):
        self.store = store

    @staticmethod
    def _key(key: str, user_id: str | None) -> str:
        option = OPTIONS[key]  # KeyError: an undeclared preference
        if option.per_user:
            if not user_id:
                raise ValueError(f"{key} is a per-user preference")
            return f"{key}@{user_id}"
        return key

    def get(self, key: str, user_id: str | None = None) -> Any:
        return OPTIONS[key].parse(self.store.meta(self._key(key, user_id)))

    def set(self, key: str, value: Any, user_id: str | None = None) -> None:
        option = OPTIONS[key]
        if value is not None and option.choices is not None and value not in option.choices:
            raise ValueError(f"{value!r} is not a value of {key}")
        self.store.set_meta(self._key(key, user_id), None if value is None else str(value))
