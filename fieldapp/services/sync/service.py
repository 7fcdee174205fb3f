"""Sync for the screens and the command line: plain data in and out, one method per thing a
user does. Who may do which is fieldapp.services.guards' SYNC_RULES (a workspace hands this
service out through them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldapp.services.sync import exchange, identity, review
from fieldapp.storage.store import Store
from fieldapp.storage.sync_state import SyncState


@dataclass(frozen=True)
class DeviceStatus:
    """A laptop this one exchanges packages with, and how up to date the exchange is."""

    device: str
    name: str
    kind: str  # "member" (registered here) or "hub" (this laptop's commune or province)
    user_name: str
    village_name: str
    registered_at: str | None
    last_received_at: str | None
    last_package: str | None
    last_sent_at: str | None
    unacknowledged: int
    """Changes of this laptop the device has not confirmed receiving yet."""
    user_id: str | None = None
    villages: tuple[str, ...] | None = None
    """Names of the villages whose records it receives (None: the whole commune)."""
    retired: bool = False
    """Retired by the commune: nothing it makes from then on is taken."""


@dataclass(frozen=True)
class SetupFile:
    """A member laptop registered here and the setup file written for it."""

    path: Path
    device_id: str
    name: str
    created_identity: bool
    """Whether the commune's sync identity was created on this laptop for it."""


@dataclass(frozen=True)
class SyncStatus:
    is_hub: bool
    joined: bool
    hub_name: str | None
    own_unacknowledged: int
    """This laptop's own changes its hub has not confirmed yet (members)."""
    conflicts: int
    imports: int


