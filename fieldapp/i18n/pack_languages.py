"""The languages label packs are written in, their scripts, and which pack falls back to which.

A pack is named by a *pack code*: the ISO 639-3 code of its language ("tyz") when it is written
in the language's first (default) script, or the code and the script id joined by "@"
("ium@dao-vn") for another script of the same language, as gettext names locale variants
("sr@latin"). The code is the pack's folder under ``packs/`` and what the app remembers as the
chosen pack.

A pack may inherit from another language's pack (Nùng from Tày: the two share most words and
the same 1961 orthography): an entry it does not hold is looked up in the parent pack before
the form falls back to Vietnamese. A pack in another script never falls back to the default
script's pack, whose letters its readers may not read.

Every pack file records its script in the ``X-Script`` header (a script id below). A file
whose header is missing or unknown is read as the language's default script, with a warning
(see :func:`script_of`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fieldapp.i18n.catalog import N_, _

PACK_CODE_RE = re.compile(r"^([a-z]{2,3})(?:@([a-z0-9][a-z0-9-]*))?$")


@dataclass(frozen=True)
class PackScript:
    id: str
    name: str
    """English name (shown through ``_``)."""
    letters: str
    """What the script is written with, for the pack header comment (not shown in the app)."""


SCRIPTS: dict[str, PackScript] = {s.id: s for s in (
    PackScript("tay-nung-1961", N_("Tày-Nùng Latin orthography (1961)"),
               "Vietnamese letters and tone marks plus f, j, w, z"),
    PackScript("mien-1984", N_("Iu Mien unified script (1984)"),
               "ASCII letters; tones written as final consonant letters"),
    PackScript("dao-vn", N_("Vietnamese-based Latin spelling"),
               "Vietnamese letters and tone marks, as Vietnam's Dao-language broadcasting "
               "writes Dao; no sourced letter list yet"),
)}


@dataclass(frozen=True)
class PackLanguage:
    code: str
    name: str
    """English name (the interface translates it with ``_``)."""
    scripts: tuple[str, ...]
    """Script ids the app knows for the language, the default first."""
    parent: str | None = None
    """The pack code an entry falls back to before Vietnamese (default script only)."""

    @property
    def script(self) -> str:
        return self.scripts[0]


# Languages the app ships packs for. Kim Mun (mji) is deliberately absent: no sourced Latin
# letter list exists for it (see TEXT.md), so no pack is shipped; a commune may import one.
PACK_LANGUAGES: dict[str, PackLanguage] = {
    "tyz": PackLanguage("tyz", N_("Tày"), ("tay-nung-1961",)),
    "nut": PackLanguage("nut", N_("Nùng"), ("tay-nung-1961",), parent="tyz"),
    "ium": PackLanguage("ium", N_("Dao (Iu Mien)"), ("mien-1984", "dao-vn")),
}
_OTHER_NAMES = {"mji": N_("Dao (Kim Mun)")}


def split_pack_code(code: str) -> tuple[str, str | None]:
    """("ium", "dao-vn") for "ium@dao-vn", ("tyz", None) for "tyz"; ("", None) if invalid."""
    match = PACK_CODE_RE.match(code or "")
    if not match:
        return "", None
    return match.group(1), match.group(2)


def pack_code(language: str, script: str | None) -> str:
    """The pack code of ``language`` written in ``script`` (plain code for the default one)."""
    info = PACK_LANGUAGES.get(language)
    if not script or (info is not None and script == info.script):
        return language
    return f"{language}@{script}"


def script_id(code: str) -> str:
    """The script id of a pack code ('' for a language the app does not know)."""
    language, script = split_pack_code(code)
    if script:
        return script
    info = PACK_LANGUAGES.get(language)
    return info.script if info else ""


def parent_pack(code: str) -> str | None:
    """The pack code ``code`` falls back to before Vietnamese, or None."""
    language, script = split_pack_code(code)
    info = PACK_LANGUAGES.get(language)
    if info is None or (script and script != info.script):
        return None
    return info.parent


def pack_language_name(code: str) -> str:
    """The interface name of a pack: "Tày", "Dao (Iu Mien), Vietnamese-based Latin
    spelling"; the code itself for a language the app does not know."""
    language, script = split_pack_code(code)
    info = PACK_LANGUAGES.get(language)
    name = _(info.name) if info else (_(_OTHER_NAMES[language]) if language in _OTHER_NAMES
                                      else code)
    if script and script in SCRIPTS and (info is None or script != info.script):
        return _("{language}, {script}").format(language=name, script=_(SCRIPTS[script].name))
    return name


def script_name(script: str) -> str:
    return _(SCRIPTS[script].name) if script in SCRIPTS else script


@dataclass(frozen=True)
class ScriptReading:
    """The script a pack file declares, as read: ``script`` is the id used; ``warning`` is set
    when the header was missing or unknown and the language's default was assumed."""

    script: str
    warning: str = ""


def script_of(language: str, header: str) -> ScriptReading:
    """The script of a pack for ``language`` whose X-Script header is ``header``.

    A known id is taken as it is; a header that names a known script in words (older packs
    wrote "Tày-Nùng Latin orthography (1961): ...") is read as that script; anything else,
    or no header, means the language's default script, with a warning to show the user.
    """
    value = (header or "").strip()
    info = PACK_LANGUAGES.get(language)
    known = info.scripts if info else tuple(SCRIPTS)
    if value in known:
        return ScriptReading(value)
    for script in known:
        if value.lower().startswith(SCRIPTS[script].name.lower()):
            return ScriptReading(script)
    default = info.script if info else ""
    if not value:
        warning = _("The file does not say which script it is written in (X-Script header); "
                    "it is taken to be {script}.")
    else:
        warning = _("The file names a script the app does not know (“{header}”); it is taken "
                    "to be {script}.")
    return ScriptReading(default, warning.format(header=value,
                                                 script=script_name(default) or _("unknown")))
