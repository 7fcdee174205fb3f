"""The ``.fieldsync`` package: one file that carries change-log entries between laptops.

Format version 1. The file is a zip archive (entries stored, not compressed) of four entries:

- ``fieldsync.json``: the header, readable without keys: ``format`` ("fieldsync"),
  ``version``, ``package_id``, ``commune_id``, ``source_device``, ``destination`` (a device id,
  or ``hub:<commune or province id>``), ``created_at``, ``recipient_key`` (fingerprint of the
  key the content is sealed to), ``payload_sha256`` and ``payload_size`` of ``payload.bin``.
  It names no person and no household.
- ``fieldsync.sig``: the Ed25519 signature of the header's bytes by the source device. The
  header holds the payload's SHA-256, so the signature covers every byte of the package.
- ``key.bin``: the content key, sealed to the recipient's public key (PyNaCl SealedBox).
- ``payload.bin``: the content, encrypted with that key as a libsodium secretstream (see
  fieldapp.sync.crypto): an inner zip archive (deflated) of
  ``manifest.json`` (package id, source user, kind, entry counts per table, what the package
  acknowledges, the range of the source's log it holds, the form versions and label packs it
  carries, and the SHA-256 of every other entry of the inner archive),
  ``changes-0001.jsonl`` ... (change-log entries as JSON lines, fieldapp.sync.codec), and
  ``forms/<form id>/<version>/<file>``, ``packs/<language>/<form id>.po``.

Both directions are streams: writing encrypts as it goes, reading decrypts into a temporary
file (never into memory) and then reads the inner archive entry by entry, checking sizes
before it reads, so neither memory nor disk use can be blown up by a small hostile file.

Whatever is wrong with a file, reading it raises :class:`PackageError` and nothing else: a
truncated copy ("incomplete"), a damaged archive at any level (a bad CRC, a broken deflate
stream, an unknown compression, a manifest of the wrong shape), a tampered or foreign one.
The header may name its commune (``commune_name``, optional: files without it are read too),
so that a package brought to the wrong commune says whose it is.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fieldapp.errors import os_reason
from fieldapp.core.changes import Change
from fieldapp.sync import crypto
from fieldapp.core.changes import Group
from fieldapp.sync.codec import MAX_LINE, EntryError, decode_group

FORMAT = "fieldsync"
VERSION = 1
SUFFIX = ".fieldsync"
HEADER, SIGNATURE, KEY, PAYLOAD = "fieldsync.json", "fieldsync.sig", "key.bin", "payload.bin"
MANIFEST = "manifest.json"
LINES_PER_MEMBER = 20_000

# Limits on what a package may hold (a commune's whole data is far below them).
MAX_PACKAGE = 4 * 1024**3
MAX_PAYLOAD_PLAIN = 8 * 1024**3
MAX_MEMBER = 2 * 1024**3
MAX_RATIO = 200            # uncompressed / compressed size of one inner entry
MAX_MEMBERS = 10_000
MAX_SMALL = 1024 * 1024    # header, manifest, key

_MEMBER_NAME = re.compile(
    r"^(manifest\.json|changes-\d{4,6}\.jsonl|forms/[A-Za-z][\w.\-]{0,99}/[\w.\-]{1,100}/"
    r"[^/\\]{1,200}|packs/[a-z]{2,3}(-[A-Za-z0-9]+)?/[A-Za-z][\w.\-]{0,99}\.po)$")


class PackageError(ValueError):
    """A package that cannot be read: ``reason`` is a key the caller turns into a message,
    ``detail`` goes into it (a name, a place); ``cause`` says more, for a log."""

    def __init__(self, reason: str, detail: str = "", cause: str = ""):
        super().__init__(": ".join(p for p in (reason, detail, cause) if p))
        self.reason = reason
        self.detail = detail
        self.cause = cause


BROKEN_ARCHIVE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
                  struct.error, KeyError, IndexError, OverflowError, UnicodeDecodeError)
"""What zipfile and zlib raise on an archive damaged or crafted inside (RuntimeError: an
encrypted entry; NotImplementedError: a compression zipfile cannot read). An offset pointing
before the start of the file gives OSError EINVAL (:func:`_broken`)."""


def _broken(exc: BaseException) -> bool:
    """Whether ``exc``, met while reading an archive, says the archive is broken (rather than
    the laptop: a disk error, a full disk)."""
    if isinstance(exc, OSError):
        return exc.errno == errno.EINVAL
    return isinstance(exc, BROKEN_ARCHIVE)


@dataclass
class Header:
    package_id: str
    commune_id: str
    source_device: str
    destination: str
    created_at: str
    recipient_key: str
    payload_sha256: str = ""
    payload_size: int = 0
    format: str = FORMAT
    version: int = VERSION
    commune_name: str = ""
    """The name of the commune (or province) ``commune_id`` is: packages made before it was
    added have none."""

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Header":
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise PackageError("damaged", "header") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise PackageError("not_a_package")
        if not isinstance(data.get("version"), int) or data["version"] > VERSION:
            raise PackageError("newer_format", str(data.get("version")))
        if data["version"] < 1:
            raise PackageError("damaged", "version")
        names = {f.name for f in cls.__dataclass_fields__.values()}  # type: ignore[attr-defined]
        if not names - OPTIONAL_HEADER <= set(data) <= names:
            raise PackageError("damaged", "header fields")
        for key in names - {"payload_size", "version"}:
            if not isinstance(data[key], str) or len(data[key]) > 200:
                raise PackageError("damaged", key)
        if not isinstance(data["payload_size"], int) or data["payload_size"] < 0:
            raise PackageError("damaged", "payload_size")
        if not data["package_id"] or not data["package_id"].isprintable() \
                or "/" in data["package_id"]:
            raise PackageError("damaged", "package_id")  # a name (the import log's key)
        return cls(**data)


OPTIONAL_HEADER = frozenset({"commune_name"})


@dataclass
class Manifest:
    package_id: str
    kind: str
    """"to_hub" (a member's or a commune's own changes), "from_hub" (a return package)."""
    source_user: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    entries: int = 0
    acknowledges: dict[str, int] = field(default_factory=dict)
    """{"seq": N}: the recipient's log up to N has been received by the sender."""
    log_range: list[int] = field(default_factory=lambda: [0, 0])
    """[first, last] sequence numbers of the sender's log that the package covers."""
    forms: list[dict[str, str]] = field(default_factory=list)
    packs: list[dict[str, str]] = field(default_factory=list)
    members: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_bytes(cls, raw: bytes) -> "Manifest":
        try:
            data = json.loads(raw.decode("utf-8"))
            manifest = cls(**data)
        except (UnicodeDecodeError, ValueError, TypeError, RecursionError):
            raise PackageError("damaged", "manifest") from None
        problem = manifest._problem()
        if problem:
            raise PackageError("damaged", "manifest", problem)
        return manifest

    def _problem(self) -> str:
        """What is not of the shape the writer gives each field ("" when all are)."""
        def whole(value: object) -> bool:  # a sequence number: a SQLite integer
            return isinstance(value, int) and not isinstance(value, bool) \
                and 0 <= value < 2**63

        def files(value: object) -> bool:
            return isinstance(value, list) and all(
                isinstance(f, dict) and all(isinstance(v, str) for v in f.values())
                for f in value)

        checks = {
            "package_id": isinstance(self.package_id, str),
            "kind": self.kind in ("to_hub", "from_hub"),
            "source_user": self.source_user is None or isinstance(self.source_user, str),
            "counts": isinstance(self.counts, dict) and all(
                isinstance(k, str) and whole(v) for k, v in self.counts.items()),
            "entries": whole(self.entries),
            "acknowledges": isinstance(self.acknowledges, dict) and all(
                isinstance(k, str) and whole(v) for k, v in self.acknowledges.items()),
            "log_range": isinstance(self.log_range, list) and len(self.log_range) == 2
            and all(whole(v) for v in self.log_range),
            "forms": files(self.forms), "packs": files(self.packs),
            "members": isinstance(self.members, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in self.members.items()),
        }
        return ", ".join(name for name, fine in checks.items() if not fine)


