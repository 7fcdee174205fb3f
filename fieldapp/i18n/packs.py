"""Label packs: gettext catalogs that translate a form's texts into Tày, Nùng, Dao, ...

One catalog per language and form: ``i18n/packs/<lang>/<form_id>.po`` (shipped) or
``<data folder>/packs/<lang>/<form_id>.po`` (imported by a commune; overrides the shipped one).

Every text cell of a form has one key, built by :func:`pack_key` (the only place the key
convention lives) and stored as the entry's msgctxt; the msgid is the Vietnamese text and the
msgstr the translation. A fuzzy entry is a translation no native speaker has reviewed: it is
shown, but flagged.

This module holds the key convention, the pack languages, and loading packs from the shipped
and imported folders; :mod:`fieldapp.i18n.pofile` reads and writes the .po files and
:mod:`fieldapp.i18n.resolution` resolves a text through a pack. Forms are seen through the small
protocols below (:class:`TranslatableForm`), which :class:`fieldapp.core.forms.Form` fulfils:
i18n knows nothing of the forms engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from fieldapp import paths
from fieldapp.i18n.languages import SOURCE_LANGUAGE, language_code, normalise_language, texts_by_code
from fieldapp.i18n.pack_languages import (  # noqa: F401 - re-exported for the callers
    PACK_CODE_RE, PACK_LANGUAGES, PackLanguage, pack_code, pack_language_name, parent_pack,
    split_pack_code)
from fieldapp.i18n.pofile import PackBabelCatalog, PackFormatError, read_po_file

PACKS_FOLDER = "packs"
GLOSSARY = "glossary"
"""``packs/<code>/glossary.po`` holds a pack's glossary (see fieldapp.i18n.glossary), not a form."""
TEXT_COLUMNS = ("label", "hint", "constraint_message", "required_message")
TITLE_PATH, TITLE_COLUMN = "settings", "form_title"
CHOICES_PATH = "choices"


# ----------------------------------------------------------------------------------------------
# What packs need of a form
# ----------------------------------------------------------------------------------------------

class TranslatableNode(Protocol):
    """A field, group or repeat: its name, its enclosing groups and its text columns
    (``label``, ``hint``, and for fields ``constraint_message``/``required_message``), each
    {XLSForm language name: text}."""

    name: str
    label: Mapping[str, str]

    @property
    def parent(self) -> TranslatableNode | None: ...

    def ancestors(self) -> Iterator[TranslatableNode]: ...


class TranslatableTree(Protocol):
    def walk(self) -> Iterator[TranslatableNode]: ...


class TranslatableChoice(Protocol):
    name: str
    label: Mapping[str, str]


class TranslatableChoiceList(Protocol):
    name: str
    choices: Sequence[TranslatableChoice]


class TranslatableForm(Protocol):
    form_id: str
    default_language: str
    title: Mapping[str, str]
    root: TranslatableTree
    choice_lists: Mapping[str, TranslatableChoiceList]


# ----------------------------------------------------------------------------------------------
# Keys
# ----------------------------------------------------------------------------------------------

def pack_key(form_id: str, path: str, column: str) -> str:
    """The msgctxt of one text cell: ``"<form_id>:<path>:<column>"``.

    - ``path`` is the names of the enclosing groups and repeats joined by "/", ending with the
      node's own name ("household/head_name", "members/devices/smartphone"); a group's or
      repeat's own label uses its path ("members").
    - Choice labels: path ``"choices/<list_name>/<choice_name>"``, column ``"label"``.
    - The form title: path ``"settings"``, column ``"form_title"``
      ("household_survey:settings:form_title"); no field column is called form_title, so it
      cannot clash with a field.
    - ``column`` is one of label, hint, constraint_message, required_message (or form_title).

    XLSForm names cannot contain ":" or "/", so the key splits back unambiguously.
    """
    return f"{form_id}:{path}:{column}"


def split_key(key: str) -> tuple[str, str, str] | None:
    """(form_id, path, column) of a key made by :func:`pack_key`, or None if it is not one."""
    parts = key.split(":")
    if len(parts) != 3 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def node_path(node: TranslatableNode) -> str:
    """Path of a field, group or repeat: enclosing group/repeat names (not the root) + its name."""
    names = [node.name]
    for ancestor in node.ancestors():
        if ancestor.parent is None:  # the form's root group
            break
        names.append(ancestor.name)
    return "/".join(reversed(names))


