"""Personal data: which fields hold it, and free text that must never be stored.

:data:`PERSONAL_FIELDS` lists the fields of synced records that identify or describe a person
or a household (Decree 13/2023/NĐ-CP, the 2025 Personal Data Protection Law), as their kinds
declare them (``personal``, fieldapp.core.kinds). Erasure removes them with their records (fieldapp.storage.erasure); exports and
reports that include any of them name people and must warn and be logged
(:func:`names_people`); summaries aggregate and leave them out by default.

:func:`sensitive_text` finds what a member must never type into a free-text answer while
holding a citizen's phone: a full 12-digit CCCD (citizen identity) number, a one-time code
(OTP) or a password. The survey refuses to save such text and asks the member to remove it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fieldapp.core.kinds import KINDS
from fieldapp.i18n.catalog import N_, _
from fieldapp.i18n.text import fold

PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    k.table: k.personal for k in KINDS if k.personal}
"""Fields with personal data, per table (a map or tree column: all of its keys), as the
kinds declare them (fieldapp.core.kinds)."""

NAME_FIELDS: dict[str, tuple[str, ...]] = {
    k.table: tuple(f.name for f in k.search_fields if f.search.person and f.personal)
    for k in KINDS if any(f.search.person and f.personal for f in k.search_fields)}
"""The fields that name a person (a household's head, a person, a team member)."""


def names_people(columns: dict[str, list[str]] | list[tuple[str, str]]) -> bool:
    """Whether an export of these (table, column) pairs contains names of people."""
    pairs = columns.items() if isinstance(columns, dict) else [(t, [c]) for t, c in columns]
    for table, cols in pairs:
        if any(c in NAME_FIELDS.get(table, ()) for c in cols):
            return True
    return False


# -- free text that must not be kept ------------------------------------------------------------

_CCCD = re.compile(r"(?<!\d)\d{3}[ .\-]?\d{3}[ .\-]?\d{6}(?!\d)")
_CODE_WORDS = r"(?:otp|ma otp|ma xac thuc|ma xac nhan|ma kich hoat|ma so bi mat)"
_OTP = re.compile(rf"\b{_CODE_WORDS}\b\W{{0,3}}(?:la\s+)?\d{{4,8}}\b|(?<!\d)\d{{4,8}}\W{{0,3}}"
                  rf"(?:la\s+)?{_CODE_WORDS}\b")
_PASSWORD = re.compile(r"\b(?:mat khau|password|passwd|pass|pwd|mk)\b\s*(?::|=|la\b)\s*\S+")

KINDS = {
    "cccd": N_("a full 12-digit citizen identity (CCCD) number"),
    "otp": N_("a one-time code (OTP)"),
    "password": N_("a password"),
}


def sensitive_text(text: Any) -> str | None:
    """The kind of secret ``text`` seems to hold ("cccd", "otp", "password"), or None."""
    if not isinstance(text, str) or len(text) < 4:
        return None
    folded = fold(text[:10_000])
    if _CCCD.search(folded):
        return "cccd"
    if _OTP.search(folded):
        return "otp"
    if _PASSWORD.search(folded):
        return "password"
    return None


def sensitive_answers(answers: dict[str, Any], prefix: str = "",
                      typed: Callable[[str], bool] = lambda path: True
                      ) -> list[tuple[str, str]]:
    """(question path, kind) of every answer that seems to hold a secret, among the answers
    a person typed (``typed(path)``): ids and values the form sets itself are not looked at
    (a record id's last twelve characters are all digits one time in 280)."""
    found: list[tuple[str, str]] = []
    for name, value in answers.items():
        if name.startswith("@"):
            continue
        path = f"{prefix}{name}"
        if isinstance(value, list):
            for i, row in enumerate(value):
                if isinstance(row, dict):
                    found += sensitive_answers(row, f"{path}[{i}]/", typed)
        elif isinstance(value, dict):
            found += sensitive_answers(value, f"{path}/", typed)
        elif typed(path):
            kind = sensitive_text(value)
            if kind:
                found.append((path, kind))
    return found


def sensitive_message(found: list[tuple[str, str]], label=lambda path: path) -> str:
    """What the member is asked to do about ``found`` (non-empty)."""
    items = "; ".join(f"{label(path)}: {_(KINDS[kind])}" for path, kind in found[:5])
    return _("Never write a password, an OTP code or a full CCCD number in a form. Remove "
             "it from these answers before saving: {items}").format(items=items)
