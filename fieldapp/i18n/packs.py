"""Label packs: gettext catalogs that translate a form's texts into Tày, Nùng, Dao, ...

One catalog per language and form: ``i18n/packs/<lang>/<form_id>.po`` (shipped) or
``<data folder>/packs/<lang>/<form_id>.po`` (imported by a commune; overrides the shipped one).

Every text cell of a form has one key, built by :func:`pack_key` (the only place the key
convention lives) and stored as the entry's msgctxt; the msgid is the Vietnamese text and the
msgstr the translation. A fuzzy entry is a translation no native speaker has reviewed: it is
shown, but flagged.

Babel/CLDR has no locale data for tyz, nut, ium or mji, so catalogs are read with babel's
PoFileParser into a Catalog subclass that keeps every header (babel alone drops X- headers and
Plural-Forms for unknown locales) and always writes ``Plural-Forms: nplurals=1; plural=0;``.

Label resolution (:class:`LabelResolver`): chosen pack -> the form's own ``label::<language>``
column -> Vietnamese, with ``fell_back`` set when Vietnamese had to be used.
"""

from __future__ import annotations

import enum
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, PoFileParser, write_po

from fieldapp import paths
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc

if TYPE_CHECKING:  # pragma: no cover - typing only
    from fieldapp.core.forms.model import Form

SOURCE_LANGUAGE = "vi"
PLURAL_FORMS = "nplurals=1; plural=0;"
PACKS_FOLDER = "packs"
TEXT_COLUMNS = ("label", "hint", "constraint_message", "required_message")
TITLE_PATH, TITLE_COLUMN = "settings", "form_title"
CHOICES_PATH = "choices"


@dataclass(frozen=True)
class PackLanguage:
    code: str
    name: str
    """English name (the interface translates it with ``_``)."""
    script: str
    """Orthography the pack is written in (the X-Script header of shipped packs)."""


# Languages the app ships packs for. Kim Mun (mji) is deliberately absent: no sourced Latin
# letter list exists for it (see TEXT.md), so no pack is shipped; a commune may import one.
PACK_LANGUAGES: dict[str, PackLanguage] = {
    "tyz": PackLanguage("tyz", "Tày", "Tày-Nùng Latin orthography (1961)"),
    "nut": PackLanguage("nut", "Nùng", "Tày-Nùng Latin orthography (1961)"),
    "ium": PackLanguage("ium", "Dao (Iu Mien)", "Iu Mien unified script (1984)"),
}

_LANG_RE = re.compile(r"^[a-z]{2,3}$")


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


def node_path(node) -> str:
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


def _codes(texts: dict[str, str]) -> dict[str, str]:
    from fieldapp.core.forms.model import language_code

    return {language_code(name): nfc(text) for name, text in texts.items() if text}


def form_texts(form: Form) -> list[FormText]:
    """Every label, hint, constraint/required message, choice label and the title of ``form``.

    In document order (title, survey rows, then choice lists). Cells without a Vietnamese (or
    default-language) text are skipped: the msgid of a pack entry is that text.
    """
    from fieldapp.core.forms.model import language_code

    default_code = language_code(form.default_language) if form.default_language else None
    out: list[FormText] = []

    def add(path: str, column: str, texts: dict[str, str]) -> None:
        by_code = _codes(texts)
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
# Reading and writing .po files
# ----------------------------------------------------------------------------------------------

class PackFormatError(ValueError):
    """A .po file that cannot be read as a pack; the message is for the user."""


class PackBabelCatalog(Catalog):
    """babel Catalog that keeps every header it read and writes the pack headers.

    babel drops X- headers and, for locales it does not know (tyz, nut, ium), Plural-Forms.
    """

    def __init__(self, *args, **kwargs):
        self.raw_headers: dict[str, str] = {}
        super().__init__(*args, **kwargs)

    def _set_pack_headers(self, headers):
        headers = list(headers)
        for name, value in headers:
            self.raw_headers[str(name)] = str(value)
        Catalog._set_mime_headers(self, headers)

    def _get_pack_headers(self):
        raw = {k.lower(): v for k, v in self.raw_headers.items()}
        standard = Catalog._get_mime_headers(self)
        wanted = {"project-id-version", "report-msgid-bugs-to", "pot-creation-date",
                  "po-revision-date", "last-translator", "language-team"}
        headers = [(k, raw.get(k.lower(), v)) for k, v in standard if k.lower() in wanted]
        language = self.raw_headers.get("Language") or raw.get("language") or \
            (str(self.locale_identifier) if self.locale_identifier else "")
        headers += [
            ("Language", language),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
            ("Plural-Forms", PLURAL_FORMS),
        ]
        headers += [(k, v) for k, v in self.raw_headers.items() if k.lower().startswith("x-")]
        return headers

    mime_headers = property(_get_pack_headers, _set_pack_headers)

    def set_header(self, name: str, value: str) -> None:
        """Set a header (X- headers included) so it is written out; it keeps its place."""
        existing = next((k for k in self.raw_headers if k.lower() == name.lower()), name)
        self.raw_headers[existing] = value
        Catalog._set_mime_headers(self, [(name, value)])

    def header(self, name: str, default: str = "") -> str:
        for key, value in self.raw_headers.items():
            if key.lower() == name.lower():
                return value
        return default


