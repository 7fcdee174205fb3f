"""Export and import of packages: what goes where, what a package does to this database.

Directions:

- a member laptop to its commune ("to the hub"): this laptop's own changes that the commune
  has not acknowledged (all of them with ``full``);
- the commune to a member device (a return package): the changes that device has not
  acknowledged and did not make itself, of its villages and the commune's master data, with the
  commune's own forms and label packs, and the acknowledgement of what the commune received;
- a commune to its province: everything the province has not acknowledged, as a member of the
  province's hub (the same format).

Import: check the header, the signature, the sender's registration, commune and key; then
apply every change in one transaction (streamed in batches; a bad line or hash anywhere rolls
everything back). A dry run is the same transaction rolled back, so its figures are exact.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldapp import paths
from fieldapp.core.changes import Change
from fieldapp.core.clock import new_id, utc_now_iso
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _, ngettext
from fieldapp.i18n.formatting import format_number
from fieldapp.services.sync import identity
from fieldapp.services.sync.carried import hub_files, store_carried, versions_used
from fieldapp.services.sync.messages import (
    UNEXPECTED_CONTENT, package_error_message, unexpected_content_message)
from fieldapp.storage import scope
from fieldapp.storage.authority import ImportAuthority, withdraw_refused_own
from fieldapp.storage.store import Store
from fieldapp.storage.sync_state import SyncState
from fieldapp.storage.writer import WriteRefused
from fieldapp.sync import crypto
from fieldapp.sync.codec import encode
from fieldapp.sync.package import (
    SUFFIX, Header, Manifest, PackageError, PackageWriter, open_package, package_name,
    read_header)

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
PROVINCE = "province"
# Lines of a package applied at once (one record and stamp each): a member package of 400
# households (2,200 lines) in one batch. Each batch writes its rows with a few multi-row
# statements and flushes the name-search index once; at 1,000 lines a commune's import of 50
# such packages took 0.6 s more CPU (5 MB less memory).
BATCH_LINES = 4000
GROUP_ENTRIES = 500_000
"""Changes applied between two commits when several files are imported. Each commit
checkpoints the write-ahead log, syncing every page written since the last one to disk; a
commune's packages land on the same index pages (records are keyed by random ids), so
committing a few packages together writes those pages once: 11-13% off importing 50 packages
(bench_sync). Each file is still applied whole or not at all (a savepoint inside the group);
a crash loses only the group being applied, whose files are imported again like new ones."""
REFUSALS_LOGGED = 200
"""Refused changes listed in the import log (all are counted)."""
IMPORT_CACHE_MIB = 64
"""Page cache while importing (16 MB otherwise). A commune's packages write all over the
indexes keyed by random ids; with them in memory, pages are not read (and, in an encrypted
database, decrypted) again: 50 packages import in 21.5 s instead of 31 s into an encrypted
database, 20 s instead of 21 s into a plain one, for 10 MB more at the peak (bench_sync)."""


class ExportError(UserError):
    pass


class ImportCancelled(UserError):
    pass


@dataclass
class ExportResult:
    path: Path
    destination: str
    entries: int
    counts: dict[str, int]
    size: int
    full: bool


@dataclass
class ImportReport:
    """What importing one package did (or, in a dry run, would do)."""

    file: Path
    status: str  # "applied", "dry_run", "already", "refused"
    message: str = ""
    package_id: str = ""
    source: str = ""
    new: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    conflicts: int = 0
    duplicates: int = 0
    entries: int = 0
    notes: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(what, why) of each change left out because its author was not allowed to make it
    (the rest of the package applies)."""

    @property
    def ok(self) -> bool:
        return self.status != "refused"


def _noop_progress(done: int, total: int) -> None:
    pass


def _never() -> bool:
    return False


# -- export ---------------------------------------------------------------------------------

def _destination(store: Store, to: str | None) -> tuple[dict[str, Any], str]:
    """(peer, kind) for an export: kind "to_hub" (to this laptop's commune, or a commune's
    province) or "from_hub" (a return package to a member device)."""
    state = SyncState(store)
    if to is None or to == PROVINCE:
        hub = state.hub()
        if hub is not None:
            return hub, "to_hub"
        if to == PROVINCE:
            raise ExportError(_("This laptop has not joined a province: load the province's "
                                "hub file first (fieldapp join)."))
        if identity.hub_id(store):
            raise ExportError(_("Choose the member device the package is for."))
        raise ExportError(_("This laptop has not joined a commune: load the setup file the "
                            "commune gave you first."))
    for peer in state.peers("member"):
        if to in (peer["device"], peer["name"]):
            return peer, "from_hub"
    raise ExportError(_("No registered device is called {name}.").format(name=to))


