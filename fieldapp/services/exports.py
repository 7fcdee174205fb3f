"""Exporting the submissions to Excel (XLSX) or CSV, and the indicator table to pass upward.

One table per form with a row per submission; each repeat on a table of its own, a row per
repeat row keyed by the row's key and its submission's id (and its parent row's key for a
repeat inside a repeat). Select answers are written as codes with their Vietnamese labels in
the column beside; the first header row holds the questions' labels, the second their codes.
The field records (sessions, persons helped, classes, attendance, progress) follow
(fieldapp.services.export_fieldwork). The ``indicators`` table holds every indicator for the commune and each village (latest round
of each household) with its code, for reports upward.

Names: the household survey holds people's names and phone numbers, and any form may hold
free-text notes. :func:`personal_columns` says whether an export would contain them, so the
screen and the command line can say so before writing; ``names=False`` leaves those columns
out (free text, what is worked out from it, the names of registry records and users).

Rows are streamed from the database to the file (fieldapp.reports.tables): memory does not grow
with the number of submissions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fieldapp.errors import os_reason
from fieldapp.core.forms import Field, Form, Repeat
from fieldapp.core.forms.model import TEXT_REF_RE, strip_refs
from fieldapp.core.records import ROW_KEY
from fieldapp.i18n.catalog import _
from fieldapp.reports.pdf import OutputProblem, check_output
from fieldapp.reports.tables import Column, CsvTables, XlsxTables
from fieldapp.services.export_fieldwork import write_field_work
from fieldapp.services.forms import FormCatalog
from fieldapp.services.indicators import (
    Period, ReportCancelled, default_period, indicator_figures, load_indicators)
from fieldapp.storage.store import Store

_SKIPPED_TYPES = {"note", "deviceid", "username", "email", "phonenumber", "simserial",
                  "subscriberid", "audit"}
_REGISTRY_TABLES = {"villages.csv": ("villages", "name"), "households.csv": ("households",
                                                                            "head_name"),
                    "persons.csv": ("persons", "full_name"), "team_members.csv": ("users", "name")}


@dataclass
class FormColumns:
    """What one form's tables hold: per container (None = the form, else a repeat name) the
    fields in document order."""

    form: Form
    containers: dict[str | None, list[Field]] = field(default_factory=dict)
    personal: set[str] = field(default_factory=set)
    """Fields whose values are names or free text."""

    def repeats(self) -> list[Repeat]:
        return [r for r in self.form.repeats if r.name in self.containers]


def form_columns(form: Form) -> FormColumns:
    out = FormColumns(form, {None: []})
    for repeat in form.repeats:
        out.containers[repeat.name] = []
    for node in form.root.fields():
        if node.type in _SKIPPED_TYPES:
            continue
        container = node.repeat.name if node.repeat is not None else None
        out.containers[container].append(node)
    texts = {f.name for f in form.fields.values() if f.type == "text"}
    out.personal = set(texts)
    changed = True
    while changed:  # worked out from a name (the head's name from the roster)
        changed = False
        for f in form.fields.values():
            if f.calculation is not None and f.name not in out.personal \
                    and f.calculation.references() & out.personal:
                out.personal.add(f.name)
                changed = True
    return out


def _label(form: Form, node: Field) -> str:
    from fieldapp.services.export_labels import calculated_label

    return (strip_refs(form.text(node.label, form.language_for_code("vi")))
            or calculated_label(form.form_id, node.name) or node.name)


class _Registry:
    """Names of registry records by id, looked up as needed (bounded cache: flat memory)."""

    def __init__(self, store: Store):
        self.store = store
        self.lookup = lru_cache(maxsize=20_000)(self._lookup)

    def _lookup(self, csv_name: str, record_id: str) -> str:
        table, column = _REGISTRY_TABLES.get(csv_name, (None, None))
        if table is None:
            return ""
        row = getattr(self.store, table).get(record_id)
        return row[column] if row and row.get(column) else ""


def _choice_labels(form: Form, node: Field) -> dict[str, str]:
    if not node.list_name or node.list_name not in form.choice_lists:
        return {}
    vi = form.language_for_code("vi")
    return {c.name: form.text(c.label, vi) or c.name
            for c in form.choice_lists[node.list_name].choices}


class _FormTables:
    """The columns and row values of one form's tables."""

    def __init__(self, spec: FormColumns, registry: _Registry, names: bool):
        self.spec = spec
        self.form = spec.form
        self.registry = registry
        self.names = names
        self.labels = {n.name: _choice_labels(self.form, n) for fields in spec.containers.values()
                       for n in fields}

    def fields(self, container: str | None) -> list[Field]:
        return [f for f in self.spec.containers[container]
                if self.names or f.name not in self.spec.personal]

    def has_label(self, node: Field) -> bool:
        return bool(self.labels.get(node.name)) or (node.from_file is not None and self.names)

    def columns(self, container: str | None) -> list[Column]:
        if container is None:
            cols = [Column("_id", _("Submission"), 38), Column("_status", _("Status"), 9),
                    Column("_form_version", _("Form version"), 12),
                    Column("_finalized_at", _("Finalized at"), 22),
                    Column("_updated_at", _("Last saved"), 22),
                    Column("_household", _("Household"), 38),
                    Column("_village", _("Village"), 38)]
            if self.names:
                cols += [Column("_village_label", _("Village (name)"), 18),
                         Column("_user", _("Saved by"), 38),
                         Column("_user_label", _("Saved by (name)"), 20)]
            else:
                cols.append(Column("_user", _("Saved by"), 38))
        else:
            cols = [Column("_parent", _("Submission"), 38),
                    Column("_row_key", _("Row key"), 38), Column("_row", _("Row"), 6)]
            outer = self.form.nodes[container].repeat
            if outer is not None:
                cols.insert(1, Column("_parent_row_key", _("Parent row key"), 38))
        for node in self.fields(container):
            label = _label(self.form, node)
            cols.append(Column(node.name, label, 16))
            if self.has_label(node):
                labelled = _("{label} (label)").format(label=label)
                cols.append(Column(node.name + "_label", labelled, 22))
        return cols

    def values(self, container: str | None, source: dict[str, Any]) -> list[Any]:
        out = []
        for node in self.fields(container):
            value = source.get(node.name, "")
            value = value if isinstance(value, str) else ""
            out.append(_typed(node, value))
            if self.has_label(node):
                out.append(self._label_of(node, value, source))
        return out

    def _label_of(self, node: Field, value: str, source: dict[str, Any]) -> str:
        if not value:
            return ""
        codes = value.split() if node.type in ("select_multiple", "rank") else [value]
        if node.from_file is not None:
            return "; ".join(self.registry.lookup(node.from_file, c) or c for c in codes)
        labels = self.labels.get(node.name, {})
        return "; ".join(self._filled(labels.get(c, c), c, source) for c in codes)

    def _filled(self, label: str, code: str, source: dict[str, Any]) -> str:
        """A choice label with ${references} filled in from the submission: a question asked
        once about everyone names the people of the roster (choice N: row N, as the form
        shows it); the code alone in an export without names."""
        if "${" not in label:
            return label
        if not self.names:
            return code

        def value(match) -> str:
            name = match.group(1).strip()
            node = self.form.fields.get(name)
            repeat = node.repeat if node is not None else None
            if repeat is not None and code.isdigit():
                rows = source.get(repeat.name)
                row = rows[int(code) - 1] if isinstance(rows, list) and \
                    0 < int(code) <= len(rows) and isinstance(rows[int(code) - 1], dict) else {}
                return str(row.get(name, ""))
            return str(source.get(name, ""))

        return TEXT_REF_RE.sub(value, label) or code


