"""Per-user choices remembered between sessions: the form label pack and how it is shown."""

from __future__ import annotations

from dataclasses import dataclass

from fieldapp.storage.store import Store

DISPLAY_MODES = ("bilingual", "pack_only", "vietnamese_only")


@dataclass(frozen=True)
class PackPreference:
    pack: str | None       # "tyz", "nut", "ium" or None for Vietnamese only
    mode: str = "bilingual"


def current_user_id(store: Store) -> str | None:
    return store.meta("current_user_id")


def pack_preference(store: Store, user_id: str | None = None) -> PackPreference:
    user = store.get("users", user_id or current_user_id(store) or "")
    if not user:
        return PackPreference(None)
    mode = user.get("pack_mode") if user.get("pack_mode") in DISPLAY_MODES else "bilingual"
    return PackPreference(user.get("pack") or None, mode)


def remember_pack(store: Store, pack: str | None, mode: str = "bilingual",
                  user_id: str | None = None) -> None:
    """Remember the pack and display mode a user chose (one transaction)."""
    if mode not in DISPLAY_MODES:
        raise ValueError(f"unknown display mode {mode!r}")
    user_id = user_id or current_user_id(store)
    if not user_id:
        return
    with store.transaction():
        store.update("users", user_id, {"pack": pack, "pack_mode": mode})