def parse_po(data: bytes, label: str = "") -> PackBabelCatalog:
    """Parse .po bytes strictly (UTF-8, no syntax errors); all text NFC. Raises PackFormatError."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackFormatError(_("{file} is not a UTF-8 file (byte {offset}). Save it as UTF-8 "
                                "and try again.").format(file=label, offset=exc.start)) from None
    charset = re.search(rb'^"Content-Type:[^"]*charset=([A-Za-z0-9_.-]+)', data, re.MULTILINE)
    if charset and charset.group(1).decode("ascii").lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise PackFormatError(_("{file} declares the character set {charset}; label packs must "
                                "be UTF-8.").format(file=label, charset=charset.group(1).decode()))
    previous_ids = _check_syntax(data.decode("utf-8"), label)
    catalog = PackBabelCatalog(charset="utf-8")
    parser = PoFileParser(catalog, ignore_obsolete=False, abort_invalid=True)
    try:
        parser.parse(io.BytesIO(data))
    except PoFileError as exc:
        raise PackFormatError(_("{file} is not a valid .po file: {error}").format(
            file=label, error=exc)) from None
    except Exception as exc:  # babel raises assorted errors on garbage; keep it one message
        raise PackFormatError(_("{file} is not a valid .po file: {error}").format(
            file=label, error=exc)) from None
    for message in list(catalog) + list(catalog.obsolete.values()):
        if not message.id:
            continue
        message.string = nfc(message.string)
        # babel reads "#| msgid" (previous text) lines as user comments; they are kept as
        # previous_id instead (see _check_syntax).
        message.user_comments = [nfc(c) for c in message.user_comments if not c.startswith("|")]
        message.auto_comments = [nfc(c) for c in message.auto_comments]
    for message in catalog:
        if message.id and message.context in previous_ids and not message.previous_id:
            message.previous_id = [nfc(previous_ids[message.context])]
    if nfc(catalog.header_comment) != catalog.header_comment:
        catalog.header_comment = nfc(catalog.header_comment)
    _renormalise_ids(catalog)
    return catalog


_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s*(' + _STRING + r')\s*$')
_CONTINUATION = re.compile(r'^(' + _STRING + r')\s*$')
_PREVIOUS = re.compile(r'^#\|\s*(msgctxt|msgid|msgid_plural)?\s*(' + _STRING + r')\s*$')


def _check_syntax(text: str, label: str) -> dict[str, str]:
    """Line-level .po syntax check (babel's parser silently skips some broken lines).

    Returns {msgctxt: previous msgid} from ``#| msgid`` lines, which babel does not read.
    """
    from babel.messages.pofile import unescape

    previous: dict[str, str] = {}
    pending_previous: list[str] = []
    previous_keyword = None
    last_keyword = None
    context_parts: list[str] = []
    contexts: set[str] = set()

    def finish_context():
        if context_parts:
            ctxt = "".join(context_parts)
            if ctxt in contexts:
                raise PackFormatError(_("{file} is not a valid .po file: the key {key} occurs "
                                        "twice").format(file=label, key=ctxt))
            contexts.add(ctxt)
            context_parts.clear()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _PREVIOUS.match(line)
            if match:
                if match.group(1):
                    previous_keyword = match.group(1)
                if previous_keyword == "msgid":
                    pending_previous.append(unescape(match.group(2)))
            continue
        match = _KEYWORD_LINE.match(line)
        if match:
            keyword = match.group(1)
            if keyword == "msgctxt":
                finish_context()
                context_parts.append(unescape(match.group(2)))
            elif keyword == "msgid" and last_keyword == "msgctxt":
                ctxt = "".join(context_parts)
                if pending_previous:
                    previous[nfc(ctxt)] = "".join(pending_previous)
                finish_context()
                pending_previous = []
                previous_keyword = None
            elif keyword == "msgid":
                pending_previous = []
                previous_keyword = None
            last_keyword = keyword
            continue
        match = _CONTINUATION.match(line)
        if match and last_keyword is not None:
            if last_keyword == "msgctxt":
                context_parts.append(unescape(match.group(1)))
            continue
        raise PackFormatError(_("{file} is not a valid .po file: line {line} cannot be read: "
                                "{text}").format(file=label, line=number, text=line[:60]))
    finish_context()
    return previous


def _renormalise_ids(catalog: Catalog) -> None:
    """Re-key messages whose msgid/msgctxt were not NFC (typed on a decomposing keyboard)."""
    bad = [m for m in catalog if m.id and (nfc(m.id) != m.id or nfc(m.context) != m.context)]
    for message in bad:
        catalog.delete(message.id, context=message.context)
        catalog.add(nfc(message.id), message.string, locations=message.locations,
                    flags=message.flags, auto_comments=message.auto_comments,
                    user_comments=message.user_comments, previous_id=message.previous_id,
                    context=nfc(message.context))


def read_po_file(path: Path) -> PackBabelCatalog:
    return parse_po(Path(path).read_bytes(), Path(path).name)


def po_bytes(catalog: Catalog) -> bytes:
    """Serialise a pack catalog (babel's write_po; obsolete entries kept, no line wrapping)."""
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=False, include_previous=True,
             ignore_obsolete=False)
    return out.getvalue()


def write_po_atomic(catalog: Catalog, path: Path) -> None:
    """Write ``catalog`` to ``path`` through a temporary file and an atomic rename."""
    data = po_bytes(catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def normalise_language(value: str) -> str:
    """'tyz', 'tyz_VN', 'tyz-VN', 'TYZ' -> 'tyz'; '' for anything that is not a language code."""
    code = re.split(r"[-_@.]", value.strip(), maxsplit=1)[0].lower() if value else ""
    return code if _LANG_RE.match(code) else ""


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

    @property
    def translated(self) -> bool:
        return bool(self.msgstr)

    @property
    def reviewed(self) -> bool:
        return bool(self.msgstr) and not self.fuzzy


@dataclass
class PackCatalog:
    """A loaded label pack for one language and one form."""

    language: str
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
        entry = self.entries.get(key)
        if entry is not None and entry.msgstr:
            return entry
        return self.fallback.lookup(key) if self.fallback is not None else None

    @classmethod
    def from_babel(cls, catalog: PackBabelCatalog, *, form_id: str | None = None,
                   path: Path | None = None, imported: bool = False) -> PackCatalog:
        entries: dict[str, PackEntry] = {}
        for message in catalog:
            if not message.id or not message.context or isinstance(message.id, (list, tuple)):
                continue
            string = message.string if isinstance(message.string, str) else ""
            entries[message.context] = PackEntry(
                message.context, message.id, string, message.fuzzy,
                tuple(message.user_comments))
        if form_id is None:
            form_id = catalog.header("X-Form-Id") or next(
                (k.split(":", 1)[0] for k in entries), "")
        language = normalise_language(catalog.header("Language")) or normalise_language(
            str(catalog.locale_identifier or ""))
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
    """Language folders (valid codes) under a packs folder, sorted."""
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and _LANG_RE.match(p.name))


def available_languages(shipped: Path | None = None, imported: Path | None = None) -> list[str]:
    """Languages with at least one pack, shipped or imported."""
    found = set()
    for base in (shipped or shipped_packs_dir(), imported or imported_packs_dir()):
        found.update(lang for lang in languages_in(base) if any((base / lang).glob("*.po")))
    return sorted(found)


def find_pack(language: str, form_id: str, *, shipped: Path | None = None,
              imported: Path | None = None) -> Path | None:
    """The pack file to use: the commune's imported pack if present, else the shipped one."""
    imp = pack_file(imported or imported_packs_dir(), language, form_id)
    if imp.is_file():
        return imp
    shp = pack_file(shipped or shipped_packs_dir(), language, form_id)
    return shp if shp.is_file() else None


def load_pack(language: str, form_id: str, *, shipped: Path | None = None,
              imported: Path | None = None) -> PackCatalog | None:
    """Load the pack for (language, form); None when there is none.

    The commune's imported pack comes first, with the shipped pack chained behind it by
    :meth:`PackCatalog.add_fallback`, so an entry the imported pack leaves untranslated still
    shows the shipped translation. A broken imported file cannot normally exist (imports are
    validated); if one does, the shipped pack is used alone instead of failing the form.
    """
    chain: list[PackCatalog] = []
    imp = pack_file(imported or imported_packs_dir(), language, form_id)
    if imp.is_file():
        try:
            chain.append(PackCatalog.load(imp, imported=True))
        except (PackFormatError, OSError):
            pass
    shp = pack_file(shipped or shipped_packs_dir(), language, form_id)
    if shp.is_file():
        chain.append(PackCatalog.load(shp))
    if not chain:
        return None
    for fallback in chain[1:]:
        chain[0].add_fallback(fallback)
    return chain[0]


# ----------------------------------------------------------------------------------------------
# Resolution
# ----------------------------------------------------------------------------------------------

class DisplayMode(enum.Enum):
    """How a form is shown when a pack is chosen (the UI renders; the app remembers the choice)."""

    BILINGUAL = "bilingual"
    """Pack label large, Vietnamese smaller beneath (the default when a pack is chosen)."""
    PACK_ONLY = "pack_only"
    VIETNAMESE_ONLY = "vietnamese_only"


DEFAULT_DISPLAY_MODE = DisplayMode.BILINGUAL


class Source(enum.Enum):
    PACK = "pack"
    FORM_COLUMN = "form_column"
    VIETNAMESE = "vietnamese"


@dataclass(frozen=True)
class Resolved:
    """A resolved text: what to show, in which language, and how it was found."""

    text: str
    lang_used: str
    fell_back: bool
    """True when the chosen language had no text and Vietnamese is shown instead."""
    fuzzy: bool
    """True when the text comes from a pack entry no native speaker has reviewed."""
    vietnamese: str
    source: Source = Source.VIETNAMESE
    stale: bool = False
    """The pack entry translates an older Vietnamese text (the form changed; run update)."""

    def lines(self, mode: DisplayMode) -> tuple[str, str | None]:
        """(main text, smaller text beneath or None) for a display mode."""
        if mode is DisplayMode.VIETNAMESE_ONLY or self.fell_back or self.lang_used == SOURCE_LANGUAGE:
            return self.vietnamese, None
        if mode is DisplayMode.PACK_ONLY:
            return self.text, None
        return self.text, (self.vietnamese if self.vietnamese != self.text else None)

    def status_text(self) -> str:
        """A short user-facing note on the label's status ('' when there is nothing to say)."""
        if self.fell_back:
            return _("No translation yet: shown in Vietnamese")
        if self.fuzzy:
            return _("Translation not yet reviewed by a native speaker")
        return ""


class LabelResolver:
    """Resolve a form's texts for one chosen language (``pack_lang``; None: Vietnamese).

    Order: the chosen pack's entry (imported, then shipped; fuzzy entries are shown, flagged) ->
    the form's own column in that language (``label::Tày (tyz)``) -> Vietnamese, marked
    ``fell_back``. The chain is explicit rather than a gettext Translations chain because the
    screen must know where each text came from and whether it was reviewed.
    """

    def __init__(self, form_id: str, pack_lang: str | None, pack: PackCatalog | None = None):
        self.form_id = form_id
        self.pack_lang = pack_lang or None
        self.pack = pack

    @classmethod
    def for_form(cls, form: Form, pack_lang: str | None, *, shipped: Path | None = None,
                 imported: Path | None = None) -> LabelResolver:
        pack = load_pack(pack_lang, form.form_id, shipped=shipped, imported=imported) \
            if pack_lang and pack_lang != SOURCE_LANGUAGE else None
        return cls(form.form_id, pack_lang, pack)

    def resolve(self, path: str, column: str, texts: dict[str, str]) -> Resolved:
        """Resolve one cell; ``texts`` is the form's text of that cell by language code."""
        vietnamese = nfc(texts.get(SOURCE_LANGUAGE) or next((t for t in texts.values() if t), ""))
        lang = self.pack_lang
        if not lang or lang == SOURCE_LANGUAGE:
            return Resolved(vietnamese, SOURCE_LANGUAGE, False, False, vietnamese)
        if self.pack is not None:
            entry = self.pack.lookup(pack_key(self.form_id, path, column))
            if entry is not None:
                stale = entry.msgid != vietnamese
                return Resolved(entry.msgstr, lang, False, entry.fuzzy or stale, vietnamese,
                                Source.PACK, stale)
        inline = texts.get(lang)
        if inline:
            return Resolved(nfc(inline), lang, False, False, vietnamese, Source.FORM_COLUMN)
        return Resolved(vietnamese, SOURCE_LANGUAGE, True, False, vietnamese)

    def resolve_node(self, node, column: str = "label") -> Resolved:
        """Resolve a field's, group's or repeat's label/hint/message (a model node)."""
        return self.resolve(node_path(node), column, _codes(getattr(node, column, None) or {}))

    def resolve_choice(self, list_name: str, choice) -> Resolved:
        return self.resolve(choice_path(list_name, choice.name), "label", _codes(choice.label))

    def resolve_title(self, form: Form) -> Resolved:
        return self.resolve(TITLE_PATH, TITLE_COLUMN, _codes(form.title))


def iter_pack_files(base: Path) -> Iterable[tuple[str, str, Path]]:
    """(language, form_id, path) of every pack file under a packs folder."""
    for language in languages_in(base):
        for po in sorted((base / language).glob("*.po")):
            yield language, po.stem, po
