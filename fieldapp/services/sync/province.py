"""A commune laptop joins its province, which consolidates communes with the same packages.

A province office runs fieldapp as a hub, as a commune does for its members. A commune laptop
already has its device identity and its data, so it cannot take a setup file (which gives a
new laptop its identity); the two exchange public keys instead:

1. the commune laptop writes a **join request**: its device id and name, its public keys, its
   commune (:func:`write_request`), signed with its device key;
2. the province registers it and writes a **hub file**: the province's id and public keys
   (:func:`register_request`), signed with the province laptop's device key;
3. the commune laptop loads the hub file (:func:`join_province`); from then on
   ``fieldapp export --to province`` writes a package of everything the province has not
   acknowledged, sealed to the province's key. The province's packages back to a commune hold
   that commune's records only.

Neither file holds a private key or a name of a person.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from fieldapp.core.clock import utc_now_iso
from fieldapp.errors import UserError, unreadable
from fieldapp.i18n.catalog import _
from fieldapp.services.sync import identity
from fieldapp.storage.store import Store
from fieldapp.storage.sync_state import SyncState
from fieldapp.sync import crypto

REQUEST_FORMAT = "fieldsync-join-request"
HUB_FORMAT = "fieldsync-hub"
VERSION = 1
_MAX = 64 * 1024
PROVINCE = "province"
"""The province's laptop in a commune's register (fieldapp.storage.authority)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _write_signed(path: Path, body: dict[str, Any], seed: bytes) -> Path:
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True)
    signed = {"body": raw, "signature": _b64(crypto.sign(raw.encode("utf-8"), seed))}
    path = Path(path)
    part = path.with_name(path.name + ".part")
    try:
        part.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
        part.replace(path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return path


def _read_signed(path: Path, fmt: str, key_field: str) -> dict[str, Any]:
    bad = UserError(_("{file} is not a fieldapp file of this kind or is damaged.").format(
        file=Path(path).name))
    problem = unreadable(path)
    if problem is not None:
        raise problem
    try:
        if Path(path).stat().st_size > _MAX:
            raise bad
        signed = json.loads(Path(path).read_text(encoding="utf-8"))
        raw = signed["body"]
        body = json.loads(raw)
        if body.get("format") != fmt:
            raise bad
        if not isinstance(body.get("version"), int) or body["version"] > VERSION:
            raise UserError(_("{file} was made by a newer version of fieldapp; update fieldapp "
                              "to load it.").format(file=Path(path).name))
        crypto.verify(raw.encode("utf-8"), base64.b64decode(signed["signature"]),
                      base64.b64decode(body[key_field]))
        return body
    except UserError:
        raise
    except (OSError, ValueError, KeyError, TypeError, crypto.CryptoError):
        raise bad from None


def write_request(store: Store, path: Path) -> Path:
    """The commune laptop's join request (step 1)."""
    commune = store.commune()
    if commune is None:
        raise UserError(_("Set up the commune before joining the province."))
    seed, box = identity.device_keys(store)
    verify, box_public = identity.public_keys(seed, box)
    return _write_signed(path, {
        "format": REQUEST_FORMAT, "version": VERSION, "created_at": utc_now_iso(),
        "device": store.device_id, "device_name": store.device_name,
        "commune_id": commune["id"], "commune_name": commune["name"],
        "verify_key": _b64(verify), "box_key": _b64(box_public)}, seed)


def register_request(store: Store, request: Path, out: Path) -> tuple[str, Path]:
    """The province registers a commune laptop from its request and writes its hub file
    (step 2). Returns (the commune's name, the hub file)."""
    body = _read_signed(request, REQUEST_FORMAT, "verify_key")
    hub = identity.hub_id(store) or identity.create_hub(store)
    if body["commune_id"] == hub:
        raise UserError(_("A laptop cannot join its own hub."))
    SyncState(store).add_peer(
        device=body["device"], kind="member",
        name=f"{body['commune_name']} ({body.get('device_name') or body['device'][:8]})",
        hub_id=hub, commune_id=body["commune_id"],
        verify_key=base64.b64decode(body["verify_key"]),
        box_key=base64.b64decode(body["box_key"]), registered_at=utc_now_iso())
    seed, box = identity.device_keys(store)
    verify, _box_public = identity.public_keys(seed, box)
    province = store.commune()
    path = _write_signed(out, {
        "format": HUB_FORMAT, "version": VERSION, "created_at": utc_now_iso(),
        "hub_id": hub, "hub_name": province["name"] if province else "",
        "device": store.device_id, "device_name": store.device_name,
        "verify_key": _b64(verify), "box_key": _b64(identity.hub_public_key(store))}, seed)
    return body["commune_name"], path


def join_province(store: Store, hub_file: Path) -> str:
    """The commune laptop takes the province's hub file (step 3); returns the province."""
    body = _read_signed(hub_file, HUB_FORMAT, "verify_key")
    if body["hub_id"] in (identity.hub_id(store), store.meta("commune_id")):
        raise UserError(_("A laptop cannot join its own hub."))
    commune = identity.hub_id(store) or identity.create_hub(store)
    with store.transaction():
        SyncState(store).add_peer(device=body["device"], kind="hub",
                                  name=body.get("hub_name"), hub_id=body["hub_id"],
                                  verify_key=base64.b64decode(body["verify_key"]),
                                  box_key=base64.b64decode(body["box_key"]),
                                  registered_at=body.get("created_at"))
        # In the commune's register, so that its member laptops can tell the province's
        # changes (to the commune's record, its villages) from anyone else's.
        store.devices.register(commune, body["device"], body.get("hub_name"), PROVINCE)
    return body.get("hub_name") or body["hub_id"]
