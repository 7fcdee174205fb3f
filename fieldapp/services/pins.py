"""PINs: the policy a new PIN must meet, its Argon2id hash, checking the signed-in member's PIN
and setting one (fieldapp.services.auth signs in with them).

PIN policy: 6 to 12 digits, not all the same digit and not a plain run (123456, 987654).
A PIN is never stored: on an encrypted database the keyring entry it unwraps is the check
(fieldapp.storage.keyring), and ``users.pin_hash`` keeps an Argon2id hash at the same cost
(used on a plain database, such as the demo, and when a member laptop joins its commune).
Kept apart from the sign-in so that the workspace and the team use it without importing the
sign-in, which opens workspaces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc
from fieldapp.services.access import AccessDenied
from fieldapp.storage import lazy_keyring as kr

if TYPE_CHECKING:
    from fieldapp.services.workspace import Workspace

PIN_MIN, PIN_MAX = 6, 12


class SignInError(UserError):
    """A sign-in that did not succeed; the message says why and what to do."""


class WrongPin(SignInError):
    pass


def pin_problem(pin: str | None) -> str | None:
    """Why a new PIN is not acceptable (None when it is)."""
    pin = nfc(pin or "").strip()
    if not (pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        return _("The PIN must be {low} to {high} digits.").format(low=PIN_MIN, high=PIN_MAX)
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:])}
    if len(set(pin)) == 1 or steps in ({1}, {-1}):
        return _("This PIN is too easy to guess (the same digit, or digits in a row).")
    return None


def validate_pin(pin: str) -> str:
    problem = pin_problem(pin)
    if problem:
        raise UserError(problem)
    return nfc(pin).strip()


def hash_pin(pin: str) -> str:
    pin = validate_pin(pin)
    limits = kr.KDF
    import nacl.pwhash  # here, not at import: the sign-in's first frame does without it

    return nacl.pwhash.argon2id.str(pin.encode(), opslimit=limits.ops,
                                    memlimit=limits.mem).decode("ascii")


def check_pin(pin_hash: str | None, pin: str) -> bool:
    if not pin_hash:
        return False
    try:
        import nacl.exceptions
        import nacl.pwhash

        return nacl.pwhash.verify(pin_hash.encode("ascii"), nfc(pin or "").strip().encode())
    except (nacl.exceptions.InvalidkeyError, nacl.exceptions.CryptoError, ValueError):
        return False


def confirm_pin(workspace: "Workspace", pin: str) -> bool:
    """Whether ``pin`` is the signed-in member's PIN (unlocking after idle time)."""
    session = workspace.session
    if session is None:
        return True
    ring = kr.Keyring.for_database(workspace.path) if workspace.store.encrypted else None
    if ring is not None:
        try:
            ring.unlock(session.user_id, pin)
            return True
        except kr.WrongSecret:
            return False
    user = workspace.store.users.get(session.user_id)
    return bool(user) and check_pin(user.get("pin_hash"), pin)


def set_pin(workspace: "Workspace", user: dict[str, Any], pin: str) -> None:
    """Give ``user`` a new PIN on this laptop (keyring entry and hash)."""
    pin_hash = hash_pin(pin)
    workspace.store.users.update(user["id"], {"pin_hash": pin_hash})
    if workspace.store.encrypted:
        ring = kr.Keyring.for_database(workspace.path) or kr.Keyring.create(workspace.path)
        ring.set_pin(user["id"], user["name"], user["role"], pin, workspace.store.key)


def change_own_pin(workspace: "Workspace", old_pin: str, new_pin: str) -> None:
    if workspace.session is None:
        raise AccessDenied(_("Sign in first."))
    if not confirm_pin(workspace, old_pin):
        raise WrongPin(_("The current PIN is wrong."))
    user = workspace.store.users.get(workspace.session.user_id)
    set_pin(workspace, user, new_pin)
    workspace.audit.record("pin_changed", object_table="users", object_id=user["id"])
