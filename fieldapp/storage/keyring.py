"""The keyring of an encrypted database: its key, wrapped for each way of unlocking it.

An encrypted database (SQLCipher, fieldapp.storage.engine) has one random 256-bit key. The
key is never stored in the clear: the file ``<database>.keyring`` beside the database holds it
wrapped (XSalsa20-Poly1305, PyNaCl ``SecretBox``) under keys derived from secrets that are
not on the laptop:

- ``pin`` entries, one per team member who signs in on this laptop: the key wrapped under
  Argon2id(PIN) with a salt of its own. A wrong PIN fails to unwrap, so the entry is also the
  PIN check; nothing else about the PIN is kept here.
- a ``recovery`` entry: the key wrapped under Argon2id(recovery code), the code shown once
  when the database is protected, to be kept on paper away from the laptop (commune office).
- a ``commune`` entry on member laptops: the key sealed (``SealedBox``) to the commune's
  public key from the setup file, so only the commune laptop can recover a member laptop.

Whoever holds the laptop alone therefore has to guess a PIN offline: Argon2id is tuned to
about a second per guess on an old laptop (README, "Sign-in and encryption"). The file also
lists each entry's user name and role (the sign-in screen shows them before the database is
open) and counts wrong PINs, so that the sign-in can slow down repeated guesses.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.public
import nacl.pwhash
import nacl.secret
import nacl.utils

from fieldapp.errors import os_reason
from fieldapp.i18n.catalog import _
from fieldapp.storage.files import PRIVATE, StorageError, make_private
from fieldapp.storage.engine import KEY_BYTES

FORMAT = "fieldapp-keyring"
VERSION = 1
SUFFIX = ".keyring"


@dataclass(frozen=True)
class KdfLimits:
    """Argon2id cost of one PIN guess. The default takes ~0.3 s on this project's build
    machine and about a second on a 2012 laptop (tests/benchmarks/bench_encryption.py)."""

    ops: int = 4
    mem: int = 128 * 1024 * 1024


KDF = KdfLimits()
"""The cost used for new entries (tests lower it; each entry keeps the cost it was made with)."""


class KeyringError(StorageError):
    """The keyring is missing, damaged or of a newer version."""


class WrongSecret(Exception):
    """The PIN or recovery code does not unlock the key."""


def keyring_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + SUFFIX)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64")
    return base64.b64decode(text, validate=True)


def new_database_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def _derive(secret: str, salt: bytes, ops: int, mem: int) -> bytes:
    return nacl.pwhash.argon2id.kdf(nacl.secret.SecretBox.KEY_SIZE, secret.encode("utf-8"),
                                    salt, opslimit=ops, memlimit=mem)


def _wrap(secret: str, key: bytes, limits: KdfLimits) -> dict[str, Any]:
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    box = nacl.secret.SecretBox(_derive(secret, salt, limits.ops, limits.mem))
    return {"salt": _b64(salt), "ops": limits.ops, "mem": limits.mem,
            "box": _b64(bytes(box.encrypt(key)))}


def _unwrap(secret: str, entry: dict[str, Any]) -> bytes:
    try:
        salt, wrapped = _unb64(entry["salt"]), _unb64(entry["box"])
        ops, mem = int(entry["ops"]), int(entry["mem"])
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyringError(_("The keyring of this database is damaged.")) from exc
    if not (1 <= ops <= 64 and 8192 <= mem <= 4 * 1024**3):
        raise KeyringError(_("The keyring of this database is damaged."))
    try:
        key = nacl.secret.SecretBox(_derive(secret, salt, ops, mem)).decrypt(wrapped)
    except nacl.exceptions.CryptoError:
        raise WrongSecret from None
    if len(key) != KEY_BYTES:
        raise KeyringError(_("The keyring of this database is damaged."))
    return key


def recovery_code() -> str:
    """A recovery code to write down: 24 letters and digits in groups of four (~120 bits),
    without the characters people confuse (0/O, 1/I/L)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(24))
    return "-".join(raw[i:i + 4] for i in range(0, 24, 4))


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isascii() and ch.isalnum())
    return "-".join(cleaned[i:i + 4] for i in range(0, len(cleaned), 4))