def _typed(node: Field, value: str) -> Any:
    if not value:
        return None
    if node.type == "integer" or (node.type == "calculate" and value.lstrip("-").isdigit()
                                  and len(value) < 12):
        try:
            return int(value)
        except ValueError:
            return value
    if node.type == "decimal":
        try:
            return float(value)
        except ValueError:
            return value
    return value


@dataclass
class ExportResult:
    path: Path
    tables: int = 0
    rows: int = 0
    names: bool = False


def _forms(store: Store, catalog: FormCatalog) -> list[Form]:
    forms = []
    for form_id in store.submissions.form_ids():
        try:
            forms.append(catalog.current(form_id)[1])
        except KeyError:
            continue  # a form no longer offered here; its answers stay in the database
    return forms


def personal_columns(store: Store, catalog: FormCatalog | None = None) -> list[str]:
    """The forms with submissions whose export holds names or free text (form titles)."""
    catalog = catalog or FormCatalog()
    return [form.title_in("vi") for form in _forms(store, catalog)
            if form_columns(form).personal]


def _export(store: Store, tables, *, names: bool, period: Period, today: dt.date | None,
            progress: Callable[[int, int], None], cancelled: Callable[[], bool],
            catalog: FormCatalog | None) -> tuple[int, int]:
    catalog = catalog or FormCatalog()
    registry = _Registry(store)
    total = sum(store.submissions.count_by_form().values())
    done = count = 0
    progress(0, total)
    for form in _forms(store, catalog):
        spec = form_columns(form)
        writer = _FormTables(spec, registry, names)
        main = tables.table(form.form_id, writer.columns(None))
        repeats = {r.name: tables.table(f"{form.form_id}.{r.name}", writer.columns(r.name))
                   for r in spec.repeats()}
        count += 1 + len(repeats)
        for row in store.submissions.for_export(form.form_id):
            answers = json.loads(row["answers"])
            meta = [row["id"], row["status"], row["form_version"], row["finalized_at"],
                    row["updated_at"], row["household_id"], row["village_id"]]
            if names:
                meta += [registry.lookup("villages.csv", row["village_id"] or ""),
                         row["user_id"], registry.lookup("team_members.csv",
                                                         row["user_id"] or "")]
            else:
                meta.append(row["user_id"])
            tables.append(main, meta + writer.values(None, answers))
            _rows(tables, writer, repeats, form.root, answers, row["id"], None)
            done += 1
            if done % 500 == 0:
                if cancelled():
                    raise ReportCancelled(_("The export was cancelled; nothing was written."))
                progress(done, total)
    fieldwork = write_field_work(store, tables, names=names, period=period,
                                 cancelled=cancelled)
    count += fieldwork[0] + _indicator_table(store, tables, period, today, catalog)
    progress(total, total)
    return count, done + fieldwork[1]


