"""English words in a Vietnamese interface, found with the app's own English: the words of
the interface's source strings (the msgids of i18n/fieldapp.pot, the English the code is
written in), less the words the Vietnamese translations themselves use ("in", "PIN", "USB",
"Zalo", "fieldapp"...). A text shown in Vietnamese that still holds one of these words
bypassed the catalogs, or was never translated.

Data is not interface text: the test database's values, the shipped forms' Vietnamese texts
and the label packs' texts (Tày, Nùng, Dao) are taken out before looking.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from fieldapp import paths
from fieldapp.i18n.text import nfc

PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\d+|%n|&(?=\w)")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
ASCII_WORD = re.compile(r"^[A-Za-z]+(?:'[a-z]+)?$")


PATH = re.compile(r"(?:[A-Za-z]:)?[\\/][^\s,;:()]*")


def words(text: str) -> list[str]:
    """The words of ``text`` (letters only), as written; file paths are data and left out."""
    return WORD.findall(PATH.sub(" ", PLACEHOLDER.sub(" ", nfc(text or ""))))


def _catalog_words(path: Path, field: str) -> set[str]:
    with path.open("rb") as f:
        catalog = read_po(f)
    found: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        values = getattr(message, field)
        for value in values if isinstance(values, (tuple, list)) else (values,):
            found.update(w.lower() for w in words(value or ""))
    return found


@cache
def english_words() -> frozenset[str]:
    """The English of the interface: ASCII words of the msgids that no Vietnamese
    translation uses."""
    i18n = paths.i18n_dir()
    source = {w for w in _catalog_words(i18n / "fieldapp.pot", "id") if ASCII_WORD.match(w)}
    vietnamese = _catalog_words(i18n / "vi" / "LC_MESSAGES" / "fieldapp.po", "string")
    return frozenset(w for w in source - vietnamese if len(w) >= 2)


@cache
def pack_words() -> frozenset[str]:
    """Words of the label packs (Tày, Nùng, Dao: some of Dao's are plain ASCII)."""
    found: set[str] = set()
    for po in sorted((paths.i18n_dir() / "packs").rglob("*.po")):
        found |= _catalog_words(po, "string")
    return frozenset(found)


@cache
def form_words() -> frozenset[str]:
    """Words of the shipped forms' texts in Vietnamese (the English label columns are left
    out: an English label on a Vietnamese screen is what this looks for)."""
    import openpyxl

    found: set[str] = set()
    for workbook in sorted(paths.forms_dir().glob("*.xlsx")):
        book = openpyxl.load_workbook(workbook, read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                rows = sheet.iter_rows(values_only=True)
                header = [str(h or "") for h in next(rows, None) or ()]
                columns = [i for i, h in enumerate(header) if h.split("::")[0].strip().lower()
                           in ("label", "hint", "constraint_message", "required_message",
                               "form_title", "guidance_hint")
                           and ("::" not in h or "vi" in h.lower() or "việt" in h.lower())]
                for row in rows:
                    for i in columns:
                        if i < len(row) and isinstance(row[i], str):
                            found.update(w.lower() for w in words(row[i]))
        finally:
            book.close()
    return frozenset(found)


def database_words(db: Path) -> set[str]:
    """Words of the text values in the database (names, villages, notes; inside JSON, the
    values, not the keys; see test_pseudo_locale): data. Values that look like codes
    ("member_count", "tay") are not: a code on a Vietnamese screen is a bug."""
    from test_pseudo_locale import _database_values

    return {w.lower() for value in _database_values(db) if len(value) < 2000
            for w in words(value)}


class EnglishFinder:
    """``find(text)``: the English words in a text shown in Vietnamese (data words aside)."""

    def __init__(self, data: set[str] = frozenset()):
        self.english = english_words() - pack_words() - form_words() - {w.lower() for w in data}

    def find(self, text: str) -> list[str]:
        return [w for w in words(text) if w.lower() in self.english and ASCII_WORD.match(w)]

    def problems(self, seen) -> list[str]:
        """``seen``: (where, text) pairs; one line per text holding English."""
        out = []
        for where, text in seen:
            found = self.find(text)
            if found:
                out.append(f"{where}: {text!r} ({', '.join(sorted(set(found)))})")
        return sorted(set(out))
