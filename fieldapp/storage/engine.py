"""The SQLite driver: SQLCipher (``sqlcipher3``) when installed, else Python's ``sqlite3``.

SQLCipher is SQLite with every page encrypted (AES-256, HMAC-SHA512 per page) under a key set
by ``pragma key`` as the first statement of a connection. Without a key it is plain SQLite,
reading and writing the same files as Python's own module, so one driver serves encrypted and
unencrypted databases (the demo commune, tests). fieldapp gives SQLCipher a raw 32-byte key
(``x'…'``), never a passphrase, so opening a connection costs no key derivation: the PIN's
key derivation happens once, at sign-in (fieldapp.storage.keyring).

Everything in fieldapp.storage that talks to SQLite goes through :data:`sqlite`: its
exceptions (``sqlite.Error``, ``sqlite.IntegrityError``) are the driver's own classes.
"""

from __future__ import annotations

from pathlib import Path

try:  # wheels for Windows x64, Linux (glibc 2.28+, musl) and macOS, CPython 3.11-3.13
    from sqlcipher3 import dbapi2 as sqlite

    ENCRYPTION_AVAILABLE = True
except ImportError:  # pragma: no cover - a platform without a sqlcipher3 wheel
    import sqlite3 as sqlite  # type: ignore[no-redef]

    ENCRYPTION_AVAILABLE = False

KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
"""The first bytes of a plain SQLite file (an encrypted one starts with random bytes)."""
Connection = sqlite.Connection


class EncryptionUnavailable(RuntimeError):
    """An encrypted database on a laptop whose SQLite cannot decrypt."""


def connect(path: Path | str, key: bytes | None = None, *, uri: bool = False,
            check_same_thread: bool = True, timeout: float = 5.0) -> Connection:
    """A connection to ``path``, unlocked with ``key`` (32 bytes) when given.

    The key is applied before anything is read; a wrong key shows only when the first page is
    read (``sqlite.DatabaseError``: "file is not a database").
    """
    if key is not None and not ENCRYPTION_AVAILABLE:
        raise EncryptionUnavailable("SQLCipher (sqlcipher3) is not installed")
    conn = sqlite.connect(str(path), uri=uri, check_same_thread=check_same_thread,
                          timeout=timeout)
    if ENCRYPTION_AVAILABLE:
        # A wrong key is an expected outcome (a backup of another database): no stderr noise.
        conn.execute("pragma cipher_log_level = NONE")
    if key is not None:
        apply_key(conn, key)
    return conn


def apply_key(conn: Connection, key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise ValueError("a database key has 32 bytes")
    conn.execute(f"pragma key = \"x'{key.hex()}'\"")


def attach_encrypted(conn: Connection, path: Path | str, alias: str, key: bytes | None) -> None:
    """ATTACH another file under ``alias``, with its own key (b'' or None: not encrypted)."""
    quoted = str(path).replace("'", "''")
    hexkey = f"x'{key.hex()}'" if key else "''"
    conn.execute(f"attach database '{quoted}' as {alias} key \"{hexkey}\"")


def is_encrypted_file(path: Path) -> bool:
    """Whether a non-empty file does not start with SQLite's plain header (so may be an
    SQLCipher database, or something else entirely)."""
    with Path(path).open("rb") as f:
        head = f.read(len(SQLITE_HEADER))
    return bool(head) and head != SQLITE_HEADER