def _rows(tables, writer: _FormTables, handles: dict, group, data: dict[str, Any],
          submission: str, parent_key: str | None) -> None:
    """Rows of the repeats in ``group`` (recursively), keyed by row key and parent."""
    for child in group.children:
        if isinstance(child, Repeat):
            for position, row in enumerate(data.get(child.name) or []):
                if not isinstance(row, dict):
                    continue
                key = row.get(ROW_KEY, "")
                lead = [submission] + ([parent_key] if child.repeat is not None else []) + [
                    key, position + 1]
                tables.append(handles[child.name], lead + writer.values(child.name, row))
                _rows(tables, writer, handles, child, row, submission, key)
        elif hasattr(child, "children"):
            _rows(tables, writer, handles, child, data, submission, parent_key)


def _indicator_table(store: Store, tables, period: Period, today: dt.date | None,
                     catalog: FormCatalog) -> int:
    """The indicator sheet: every indicator for the commune and each village, from the same
    computation as the report (a fixed period: the one asked, else this year)."""
    from fieldapp.core.tabulation import status_of
    from fieldapp.reports.summary import SUPPRESSED, reasons_text, share, status_text, \
        suppression_note

    today = today or dt.date.today()
    period = period if period.key else default_period(today)
    indicators = load_indicators(catalog)
    figures = indicator_figures(store, period, indicators=indicators, today=today)
    small = figures.small_cell
    villages = {v["id"]: v["name"] for v in store.villages.list()}
    commune = store.commune() or {}
    columns = [Column(c, label, w) for c, label, w in (
        ("commune", _("Commune"), 20), ("village", _("Village"), 38),
        ("village_label", _("Village (name)"), 18), ("indicator", _("Indicator code"), 20),
        ("number", _("Number"), 7), ("group", _("Group"), 10), ("level", _("Level"), 10),
        ("name", _("Indicator"), 50), ("population_name", _("Population"), 24),
        ("population", _("Population counted"), 11), ("not_asked", _("Not asked"), 10),
        ("not_asked_reasons", _("Not asked: reasons"), 30),
        ("dont_know", _("Don't know"), 10), ("refused", _("Refused or no answer"), 10),
        ("n", "n", 9), ("denominator", "N", 9),
        ("value", _("Value (share)"), 10), ("value_text", _("Value as printed"), 10),
        ("target", _("Target (%)"), 9), ("target_year", _("Target year"), 9),
        ("target_source", _("Target source"), 40), ("status", _("Status code"), 11),
        ("status_label", _("Status"), 14), ("period", _("Period"), 10),
        ("period_start", _("Period from"), 12), ("period_end", _("Period to"), 12),
        ("computed_on", _("Computed on"), 12))]
    handle = tables.table("indicators", columns)
    for r in figures.results:
        ind = r.indicator
        scopes = [("", r.overall)] + sorted(r.by_village.items(),
                                            key=lambda kv: villages.get(kv[0], kv[0]))
        for village, tally in scopes:
            printed = tally.shown(small)
            status = status_of(ind, tally) if printed or not tally.denominator else SUPPRESSED
            tables.append(handle, [
                commune.get("name", ""), village, villages.get(village, "") if village else "",
                ind.id, ind.number, ind.group, ind.level, ind.name, ind.population_name,
                tally.population, tally.not_asked, reasons_text(tally), tally.dont_know,
                tally.refused, tally.n if printed else None,
                tally.denominator if printed else None,
                round(tally.value, 4) if printed and tally.value is not None else None,
                share(tally, small), ind.target, ind.target_year, ind.target_source,
                status, status_text(status) if status != SUPPRESSED else SUPPRESSED,
                period.key, period.start.isoformat(), period.end.isoformat(),
                today.isoformat()])
    tables.append(handle, [])
    tables.append(handle, [suppression_note(small)])
    tables.append(handle, [_("Households interviewed in {period}: {surveyed} of {registry} in "
                             "the registry.").format(period=period.label(),
                                                    surveyed=figures.households_surveyed,
                                                    registry=figures.registry_households)])
    return 1


