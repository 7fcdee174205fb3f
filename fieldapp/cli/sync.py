"""The sync subcommands of the command line: setup-file, export, import, dump.

    fieldapp setup-file --db PATH --out FILE [--name DEVICE] [--user USER]
    fieldapp export --db PATH --out FILE|DIR [--full] [--to DEVICE|province]
    fieldapp import --db PATH [--dry-run] FILE|DIR ...
    fieldapp dump --db PATH

``import`` exits 0 when every file was applied (or had been imported already), 1 when any was
refused (one line per refused file with its reason), 2 for a usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _


def register(sub) -> None:
    setup = sub.add_parser(
        "setup-file", help=_("register a member laptop with this commune and write its setup "
                             "file"),
        description=_("Register a member laptop with this commune and write its setup file "
                      "(the commune's sync identity is created on first use)."))
    setup.add_argument("--db", type=Path, dest="sub_db", required=True, metavar=_("FILE"),
                       help=_("the commune's database file"))
    setup.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                       help=_("setup file to write"))
    setup.add_argument("--name", default="", metavar=_("NAME"),
                       help=_("name of the member laptop"))
    setup.add_argument("--user", default=None, metavar=_("MEMBER"),
                       help=_("the team member who uses it (id or name)"))
    setup.add_argument("--request", type=Path, default=None, metavar=_("FILE"),
                       help=_("(a province) register the commune laptop of this join request "
                              "and write the province's hub file for it"))

    request = sub.add_parser(
        "join-request", help=_("(a commune laptop) write a request to join the province"),
        description=_("Write this commune laptop's request to join its province: its device "
                      "and public keys, no private key and no names of people."))
    _database(request)
    request.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                         help=_("request file to write"))

    join = sub.add_parser(
        "join", help=_("(a commune laptop) load the province's hub file"),
        description=_("Load the hub file the province made from this laptop's join request; "
                      "then 'fieldapp export --to province' writes packages for it."))
    _database(join)
    join.add_argument("--hub-file", type=Path, required=True, metavar=_("FILE"),
                      help=_("the province's hub file"))

    export = sub.add_parser(
        "export", help=_("write a package of changes for another laptop"),
        description=_("Write a package of what the other laptop has not acknowledged yet "
                      "(everything with --full)."))
    _database(export)
    export.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                        help=_("package file, or a folder for the usual file name"))
    export.add_argument("--full", action="store_true",
                        help=_("everything, not only what was not acknowledged yet"))
    export.add_argument("--to", default=None, metavar=_("DEVICE"),
                        help=_("a member laptop (from the commune), or 'province'"))

    imp = sub.add_parser(
        "import", help=_("import packages from other laptops"),
        description=_("Import packages. Exit code 0 when every file was applied or had been "
                      "imported already, 1 when any was refused, 2 for a usage error."))
    _database(imp)
    imp.add_argument("--dry-run", action="store_true",
                     help=_("show what would change, change nothing"))
    imp.add_argument("files", nargs="+", type=Path, metavar=_("FILE"),
                     help=_("package files or folders"))

    dump = sub.add_parser(
        "dump", help=_("print every synced record as canonical JSON lines (to compare two "
                       "databases)"),
        description=_("Print every synced record as canonical JSON lines, sorted by id, "
                      "without local bookkeeping: two databases compare with diff."))
    _database(dump)


COMMANDS = ("setup-file", "join-request", "join", "export", "import", "dump")


def _database(parser) -> None:
    parser.add_argument("--db", type=Path, dest="sub_db", required=True, metavar=_("FILE"),
                        help=_("database file"))


def _open(path: Path):
    """The database's store; an encrypted one signs in (FIELDAPP_USER, the PIN)."""
    from fieldapp.cli.safety import open_workspace

    return open_workspace(Path(path)).store


def run(args) -> int:
    if args.command == "setup-file":
        return cmd_setup_file(args)
    if args.command == "export":
        return cmd_export(args)
    if args.command == "join-request":
        return cmd_join_request(args)
    if args.command == "join":
        return cmd_join(args)
    if args.command == "import":
        return cmd_import(args)
    return cmd_dump(args)


