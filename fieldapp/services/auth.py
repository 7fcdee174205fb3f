"""PINs of team members: 4-8 digits, stored only as an Argon2id hash (libsodium via PyNaCl)."""

from __future__ import annotations

import nacl.exceptions
import nacl.pwhash

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _
from fieldapp.i18n.text import nfc


def validate_pin(pin: str) -> str:
    pin = nfc(pin or "").strip()
    if not (pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8):
        raise UserError(_("The PIN must be 4 to 8 digits."))
    return pin


def hash_pin(pin: str) -> str:
    pin = validate_pin(pin)
    # Interactive limits keep unlocking fast on old laptops while still costing an attacker.
    return nacl.pwhash.argon2id.str(
        pin.encode(), opslimit=nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE,
        memlimit=nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE).decode("ascii")


def check_pin(pin_hash: str | None, pin: str) -> bool:
    if not pin_hash:
        return False
    try:
        return nacl.pwhash.verify(pin_hash.encode("ascii"), nfc(pin or "").strip().encode())
    except nacl.exceptions.InvalidkeyError:
        return False
