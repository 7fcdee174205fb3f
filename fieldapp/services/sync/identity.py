"""Who may exchange packages: the commune's sync identity, its register of devices, setup files.

- Every laptop has its own device keys (Ed25519 to sign, X25519 to receive), made on first use
  and kept in its database's local secrets.
- Commune staff create the commune's identity once: a key pair packages for the commune are
  sealed to. The commune laptop is then the *hub* of its members.
- Registering a member device creates its id and keys; the **setup file** carries them to the
  member laptop together with the commune (record, villages, team roster, as change-log
  entries), the hub's public keys, the forms and label packs. The member laptop loads it at
  first run (:func:`join`). The setup file holds that device's private keys: hand it over in
  person (USB stick), not through a chat app; registering the device again replaces them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldapp.core.clock import new_id, utc_now_iso
from fieldapp.errors import UserError, unreadable
from fieldapp.i18n.catalog import _
from fieldapp.storage import scope
from fieldapp.storage.store import Store
from fieldapp.storage.sync_state import SyncState
from fieldapp.sync import crypto
from fieldapp.sync.codec import EntryError, decode_line, encode

SETUP_FORMAT = "fieldsync-setup"
SETUP_VERSION = 1
SETUP_SUFFIX = ".fieldsetup"
HUB, MEMBER = "hub", "member"
"""Roles of laptops in the commune's register (fieldapp.storage.authority)."""
_SETUP_MAX = 64 * 1024 * 1024


class SetupFileError(UserError):
    """A setup file that cannot be used."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text, validate=True)


def device_keys(store: Store) -> tuple[bytes, bytes]:
    """(signing seed, box private key) of this laptop, made on first use."""
    state = SyncState(store)
    seed, box = state.secret("device_signing_seed"), state.secret("device_box_private")
    if seed is None or box is None:
        seed, _verify = crypto.new_signing_key()
        box, _public = crypto.new_box_key()
        with store.transaction():
            state.set_secret("device_signing_seed", seed)
            state.set_secret("device_box_private", box)
    return seed, box


def public_keys(seed: bytes, box_private: bytes) -> tuple[bytes, bytes]:
    import nacl.public
    import nacl.signing

    return (bytes(nacl.signing.SigningKey(seed).verify_key),
            bytes(nacl.public.PrivateKey(box_private).public_key))


def hub_id(store: Store) -> str | None:
    """The id this laptop is a hub for (its commune), once the identity is created."""
    return store.meta("hub_id")


def create_hub(store: Store) -> str:
    """Create the commune's sync identity on this laptop (once); returns the commune id. The
    laptop registers itself in the commune's register of laptops."""
    commune = store.commune()
    if commune is None:
        raise UserError(_("Set up the commune before creating its sync identity."))
    if hub_id(store):
        return hub_id(store)
    box_private, _box_public = crypto.new_box_key()
    device_keys(store)
    with store.transaction():
        SyncState(store).set_secret("hub_box_private", box_private)
        store.set_meta("hub_id", commune["id"])
        store.devices.register(commune["id"], store.device_id, store.device_name, HUB)
    return commune["id"]


def is_retired(store: Store, device: str) -> bool:
    """Whether the commune retired this laptop (its registration is tombstoned), or the team
    member it is assigned to."""
    row = store.devices.of_device(store.meta("commune_id") or "", device)
    if not row:
        return False
    user = store.users.get(row["user_id"]) if row["user_id"] else None
    return bool(row["deleted"] or (user and user["deleted"]))


def retire_device(store: Store, device: str) -> None:
    """Retire a registered laptop: it receives no more packages, and nothing it makes from now
    on is taken, here or on any laptop of the commune (the retirement is a synced change)."""
    commune = hub_id(store)
    row = store.devices.of_device(commune or "", device)
    if not commune or row is None:
        raise UserError(_("No registered device is called {name}.").format(name=device))
    with store.transaction():
        if not row["deleted"]:
            store.devices.tombstone(row["id"], "retired")
        SyncState(store).update_peer(device, active=0)


def hub_public_key(store: Store) -> bytes:
    import nacl.public

    private = SyncState(store).secret("hub_box_private")
    if private is None:
        raise UserError(_("This laptop does not hold the commune's sync identity."))
    return bytes(nacl.public.PrivateKey(private).public_key)


