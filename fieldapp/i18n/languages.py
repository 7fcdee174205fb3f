"""Language codes: the ISO code inside an XLSForm language name, and codes read from files.

Forms name their languages as XLSForm column suffixes ("Vietnamese (vi)", "Tày (tyz)"); label
packs, folders and headers use bare codes ("tyz"). Vietnamese is the source language of every
form text and label pack.
"""

from __future__ import annotations

import re
from typing import Mapping

from fieldapp.i18n.text import nfc

SOURCE_LANGUAGE = "vi"

_CODE_RE = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\)\s*$")
LANGUAGE_CODE_RE = re.compile(r"^[a-z]{2,3}$")


def language_code(language: str) -> str:
    """ISO code of an XLSForm language name: "Vietnamese (vi)" -> "vi", "Tày (tyz)" -> "tyz".

    A name without a code in parentheses is returned lower-cased ("default" -> "default").
    """
    match = _CODE_RE.search(language)
    return match.group(1) if match else language.strip().lower()


def texts_by_code(texts: Mapping[str, str]) -> dict[str, str]:
    """{language name: text} as {ISO code: NFC text}; empty texts are left out."""
    return {language_code(name): nfc(text) for name, text in texts.items() if text}


def normalise_language(value: str) -> str:
    """'tyz', 'tyz_VN', 'tyz-VN', 'TYZ' -> 'tyz'; '' for anything that is not a language code."""
    code = re.split(r"[-_@.]", value.strip(), maxsplit=1)[0].lower() if value else ""
    return code if LANGUAGE_CODE_RE.match(code) else ""


def display_name(language: str) -> str:
    """An XLSForm language as a language menu names it: in that language itself, from CLDR
    through babel ("Vietnamese (vi)" -> "Tiếng Việt", "French (fr)" -> "Français"); a name
    without a code, or with a code CLDR does not know (tyz), as the form writes it."""
    name = nfc(language.split(" (")[0].strip()) or language
    match = _CODE_RE.search(language)
    if not match:
        return name
    from babel import Locale, UnknownLocaleError  # only when a form in several languages shows

    try:
        locale = Locale.parse(match.group(1).replace("-", "_"))
        shown = locale.get_display_name(locale)
    except (UnknownLocaleError, ValueError, OSError):  # the built app ships vi and en data only
        return name
    return nfc(shown[:1].upper() + shown[1:]) if shown else name