def villages_reached(store: Store, peer: dict[str, Any]) -> list[str] | None:
    """The villages whose records a return package to ``peer`` carries (None: every one)."""
    if peer.get("commune_id"):
        return store.villages.ids_of_commune(peer["commune_id"])
    reached = scope.reach_of(store, peer["device"])
    return None if reached is None else sorted(reached)


def _reach(store: Store, peer: dict[str, Any]) -> scope.Reach:
    """What a return package to ``peer`` may carry: a commune laptop registered at a province,
    its commune's records; a member laptop, its team member's villages (fieldapp.storage.scope)."""
    if peer.get("commune_id"):
        return scope.Reach(peer["device"], None, commune=peer["commune_id"])
    return scope.Reach(peer["device"], scope.reach_of(store, peer["device"]))


def export_package(store: Store, out: Path, *, to: str | None = None, full: bool = False,
                   progress: Progress = _noop_progress, cancelled: Cancelled = _never
                   ) -> ExportResult:
    """Write a package for ``to`` (None: this laptop's hub; "province"; a member device id or
    name) into ``out`` (a file, or a folder for the standard file name)."""
    peer, kind = _destination(store, to)
    state = SyncState(store)
    start = 0 if full else peer["our_acked"]
    if kind == "to_hub" and not identity.hub_id(store):
        changes = scope.outgoing(store, start, only_device=store.device_id)
    elif kind == "to_hub":  # a commune to its province: everything
        changes = scope.outgoing(store, start)
    else:
        if not peer["active"] or identity.is_retired(store, peer["device"]):
            raise ExportError(_("{name} was retired: it receives no more packages.").format(
                name=peer["name"] or peer["device"][:8]))
        changes = scope.returned(store, start, _reach(store, peer))
    seed, _box = identity.device_keys(store)
    commune = store.commune()
    last = store.log.last_seq()
    today = dt.datetime.now().strftime("%Y%m%d")
    out = Path(out)
    path = out / package_name(commune["name"] if commune else "fieldapp", store.device_id,
                              today, _next_number(out, today)) if out.is_dir() else out
    if path.suffix != SUFFIX and not out.is_dir():
        path = path.with_name(path.name + SUFFIX)
    header = Header(package_id=new_id(), commune_id=(peer["hub_id"] or ""),
                    commune_name=_hub_name(store, peer["hub_id"] or ""),
                    source_device=store.device_id,
                    destination=(f"hub:{peer['hub_id']}" if kind == "to_hub"
                                 else peer["device"]),
                    created_at=utc_now_iso(), recipient_key=crypto.fingerprint(peer["box_key"]))
    writer = PackageWriter(path, header, signing_seed=seed, recipient_public=peer["box_key"])
    counts: dict[str, int] = {}
    submissions: set[str] = set()
    total = max(1, last - start)

    def tracked(items: Iterable[tuple[int, Change]]) -> Iterable[Change]:
        for number, (seq, change) in enumerate(items):
            counts[change.table] = counts.get(change.table, 0) + 1
            if change.table == "submissions":
                submissions.add(change.record)
            if number % 2000 == 0:
                progress(seq - start, total)
                if cancelled():
                    raise InterruptedError
            yield change

    try:
        entries = 0
        for lines in _batched(encode(tracked(changes)), 1000):
            writer.add_lines(lines, cancelled)
            entries += len(lines)
        files = hub_files(store) if kind == "from_hub" else versions_used(store, submissions)
        for name, data in sorted(files.items()):
            writer.add_file(name, data)
        user = store.user_id
        manifest = Manifest(package_id=header.package_id, kind=kind, source_user=user,
                            counts=counts, entries=sum(counts.values()),
                            acknowledges={"seq": peer["their_seq"]},
                            log_range=[start + 1, last],
                            forms=[{"file": n} for n in files if n.startswith("forms/")],
                            packs=[{"file": n} for n in files if n.startswith("packs/")])
        writer.finish(manifest)
    except InterruptedError:
        writer.abort()
        raise ImportCancelled(_("The export was cancelled; no package was written.")) from None
    except BaseException:
        writer.abort()
        raise
    with store.transaction():
        state.update_peer(peer["device"], last_sent_at=utc_now_iso())
        store.audit.record("export", user_id=store.user_id, detail={
            "file": path.name, "entries": sum(counts.values()),
            "destination": peer["name"] or peer["device"][:8]})
    progress(total, total)
    return ExportResult(path, peer["name"] or peer["device"], sum(counts.values()), counts,
                        writer.bytes_written, full)


