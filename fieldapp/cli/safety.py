"""Data-safety subcommands, and signing in on the command line.

    fieldapp backup --db PATH --out FILE
    fieldapp restore --db PATH --from FILE
    fieldapp erase --db PATH (--household ID | --person ID) --reason TEXT

An encrypted database opens only for a team member: ``--user NAME`` (or FIELDAPP_USER) and
the PIN, typed at the prompt (or FIELDAPP_PIN, for scripts). Wrong PINs slow down as in the
app. A plain database (the demo) opens without signing in.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _

COMMANDS = ("backup", "restore", "erase")


def _user_option(parser) -> None:
    parser.add_argument("--user", default=None, metavar=_("NAME"),
                        help=_("the team member who signs in (an encrypted database)"))


def register(sub) -> None:
    backup = sub.add_parser(
        "backup", help=_("write a verified backup of a database"),
        description=_("Write a backup of the database through SQLite's backup API, "
                      "encrypted like it and checked after writing."))
    backup.add_argument("--db", type=Path, dest="sub_db", required=True, metavar=_("FILE"),
                        help=_("database file"))
    backup.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                        help=_("backup file to write"))
    _user_option(backup)

    restore = sub.add_parser(
        "restore", help=_("replace a database by a backup of it"),
        description=_("Replace the database by a backup of it (checked first); the database "
                      "as it was is kept in its backups folder."))
    restore.add_argument("--db", type=Path, dest="sub_db", required=True, metavar=_("FILE"),
                         help=_("database file"))
    restore.add_argument("--from", type=Path, dest="source", required=True, metavar=_("FILE"),
                         help=_("the backup to restore"))
    _user_option(restore)

    erase = sub.add_parser(
        "erase", help=_("erase a household's or a person's personal data on request"),
        description=_("Erase a household (with its members and surveys) or a person from the "
                      "tables, the change log and history; the erasure travels by sync."))
    erase.add_argument("--db", type=Path, dest="sub_db", required=True, metavar=_("FILE"),
                       help=_("database file"))
    target = erase.add_mutually_exclusive_group(required=True)
    target.add_argument("--household", default=None, metavar=_("ID"),
                        help=_("the household's id"))
    target.add_argument("--person", default=None, metavar=_("ID"), help=_("the person's id"))
    erase.add_argument("--reason", required=True, metavar=_("TEXT"),
                       help=_("why (travels with the erasure: name nobody)"))
    _user_option(erase)


def read_pin(prompt: str) -> str:
    pin = os.environ.get("FIELDAPP_PIN")
    if pin is not None:
        return pin
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.strip()


def open_workspace(path: Path, user: str | None = None):
    """A workspace on ``path``: signed in when the database is encrypted."""
    from fieldapp.services import auth
    from fieldapp.services.workspace import Workspace
    from fieldapp.storage.engine import is_encrypted_file

    path = Path(path)
    if not path.exists():
        raise UserError(_("{path} does not exist.").format(path=path))
    if not (path.is_file() and is_encrypted_file(path)):
        return Workspace.open(path)
    info = auth.sign_in_info(path)
    wanted = (user or os.environ.get("FIELDAPP_USER") or "").strip()
    if not wanted:
        raise UserError(_("{path} is encrypted: say who signs in with --user NAME.").format(
            path=path))
    matches = [u for u in info.users if wanted in (u["user_id"], u["name"])]
    if not matches:
        raise UserError(_("{name} cannot sign in on this laptop.").format(name=wanted))
    pin = read_pin(_("PIN of {name}: ").format(name=matches[0]["name"]))
    return auth.sign_in(path, matches[0]["user_id"], pin)


def run(args) -> int:
    if args.command == "backup":
        return cmd_backup(args)
    if args.command == "restore":
        return cmd_restore(args)
    return cmd_erase(args)


def cmd_backup(args) -> int:
    workspace = open_workspace(args.sub_db, args.user)
    try:
        out = Path(args.out)
        if out.exists():
            raise UserError(_("{path} already exists; choose a new file.").format(path=out))
        path = workspace.backups.back_up("manual", out=out)
    finally:
        workspace.close()
    print(_("Backup {path}: verified.").format(path=path))
    return 0


def cmd_restore(args) -> int:
    from fieldapp.services.backups import restore_file
    from fieldapp.storage.engine import is_encrypted_file

    db, source = Path(args.sub_db), Path(args.source)
    if not source.is_file():
        raise UserError(_("{path} does not exist.").format(path=source))
    from fieldapp.services.auth import DamagedDatabase
    from fieldapp.services.workspace import Workspace

    key = session = None
    if db.is_file() and is_encrypted_file(db):
        try:
            workspace = open_workspace(db, args.user)
        except DamagedDatabase as exc:
            key = exc.key  # the PIN was right: its key opens the backups
        else:
            workspace.access.require_staff()
            key, session = workspace.store.key, workspace.session
            workspace.close()
    elif is_encrypted_file(source):
        raise UserError(_("{path} is encrypted and {db} is not its database.").format(
            path=source, db=db))
    before = restore_file(db, source, key)
    restored = Workspace.open(db, key=key, session=session)
    try:
        restored.audit.record("restore", detail={"file": source.name})
    finally:
        restored.close()
    print(_("Restored {db} from {backup}.").format(db=db, backup=source.name))
    if before is not None:
        print(_("The database as it was is kept as {path}.").format(path=before))
    return 0


def cmd_erase(args) -> int:
    workspace = open_workspace(args.sub_db, args.user)
    try:
        table = "households" if args.household else "persons"
        record = args.household or args.person
        erasure = workspace.privacy.erase(table, record, args.reason)
    finally:
        workspace.close()
    print(_("Erased {table} {id} (erasure {erasure}); it travels with the next package.")
          .format(table=table, id=record, erasure=erasure))
    return 0
