"""Label-pack use cases: coverage report, refresh after a form change, and a commune's import.

The CLI wires ``fieldapp i18n coverage`` to :func:`run_coverage` and ``fieldapp i18n update`` to
:func:`run_update`; Settings calls :func:`import_pack` (and :func:`remove_imported_pack`).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from babel.messages.catalog import Message

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.languages import SOURCE_LANGUAGE, normalise_language
from fieldapp.i18n.packs import (
    PACK_LANGUAGES,
    FormText,
    PackCatalog,
    form_texts,
    imported_packs_dir,
    iter_pack_files,
    languages_in,
    pack_file,
    shipped_packs_dir,
    split_key,
)
from fieldapp.i18n.pofile import (
    PackBabelCatalog,
    PackFormatError,
    parse_po,
    po_bytes,
    read_po_file,
    write_po_atomic,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # a full pack is ~60 kB
_REF_RE = re.compile(r"\$\{[^}]*\}")
_PERCENT_RE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
REVIEW_STATUS_DRAFT = ("machine-assisted draft, not reviewed by a native speaker; "
                       "needs review by a {speaker} speaker")


class PackImportError(UserError):
    """A pack file that was refused; the message says why (the current pack is unchanged)."""


# ----------------------------------------------------------------------------------------------
# Coverage
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverageRow:
    language: str
    form_id: str
    total: int
    translated: int
    reviewed: int
    fuzzy: int
    """Translated but unreviewed, including entries made for an older Vietnamese text."""
    missing: int
    stale: int = 0
    imported: bool = False

    @property
    def percent_translated(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0


def count_pack(texts: list[FormText], pack: PackCatalog | None, language: str, form_id: str,
               imported: bool = False) -> CoverageRow:
    """Coverage of one pack (None: no pack at all) against one form's texts."""
    translated = reviewed = fuzzy = stale = 0
    for text in texts:
        entry = pack.lookup(text.key) if pack is not None else None
        if entry is None:
            continue
        translated += 1
        is_stale = entry.msgid != text.source
        stale += is_stale
        if entry.fuzzy or is_stale:
            fuzzy += 1
        else:
            reviewed += 1
    return CoverageRow(language, form_id, len(texts), translated, reviewed, fuzzy,
                       len(texts) - translated, stale, imported)


def coverage(forms: Iterable, packs: dict[tuple[str, str], PackCatalog | None]) -> list[CoverageRow]:
    """One row per (language, form): ``packs`` maps (language, form_id) to its pack or None."""
    forms = list(forms)
    languages = sorted({lang for lang, _form in packs})
    rows = []
    for language in languages:
        for form in forms:
            if (language, form.form_id) not in packs:
                continue
            rows.append(count_pack(form_texts(form), packs[(language, form.form_id)], language,
                                   form.form_id,
                                   imported=bool(getattr(packs[(language, form.form_id)],
                                                         "imported", False))))
    return rows


def pack_overview(forms: Iterable | None = None, *, shipped: Path | None = None,
                  imported: Path | None = None) -> list[CoverageRow]:
    """What the app will show per language and form (imported pack over shipped), for Settings.

    ``imported`` on a row means the commune's own pack is in use for that form.
    """
    from fieldapp.i18n.packs import available_languages, load_pack

    forms = list(forms) if forms is not None else _app_forms()
    rows = []
    for language in available_languages(shipped, imported):
        for form in forms:
            pack = load_pack(language, form.form_id, shipped=shipped, imported=imported)
            rows.append(count_pack(form_texts(form), pack, language, form.form_id,
                                   imported=bool(pack is not None and pack.imported)))
    return rows


def _app_forms() -> list:
    """The forms the app offers: shipped ones and the commune's own (those that load)."""
    from fieldapp import paths
    from fieldapp.services.forms import discover_forms

    return [f for _p, f in discover_forms([paths.forms_dir(), paths.commune_forms_dir()])
            if not isinstance(f, list)]