def _next_number(folder: Path, today: str) -> int:
    return len(list(folder.glob(f"*-{today}-*{SUFFIX}"))) + 1


def _batched(lines: Iterable[bytes], size: int) -> Iterable[list[bytes]]:
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- import ---------------------------------------------------------------------------------

def _keys_for(store: Store, header: Header) -> tuple[bytes, bytes, dict[str, Any], str]:
    """(sender's verify key, our private key, the sender's peer row, kind) for a package."""
    state = SyncState(store)
    commune = store.meta("commune_id")
    hub = identity.hub_id(store)
    if header.destination.startswith("hub:"):
        target = header.destination[4:]
        if hub is None or target != hub:
            if commune and header.commune_id and header.commune_id != commune \
                    and header.commune_id != hub:
                raise PackageError("other_commune", _commune_named(header))
            raise PackageError("not_for_us")
        peer = state.peer(header.source_device)
        # A retired laptop's package still opens: what it made before the retirement is
        # taken, nothing stamped after it (fieldapp.storage.authority).
        if peer is None or peer["kind"] != "member":
            raise PackageError("unknown_device")
        return bytes(peer["verify_key"]), state.secret("hub_box_private"), peer, "to_hub"
    if header.destination != store.device_id:
        if commune and header.commune_id not in (commune, hub):
            raise PackageError("other_commune", _commune_named(header))
        raise PackageError("not_for_us")
    peer = state.peer(header.source_device)
    if peer is None or peer["kind"] != "hub":
        raise PackageError("unknown_device")
    return bytes(peer["verify_key"]), identity.device_keys(store)[1], peer, "from_hub"


def _commune_named(header: Header) -> str:
    """The commune a package names, for the message of one brought to the wrong commune."""
    return header.commune_name or header.commune_id[:8]


def _hub_name(store: Store, hub_id: str) -> str:
    """The name of the commune (or province) ``hub_id`` is, as this laptop knows it."""
    if hub_id and hub_id == store.meta("commune_id"):
        return (store.commune() or {}).get("name") or ""
    return next((p["name"] or "" for p in SyncState(store).peers("hub")
                 if p["hub_id"] == hub_id), "")


def import_package(store: Store, path: Path, *, dry_run: bool = False,
                   progress: Progress = _noop_progress, cancelled: Cancelled = _never,
                   user_id: str | None = None) -> ImportReport:
    """Import one package (see the module docstring); never raises for a bad package: the
    report says why it was refused, and the database is exactly as it was."""
    path = Path(path)
    report = ImportReport(path, "refused")
    try:
        header, *_rest = read_header(path)
        report.package_id, report.source = header.package_id, header.source_device
        if SyncState(store).imported(header.package_id, header.source_device):
            report.status = "already"
            report.message = _("Already imported; nothing changed.")
            return report
        verify, private, peer, kind = _keys_for(store, header)
        if private is None or crypto.fingerprint(_public(private)) != header.recipient_key:
            raise PackageError("wrong_key")
        with open_package(path, verify_key=lambda h: verify, private_key=lambda h: private,
                          cancelled=cancelled) as package:
            _apply(store, package, peer, kind, report, dry_run, progress, cancelled, user_id)
    except PackageError as exc:
        report.status, report.message = "refused", package_error_message(exc)
    except WriteRefused as exc:
        report.status, report.message = "refused", str(exc)
    except InterruptedError:
        raise ImportCancelled(_("The import was cancelled; nothing was changed.")) from None
    except UNEXPECTED_CONTENT as exc:  # this file only: rolled back, logged, the others go on
        log.warning("package %s refused: %r", path.name, exc, exc_info=exc)
        report.status, report.message = "refused", unexpected_content_message()
    return report


def _public(private: bytes) -> bytes:
    import nacl.public

    return bytes(nacl.public.PrivateKey(private).public_key)


class _DryRun(Exception):
    """Raised inside the import transaction to roll a dry run back."""


