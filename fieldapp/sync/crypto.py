"""The cryptography of packages, all through PyNaCl (libsodium); nothing hand-made.

- Each package's content is encrypted with a fresh random key by libsodium's
  ``crypto_secretstream_xchacha20poly1305`` (authenticated, chunked, with an end mark, so a
  truncated or reordered file is detected), written and read as a stream: memory does not grow
  with the package.
- That key is sealed to the recipient's public key with ``SealedBox`` (X25519): only the holder
  of the commune's private key (or, for a return package, of the member device's) can open it.
- The sender signs the package's header with its device's Ed25519 ``SigningKey``; the header
  holds the SHA-256 of the encrypted content, so the signature covers every byte.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from typing import BinaryIO

import nacl.bindings as sodium
import nacl.exceptions
import nacl.public
import nacl.signing

CHUNK = 64 * 1024
_ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES
_HEADER = sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES
_TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL
_TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
_LENGTH = struct.Struct(">I")


class CryptoError(ValueError):
    """Decryption or verification failed: wrong key, tampered or truncated data."""


def new_stream_key() -> bytes:
    return sodium.crypto_secretstream_xchacha20poly1305_keygen()


class EncryptingWriter:
    """A write-only file object that encrypts what is written into ``target`` and hashes the
    ciphertext (``sha256``). Call :meth:`close` to write the final chunk."""

    def __init__(self, target: BinaryIO, key: bytes):
        self._target = target
        self._state = sodium.crypto_secretstream_xchacha20poly1305_state()
        header = sodium.crypto_secretstream_xchacha20poly1305_init_push(self._state, key)
        self._hash = hashlib.sha256()
        self._buffer = bytearray()
        self._emit(header)
        self.closed = False

    def _emit(self, data: bytes) -> None:
        self._target.write(data)
        self._hash.update(data)

    def _push(self, chunk: bytes, tag: int) -> None:
        cipher = sodium.crypto_secretstream_xchacha20poly1305_push(self._state, chunk, None, tag)
        self._emit(_LENGTH.pack(len(cipher)))
        self._emit(cipher)

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._push(bytes(self._buffer[:CHUNK]), _TAG_MESSAGE)
            del self._buffer[:CHUNK]
        return len(data)

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        pass

    def tell(self) -> int:
        raise OSError("not seekable")

    def close(self) -> None:
        if not self.closed:
            self._push(bytes(self._buffer), _TAG_FINAL)
            self._buffer.clear()
            self.closed = True

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def decrypt_stream(source: BinaryIO, target: BinaryIO, key: bytes, *,
                   limit: int, cancelled: Callable[[], bool] = lambda: False) -> int:
    """Decrypt what :class:`EncryptingWriter` wrote; returns the plaintext size.

    Raises CryptoError for a wrong key, a tampered or reordered chunk, a missing end mark
    (truncated file) or more than ``limit`` bytes of plaintext.
    """
    header = source.read(_HEADER)
    if len(header) != _HEADER:
        raise CryptoError("truncated")
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
    except (nacl.exceptions.CryptoError, ValueError) as exc:
        raise CryptoError("bad key or header") from exc
    total = 0
    while True:
        if cancelled():
            raise InterruptedError
        raw = source.read(_LENGTH.size)
        if len(raw) != _LENGTH.size:
            raise CryptoError("truncated")
        (size,) = _LENGTH.unpack(raw)
        if size > CHUNK + _ABYTES:
            raise CryptoError("chunk too large")
        cipher = source.read(size)
        if len(cipher) != size:
            raise CryptoError("truncated")
        try:
            plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, cipher, None)
        except (nacl.exceptions.CryptoError, ValueError) as exc:
            raise CryptoError("tampered") from exc
        total += len(plain)
        if total > limit:
            raise CryptoError("too large")
        target.write(plain)
        if tag == _TAG_FINAL:
            if source.read(1):
                raise CryptoError("data after the end")
            return total


def seal(data: bytes, recipient_public: bytes) -> bytes:
    return nacl.public.SealedBox(nacl.public.PublicKey(recipient_public)).encrypt(data)


def unseal(sealed: bytes, private_key: bytes) -> bytes:
    try:
        return nacl.public.SealedBox(nacl.public.PrivateKey(private_key)).decrypt(sealed)
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as exc:
        raise CryptoError("not sealed to this key") from exc


def new_box_key() -> tuple[bytes, bytes]:
    """(private, public) X25519 keys for receiving packages."""
    key = nacl.public.PrivateKey.generate()
    return bytes(key), bytes(key.public_key)


def new_signing_key() -> tuple[bytes, bytes]:
    """(seed, verify key) of a device's Ed25519 signing key."""
    key = nacl.signing.SigningKey.generate()
    return bytes(key), bytes(key.verify_key)


def sign(data: bytes, seed: bytes) -> bytes:
    return nacl.signing.SigningKey(seed).sign(data).signature


def verify(data: bytes, signature: bytes, verify_key: bytes) -> None:
    try:
        nacl.signing.VerifyKey(verify_key).verify(data, signature)
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError) as exc:
        raise CryptoError("bad signature") from exc


def fingerprint(public_key: bytes) -> str:
    """A short, stable name for a public key (which key a package was sealed to)."""
    return hashlib.sha256(public_key).hexdigest()[:16]