def format_coverage(rows: list[CoverageRow]) -> list[str]:
    """Human-readable lines, one per pack and form."""
    lines = []
    for row in rows:
        where = _("imported") if row.imported else _("shipped")
        line = _("{language} {form} ({where}): total {total}, translated {translated} "
                 "({percent:.0f}%), reviewed {reviewed}, fuzzy {fuzzy}, missing {missing}").format(
            language=row.language, form=row.form_id, where=where, total=row.total,
            translated=row.translated, percent=row.percent_translated, reviewed=row.reviewed,
            fuzzy=row.fuzzy, missing=row.missing)
        if row.stale:
            line += _("; {stale} made for an older text (run fieldapp i18n update)").format(
                stale=row.stale)
        lines.append(line)
    return lines


def _load_shipped_forms(forms_dir: Path | None) -> tuple[list, list[str]]:
    from fieldapp import paths
    from fieldapp.services.forms import discover_forms

    forms, problems = [], []
    for path, result in discover_forms([forms_dir or paths.forms_dir()]):
        if isinstance(result, list):
            problems.append(_("{file}: the form does not load ({count} problems); run "
                              "fieldapp forms check").format(file=path.name, count=len(result)))
        else:
            forms.append(result)
    return forms, problems


def run_coverage(*, forms_dir: Path | None = None, shipped: Path | None = None,
                 imported: Path | None = None) -> tuple[list[str], int]:
    """Lines for ``fieldapp i18n coverage`` and the exit code.

    Exit code 1 when a shipped form does not load or a shipped pack misses entries of a shipped
    form (a missing file counts as all entries missing); imported packs are listed but do not
    change the exit code.
    """
    shipped = shipped or shipped_packs_dir()
    imported = imported or imported_packs_dir()
    forms, problems = _load_shipped_forms(forms_dir)
    packs: dict[tuple[str, str], PackCatalog | None] = {}
    for language in languages_in(shipped):
        for form in forms:
            path = pack_file(shipped, language, form.form_id)
            try:
                packs[(language, form.form_id)] = PackCatalog.load(path) if path.is_file() else None
            except PackFormatError as exc:
                problems.append(str(exc))
                packs[(language, form.form_id)] = None
    rows = coverage(forms, packs)
    imported_packs: dict[tuple[str, str], PackCatalog | None] = {}
    form_ids = {f.form_id for f in forms}
    for language, form_id, path in iter_pack_files(imported):
        if form_id in form_ids:
            try:
                imported_packs[(language, form_id)] = PackCatalog.load(path, imported=True)
            except PackFormatError as exc:
                problems.append(str(exc))
    rows += coverage(forms, imported_packs)
    lines = format_coverage(rows) + problems
    if not languages_in(shipped):
        lines.append(_("No shipped label packs found in {folder}").format(folder=shipped))
    failed = bool(problems) or not languages_in(shipped) or any(
        r.missing for r in rows if not r.imported)
    return lines, 1 if failed else 0


# ----------------------------------------------------------------------------------------------
# Update (msgmerge semantics, keyed by msgctxt)
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UpdateResult:
    language: str
    form_id: str
    path: Path
    created: bool
    added: int
    changed: int
    """Entries whose Vietnamese text changed: their translation kept and marked fuzzy."""
    obsoleted: int
    written: bool