def _apply(store: Store, package, peer: dict[str, Any], kind: str, report: ImportReport,
           dry_run: bool, progress: Progress, cancelled: Cancelled, user_id: str | None) -> None:
    from fieldapp.services.sync.review import duplicates_among

    manifest = package.manifest
    total = max(1, manifest.entries)
    conflicted: set[str] = set()
    new: dict[str, str] = {}
    updated: dict[str, str] = {}
    forms: set[tuple[Any, Any]] = set()
    relay_commune = peer.get("commune_id") if kind == "to_hub" else None
    authority = ImportAuthority(store, peer["device"], relays=kind == "from_hub"
                                or bool(relay_commune), relay_commune=relay_commune)
    try:
        with store.transaction():
            done = 0
            for batch in _batched(package.groups(), BATCH_LINES):
                if cancelled():
                    raise InterruptedError
                result = store.writer.apply_groups(batch, check=authority)
                conflicted |= result.conflicts
                report.unchanged += result.known
                new.update(result.new)
                updated.update(result.updated)
                forms |= result.forms
                done += sum(g.size for g in batch)
                report.entries = done
                progress(done, total)
            report.new = _by_table(new)
            report.updated = _by_table({r: t for r, t in updated.items() if r not in new})
            report.refused = authority.summary()
            store_carried(store, {n: package.file(n) for n in package.files("forms/")
                                  + package.files("packs/")}, install=kind == "from_hub")
            report.conflicts = store.conflicts.count_among(conflicted)
            report.notes += _unknown_forms(store, forms)
            report.duplicates = len(duplicates_among(store, _households_touched(
                store, {**new, **updated})))
            state = SyncState(store)
            ack = manifest.acknowledges.get("seq", 0)
            updates: dict[str, Any] = {"last_received_at": utc_now_iso(),
                                       "last_package": package.path.name}
            if isinstance(ack, int) and ack > peer["our_acked"]:
                updates["our_acked"] = min(ack, store.log.last_seq())
            first, last = (manifest.log_range + [0, 0])[:2]
            if isinstance(first, int) and isinstance(last, int) and first <= peer["their_seq"] + 1 \
                    and last > peer["their_seq"]:
                updates["their_seq"] = last
            state.update_peer(peer["device"], **updates)
            state.log_import(manifest.package_id, file=package.path.name,
                             source_device=peer["device"], kind=kind,
                             imported_at=utc_now_iso(), imported_by=user_id
                             or store.user_id,
                             counts={"new": report.new, "updated": report.updated,
                                     "unchanged": report.unchanged, "entries": report.entries,
                                     "refused": [list(r) for r in report.refused[:REFUSALS_LOGGED]],
                                     "refused_count": len(report.refused)})
            store.audit.record("import", user_id=user_id or store.user_id, detail={
                "file": package.path.name, "source_device": peer["device"][:8],
                "entries": report.entries, "refused": len(report.refused)})
            if kind == "from_hub" and not identity.hub_id(store):
                _leave_what_left(store, peer)
            report.status = "applied"
            if dry_run:
                raise _DryRun
    except _DryRun:
        report.status = "dry_run"


def _leave_what_left(store: Store, hub: dict[str, Any]) -> None:
    """A member laptop takes back its own changes the commune refused (judged here by the same
    rules: fieldapp.storage.authority.withdraw_refused_own) and drops the records that are no
    longer in its villages (a household moved to another village), once the commune has
    acknowledged its own changes to them: it then holds what the commune holds."""
    acked = SyncState(store).peer(hub["device"])["our_acked"]
    checked = int(store.meta("own_changes_checked") or 0)
    if acked > checked:
        withdraw_refused_own(store, checked, acked)
        store.set_meta("own_changes_checked", str(acked))
    registered = scope.own_reach(store)
    if registered is None:
        return
    site = store.log.site_of(store.device_id)
    gone = scope.out_of_reach(store, registered, site, acked)
    if gone:
        store.writer.erasures.remove_records(gone, None)


def _households_touched(store: Store, records: dict[str, str]) -> set[str]:
    """Households new or changed by an import, and those of its new or changed persons."""
    households = {r for r, table in records.items() if table == "households"}
    households |= store.persons.households_of(
        [r for r, table in records.items() if table == "persons"])
    return households


def _unknown_forms(store: Store, forms: set[tuple[Any, Any]]) -> list[str]:
    """A note for records made with a form version this laptop has not got: they are kept,
    and open once the form is added. ``forms``: (form id, version) of the new submissions."""
    catalog = None
    missing = set()
    for form, version in forms:
        if form is None or version is None or store.submissions.has_form_version(form,
                                                                                 version):
            continue
        if catalog is None:
            catalog = _catalog_versions(store)
        if (form, version) not in catalog:
            missing.add((form, version))
    return [_("Records of the form {form} (version {version}) were kept, but this laptop does "
              "not have that form: add it to open them.").format(form=form, version=version)
            for form, version in sorted(missing)]