class Keyring:
    """The keyring file of one database. Load with :meth:`load`; every change is saved at
    once (atomically, private to this account)."""

    def __init__(self, path: Path, data: dict[str, Any]):
        self.path = Path(path)
        self.data = data

    # -- file ---------------------------------------------------------------------------------
    @classmethod
    def for_database(cls, db_path: Path) -> "Keyring | None":
        path = keyring_path(db_path)
        return cls.load(path) if path.exists() else None

    @classmethod
    def load(cls, path: Path) -> "Keyring":
        try:
            if Path(path).stat().st_size > 1024 * 1024:
                raise ValueError("too large")
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise KeyringError(_("The keyring {path} cannot be read: {error}").format(
                path=path, error=os_reason(exc))) from exc
        except ValueError as exc:  # not JSON, not UTF-8, too large: not a keyring any more
            raise KeyringError(_("The keyring of this database is damaged.")) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT \
                or not isinstance(data.get("entries"), list):
            raise KeyringError(_("The keyring of this database is damaged."))
        if not isinstance(data.get("version"), int) or data["version"] > VERSION:
            raise KeyringError(_("The keyring was made by a newer version of fieldapp."))
        data.setdefault("attempts", {})
        return cls(Path(path), data)

    @classmethod
    def create(cls, db_path: Path) -> "Keyring":
        return cls(keyring_path(db_path), {"format": FORMAT, "version": VERSION,
                                           "entries": [], "attempts": {}})

    def save(self) -> None:
        part = self.path.with_name(self.path.name + ".part")
        part.unlink(missing_ok=True)
        fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0),
                     PRIVATE)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.data, f, ensure_ascii=False, sort_keys=True, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, self.path)
        make_private(self.path)

    # -- entries ------------------------------------------------------------------------------
    def _entries(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.data["entries"] if isinstance(e, dict) and e.get("kind") == kind]

    def users(self) -> list[dict[str, str]]:
        """{user_id, name, role} of everyone who can sign in here, by name."""
        return sorted(({"user_id": e.get("user_id", ""), "name": e.get("name", ""),
                        "role": e.get("role", "")} for e in self._entries("pin")),
                      key=lambda u: u["name"])

    def has_user(self, user_id: str) -> bool:
        return any(e.get("user_id") == user_id for e in self._entries("pin"))

    def set_pin(self, user_id: str, name: str, role: str, pin: str, key: bytes, *,
                limits: KdfLimits | None = None) -> None:
        """Add or replace the entry of a team member (their PIN unwraps ``key``)."""
        entry = {"kind": "pin", "user_id": user_id, "name": name, "role": role,
                 **_wrap(pin, key, limits or KDF)}
        self.data["entries"] = [e for e in self.data["entries"]
                                if not (e.get("kind") == "pin" and e.get("user_id") == user_id)]
        self.data["entries"].append(entry)
        self.data["attempts"].pop(user_id, None)
        self.save()

    def update_user(self, user_id: str, *, name: str | None = None,
                    role: str | None = None) -> None:
        for e in self._entries("pin"):
            if e.get("user_id") == user_id:
                if name is not None:
                    e["name"] = name
                if role is not None:
                    e["role"] = role
        self.save()

    def remove_user(self, user_id: str) -> None:
        self.data["entries"] = [e for e in self.data["entries"]
                                if not (e.get("kind") == "pin" and e.get("user_id") == user_id)]
        self.data["attempts"].pop(user_id, None)
        self.save()

    def unlock(self, user_id: str, pin: str) -> bytes:
        """The database key, if ``pin`` is this member's PIN; WrongSecret otherwise."""
        for e in self._entries("pin"):
            if e.get("user_id") == user_id:
                return _unwrap(pin, e)
        raise WrongSecret

    def set_recovery(self, code: str, key: bytes, *, limits: KdfLimits | None = None) -> None:
        self.data["entries"] = [e for e in self.data["entries"] if e.get("kind") != "recovery"]
        self.data["entries"].append({"kind": "recovery",
                                     **_wrap(normalise_code(code), key, limits or KDF)})
        self.save()

    def has_recovery(self) -> bool:
        return bool(self._entries("recovery"))

    def unlock_recovery(self, code: str) -> bytes:
        for e in self._entries("recovery"):
            return _unwrap(normalise_code(code), e)
        raise WrongSecret

    def set_commune(self, commune_public_key: bytes, key: bytes) -> None:
        """Seal the key to the commune's public key (member laptops)."""
        sealed = nacl.public.SealedBox(nacl.public.PublicKey(commune_public_key)).encrypt(key)
        self.data["entries"] = [e for e in self.data["entries"] if e.get("kind") != "commune"]
        self.data["entries"].append({"kind": "commune", "box": _b64(bytes(sealed))})
        self.save()

    def unlock_commune(self, commune_private_key: bytes) -> bytes:
        for e in self._entries("commune"):
            try:
                key = nacl.public.SealedBox(nacl.public.PrivateKey(commune_private_key)).decrypt(
                    _unb64(e["box"]))
            except (nacl.exceptions.CryptoError, KeyError, ValueError, TypeError):
                raise WrongSecret from None
            if len(key) == KEY_BYTES:
                return key
        raise WrongSecret

    # -- wrong PINs ---------------------------------------------------------------------------
    def failures(self, user_id: str) -> tuple[int, float]:
        """(wrong PINs in a row, time before which no try is accepted) of a member."""
        item = self.data["attempts"].get(user_id) or {}
        try:
            return int(item.get("failures", 0)), float(item.get("until", 0.0))
        except (TypeError, ValueError):
            return 0, 0.0

    def set_failures(self, user_id: str, failures: int, until: float) -> None:
        if failures:
            self.data["attempts"][user_id] = {"failures": failures, "until": until}
        else:
            self.data["attempts"].pop(user_id, None)
        self.save()
