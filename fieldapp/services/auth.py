"""Sign-in: the encrypted database's key, slowing down guesses, recovery (the PINs themselves:
fieldapp.services.pins, whose names are reachable from here too).

Wrong PINs slow down further tries: after :data:`FREE_TRIES` wrong PINs in a row, each new
wrong PIN makes the next try wait 30 s, then twice as long each time, up to 15 minutes. The
count lives beside the database (the keyring, or app_meta of a plain database), so closing
the app does not reset it. (Someone who copies the files guesses offline instead: the key
derivation's cost is what protects the data then; README, "Sign-in and encryption".)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import fold, nfc
from fieldapp.services.access import STAFF, Access, Session
from fieldapp.services.pins import (  # noqa: F401 - the PIN policy, re-exported for callers
    PIN_MAX, PIN_MIN, SignInError, WrongPin, change_own_pin, check_pin, confirm_pin, hash_pin,
    pin_problem, set_pin, validate_pin)
from fieldapp.storage import lazy_keyring as kr
from fieldapp.storage.engine import ENCRYPTION_AVAILABLE, is_encrypted_file

if TYPE_CHECKING:
    from fieldapp.services.workspace import Workspace

FREE_TRIES = 3
FIRST_DELAY = 30.0
MAX_DELAY = 15 * 60.0


class DamagedDatabase(SignInError):
    """The PIN was right but the database is damaged: ``key`` opens its backups; ``user``
    ({user_id, name, role}, from the keyring) is who signed in."""

    def __init__(self, message: str, key: bytes | None, user: dict[str, str] | None = None):
        super().__init__(message)
        self.key = key
        self.user = user


class SignInDelayed(SignInError):
    def __init__(self, message: str, seconds: float):
        super().__init__(message)
        self.seconds = seconds


def next_delay(failures: int) -> float:
    """Seconds to wait before the next try after ``failures`` wrong PINs in a row."""
    if failures < FREE_TRIES:
        return 0.0
    return min(FIRST_DELAY * 2 ** (failures - FREE_TRIES), MAX_DELAY)


def _delayed(seconds: float) -> SignInDelayed:
    return SignInDelayed(_("Too many wrong PINs. Try again in {seconds} seconds.").format(
        seconds=int(seconds + 0.999)), seconds)


# -- who can sign in ----------------------------------------------------------------------------

@dataclass(frozen=True)
class SignInInfo:
    encrypted: bool
    users: list[dict[str, str]]
    """{user_id, name, role} of everyone who can sign in on this laptop."""
    has_recovery: bool
    last_user: str | None


def is_encrypted(db_path: Path) -> bool:
    """Whether the file at ``db_path`` is an encrypted database with its keyring (opens only
    by signing in). A file that is not SQLite and has no keyring beside it is left to the
    storage layer, which says it is not a fieldapp database."""
    db_path = Path(db_path)
    return db_path.is_file() and is_encrypted_file(db_path) and kr.keyring_path(
        db_path).exists()


def commune_key(workspace: "Workspace") -> bytes | None:
    """The commune's public key a member laptop seals its database key to (from its setup
    file), so only the commune laptop can recover it."""
    from fieldapp.storage.sync_state import SyncState

    hub = SyncState(workspace.store).hub()
    return bytes(hub["box_key"]) if hub else None


def sign_in_info(db_path: Path, workspace: "Workspace | None" = None) -> SignInInfo:
    """Who can sign in to the database at ``db_path`` (read without the key; from
    ``workspace`` when the caller has the plain database open already)."""
    db_path = Path(db_path)
    if db_path.is_file() and is_encrypted_file(db_path):
        ring = kr.Keyring.for_database(db_path)
        if ring is None:
            raise SignInError(_("The keyring of {path} is missing: without it the encrypted "
                                "database cannot be opened. Put the file {keyring} back beside "
                                "it.").format(path=db_path, keyring=kr.keyring_path(db_path).name))
        return SignInInfo(True, ring.users(), ring.has_recovery(), ring.data.get("last_user"))
    from fieldapp.services.workspace import Workspace

    opened = workspace is None
    workspace = Workspace.open(db_path) if opened else workspace
    try:
        users = [{"user_id": u["id"], "name": u["name"], "role": u["role"]}
                 for u in workspace.store.users.list() if u.get("pin_hash")]
        return SignInInfo(False, users, False, workspace.store.meta("current_user_id"))
    finally:
        if opened:
            workspace.close()


# -- signing in ---------------------------------------------------------------------------------

def sign_in(db_path: Path, user_id: str, pin: str, *,
            clock: Callable[[], float] = time.time) -> "Workspace":
    """Check the PIN, open the database (with its key when encrypted) and return a workspace
    signed in as that member. Raises WrongPin, SignInDelayed or SignInError."""
    from fieldapp.services.workspace import Workspace

    db_path = Path(db_path)
    now = clock()
    if db_path.is_file() and is_encrypted_file(db_path):
        ring = kr.Keyring.for_database(db_path)
        if ring is None:
            raise SignInError(_("The keyring of this database is missing."))
        failures, until = ring.failures(user_id)
        if now < until:
            raise _delayed(until - now)
        try:
            key = ring.unlock(user_id, pin)
        except kr.WrongSecret:
            failures += 1
            ring.set_failures(user_id, failures, now + next_delay(failures))
            raise _wrong(failures) from None
        ring.set_failures(user_id, 0, 0.0)
        ring.data["last_user"] = user_id
        ring.save()
        from fieldapp.storage.db import DatabaseDamaged

        who = next((u for u in ring.users() if u["user_id"] == user_id), None)
        try:
            workspace = Workspace.open(db_path, key=key)
        except DatabaseDamaged as exc:
            raise DamagedDatabase(str(exc), key, who) from exc
        problems = workspace.store.quick_check()
        if problems:
            workspace.close()
            raise DamagedDatabase(problems[0], key, who)
    else:
        workspace = Workspace.open(db_path)
        store = workspace.store
        failures, until = _plain_failures(store, user_id)
        if now < until:
            workspace.close()
            raise _delayed(until - now)
        user = store.users.get(user_id)
        if user is None or user["deleted"] or not check_pin(user.get("pin_hash"), pin):
            failures += 1
            store.set_meta(f"pin_failures@{user_id}", f"{failures} {now + next_delay(failures)}")
            workspace.close()
            raise _wrong(failures)
        store.set_meta(f"pin_failures@{user_id}", None)
    try:
        user = workspace.store.users.get(user_id)
        if user is None or user["deleted"]:
            raise SignInError(_("This team member was retired and can no longer sign in."))
        workspace.begin_session(Session.of_user(user))
        workspace.store.set_meta("current_user_id", user_id)
        workspace.audit.record("sign_in", detail={"wrong_pins_before": failures}
                               if failures else None)
    except BaseException:
        workspace.close()
        raise
    return workspace


def find_user(info: SignInInfo, wanted: str) -> dict[str, str] | None:
    """Who of ``info.users`` is meant by ``wanted``: their id or name as stored, else the one
    name that matches with accents and case ignored ("hoang thi mai")."""
    wanted = nfc(wanted or "").strip()
    if not wanted:
        return None
    for user in info.users:
        if wanted in (user["user_id"], user["name"]):
            return user
    folded = [u for u in info.users if fold(u["name"]) == fold(wanted)]
    return folded[0] if len(folded) == 1 else None


def open_as(db_path: Path, user: str | None, pin: Callable[[str], str]) -> "Workspace":
    """A workspace on ``db_path`` for a command: an encrypted database opens only signed in
    as ``user`` (a name or id) with the PIN ``pin(their name)`` gives, as the sign-in screen
    does (wrong PINs slow down alike); a plain database (the demo) opens for whoever holds
    the file, signed in when ``user`` is named."""
    from fieldapp.services.workspace import Workspace

    db_path = Path(db_path)
    if not db_path.exists():
        raise UserError(_("{path} does not exist.").format(path=db_path))
    encrypted = db_path.is_file() and is_encrypted_file(db_path)
    if encrypted and not kr.keyring_path(db_path).exists():
        # Random bytes look like an encrypted database: without a keyring beside it, it is
        # either another kind of file or an encrypted database whose keyring was not copied.
        raise SignInError(_("{path} is not a fieldapp database, or it is an encrypted one whose "
                            "keyring ({keyring}) is not beside it.").format(
            path=db_path, keyring=kr.keyring_path(db_path).name))
    if not encrypted and not (user or "").strip():
        return Workspace.open(db_path)
    if encrypted and not (user or "").strip():
        raise SignInError(_("{path} is encrypted: say who signs in with --user NAME (or "
                            "FIELDAPP_USER).").format(path=db_path))
    who = find_user(sign_in_info(db_path), user)
    if who is None:
        raise SignInError(_("{name} cannot sign in on this laptop.").format(name=user))
    typed = pin(who["name"])
    if not (typed or "").strip():  # an empty line or FIELDAPP_PIN= is no try: not counted
        raise SignInError(_("No PIN was given for {name}; nothing was tried.").format(
            name=who["name"]))
    return sign_in(db_path, who["user_id"], typed)


def _wrong(failures: int) -> WrongPin:
    delay = next_delay(failures)
    if delay:
        return WrongPin(_("Wrong PIN. Too many wrong PINs: wait {seconds} seconds before the "
                          "next try.").format(seconds=int(delay)))
    return WrongPin(_("Wrong PIN."))


def _plain_failures(store, user_id: str) -> tuple[int, float]:
    text = store.meta(f"pin_failures@{user_id}") or ""
    try:
        count, until = text.split()
        return int(count), float(until)
    except ValueError:
        return 0, 0.0


# -- protecting a database ----------------------------------------------------------------------

def protect(db_path: Path, user: dict[str, Any], pin: str, *, recovery: bool = True,
            commune_public_key: bytes | None = None) -> str | None:
    """Encrypt the plain database at ``db_path`` (every connection closed) under a new key,
    with a keyring entry for ``user``'s PIN, and a recovery code (returned: to be written
    down) or, on a member laptop, the key sealed to the commune's public key."""
    from fieldapp.storage.encryption import encrypt_in_place

    validate_pin(pin)
    if not ENCRYPTION_AVAILABLE:
        return None
    key = kr.new_database_key()
    ring = kr.Keyring.create(db_path)
    ring.set_pin(user["id"], user["name"], user["role"], pin, key)
    code = None
    if recovery:
        code = kr.recovery_code()
        ring.set_recovery(code, key)
    if commune_public_key is not None:
        ring.set_commune(commune_public_key, key)
    try:
        encrypt_in_place(db_path, key)
    except BaseException:
        ring.path.unlink(missing_ok=True)
        raise
    return code


def recover(db_path: Path, code: str, user_id: str, new_pin: str) -> "Workspace":
    """A forgotten PIN of commune staff: the recovery code unlocks the key; ``user_id`` (a
    commune-staff member) gets ``new_pin``; returns a workspace signed in as them."""
    from fieldapp.services.workspace import Workspace

    validate_pin(new_pin)
    ring = kr.Keyring.for_database(db_path)
    if ring is None or not ring.has_recovery():
        raise SignInError(_("This database has no recovery code."))
    try:
        key = ring.unlock_recovery(code)
    except kr.WrongSecret:
        raise WrongPin(_("This recovery code does not open this database.")) from None
    workspace = Workspace.open(db_path, key=key)
    try:
        user = workspace.store.users.get(user_id)
        if user is None or user["deleted"] or user["role"] != STAFF:
            raise SignInError(_("A recovery code resets the PIN of commune staff only."))
        workspace.begin_session(Session.of_user(user))
        set_pin(workspace, user, new_pin)
        workspace.audit.record("pin_recovered", object_table="users", object_id=user_id)
    except BaseException:
        workspace.close()
        raise
    return workspace


def access_of(workspace: "Workspace") -> Access:
    return workspace.access
