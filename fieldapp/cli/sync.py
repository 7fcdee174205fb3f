"""The sync subcommands of the command line: setup-file, export, import, dump, devices, and a
commune joining its province (join-request, setup-file --request, join).

    fieldapp setup-file --db PATH --out FILE [--name DEVICE] [--member MEMBER]
    fieldapp export --db PATH --out FILE|DIR [--full] [--to DEVICE|province]
    fieldapp import --db PATH [--dry-run] FILE|DIR ...
    fieldapp dump --db PATH
    fieldapp devices --db PATH

Each signs in like every command that opens a database (fieldapp.cli.signin) and goes through
the workspace's sync service, whose rules say who may do what (commune staff, on a commune
laptop). ``import`` exits 0 when every file was applied (or had been imported already), 1 when
any was refused (one line per refused file with its reason), 2 for a usage error.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from fieldapp.cli.signin import database_options, open_workspace
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _, pgettext

COMMANDS = ("setup-file", "join-request", "join", "export", "import", "dump", "devices")


def register(sub) -> None:
    setup = sub.add_parser(
        "setup-file", help=_("register a member laptop with this commune and write its setup "
                             "file"),
        description=_("Register a member laptop with this commune and write its setup file "
                      "(the commune's sync identity is created on first use). The file is "
                      "readable by this account only: hand it over in person."))
    database_options(setup, help=_("the commune's database file"))
    setup.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                       help=_("setup file to write"))
    setup.add_argument("--name", default="", metavar=_("NAME"),
                       help=_("name of the member laptop"))
    setup.add_argument("--member", default=None, metavar=_("MEMBER"),
                       help=_("the team member who uses it (id or name)"))
    setup.add_argument("--request", type=Path, default=None, metavar=_("FILE"),
                       help=_("(a province) register the commune laptop of this join request "
                              "and write the province's hub file for it"))

    request = sub.add_parser(
        "join-request", help=_("(a commune laptop) write a request to join the province"),
        description=_("Write this commune laptop's request to join its province: its device "
                      "and public keys, no private key and no names of people."))
    database_options(request)
    request.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                         help=_("request file to write"))

    join = sub.add_parser(
        "join", help=_("(a commune laptop) load the province's hub file"),
        description=_("Load the hub file the province made from this laptop's join request; "
                      "then 'fieldapp export --to province' writes packages for it."))
    database_options(join)
    join.add_argument("--hub-file", type=Path, required=True, metavar=_("FILE"),
                      help=_("the province's hub file"))

    export = sub.add_parser(
        "export", help=_("write a package of changes for another laptop"),
        description=_("Write a package of what the other laptop has not acknowledged yet "
                      "(everything with --full)."))
    database_options(export)
    export.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                        help=_("package file, or a folder for the usual file name"))
    export.add_argument("--full", action="store_true",
                        help=_("everything, not only what was not acknowledged yet"))
    export.add_argument("--to", default=None, metavar=_("DEVICE"),
                        help=_("a member laptop, by its id or name (fieldapp devices lists "
                               "them), or 'province'"))

    imp = sub.add_parser(
        "import", help=_("import packages from other laptops"),
        description=_("Import packages. Exit code 0 when every file was applied or had been "
                      "imported already, 1 when any was refused, 2 for a usage error."))
    database_options(imp)
    imp.add_argument("--dry-run", action="store_true",
                     help=_("show what would change, change nothing"))
    imp.add_argument("files", nargs="+", type=Path, metavar=_("FILE"),
                     help=_("package files or folders"))

    dump = sub.add_parser(
        "dump", help=_("print every synced record as canonical JSON lines (to compare two "
                       "databases)"),
        description=_("Print every synced record as canonical JSON lines, sorted by id, "
                      "without local bookkeeping: two databases compare with diff."))
    database_options(dump)

    devices = sub.add_parser(
        "devices", help=_("list the laptops this one exchanges packages with"),
        description=_("List the registered laptops: id, name, member, villages, the last "
                      "package received and whether it is retired (for export --to)."))
    database_options(devices)


def run(args) -> int:
    return {"setup-file": cmd_setup_file, "export": cmd_export,
            "join-request": cmd_join_request, "join": cmd_join, "import": cmd_import,
            "dump": cmd_dump, "devices": cmd_devices}[args.command](args)


def cmd_join_request(args) -> int:
    workspace = open_workspace(args)
    try:
        path = workspace.sync.join_request(args.out)
    finally:
        workspace.close()
    print(_("Join request {path}: give it to the province office.").format(path=path))
    return 0


def cmd_join(args) -> int:
    workspace = open_workspace(args)
    try:
        name = workspace.sync.join_province(args.hub_file)
    finally:
        workspace.close()
    print(_("This laptop now sends its packages to {province} (fieldapp export --to "
            "province).").format(province=name))
    return 0


def _member_id(workspace, wanted: str) -> str:
    wanted = wanted.strip()
    matches = [u for u in workspace.sync.users() if wanted in (u["id"], u["name"])]
    if not matches:
        raise UserError(_("There is no team member {id}.").format(id=wanted))
    return matches[0]["id"]


def cmd_setup_file(args) -> int:
    workspace = open_workspace(args)
    try:
        if args.request is not None:
            commune, path = workspace.sync.register_commune(args.request, args.out)
            print(_("Registered {commune}; its hub file is {path}.").format(commune=commune,
                                                                            path=path))
            return 0
        member = _member_id(workspace, args.member) if args.member else None
        made = workspace.sync.register_device(args.name, member, args.out)
    finally:
        workspace.close()
    if made.created_identity:
        print(_("Created the commune's sync identity on this laptop."))
    print(_("Setup file {path} for the device {name} ({id}). Hand it over in person: it "
            "holds that laptop's keys.").format(path=made.path, name=made.name,
                                                 id=made.device_id))
    return 0


def cmd_export(args) -> int:
    from fieldapp.i18n.formatting import format_number

    workspace = open_workspace(args)
    try:
        result = workspace.sync.export(args.out, to=args.to, full=args.full)
    finally:
        workspace.close()
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
    from fieldapp.services.sync.messages import refused_lines

    workspace = open_workspace(args)
    try:
        reports = workspace.sync.import_files(args.files, dry_run=args.dry_run)
    finally:
        workspace.close()
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
    workspace = open_workspace(args)
    try:
        out = sys.stdout
        for line in workspace.sync.dump():
            out.write(line + "\n")
        out.flush()
    except BrokenPipeError:  # the reader (head, less) stopped reading: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        workspace.close()
    return 0


def cmd_devices(args) -> int:
    workspace = open_workspace(args)
    try:
        devices = workspace.sync.devices()
    finally:
        workspace.close()
    if not devices:
        print(_("No laptop is registered here, and this laptop has joined no commune."))
        return 0
    header = (_("Device id"), pgettext("a laptop's", "Name"), _("Member"), _("Villages"),
              _("Last package received"), _("Retired"))
    rows = [header]
    for d in devices:
        villages = _("every village") if d.villages is None else (
            ", ".join(d.villages) or _("none"))
        if d.kind == "hub":
            villages = pgettext("the device is", "this laptop's hub")
        received = " ".join(filter(None, (d.last_package, _when(d.last_received_at)))) or "—"
        rows.append((d.device, d.name, d.user_name or "—", villages, received,
                     _("yes") if d.retired else _("no")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _when(stamp: str | None) -> str:
    """An ISO time as the interface writes it, in brackets ("" for none)."""
    if not stamp:
        return ""
    from fieldapp.i18n.formatting import format_datetime

    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return f"({stamp})"
    return f"({format_datetime(moment)})"
