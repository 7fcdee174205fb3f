"""Command line (the package fieldapp.cli): ``fieldapp [--db PATH] [--demo] [--screenshot DIR]`` starts the app;
subcommands ``demo``, ``check``, ``forms check`` and ``i18n`` call the same services as the UI
(sync commands: .sync; reports and exports: .reports; backup, restore, erase: .safety;
the province's warehouse: .warehouse). Every
command that opens a database signs in with the options of .signin and runs with that
member's role; none imports fieldapp.storage.

Everything it prints is in the interface language (``FIELDAPP_LANG=en`` for English),
argparse's own texts included (:mod:`fieldapp.cli.parser`, which every subcommand's parser
is made with). Errors are one line, "fieldapp: ..." once, with exit code 2 for usage and input
errors; ``--debug``, anywhere on the line, adds the traceback and never changes the exit code.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from fieldapp import __version__, paths
from fieldapp.cli.parser import PROG, Parser, wants_debug, whole_number
from fieldapp.cli.signin import database_options
from fieldapp.errors import UserError, file_error
from fieldapp.i18n import catalog
from fieldapp.i18n.catalog import _, ngettext, pgettext



def _cli_language() -> str:
    wanted = os.environ.get("FIELDAPP_LANG") or os.environ.get("LC_ALL") or os.environ.get("LANG", "")
    return "en" if wanted.lower().startswith("en") else catalog.DEFAULT_LANGUAGE


def _top_parser() -> Parser:
    """The program's own options (those that open the window)."""
    parser = Parser(top=True, description=_(
        "Offline surveys and support records for community digital-technology teams."))
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}",
                        help=_("show the version and exit"))
    parser.add_argument("--db", type=Path, metavar=_("FILE"),
                        help=_("database file (default: the one the app opened last, in the "
                               "data folder)"))
    parser.add_argument("--demo", action="store_true",
                        help=_("open the demo commune, creating it first if needed"))
    parser.add_argument("--screenshot", type=Path, metavar=_("FOLDER"),
                        help=_("save one PNG per main screen into the folder and exit"))
    parser.add_argument("--self-check", action="store_true",
                        help=_("check that this installation works (forms, languages, fonts, "
                               "encryption, sync, reports) and exit"))
    return parser


def build_parser() -> Parser:
    parser = _top_parser()
    sub = parser.add_subparsers(dest="command")

    demo = sub.add_parser("demo", help=_("create a synthetic demo commune"),
                          description=_("Create a synthetic demo commune in a new file."))
    demo.add_argument("--db", type=Path, dest="sub_db", metavar=_("FILE"), required=True,
                      help=_("database file to create"))
    demo.add_argument("--households", type=whole_number, default=None, metavar="N",
                      help=_("number of households (default: 1000, or 20 for a member laptop)"))
    demo.add_argument("--seed", type=whole_number, default=1, metavar="N",
                      help=_("random seed: the same seed gives the same commune (default: 1)"))
    demo.add_argument("--join", type=Path, default=None, metavar=_("SETUPFILE"),
                      help=_("make a member laptop of the setup file's commune, with households "
                             "surveyed through the household form"))

    check = sub.add_parser("check", help=_("check a database: integrity, migrations, counts"),
                           description=_("Check a database file: integrity, migrations and "
                                         "counts. Exit code 0 healthy, 1 problems, 2 unusable."))
    database_options(check, required=False,
                     help=_("database file (default: the one the app opened last)"))
    check.add_argument("--deep", action="store_true",
                       help=_("also replay the change log and compare every table with it"))

    forms = sub.add_parser("forms", help=_("form tools"), description=_("Form tools."))
    forms_sub = forms.add_subparsers(dest="forms_command", required=True)
    forms_check = forms_sub.add_parser(
        "check", help=_("check XLSForm files"),
        description=_("Check XLSForm files: all the forms the app loads when none is given."))
    forms_check.add_argument("files", nargs="*", type=Path, metavar=_("FILE"),
                             help=_("XLSForm workbook (.xlsx)"))

    i18n = sub.add_parser("i18n", help=_("label pack tools"), description=_("Label pack tools."))
    i18n_sub = i18n.add_subparsers(dest="i18n_command", required=True)
    coverage = i18n_sub.add_parser("coverage", help=_(
        "per pack and form: texts reviewed, drafts, missing, inherited"),
        description=_("Per pack and form: texts reviewed by a native speaker, drafts, "
                      "missing, and shown from a parent pack. With --db: as that laptop "
                      "shows them (the packs' entries made in the app first), and per pack "
                      "the reviewed texts of all forms."))
    database_options(coverage, required=False,
                     help=_("database file: count its label pack entries too"))
    po_export = i18n_sub.add_parser(
        "export", help=_("write one pack and form as a .po file for Poedit"),
        description=_("Write what this laptop shows for one pack and form as a .po file "
                      "(drafts fuzzy, reviewed entries plain) to open in Poedit."))
    database_options(po_export)
    po_export.add_argument("--pack", required=True, metavar=_("CODE"),
                           help=_("label pack (tyz, nut, ium, ium@dao-vn)"))
    po_export.add_argument("--form", required=True, metavar=_("ID"), help=_("form id"))
    po_export.add_argument("--out", required=True, type=Path, metavar=_("FILE"),
                           help=_(".po file (or a folder) to write"))
    po_import = i18n_sub.add_parser(
        "import", help=_("take a .po file's entries into the app (translators)"),
        description=_("Check a .po file (from Poedit) whole and store what it changes as "
                      "label pack entries that travel to every laptop; nothing is stored if "
                      "anything is wrong. A translation not marked fuzzy is reviewed by you."))
    database_options(po_import)
    po_import.add_argument("file", type=Path, metavar=_("FILE"), help=_(".po file"))
    audio_export = i18n_sub.add_parser(
        "audio-export", help=_("write a form's workbook with its recorded prompts"),
        description=_("Write a copy of a form's workbook with a media::audio column per pack "
                      "and the recordings in its -media folder, for ODK Collect or Kobo."))
    database_options(audio_export)
    audio_export.add_argument("--form", required=True, metavar=_("ID"), help=_("form id"))
    audio_export.add_argument("--out", required=True, type=Path, metavar=_("FILE"),
                              help=_(".xlsx file to write"))
    audio_import = i18n_sub.add_parser(
        "audio-import", help=_("take a workbook's media::audio recordings as prompts"),
        description=_("Store the recordings a workbook's media::audio columns name (files in "
                      "its -media folder) as the prompts of the label pack entries; nothing "
                      "is stored if any file is missing or is not usable sound."))
    database_options(audio_import)
    audio_import.add_argument("file", type=Path, metavar=_("FILE"), help=_(".xlsx file"))
    i18n_sub.add_parser("update", help=_("refresh every shipped pack after a form changed"),
                        description=_("Refresh every shipped pack after a form changed."))
    from fieldapp.cli import reports as cli_reports, safety as cli_safety, sync as cli_sync
    from fieldapp.cli import warehouse as cli_warehouse

    cli_sync.register(sub)
    cli_reports.register(sub)
    cli_safety.register(sub)
    cli_warehouse.register(sub)
    return parser