def choice_path(list_name: str, choice_name: str) -> str:
    return f"{CHOICES_PATH}/{list_name}/{choice_name}"


@dataclass(frozen=True)
class FormText:
    """One translatable cell of a form: its key, Vietnamese source and inline texts by code."""

    key: str
    path: str
    column: str
    source: str
    texts: dict[str, str]


def form_texts(form: TranslatableForm) -> list[FormText]:
    """Every label, hint, constraint/required message, choice label and the title of ``form``.

    In document order (title, survey rows, then choice lists). Cells without a Vietnamese (or
    default-language) text are skipped: the msgid of a pack entry is that text.
    """
    default_code = language_code(form.default_language) if form.default_language else None
    out: list[FormText] = []

    def add(path: str, column: str, texts: Mapping[str, str]) -> None:
        by_code = texts_by_code(texts)
        source = by_code.get(SOURCE_LANGUAGE) or (by_code.get(default_code) if default_code else None)
        if source:
            out.append(FormText(pack_key(form.form_id, path, column), path, column, source, by_code))

    add(TITLE_PATH, TITLE_COLUMN, form.title)
    for node in form.root.walk():
        path = node_path(node)
        for column in TEXT_COLUMNS:
            texts = getattr(node, column, None)
            if texts:
                add(path, column, texts)
    for choice_list in form.choice_lists.values():
        for choice in choice_list.choices:
            add(choice_path(choice_list.name, choice.name), "label", choice.label)
    return out


# ----------------------------------------------------------------------------------------------
# Loaded packs
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackEntry:
    key: str
    msgid: str
    msgstr: str
    fuzzy: bool
    translator_comments: tuple[str, ...] = ()
    previous: str = ""
    """The older Vietnamese text the translation was made for (``#| msgid``), when the form's
    text changed since: such a translation is not shown until a translator updates it."""

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and not self.previous

    @property
    def reviewed(self) -> bool:
        return self.translated and not self.fuzzy


@dataclass
class PackCatalog:
    """A loaded label pack for one language and one form."""

    language: str
    """The pack code ("tyz", "ium@dao-vn")."""
    form_id: str
    entries: dict[str, PackEntry]
    headers: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    imported: bool = False

    fallback: PackCatalog | None = field(default=None, repr=False)

    def get(self, key: str) -> PackEntry | None:
        """This catalog's own entry for ``key`` (translated or not)."""
        return self.entries.get(key)

    def add_fallback(self, fallback: PackCatalog) -> None:
        """Chain a catalog consulted for keys this one does not translate (as gettext does)."""
        if self.fallback is not None:
            self.fallback.add_fallback(fallback)
        else:
            self.fallback = fallback

    def lookup(self, key: str) -> PackEntry | None:
        """The first translated entry for ``key`` along the fallback chain, or None."""
        found = self.find(key)
        return found[0] if found else None

    def find(self, key: str) -> tuple[PackEntry, PackCatalog] | None:
        """The first translated entry for ``key`` along the chain and the catalog holding it
        (its ``language`` tells whether it was inherited from a parent pack)."""
        entry = self.entries.get(key)
        if entry is not None and entry.translated:
            return entry, self
        return self.fallback.find(key) if self.fallback is not None else None

    @classmethod
    def from_babel(cls, catalog: PackBabelCatalog, *, form_id: str | None = None,
                   path: Path | None = None, imported: bool = False) -> PackCatalog:
        entries: dict[str, PackEntry] = {}
        for message in catalog:
            if not message.id or not message.context or isinstance(message.id, (list, tuple)):
                continue
            string = message.string if isinstance(message.string, str) else ""
            previous = message.previous_id[0] if message.previous_id else ""
            entries[message.context] = PackEntry(
                message.context, message.id, string, message.fuzzy,
                tuple(message.user_comments), previous if previous != message.id else "")
        if form_id is None:
            form_id = catalog.header("X-Form-Id") or next(
                (k.split(":", 1)[0] for k in entries), "")
        language = normalise_language(catalog.header("Language")) or normalise_language(
            str(catalog.locale_identifier or ""))
        if path is not None and split_pack_code(path.parent.name)[0] == language:
            language = path.parent.name  # the folder names the script variant ("ium@dao-vn")
        return cls(language, form_id, entries, dict(catalog.raw_headers), path, imported)

    @classmethod
    def load(cls, path: Path, *, imported: bool = False) -> PackCatalog:
        """Read a pack file (parsed once per file version: the form screen reopens packs)."""
        path = Path(path)
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = _LOADED.get(path)
        if cached is None or cached[0] != stamp:
            parsed = cls.from_babel(read_po_file(path), form_id=None, path=path)
            cached = (stamp, parsed)
            _LOADED[path] = cached
        parsed = cached[1]
        return cls(parsed.language, parsed.form_id, parsed.entries, parsed.headers, path, imported)


