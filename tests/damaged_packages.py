"""Damaged and crafted packages for the import tests (tests/services/test_sync_damaged.py).

A registered member laptop can send anything it likes, signed with its own key and sealed to
the commune's: :func:`seal` wraps any inner archive as such a package, so the tests reach past
the signature into the archive, the manifest and the change lines. :data:`CRAFTED` lists the
cases a person would try (and the words of the line each must get), :func:`mutated` applies
the random damage the hypothesis strategies choose.

Imported by the tests as ``from damaged_packages import ...`` (tests/ is on sys.path).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fieldapp.services.sync import exchange, identity
from fieldapp.storage.store import Store
from fieldapp.storage.sync_state import SyncState
from fieldapp.sync import crypto
from fieldapp.sync import package as pkg
from sync_world import join_member, new_commune


@dataclass
class Laptops:
    """A commune, two member laptops of it and a stranger's, with the packages of each."""

    folder: Path
    commune: Path
    member_seed: bytes
    member_device: str
    other_device: str
    hub_key: bytes
    commune_id: str
    good: list[Path] = field(default_factory=list)
    """Two packages that import cleanly together: the first member's, the second's."""
    later: Path | None = None
    """The first member's next package: everything of the first plus one more household."""
    later_head: str = "Ma Văn Hỏng"
    stranger: Path | None = None
    """A package of another commune's member laptop."""


def build(folder: Path) -> Laptops:
    commune = new_commune(folder / "commune.db", ["Bản Khuông"])
    village = commune.villages.list()[0]["id"]
    first = join_member(commune, folder, "Máy 1", file="m1")
    second = join_member(commune, folder, "Máy 2", file="m2")
    first.households.add_household(village, "Lý Văn Páo")
    second.households.add_household(village, "Nông Thị Lan")
    world = Laptops(folder, commune.path, identity.device_keys(first)[0], first.device_id,
                    second.device_id, identity.hub_public_key(commune), commune.commune()["id"])
    world.good = [exchange.export_package(first, folder / "good-1.fieldsync").path,
                  exchange.export_package(second, folder / "good-2.fieldsync").path]
    first.households.add_household(village, world.later_head)
    world.later = exchange.export_package(first, folder / "later.fieldsync").path
    other = new_commune(folder / "other.db", ["Bản Xa"], "Xã Khác")
    stranger = join_member(other, folder, "Máy lạ", file="stranger")
    stranger.households.add_household(other.villages.list()[0]["id"], "Người Lạ")
    world.stranger = exchange.export_package(stranger, folder / "stranger.fieldsync").path
    for store in (commune, first, second, other, stranger):
        store.close()
    return world


# -- building packages ------------------------------------------------------------------------

def inner_parts(path: Path, world: Laptops) -> tuple[pkg.Header, bytes]:
    """(header, inner archive) of a package the commune can open."""
    store = Store.open(world.commune)
    try:
        hub_private = SyncState(store).secret("hub_box_private")
    finally:
        store.close()
    header, _raw, _sig, sealed = pkg.read_header(path)
    key = crypto.unseal(sealed, hub_private)
    with zipfile.ZipFile(path) as outer, outer.open(pkg.PAYLOAD) as cipher:
        plain = io.BytesIO()
        crypto.decrypt_stream(cipher, plain, key, limit=pkg.MAX_PAYLOAD_PLAIN)
    return header, plain.getvalue()


def seal(world: Laptops, path: Path, inner: bytes, header: pkg.Header, *,
         seed: bytes | None = None) -> Path:
    """A package of ``inner`` (any bytes), signed by the first member laptop (or ``seed``)
    and sealed to the commune: valid outside, whatever it holds inside."""
    key = crypto.new_stream_key()
    payload = io.BytesIO()
    writer = crypto.EncryptingWriter(payload, key)
    writer.write(inner)
    writer.close()
    header.payload_sha256, header.payload_size = writer.sha256, len(payload.getvalue())
    raw = header.to_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(pkg.PAYLOAD, payload.getvalue())
        z.writestr(pkg.HEADER, raw)
        z.writestr(pkg.SIGNATURE, crypto.sign(raw, seed or world.member_seed))
        z.writestr(pkg.KEY, crypto.seal(key, world.hub_key))
    return path


