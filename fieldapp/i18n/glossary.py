"""A pack's glossary: the few dozen words most of its entries are built from, with a reviewed
flag per term.

``packs/<pack code>/glossary.po`` is a gettext catalog like a form pack (it opens in Poedit):
msgctxt ``glossary:<term id>``, msgid the Vietnamese word, msgstr the word in the pack's
language and script; a fuzzy (or empty) term is not reviewed. Translators agree on the terms
first and build entries from them; :func:`contradictions` finds reviewed pack entries that use
a reviewed term's Vietnamese word but not its agreed translation (``fieldapp i18n coverage``
reports them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from fieldapp.i18n.packs import GLOSSARY, PackEntry, imported_packs_dir, shipped_packs_dir
from fieldapp.i18n.pofile import read_po_file

GLOSSARY_CONTEXT = "glossary"


@dataclass(frozen=True)
class GlossaryTerm:
    id: str
    vietnamese: str
    translation: str
    reviewed: bool
    note: str = ""


@dataclass(frozen=True)
class Glossary:
    code: str
    terms: tuple[GlossaryTerm, ...]
    headers: dict[str, str]
    path: Path

    @property
    def reviewed(self) -> int:
        return sum(t.reviewed for t in self.terms)

    @property
    def drafts(self) -> int:
        return sum(bool(t.translation) and not t.reviewed for t in self.terms)

    @property
    def missing(self) -> int:
        return sum(not t.translation for t in self.terms)


def glossary_file(base: Path, code: str) -> Path:
    return base / code / f"{GLOSSARY}.po"


def read_glossary(path: Path, code: str) -> Glossary:
    """Read a glossary file (raises PackFormatError as pack files do)."""
    catalog = read_po_file(path)
    terms = []
    for message in catalog:
        if not message.id or not message.context or isinstance(message.id, (list, tuple)):
            continue
        prefix, _sep, term_id = message.context.partition(":")
        if prefix != GLOSSARY_CONTEXT or not term_id:
            continue
        translation = message.string if isinstance(message.string, str) else ""
        terms.append(GlossaryTerm(term_id, message.id, translation,
                                  bool(translation) and not message.fuzzy,
                                  " ".join(message.user_comments)))
    return Glossary(code, tuple(terms), dict(catalog.raw_headers), path)


def load_glossary(code: str, *, shipped: Path | None = None,
                  imported: Path | None = None) -> Glossary | None:
    """The commune's imported glossary for a pack code, else the shipped one, else None."""
    for base in (imported or imported_packs_dir(), shipped or shipped_packs_dir()):
        path = glossary_file(base, code)
        if path.is_file():
            return read_glossary(path, code)
    return None


def _contains(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", text.casefold()) is not None


@dataclass(frozen=True)
class Contradiction:
    term: GlossaryTerm
    entry: PackEntry


def contradictions(glossary: Glossary, entries: Iterable[PackEntry]) -> list[Contradiction]:
    """Reviewed pack entries whose Vietnamese uses a reviewed term's word while their
    translation does not use the term's agreed translation."""
    terms = [t for t in glossary.terms if t.reviewed]
    found = []
    for entry in entries:
        if not entry.reviewed:
            continue
        for term in terms:
            if _contains(entry.msgid, term.vietnamese) and not _contains(entry.msgstr,
                                                                         term.translation):
                found.append(Contradiction(term, entry))
    return found
