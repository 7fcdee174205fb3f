"""Data-safety subcommands: backup, restore, erase (commune staff, signed in like every command
that opens a database: fieldapp.cli.signin).

    fieldapp backup --db PATH --out FILE
    fieldapp restore --db PATH --from FILE
    fieldapp erase --db PATH (--household ID | --person ID) --reason TEXT
"""

from __future__ import annotations

from pathlib import Path

from fieldapp.cli.signin import database_options, open_workspace
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _

COMMANDS = ("backup", "restore", "erase")


def register(sub) -> None:
    backup = sub.add_parser(
        "backup", help=_("write a verified backup of a database"),
        description=_("Write a backup of the database through SQLite's backup API, "
                      "encrypted like it and checked after writing."))
    database_options(backup)
    backup.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                        help=_("backup file to write"))

    restore = sub.add_parser(
        "restore", help=_("replace a database by a backup of it"),
        description=_("Replace the database by a backup of it (checked first; a backup of "
                      "another database is refused); the database as it was is kept in its "
                      "backups folder."))
    database_options(restore)
    restore.add_argument("--from", type=Path, dest="source", required=True, metavar=_("FILE"),
                         help=_("the backup to restore"))

    erase = sub.add_parser(
        "erase", help=_("erase a household's or a person's personal data on request"),
        description=_("Erase a household (with its members and surveys) or a person from the "
                      "tables, the change log and history; the erasure travels by sync."))
    database_options(erase)
    target = erase.add_mutually_exclusive_group(required=True)
    target.add_argument("--household", default=None, metavar=_("ID"),
                        help=_("the household's id"))
    target.add_argument("--person", default=None, metavar=_("ID"), help=_("the person's id"))
    erase.add_argument("--reason", required=True, metavar=_("TEXT"),
                       help=_("why (travels with the erasure: name nobody)"))


def run(args) -> int:
    return {"backup": cmd_backup, "restore": cmd_restore, "erase": cmd_erase}[args.command](args)


def cmd_backup(args) -> int:
    out = Path(args.out)
    if out.exists():
        raise UserError(_("{path} already exists; choose a new file.").format(path=out))
    workspace = open_workspace(args)
    try:
        path = workspace.backups.back_up("manual", out=out)
    finally:
        workspace.close()
    print(_("Backup {path}: verified.").format(path=path))
    return 0


def cmd_restore(args) -> int:
    from fieldapp.services import backups
    from fieldapp.services.auth import DamagedDatabase

    db, source = Path(args.sub_db), Path(args.source)
    if source.is_dir():
        raise UserError(_("{path} is a folder, not a backup file.").format(path=source))
    if not source.is_file():
        raise UserError(_("{path} does not exist.").format(path=source))
    if db.exists():
        try:
            workspace = open_workspace(args)
        except DamagedDatabase as exc:  # the PIN was right: its key opens the backups
            before = backups.restore_damaged(db, source, exc.key, exc.user)
        else:
            before = workspace.backups.restore(source)  # closes the workspace
    else:
        before = backups.restore_file(db, source, None)
    print(_("Restored {db} from {backup}.").format(db=db, backup=source.name))
    if before is not None:
        print(_("The database as it was is kept as {path}.").format(path=before))
    return 0


def cmd_erase(args) -> int:
    table = "households" if args.household is not None else "persons"
    record = (args.household if args.household is not None else args.person).strip()
    if not record:
        raise UserError(_("Give the id of the household or person to erase."))
    workspace = open_workspace(args)
    try:
        erasure = workspace.privacy.erase(table, record, args.reason)
    finally:
        workspace.close()
    print(_("Erased {table} {id} (erasure {erasure}); it travels with the next package.")
          .format(table=table, id=record, erasure=erasure))
    return 0