def package_name(commune: str, device: str, date: str, seq: int) -> str:
    """``<commune>-<device>-<date>-<seq>.fieldsync`` (date YYYYMMDD), in plain letters so every
    file system and chat app keeps it: "xa-tan-thanh-1a2b3c4d-20261128-0001.fieldsync"."""
    from fieldapp.i18n.text import fold

    name = re.sub(r"[^a-z0-9]+", "-", fold(commune)).strip("-")[:30] or "fieldapp"
    device = re.sub(r"[^a-z0-9]+", "", device.lower())[:8] or "x"
    return f"{name}-{device}-{date}-{seq:04d}{SUFFIX}"


class PackageWriter:
    """Writes one package to ``path`` (first as ``path.part``, renamed when complete, so a
    cancelled or failed export leaves no package behind)."""

    def __init__(self, path: Path, header: Header, *, signing_seed: bytes,
                 recipient_public: bytes):
        self.path = Path(path)
        self.header = header
        self._seed = signing_seed
        self._recipient = recipient_public
        self._part = self.path.with_name(self.path.name + ".part")
        self._outer = zipfile.ZipFile(self._part, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._key = crypto.new_stream_key()
        self._payload = self._outer.open(PAYLOAD, "w", force_zip64=True)
        self._encrypted = crypto.EncryptingWriter(self._payload, self._key)
        self._inner = zipfile.ZipFile(self._encrypted, "w", zipfile.ZIP_DEFLATED,
                                      compresslevel=9)
        self.hashes: dict[str, str] = {}
        self._changes = 0
        self.bytes_written = 0

    def add_lines(self, lines: Iterable[bytes], cancelled: Callable[[], bool] = lambda: False,
                  ) -> int:
        """Write change lines into members of LINES_PER_MEMBER lines; returns the count."""
        count, member, digest = 0, None, None
        for line in lines:
            if member is None or count % LINES_PER_MEMBER == 0:
                if member is not None:
                    member.close()
                    self.hashes[name] = digest.hexdigest()
                self._changes += 1
                name = f"changes-{self._changes:04d}.jsonl"
                member = self._inner.open(name, "w", force_zip64=True)
                digest = hashlib.sha256()
                if cancelled():
                    raise InterruptedError
            member.write(line)
            digest.update(line)
            count += 1
        if member is not None:
            member.close()
            self.hashes[name] = digest.hexdigest()
        return count

    def add_file(self, name: str, data: bytes) -> None:
        if not _MEMBER_NAME.match(name):
            raise ValueError(f"not a package member name: {name}")
        self._inner.writestr(name, data)
        self.hashes[name] = hashlib.sha256(data).hexdigest()

    def finish(self, manifest: Manifest) -> Path:
        manifest.members = dict(self.hashes)
        self._inner.writestr(MANIFEST, json.dumps(asdict(manifest), ensure_ascii=False,
                                                  sort_keys=True))
        self._inner.close()
        self._encrypted.close()
        self._payload.close()
        self.header.payload_sha256 = self._encrypted.sha256
        self.header.payload_size = self._outer.getinfo(PAYLOAD).file_size
        raw = self.header.to_bytes()
        self._outer.writestr(HEADER, raw)
        self._outer.writestr(SIGNATURE, crypto.sign(raw, self._seed))
        self._outer.writestr(KEY, crypto.seal(self._key, self._recipient))
        self._outer.close()
        os.replace(self._part, self.path)
        self.bytes_written = self.path.stat().st_size
        return self.path

    def abort(self) -> None:
        for closing in (self._inner, self._encrypted, self._payload, self._outer):
            try:
                closing.close()
            except Exception:  # noqa: BLE001 - best effort while failing already
                pass
        self._part.unlink(missing_ok=True)


def read_header(path: Path) -> tuple[Header, bytes, bytes, bytes]:
    """(header, its raw bytes, signature, sealed key) of a package; PackageError when the
    file is not one."""
    path = Path(path)
    try:
        if not path.exists():
            raise PackageError("missing")
        if not path.is_file():
            raise PackageError("not_a_package")
        if path.stat().st_size > MAX_PACKAGE:
            raise PackageError("too_large")
        with zipfile.ZipFile(path) as outer:
            infos = {i.filename: i for i in outer.infolist()}
            if len(infos) != len(outer.infolist()):
                # An entry named twice: zipfile reads the last, another reader the first.
                raise PackageError("damaged", "an entry occurs twice")
            if set(infos) != {HEADER, SIGNATURE, KEY, PAYLOAD}:
                if HEADER not in infos:
                    raise PackageError("not_a_package")
                raise PackageError("damaged", "entries")
            for name in (HEADER, SIGNATURE, KEY):
                if infos[name].file_size > MAX_SMALL:
                    raise PackageError("damaged", name)
            raw = outer.read(HEADER)
            return Header.from_bytes(raw), raw, outer.read(SIGNATURE), outer.read(KEY)
    except PackageError:
        raise
    except zipfile.BadZipFile:
        # No directory at the end: a package cut short while copying still starts as one.
        raise PackageError("incomplete" if _starts_as_a_package(path) else "not_a_package") \
            from None
    except (OSError, *BROKEN_ARCHIVE, ValueError) as exc:
        if isinstance(exc, OSError) and not _broken(exc):
            raise PackageError("unreadable", os_reason(exc)) from None
        raise PackageError("damaged", "archive", repr(exc)) from None


def _starts_as_a_package(path: Path) -> bool:
    """Whether the file begins with a zip entry of a package (its first entry's name)."""
    try:
        with Path(path).open("rb") as f:
            head = f.read(30 + 64)
    except OSError:
        return False
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        return False
    length = int.from_bytes(head[26:28], "little")
    return head[30:30 + length] in {n.encode() for n in (HEADER, SIGNATURE, KEY, PAYLOAD)}


class OpenPackage:
    """A verified, decrypted package (use as a context manager: the temporary file of its
    content is removed on exit)."""

    def __init__(self, path: Path, header: Header, manifest: Manifest, inner: zipfile.ZipFile,
                 temp: Path):
        self.path = path
        self.header = header
        self.manifest = manifest
        self._inner = inner
        self._temp = temp

    def __enter__(self) -> "OpenPackage":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._inner.close()
        shutil.rmtree(self._temp, ignore_errors=True)

    def _member(self, name: str) -> Iterator[bytes]:
        """Lines of a member, checked against the manifest's SHA-256 as they are read."""
        digest = hashlib.sha256()
        try:
            with self._inner.open(name) as f:
                stream = io.BufferedReader(f, buffer_size=1 << 20)
                while True:
                    line = stream.readline(MAX_LINE + 1)
                    if not line:
                        break
                    if len(line) > MAX_LINE:
                        raise PackageError("damaged", name, "a line is too long")
                    digest.update(line)
                    yield line
        except (OSError, *BROKEN_ARCHIVE) as exc:
            if not _broken(exc):
                raise
            raise PackageError("damaged", name, repr(exc)) from None
        if digest.hexdigest() != self.manifest.members.get(name):
            raise PackageError("tampered", name)

    def groups(self) -> Iterator[Group]:
        """Every line's changes, member by member; PackageError for a bad line or a bad hash
        (raised at the latest when the member is finished: apply in a transaction that a
        failure rolls back)."""
        names = sorted(n for n in self.manifest.members if n.startswith("changes-"))
        for name in names:
            for number, line in enumerate(self._member(name), start=1):
                try:
                    yield decode_group(line.rstrip(b"\n"))
                except EntryError as exc:
                    raise PackageError("bad_entry", f"{name}:{number}", str(exc)) from None

    def changes(self) -> Iterator[Change]:
        """Every change, one by one (see :meth:`groups`)."""
        for group in self.groups():
            yield from group.changes()

    def file(self, name: str) -> bytes:
        try:
            data = self._inner.read(name)
        except (OSError, *BROKEN_ARCHIVE) as exc:
            if not _broken(exc):
                raise
            raise PackageError("damaged", name, repr(exc)) from None
        if hashlib.sha256(data).hexdigest() != self.manifest.members.get(name):
            raise PackageError("tampered", name)
        return data

    def files(self, prefix: str) -> list[str]:
        return sorted(n for n in self.manifest.members if n.startswith(prefix))


def open_package(path: Path, *, verify_key: Callable[[Header], bytes],
                 private_key: Callable[[Header], bytes],
                 cancelled: Callable[[], bool] = lambda: False) -> OpenPackage:
    """Verify and decrypt a package.

    ``verify_key(header)`` returns the sender's Ed25519 verify key (or raises PackageError
    "unknown_device"); ``private_key(header)`` our X25519 key the package was sealed to (or
    raises PackageError "wrong_key"). Raises PackageError for everything else that is wrong.
    """
    path = Path(path)
    header, raw, signature, sealed = read_header(path)
    try:
        crypto.verify(raw, signature, verify_key(header))
    except crypto.CryptoError:
        raise PackageError("bad_signature") from None
    try:
        key = crypto.unseal(sealed, private_key(header))
    except crypto.CryptoError:
        raise PackageError("wrong_key") from None
    temp = Path(tempfile.mkdtemp(prefix="fieldsync-"))
    try:
        content = temp / "content.zip"
        with zipfile.ZipFile(path) as outer, outer.open(PAYLOAD) as cipher, \
                content.open("wb") as plain:
            hashing = _HashingReader(cipher)
            crypto.decrypt_stream(hashing, plain, key,
                                  limit=MAX_PAYLOAD_PLAIN, cancelled=cancelled)
            if hashing.read(1) or hashing.hexdigest() != header.payload_sha256:
                raise PackageError("tampered", PAYLOAD)
        inner = zipfile.ZipFile(content)
        manifest = _check_inner(inner)
        if manifest.package_id != header.package_id:
            inner.close()
            raise PackageError("tampered", "package id")
        return OpenPackage(path, header, manifest, inner, temp)
    except crypto.CryptoError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise PackageError("tampered" if str(exc) != "too large" else "too_large") from None
    except PackageError:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    except (OSError, *BROKEN_ARCHIVE, ValueError) as exc:
        shutil.rmtree(temp, ignore_errors=True)
        if not _broken(exc) and not isinstance(exc, ValueError):
            raise
        raise PackageError("damaged", "content", repr(exc)) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _check_inner(inner: zipfile.ZipFile) -> Manifest:
    infos = inner.infolist()
    if len(infos) > MAX_MEMBERS:
        raise PackageError("damaged", "too many entries")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise PackageError("damaged", "an entry occurs twice")
    total = 0
    for info in infos:
        if not _MEMBER_NAME.match(info.filename) or ".." in info.filename.split("/"):
            raise PackageError("damaged", f"entry name {info.filename[:80]!r}")
        if info.file_size > MAX_MEMBER or (
                info.compress_size and info.file_size / info.compress_size > MAX_RATIO
                and info.file_size > MAX_SMALL):
            raise PackageError("too_large", info.filename)
        total += info.file_size
    if total > MAX_PAYLOAD_PLAIN:
        raise PackageError("too_large")
    if MANIFEST not in names:
        raise PackageError("damaged", "no manifest")
    if inner.getinfo(MANIFEST).file_size > 64 * MAX_SMALL:
        raise PackageError("damaged", "manifest")
    manifest = Manifest.from_bytes(inner.read(MANIFEST))
    if set(manifest.members) != set(names) - {MANIFEST}:
        raise PackageError("tampered", "entries")
    return manifest


class _HashingReader:
    def __init__(self, raw):
        self._raw = raw
        self._hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