@dataclass(frozen=True)
class Registration:
    device_id: str
    name: str
    signing_seed: bytes
    box_private: bytes
    user_id: str | None


def register_device(store: Store, name: str, user_id: str | None = None) -> Registration:
    """Add a member device to the commune's register (this laptop must be the hub)."""
    if not hub_id(store):
        create_hub(store)
    if user_id is not None and store.users.get(user_id) is None:
        raise UserError(_("There is no team member {id}.").format(id=user_id))
    seed, _verify = crypto.new_signing_key()
    box, _public = crypto.new_box_key()
    registration = Registration(new_id(), name.strip() or _("Member laptop"), seed, box,
                                user_id)
    verify_key, box_key = public_keys(seed, box)
    with store.transaction():
        SyncState(store).add_peer(device=registration.device_id, kind="member",
                                  name=registration.name, user_id=user_id,
                                  hub_id=hub_id(store), verify_key=verify_key, box_key=box_key,
                                  registered_at=utc_now_iso())
        store.devices.register(hub_id(store), registration.device_id, registration.name,
                               MEMBER, user_id=user_id)
    return registration


def assign_member(store: Store, device: str, user_id: str | None) -> None:
    """The team member who uses a registered laptop (None: nobody): what it may write and
    which village's records it receives follow (a synced change)."""
    row = store.devices.of_device(hub_id(store) or "", device)
    if row is None or row["deleted"]:
        raise UserError(_("No registered device is called {name}.").format(name=device))
    if user_id is not None and store.users.get(user_id) is None:
        raise UserError(_("There is no team member {id}.").format(id=user_id))
    with store.transaction():
        store.devices.update(row["id"], {"user_id": user_id})
        SyncState(store).update_peer(device, user_id=user_id)


def _master_lines(store: Store, user_id: str | None) -> list[bytes]:
    """The commune-wide records (without secrets) and the joining member's own credentials."""
    return list(encode(c for _seq, c in scope.for_setup(store, user_id)))


def write_setup_file(store: Store, registration: Registration, path: Path) -> Path:
    """The setup file of a registered device (see the module docstring)."""
    from fieldapp.services.sync.carried import carried_files

    seed, _box = device_keys(store)
    hub_verify, _ = public_keys(seed, _box)
    commune = store.commune()
    members: dict[str, bytes] = {"changes.jsonl": b"".join(
        _master_lines(store, registration.user_id))}
    members.update(carried_files(store))
    setup = {
        "format": SETUP_FORMAT, "version": SETUP_VERSION, "created_at": utc_now_iso(),
        "commune_id": commune["id"], "commune_name": commune["name"],
        "hub": {"device": store.device_id, "name": store.device_name,
                "verify_key": _b64(hub_verify), "box_key": _b64(hub_public_key(store))},
        "device": {"id": registration.device_id, "name": registration.name,
                   "signing_seed": _b64(registration.signing_seed),
                   "box_private": _b64(registration.box_private)},
        "user_id": registration.user_id,
        "members": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    raw = json.dumps(setup, ensure_ascii=False, sort_keys=True).encode("utf-8")
    path = Path(path)
    part = path.with_name(path.name + ".part")
    try:
        with _private_file(part) as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("setup.json", raw)
            z.writestr("setup.sig", crypto.sign(raw, seed))
            for name, data in members.items():
                z.writestr(name, data)
        part.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):  # it may never have been made
            part.unlink()
        raise
    return path