def _db_path(args) -> Path:
    path = getattr(args, "sub_db", None) or args.db
    return Path(path) if path else paths.default_db_path()


def cmd_demo(args) -> int:
    from fieldapp.i18n.formatting import format_number

    from fieldapp.services import demo

    households = args.households if args.households is not None else (
        20 if args.join else 1000)
    if households < 1:
        raise UserError(_("--households must be at least 1."))
    if households > demo.MAX_HOUSEHOLDS:
        raise UserError(_("--households can be at most {limit} (a province's worth).").format(
            limit=format_number(demo.MAX_HOUSEHOLDS)))
    path = Path(args.sub_db)
    if path.exists():
        raise UserError(_("{path} already exists; choose a new file for the demo.").format(path=path))

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)

    if args.join is not None:
        from fieldapp.services.demo_surveys import create_member_demo

        summary = create_member_demo(path, args.join, households=households, seed=args.seed,
                                     progress=progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(_("Member laptop {path} of {commune}: {households} households surveyed, "
                "{persons} persons").format(path=path, commune=summary["commune"],
                                            households=format_number(summary["households"]),
                                            persons=format_number(summary["persons"])))
        return 0
    summary = demo.create_demo(path, households=households, seed=args.seed, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(_("Demo database {path}: {commune}, {villages} villages, {households} households, "
            "{persons} persons").format(
        commune=summary["commune"], villages=format_number(summary["villages"]),
        households=format_number(summary["households"]),
        persons=format_number(summary["persons"]), path=path))
    return 0


def cmd_check(args) -> int:
    from fieldapp.i18n.formatting import format_number
    from fieldapp.services.auth import is_encrypted
    from fieldapp.services.health import check_database, check_signed_in, count_label
    from fieldapp.services.recent import database_to_check

    path, why = database_to_check(getattr(args, "sub_db", None))
    if is_encrypted(path):
        from fieldapp.cli.signin import open_workspace

        workspace = open_workspace(args, path)
        try:
            report = check_signed_in(workspace, deep=args.deep)
        finally:
            workspace.close()
    else:  # a plain database is read as it is, without migrating it first
        report = check_database(path, None, deep=args.deep)
    print(_("Database: {path}").format(path=report.path) + (f" ({why})" if why else ""))
    print(_("Migrations applied: {applied}; pending: {pending}").format(
        applied=len(report.applied), pending=", ".join(report.pending) or "0"))
    for table, count in report.counts.items():
        print(f"  {count_label(table)}: {format_number(count)}")
    for problem in report.problems:
        print(_("Problem: {problem}").format(problem=problem))
    if report.healthy:
        print(pgettext("result of fieldapp check", "OK"))
        return 0
    return 1


def cmd_forms_check(args) -> int:
    from fieldapp.services.forms import check_form_files

    from fieldapp.services.forms import all_form_files

    files = args.files or all_form_files()
    report = check_form_files(args.files or None)
    lines = report.problems
    for line in report.warnings + lines:
        print(line)
    if not lines:
        print(ngettext("Checked {count} form: no problems ({files}).",
                       "Checked {count} forms: no problems ({files}).", len(files)).format(
            count=len(files), files=", ".join(Path(f).name for f in files)))
    return 1 if lines else 0


def cmd_i18n(args) -> int:
    from fieldapp.services import packs

    if args.i18n_command in ("export", "import", "audio-export", "audio-import") or (
            args.i18n_command == "coverage" and args.sub_db):
        return _i18n_with_database(args)
    if args.i18n_command == "coverage":
        lines, code = packs.run_coverage()
    else:
        lines, code = packs.run_update(), 0
    for line in lines:
        print(line)
    return code


def _i18n_with_database(args) -> int:
    from fieldapp.cli.signin import open_workspace
    from fieldapp.services import translate_po

    workspace = open_workspace(args)
    try:
        workspace.access.require_signed_in()
        if args.i18n_command == "coverage":
            lines = translate_po.coverage_lines(workspace)
        elif args.i18n_command == "audio-export":
            from fieldapp.services.form_audio import write_audio

            lines = [_("Wrote {file}").format(file=write_audio(workspace, args.form, args.out))]
        elif args.i18n_command == "audio-import":
            from fieldapp.services.form_audio import load_audio

            count = load_audio(workspace, args.file)
            lines = [ngettext("{count} recording stored", "{count} recordings stored",
                              count).format(count=count)]
        elif args.i18n_command == "export":
            if args.pack not in translate_po.known_packs(workspace):
                raise UserError(_("There is no label pack {pack}.").format(pack=args.pack))
            try:
                workspace.translations.form(args.form)
            except KeyError:
                raise UserError(_("There is no form {form}.").format(form=args.form)) from None
            path = translate_po.export_po(workspace, args.pack, args.form, args.out)
            lines = [_("Wrote {file}").format(file=path)]
        else:
            result = translate_po.import_po(workspace, args.file)
            lines = [_("{pack} {form}: {changed} entries stored, {unchanged} unchanged").format(
                pack=result.pack, form=result.form_id, changed=result.changed,
                unchanged=result.unchanged), *result.warnings]
    finally:
        workspace.close()
    for line in lines:
        print(line)
    return 0


def cmd_gui(args) -> int:
    from fieldapp.ui.app import run

    path = _db_path(args)
    if args.demo:
        path = args.db or paths.demo_db_path()
        if not Path(path).exists():
            from fieldapp.services import demo

            print(_("Creating the demo commune in {path} ...").format(path=path))
            demo.create_demo(Path(path), households=1000, seed=1)

    def saved(files: list[Path]) -> None:
        catalog.set_language(_cli_language())  # the screenshots were in the database's language
        print(ngettext("Saved {count} screenshot in {folder}: {files}",
                       "Saved {count} screenshots in {folder}: {files}", len(files)).format(
            count=len(files), folder=args.screenshot, files=", ".join(f.name for f in files)))

    if args.screenshot is not None:
        from fieldapp.ui.screenshots import take_screenshots

        return take_screenshots(Path(path), Path(args.screenshot), saved)
    return run(Path(path))


def _parse(argv: list[str]):
    """Opening the window parses only the program's own options: building every command's
    parser would delay the sign-in's first frame. Anything else (a command, help, a mistake)
    goes through the full parser."""
    if not any(a in ("-h", "--help", "--version") for a in argv):
        try:
            args, rest = _top_parser().parse_known_args(argv)
        except UserError:
            rest = argv
        if not rest:
            args.command = None
            return args
    return build_parser().parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    catalog.set_language(_cli_language())
    argv = sys.argv[1:] if argv is None else argv
    debug = wants_debug(argv)
    try:
        args = _parse(argv)
        if getattr(args, "self_check", False):
            from fieldapp.cli import self_check

            return self_check.run()
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "check":
            return cmd_check(args)
        if args.command == "forms":
            return cmd_forms_check(args)
        if args.command == "i18n":
            return cmd_i18n(args)
        from fieldapp.cli import reports as cli_reports, safety as cli_safety, sync as cli_sync

        if args.command in cli_sync.COMMANDS:
            return cli_sync.run(args)
        if args.command in cli_reports.COMMANDS:
            return cli_reports.run(args)
        if args.command in cli_safety.COMMANDS:
            return cli_safety.run(args)
        if args.command == "warehouse":
            from fieldapp.cli import warehouse as cli_warehouse

            return cli_warehouse.run(args)
        return cmd_gui(args)
    except UserError as exc:
        if debug:
            traceback.print_exc()
        print(f"{PROG}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so in one line, details with --debug
        if debug:
            traceback.print_exc()
        catalog.set_language(_cli_language())  # the window's screenshots may have changed it
        from fieldapp import host

        explained = paths.missing_in_bundle(exc) or host.disk_full(exc) or file_error(exc)
        if explained is not None:  # a built app lacking one of its files, a full disk, a path
            # the user gave that cannot be read or written (a folder, too long, no permission)
            print(f"{PROG}: {explained}", file=sys.stderr)
            return 2
        print(f"{PROG}: " + _("unexpected error: {error} (run again with --debug for "
                              "details)").format(error=exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