def cmd_join_request(args) -> int:
    from fieldapp.services.sync import province

    store = _open(args.sub_db)
    try:
        path = province.write_request(store, args.out)
    finally:
        store.close()
    print(_("Join request {path}: give it to the province office.").format(path=path))
    return 0


def cmd_join(args) -> int:
    from fieldapp.services.sync import province

    store = _open(args.sub_db)
    try:
        name = province.join_province(store, args.hub_file)
    finally:
        store.close()
    print(_("This laptop now sends its packages to {province} (fieldapp export --to "
            "province).").format(province=name))
    return 0


def cmd_setup_file(args) -> int:
    from fieldapp.services.sync import identity

    if args.request is not None:
        from fieldapp.services.sync import province

        store = _open(args.sub_db)
        try:
            commune, path = province.register_request(store, args.request, args.out)
        finally:
            store.close()
        print(_("Registered {commune}; its hub file is {path}.").format(commune=commune,
                                                                        path=path))
        return 0
    store = _open(args.sub_db)
    try:
        user_id = None
        if args.user:
            wanted = args.user.strip()
            matches = [u for u in store.users.list() if wanted in (u["id"], u["name"])]
            if not matches:
                raise UserError(_("There is no team member {id}.").format(id=wanted))
            user_id = matches[0]["id"]
        created = not identity.hub_id(store)
        registration = identity.register_device(store, args.name, user_id)
        path = identity.write_setup_file(store, registration, args.out)
        if created:
            print(_("Created the commune's sync identity on this laptop."))
        print(_("Setup file {path} for the device {name} ({id}). Hand it over in person: it "
                "holds that laptop's keys.").format(path=path, name=registration.name,
                                                     id=registration.device_id))
    finally:
        store.close()
    return 0


def cmd_export(args) -> int:
    from fieldapp.i18n.formatting import format_number
    from fieldapp.services.sync import exchange

    store = _open(args.sub_db)
    try:
        result = exchange.export_package(store, args.out, to=args.to, full=args.full)
    finally:
        store.close()
    print(_("Package {path}: {entries} changes for {destination} ({size} KB).").format(
        path=result.path, entries=format_number(result.entries),
        destination=result.destination, size=format_number(round(result.size / 1024))))
    return 0


def _describe(report) -> str:
    from fieldapp.i18n.formatting import format_number

    new = sum(report.new.values())
    updated = sum(report.updated.values())
    return _("{file}: {new} new, {updated} updated, {unchanged} unchanged, {conflicts} "
             "conflicts, {duplicates} probable duplicates").format(
        file=report.file.name, new=format_number(new), updated=format_number(updated),
        unchanged=format_number(report.unchanged), conflicts=format_number(report.conflicts),
        duplicates=format_number(report.duplicates))


def cmd_import(args) -> int:
    from fieldapp.services.sync import exchange
    from fieldapp.services.sync.messages import refused_lines

    store = _open(args.sub_db)
    try:
        reports = exchange.import_packages(store, args.files, dry_run=args.dry_run)
    finally:
        store.close()
    if not reports:
        raise UserError(_("No package files were found."))
    refused = False
    for report in reports:
        if report.status == "refused":
            refused = True
            print(_("{file}: refused: {reason}").format(file=report.file.name,
                                                        reason=report.message))
        elif report.status == "already":
            print(_("{file}: already imported; nothing changed.").format(file=report.file.name))
        else:
            prefix = _("(dry run) ") if report.status == "dry_run" else ""
            print(prefix + _describe(report))
            for note in report.notes:
                print("  " + note)
            for line in refused_lines(report, shown=20):
                print("  " + line)
    return 1 if refused else 0


def cmd_dump(args) -> int:
    store = _open(args.sub_db)
    try:
        out = sys.stdout
        for line in store.dump():
            out.write(line + "\n")
        out.flush()
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        store.close()
    return 0