def new_pack_catalog(language: str, form, *, now: _dt.datetime | None = None) -> PackBabelCatalog:
    """An empty pack for ``form`` with the pack headers (no babel locale data needed)."""
    now = now or _dt.datetime.now(_dt.timezone.utc)
    info = PACK_LANGUAGES.get(language)
    name = info.name if info else language
    stamp = now.strftime("%Y-%m-%d %H:%M+0000")
    catalog = PackBabelCatalog(charset="utf-8", fuzzy=False)
    catalog.header_comment = (
        f"# {name} ({language}) label pack for the fieldapp form {form.form_id}.\n"
        f"# Script: {info.script if info else 'not stated'}.\n"
        "# Keys (msgctxt) are <form_id>:<field path>:<column>; msgid is the Vietnamese text.\n"
        "# A fuzzy entry has not been reviewed by a native speaker.")
    for header, value in (
        ("Project-Id-Version", f"fieldapp {form.form_id}"),
        ("Report-Msgid-Bugs-To", ""),
        ("POT-Creation-Date", stamp),
        ("PO-Revision-Date", stamp),
        ("Last-Translator", "none yet"),
        ("Language-Team", f"{name} (no reviewer yet)"),
        ("Language", language),
        ("X-Script", info.script if info else ""),
        ("X-Translator", ""),
        ("X-Sources", ""),
        ("X-Review-Status", REVIEW_STATUS_DRAFT.format(speaker=name)),
        ("X-Form-Id", form.form_id),
        ("X-Form-Version", str(getattr(form, "version", "") or "")),
    ):
        catalog.set_header(header, value)
    return catalog


def _english_comment(text: FormText) -> list[str]:
    english = text.texts.get("en")
    return [f"en: {english}"] if english else []


def merge_pack(catalog: PackBabelCatalog, form) -> tuple[PackBabelCatalog, int, int, int]:
    """Merge ``catalog`` with ``form``'s current texts, as msgmerge does but keyed by msgctxt.

    New keys are added untranslated; a key whose Vietnamese text changed keeps its translation,
    marked fuzzy, with the old text as ``#| msgid``; keys no longer in the form become obsolete.
    Translator comments and flags are kept. babel's Catalog.update is not used because its fuzzy
    matching compares msgids across contexts and would give a new field a similar field's
    translation. Returns (merged catalog, added, changed, obsoleted).
    """
    current = {m.context: m for m in catalog if m.id and m.context}
    obsolete = {m.context: m for m in catalog.obsolete.values() if m.context}
    merged = PackBabelCatalog(charset="utf-8", fuzzy=False)
    merged.header_comment = catalog.header_comment
    for name, value in catalog.raw_headers.items():
        merged.set_header(name, value)
    merged.set_header("X-Form-Id", form.form_id)
    merged.set_header("X-Form-Version", str(getattr(form, "version", "") or ""))
    added = changed = 0
    seen = set()
    for text in form_texts(form):
        seen.add(text.key)
        old = current.get(text.key)
        if old is None:
            old = obsolete.get(text.key)
        comments = _english_comment(text)
        if old is None:
            merged.add(text.source, "", auto_comments=comments, context=text.key)
            added += 1
            continue
        flags = set(old.flags) - {"fuzzy"}
        fuzzy = old.fuzzy
        previous = list(old.previous_id) if old.previous_id else []
        if old.id != text.source:
            if old.string:
                fuzzy = True
                previous = [old.id]
            changed += 1
        elif old.context not in current:  # revived from obsolete with the same text
            added += 1
        if fuzzy and old.string:
            flags.add("fuzzy")
        merged.add(text.source, old.string, auto_comments=comments,
                   user_comments=list(old.user_comments), flags=flags,
                   previous_id=previous if "fuzzy" in flags else [], context=text.key)
    obsoleted = 0
    for key, message in list(current.items()) + list(obsolete.items()):
        if key in seen or not message.string:
            continue
        if key in current:
            obsoleted += 1
        merged.obsolete[(message.id, key)] = Message(
            message.id, message.string, flags=message.flags, user_comments=message.user_comments,
            context=key)
    return merged, added, changed, obsoleted


