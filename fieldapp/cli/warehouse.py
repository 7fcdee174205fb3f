"""The warehouse commands of the province laptop (fieldapp.services.warehouse).

    fieldapp warehouse init (--dsn DSN | --local FOLDER) [--national]
    fieldapp warehouse publish --db FILE --dsn DSN [--full]
    fieldapp warehouse check --db FILE --dsn DSN
    fieldapp warehouse report --dsn DSN --out FILE.pdf|FILE.docx [--period P]

``publish`` and ``check`` open the province database signed in, as every command does
(fieldapp.cli.signin), as its commune staff. DSN is a PostgreSQL address
(``postgresql://user@host/db`` or ``host=/folder port=5432 dbname=fieldapp``); a password is
better kept in ~/.pgpass or PGPASSWORD than on the command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldapp.cli.reports import period_value
from fieldapp.cli.signin import database_options, open_workspace
from fieldapp.i18n.catalog import _, ngettext

COMMANDS = ("warehouse",)


def register(sub) -> None:
    warehouse = sub.add_parser(
        "warehouse", help=_("the province's warehouse on PostgreSQL"),
        description=_("The province's warehouse on PostgreSQL: every commune's records as "
                      "this province laptop merged them, their history and the indicators as "
                      "SQL views. Needs psycopg (pip install 'fieldapp[warehouse]')."))
    kinds = warehouse.add_subparsers(dest="warehouse_command", required=True)

    init = kinds.add_parser(
        "init", help=_("make a warehouse (or bring one up to date)"),
        description=_("Make the warehouse's tables and indicator views in a PostgreSQL "
                      "database, or bring an existing warehouse up to date (new kinds of "
                      "records, changed indicator files). With --local, first a PostgreSQL "
                      "cluster of its own in a folder, reached only through a socket there "
                      "(started again if it is stopped)."))
    where = init.add_mutually_exclusive_group(required=True)
    where.add_argument("--dsn", metavar="DSN", help=_("the PostgreSQL database"))
    where.add_argument("--local", type=Path, metavar=_("FOLDER"),
                       help=_("a folder for a cluster of its own"))
    init.add_argument("--national", action="store_true",
                      help=_("a national warehouse, which provinces publish to (partitioned by "
                             "province)"))

    publish = kinds.add_parser(
        "publish", help=_("send the warehouse what it has not received"),
        description=_("Send the warehouse everything of this province database it has not "
                      "acknowledged: records as merged here, their history, erasures. One "
                      "transaction per batch: a publish stopped half-way goes on from there "
                      "the next time."))
    database_options(publish, help=_("the province database"))
    publish.add_argument("--dsn", required=True, metavar="DSN", help=_("the warehouse"))
    publish.add_argument("--full", action="store_true",
                         help=_("send everything again, replacing what the warehouse holds "
                                "of this province"))
    publish.add_argument("--batch", type=int, default=None, help=argparse.SUPPRESS)

    check = kinds.add_parser(
        "check", help=_("compare the warehouse with the province database"),
        description=_("Compare the warehouse with the province database: per commune and "
                      "kind of record, the number of records and changes and a digest of "
                      "their content. Exit code 0 equal, 1 different."))
    database_options(check, help=_("the province database"))
    check.add_argument("--dsn", required=True, metavar="DSN", help=_("the warehouse"))

    report = kinds.add_parser(
        "report", help=_("the province's report from the warehouse"),
        description=_("The province's report (PDF or DOCX): the key indicators of each "
                      "commune in the warehouse, one row per commune, beside the previous "
                      "period, computed by the warehouse's views."))
    report.add_argument("--dsn", required=True, metavar="DSN", help=_("the warehouse"))
    report.add_argument("--out", type=Path, required=True, metavar=_("FILE"),
                        help=_("file to write (.pdf or .docx)"))
    report.add_argument("--period", type=period_value, metavar=_("PERIOD"),
                        help=_("a year (2026), a half-year (2026-H2) or a quarter (2026-Q4); "
                               "default: this year"))


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)


def run(args) -> int:
    command = args.warehouse_command
    if command == "init":
        return _init(args)
    if command == "report":
        return _report(args)
    workspace = open_workspace(args)
    try:
        if command == "publish":
            return _publish(workspace, args)
        return _check(workspace, args)
    finally:
        workspace.close()


def _init(args) -> int:
    from fieldapp.services import warehouse
    from fieldapp.warehouse.connect import safe_dsn

    result = warehouse.init(args.dsn, national=args.national, local=args.local)
    for indicator, why in result.refused:
        print(_("Indicator {id} has no view in the warehouse: {why} cannot be computed in "
                "SQL.").format(id=indicator.id, why=why))
    if result.added:
        print(_("Added to the warehouse: {what}.").format(what=", ".join(result.added)))
    level = _("a national warehouse") if result.level == "national" else \
        _("a province's warehouse")
    print((_("Made {level} at {dsn}, with {count} indicator views.") if result.created else
           _("The warehouse at {dsn} ({level}) is up to date, with {count} indicator views."))
          .format(level=level, dsn=safe_dsn(result.dsn), count=result.indicators))
    if result.local is not None:
        print(_("Its PostgreSQL cluster runs in {folder}; publish to it with --dsn "
                "\"{dsn}\". Run this command again to start it after the computer "
                "restarts.").format(folder=result.local, dsn=result.dsn))
    return 0


def _publish(workspace, args) -> int:
    from fieldapp.i18n.formatting import format_number
    from fieldapp.warehouse.connect import safe_dsn

    done = workspace.warehouse.publish(args.dsn, full=args.full, batch=args.batch,
                                       progress=_progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    if done.resumed:
        print(_("The last publish stopped half-way; this one went on from where it stopped."))
    if done.new_tables:
        print(_("Added to the warehouse: {what}.").format(what=", ".join(done.new_tables)))
    for commune, count in sorted(done.erased.items()):
        print(ngettext("{commune}: an erasure removed {count} record from the warehouse, with "
                       "its history.",
                       "{commune}: erasures removed {count} records from the warehouse, with "
                       "their history.", count).format(commune=commune,
                                                       count=format_number(count)))
    if not done.batches:
        print(_("The warehouse {dsn} already holds everything of this database.").format(
            dsn=safe_dsn(args.dsn)))
        return 0
    print(_("Published to {dsn}: {groups} changes of {rows} records in {batches} "
            "transactions ({seconds} s).").format(
        dsn=safe_dsn(args.dsn), groups=format_number(done.groups),
        rows=format_number(done.rows), batches=format_number(done.batches),
        seconds=format_number(round(done.seconds, 1))))
    return 0


def _check(workspace, args) -> int:
    from fieldapp.core.kinds import BY_TABLE
    from fieldapp.i18n.formatting import format_number

    result = workspace.warehouse.check(args.dsn)
    names = workspace.warehouse.commune_names()
    what = {"rows": _("records"), "changes": _("changes of the history")}
    for d in result.differences:
        if d.what == "erased":
            print(_("Erasures: {here} here, {there} in the warehouse.").format(
                here=format_number(d.here.count), there=format_number(d.there.count)))
            continue
        place = names.get(d.commune, d.commune)
        kind = _(BY_TABLE[d.table].label) if d.table in BY_TABLE else d.table
        if d.here.count != d.there.count:
            print(_("{commune}, {kind}: {here} {what} here, {there} in the warehouse.").format(
                commune=place, kind=kind, what=what[d.what], here=format_number(d.here.count),
                there=format_number(d.there.count)))
        else:
            print(_("{commune}, {kind}: the same number of {what} ({count}), with different "
                    "content.").format(commune=place, kind=kind, what=what[d.what],
                                       count=format_number(d.here.count)))
    if result.pending:
        print(ngettext("{count} record changed after the last publish was left out of the "
                       "comparison: publish to send it.",
                       "{count} records changed after the last publish were left out of the "
                       "comparison: publish to send them.", result.pending).format(
            count=format_number(result.pending)))
    if result.differences:
        return 1
    print(_("The warehouse holds what this database holds: {communes} communes, {rows} "
            "records, {changes} changes.").format(
        communes=format_number(result.communes), rows=format_number(result.rows),
        changes=format_number(result.changes)))
    return 0


def _report(args) -> int:
    from fieldapp.i18n.formatting import format_number
    from fieldapp.services import warehouse

    printed = warehouse.write_report(args.dsn, args.out, period=args.period)
    print(_("Wrote {path} ({size} KB).").format(
        path=printed.path, size=format_number(max(1, round(printed.size / 1024)))))
    return 0