def check_destination(kind: str, path: Path) -> Path:
    """Refuse at once a destination that cannot be written ("xlsx": a file, "csv": a folder)."""
    path = Path(path)
    if kind == "xlsx":
        check_output(path)
        if path.suffix.lower() != ".xlsx":  # an xlsx named r.csv opens in nothing that reads it
            raise OutputProblem(_("{path}: write the workbook to an .xlsx file.").format(
                path=path.name))
        return path
    if path.exists() and not path.is_dir():
        raise OutputProblem(_("{path} is a file; give a folder for the CSV files.").format(
            path=path))
    check_output(path / "indicators.csv" if path.is_dir() else path)
    return path


def export_xlsx(store: Store, out: Path, *, names: bool = True, period: Period = Period(),
                today: dt.date | None = None,
                progress: Callable[[int, int], None] = lambda d, t: None,
                cancelled: Callable[[], bool] = lambda: False,
                catalog: FormCatalog | None = None) -> ExportResult:
    out = check_output(Path(out))
    return _write(XlsxTables(out), out, store, names=names, period=period, today=today,
                  progress=progress, cancelled=cancelled, catalog=catalog)


def _write(tables, out: Path, store: Store, **options) -> ExportResult:
    """Export into ``tables`` and put the files in place, or leave nothing on failure."""
    try:
        count, rows = _export(store, tables, **options)
    except BaseException:
        tables.abandon()
        raise
    tables.close()
    # Who exported what, in the audit log; a file with names is an event of its own.
    store.audit.record("export_named" if options["names"] else "export_file",
                       user_id=store.user_id,
                       detail={"file": Path(out).name, "tables": count, "rows": rows})
    return ExportResult(out, count, rows, options["names"])


def export_csv(store: Store, folder: Path, *, names: bool = True, period: Period = Period(),
               today: dt.date | None = None,
               progress: Callable[[int, int], None] = lambda d, t: None,
               cancelled: Callable[[], bool] = lambda: False,
               catalog: FormCatalog | None = None) -> ExportResult:
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputProblem(_("{path} is a file; give a folder for the CSV files.").format(
            path=folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputProblem(_("Cannot write {path}: {reason}").format(
            path=folder, reason=os_reason(exc))) from None
    check_output(folder / "indicators.csv")
    return _write(CsvTables(folder), folder, store, names=names, period=period, today=today,
                  progress=progress, cancelled=cancelled, catalog=catalog)