def update_packs(forms: Iterable, base: Path | None = None, languages: Iterable[str] | None = None,
                 *, now: _dt.datetime | None = None) -> list[UpdateResult]:
    """Refresh (or create) the pack of every language under ``base`` for every form.

    A file is rewritten only when its entries changed, so an update with no form change leaves
    every file byte-for-byte as it was.
    """
    base = base or shipped_packs_dir()
    languages = list(languages) if languages is not None else languages_in(base)
    results = []
    for language in languages:
        for form in forms:
            path = pack_file(base, language, form.form_id)
            created = not path.is_file()
            old = new_pack_catalog(language, form, now=now) if created else read_po_file(path)
            merged, added, changed, obsoleted = merge_pack(old, form)
            written = created or po_bytes(merged) != po_bytes(old)
            if written:
                if not created and (added or changed or obsoleted):
                    stamp = (now or _dt.datetime.now(_dt.timezone.utc)).strftime(
                        "%Y-%m-%d %H:%M+0000")
                    merged.set_header("POT-Creation-Date", stamp)
                write_po_atomic(merged, path)
            results.append(UpdateResult(language, form.form_id, path, created, added, changed,
                                        obsoleted, written))
    return results


def run_update(*, forms_dir: Path | None = None, shipped: Path | None = None) -> list[str]:
    """Lines for ``fieldapp i18n update``: refresh every shipped pack from the shipped forms."""
    forms, problems = _load_shipped_forms(forms_dir)
    base = shipped or shipped_packs_dir()
    lines = []
    for r in update_packs(forms, base):
        if r.created:
            lines.append(_("{language} {form}: created with {added} untranslated entries").format(
                language=r.language, form=r.form_id, added=r.added))
        elif r.written:
            lines.append(_("{language} {form}: {added} new, {changed} changed (now fuzzy), "
                           "{obsoleted} obsolete").format(
                language=r.language, form=r.form_id, added=r.added, changed=r.changed,
                obsoleted=r.obsoleted))
        else:
            lines.append(_("{language} {form}: up to date").format(
                language=r.language, form=r.form_id))
    return lines + problems


# ----------------------------------------------------------------------------------------------
# Import
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    language: str
    form_id: str
    path: Path
    replaced: bool
    coverage: CoverageRow


def _placeholders(text: str) -> list[str]:
    return sorted(_REF_RE.findall(text))


