"""Interface translation through gettext catalogs (babel .po/.mo in i18n/<lang>/LC_MESSAGES).

Import the explicit helpers: ``from fieldapp.i18n.catalog import _, N_, pgettext, ngettext``.
Nothing is installed into builtins; text is translated when it is shown, so switching the
language (:func:`set_language`) takes effect the next time a screen asks for its strings
(screens listen with :func:`on_language_changed`; Qt widgets also get a LanguageChange event
from fieldapp.ui.i18n_qt). Source strings (msgids) are English; Vietnamese is the default
interface language. Every string handed out is NFC.

``set_language("pseudo")`` installs :class:`PseudoTranslations`, which wraps every catalogued
string in ⟦…⟧, so text that bypasses the catalog stands out on screen and in tests.
"""

from __future__ import annotations

import gettext as _gettext
import io
import re
import struct
from collections.abc import Callable, Iterable
from pathlib import Path

from fieldapp.i18n.text import nfc

DOMAIN = "fieldapp"
DEFAULT_LANGUAGE = "vi"
INTERFACE_LANGUAGES = ("vi", "en")
PSEUDO_LANGUAGE = "pseudo"

# Each language is offered under its own name (an autonym), never translated: a user who picked
# the wrong language must still find theirs.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"
# Python brace fields ({name}, {0}, {name:>3}, {}), escaped braces, and Qt's %1 / %n arguments.
_PLACEHOLDER = re.compile(r"(\{\{|\}\}|\{[^{}]*\}|%\d+|%n)")

NullTranslations = _gettext.NullTranslations

_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"
_listeners: list[Callable[[str], None]] = []


def _(message: str) -> str:
    """Translate ``message`` into the current interface language."""
    return nfc(_translations.gettext(message))


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with ``_()`` when it is shown."""
    return message


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` in ``context`` (the msgctxt), for words with several meanings."""
    return nfc(_translations.pgettext(context, message))


def pgettext_noop(context: str, message: str) -> str:
    """Mark a string with its context for extraction (Qt's own strings); returns ``message``."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate a message with a count; Vietnamese has one plural form."""
    return nfc(_translations.ngettext(singular, plural, n))


def translated(message: str, context: str | None = None) -> str | None:
    """The catalog's translation of ``message`` (in ``context``), or None when it has none.

    Used by the Qt bridge so that Qt keeps its own text for strings the catalog lacks.
    """
    if context is None:
        result = _translations.gettext(message)
    else:
        result = _translations.pgettext(context, message)
    return None if result == message else nfc(result)


def current_language() -> str:
    return _language


def locale_dir() -> Path:
    from fieldapp import paths

    return paths.i18n_dir()


def template_path(base: Path | None = None) -> Path:
    """The extracted template (``i18n/fieldapp.pot``), the list of every interface string."""
    return (base or locale_dir()) / f"{DOMAIN}.pot"


def _load(language: str, base: Path | None) -> _gettext.NullTranslations:
    from fieldapp.i18n import compile as catalog_compile

    mo_base = catalog_compile.ensure_compiled(language, base)
    if mo_base is None:
        po = catalog_compile.po_path(language, base)
        if not po.exists():
            return _gettext.NullTranslations()
        # Neither the resource folder nor the cache is writable: compile in memory.
        return _gettext.GNUTranslations(io.BytesIO(catalog_compile.compile_to_bytes(po)))
    mo = mo_base / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    # Opened directly rather than with gettext.translation(), whose cache would keep serving a
    # catalog after it was recompiled.
    with mo.open("rb") as f:
        return _gettext.GNUTranslations(f)


def set_language(language: str, *, locale_dir: Path | None = None) -> None:
    """Switch the interface language ('vi', 'en' or 'pseudo') and notify listeners.

    Catalogs are compiled on first use. Any other language (a label-pack language such as
    'tyz') uses its own interface catalog if one exists, with Vietnamese for what it lacks:
    the app's users read Vietnamese, not the English source strings.
    """
    if language == PSEUDO_LANGUAGE:
        translations: _gettext.NullTranslations = PseudoTranslations.from_template(
            template_path(locale_dir))
    else:
        try:
            translations = _load(language, locale_dir)
            if language not in (DEFAULT_LANGUAGE, "en"):
                translations.add_fallback(_load(DEFAULT_LANGUAGE, locale_dir))
        except (OSError, EOFError, ValueError, UnicodeError, struct.error):
            # A catalog half-written or gone (the app installed again while open): keep
            # the one in use rather than fail or switch the screens to English.
            if language != _language:
                raise
            translations = _translations
        if language == _language and not isinstance(translations, _gettext.GNUTranslations) \
                and isinstance(_translations, _gettext.GNUTranslations):
            translations = _translations  # its files vanished: the same language stays
    install_translations(translations, language)


