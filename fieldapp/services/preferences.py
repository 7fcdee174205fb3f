"""Per-user choices remembered on this laptop: the form label pack and how it is shown.

They are local settings (fieldapp.storage.settings), not fields of the synced users row:
switching packs must not create changes that travel and conflict with commune staff's edits.
"""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.storage.settings import DISPLAY_MODES
from fieldapp.storage.store import Store

__all__ = ["DISPLAY_MODES", "PackPreference", "current_user_id", "pack_preference",
           "remember_pack"]


@dataclass(frozen=True)
class PackPreference:
    pack: str | None       # "tyz", "nut", "ium" or None for Vietnamese only
    mode: str = "bilingual"


def current_user_id(store: Store) -> str | None:
    return store.meta("current_user_id")


def pack_preference(store: Store, user_id: str | None = None) -> PackPreference:
    user_id = user_id or current_user_id(store)
    if not user_id:
        return PackPreference(None)
    return PackPreference(store.settings.get("form_pack", user_id),
                          store.settings.get("form_pack_mode", user_id))


def remember_pack(store: Store, pack: str | None, mode: str = "bilingual",
                  user_id: str | None = None) -> None:
    """Remember the pack and display mode a user chose on this laptop (one transaction)."""
    if mode not in DISPLAY_MODES:
        raise ValueError(f"unknown display mode {mode!r}")
    user_id = user_id or current_user_id(store)
    if not user_id:
        return
    with store.transaction():
        store.settings.set("form_pack", pack or None, user_id)
        store.settings.set("form_pack_mode", mode, user_id)