_LOADED: dict[Path, tuple[tuple[int, int], PackCatalog]] = {}


def shipped_packs_dir() -> Path:
    return paths.i18n_dir() / PACKS_FOLDER


def imported_packs_dir() -> Path:
    return paths.data_dir() / PACKS_FOLDER


def pack_file(base: Path, language: str, form_id: str) -> Path:
    return base / language / f"{form_id}.po"


def languages_in(base: Path) -> list[str]:
    """Pack folders (valid pack codes: "tyz", "ium@dao-vn") under a packs folder, sorted."""
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and PACK_CODE_RE.match(p.name))


def form_pack_files(folder: Path) -> list[Path]:
    """The form packs in a pack folder (its glossary is not one)."""
    return sorted(p for p in folder.glob("*.po") if p.stem != GLOSSARY)


def available_languages(shipped: Path | None = None, imported: Path | None = None) -> list[str]:
    """Pack codes with at least one form pack, shipped or imported."""
    found = set()
    for base in (shipped or shipped_packs_dir(), imported or imported_packs_dir()):
        found.update(lang for lang in languages_in(base) if form_pack_files(base / lang))
    return sorted(found)


def find_pack(language: str, form_id: str, *, shipped: Path | None = None,
              imported: Path | None = None) -> Path | None:
    """The pack file to use: the commune's imported pack if present, else the shipped one."""
    imp = pack_file(imported or imported_packs_dir(), language, form_id)
    if imp.is_file():
        return imp
    shp = pack_file(shipped or shipped_packs_dir(), language, form_id)
    return shp if shp.is_file() else None


Overlay = Callable[[str, str], "PackCatalog | None"]
"""(pack code, form id) -> the entries a laptop holds as synced records (its database's label
pack entries, fieldapp.services.translate), which come before the pack's files."""


def load_pack(language: str, form_id: str, *, shipped: Path | None = None,
              imported: Path | None = None, inherit: bool = True,
              overlay: Overlay | None = None) -> PackCatalog | None:
    """Load the pack for (pack code, form); None when there is none.

    The ``overlay``'s entries (the database's) come first, then the commune's imported pack, with the shipped pack chained behind it by
    :meth:`PackCatalog.add_fallback`, so an entry the imported pack leaves untranslated still
    shows the shipped translation; then, with ``inherit``, the same for the parent pack (Nùng
    falls back to Tày: :func:`parent_pack`). A broken imported file cannot normally exist
    (imports are validated); if one does, the shipped pack is used alone instead of failing
    the form.
    """
    chain: list[PackCatalog] = []
    code: str | None = language
    seen = set()
    while code and code not in seen:
        seen.add(code)
        own = overlay(code, form_id) if overlay is not None else None
        if own is not None:
            chain.append(own)
        imp = pack_file(imported or imported_packs_dir(), code, form_id)
        if imp.is_file():
            try:
                chain.append(PackCatalog.load(imp, imported=True))
            except (PackFormatError, OSError):
                pass
        shp = pack_file(shipped or shipped_packs_dir(), code, form_id)
        if shp.is_file():
            chain.append(PackCatalog.load(shp))
        code = parent_pack(code) if inherit else None
    if not chain:
        return None
    for fallback in chain[1:]:
        chain[0].add_fallback(fallback)
    return chain[0]


def iter_pack_files(base: Path) -> Iterable[tuple[str, str, Path]]:
    """(language, form_id, path) of every pack file under a packs folder."""
    for language in languages_in(base):
        for po in form_pack_files(base / language):
            yield language, po.stem, po
