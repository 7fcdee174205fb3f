"""Label-pack use cases: coverage report, refresh after a form change, and a commune's import.

The CLI wires ``fieldapp i18n coverage`` to :func:`run_coverage` and ``fieldapp i18n update`` to
:func:`run_update`; Settings calls :func:`import_pack` (and :func:`remove_imported_pack`), which
live in :mod:`fieldapp.services.pack_import`.
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
from fieldapp.i18n.glossary import contradictions, load_glossary
from fieldapp.i18n.pack_languages import SCRIPTS, script_id
from fieldapp.i18n.packs import (
    PACK_LANGUAGES,
    parent_pack,
    split_pack_code,
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


# ----------------------------------------------------------------------------------------------
# Coverage
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverageRow:
    """How far one pack covers one form's texts; ``total`` = reviewed + draft + inherited +
    outdated + missing. Nothing is called "translated": a draft is not a translation anyone
    has checked."""

    language: str
    """The pack code ("tyz", "ium@dao-vn")."""
    form_id: str
    total: int
    reviewed: int
    """The pack's own entries a native speaker has reviewed."""
    draft: int
    """The pack's own entries not yet reviewed (fuzzy), including entries made for an older
    Vietnamese text the pack has not been updated for (``stale``)."""
    missing: int
    inherited: int = 0
    """Texts shown from the parent pack (Nùng from Tày) because this pack has none."""
    outdated: int = 0
    """Entries translating an older text of the form (``#| msgid``): not shown until updated."""
    stale: int = 0
    imported: bool = False
    """A commune's imported .po file is in use for this pack and form."""
    parent: str | None = None
    in_app: int = 0
    """Of reviewed + draft, the texts shown from the database's entries (written in the app,
    or a .po file imported into it): :func:`fieldapp.services.translate_po.overview` only."""
    in_app_reviewed: int = 0
    """Of ``reviewed``, the entries a native speaker reviewed in the app."""

    @property
    def shown(self) -> int:
        """Texts shown in the pack's language (its own or inherited); the rest in Vietnamese."""
        return self.reviewed + self.draft + self.inherited


def count_pack(texts: list[FormText], pack: PackCatalog | None, language: str, form_id: str,
               imported: bool = False) -> CoverageRow:
    """Coverage of one pack chain (None: no pack at all) against one form's texts."""
    reviewed = draft = inherited = outdated = stale = 0
    for text in texts:
        found = pack.find(text.key) if pack is not None else None
        if found is None:
            own = pack.get(text.key) if pack is not None else None
            outdated += bool(own is not None and own.msgstr and own.previous)
            continue
        entry, holder = found
        if holder.language != language:
            inherited += 1
            continue
        is_stale = entry.msgid != text.source
        stale += is_stale
        if entry.fuzzy or is_stale:
            draft += 1
        else:
            reviewed += 1
    missing = len(texts) - reviewed - draft - inherited - outdated
    return CoverageRow(language, form_id, len(texts), reviewed, draft, missing, inherited,
                       outdated, stale, imported, parent_pack(language))


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
        where = (_("imported") if row.imported else _("written in the app")
                 if row.in_app and row.in_app == row.reviewed + row.draft else _("shipped"))
        line = _("{language} {form} ({where}): {total} texts: reviewed {reviewed}, draft "
                 "{draft}, missing {missing}").format(
            language=row.language, form=row.form_id, where=where, total=row.total,
            reviewed=row.reviewed, draft=row.draft, missing=row.missing)
        if row.in_app:
            line += _("; {in_app} from the app, {reviewed} of them reviewed there").format(
                in_app=row.in_app, reviewed=row.in_app_reviewed)
        if row.parent:
            line += _("; {inherited} inherited from {parent}").format(
                inherited=row.inherited, parent=row.parent)
        if row.outdated:
            line += _("; {outdated} made for an older text, not shown").format(
                outdated=row.outdated)
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


def _shipped_chain(shipped: Path, code: str, form_id: str,
                   problems: list[str]) -> PackCatalog | None:
    """The shipped pack of (code, form) with its parents chained behind it."""
    chain: list[PackCatalog] = []
    while code:
        path = pack_file(shipped, code, form_id)
        if path.is_file():
            try:
                chain.append(PackCatalog.load(path))
            except PackFormatError as exc:
                problems.append(str(exc))
        code = parent_pack(code)
    for fallback in chain[1:]:
        chain[0].add_fallback(fallback)
    return chain[0] if chain else None


