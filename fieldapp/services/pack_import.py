"""Importing a commune's label pack (Settings): check a .po file against the app's forms and
install it over the shipped pack, atomically; remove it again.

A pack file records its script in the ``X-Script`` header; a pack in a language's second
script (Dao in the Vietnamese-based spelling) is installed as its own pack ("ium@dao-vn").
A missing or unknown header is not a refusal: the pack is imported as the language's default
script, with a warning the user sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from fieldapp.errors import UserError, os_reason
from fieldapp.i18n.catalog import _
from fieldapp.i18n.languages import SOURCE_LANGUAGE, normalise_language
from fieldapp.i18n.pack_languages import pack_code, script_of
from fieldapp.i18n.packs import (
    PackCatalog, form_texts, imported_packs_dir, pack_file, split_key)
from fieldapp.i18n.pofile import PackBabelCatalog, PackFormatError, parse_po, write_po_atomic
from fieldapp.services.packs import (
    _PERCENT_RE, _REF_RE, MAX_IMPORT_BYTES, CoverageRow, _app_forms, count_pack)


MAX_ENTRY_CHARS = 2000
ENTRY_RATIO = 6
"""A translation may be at most max(MAX_ENTRY_CHARS, ENTRY_RATIO x its Vietnamese text) long."""


class PackImportError(UserError):
    """A pack file that was refused; the message says why (the current pack is unchanged)."""


# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    language: str
    """The pack code the file was installed as ("tyz", "ium@dao-vn")."""
    form_id: str
    path: Path
    replaced: bool
    coverage: CoverageRow
    warnings: tuple[str, ...] = field(default=())


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
        if isinstance(m.string, str) and len(m.string) > max(MAX_ENTRY_CHARS,
                                                             ENTRY_RATIO * len(m.id)):
            # Each entry is limited, not only the file: one huge translation made the
            # household survey take seconds and a gigabyte to open.
            problems.append(_("{key}: the translation is {length} characters long, far longer "
                              "than the Vietnamese text").format(key=m.context,
                                                                 length=len(m.string)))
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
            file=path.name, error=os_reason(exc))) from None
    try:
        catalog, pack_language, form = validate_pack(data, forms, language=language,
                                                     label=path.name)
    except PackImportError as exc:
        raise PackImportError(_("{file} was not imported; the current pack is unchanged. "
                                "Problems:").format(file=path.name) + f" {exc}") from None
    script = script_of(pack_language, catalog.header("X-Script"))
    code = pack_code(pack_language, script.script)
    target = pack_file(imported or imported_packs_dir(), code, form.form_id)
    replaced = target.is_file()
    catalog.set_header("Language", pack_language)
    catalog.set_header("X-Form-Id", form.form_id)
    if script.script:
        catalog.set_header("X-Script", script.script)
    write_po_atomic(catalog, target)
    pack = PackCatalog.from_babel(catalog, form_id=form.form_id)
    pack.language = code
    row = count_pack(form_texts(form), pack, code, form.form_id, imported=True)
    warnings = tuple(w for w in (script.warning,) if w)
    return ImportResult(code, form.form_id, target, replaced, row, warnings)


def remove_imported_pack(language: str, form_id: str, *, imported: Path | None = None) -> bool:
    """Remove a commune's imported pack so the shipped one is used again; True if one existed."""
    target = pack_file(imported or imported_packs_dir(), language, form_id)
    try:
        target.unlink()
        return True
    except FileNotFoundError:
        return False