def validate_pack(data: bytes, forms: Iterable, *, language: str | None = None,
                  label: str = "") -> tuple[PackBabelCatalog, str, object]:
    """Check a pack file against the app's forms; return (catalog, language, form).

    Raises PackImportError with one message naming the first problems found.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise PackImportError(_("{file} is too large to be a label pack.").format(file=label))
    try:
        catalog = parse_po(data, label)
    except PackFormatError as exc:
        raise PackImportError(str(exc)) from None
    header_language = catalog.header("Language")
    pack_language = normalise_language(header_language)
    if not pack_language:
        raise PackImportError(_("{file} has no valid Language header (for example "
                                "\"Language: tyz\").").format(file=label))
    if pack_language == SOURCE_LANGUAGE:
        raise PackImportError(_("{file} is a Vietnamese catalog; Vietnamese is the forms' own "
                                "language, not a pack.").format(file=label))
    if language and normalise_language(language) != pack_language:
        raise PackImportError(_("{file} is a pack for the language \"{found}\", not \"{wanted}\".")
                              .format(file=label, found=header_language, wanted=language))
    messages = [m for m in catalog if m.id]
    if not messages:
        raise PackImportError(_("{file} contains no entries.").format(file=label))
    problems: list[str] = []
    form_ids = set()
    for m in messages:
        key = split_key(m.context or "")
        if key is None:
            problems.append(_("entry \"{msgid}\" has no valid key (msgctxt)").format(
                msgid=_short(m.id)))
        else:
            form_ids.add(key[0])
    if problems:
        raise PackImportError(_refusal(problems))
    if len(form_ids) != 1:
        raise PackImportError(_("{file} mixes entries of several forms ({forms}); one file "
                                "holds one form.").format(file=label, forms=", ".join(sorted(form_ids))))
    form_id = form_ids.pop()
    header_form = catalog.header("X-Form-Id")
    if header_form and header_form != form_id:
        raise PackImportError(_("{file}: the X-Form-Id header ({header}) does not match its "
                                "entries ({form}).").format(file=label, header=header_form,
                                                             form=form_id))
    form = next((f for f in forms if f.form_id == form_id), None)
    if form is None:
        raise PackImportError(_("{file} is for the form \"{form}\", which this app does not "
                                "have.").format(file=label, form=form_id))
    sources = {t.key: t.source for t in form_texts(form)}
    for m in messages:
        if isinstance(m.id, (list, tuple)):
            problems.append(_("{key}: plural entries are not used in label packs").format(
                key=m.context))
            continue
        if m.context not in sources:
            problems.append(_("{key}: no such text in the form").format(key=m.context))
            continue
        if m.id != sources[m.context]:
            problems.append(_("{key}: the Vietnamese text is \"{found}\" but the form now says "
                              "\"{wanted}\"").format(key=m.context, found=_short(m.id),
                                                     wanted=_short(sources[m.context])))
            continue
        if m.string and _placeholders(m.string) != _placeholders(m.id):
            problems.append(_("{key}: the translation must keep {refs} exactly").format(
                key=m.context, refs=" ".join(_placeholders(m.id)) or _("no ${...} references")))
        if m.string and sorted(_PERCENT_RE.findall(m.id)) != sorted(_PERCENT_RE.findall(m.string)) \
                and "python-format" in m.flags:
            problems.append(_("{key}: the translation must keep the % placeholders").format(
                key=m.context))
    for message, errors in catalog.check():
        for error in errors:
            problems.append(f"{message.context}: {error}")
    if problems:
        raise PackImportError(_refusal(problems))
    return catalog, pack_language, form


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refusal(problems: list[str], shown: int = 5) -> str:
    more = len(problems) - shown
    text = "; ".join(problems[:shown])
    if more > 0:
        text += " " + _("(and {count} more)").format(count=more)
    return text


def import_pack(path: Path, forms: Iterable | None = None, language: str | None = None, *,
                imported: Path | None = None) -> ImportResult:
    """Validate the .po file at ``path`` and install it as the commune's pack.

    ``forms`` defaults to the app's forms (shipped and the commune's own); ``language``, when
    given, must match the file's Language header. Installed at
    ``<data folder>/packs/<lang>/<form_id>.po`` (taking precedence over the shipped pack) with a
    temporary file and an atomic rename, so on any failure the current pack is untouched.
    """
    path = Path(path)
    forms = list(forms) if forms is not None else _app_forms()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackImportError(_("Cannot read {file}: {error}").format(
            file=path.name, error=exc.strerror or exc)) from None
    try:
        catalog, pack_language, form = validate_pack(data, forms, language=language,
                                                     label=path.name)
    except PackImportError as exc:
        raise PackImportError(_("{file} was not imported; the current pack is unchanged. "
                                "Problems:").format(file=path.name) + f" {exc}") from None
    target = pack_file(imported or imported_packs_dir(), pack_language, form.form_id)
    replaced = target.is_file()
    catalog.set_header("Language", pack_language)
    catalog.set_header("X-Form-Id", form.form_id)
    write_po_atomic(catalog, target)
    row = count_pack(form_texts(form), PackCatalog.from_babel(catalog, form_id=form.form_id),
                     pack_language, form.form_id, imported=True)
    return ImportResult(pack_language, form.form_id, target, replaced, row)


def remove_imported_pack(language: str, form_id: str, *, imported: Path | None = None) -> bool:
    """Remove a commune's imported pack so the shipped one is used again; True if one existed."""
    target = pack_file(imported or imported_packs_dir(), language, form_id)
    try:
        target.unlink()
        return True
    except FileNotFoundError:
        return False