def install_translations(translations: _gettext.NullTranslations, language: str) -> None:
    """Use an already-built translations object (tests, pseudo-localisation)."""
    global _translations, _language
    _translations = translations
    _language = language
    for listener in list(_listeners):
        listener(language)


def on_language_changed(listener: Callable[[str], None]) -> None:
    """Call ``listener(language)`` after every language switch."""
    if listener not in _listeners:
        _listeners.append(listener)


def remove_listener(listener: Callable[[str], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


class PseudoTranslations(_gettext.NullTranslations):
    """Pseudo-locale: every catalogued string comes back as ``⟦string⟧`` (optionally lengthened).

    Each literal run is marked separately, placeholders stay outside (see :meth:`mark`).
    ``known`` holds the catalogued messages as ``(context, msgid)`` pairs (context None when
    there is none). Strings not in it come back unmarked, so text passed through ``_()`` that
    extraction cannot see (``_(variable)`` with data, f-strings) shows up like hard-coded text.
    With ``known=None`` every string is marked. ``expand`` lengthens each string by that fraction
    (with "·") to show labels that would clip in longer translations.
    """

    def __init__(self, known: Iterable[tuple[str | None, str]] | None = None, *,
                 expand: float = 0.0) -> None:
        super().__init__()
        self.known = None if known is None else frozenset(known)
        self.expand = expand

    @classmethod
    def from_template(cls, pot: Path, *, expand: float = 0.0) -> PseudoTranslations:
        """Mark the messages of an extracted template (or any .po file)."""
        from babel.messages.pofile import read_po

        with pot.open("rb") as f:
            catalog = read_po(f)
        known: set[tuple[str | None, str]] = set()
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            known.update((message.context, nfc(i)) for i in ids)
        return cls(known, expand=expand)

    def mark(self, message: str, context: str | None = None) -> str:
        """Wrap each literal run of ``message`` in markers, leaving placeholders outside.

        "Commune: {commune}" becomes "⟦Commune: ⟧{commune}", so after formatting the value
        stands outside the markers and a checker can tell template text from inserted values.
        """
        if self.known is not None and (context, nfc(message)) not in self.known:
            return message
        parts = _PLACEHOLDER.split(message)
        padding = "·" * round(len(message) * self.expand)
        out = []
        for i, part in enumerate(parts):
            if i % 2:  # a placeholder
                out.append(part)
            elif part:
                out.append(f"{PSEUDO_OPEN}{part}{PSEUDO_CLOSE}")
        if padding and out and out[-1].endswith(PSEUDO_CLOSE):
            out[-1] = out[-1][:-1] + padding + PSEUDO_CLOSE
        elif padding:
            out.append(f"{PSEUDO_OPEN}{padding}{PSEUDO_CLOSE}")
        return "".join(out)

    def gettext(self, message):
        return self.mark(message)

    def pgettext(self, context, message):
        return self.mark(message, context)

    def ngettext(self, msgid1, msgid2, n):
        return self.mark(msgid1 if n == 1 else msgid2)

    def npgettext(self, context, msgid1, msgid2, n):
        return self.mark(msgid1 if n == 1 else msgid2, context)


_MARKED_RUN = re.compile(f"{PSEUDO_OPEN}[^{PSEUDO_OPEN}{PSEUDO_CLOSE}]*{PSEUDO_CLOSE}")


def strip_pseudo_marked(text: str, replacement: str = "") -> str:
    """``text`` without its pseudo-marked runs (each replaced by ``replacement``): what the
    catalog did not supply."""
    previous = None
    while previous != text:
        previous, text = text, _MARKED_RUN.sub(replacement, text)
    return text