def inner_zip(members: dict[str, bytes], manifest: dict | bytes | None = None, *,
              extra: list[tuple[str, bytes]] = (), compression=zipfile.ZIP_DEFLATED) -> bytes:
    """An inner archive of ``members`` with a manifest that lists them (or ``manifest``, as
    given), and ``extra`` entries written as they are (a name twice, say)."""
    out = io.BytesIO()
    if manifest is None:
        manifest = {"package_id": "p", "kind": "to_hub", "entries": 0,
                    "members": {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}}
    raw = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in [*members.items(), *extra]:
            z.writestr(name, data)
        z.writestr(pkg.MANIFEST, raw)
    return out.getvalue()


def resealed(world: Laptops, path: Path, change: Callable[[dict, dict[str, bytes]], None]
             ) -> Path:
    """The later package taken apart, ``change(manifest, members)`` applied, put together
    again and signed: a member laptop editing its own package."""
    header, inner = inner_parts(world.later, world)
    with zipfile.ZipFile(io.BytesIO(inner)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(members.pop(pkg.MANIFEST))
    change(manifest, members)
    header.package_id = manifest.get("package_id", header.package_id) \
        if isinstance(manifest.get("package_id"), str) else header.package_id
    return seal(world, path, inner_zip(members, manifest), header)


def _patch_member(inner: bytes, name: str, patch: Callable[[bytearray, int, int], None]
                  ) -> bytes:
    """``inner`` with ``patch(data, local header offset, central entry offset)`` applied to
    the zip records of entry ``name``."""
    data = bytearray(inner)
    with zipfile.ZipFile(io.BytesIO(inner)) as z:
        local = z.getinfo(name).header_offset
    [central] = [offset for offset in _central_offsets(data)
                 if data[offset + 46:offset + 46 + int.from_bytes(
                     data[offset + 28:offset + 30], "little")] == name.encode()]
    patch(data, local, central)
    return bytes(data)


def _central_offsets(data: bytearray) -> list[int]:
    found, start = [], 0
    while (at := data.find(b"PK\x01\x02", start)) != -1:
        found.append(at)
        start = at + 4
    return found


def _stored_member_reading_past_the_end(world: Laptops, path: Path) -> Path:
    """A stored change member whose sizes say more than the archive holds: zipfile reads to
    the end of the file and raises EOFError."""
    header, inner = inner_parts(world.later, world)
    with zipfile.ZipFile(io.BytesIO(inner)) as z:
        members = {n: z.read(n) for n in z.namelist() if n != pkg.MANIFEST}
    inner = inner_zip(members, compression=zipfile.ZIP_STORED)
    name = next(n for n in members if n.startswith("changes-"))

    def grow(data: bytearray, local: int, central: int) -> None:
        big = (len(inner) + 10_000).to_bytes(4, "little")
        data[local + 18:local + 26] = big + big
        data[central + 20:central + 28] = big + big

    return seal(world, path, _patch_member(inner, name, grow), header)


def _member_with_method(world: Laptops, path: Path, method: int, flags: int = 0) -> Path:
    """A change member whose compression method (99: AES, unknown to zipfile) or flags (1:
    encrypted with a password) zipfile cannot read."""
    header, inner = inner_parts(world.later, world)
    with zipfile.ZipFile(io.BytesIO(inner)) as z:
        name = next(n for n in z.namelist() if n.startswith("changes-"))

    def set_method(data: bytearray, local: int, central: int) -> None:
        data[local + 6:local + 10] = flags.to_bytes(2, "little") + method.to_bytes(2, "little")
        data[central + 8:central + 12] = flags.to_bytes(2, "little") + method.to_bytes(2,
                                                                                     "little")

    return seal(world, path, _patch_member(inner, name, set_method), header)


def _damaged_deflate(world: Laptops, path: Path) -> Path:
    header, inner = inner_parts(world.later, world)
    with zipfile.ZipFile(io.BytesIO(inner)) as z:
        info = next(i for i in z.infolist() if i.filename.startswith("changes-"))
    data = bytearray(inner)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for at in range(start + 2, start + info.compress_size - 2, 7):
        data[at] ^= 0x5A
    return seal(world, path, bytes(data), header)


def _truncated(world: Laptops, path: Path, share: float) -> Path:
    data = world.later.read_bytes()
    path.write_bytes(data[:max(1, int(len(data) * share))])
    return path


def _header_changed(world: Laptops, path: Path, **values) -> Path:
    """The later package with header fields changed, signed again by the member laptop."""
    header, inner = inner_parts(world.later, world)
    for name, value in values.items():
        setattr(header, name, value)
    return seal(world, path, inner, header)


def _flipped_header_byte(world: Laptops, path: Path) -> Path:
    data = bytearray(world.later.read_bytes())
    with zipfile.ZipFile(world.later) as z:
        info = z.getinfo(pkg.HEADER)
    data[info.header_offset + 30 + len(pkg.HEADER) + 20] ^= 0x01
    path.write_bytes(bytes(data))
    return path


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _manifest(**values) -> Callable[[dict, dict], None]:
    def change(manifest: dict, members: dict) -> None:
        manifest.update(values)
    return change


def _names_a_missing_entry(manifest: dict, members: dict) -> None:
    manifest["members"]["changes-0099.jsonl"] = hashlib.sha256(b"").hexdigest()


def _lists_an_entry_twice(world: Laptops, path: Path) -> Path:
    header, inner = inner_parts(world.later, world)
    with zipfile.ZipFile(io.BytesIO(inner)) as z:
        members = {n: z.read(n) for n in z.namelist() if n != pkg.MANIFEST}
    name = next(n for n in members if n.startswith("changes-"))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name it writes
        return seal(world, path, inner_zip(members, extra=[(name, members[name])]), header)


CRAFTED: dict[str, tuple[Callable[[Laptops, Path], Path], str]] = {
    "truncated at a tenth": (lambda w, p: _truncated(w, p, 0.1), "incomplete"),
    "truncated at half": (lambda w, p: _truncated(w, p, 0.5), "incomplete"),
    "truncated by one byte": (lambda w, p: _truncated(w, p, 0.9999), "incomplete"),
    "a flipped header byte": (_flipped_header_byte, ""),
    "a member reading past the end (EOFError)": (_stored_member_reading_past_the_end,
                                                 "damaged"),
    "an unknown compression": (lambda w, p: _member_with_method(w, p, 99), "damaged"),
    "a password-protected entry": (lambda w, p: _member_with_method(w, p, 8, flags=1),
                                   "damaged"),
    "a broken deflate stream": (_damaged_deflate, "damaged"),
    "a manifest naming a missing entry": (
        lambda w, p: resealed(w, p, _names_a_missing_entry), "does not match"),
    "an entry listed twice": (_lists_an_entry_twice, "damaged"),
    "a manifest whose entry count is text": (
        lambda w, p: resealed(w, p, _manifest(entries="many")), "damaged"),
    "a manifest whose log range is text": (
        lambda w, p: resealed(w, p, _manifest(log_range="1-9")), "damaged"),
    "a manifest acknowledging text": (
        lambda w, p: resealed(w, p, _manifest(acknowledges={"seq": "all"})), "damaged"),
    "a manifest of another kind": (lambda w, p: resealed(w, p, _manifest(kind="evil")),
                                   "damaged"),
    "a forged origin (another laptop's id)": (
        lambda w, p: _header_changed(w, p, source_device=w.other_device), "signature"),
    "a newer format": (lambda w, p: _header_changed(w, p, version=pkg.VERSION + 1),
                       "update fieldapp"),
    "another commune's package": (lambda w, p: _written(p, w.stranger.read_bytes()),
                                  "Xã Khác"),
    "not a package at all": (lambda w, p: _written(p, b"PK\x05\x06" + bytes(18)),
                             "not a fieldapp package"),
}