def _form_files_signature() -> list[list[Any]]:
    """The form files this laptop offers, as (path, modified, size): listed without loading
    the forms engine (the shipped forms/ and the commune's folder, with their form folders)."""
    out: list[list[Any]] = []
    for folder in (paths.forms_dir(), paths.commune_forms_dir()):
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            for item in sorted(entry.iterdir()) if entry.is_dir() else [entry]:
                if item.is_file():
                    stat = item.stat()
                    out.append([str(item), stat.st_mtime_ns, stat.st_size])
    return out


def _catalog_versions(store: Store) -> frozenset[tuple[str, str]]:
    """(form id, version) of the forms this laptop offers. Loading them takes the forms
    engine and a second or two, so the answer is kept in the database for as long as the
    form files stay the same (the first import of a laptop loads them; the next do not)."""
    import json

    signature = _form_files_signature()
    cached = store.meta("known_form_versions")
    if cached:
        try:
            data = json.loads(cached)
            if data.get("files") == signature:
                return frozenset(tuple(v) for v in data["versions"])
        except (ValueError, TypeError, AttributeError):
            pass
    from fieldapp.services.forms import FormCatalog

    versions = frozenset((i.form_id, i.version) for i in FormCatalog().infos())
    store.set_meta("known_form_versions", json.dumps(
        {"files": signature, "versions": sorted(versions)}, ensure_ascii=False))
    return versions


def _by_table(records: dict[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in records.values():
        counts[table] = counts.get(table, 0) + 1
    return counts


def _anything_new(store: Store, files: list[Path]) -> bool:
    """Whether one of the files may change the database: a package not imported yet (a file
    that cannot be read will be refused without a write). Files received twice, the usual case
    of a stick brought back, then cost no backup."""
    state = SyncState(store)
    for path in files:
        try:
            header, *_rest = read_header(path)
        except PackageError:
            continue
        if not state.imported(header.package_id, header.source_device):
            return True
    return False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for an import: it allocates millions of short-lived
    objects (a line's values, its rows), freed by reference counting, and the collector ran
    thousands of times over them for a tenth of the import's CPU while finding nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_packages(store: Store, paths: Iterable[Path], *, dry_run: bool = False,
                    progress: Progress = _noop_progress, cancelled: Cancelled = _never,
                    user_id: str | None = None) -> list[ImportReport]:
    """Import several files (a folder: every package in it), oldest name first.

    A dry run of several files applies them one after the other in one transaction rolled back
    at the end, so its figures include what the files do together (two laptops' edits of one
    value show as the conflict they will be)."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        files.extend(sorted(path.glob(f"*{SUFFIX}")) if path.is_dir() else [path])
    reports: list[ImportReport] = []

    def one(number: int) -> ImportReport:
        return import_package(
            store, files[number], cancelled=cancelled, user_id=user_id,
            progress=lambda done, total, n=number: progress(n * 1000 + done * 1000 // max(
                total, 1), len(files) * 1000))

    def run() -> None:
        number = 0
        while number < len(files):
            stopped = None
            with store.transaction():  # a group of files (GROUP_ENTRIES), one commit
                entries = 0
                while number < len(files) and entries < GROUP_ENTRIES:
                    try:
                        reports.append(one(number))
                    except ImportCancelled as exc:  # the files applied before it are kept
                        stopped = exc
                        break
                    entries += reports[-1].entries
                    number += 1
            if stopped is not None:
                applied = sum(r.status == "applied" for r in reports)
                if applied:
                    raise ImportCancelled(ngettext(
                        "The import was cancelled after {count} file; the others were not "
                        "imported.", "The import was cancelled after {count} files; the others "
                        "were not imported.", applied).format(count=format_number(applied)))
                raise stopped

    if not dry_run:
        if store.path is not None and _anything_new(store, files):
            store.backup("import")  # the state before, verified, in case the import is regretted
        with store.page_cache(IMPORT_CACHE_MIB), _collector_paused():
            run()
        return reports
    try:
        with store.page_cache(IMPORT_CACHE_MIB), _collector_paused(), store.transaction():
            run()
            raise _DryRun
    except _DryRun:
        pass
    for report in reports:
        if report.status == "applied":
            report.status = "dry_run"
    return reports