def glossary_lines(codes: Iterable[str], packs: Iterable[PackCatalog], *,
                   shipped: Path | None = None, imported: Path | None = None
                   ) -> tuple[list[str], int]:
    """A line per glossary (terms reviewed / draft / missing) and one per reviewed pack entry
    that contradicts a reviewed term; returns (lines, number of contradictions)."""
    lines, found = [], 0
    packs = list(packs)
    for code in codes:
        try:
            glossary = load_glossary(code, shipped=shipped, imported=imported)
        except PackFormatError as exc:
            lines.append(str(exc))
            found += 1
            continue
        if glossary is None:
            continue
        lines.append(_("{language} glossary: {total} terms: reviewed {reviewed}, draft {draft}, "
                       "missing {missing}").format(
            language=code, total=len(glossary.terms), reviewed=glossary.reviewed,
            draft=glossary.drafts, missing=glossary.missing))
        entries = [e for p in packs if p.language == code for e in p.entries.values()]
        for c in contradictions(glossary, entries):
            found += 1
            lines.append(_("{language} {key}: uses “{vietnamese}” but not the glossary's "
                           "“{translation}”").format(language=code, key=c.entry.key,
                                                     vietnamese=c.term.vietnamese,
                                                     translation=c.term.translation))
    return lines, found


def run_coverage(*, forms_dir: Path | None = None, shipped: Path | None = None,
                 imported: Path | None = None) -> tuple[list[str], int]:
    """Lines for ``fieldapp i18n coverage`` and the exit code.

    Exit code 1 when a shipped form or pack does not load, when a shipped pack was not updated
    after its form changed (entries made for an older text: run ``fieldapp i18n update``), or
    when a reviewed entry contradicts its glossary. Texts a pack does not translate yet are
    reported as missing (the form shows them in Vietnamese) but are not a failure: a pack
    holds what someone could write, and drafts are never counted as translations. Imported
    packs are listed but do not change the exit code.
    """
    shipped = shipped or shipped_packs_dir()
    imported = imported or imported_packs_dir()
    forms, problems = _load_shipped_forms(forms_dir)
    packs: dict[tuple[str, str], PackCatalog | None] = {}
    for language in languages_in(shipped):
        for form in forms:
            if pack_file(shipped, language, form.form_id).is_file() or parent_pack(language):
                packs[(language, form.form_id)] = _shipped_chain(shipped, language,
                                                                 form.form_id, problems)
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
    own = [p for p in list(packs.values()) + list(imported_packs.values()) if p is not None]
    words, contradicted = glossary_lines(languages_in(shipped), own, shipped=shipped,
                                         imported=imported)
    lines = format_coverage(rows) + words + problems
    if not languages_in(shipped):
        lines.append(_("No shipped label packs found in {folder}").format(folder=shipped))
    failed = bool(problems) or not languages_in(shipped) or bool(contradicted) or any(
        r.stale for r in rows if not r.imported)
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
    info = PACK_LANGUAGES.get(split_pack_code(language)[0])
    name = info.name if info else language
    stamp = now.strftime("%Y-%m-%d %H:%M+0000")
    catalog = PackBabelCatalog(charset="utf-8", fuzzy=False)
    script = SCRIPTS.get(script_id(language))
    catalog.header_comment = (
        f"# {name} ({language}) label pack for the fieldapp form {form.form_id}.\n"
        f"# Script: {script.name + ': ' + script.letters if script else 'not stated'}.\n"
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
        ("X-Script", script.id if script else ""),
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


def merge_pack(catalog: PackBabelCatalog, form, *, sparse: bool = False
               ) -> tuple[PackBabelCatalog, int, int, int]:
    """Merge ``catalog`` with ``form``'s current texts, as msgmerge does but keyed by msgctxt.

    New keys are added untranslated, or, when another entry translates exactly the same
    Vietnamese text (a question moved to another group keeps its words), with that draft,
    marked fuzzy and commented; a key whose Vietnamese text changed keeps its translation,
    marked fuzzy, with the old text as ``#| msgid`` (not shown until a translator updates it);
    keys no longer in the form become obsolete. Translator comments and flags are kept.
    babel's Catalog.update is not used because its fuzzy matching compares similar msgids
    across contexts and would give a new field a similar field's translation. A ``sparse``
    pack (one that inherits, like Nùng from Tày) gets no new entries: it holds only what
    differs from its parent. Returns (merged catalog, added, changed, obsoleted).
    """
    current = {m.context: m for m in catalog if m.id and m.context}
    obsolete = {m.context: m for m in catalog.obsolete.values() if m.context}
    keys = {t.key for t in form_texts(form)}
    same_text: dict[str, Message] = {}
    for m in list(obsolete.values()) + [m for k, m in current.items() if k not in keys] + \
            list(current.values()):
        if m.string and not m.previous_id and m.id not in same_text:
            same_text[m.id] = m
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
            if sparse:
                continue
            reuse = same_text.get(text.source)
            if reuse is not None:
                merged.add(text.source, reuse.string, auto_comments=comments,
                           user_comments=list(reuse.user_comments) + [
                               f"draft reused from {reuse.context} (same Vietnamese text)"],
                           flags={"fuzzy"}, context=text.key)
            else:
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
            merged, added, changed, obsoleted = merge_pack(
                old, form, sparse=parent_pack(language) is not None)
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
