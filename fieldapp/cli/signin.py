"""Signing in on the command line: the options of every command that opens a database, declared
once (:func:`database_options`), and the workspace they give (:func:`open_workspace`).

An encrypted database opens only for a team member, signed in as on the sign-in screen:
``--user NAME`` (a name, accents and case ignored, or an id; default ``FIELDAPP_USER``) and
the PIN, typed at the prompt (or ``FIELDAPP_PIN``, for scripts). Wrong PINs slow down as in the
app, and each command then runs with that member's role (fieldapp.services.access), its audit
events in their name. A plain database (the demo) opens for whoever holds the file, as a
member when ``--user`` names one.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from fieldapp.i18n.catalog import _

USER_ENV, PIN_ENV = "FIELDAPP_USER", "FIELDAPP_PIN"
SIGNS_IN = "_opens_database"
"""Set on the parser of every command that opens a database (tests find them by it)."""


def database_options(parser, *, required: bool = True, help: str | None = None) -> None:
    """``--db FILE`` and the sign-in options, on a command that opens a database."""
    parser.add_argument("--db", type=Path, dest="sub_db", required=required, metavar=_("FILE"),
                        help=help or _("database file"))
    group = parser.add_argument_group(_("signing in (an encrypted database)"))
    group.add_argument("--user", dest="sign_in", default=None, metavar=_("NAME"),
                       help=_("the team member who signs in: their name or id (default: "
                              "FIELDAPP_USER); the PIN is asked for, or read from "
                              "FIELDAPP_PIN"))
    parser.set_defaults(**{SIGNS_IN: True})


def read_pin(name: str) -> str:
    """The PIN of ``name``: FIELDAPP_PIN, else typed at the terminal (not shown), else a line
    of standard input."""
    pin = os.environ.get(PIN_ENV)
    if pin is not None:
        return pin
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(_("PIN of {name}: ").format(name=name))
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.strip()


def open_workspace(args, path: Path | None = None):
    """The workspace of the command's database (``path``, else ``--db``), signed in."""
    from fieldapp.services import auth

    user = args.sign_in if args.sign_in is not None else os.environ.get(USER_ENV)
    return auth.open_as(Path(path or args.sub_db), user, read_pin)
