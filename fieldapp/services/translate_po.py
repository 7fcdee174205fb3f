"""A laptop's label packs as .po files for Poedit, and their coverage with the database's entries.

- :func:`export_po`: what this laptop shows for one pack and form (its database's entries over
  the imported and shipped files), one .po file: reviewed entries plain, drafts fuzzy, the
  reviewer and the sources in translator comments; Poedit opens it as any gettext catalog.
- :func:`import_po`: a .po file back (from Poedit, or another laptop): checked whole first (the
  same checks as a commune's pack import: its form, keys, Vietnamese texts, lengths, placeholders;
  and markup, control characters, letters of the other Dao spelling); if anything is wrong,
  nothing is stored. Then every entry that differs from what the laptop shows becomes a synced
  entry (a translation without ``fuzzy`` is reviewed by the member importing it).
- :func:`overview`: coverage per pack and form with the database's entries (Settings,
  ``fieldapp i18n coverage --db``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.errors import os_reason
from fieldapp.core.pack_entries import DRAFT, MISSING, REVIEWED, text_problem
from fieldapp.i18n.catalog import _
from fieldapp.i18n.languages import normalise_language
from fieldapp.i18n.pack_languages import pack_code, script_of
from fieldapp.i18n.packs import PackCatalog, available_languages, form_texts, load_pack
from fieldapp.i18n.pofile import write_po_atomic
from fieldapp.i18n.spelling import other_spelling
from fieldapp.i18n.text import nfc
from fieldapp.services.pack_import import PackImportError, _refusal, validate_pack
from fieldapp.services.packs import MAX_IMPORT_BYTES, CoverageRow, count_pack, new_pack_catalog
from fieldapp.services.translate import entries_catalog

if TYPE_CHECKING:
    from fieldapp.services.workspace import Workspace


@dataclass(frozen=True)
class PoImport:
    pack: str
    form_id: str
    changed: int
    unchanged: int
    coverage: CoverageRow
    warnings: tuple[str, ...] = ()


def export_po(workspace: "Workspace", pack: str, form_id: str, out: Path) -> Path:
    """Write the .po file of (pack, form) as this laptop shows it; returns its path."""
    translations = workspace.translations
    form = translations.form(form_id)
    catalog = new_pack_catalog(pack, form)
    catalog.set_header("Last-Translator", "fieldapp (exported from the app)")
    for row in translations.rows(pack, form_id):
        own = row.origin in ("entry", "file")
        comments = [c for c in (row.comment,) if c and own]
        if row.status == REVIEWED and row.reviewer:
            comments.append(f"reviewed by {row.reviewer} ({row.reviewer_commune}), "
                            f"{row.reviewed_at[:10]}")
        if row.origin == "parent":
            comments.append(f"{row.inherited_from}: {row.text}")
        catalog.add(row.source, row.text if own else "", context=row.key,
                    user_comments=comments, flags={"fuzzy"} if own and row.status == DRAFT
                    else set())
    out = Path(out)
    if out.is_dir():
        out = out / f"{pack}-{form_id}.po"
    write_po_atomic(catalog, out)
    return out


def import_po(workspace: "Workspace", path: Path) -> PoImport:
    """Check the .po file at ``path`` whole, then store what it changes as synced entries
    (see the module docstring). PackImportError (nothing stored) says why not."""
    translations = workspace.translations
    translations._require()
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise PackImportError(_("{file} is too large to be a label pack.").format(
                file=path.name))
        data = path.read_bytes()
    except OSError as exc:
        raise PackImportError(_("Cannot read {file}: {error}").format(
            file=path.name, error=os_reason(exc))) from None
    forms = translations.forms()
    try:
        catalog, language, form = validate_pack(data, forms, label=path.name)
    except PackImportError as exc:
        raise PackImportError(_("{file} was not imported; nothing was changed. Problems:")
                              .format(file=path.name) + f" {exc}") from None
    script = script_of(language, catalog.header("X-Script"))
    pack = pack_code(normalise_language(language), script.script)
    problems = []
    for message in catalog:
        if not message.id or not isinstance(message.string, str) or not message.string:
            continue
        text = nfc(message.string)
        problem = text_problem(text, message.id) or other_spelling(pack, text)
        if problem:
            problems.append(f"{message.context}: {problem}")
    if problems:
        raise PackImportError(_("{file} was not imported; nothing was changed. Problems:")
                              .format(file=path.name) + " " + _refusal(problems))
    current = {r.key: r for r in translations.rows(pack, form.form_id)}
    changed = unchanged = 0
    with workspace.store.transaction():
        for message in catalog:
            if not message.id or not message.context or message.context not in current:
                continue
            text = nfc(message.string) if isinstance(message.string, str) else ""
            if not text:
                unchanged += 1
                continue
            status = DRAFT if message.fuzzy else REVIEWED
            row = current[message.context]
            if row.origin in ("entry", "file") and row.text == text and row.status == status:
                unchanged += 1
                continue
            translations.save(pack, message.context, text, reviewed=status == REVIEWED,
                              comment=" ".join(message.user_comments) or None)
            changed += 1
        workspace.audit.record("pack_imported", detail={"file": path.name, "pack": pack,
                                                        "form": form.form_id,
                                                        "changed": changed})
    chain = load_pack(pack, form.form_id, overlay=translations.overlay)
    row = count_pack(form_texts(form), chain, pack, form.form_id)
    return PoImport(pack, form.form_id, changed, unchanged, row,
                    tuple(w for w in (script.warning,) if w))


def overview(workspace: "Workspace", forms: list | None = None) -> list[CoverageRow]:
    """Coverage per pack (every pack shipped, imported or written in the app) and form, as this
    laptop shows them (its database's entries first, then the files): Settings and
    ``fieldapp i18n coverage --db`` both show these rows. ``forms``: the workspace's forms
    unless given (the same ones, already read). It reads every entry of the database, so a
    screen calls it off the UI thread."""
    forms = workspace.translations.forms() if forms is None else forms
    store = workspace.store.pack_entries
    records: dict[tuple[str, str], dict[str, dict]] = {}

    def entries(pack: str, form_id: str) -> dict[str, dict]:
        # Read once per (pack, form), though a child pack's chain asks for its parent's too.
        if (pack, form_id) not in records:
            records[pack, form_id] = {r["key"]: r for r in store.of_form(pack, form_id)}
        return records[pack, form_id]

    def overlay(pack: str, form_id: str) -> PackCatalog | None:
        return entries_catalog(pack, form_id, entries(pack, form_id).values())

    rows = []
    for pack in sorted(set(available_languages()) | set(store.packs())):
        for form in forms:
            texts = form_texts(form)
            chain = load_pack(pack, form.form_id, overlay=overlay)
            own = entries(pack, form.form_id)
            shown = [(t, own[t.key]) for t in texts if own.get(t.key, {}).get("text")]
            row = count_pack(texts, chain, pack, form.form_id, imported=_has_file(chain, pack))
            rows.append(replace(row, in_app=len(shown), in_app_reviewed=sum(
                r["status"] == REVIEWED and r["source"] == t.source for t, r in shown)))
    return rows


def _has_file(chain: PackCatalog | None, pack: str) -> bool:
    """Whether a commune's imported .po file of ``pack`` itself is in the chain."""
    while chain is not None:
        if chain.imported and chain.language == pack:
            return True
        chain = chain.fallback
    return False


def known_packs(workspace: "Workspace") -> list[str]:
    """Every pack the app knows, has files of, or holds entries of."""
    from fieldapp.services.translate import all_packs

    return sorted(set(all_packs()) | set(available_languages())
                  | set(workspace.store.pack_entries.packs()))


def coverage_lines(workspace: "Workspace") -> list[str]:
    """``fieldapp i18n coverage --db``: a line per pack and form, then per pack the reviewed
    texts over all forms."""
    from fieldapp.services.packs import format_coverage

    rows = overview(workspace)
    lines = format_coverage(rows)
    totals: dict[str, list[int]] = {}
    for row in rows:
        sums = totals.setdefault(row.language, [0, 0, 0, 0])
        sums[0] += row.total
        sums[1] += row.reviewed
        sums[2] += row.draft
        sums[3] += row.missing + row.outdated
    for pack, (total, reviewed, draft, missing) in sorted(totals.items()):
        lines.append(_("{language}: {reviewed} of {total} texts reviewed by a native speaker "
                       "({draft} drafts, {missing} missing)").format(
            language=pack, reviewed=reviewed, total=total, draft=draft, missing=missing))
    return lines


__all__ = ["MISSING", "PoImport", "coverage_lines", "export_po", "import_po", "known_packs",
           "overview"]