def _private_file(path: Path):
    """A new file only this account can read (0600 from its creation: it holds a laptop's
    private keys), open for writing."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0),
                 0o600)
    if os.name != "nt":
        os.fchmod(fd, 0o600)  # whatever the umask
    return os.fdopen(fd, "wb")


def read_setup_file(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """(setup, members) of a setup file, checked; SetupFileError otherwise."""
    bad = SetupFileError(_("{file} is not a fieldapp setup file or is damaged.").format(
        file=Path(path).name))
    problem = unreadable(path)
    if problem is not None:
        raise SetupFileError(str(problem))
    try:
        if Path(path).stat().st_size > _SETUP_MAX:
            raise bad
        with zipfile.ZipFile(path) as z:
            infos = {i.filename: i for i in z.infolist()}
            if "setup.json" not in infos or "setup.sig" not in infos:
                raise bad
            if sum(i.file_size for i in infos.values()) > 4 * _SETUP_MAX:
                raise bad
            raw = z.read("setup.json")
            setup = json.loads(raw.decode("utf-8"))
            if not isinstance(setup, dict) or setup.get("format") != SETUP_FORMAT:
                raise bad
            if not isinstance(setup.get("version"), int) or setup["version"] > SETUP_VERSION:
                raise SetupFileError(_("{file} was made by a newer version of fieldapp; update "
                                       "fieldapp to load it.").format(file=Path(path).name))
            crypto.verify(raw, z.read("setup.sig"), _unb64(setup["hub"]["verify_key"]))
            expected = setup.get("members")
            if not isinstance(expected, dict) or set(expected) != set(infos) - {
                    "setup.json", "setup.sig"}:
                raise bad
            members = {}
            for name, digest in expected.items():
                data = z.read(name)
                if hashlib.sha256(data).hexdigest() != digest:
                    raise bad
                members[name] = data
            return setup, members
    except SetupFileError:
        raise
    except (OSError, zipfile.BadZipFile, ValueError, KeyError, TypeError, AttributeError,
            UnicodeDecodeError, crypto.CryptoError, RuntimeError, EOFError, zlib.error,
            NotImplementedError):
        raise bad from None


@dataclass(frozen=True)
class SetupPreview:
    commune: str
    user_id: str | None
    """The team member the commune registered the laptop for, if it did."""
    members: list[tuple[str, str]]
    """(id, name) of the commune's team members (active users)."""


def preview_setup(path: Path) -> SetupPreview:
    """What a setup file is for, read and checked without loading it."""
    setup, members = read_setup_file(path)
    users: dict[str, dict[str, Any]] = {}
    try:
        for line in members.get("changes.jsonl", b"").splitlines():
            for change in decode_line(line) if line else ():
                if change.table == "users":
                    users.setdefault(change.record, {})[change.field] = change.value
    except EntryError:
        raise SetupFileError(_("{file} is not a fieldapp setup file or is damaged.").format(
            file=Path(path).name)) from None
    team = sorted(((uid, u.get("name") or uid) for uid, u in users.items()
                   if u.get("name") and not u.get("deleted")), key=lambda item: item[1])
    return SetupPreview(setup.get("commune_name", ""), setup.get("user_id"), team)


def join(store: Store, path: Path, *, user_id: str | None = None) -> dict[str, Any]:
    """Make this new, empty laptop a member device of the setup file's commune.

    Takes the registered device id and keys, the commune's master data (as change-log
    entries with their original stamps), the hub's keys, forms and label packs. ``user_id``
    (or the one the registration names) becomes the signed-in user. Returns the setup.
    """
    from fieldapp.services.sync.carried import store_carried

    setup, members = read_setup_file(path)
    if store.log.count() or store.is_set_up:
        raise UserError(_("This laptop already holds data; a setup file is loaded into a new "
                          "database only."))
    try:
        device = setup["device"]
        hub = setup["hub"]
        seed, box = _unb64(device["signing_seed"]), _unb64(device["box_private"])
        hub_verify, hub_box = _unb64(hub["verify_key"]), _unb64(hub["box_key"])
        changes = [c for line in members.get("changes.jsonl", b"").splitlines() if line
                   for c in decode_line(line)]
    except (KeyError, TypeError, ValueError, EntryError):
        raise SetupFileError(_("{file} is not a fieldapp setup file or is damaged.").format(
            file=Path(path).name)) from None
    store.set_device(device["id"], device["name"])
    state = SyncState(store)
    with store.transaction():
        state.set_secret("device_signing_seed", seed)
        state.set_secret("device_box_private", box)
        state.add_peer(device=hub["device"], kind="hub", name=hub.get("name"),
                       hub_id=setup["commune_id"], verify_key=hub_verify, box_key=hub_box,
                       registered_at=setup.get("created_at"))
        store.writer.apply(changes)
        store_carried(store, members)
        user = user_id or setup.get("user_id")
        if user is not None and store.users.get(user) is None:
            raise UserError(_("There is no team member {id}.").format(id=user))
        store.set_meta("commune_id", setup["commune_id"])
        if user:
            store.set_meta("current_user_id", user)
        store.set_meta("setup_done", "1")
    return setup
