"""Interface translation through gettext catalogs (babel .po/.mo in i18n/<lang>/LC_MESSAGES).

Import the explicit helpers: ``from fieldapp.i18n.catalog import _, N_, pgettext, ngettext``.
Nothing is installed into builtins; text is translated when it is shown, so switching the
language (:func:`set_language`) takes effect the next time a screen asks for its strings.
Source strings (msgids) are English; Vietnamese is the default interface language.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Callable
from pathlib import Path

from fieldapp.i18n.text import nfc

DOMAIN = "fieldapp"
DEFAULT_LANGUAGE = "vi"
INTERFACE_LANGUAGES = ("vi", "en")

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"
_listeners: list[Callable[[str], None]] = []


def _(message: str) -> str:
    return nfc(_translations.gettext(message))


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with ``_()`` when it is shown."""
    return message


def pgettext(context: str, message: str) -> str:
    return nfc(_translations.pgettext(context, message))


def ngettext(singular: str, plural: str, n: int) -> str:
    return nfc(_translations.ngettext(singular, plural, n))


def current_language() -> str:
    return _language


def _load(language: str, locale_dir: Path | None) -> _gettext.NullTranslations:
    from fieldapp.i18n import compile as catalog_compile

    mo_dir = catalog_compile.ensure_compiled(language, locale_dir)
    if mo_dir is None:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=str(mo_dir), languages=[language])


def set_language(language: str, *, locale_dir: Path | None = None) -> None:
    """Switch the interface language ('vi', 'en', or a test pseudo-locale) and notify listeners."""
    global _translations, _language
    _translations = NullTranslations() if language == "en" else _load(language, locale_dir)
    _language = language
    for listener in list(_listeners):
        listener(language)


def install_translations(translations: _gettext.NullTranslations, language: str) -> None:
    """Use an already-built translations object (tests, pseudo-localisation)."""
    global _translations, _language
    _translations = translations
    _language = language
    for listener in list(_listeners):
        listener(language)


def on_language_changed(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def remove_listener(listener: Callable[[str], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


NullTranslations = _gettext.NullTranslations
