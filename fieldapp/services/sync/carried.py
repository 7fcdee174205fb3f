"""Forms and label packs that travel with setup files and packages.

- From the commune (setup files, return packages): the forms the commune added or changed (its
  data folder's forms, not the ones every laptop ships with) and the label packs it imported.
  A member laptop installs them, so a new form version reaches every laptop.
- From a member (packages to the commune): the workbooks of the form versions its submissions
  were made with, when they are not the shipped ones; the commune keeps them with the
  submissions (form_versions), so every submission still opens.

Members are named ``forms/<form id>/<version>/<file name>`` and ``packs/<language>/<form id>.po``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fieldapp import paths
from fieldapp.storage.store import Store

_FORM = re.compile(r"^forms/([A-Za-z][\w.\-]{0,99})/([\w.\-]{1,100})/([^/\\]{1,200})$")
_PACK = re.compile(r"^packs/([a-z]{2,3}(?:-[A-Za-z0-9]+)?)/([A-Za-z][\w.\-]{0,99})\.po$")


def _shipped_digests() -> set[str]:
    digests = set()
    folder = paths.forms_dir()
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if path.is_file():
            digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    return digests


def _safe_version(version: str) -> str:
    return re.sub(r"[^\w.\-]", "_", version)[:100] or "_"


def hub_files(store: Store) -> dict[str, bytes]:
    """What a commune sends its members: its own forms and its imported label packs."""
    from fieldapp.i18n.packs import imported_packs_dir, iter_pack_files
    from fieldapp.services.forms import FormCatalog

    files: dict[str, bytes] = {}
    shipped = _shipped_digests()
    commune_dir = paths.commune_forms_dir()
    if commune_dir.is_dir():
        for info in FormCatalog([commune_dir]).infos():
            data = info.path.read_bytes()
            if hashlib.sha256(data).hexdigest() not in shipped:
                files[f"forms/{info.form_id}/{_safe_version(info.version)}/{info.path.name}"] = data
    for language, form_id, path in iter_pack_files(imported_packs_dir()):
        files[f"packs/{language}/{form_id}.po"] = path.read_bytes()
    return files


def carried_files(store: Store) -> dict[str, bytes]:
    """Forms and packs of a setup file (the same as a return package's)."""
    return hub_files(store)


def versions_used(store: Store, submission_ids: set[str]) -> dict[str, bytes]:
    """Workbooks of the form versions these submissions used, unless shipped with the app."""
    if not submission_ids:
        return {}
    shipped = _shipped_digests()
    files = {}
    for row in store.submissions.versions_of(submission_ids):
        if row["sha256"] not in shipped:
            files[f"forms/{row['form_id']}/{_safe_version(row['version'])}/"
                  f"{Path(row['filename']).name}"] = bytes(row["content"])
    return files


def store_carried(store: Store, files: dict[str, bytes], *, install: bool = True) -> list[str]:
    """Keep carried workbooks with the submissions; with ``install`` (from the commune) also
    make carried forms and label packs the ones this laptop uses. Returns what was installed.

    A form that does not load or a pack that does not parse is skipped (and not installed):
    the records that use it are kept all the same.
    """
    if not files:  # the usual package: records only (and no need to load the form engine)
        return []
    from fieldapp.core.forms import FormLoadError, load_form
    from fieldapp.i18n.packs import imported_packs_dir
    from fieldapp.services.packs import _app_forms

    installed = []
    forms: list | None = None  # loaded once a pack is to be installed (after the forms)
    for name, data in sorted(files.items()):
        form = _FORM.match(name)
        if form:
            form_id, _version, filename = form.groups()
            if not install and store.submissions.has_workbook(hashlib.sha256(data).hexdigest()):
                continue  # kept already (every package of a member carries it again)
            try:
                loaded = load_form(data, filename)
            except (FormLoadError, ValueError):
                continue
            if loaded.form_id != form_id:
                continue
            store.submissions.keep_form_version(loaded.form_id, loaded.version, filename, data)
            if install:
                target = paths.commune_forms_dir() / f"{loaded.form_id}{Path(filename).suffix}"
                if not target.is_file() or target.read_bytes() != data:
                    _write_atomic(target, data)
                    installed.append(name)
            continue
        pack = _PACK.match(name)
        if pack and install:
            language, form_id = pack.groups()
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            target = imported_packs_dir() / language / f"{form_id}.po"
            if not target.is_file() or target.read_bytes() != data:
                if forms is None:
                    forms = _app_forms()
                if not _valid_pack(data, forms, form_id):
                    continue
                _write_atomic(target, data)
                installed.append(name)
    return installed


def _valid_pack(data: bytes, forms: list, form_id: str) -> bool:
    """Whether a carried pack passes the checks of a pack imported here (it parses, its
    entries are the form's texts, no translation far longer than its source: one such made a
    form take a gigabyte to open); a hub's own packs always do, it imported them so."""
    from fieldapp.services.pack_import import PackImportError, validate_pack

    try:
        _catalog, _language, form = validate_pack(data, forms, label=form_id)
    except PackImportError:
        return False
    return form.form_id == form_id


def _write_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    part.replace(target)
