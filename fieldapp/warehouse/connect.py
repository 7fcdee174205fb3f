"""Opening a warehouse: psycopg (optional) and a connection, each failure said in one line."""

from __future__ import annotations

import re
from typing import Any

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _

EXTRA = "fieldapp[warehouse]"


class WarehouseError(UserError):
    """The warehouse cannot be used as asked (bad address, another province, old schema...)."""


def psycopg() -> Any:
    """The psycopg module, or WarehouseError saying how to install it."""
    try:
        import psycopg as module
    except ImportError:
        raise WarehouseError(_(
            "The warehouse needs psycopg 3, which is not installed: pip install "
            "'{extra}' (or: pip install 'psycopg[binary]').").format(extra=EXTRA)) from None
    return module


_PASSWORD = re.compile(r"(password\s*=\s*)(\S+)|(://[^:/@]*:)([^@]*)(@)", re.IGNORECASE)


def safe_dsn(dsn: str) -> str:
    """The DSN without its password (for messages)."""
    return _PASSWORD.sub(lambda m: (m.group(1) + "***") if m.group(1)
                         else m.group(3) + "***" + m.group(5), dsn)


def connect(dsn: str, *, autocommit: bool = False) -> Any:
    """A connection to the warehouse at ``dsn``; WarehouseError in one line when the address
    is wrong, nobody answers there or the sign-in is refused."""
    pg = psycopg()
    if not dsn or not dsn.strip():
        raise WarehouseError(_("Give the warehouse's address with --dsn (for example "
                               "postgresql://user@host/dbname or host=/path/to/socket "
                               "dbname=fieldapp)."))
    try:
        return pg.connect(dsn, autocommit=autocommit, connect_timeout=10,
                          application_name="fieldapp")
    except pg.ProgrammingError as exc:  # a DSN that does not parse
        raise WarehouseError(_("“{dsn}” is not a PostgreSQL address ({error}).").format(
            dsn=safe_dsn(dsn), error=_first_line(exc))) from None
    except pg.OperationalError as exc:
        raise WarehouseError(_("Cannot connect to the warehouse {dsn}: {error}").format(
            dsn=safe_dsn(dsn), error=_first_line(exc))) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # libpq repeats "connection to server at ... failed:" for every address it tried
    return lines[-1] if lines else type(exc).__name__
