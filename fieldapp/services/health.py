"""`fieldapp check`: integrity, migration state and counts of a database file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fieldapp.i18n.catalog import N_, _
from fieldapp.storage import db as dbmod
from fieldapp.storage.versions import MIGRATIONS

if TYPE_CHECKING:
    from fieldapp.services.workspace import Workspace


# What `fieldapp check` calls the tables it counts (a table not listed is shown by its name).
COUNT_LABELS = {
    "villages": N_("Villages and residential groups"),
    "users": N_("Team members (users)"),
    "households": N_("Households"),
    "persons": N_("Household members"),
    "submissions": N_("Forms filled in"),
}


def count_label(table: str) -> str:
    return _(COUNT_LABELS[table]) if table in COUNT_LABELS else table


_HOW = {"differs": N_("{table} {id}: the row differs from what the change log makes"),
        "not in the log": N_("{table} {id}: a row the change log does not make"),
        "missing": N_("{table} {id}: the change log makes a row the table lacks")}


@dataclass
class HealthReport:
    path: Path
    applied: list[str]
    pending: list[str]
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    replayed: bool = False
    """Whether the tables were compared with a replay of the change log (``--deep``)."""

    @property
    def healthy(self) -> bool:
        return not self.problems and not self.pending


def check_database(path: Path, key: bytes | None = None, *, deep: bool = False
                   ) -> HealthReport:
    """Inspect without migrating, creating or writing anything (the file stays byte for
    byte as it was); raises StorageError for unusable files. ``key``: an encrypted
    database's key. ``deep``: also replay the change log into a scratch database and list
    every record whose row differs (fieldapp.storage.replay)."""
    path = Path(path)
    if not path.exists():
        raise dbmod.StorageError(
            _("{path} does not exist.").format(path=path))
    applied = dbmod.inspect_file(path, key)
    pending = [m for m in MIGRATIONS if m not in applied]
    report = HealthReport(path, applied, pending)
    database = dbmod.connect(path, migrate=False, key=key, readonly=True)
    try:
        report.problems = dbmod.integrity_problems(database)
        if not pending:
            from fieldapp.storage.replay import merge_problems

            report.problems += [_(_HOW[d.how]).format(table=d.table, id=d.record)
                                for d in merge_problems(database)]
            report.counts = dbmod.live_counts(database)
    finally:
        database.close()
    if deep and not pending:
        from fieldapp.storage.replay import replay_differences

        report.replayed = True
        report.problems += [_(_HOW[d.how]).format(table=d.table, id=d.record)
                            for d in replay_differences(path, key)]
    return report


def check_signed_in(workspace: "Workspace", *, deep: bool = False) -> HealthReport:
    """``fieldapp check`` of a database a sign-in opened: anyone signed in may (it reports
    counts and problems, no one's record)."""
    workspace.access.require_signed_in()
    return check_database(Path(workspace.path), workspace.store.key, deep=deep)