class SyncService:
    def __init__(self, store: Store):
        self.store = store
        self.state = SyncState(store)

    # -- status -----------------------------------------------------------------------------
    def status(self) -> SyncStatus:
        hub = self.state.hub()
        pending = 0
        if hub is not None:
            pending = self._unacknowledged(hub["our_acked"], own_only=not identity.hub_id(
                self.store))
        return SyncStatus(is_hub=bool(identity.hub_id(self.store)), joined=hub is not None,
                          hub_name=hub["name"] if hub else None, own_unacknowledged=pending,
                          conflicts=len(self.store.conflicts.list()),
                          imports=len(self.state.imports()))

    def _unacknowledged(self, acked: int, *, own_only: bool = False,
                        not_device: str | None = None) -> int:
        return self.state.unacknowledged(
            acked, only_device=self.store.device_id if own_only else None, not_device=not_device)

    def devices(self) -> list[DeviceStatus]:
        users = {u["id"]: u for u in self.store.users.list()}
        villages = {v["id"]: v["name"] for v in self.store.villages.list()}
        out = []
        for peer in self.state.peers():
            user = users.get(peer["user_id"] or "")
            scope = exchange.villages_reached(self.store, peer) \
                if peer["kind"] == "member" else None
            out.append(DeviceStatus(
                device=peer["device"], name=peer["name"] or peer["device"][:8],
                kind=peer["kind"], user_name=user["name"] if user else "",
                village_name=villages.get(user.get("village_id") or "", "") if user else "",
                registered_at=peer["registered_at"], last_received_at=peer["last_received_at"],
                last_package=peer["last_package"], last_sent_at=peer["last_sent_at"],
                unacknowledged=self._unacknowledged(
                    peer["our_acked"], own_only=peer["kind"] == "hub"
                    and not identity.hub_id(self.store),
                    not_device=peer["device"] if peer["kind"] == "member" else None),
                user_id=peer["user_id"],
                villages=None if scope is None else tuple(
                    villages.get(v, v) for v in scope),
                retired=not peer["active"] or identity.is_retired(self.store, peer["device"])))
        return out

    def users(self) -> list[dict[str, Any]]:
        """The team, for choosing whose laptop is registered (no PIN hashes)."""
        return [{k: v for k, v in u.items() if k != "pin_hash"} for u in self.store.users.list()]

    def dump(self) -> Iterator[str]:
        """Every synced record as a canonical JSON line (``fieldapp dump``)."""
        return self.store.dump()

    # -- the commune's identity and its devices -----------------------------------------------
    def create_identity(self) -> str:
        return identity.create_hub(self.store)

    def register_device(self, name: str, user_id: str | None, out: Path) -> SetupFile:
        """Register a member laptop (creating the commune's sync identity first if needed) and
        write its setup file to ``out``."""
        _check_output(out)
        created = not identity.hub_id(self.store)
        with self.store.transaction():  # a setup file that cannot be written registers nothing
            registration = identity.register_device(self.store, name, user_id)
            path = identity.write_setup_file(self.store, registration, out)
        return SetupFile(path, registration.device_id, registration.name, created)

    def retire_device(self, device: str) -> None:
        """A lost or replaced laptop: nothing it makes from now on is taken anywhere."""
        identity.retire_device(self.store, device)

    def assign_member(self, device: str, user_id: str | None) -> None:
        """The team member who uses a registered laptop (what it may write and receive)."""
        identity.assign_member(self.store, device, user_id)

    def preview_setup(self, setup_file: Path) -> identity.SetupPreview:
        return identity.preview_setup(setup_file)

    def join(self, setup_file: Path, user_id: str | None = None) -> dict[str, Any]:
        return identity.join(self.store, setup_file, user_id=user_id)

    # -- a commune and its province ---------------------------------------------------------
    def join_request(self, out: Path) -> Path:
        """(A commune laptop) the request to join its province."""
        from fieldapp.services.sync import province

        _check_output(out)
        with self.store.transaction():  # the keys made for it are kept only with the file
            return province.write_request(self.store, out)

    def register_commune(self, request: Path, out: Path) -> tuple[str, Path]:
        """(A province) register the commune laptop of a join request; (its commune's name,
        the hub file written for it)."""
        from fieldapp.services.sync import province

        _check_output(out)
        with self.store.transaction():  # a hub file that cannot be written registers nothing
            return province.register_request(self.store, request, out)

    def join_province(self, hub_file: Path) -> str:
        """(A commune laptop) load the province's hub file; returns the province's name."""
        from fieldapp.services.sync import province

        return province.join_province(self.store, hub_file)

    # -- packages -------------------------------------------------------------------------------
    def export(self, out: Path, *, to: str | None = None, full: bool = False,
               progress=exchange._noop_progress, cancelled=exchange._never
               ) -> exchange.ExportResult:
        return exchange.export_package(self.store, out, to=to, full=full, progress=progress,
                                       cancelled=cancelled)

    def import_files(self, paths: list[Path], *, dry_run: bool,
                     progress=exchange._noop_progress, cancelled=exchange._never
                     ) -> list[exchange.ImportReport]:
        return exchange.import_packages(self.store, paths, dry_run=dry_run, progress=progress,
                                        cancelled=cancelled)

    def history(self) -> list[dict[str, Any]]:
        return self.state.imports()

    # -- review -------------------------------------------------------------------------------
    def conflicts(self) -> list[review.Conflict]:
        return review.conflicts(self.store)

    def resolve(self, conflict: review.Conflict, stamp: str) -> None:
        review.resolve_conflict(self.store, conflict.table, conflict.record, conflict.field,
                                stamp)

    def duplicates(self) -> list[review.DuplicatePair]:
        return review.probable_duplicates(self.store)

    def merge(self, survivor: str, absorbed: str) -> None:
        review.merge_households(self.store, survivor, absorbed)

    def keep_both(self, first: str, second: str) -> None:
        review.keep_both(self.store, first, second)

    def members_of(self, household_id: str) -> list[dict[str, Any]]:
        return self.store.persons.of_household(household_id)


def _check_output(out: Path) -> None:
    """Refuse before anything is registered an output path that cannot be written (the
    reports' one check: a folder, a folder that does not exist, no permission)."""
    from fieldapp.reports.pdf import check_output

    check_output(out)
