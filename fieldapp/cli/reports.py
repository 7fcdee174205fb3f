"""The printing and export subcommands of the command line.

    fieldapp report commune --db PATH --out FILE.pdf|FILE.docx [--village CODE] [--period P]
                            [--narrative FILE]
    fieldapp report province --db PATH --out FILE.pdf|FILE.docx [--period P]
    fieldapp report progress --db PATH --out FILE.pdf [--class ID] [--lang CODE]
    fieldapp report questionnaire --form ID --lang CODE --out FILE.pdf [--db PATH --household ID]
    fieldapp report household --db PATH --household ID --lang CODE --out FILE.pdf
    fieldapp export-xlsx --db PATH --out FILE.xlsx [--without-names] [--period P]
    fieldapp export-csv --db PATH --out DIR [--without-names] [--period P]

A period is a year (2026), a half-year (2026-H2) or a quarter (2026-Q4); the default is this
year. ``--household`` takes a household's id or the short code printed on its papers.

Exports that contain people's names (the household survey's roster, free-text notes) print a
warning on standard error before the file is written; ``--without-names`` leaves those
columns out. Dates are written YYYY-MM-DD (or D/M/YYYY). Each command that reads a database
signs in (fieldapp.cli.signin) and goes through the workspace's reports service, as the Reports
screen does: a member prints their own village's households and summary, a trainer progress
sheets, commune staff everything, exports included.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fieldapp.cli.signin import database_options, open_workspace
from fieldapp.errors import UserError
from fieldapp.i18n.catalog import _

COMMANDS = ("report", "export-xlsx", "export-csv")


def register(sub) -> None:
    report = sub.add_parser("report", help=_("print a report (PDF)"),
                            description=_("Print a report as a PDF file (A4)."))
    kinds = report.add_subparsers(dest="report_command", required=True)

    commune = kinds.add_parser(
        "commune", help=_("the commune's report to sign and file: indicators, sessions, "
                          "training"),
        description=_("The commune's report (Decree 30/2020/ND-CP layout): the indicators of "
                      "a year, half-year or quarter against the provincial targets, beside "
                      "the previous period, by village, ethnic group and sex; support "
                      "sessions, team activity, training progress and data completeness. "
                      "Aggregates only. A .docx file can be edited before signing."))
    _db(commune)
    _out(commune, _("file to write (.pdf or .docx)"))
    commune.add_argument("--village", metavar=_("CODE"),
                         help=_("one village only (its code or name)"))
    _period(commune)
    commune.add_argument("--narrative", type=Path, metavar=_("FILE"),
                         help=_("a text file whose paragraphs (separated by blank lines) "
                                "replace the generated opening paragraphs"))

    province = kinds.add_parser(
        "province", help=_("the province's report: one row per commune"),
        description=_("The province's report: the key indicators of each commune in this "
                      "database, one row per commune, beside the previous period."))
    _db(province)
    _out(province, _("file to write (.pdf or .docx)"))
    _period(province)

    progress = kinds.add_parser(
        "progress", help=_("trainer progress sheets"),
        description=_("Trainer progress sheets: per class a grid of learners by skills and "
                      "attendance, and one page per learner."))
    _db(progress)
    _out(progress, _("PDF file to write"))
    progress.add_argument("--class", dest="class_id", metavar=_("ID"),
                          help=_("one class only (its code or name)"))
    progress.add_argument("--lang", metavar=_("CODE"),
                          help=_("label pack for bilingual sheets (e.g. tyz); default "
                                 "Vietnamese"))

    paper = kinds.add_parser(
        "questionnaire", help=_("a form printed blank, for paper"),
        description=_("A form printed blank for days without power: numbered questions, "
                      "boxes to tick, skip instructions. With --db and --household, "
                      "pre-filled for a household's re-survey."))
    paper.add_argument("--form", required=True, metavar=_("ID"),
                       help=_("the form's id (e.g. household_survey)"))
    paper.add_argument("--lang", required=True, metavar=_("CODE"),
                       help=_("vi, or a label pack (e.g. tyz) for bilingual labels"))
    _out(paper, _("PDF file to write"))
    database_options(paper, required=False,
                     help=_("database file (lists of villages; needed with --household)"))
    paper.add_argument("--household", metavar=_("ID"),
                       help=_("pre-fill the roster of this household (its id or the code "
                              "printed on its papers)"))

    household = kinds.add_parser(
        "household", help=_("a household's citizen handout"),
        description=_("A one-page handout for a household: what its members can already do "
                      "and the next steps."))
    _db(household)
    household.add_argument("--household", required=True, metavar=_("ID"),
                           help=_("the household's id or the code printed on its papers"))
    household.add_argument("--lang", required=True, metavar=_("CODE"),
                           help=_("vi, or the household's label pack (e.g. tyz)"))
    _out(household, _("PDF file to write"))

    for name, what in (("export-xlsx", _("an Excel workbook (.xlsx)")),
                       ("export-csv", _("a folder of CSV files"))):
        export = sub.add_parser(
            name, help=_("export every submission and the indicator table to {what}").format(
                what=what),
            description=_("Export every form's submissions (repeats on their own tables, "
                          "codes with their labels) and the indicator table to {what}. An "
                          "export with names says so before it is written.").format(what=what))
        _db(export)
        _out(export, _("file to write") if name == "export-xlsx" else _("folder to write"),
             folder=name == "export-csv")
        export.add_argument("--without-names", action="store_true",
                            help=_("leave out names, phone numbers and free-text notes"))
        _period(export)


def _period(parser) -> None:
    parser.add_argument("--period", type=period_value, metavar=_("PERIOD"),
                        help=_("a year (2026), a half-year (2026-H2) or a quarter (2026-Q4); "
                               "default: this year"))


def period_value(text: str):
    """``type=`` for a fixed period, with an error in the interface language."""
    from fieldapp.core.periods import Period

    try:
        return Period.parse(text)
    except UserError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _db(parser) -> None:
    database_options(parser)


def _out(parser, text: str, folder: bool = False) -> None:
    parser.add_argument("--out", type=Path, required=True,
                        metavar=_("FOLDER") if folder else _("FILE"), help=text)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)


def run(args) -> int:
    if args.command == "report":
        return _report(args)
    return _export(args)


def _narrative(path: Path | None) -> list[str] | None:
    """Paragraphs of a text file (separated by blank lines)."""
    if path is None:
        return None
    from fieldapp.i18n.textfile import read_text_file

    text = read_text_file(path)
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    if not paragraphs:
        raise UserError(_("{path} holds no text.").format(path=path))
    return paragraphs


def _report(args) -> int:
    from fieldapp.i18n.formatting import format_number
    from fieldapp.services import reports

    kind = args.report_command
    if kind == "questionnaire" and args.sub_db is None:
        if args.household:
            raise UserError(_("--household needs --db."))
        printed = reports.questionnaire(args.form, args.out, language=args.lang)
    else:
        if kind in ("commune", "province"):
            reports.report_format(args.out)
        options = {
            "commune": lambda: {"village": args.village, "period": args.period,
                                "narrative": _narrative(args.narrative)},
            "province": lambda: {"period": args.period},
            "progress": lambda: {"class_id": args.class_id, "language": args.lang},
            "questionnaire": lambda: {"form_id": args.form, "language": args.lang,
                                      "household_id": args.household},
            "household": lambda: {"household_id": args.household, "language": args.lang},
        }[kind]()
        workspace = open_workspace(args)
        try:
            if options.get("household_id"):  # the code printed on its papers, or its id
                options["household_id"] = workspace.reports.find_household(
                    options["household_id"], strict=True)["id"]
            printed = workspace.reports.make(kind, args.out, options, progress=_progress)
        finally:
            workspace.close()
        if kind == "commune" and sys.stderr.isatty():
            print(file=sys.stderr)
    print(_("Wrote {path} ({size} KB).").format(
        path=printed.path, size=format_number(max(1, round(printed.size / 1024)))))
    return 0


def _export(args) -> int:
    from fieldapp.i18n.formatting import format_number
    from fieldapp.services import exports

    kind = "xlsx" if args.command == "export-xlsx" else "csv"
    exports.check_destination(kind, args.out)
    workspace = open_workspace(args)
    try:
        names = not args.without_names
        if names and kind in workspace.report_kinds():  # a refusal needs no warning first
            forms = workspace.reports.personal_forms()
            if forms:
                print(_("Warning: this export contains people's names, phone numbers or notes "
                        "({forms}). Keep the file safe; use --without-names to leave them "
                        "out.").format(forms="; ".join(forms)), file=sys.stderr)
        result = workspace.reports.make(kind, args.out,
                                        {"names": names, "period": args.period},
                                        progress=_progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    finally:
        workspace.close()
    print(_("Wrote {path}: {tables} tables, {rows} submissions.").format(
        path=result.path, tables=format_number(result.tables), rows=format_number(result.rows)))
    return 0
